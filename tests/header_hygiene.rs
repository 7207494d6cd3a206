//! Headers cross hookgate by allow-list only: hop-by-hop headers, headers named in
//! `Connection` and any other header of the client or the vendor stay on their own hop.

mod support;

use serde_json::json;
use support::{Double, Reply, gateway, send};

#[tokio::test]
async fn hop_by_hop_and_unlisted_headers_stay_on_their_hop() {
    let vendor_headers = vec![
        ("connection".to_owned(), "close, x-vendor-hop".to_owned()),
        ("x-vendor-hop".to_owned(), "1".to_owned()),
        ("keep-alive".to_owned(), "timeout=5".to_owned()),
        ("upgrade".to_owned(), "h2c".to_owned()),
        ("set-cookie".to_owned(), "session=vendor".to_owned()),
        ("x-vendor-internal".to_owned(), "db-7".to_owned()),
        ("retry-after".to_owned(), "7".to_owned()),
    ];
    let body = json!({"success": false, "message": "Too many requests. Please try again later."});
    let double = Double::start(vec![Reply::Json {
        status: 429,
        headers: vendor_headers,
        body,
    }])
    .await;
    let gw = gateway(&format!(
        "[upstreams.v]\ndialect = \"talkover\"\nbase_url = \"{}\"\nauth = {{ type = \"none\" }}\nretries = 0\n",
        double.url()
    ))
    .await;
    let answer = send(
        gw.addr,
        "GET",
        "/v1/upstreams/v/owners/550e8400-e29b-41d4-a716-446655440000/webhooks/0199a1b2-0000-7000-8000-000000000001",
        &[
            ("connection", "keep-alive, x-client-hop"),
            ("x-client-hop", "1"),
            ("keep-alive", "timeout=5"),
            ("te", "trailers"),
            ("proxy-authorization", "Basic c2VjcmV0"),
            ("cookie", "session=client"),
            ("x-client-internal", "1"),
        ],
        None,
    )
    .await;
    gw.stop().await;
    let seen = &double.seen()[0];
    for name in [
        "x-client-hop",
        "keep-alive",
        "te",
        "proxy-authorization",
        "cookie",
        "x-client-internal",
        "authorization",
    ] {
        assert!(
            !seen.headers.contains_key(name),
            "{name} reached the vendor"
        );
    }
    assert_eq!(answer.status, 429);
    assert_eq!(
        answer.header("retry-after"),
        Some("7"),
        "Retry-After is passed on"
    );
    for name in [
        "x-vendor-hop",
        "keep-alive",
        "upgrade",
        "set-cookie",
        "x-vendor-internal",
    ] {
        assert!(
            !answer.headers.contains_key(name),
            "{name} reached the client"
        );
    }
}
