//! A vendor's `created_at` and `updated_at` are RFC 3339 in UTC canonically, whatever offset
//! the vendor wrote them with: the same instant, its fractional seconds as given. A time that
//! is no RFC 3339 date-time (no zone, a date alone, words, a number) is refused by name, as
//! any value its field cannot be, never given a zone. A surface writes the times as its vendor
//! does: six fractional digits where its emulator's `timestamps` says so, Unix seconds where
//! its codec does, and the vendor's own format (`codec = { time = "…" }`) in UTC where it
//! has one; a time that format does not read is refused by name too. A time finer than the
//! surface's vendor keeps is shown cut to its unit (floored), as that vendor's own API shows
//! it; a client's time finer than the vendor keeps, sent to it, is refused by name.

mod support;

use serde_json::{Value, json};
use support::{Double, Reply, gateway, send};

const OWNER: &str = "550e8400-e29b-41d4-a716-446655440000";

/// A gateway with upstream `c` of `dialect` in front of `double`, and a surface of `surface`
/// in front of it under `/s`.
async fn gateway_over(
    dialect: &str,
    surface: &str,
    double: &Double,
    dir: &str,
) -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {dir:?}\n[upstreams.c]\ndialect = \"{dialect}\"\nbase_url = {:?}\n\
         auth = {{ type = \"none\" }}\nretries = 0\n[url_policy]\nallow_private = true\n\
         [surfaces.s]\ndialect = \"{surface}\"\nupstream = \"c\"\nprefix = \"/s\"\n",
        double.url()
    ))
    .await
}

/// The shipped mapping files.
fn shipped() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/mappings").to_owned()
}

/// A Chirp webhook as its API answers one, created at `created` and updated at `updated`.
fn chirp(created: Value, updated: Value) -> Value {
    json!({"id": "whk_1", "appId": OWNER, "url": "https://example.com/h",
        "events": ["MESSAGE_CREATED"], "createdAt": created, "updatedAt": updated})
}

/// Times a vendor writes, each with the canonical time it is and the time a vendor that
/// writes microseconds (Talkover) shows it as.
const READ: &[(&str, &str, &str)] = &[
    (
        "2025-09-03T16:19:51-07:00",
        "2025-09-03T23:19:51Z",
        "2025-09-03T23:19:51.000000Z",
    ),
    (
        "2025-09-04T01:49:51+02:30",
        "2025-09-03T23:19:51Z",
        "2025-09-03T23:19:51.000000Z",
    ),
    (
        "2025-09-03T16:19:51.25-07:00",
        "2025-09-03T23:19:51.25Z",
        "2025-09-03T23:19:51.250000Z",
    ),
    (
        "2025-09-03T23:19:51.123456789+00:00",
        "2025-09-03T23:19:51.123456789Z",
        "2025-09-03T23:19:51.123456789Z",
    ),
    (
        "2025-09-03t23:19:51z",
        "2025-09-03T23:19:51Z",
        "2025-09-03T23:19:51.000000Z",
    ),
    (
        "2025-09-03 23:19:51Z",
        "2025-09-03T23:19:51Z",
        "2025-09-03T23:19:51.000000Z",
    ),
    (
        "2025-12-31T23:30:00-01:00",
        "2026-01-01T00:30:00Z",
        "2026-01-01T00:30:00.000000Z",
    ),
    (
        "2025-09-03T23:19:51Z",
        "2025-09-03T23:19:51Z",
        "2025-09-03T23:19:51.000000Z",
    ),
];

