//! The canonical API over an emulated Svix: a whole lifecycle through sub-resources and
//! composed calls (headers kept at their own path, a secret minted and rotated, shown once each
//! time), and paging that ends where Svix says it is done, without asking for an empty page.

mod support;

use serde_json::{Value, json};
use support::{gateway, send};

const DIALECT: &str = "svix";

#[tokio::test]
async fn a_whole_lifecycle_over_an_emulated_svix() {
    let gw = gateway(&format!(
        "[upstreams.vendor]\ndialect = \"{DIALECT}\"\nemulate = true\n"
    ))
    .await;
    let base = "/v1/upstreams/vendor/owners/app_lifecycle/webhooks";
    let body = json!({"url": "https://example.com/hook", "events": ["user.signup"],
        "description": "Orders", "headers": {"X-Env": "prod", "X-Team": "a"},
        "extensions": {"uid": "orders", "metadata": {"team": "a"}}});
    let created = send(gw.addr, "POST", base, &[], Some(&body)).await;
    assert_eq!(created.status, 201, "{}", created.json());
    let c = created.json();
    let id = c["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("ep_"), "{c}");
    let minted = c["secret"]
        .as_str()
        .expect("a minted secret is shown once")
        .to_owned();
    assert!(minted.starts_with("whsec_"), "{c}");
    assert_eq!(c["headers"], json!({"X-Env": "prod", "X-Team": "a"}));
    assert_eq!(c["extensions"]["uid"], "orders");

    // Read back: the headers come from their own resource; the secret is not shown again.
    let got = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None)
        .await
        .json();
    assert_eq!(
        got["headers"],
        json!({"X-Env": "prod", "X-Team": "a"}),
        "{got}"
    );
    assert!(got.get("secret").is_none(), "{got}");
    assert_eq!(got["description"], "Orders");
    // Svix also takes the uid where it takes the id.
    let by_uid = send(gw.addr, "GET", &format!("{base}/orders"), &[], None).await;
    assert_eq!(by_uid.json()["id"], id.as_str());

    // A merge patch: one header removed, one added, the others kept; the endpoint's own
    // members changed in the same request.
    let patch = json!({"headers": {"X-Team": null, "X-New": "1"}, "description": "Orders v2",
        "extensions": {"metadata": {"stage": "b"}}});
    let patched = send(gw.addr, "PATCH", &format!("{base}/{id}"), &[], Some(&patch)).await;
    assert_eq!(patched.status, 200, "{}", patched.json());
    let p = patched.json();
    assert_eq!(p["headers"], json!({"X-Env": "prod", "X-New": "1"}), "{p}");
    assert_eq!(p["description"], "Orders v2");
    assert_eq!(
        p["extensions"]["metadata"],
        json!({"team": "a", "stage": "b"})
    );
    assert_eq!(
        p["events"],
        json!(["user.signup"]),
        "members not named stay"
    );

    // Every event type: events cleared.
    let all = send(
        gw.addr,
        "PATCH",
        &format!("{base}/{id}"),
        &[],
        Some(&json!({"events": null})),
    )
    .await;
    assert!(all.json().get("events").is_none(), "{}", all.json());

    // Rotation: a new secret, shown once, in the answer that rotated it.
    let rotated = send(
        gw.addr,
        "POST",
        &format!("{base}/{id}/rotate-secret"),
        &[],
        None,
    )
    .await;
    assert_eq!(rotated.status, 200, "{}", rotated.json());
    let r = rotated.json();
    let new = r["secret"].as_str().unwrap();
    assert!(new.starts_with("whsec_") && new != minted, "{r}");
    assert_eq!(r["headers"], json!({"X-Env": "prod", "X-New": "1"}), "{r}");
    let after = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None)
        .await
        .json();
    assert!(after.get("secret").is_none());

    // A test event of the endpoint's first event type.
    let events = send(
        gw.addr,
        "PATCH",
        &format!("{base}/{id}"),
        &[],
        Some(&json!({"events": ["invoice.paid"]})),
    )
    .await;
    assert_eq!(events.status, 200);
    let tested = send(gw.addr, "POST", &format!("{base}/{id}/test"), &[], None).await;
    assert_eq!(tested.status, 200, "{}", tested.json());
    assert_eq!(tested.json()["event_type"], "invoice.paid");

    // Paging: five endpoints, pages of two, to the page Svix says is the last, no further.
    for n in 0..4 {
        let more = json!({"url": format!("https://example.com/hook/{n}")});
        assert_eq!(
            send(gw.addr, "POST", base, &[], Some(&more)).await.status,
            201
        );
    }
    let mut cursor: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let path = match &cursor {
            Some(c) => format!("{base}?limit=2&cursor={c}"),
            None => format!("{base}?limit=2"),
        };
        let page = send(gw.addr, "GET", &path, &[], None).await.json();
        pages.push(page["data"].as_array().unwrap().len());
        match &page["next_cursor"] {
            Value::String(c) => cursor = Some(c.clone()),
            _ => break,
        }
        assert!(pages.len() < 10, "paging never ended");
    }
    assert_eq!(pages, [2, 2, 1]);

    let deleted = send(gw.addr, "DELETE", &format!("{base}/{id}"), &[], None).await;
    assert_eq!(deleted.status, 204);
    let gone = send(gw.addr, "GET", &format!("{base}/{id}"), &[], None).await;
    assert_eq!(gone.status, 404);
    gw.stop().await;
}
