//! A drop-in surface in front of an upstream of its own dialect: the request and the answer
//! travel byte for byte, with the upstream's credential and hookgate's request id; the vendor's
//! constraints and the URL policy are still checked before a write leaves, and an answer that is
//! not JSON still becomes the vendor's own error shape.

mod support;

use bytes::Bytes;
use serde_json::json;
use support::{Double, Reply, gateway, send, send_raw};

const AGENT: &str = "9fbef0b7-8d4e-4a08-9207-66c22155721d";

fn config(double: &Double) -> String {
    let url = double.url();
    // One file per test: tests run in parallel, and a shared file could be read while another
    // test is rewriting it. The double's port is unique for as long as the double lives.
    let port = url.rsplit(':').next().unwrap_or_default();
    let token_file = std::env::temp_dir().join(format!(
        "hookgate-passthrough-{}-{port}",
        std::process::id()
    ));
    std::fs::write(&token_file, TOKEN).unwrap();
    format!(
        r#"
[upstreams.to]
dialect = "talkover"
base_url = "{url}"
auth = {{ type = "bearer", token_file = {token_file:?} }}
retries = 0
[surfaces.talkover]
dialect = "talkover"
upstream = "to"
prefix = "/surfaces/talkover"
[upstreams.am]
dialect = "agentmessage"
base_url = "{url}"
auth = {{ type = "passthrough" }}
retries = 0
[surfaces.agentmessage]
dialect = "agentmessage"
upstream = "am"
prefix = "/surfaces/agentmessage"
"#
    )
}

/// The credential the gateway holds for the Talkover upstream.
const TOKEN: &str = "upstream-token-pt";

/// Talkover's documented webhook, with a member no mapping names and an integer beyond 2^53.
const STORED: &str = r#"{"success":true,"data":{"id":"0199a1b2-0000-7000-8000-000000000001","agent_id":"9fbef0b7-8d4e-4a08-9207-66c22155721d","name":"Calls","webhook_url":"https://example.com/hook","events":["event_phone_call_started"],"timeout":30,"max_retries":3,"enabled":true,"delivery_region":"eu-west-1","sequence":9007199254740993}}"#;

#[tokio::test]
async fn a_read_travels_byte_for_byte_with_the_query_and_the_upstream_credential() {
    let double = Double::start(vec![Reply::Raw {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: STORED.into(),
    }])
    .await;
    let gw = gateway(&config(&double)).await;
    let path = format!(
        "/surfaces/talkover/api/v1/agents/{AGENT}/webhooks/0199a1b2-0000-7000-8000-000000000001?include=deliveries&x=%20y"
    );
    let answer = send(
        gw.addr,
        "GET",
        &path,
        &[("authorization", "Bearer client-token-pt")],
        None,
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.body,
        Bytes::from(STORED),
        "the vendor's bytes, unchanged"
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let request_id = answer
        .header("x-request-id")
        .expect("a request id")
        .to_owned();
    let seen = double.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].path,
        format!(
            "/api/v1/agents/{AGENT}/webhooks/0199a1b2-0000-7000-8000-000000000001?include=deliveries&x=%20y"
        )
    );
    assert_eq!(
        seen[0].headers.get("authorization").unwrap(),
        &format!("Bearer {TOKEN}")
    );
    assert_eq!(seen[0].headers.get("x-request-id").unwrap(), &request_id);
}

#[tokio::test]
async fn a_write_reaches_the_vendor_as_the_client_wrote_it() {
    let written = r#"{"name":"Calls","webhook_url":"https://example.com/hook","events":["event_phone_call_started"],"delivery_region":"eu-west-1","sequence":9007199254740993}"#;
    let double = Double::start(vec![Reply::json(
        200,
        json!({"success": true, "message": "Webhook created successfully", "data": {"id": "w1"}}),
    )])
    .await;
    let gw = gateway(&config(&double)).await;
    let answer = send_raw(
        gw.addr,
        "POST",
        &format!("/surfaces/talkover/api/v1/agents/{AGENT}/webhooks"),
        &[
            ("authorization", "Bearer client-token-pt"),
            ("content-type", "application/json"),
            ("idempotency-key", "create-calls-1"),
        ],
        Bytes::from(written),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json(),
        json!({"success": true, "message": "Webhook created successfully", "data": {"id": "w1"}})
    );
    let seen = double.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, format!("/api/v1/agents/{AGENT}/webhooks"));
    assert_eq!(
        seen[0].body,
        Bytes::from(written),
        "the client's bytes, unchanged"
    );
    assert_eq!(
        seen[0].headers.get("content-type").unwrap(),
        "application/json"
    );
    assert!(
        seen[0].headers.get("idempotency-key").is_none(),
        "an idempotency key goes only to a vendor that documents one"
    );
}