#[tokio::test]
async fn a_vendor_time_with_an_offset_is_the_same_instant_in_utc() {
    // Each time: a read, a list, and a Talkover surface's list, which writes microseconds.
    let script = READ
        .iter()
        .flat_map(|(sent, _, _)| {
            let webhook = chirp(json!(sent), json!(sent));
            [
                Reply::json(200, webhook.clone()),
                Reply::json(200, json!({"webhooks": [webhook.clone()], "totalCount": 1})),
                Reply::json(200, json!({"webhooks": [webhook], "totalCount": 1})),
            ]
        })
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("chirp", "talkover", &double, &shipped()).await;
    let base = format!("/v1/upstreams/c/owners/{OWNER}/webhooks");
    for (sent, utc, micros) in READ {
        let read = send(gw.addr, "GET", &format!("{base}/whk_1"), &[], None).await;
        let webhook = read.json();
        assert_eq!(read.status, 200, "{sent}: {webhook}");
        assert_eq!(
            (&webhook["created_at"], &webhook["updated_at"]),
            (&json!(utc), &json!(utc)),
            "{sent}"
        );
        let list = send(gw.addr, "GET", &base, &[], None).await;
        let page = list.json();
        assert_eq!(list.status, 200, "{sent}: {page}");
        assert_eq!(page["data"][0]["created_at"], json!(utc), "{sent}: {page}");
        assert_eq!(page["data"][0]["updated_at"], json!(utc), "{sent}: {page}");
        let path = format!("/s/api/v1/agents/{OWNER}/webhooks");
        let shown = send(
            gw.addr,
            "GET",
            &path,
            &[("authorization", "Bearer t")],
            None,
        )
        .await;
        let body = shown.json();
        assert_eq!(shown.status, 200, "{sent}: {body}");
        assert_eq!(
            body["data"]["webhooks"][0]["created_at"],
            json!(micros),
            "{sent}: {body}"
        );
        assert_eq!(
            body["data"]["webhooks"][0]["updated_at"],
            json!(micros),
            "{sent}: {body}"
        );
    }
    gw.stop().await;
}

