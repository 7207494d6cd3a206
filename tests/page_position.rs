//! `{{cursor}}` in a list's answer: where this page lies, as vendors whose clients count pages
//! write it beside the items (PagerDuty's `offset`, Lemon Squeezy's `meta.page.currentPage`,
//! Webflow's `pagination.offset`): a number, 0 or 1 on the first page, the asked position or
//! number on the others; for other cursors, the one the page was asked with, left out on the
//! first. Written by emulators and surfaces; read past when a vendor's answer is read.
//! Fixtures: `tests/dialects/ward.toml` (offsets, writing `offset`), and
//! `tests/dialects/squeeze.toml` (page numbers) and `tests/dialects/ledger.toml` (last ids),
//! edited to write theirs.

mod support;

use serde_json::{Value, json};
use support::{gateway_emulating, ok, send};

/// The emulated list of `name` (the mapping files of `dir`) seeded with three webhooks: the
/// first page of two and the page after it, as the emulator answers them at `path` with the
/// query `first`, then with `then(first page)` appended.
async fn two_pages(
    dir: &tempfile::TempDir,
    name: &str,
    auth: (&str, &str),
    path: impl Fn(&str) -> String,
    next: impl Fn(&Value) -> String,
) -> (Value, Value) {
    let dialects = hookgate::mapping::load_dir(dir.path()).unwrap();
    let d = dialects.iter().find(|d| d.name == name).unwrap();
    let gw = gateway_emulating(dir.path().to_str().unwrap(), name).await;
    support::seed_alike(gw.addr, d, name, 3).await;
    let emu = gw.emulators[name];
    let owner = support::owner(d).unwrap();
    let first = send(emu, "GET", &path(&owner), &[auth], None).await;
    ok(&first, 200, "the first page");
    let first = first.json();
    let after = format!("{}&{}", path(&owner), next(&first));
    let second = send(emu, "GET", &after, &[auth], None).await;
    ok(&second, 200, &after);
    gw.stop().await;
    (first, second.json())
}

#[tokio::test]
async fn an_offset_is_written_as_the_position_of_the_pages_first_item() {
    let dir = support::dialects_with(&[]);
    let (first, second) = two_pages(
        &dir,
        "ward",
        ("authorization", "Token token=t0ken"),
        |o| format!("/webhook_subscriptions?filter_type=service_reference&filter_id={o}&limit=2"),
        |_| "offset=2".to_owned(),
    )
    .await;
    assert_eq!(first["offset"], json!(0), "{first}");
    assert_eq!(first["more"], json!(true), "{first}");
    assert_eq!(second["offset"], json!(2), "{second}");
    assert_eq!(second["more"], json!(false), "{second}");
    assert_eq!(second["webhook_subscriptions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_page_number_is_written_as_a_number_from_one() {
    let dir = support::dialects_with(&[(
        "squeeze",
        "response = { data = \"{{items}}\" }",
        "response = { data = \"{{items}}\", meta = { page = { currentPage = \"{{cursor}}\", perPage = \"{{limit|10}}\" } } }",
    )]);
    let (first, second) = two_pages(
        &dir,
        "squeeze",
        ("authorization", "Bearer t0ken"),
        |o| format!("/v1/webhooks?filter%5Bstore_id%5D={o}&page%5Bsize%5D=2"),
        |_| "page%5Bnumber%5D=2".to_owned(),
    )
    .await;
    assert_eq!(
        first["meta"]["page"],
        json!({"currentPage": 1, "perPage": 2}),
        "{first}"
    );
    assert_eq!(second["meta"]["page"]["currentPage"], json!(2), "{second}");
}

#[tokio::test]
async fn another_cursor_is_the_one_the_page_was_asked_with() {
    let dir = support::dialects_with(&[(
        "ledger",
        "response = { object = \"list\", data = \"{{items}}\", has_more = \"{{has_more}}\" }",
        "response = { object = \"list\", data = \"{{items}}\", has_more = \"{{has_more}}\", after = \"{{cursor}}\" }",
    )]);
    let last = std::sync::Mutex::new(String::new());
    let (first, second) = two_pages(
        &dir,
        "ledger",
        ("authorization", "Bearer sk_t0ken"),
        |o| format!("/v1/accounts/{o}/webhook_endpoints?limit=2"),
        |page| {
            let id = page["data"][1]["id"].as_str().unwrap().to_owned();
            *last.lock().unwrap() = id.clone();
            format!("starting_after={id}")
        },
    )
    .await;
    assert!(first.get("after").is_none(), "the first page: {first}");
    let last = last.lock().unwrap().clone();
    assert_eq!(second["after"], json!(last), "{second}");
}

#[tokio::test]
async fn a_surface_writes_the_position_in_front_of_a_vendor_that_pages_otherwise() {
    let dir = support::dialects_with(&[]);
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.tariff]\ndialect = \"tariff\"\nemulate = true\n\
         [surfaces.w]\ndialect = \"ward\"\nupstream = \"tariff\"\nprefix = \"/w\"\n\
         owner = \"PABCDEF\"\n",
        dir.path().to_str().unwrap()
    ))
    .await;
    let auth = ("authorization", "Token token=t0ken");
    for n in 0..3 {
        let body = json!({"webhook_subscription": {"type": "webhook_subscription",
            "delivery_method": {"type": "http_delivery_method",
                "url": format!("https://example.com/{n}")},
            "events": ["incident.triggered"],
            "filter": {"type": "service_reference", "id": "PABCDEF"}}});
        let made = send(
            gw.addr,
            "POST",
            "/w/webhook_subscriptions",
            &[auth],
            Some(&body),
        )
        .await;
        ok(&made, 201, "a subscription through the surface");
    }
    let list = "/w/webhook_subscriptions?filter_type=service_reference&filter_id=PABCDEF&limit=2";
    let first = send(gw.addr, "GET", list, &[auth], None).await.json();
    assert_eq!(first["offset"], json!(0), "{first}");
    let after = format!("{list}&offset=2");
    let second = send(gw.addr, "GET", &after, &[auth], None).await.json();
    assert_eq!(second["offset"], json!(2), "{second}");
    assert_eq!(second["more"], json!(false), "{second}");
    gw.stop().await;
}