#[tokio::test]
async fn constraints_and_the_url_policy_are_checked_before_a_write_leaves() {
    let double = Double::start(vec![]).await;
    let gw = gateway(&config(&double)).await;
    let path = format!("/surfaces/talkover/api/v1/agents/{AGENT}/webhooks");
    let auth = [("authorization", "Bearer client-token-pt")];

    let missing_name =
        json!({"webhook_url": "https://example.com/hook", "events": ["event_phone_call_started"]});
    let answer = send(gw.addr, "POST", &path, &auth, Some(&missing_name)).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        answer.json(),
        json!({"message": "The given data was invalid.", "errors": {"name": ["The name field is required."]}})
    );

    let metadata = json!({"name": "Calls", "webhook_url": "http://169.254.169.254/latest", "events": ["event_phone_call_started"]});
    let answer = send(gw.addr, "POST", &path, &auth, Some(&metadata)).await;
    assert_eq!(answer.status, 422);
    let body = answer.json();
    assert_eq!(
        body["errors"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["webhook_url"],
        "{body}"
    );

    let answer = send_raw(
        gw.addr,
        "PUT",
        &format!("{path}/0199a1b2-0000-7000-8000-000000000001"),
        &auth,
        Bytes::from("{\"name\": "),
    )
    .await;
    assert_eq!(answer.status, 400, "{:?}", answer.body);

    // A dot segment is no webhook id: it would name another path at the vendor.
    for dots in ["%2e%2e", "%2E", ".", "%2e%2E"] {
        let answer = send(gw.addr, "GET", &format!("{path}/{dots}"), &auth, None).await;
        assert_eq!(answer.status, 400, "{dots}: {:?}", answer.body);
    }

    assert!(double.seen().is_empty(), "nothing reached the vendor");
}

#[tokio::test]
async fn vendor_errors_pass_as_they_are_and_pages_that_are_not_json_never_do() {
    let vendor_404 = json!({"success": false, "error": {"code": "NOT_FOUND", "message": "Webhook endpoint not found", "request_id": "req_vendor_1", "details": {}}});
    let double = Double::start(vec![
        Reply::Json {
            status: 404,
            headers: vec![("x-ratelimit-remaining".into(), "41".into())],
            body: vendor_404.clone(),
        },
        Reply::Raw {
            status: 502,
            headers: vec![],
            body: "<html><body>Bad Gateway</body></html>".into(),
        },
        Reply::Raw {
            status: 200,
            headers: vec![],
            body: "<html>maintenance</html>".into(),
        },
        Reply::Raw {
            status: 204,
            headers: vec![],
            body: String::new(),
        },
    ])
    .await;
    let gw = gateway(&config(&double)).await;
    let auth = [("authorization", "Bearer am-client-token-pt")];

    let answer = send(
        gw.addr,
        "GET",
        "/surfaces/agentmessage/v1/webhooks/0199a1b2-0000-7000-8000-000000000404",
        &auth,
        None,
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.json(),
        vendor_404,
        "the vendor's own message, code and request id"
    );
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("41"));

    // The vendor's HTML error page, then an HTML page sent as a success.
    for _ in 0..2 {
        let answer = send(
            gw.addr,
            "GET",
            "/surfaces/agentmessage/v1/webhooks/0199a1b2-0000-7000-8000-000000000001",
            &auth,
            None,
        )
        .await;
        assert_eq!(answer.status, 502);
        let body = answer.json();
        assert_eq!(body["success"], json!(false), "{body}");
        assert_eq!(
            body["error"]["request_id"].as_str(),
            answer.header("x-request-id"),
            "{body}"
        );
        assert!(!String::from_utf8_lossy(&answer.body).contains("<html"));
    }

    let answer = send(
        gw.addr,
        "DELETE",
        "/surfaces/agentmessage/v1/webhooks/0199a1b2-0000-7000-8000-000000000001",
        &auth,
        None,
    )
    .await;
    assert_eq!(answer.status, 204);
    assert!(answer.body.is_empty());

    let seen = double.seen();
    assert_eq!(seen.len(), 4);
    assert!(
        seen.iter()
            .all(|s| s.headers.get("authorization").unwrap() == "Bearer am-client-token-pt"),
        "the client's credential, passed through"
    );
}