/// Times that are no RFC 3339 date-time, and how the refusal shows each.
fn unreadable() -> Vec<(Value, &'static str)> {
    vec![
        (json!("2025-09-03 23:19:51"), r#""2025-09-03 23:19:51""#),
        (json!("2025-09-03T23:19:51"), r#""2025-09-03T23:19:51""#),
        (json!("2025-09-03T23:19:51.5"), r#""2025-09-03T23:19:51.5""#),
        (json!("2025-09-03"), r#""2025-09-03""#),
        (
            json!("2025-09-03T23:19:51+0700"),
            r#""2025-09-03T23:19:51+0700""#,
        ),
        (json!("yesterday"), r#""yesterday""#),
        (json!(""), r#""""#),
        (json!("1756941591"), r#""1756941591""#),
    ]
}

#[tokio::test]
async fn a_vendor_time_that_is_no_rfc_3339_date_time_is_refused_by_name() {
    let cases = unreadable();
    let script = cases
        .iter()
        .flat_map(|(sent, _)| {
            let good = json!("2025-09-03T23:19:51Z");
            [
                Reply::json(200, chirp(sent.clone(), good.clone())),
                Reply::json(200, chirp(good.clone(), sent.clone())),
                Reply::json(200, json!({"webhooks": [chirp(good.clone(), good), chirp(sent.clone(), sent.clone())], "totalCount": 2})),
            ]
        })
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("chirp", "talkover", &double, &shipped()).await;
    let base = format!("/v1/upstreams/c/owners/{OWNER}/webhooks");
    for (sent, shown) in &cases {
        for (path, field) in [
            (format!("{base}/whk_1"), "created_at"),
            (format!("{base}/whk_1"), "updated_at"),
            (base.clone(), "created_at"),
        ] {
            let detail = upstream_error_detail(gw.addr, &path, sent, field).await;
            let expected = format!("`{field}` is {shown}, which is not an RFC 3339 date-time");
            assert!(detail.contains(&expected), "{sent}: {detail}");
        }
    }
    gw.stop().await;
}

#[tokio::test]
async fn epoch_seconds_where_the_vendor_writes_rfc_3339_are_refused_by_name() {
    // Chirp writes its times as RFC 3339 (its emulator's `timestamps` is whole seconds):
    // a number there is no time of it.
    let double = Double::start(vec![Reply::json(
        200,
        chirp(json!(1756941591), json!("2025-09-03T23:19:51Z")),
    )])
    .await;
    let gw = gateway_over("chirp", "talkover", &double, &shipped()).await;
    let path = format!("/v1/upstreams/c/owners/{OWNER}/webhooks/whk_1");
    let answer = send(gw.addr, "GET", &path, &[], None).await;
    let problem = answer.json();
    assert_eq!(answer.status, 502, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("`created_at` is 1756941591, which is not an RFC 3339 date-time"),
        "{detail}"
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_surface_writing_unix_seconds_shows_a_time_read_with_an_offset() {
    // Ledger writes `created` as Unix seconds; Desk, behind it, answers RFC 3339 with offsets.
    let times = [
        ("2025-09-03T16:19:51-07:00", 1_756_941_591),
        ("2025-09-04T01:49:51+02:30", 1_756_941_591),
        ("2025-09-03 23:19:51z", 1_756_941_591),
    ];
    ledger_shows_desk_times(&times).await;
}

/// A Ledger surface in front of Desk, which answers a webhook created at each of `times` in
/// turn: each read shows it as the Unix seconds beside it.
async fn ledger_shows_desk_times(times: &[(&str, i64)]) {
    let script = times
        .iter()
        .map(|(sent, _)| {
            Reply::json(200, json!({"data": {"gid": "wh_1", "workspace": "ws1", "target": "https://example.com/hook",
                "filters": ["task.added"], "active": true, "created_at": sent}}))
        })
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("desk", "ledger", &double, support::TEST_DIALECTS).await;
    for (sent, seconds) in times {
        let path = "/s/v1/accounts/ws1/webhook_endpoints/wh_1";
        let answer = send(gw.addr, "GET", path, &[("authorization", "Bearer t")], None).await;
        let body = answer.json();
        assert_eq!(answer.status, 200, "{sent}: {body}");
        assert_eq!(body["created"], json!(seconds), "{sent}: {body}");
    }
    gw.stop().await;
}

/// How Quad (`tests/dialects/square.toml`) writes its times: Square's own format.
const QUAD_TIME: &str =
    "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute] UTC";

/// The canonical path of the subscription [`quad`] answers, at upstream `c`.
const QUAD_ONE: &str = "/v1/upstreams/c/webhooks/wbhk_b35f6b3145074cf9ad513610786c19d5";

/// A Quad subscription as its API answers one, created at `created` and updated at `updated`.
fn quad(created: &str, updated: &str) -> Value {
    json!({"subscription": {"id": "wbhk_b35f6b3145074cf9ad513610786c19d5",
        "notification_url": "https://example.com/h", "event_types": ["payment.created"],
        "enabled": true, "created_at": created, "updated_at": updated}})
}

#[tokio::test]
async fn a_time_in_the_vendors_own_format_is_read_in_utc() {
    let times = [
        ("2022-01-10 23:29:48 +0000 UTC", "2022-01-10T23:29:48Z"),
        ("2022-01-10 18:29:48 -0500 UTC", "2022-01-10T23:29:48Z"),
        ("2022-01-11 01:59:48 +0230 UTC", "2022-01-10T23:29:48Z"),
        ("2021-12-31 23:30:00 -0100 UTC", "2022-01-01T00:30:00Z"),
    ];
    quad_reads_in_utc(support::TEST_DIALECTS, &times).await;
}

#[tokio::test]
async fn a_surface_writes_a_time_in_its_vendors_own_format_in_utc() {
    // Shop, behind a Quad surface, answers RFC 3339 with offsets; Quad writes its own format.
    let times = [
        ("2024-01-02T08:59:06-05:00", "2024-01-02 13:59:06 +0000 UTC"),
        ("2024-01-02T16:29:06+02:30", "2024-01-02 13:59:06 +0000 UTC"),
        ("2024-01-02T13:59:06Z", "2024-01-02 13:59:06 +0000 UTC"),
        ("2023-12-31T23:30:00-01:00", "2024-01-01 00:30:00 +0000 UTC"),
    ];
    quad_shows_shop_times(support::TEST_DIALECTS, &times).await;
}

#[tokio::test]
async fn an_emulator_writes_its_times_in_the_vendors_own_format() {
    // The emulator keeps canonical times and answers them in Quad's format; the gateway reads
    // them back as RFC 3339 in UTC.
    let gw = support::gateway_emulating(support::TEST_DIALECTS, "square").await;
    let webhook = webhook_made_at_quad_emulator(gw.addr).await;
    for field in ["created_at", "updated_at"] {
        let text = webhook[field].as_str().unwrap_or_default();
        assert!(
            text.len() == 20 && text.as_bytes()[10] == b'T' && text.ends_with('Z'),
            "{field}: {webhook}"
        );
    }
    gw.stop().await;
}

#[tokio::test]
async fn a_time_the_vendors_format_does_not_read_is_refused_by_name() {
    let unreadable = [
        "2022-01-10T23:29:48Z",
        "2022-01-10 23:29:48 UTC",
        "2022-01-10 23:29:48 +0000",
        "2022-01-10 23:29:48 0000 UTC",
        "yesterday",
        "",
    ];
    let good = "2022-01-10 23:29:48 +0000 UTC";
    let script = unreadable
        .iter()
        .flat_map(|sent| {
            [
                Reply::json(200, quad(sent, good)),
                Reply::json(200, quad(good, sent)),
            ]
        })
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("square", "square", &double, support::TEST_DIALECTS).await;
    for sent in unreadable {
        for field in ["created_at", "updated_at"] {
            let detail = upstream_error_detail(gw.addr, QUAD_ONE, sent, field).await;
            assert!(detail.contains(&format!("`{field}`")), "{sent}: {detail}");
            assert!(
                detail.contains(&format!("which is not a time written `{QUAD_TIME}`")),
                "{sent}: {detail}"
            );
        }
    }
    gw.stop().await;
}

#[test]
fn a_time_format_that_names_no_instant_is_refused_when_the_file_loads() {
    let text = std::fs::read_to_string(format!("{}/square.toml", support::TEST_DIALECTS)).unwrap();
    for (format, said) in [
        (
            "[year]-[month]-[day] [hour]:[minute]:[second]",
            "writes no zone",
        ),
        (
            "[year]-[month]-[day] [hour]:[minute]:[second] +0000",
            "writes no zone",
        ),
        (
            "[year]-[month]-[day] UTC",
            "does not write a whole date and time",
        ),
        (
            "[year]-[day] [hour]:[minute]:[second] UTC",
            "does not write a whole date and time",
        ),
        (
            "[hour]:[minute] [offset_hour][offset_minute]",
            "does not write a whole date and time",
        ),
        ("[year]-[month]-[dya] [hour] UTC", "is no time format"),
        ("[year]-[month]-[day", "is no time format"),
    ] {
        created_at_codec_refused(&text, QUAD_TIME, format, said);
    }
    let edited = text.replacen(&format!("time = \"{QUAD_TIME}\""), "time = 3", 1);
    let errors = support::refused_mapping("square", &edited);
    assert!(
        errors.iter().any(|e| e.contains("`time` must be a string")),
        "{errors:?}"
    );
}

/// Quad's format without its zone: how a vendor writes a time whose docs say it is in UTC.
const UNSAID_UTC: &str = "[year]-[month]-[day] [hour]:[minute]:[second]";

/// The edits of Quad's file that make it write its times as `UNSAID_UTC`, named UTC by the
/// file: each of its two times and of its example's two.
fn unsaid_utc() -> Vec<(String, String)> {
    let codec = format!("codec = {{ time = \"{QUAD_TIME}\" }}");
    let unsaid = format!("codec = {{ time = \"{UNSAID_UTC}\", zone = \"UTC\" }}");
    let example = "\"2022-01-10 23:29:48 +0000 UTC\"".to_owned();
    let written = "\"2022-01-10 23:29:48\"".to_owned();
    vec![
        (codec.clone(), unsaid.clone()),
        (codec, unsaid),
        (example.clone(), written.clone()),
        (example, written),
    ]
}

/// The test dialects with Quad writing its times as `UNSAID_UTC`, named UTC by the file.
fn quad_in_unsaid_utc() -> tempfile::TempDir {
    let edits = unsaid_utc();
    let edits: Vec<_> = (edits.iter())
        .map(|(from, to)| ("square", from.as_str(), to.as_str()))
        .collect();
    support::dialects_with(&edits)
}

#[tokio::test]
async fn a_time_whose_zone_the_file_names_is_read_and_written_in_it() {
    let dir = quad_in_unsaid_utc();
    let dir = dir.path().to_str().unwrap().to_owned();
    // Read by the canonical API: the vendor's UTC, said.
    let times = [
        ("2022-01-10 23:29:48", "2022-01-10T23:29:48Z"),
        ("2021-12-31 23:30:00", "2021-12-31T23:30:00Z"),
    ];
    quad_reads_in_utc(&dir, &times).await;
    // A time that says a zone is no time so written.
    let double = Double::start(vec![Reply::json(
        200,
        quad("2022-01-10 23:29:48 +0000 UTC", "2022-01-10 23:29:48"),
    )])
    .await;
    let gw = gateway_over("square", "square", &double, &dir).await;
    let read = send(gw.addr, "GET", QUAD_ONE, &[], None).await;
    assert_eq!(read.status, 502, "{:?}", read.body);
    let detail = read.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        detail.contains(&format!("which is not a time written `{UNSAID_UTC}`")),
        "{detail}"
    );
    gw.stop().await;
    // Written by a surface of it from another vendor's times with offsets: in UTC, unsaid.
    let times = [
        ("2024-01-02T08:59:06-05:00", "2024-01-02 13:59:06"),
        ("2024-01-02T13:59:06Z", "2024-01-02 13:59:06"),
    ];
    quad_shows_shop_times(&dir, &times).await;
    // Its emulator answers in the format, read back whole.
    let gw = support::gateway_emulating(&dir, "square").await;
    let webhook = webhook_made_at_quad_emulator(gw.addr).await;
    let id = webhook["id"].as_str().unwrap();
    let native = send(
        gw.addr,
        "GET",
        &format!("/v1/upstreams/square/webhooks/{id}"),
        &[],
        None,
    )
    .await;
    assert_eq!(
        native.json()["created_at"],
        webhook["created_at"],
        "{webhook}"
    );
    gw.stop().await;
}

#[test]
fn a_zone_is_named_only_where_the_format_writes_none_and_only_as_utc() {
    let text = std::fs::read_to_string(format!("{}/square.toml", support::TEST_DIALECTS)).unwrap();
    let codec = format!("time = \"{QUAD_TIME}\"");
    for (to, said) in [
        (format!("{codec}, zone = \"UTC\""), "writes its zone"),
        (
            "time = \"[year]-[month]-[day]T[hour]:[minute]:[second]Z\", zone = \"UTC\"".to_owned(),
            "writes its zone",
        ),
        (
            format!("time = \"{UNSAID_UTC}\", zone = \"+02:00\""),
            "`zone` must be \"UTC\"",
        ),
        (
            format!("time = \"{UNSAID_UTC}\", zone = \"utc\""),
            "`zone` must be \"UTC\"",
        ),
        (
            format!("time = \"{UNSAID_UTC}\", zone = true"),
            "`zone` must be \"UTC\"",
        ),
        (
            format!("time = \"{UNSAID_UTC}\", zones = \"UTC\""),
            "takes no `zones`",
        ),
        (
            format!("time = \"{UNSAID_UTC}\""),
            "say `zone = \"UTC\"` beside `time`",
        ),
    ] {
        created_at_codec_refused(&text, &codec, &to, said);
    }
}

/// The test dialects with the shipped Talkover beside them (an emulator whose times have
/// microseconds), Ledger given a `description` so that a Ledger client can create there,
/// and each of `edits` made.
fn with_talkover(edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let described = "[fields.description]\npath = \"$.description\"\n\n[fields.created_at]";
    let mut all = vec![("ledger", "[fields.created_at]", described)];
    all.extend_from_slice(edits);
    let dir = support::dialects_with(&all);
    let talkover = format!("{}/talkover.toml", shipped());
    std::fs::copy(talkover, dir.path().join("talkover.toml")).unwrap();
    dir
}

/// A time the emulator's clock gives, with microseconds, and how each surface shows it.
const CLOCK: &str = "2025-09-03T23:19:51.987654Z";
const CLOCK_QUAD: &str = "2025-09-03 23:19:51 +0000 UTC";
const CLOCK_SECONDS: i64 = 1_756_941_591;
const CLOCK_MILLIS: i64 = 1_756_941_591_987;

/// A gateway with an emulated Talkover upstream whose clock stands at [`CLOCK`], and in front
/// of it a Quad surface under `/sq` and a Ledger surface under `/ledger`.
async fn surfaces_over_talkover(dir: &str) -> hookgate::app::Running {
    gateway(&format!(
        "mappings_dir = {dir:?}\n[upstreams.talkemu]\ndialect = \"talkover\"\nemulate = true\n\
         [upstreams.talkemu.emulator]\nclock = \"{CLOCK}\"\n\
         [surfaces.sq]\ndialect = \"square\"\nupstream = \"talkemu\"\nprefix = \"/sq\"\nowner = \"{OWNER}\"\n\
         [surfaces.ledger]\ndialect = \"ledger\"\nupstream = \"talkemu\"\nprefix = \"/ledger\"\n"
    ))
    .await
}

#[tokio::test]
async fn a_surface_in_front_of_an_upstream_with_finer_times_shows_them_cut_to_its_unit() {
    // Quad writes whole seconds in its own format, with its zone or in UTC unsaid.
    let unsaid = unsaid_utc();
    let unsaid: Vec<_> = (unsaid.iter())
        .map(|(from, to)| ("square", from.as_str(), to.as_str()))
        .collect();
    for (dir, quad) in [
        (with_talkover(&[]), CLOCK_QUAD),
        (with_talkover(&unsaid), "2025-09-03 23:19:51"),
    ] {
        let gw = surfaces_over_talkover(dir.path().to_str().unwrap()).await;
        quad_shows_its_times_cut(gw.addr, quad).await;
        ledger_shows_its_times_cut(gw.addr).await;
        gw.stop().await;
    }
}

/// Creates a subscription at the Quad surface under `/sq`, then reads and lists it: each
/// answer shows its times as `quad`.
async fn quad_shows_its_times_cut(addr: std::net::SocketAddr, quad: &str) {
    let auth = [("authorization", "Bearer t")];
    let path = "/sq/v2/webhooks/subscriptions";
    let body = json!({"subscription": {"name": "n", "event_types": ["event_phone_call_started"],
        "notification_url": "https://a.example/h"}});
    let made = send(addr, "POST", path, &auth, Some(&body)).await;
    assert_eq!(made.status, 200, "{:?}", made.body);
    let made = made.json();
    let id = made["subscription"]["id"].as_str().unwrap_or_default();
    let read = send(addr, "GET", &format!("{path}/{id}"), &auth, None).await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    let listed = send(addr, "GET", path, &auth, None).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    let (read, listed) = (read.json(), listed.json());
    for shown in [
        &made["subscription"],
        &read["subscription"],
        &listed["subscriptions"][0],
    ] {
        assert_eq!(shown["created_at"], quad, "{shown}");
        assert_eq!(shown["updated_at"], quad, "{shown}");
    }
    // The canonical API, of the upstream's own times, keeps them whole.
    let canonical = format!("/v1/upstreams/talkemu/owners/{OWNER}/webhooks/{id}");
    let webhook = send(addr, "GET", &canonical, &[], None).await.json();
    assert_eq!(webhook["created_at"], CLOCK, "{webhook}");
}

/// Creates an endpoint at the Ledger surface under `/ledger`, then reads and lists it: each
/// answer shows its times in Unix seconds and milliseconds, each cut to its unit.
async fn ledger_shows_its_times_cut(addr: std::net::SocketAddr) {
    let auth = [("authorization", "Bearer t")];
    let path = format!("/ledger/v1/accounts/{OWNER}/webhook_endpoints");
    let body = json!({"url": "https://a.example/l", "description": "l",
        "enabled_events": "event_phone_call_started"});
    let made = send(addr, "POST", &path, &auth, Some(&body)).await;
    assert_eq!(made.status, 200, "{:?}", made.body);
    let made = made.json();
    let id = made["id"].as_str().unwrap_or_default();
    let read = send(addr, "GET", &format!("{path}/{id}"), &auth, None).await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    let listed = send(addr, "GET", &path, &auth, None).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    let (read, listed) = (read.json(), listed.json());
    let listed = listed["data"].as_array().cloned().unwrap_or_default();
    let listed = listed.iter().find(|w| w["id"] == id);
    let listed = listed.unwrap_or_else(|| panic!("{id} not listed"));
    for shown in [&made, &read, listed] {
        assert_eq!(shown["created"], CLOCK_SECONDS, "{shown}");
        assert_eq!(shown["updated_ms"], CLOCK_MILLIS, "{shown}");
    }
}

/// Times a vendor behind writes finer than a second, with the instant each is cut to: as
/// Quad writes it, and in Unix seconds.
const FINER: &[(&str, &str, i64)] = &[
    (
        "2024-01-02T13:59:06.5Z",
        "2024-01-02 13:59:06 +0000 UTC",
        1_704_203_946,
    ),
    (
        "2024-01-02T08:59:06.999-05:00",
        "2024-01-02 13:59:06 +0000 UTC",
        1_704_203_946,
    ),
    (
        "2024-01-02T16:29:06.000001+02:30",
        "2024-01-02 13:59:06 +0000 UTC",
        1_704_203_946,
    ),
    (
        "2024-01-02 13:59:06.123456789z",
        "2024-01-02 13:59:06 +0000 UTC",
        1_704_203_946,
    ),
    (
        "2024-01-01T00:00:00.9+00:00",
        "2024-01-01 00:00:00 +0000 UTC",
        1_704_067_200,
    ),
    (
        "1969-12-31T23:59:59.5Z",
        "1969-12-31 23:59:59 +0000 UTC",
        -1,
    ),
];

#[tokio::test]
async fn a_surface_cuts_each_spelling_of_a_finer_time_to_its_unit() {
    // Shop, behind a Quad surface, answers a list; Desk, behind a Ledger surface, a webhook.
    let sent: Vec<(&str, &str)> = FINER.iter().map(|(sent, at, _)| (*sent, *at)).collect();
    quad_shows_shop_times(support::TEST_DIALECTS, &sent).await;
    let seconds: Vec<(&str, i64)> = FINER.iter().map(|(sent, _, at)| (*sent, *at)).collect();
    ledger_shows_desk_times(&seconds).await;
}

/// A writable vendor time (an expiry a client chooses), kept by `codec`.
fn expiry(codec: &str) -> String {
    format!(
        "[fields.\"extensions.expires_at\"]\npath = \"$.expires_at\"\ncodec = {codec}\n\n[fields.created_at]"
    )
}

#[tokio::test]
async fn a_time_sent_finer_than_the_vendor_keeps_is_refused_by_name() {
    let quad_codec = format!("{{ time = \"{QUAD_TIME}\" }}");
    let dir = support::dialects_with(&[
        ("ledger", "[fields.created_at]", &expiry("\"unix_seconds\"")),
        ("square", "[fields.created_at]", &expiry(&quad_codec)),
    ]);
    let dir = dir.path().to_str().unwrap().to_owned();
    let finer = [
        "2024-01-02T13:59:06.5Z",
        "2024-01-02T13:59:06.123Z",
        "2024-01-02T08:59:06.999999-05:00",
        "2024-01-02T16:29:06.000000001+02:30",
    ];
    for (dialect, base, body, whole) in [
        (
            "ledger",
            "/v1/upstreams/c/owners/acct_1/webhooks",
            json!({"url": "https://example.com/h", "events": ["a.b"]}),
            json!(1_704_203_946),
        ),
        (
            "square",
            "/v1/upstreams/c/webhooks",
            json!({"url": "https://example.com/h", "events": ["payment.created"]}),
            json!("2024-01-02 13:59:06 +0000 UTC"),
        ),
    ] {
        let double = Double::start(vec![Reply::json(500, json!({})); 4]).await;
        let gw = gateway_over(dialect, dialect, &double, &dir).await;
        for time in finer {
            let mut body = body.clone();
            body["extensions"] = json!({"expires_at": time});
            let refused = send(gw.addr, "POST", base, &[], Some(&body)).await;
            let problem = refused.json();
            assert_eq!(refused.status, 422, "{dialect} {time}: {problem}");
            assert_eq!(problem["code"], "validation_failed", "{time}: {problem}");
            let error = &problem["errors"][0];
            assert_eq!(error["field"], "extensions.expires_at", "{time}: {problem}");
            let message = error["message"].as_str().unwrap_or_default();
            assert!(
                message.contains("whole number of seconds") || message.contains("writes whole"),
                "{dialect} {time}: {message}"
            );
        }
        assert!(double.seen().is_empty(), "{dialect}: {:?}", double.seen());
        // A time the vendor keeps whole, however written, is sent as it is.
        for time in ["2024-01-02T13:59:06Z", "2024-01-02T08:59:06.000-05:00"] {
            let mut body = body.clone();
            body["extensions"] = json!({"expires_at": time});
            send(gw.addr, "POST", base, &[], Some(&body)).await;
        }
        let seen = double.seen();
        assert_eq!(seen.len(), 2, "{dialect}");
        for sent in seen {
            let sent = sent.json().unwrap_or_default();
            let expires = sent
                .pointer("/expires_at")
                .or(sent.pointer("/subscription/expires_at"));
            assert_eq!(expires, Some(&whole), "{dialect}: {sent}");
        }
        gw.stop().await;
    }
}

/// Shop's answers to a list of one webhook, one for each of `times`, its times the first of
/// each pair.
fn shop_lists(times: &[(&str, &str)]) -> Vec<Reply> {
    let list = |sent: &str| {
        json!({"webhooks": [{"id": 4759306, "address": "https://example.com/h",
            "topic": "orders/create", "format": "json", "created_at": sent, "updated_at": sent}]})
    };
    times
        .iter()
        .map(|(sent, _)| Reply::json(200, list(sent)))
        .collect()
}

/// A gateway in front of Quad, from the mapping files of `dir`, whose reads answer a
/// subscription created and updated at each of `times` in turn: each read shows both as the
/// UTC time beside it.
async fn quad_reads_in_utc(dir: &str, times: &[(&str, &str)]) {
    let script = times
        .iter()
        .map(|(sent, _)| Reply::json(200, quad(sent, sent)))
        .collect();
    let double = Double::start(script).await;
    let gw = gateway_over("square", "square", &double, dir).await;
    for (sent, utc) in times {
        let read = send(gw.addr, "GET", QUAD_ONE, &[], None).await;
        let webhook = read.json();
        assert_eq!(read.status, 200, "{sent}: {webhook}");
        assert_eq!(webhook["created_at"], json!(utc), "{sent}: {webhook}");
        assert_eq!(webhook["updated_at"], json!(utc), "{sent}: {webhook}");
    }
    gw.stop().await;
}

/// A Quad surface, from the mapping files of `dir`, in front of Shop, whose lists answer a
/// webhook created and updated at each of `times` in turn: each list shows both as the time
/// beside it.
async fn quad_shows_shop_times(dir: &str, times: &[(&str, &str)]) {
    let double = Double::start(shop_lists(times)).await;
    let gw = gateway_over("shop", "square", &double, dir).await;
    for (sent, written) in times {
        let path = "/s/v2/webhooks/subscriptions";
        let shown = send(gw.addr, "GET", path, &[("authorization", "Bearer t")], None).await;
        let body = shown.json();
        assert_eq!(shown.status, 200, "{sent}: {body}");
        let item = &body["subscriptions"][0];
        assert_eq!(item["created_at"], json!(written), "{sent}: {body}");
        assert_eq!(item["updated_at"], json!(written), "{sent}: {body}");
    }
    gw.stop().await;
}

/// Creates a webhook on the canonical API at the emulated Quad upstream `square` of the
/// gateway at `addr`: the webhook made, its answer checked to be 201.
async fn webhook_made_at_quad_emulator(addr: std::net::SocketAddr) -> Value {
    let body = json!({"url": "https://example.com/h", "events": ["payment.created"]});
    let made = send(
        addr,
        "POST",
        "/v1/upstreams/square/webhooks",
        &[],
        Some(&body),
    )
    .await;
    let webhook = made.json();
    assert_eq!(made.status, 201, "{webhook}");
    webhook
}

/// Quad's file `text` with its first `from` made `to` is refused, an error of its
/// `fields.created_at.codec` saying `said`.
fn created_at_codec_refused(text: &str, from: &str, to: &str, said: &str) {
    let edited = text.replacen(from, to, 1);
    assert_ne!(edited, text);
    let errors = support::refused_mapping("square", &edited);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("fields.created_at.codec") && e.contains(said)),
        "{to}: {errors:?}"
    );
}

/// Reads `path` on the canonical API, whose vendor answered `field` as `sent`: the answer is
/// the vendor's error (502, `upstream_error`), and its detail is returned.
async fn upstream_error_detail(
    addr: std::net::SocketAddr,
    path: &str,
    sent: impl std::fmt::Display,
    field: &str,
) -> String {
    let answer = send(addr, "GET", path, &[], None).await;
    let problem = answer.json();
    assert_eq!(answer.status, 502, "{sent} {field}: {problem}");
    assert_eq!(problem["code"], "upstream_error", "{sent}: {problem}");
    problem["detail"].as_str().unwrap().to_owned()
}