/// `dialect`'s upstream at `vendor` (hookgate's token sent as a bearer, or in the query as
/// `key`) and a surface of it under `/p`, which relays.
async fn relaying(dialect: &str, vendor: &Double, by_query: bool) -> hookgate::app::Running {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
    let scratch = tempfile::tempdir().unwrap();
    let token = support::secret_file(scratch.path(), "t", "vendor-key-123");
    let auth = match by_query {
        true => format!("{{ type = \"query\", name = \"key\", token_file = {token:?} }}"),
        false => "{ type = \"none\" }".to_owned(),
    };
    gateway(&format!(
        "mappings_dir = {dir:?}\n[upstreams.up]\ndialect = \"{dialect}\"\nbase_url = {:?}\n\
         auth = {auth}\nretries = 0\n\
         [surfaces.p]\ndialect = \"{dialect}\"\nupstream = \"up\"\nprefix = \"/p\"\n",
        vendor.url()
    ))
    .await
}

#[tokio::test]
async fn a_relayed_page_names_its_next_page_on_the_gateway_never_at_the_vendor() {
    // A vendor whose answers name the next page by a URL at its own address, in its body or
    // in a `Link` field, with the vendor's query (and hookgate's credential where the vendor
    // takes it in the query) in it.
    // The credential also under a name of the vendor's own (`echo`), spelt as it was sent or
    // percent-encoded.
    let vendor_next = "https://vendor.example/v1/x?PageSize=2&echo=vendor%2Dkey-123&PageToken=PT2&key=vendor-key-123";
    let body = json!({"webhooks": [], "meta": {"page_size": 2, "next_page_url": vendor_next,
        "key": "webhooks", "also": vendor_next}});
    let linked = |path: &str| Reply::Raw {
        status: 200,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            (
                "link".into(),
                format!(
                    "<https://vendor.example{path}&echo=vendor-key-123&key=vendor-key-123>; rel=\"next\", <https://vendor.example/first>; rel=\"first\""
                ),
            ),
        ],
        body: "[]".into(),
    };
    let cases = [
        (
            "parley",
            "/p/v1/Conversations/CH1/Webhooks?PageSize=2",
            Reply::Raw {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                // Written as the vendor writes it, a member beyond 2^53 included.
                body: body
                    .to_string()
                    .replace("\"also\"", "\"big\":9007199254740993,\"also\""),
            },
            "PageSize=2&PageToken=PT2",
            ("authorization", "Basic dXNlcjpwYXNz"),
        ),
        (
            "lab",
            "/p/api/v4/projects/7/hooks?per_page=2",
            linked("/api/v4/projects/7/hooks?per_page=2&page=2"),
            "per_page=2&page=2",
            ("authorization", "Bearer client-t0ken"),
        ),
        (
            "shop",
            "/p/admin/api/2024-01/webhooks.json?limit=2",
            linked("/admin/api/2024-01/webhooks.json?limit=2&page_info=abc%3D"),
            "limit=2&page_info=abc%3D",
            ("x-shopify-access-token", "client-t0ken"),
        ),
    ];
    for (dialect, path, reply, query, credential) in cases {
        let vendor = Double::start(vec![
            reply,
            Reply::Raw {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: "[]".into(),
            },
        ])
        .await;
        let gw = relaying(dialect, &vendor, true).await;
        let client = [credential];
        let answer = send(gw.addr, "GET", path, &client, None).await;
        assert_eq!(answer.status, 200, "{dialect}: {:?}", answer.body);
        let text = String::from_utf8_lossy(&answer.body).into_owned();
        let link = answer
            .headers
            .get("link")
            .map(|v| v.to_str().unwrap().to_owned());
        assert!(!text.contains("vendor.example"), "{dialect}: {text}");
        assert!(!text.contains("vendor-key"), "{dialect}: {text}");
        let path_only = path.split('?').next().unwrap();
        let ours = format!("http://{}{path_only}?{query}", gw.addr);
        let next = match &link {
            Some(link) => {
                // Every link goes on, each page's named here: the first page, named by the
                // vendor without a query, is the list's own URL.
                let first = format!("http://{}{path_only}", gw.addr);
                assert_eq!(
                    link,
                    &format!("<{ours}>; rel=\"next\", <{first}>; rel=\"first\""),
                    "{dialect}"
                );
                ours.clone()
            }
            None => {
                let page = answer.json();
                assert_eq!(
                    page["meta"]["next_page_url"],
                    ours.as_str(),
                    "{dialect}: {text}"
                );
                // Wherever the body repeats it, and every other byte as the vendor wrote it.
                assert_eq!(page["meta"]["also"], ours.as_str(), "{dialect}: {text}");
                assert!(
                    text.contains("\"big\":9007199254740993"),
                    "{dialect}: {text}"
                );
                ours.clone()
            }
        };
        // Followed, the next page is asked of the vendor with the vendor's query.
        let target = next.split_once(&gw.addr.to_string()).unwrap().1;
        let answer = send(gw.addr, "GET", target, &client, None).await;
        assert_eq!(answer.status, 200, "{dialect}: {:?}", answer.body);
        let seen = vendor.seen();
        let asked = &seen[1].path;
        assert!(asked.contains(query), "{dialect}: {asked}");
        // hookgate's credential once, as it adds it, not as the vendor's URL echoed it.
        assert_eq!(asked.matches("key=").count(), 1, "{dialect}: {asked}");
        assert!(!asked.contains("echo="), "{dialect}: {asked}");
    }
}

#[tokio::test]
async fn a_relayed_page_names_its_other_pages_on_the_gateway_too() {
    // A page names more pages than its next: the one before, the first, itself, a next page's
    // URL beside the token the mapping reads. Each, at the vendor's address (its base URL's,
    // written here as VENDOR, or the next page's), goes on named here; a webhook's own URL,
    // another path of the vendor's and another host's URL stay as the vendor wrote them.
    let list = "VENDOR/api/v2/webhooks";
    let zen = json!({
        "webhooks": [{"id": "01EJ1", "endpoint": format!("{list}?page%5Bbefore%5D=B0"),
            "subscriptions": ["a"], "status": "active", "name": "n", "http_method": "POST"}],
        "meta": {"has_more": true, "after_cursor": "A1", "before_cursor": "B1"},
        "links": {"next": format!("{list}?page%5Bafter%5D=A1&page%5Bsize%5D=1&key=vendor-key-123"),
            "prev": format!("{list}?page%5Bbefore%5D=B1&page%5Bsize%5D=1"),
            "first": "/api/v2/webhooks", "account": "VENDOR/api/v2/account",
            "elsewhere": "https://other.example/api/v2/webhooks?page=2"}
    });
    // Twilio's page, at an address other than the base URL's: the one its next page names.
    let twilio = "https://vendor.example/v1/Conversations/CH1/Webhooks";
    let parley = json!({"webhooks": [], "meta": {"page_size": 1, "key": "webhooks",
        "next_page_url": format!("{twilio}?PageSize=1&Page=2&PageToken=PT2"),
        "previous_page_url": format!("{twilio}?PageSize=1&Page=0&PageToken=PT0"),
        "first_page_url": format!("{twilio}?PageSize=1&Page=0"),
        "url": format!("{twilio}?PageSize=1&Page=1")}});
    let cases = [
        (
            "zen",
            "/p/api/v2/webhooks?page%5Bsize%5D=1",
            zen,
            ("authorization", "Bearer client-t0ken"),
        ),
        (
            "parley",
            "/p/v1/Conversations/CH1/Webhooks?PageSize=1",
            parley,
            ("authorization", "Basic dXNlcjpwYXNz"),
        ),
    ];
    for (dialect, path, page, credential) in cases {
        let written = page.to_string();
        let vendor = Double::answering(move |seen| {
            let host = seen.headers["host"].to_str().unwrap();
            let text = written.replace("VENDOR", &format!("http://{host}"));
            Reply::json(200, serde_json::from_str(&text).unwrap())
        })
        .await;
        let gw = relaying(dialect, &vendor, true).await;
        let answer = send(gw.addr, "GET", path, &[credential], None).await;
        assert_eq!(answer.status, 200, "{dialect}: {:?}", answer.body);
        let got = answer.json();
        let here = format!("http://{}{}", gw.addr, path.split('?').next().unwrap());
        let text = got.to_string();
        assert!(!text.contains("vendor-key"), "{dialect}: {text}");
        let theirs = page.to_string().replace("VENDOR", &vendor.url());
        let page: serde_json::Value = serde_json::from_str(&theirs).unwrap();
        if dialect == "zen" {
            let links = &got["links"];
            assert_eq!(
                links["prev"],
                format!("{here}?page%5Bbefore%5D=B1&page%5Bsize%5D=1")
            );
            assert_eq!(
                links["next"],
                format!("{here}?page%5Bafter%5D=A1&page%5Bsize%5D=1")
            );
            assert_eq!(
                links["first"],
                here.as_str(),
                "a page without a query is the list"
            );
            assert_eq!(links["account"], page["links"]["account"]);
            assert_eq!(links["elsewhere"], page["links"]["elsewhere"]);
            assert_eq!(
                got["webhooks"], page["webhooks"],
                "the items are the vendor's"
            );
        } else {
            let meta = &got["meta"];
            for (member, query) in [
                ("next_page_url", "PageSize=1&Page=2&PageToken=PT2"),
                ("previous_page_url", "PageSize=1&Page=0&PageToken=PT0"),
                ("first_page_url", "PageSize=1&Page=0"),
                ("url", "PageSize=1&Page=1"),
            ] {
                assert_eq!(meta[member], format!("{here}?{query}"), "{member}: {text}");
            }
        }
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_relayed_page_whose_next_url_has_no_query_is_the_vendors_failure() {
    let vendor = Double::start(vec![Reply::json(
        200,
        json!({"webhooks": [], "meta": {"page_size": 2, "key": "webhooks",
            "next_page_url": "https://vendor.example/v1/pages/2"}}),
    )])
    .await;
    let gw = relaying("parley", &vendor, false).await;
    let client = [("authorization", "Basic dXNlcjpwYXNz")];
    let answer = send(
        gw.addr,
        "GET",
        "/p/v1/Conversations/CH1/Webhooks",
        &client,
        None,
    )
    .await;
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    // A failure in the vendor's own error shape, at the status its mapping gives a 502.
    assert!(answer.status >= 400, "{text}");
    assert!(text.contains("next page"), "{text}");
    assert!(!text.contains("vendor.example"), "{text}");
}

#[tokio::test]
async fn a_relayed_page_of_an_emulator_names_its_next_page_on_the_surface() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
    let gw = gateway(&format!(
        "mappings_dir = {dir:?}\n[upstreams.up]\ndialect = \"parley\"\nemulate = true\n\
         [surfaces.p]\ndialect = \"parley\"\nupstream = \"up\"\nprefix = \"/p\"\n"
    ))
    .await;
    let mut made = Vec::new();
    for n in 0..3 {
        let hook = json!({"url": format!("https://example.com/{n}"), "events": ["onMessageAdded"]});
        let created = send(
            gw.addr,
            "POST",
            "/v1/upstreams/up/owners/CH1/webhooks",
            &[],
            Some(&hook),
        )
        .await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        made.push(created.json()["id"].as_str().unwrap().to_owned());
    }
    let client = [("authorization", "Basic dXNlcjpwYXNz")];
    let mut next = "/p/v1/Conversations/CH1/Webhooks?PageSize=2".to_owned();
    let mut listed = Vec::new();
    for _ in 0..3 {
        let page = send(gw.addr, "GET", &next, &client, None).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        let page = page.json();
        for hook in page["webhooks"].as_array().unwrap() {
            listed.push(hook["sid"].as_str().unwrap().to_owned());
        }
        let Some(url) = page["meta"]["next_page_url"].as_str() else {
            break;
        };
        let ours = format!("http://{}/p/v1/Conversations/CH1/Webhooks?", gw.addr);
        assert!(url.starts_with(&ours), "{url}");
        next = url.split_once(&gw.addr.to_string()).unwrap().1.to_owned();
    }
    listed.sort();
    made.sort();
    assert_eq!(listed, made);
}

#[tokio::test]
async fn a_relayed_link_field_goes_on_whole_and_never_with_hookgates_credential() {
    // A vendor that writes the credential hookgate sent it (in a header) into its links, under
    // a query parameter of its own and in a parameter, and that sends its links as one field
    // line each (RFC 9110 §5.3: the same field as one line joined by commas).
    const OWN: &str = "hookgate-own-credential-77";
    let v = "https://vendor.example/admin/api/2024-01/webhooks.json";
    let lines = [
        format!("<{v}?limit=2&page_info=P2&access_token={OWN}>; rel=\"next\""),
        format!("<{v}?limit=2&page_info=P0&sig=x{OWN}y>; rel=\"previous\""),
        format!("<https://docs.example/paging?t={OWN}>; rel=\"help\"; note=\"{OWN}\""),
    ];
    let reply = Reply::Raw {
        status: 200,
        headers: std::iter::once(("content-type".into(), "application/json".into()))
            .chain(lines.iter().map(|l| ("link".into(), l.clone())))
            .collect(),
        body: r#"{"webhooks": []}"#.into(),
    };
    let vendor = Double::start(vec![reply]).await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
    let scratch = tempfile::tempdir().unwrap();
    let token = support::secret_file(scratch.path(), "t", OWN);
    let gw = gateway(&format!(
        "mappings_dir = {dir:?}\n[upstreams.up]\ndialect = \"shop\"\nbase_url = {:?}\n\
         auth = {{ type = \"header\", name = \"X-Shopify-Access-Token\", token_file = {token:?} }}\n\
         retries = 0\n[surfaces.p]\ndialect = \"shop\"\nupstream = \"up\"\nprefix = \"/p\"\n",
        vendor.url()
    ))
    .await;
    let path = "/p/admin/api/2024-01/webhooks.json?limit=2";
    let answer = send(
        gw.addr,
        "GET",
        path,
        &[("x-shopify-access-token", "c")],
        None,
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(
        vendor.seen()[0].headers["x-shopify-access-token"],
        OWN,
        "the vendor was sent hookgate's credential"
    );
    let link = answer.headers["link"].to_str().unwrap().to_owned();
    assert!(!link.contains("hookgate-own"), "{link}");
    let here = format!("http://{}/p/admin/api/2024-01/webhooks.json", gw.addr);
    assert_eq!(
        link,
        format!(
            "<{here}?limit=2&page_info=P2>; rel=\"next\", <{here}?limit=2&page_info=P0>; rel=\"previous\", \
             <https://docs.example/paging?t=[redacted]>; rel=\"help\"; note=\"[redacted]\""
        )
    );
    gw.stop().await;
}

/// A relayed change a vendor of the surface's own dialect answered in a body that is no JSON:
/// what the surface's client is told. Per dialect: the surface's paths of a create, an update
/// and a delete (a client's credential in the query where its clients send one there), a
/// create's and an update's body, and the canonical path of the delete.
struct Writes {
    dialect: &'static str,
    create: &'static str,
    update: &'static str,
    delete: &'static str,
    body: serde_json::Value,
    canonical_delete: &'static str,
}

fn writes() -> Vec<Writes> {
    vec![
        Writes {
            dialect: "talkover",
            create: "/p/api/v1/agents/9fbef0b7-8d4e-4a08-9207-66c22155721d/webhooks",
            update: "/p/api/v1/agents/9fbef0b7-8d4e-4a08-9207-66c22155721d/webhooks/0199a1b2-0000-7000-8000-000000000001",
            delete: "/p/api/v1/agents/9fbef0b7-8d4e-4a08-9207-66c22155721d/webhooks/0199a1b2-0000-7000-8000-000000000001",
            body: json!({"name": "Calls", "webhook_url": "https://example.com/hook",
                "events": ["event_phone_call_started"]}),
            canonical_delete: "/v1/upstreams/up/owners/9fbef0b7-8d4e-4a08-9207-66c22155721d/webhooks/0199a1b2-0000-7000-8000-000000000001",
        },
        Writes {
            dialect: "relay",
            create: "/p/api/projects/p1/hooks",
            update: "/p/api/projects/p1/hooks/7",
            delete: "/p/api/projects/p1/hooks/7",
            body: json!({"hook": {"target": {"url": "https://example.com/hook"}, "topics": ["a"]}}),
            canonical_delete: "/v1/upstreams/up/owners/p1/webhooks/7",
        },
        Writes {
            dialect: "cork",
            create: "/p/1/tokens/tok1/webhooks?key=k1&token=tok1",
            update: "/p/1/webhooks/5f2a1c9e4b0d3e7a8c6b1f20?key=k1&token=tok1",
            delete: "/p/1/webhooks/5f2a1c9e4b0d3e7a8c6b1f20?key=k1&token=tok1",
            body: json!({"callbackURL": "https://example.com/hook",
                "idModel": "4d5ea62fd76aa1136000000c"}),
            canonical_delete: "",
        },
    ]
}

/// A vendor's answer of `status`, in `media_type`, holding `body`.
fn in_media_type(status: u16, media_type: &str, body: &str) -> Reply {
    Reply::Raw {
        status,
        headers: vec![("content-type".into(), media_type.into())],
        body: body.into(),
    }
}

#[tokio::test]
async fn a_relayed_refusal_that_is_no_json_says_nothing_was_made() {
    // A refusal (a 4xx) made nothing, whatever its body: the client is told so in the words
    // the vendor gave, at the status it gave, never that the change was made.
    let refusals = [
        (400, "text/plain", "webhook_url is invalid"),
        (
            409,
            "text/plain; charset=utf-8",
            "a webhook of that URL is there",
        ),
        (422, "text/plain", "events: unknown event"),
        (
            400,
            "application/xml",
            "<error>webhook_url is invalid</error>",
        ),
        (403, "text/html", "<html>forbidden</html>"),
    ];
    for w in writes() {
        for (status, media_type, words) in refusals {
            let reply = in_media_type(status, media_type, words);
            let vendor = Double::answering(move |_| reply.clone()).await;
            let gw = relaying(w.dialect, &vendor, false).await;
            let auth = [("authorization", "Bearer client-t0ken")];
            for (method, path) in [("POST", w.create), ("PUT", w.update), ("DELETE", w.delete)] {
                let body = (method != "DELETE").then_some(&w.body);
                let before = vendor.seen().len();
                let answer = send(gw.addr, method, path, &auth, body).await;
                let text = String::from_utf8_lossy(&answer.body).into_owned();
                let what = format!(
                    "{} {method} answered {status} {media_type}: {text}",
                    w.dialect
                );
                assert_eq!(vendor.seen().len(), before + 1, "{what}: relayed");
                assert_eq!(answer.status, status, "{what}");
                assert!(!text.contains("made"), "{what}");
                let text_errors = w.dialect == "cork";
                let plain = media_type.starts_with("text/plain");
                match (text_errors, plain) {
                    // A vendor that refuses in text is passed on as it refused.
                    (true, true) => {
                        assert_eq!(text, words, "{what}");
                        assert_eq!(answer.header("content-type"), Some(media_type), "{what}");
                    }
                    // Otherwise in the vendor's own error shape, saying what it said.
                    (false, true) => {
                        assert!(
                            serde_json::from_str::<serde_json::Value>(&text).is_ok(),
                            "{what}"
                        );
                        assert!(text.contains(words), "{what}");
                    }
                    (_, false) => {
                        assert!(!text.contains('<'), "{what}");
                        assert!(text.contains("is not JSON"), "{what}");
                    }
                }
                // The canonical API's words for the same answer.
                if method == "DELETE" && !w.canonical_delete.is_empty() {
                    let canonical = send(gw.addr, "DELETE", w.canonical_delete, &[], None).await;
                    let detail = canonical.json()["detail"].as_str().unwrap().to_owned();
                    assert!(!detail.contains("made"), "{what}: {detail}");
                    if !text_errors {
                        let said = serde_json::to_string(&detail).unwrap();
                        let said = said.trim_matches('"');
                        assert!(text.contains(said), "{what}: canonical {detail}");
                    }
                }
            }
            gw.stop().await;
        }
    }
}

#[tokio::test]
async fn a_relayed_change_answered_with_a_vendors_failure_may_have_been_made() {
    // A 5xx says nothing of what the vendor did: a change may have been made, which a retry
    // would make twice; a read made nothing, and says so by saying nothing of a change.
    for w in writes() {
        for (status, media_type, words) in [
            (
                500,
                "text/html",
                "<html><body>Internal Server Error</body></html>",
            ),
            (503, "text/plain", "upstream connect error"),
        ] {
            let reply = in_media_type(status, media_type, words);
            let vendor = Double::answering(move |_| reply.clone()).await;
            let gw = relaying(w.dialect, &vendor, false).await;
            let auth = [("authorization", "Bearer client-t0ken")];
            let read = w
                .update
                .replacen("/p/1/webhooks/", "/p/1/tokens/tok1/webhooks/", 1);
            for (method, path) in [
                ("POST", w.create),
                ("PUT", w.update),
                ("DELETE", w.delete),
                ("GET", read.as_str()),
            ] {
                let body = (matches!(method, "POST" | "PUT")).then_some(&w.body);
                let before = vendor.seen().len();
                let answer = send(gw.addr, method, path, &auth, body).await;
                let text = String::from_utf8_lossy(&answer.body).into_owned();
                let what = format!(
                    "{} {method} answered {status} {media_type}: {text}",
                    w.dialect
                );
                assert_eq!(vendor.seen().len(), before + 1, "{what}: relayed");
                assert!(answer.status >= 500, "{what}");
                assert!(!text.contains("was made"), "{what}");
                assert!(!text.contains('<'), "{what}");
                assert_eq!(
                    text.contains("the change may have been made at upstream up"),
                    method != "GET",
                    "{what}"
                );
            }
            gw.stop().await;
        }
    }
    // A success the surface cannot pass on made the change, and says so.
    let reply = in_media_type(200, "text/html", "<html>saved</html>");
    let vendor = Double::answering(move |_| reply.clone()).await;
    let gw = relaying("relay", &vendor, false).await;
    let hook = json!({"hook": {"target": {"url": "https://example.com/hook"}, "topics": ["a"]}});
    let auth = [("authorization", "Bearer client-t0ken")];
    let answer = send(
        gw.addr,
        "POST",
        "/p/api/projects/p1/hooks",
        &auth,
        Some(&hook),
    )
    .await;
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    assert_eq!(answer.status, 502, "{text}");
    assert!(
        text.contains("the change was made at upstream up"),
        "{text}"
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_credentials_name_is_read_decoded_before_it_is_cut_at_a_separator() {
    // A vendor whose credential is a token and a key in the query, both hookgate's at the
    // upstream. A client's parameter that a parser decoding before it splits would read as
    // either never reaches the vendor: held back where its name begins with it, refused where
    // it comes after a separator within a pair, as sent or percent-encoded.
    let vendor = Double::answering(|_| Reply::json(200, json!([]))).await;
    let scratch = tempfile::tempdir().unwrap();
    let token = support::secret_file(scratch.path(), "t", "own-token-123");
    let key = support::secret_file(scratch.path(), "k", "own-key-456");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dialects");
    let gw = gateway(&format!(
        "mappings_dir = {dir:?}\n[upstreams.up]\ndialect = \"cork\"\nbase_url = {:?}\n\
         auth = {{ type = \"query\", name = \"token\", token_file = {token:?}, \
         also = [{{ type = \"query\", name = \"key\", token_file = {key:?} }}] }}\nretries = 0\n\
         [surfaces.p]\ndialect = \"cork\"\nupstream = \"up\"\nprefix = \"/p\"\n",
        vendor.url()
    ))
    .await;
    let list = "/p/1/tokens/tok1/webhooks?token=tok1&key=k1";
    for extra in [
        "token%3B=EVIL",
        "token%3b=EVIL",
        "token%3Bx=EVIL",
        "TOKEN%3B=EVIL",
        "k%65y%3B=EVIL",
        "key%3D=EVIL",
        "token%3D%3DEVIL",
        "%20token%3B%5B%5D=EVIL",
        "token%26x=EVIL",
    ] {
        let before = vendor.seen().len();
        let answer = send(gw.addr, "GET", &format!("{list}&{extra}"), &[], None).await;
        assert_eq!(answer.status, 200, "{extra}: {:?}", answer.body);
        let sent = vendor.seen()[before].path.clone();
        assert!(!sent.contains("EVIL"), "{extra}: {sent}");
        assert_eq!(sent.matches("token=").count(), 1, "{extra}: {sent}");
        assert!(sent.contains("token=own-token-123"), "{extra}: {sent}");
        assert!(sent.contains("key=own-key-456"), "{extra}: {sent}");
    }
    for extra in [
        "x=1%3Btoken%3DEVIL",
        "x=1%3bKEY%3dEVIL",
        "x%3Btoken=EVIL",
        "x=a%26token%3DEVIL",
        "x=1;to%6Ben=EVIL",
        "x=1%3B%20key%5B%5D=EVIL",
    ] {
        let before = vendor.seen().len();
        let answer = send(gw.addr, "GET", &format!("{list}&{extra}"), &[], None).await;
        let said = String::from_utf8_lossy(&answer.body).into_owned();
        assert!(matches!(answer.status, 400 | 422), "{extra}: {said}");
        assert!(said.contains("credential"), "{extra}: {said}");
        assert_eq!(vendor.seen().len(), before, "{extra}: nothing was sent");
    }
    // A separator, as sent or encoded, before no credential's name goes on as it came.
    for extra in ["x=a%3Bb", "x=a%26b%3Dc", "note%3Bkeys=1", "x=tokens%3B"] {
        let before = vendor.seen().len();
        let answer = send(gw.addr, "GET", &format!("{list}&{extra}"), &[], None).await;
        assert_eq!(answer.status, 200, "{extra}: {:?}", answer.body);
        let sent = vendor.seen()[before].path.clone();
        assert!(
            sent.split(['?', '&']).any(|p| p == extra),
            "{extra}: {sent}"
        );
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_relayed_page_is_renamed_where_it_lies_whatever_else_it_holds() {
    // A list whose items may also be the whole answer (Chirp's `accept = ["$"]`), a page URL
    // without its scheme, at another scheme, or with a segment percent-encoded, in a body
    // written with `\/` beside numbers no parser keeps: each page is named here, every other
    // byte is the vendor's.
    let vendor = Double::answering(|seen| {
        let host = seen.headers["host"].to_str().unwrap().to_owned();
        let body = format!(
            r#"{{"webhooks":[],"totalCount":0,"big":123456789012345678901234567890,"e":1E2,"links":{{"prev":"http:\/\/{host}\/v1\/organization\/apps\/app_1\/webhooks?page=0","first":"/v1/organization/apps/app_1/webhooks?page=1","bare":"//{host}/v1/organization/apps/app_1/%77ebhooks?page=2","tls":"https://{host}/v1/organization/apps/app_1/webhooks?page=3"}}}}"#
        );
        Reply::Raw {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body,
        }
    })
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.up]\ndialect = \"chirp\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\nretries = 0\n\
         [surfaces.c]\ndialect = \"chirp\"\nupstream = \"up\"\nprefix = \"/c\"\n",
        support::MAPPINGS,
        vendor.url()
    ))
    .await;
    let path = "/c/v1/organization/apps/app_1/webhooks";
    let answer = send(gw.addr, "GET", path, &[("authorization", "Bearer t")], None).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    assert!(
        text.contains(r#""big":123456789012345678901234567890,"e":1E2,"#),
        "{text}"
    );
    let here = format!("http://{}{path}", gw.addr);
    let links = &answer.json()["links"];
    for (member, page) in [("prev", 0), ("first", 1), ("bare", 2), ("tls", 3)] {
        assert_eq!(
            links[member],
            format!("{here}?page={page}"),
            "{member}: {text}"
        );
    }
    gw.stop().await;
}
