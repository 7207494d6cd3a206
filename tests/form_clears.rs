//! An empty value in a client's form is the clear a form spells it as (`metadata[team]=`,
//! `description=`), at the emulator and the surfaces of a vendor that takes forms: a map's key
//! given empty is removed, a label the vendor clears as `""` is cleared, and a member that
//! cannot be cleared (the URL, an item of the event list) is refused by name, as the vendor
//! refuses it. Fixtures: a test-local "Levy", spelt as Stripe's webhook endpoints are (forms,
//! metadata merged key by key), and the same vendor taking JSON, behind Levy's surface.

mod support;

use hookgate::app::Running;
use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{gateway, ok, send, send_raw};

/// Levy: requests are forms, metadata a map of strings of its own, the description a label
/// cleared as `""`, an update a POST that merges what it is sent (metadata key by key).
const LEVY: &str = r#"
[dialect]
title = "Levy webhook endpoints"
base_path = "/v1"
request_body = "form"

[emulator]
id = "prefix:we_"

[fields.id]
path = "$.id"
in = ["response"]

[fields.url]
path = "$.url"
required = true

[fields.events]
path = "$.enabled_events"
required = true
min_items = 1

[fields.description]
path = "$.description"
codec = "empty_is_null"
type = "string"
max_length = 40

[fields."extensions.metadata"]
path = "$.metadata"
type = "object"
values = "string"

[operations.list]
method = "GET"
path = "/webhook_endpoints"
response = { data = "{{items}}" }

[operations.get]
method = "GET"
path = "/webhook_endpoints/{id}"
response = "{{webhook}}"

[operations.create]
method = "POST"
path = "/webhook_endpoints"
body = "{{webhook}}"
response = "{{webhook}}"

[operations.update]
method = "POST"
path = "/webhook_endpoints/{id}"
body = "{{webhook}}"
strategy = "merge_patch"
response = "{{webhook}}"

[operations.delete]
method = "DELETE"
path = "/webhook_endpoints/{id}"
response = { id = "{{webhook.id}}", deleted = true }

[errors]
message = ["$.error.message"]
field_errors = [{ path = "$.error.param", form = "param" }]

[errors.render.validation_failed]
status = 400
body = { error = { type = "invalid_request_error", message = "{{message}}", param = "{{field}}" } }

[errors.render.default]
body = { error = { type = "api_error", message = "{{message}}" } }
"#;

const BEARER: (&str, &str) = ("authorization", "Bearer t");
const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");
const CREATE: &str = "url=https%3A%2F%2Fexample.com%2Fa&enabled_events%5B0%5D=invoice.paid\
                      &description=Billing&metadata%5Bteam%5D=billing&metadata%5Benv%5D=prod\
                      &metadata%5Bregion%5D=eu";

/// Levy emulated, Levy-of-JSON emulated, and Levy's surface in front of the latter at `/l`;
/// Levy whose update replaces each member it is sent (`levy_whole`), emulated; the folder of
/// their mapping files, kept while the gateway runs.
async fn levies() -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let with = |from: &str, to: &str| {
        let text = LEVY.replacen(from, to, 1);
        assert_ne!(text, LEVY, "{from}");
        text
    };
    for (name, text) in [
        ("levy", LEVY.to_owned()),
        ("levy_json", with("request_body = \"form\"\n", "")),
        (
            "levy_whole",
            with("strategy = \"merge_patch\"", "strategy = \"merge\""),
        ),
    ] {
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
    }
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n\
         [upstreams.levy]\ndialect = \"levy\"\nemulate = true\n\
         [upstreams.levy_json]\ndialect = \"levy_json\"\nemulate = true\n\
         [upstreams.levy_whole]\ndialect = \"levy_whole\"\nemulate = true\n\
         [surfaces.levy]\ndialect = \"levy\"\nupstream = \"levy_json\"\nprefix = \"/l\"\n",
        dir.path()
    ))
    .await;
    (gw, dir)
}

/// A form sent to `path` at `addr`: the answer.
async fn form(addr: SocketAddr, path: &str, body: &str) -> support::Answer {
    send_raw(addr, "POST", path, &[BEARER, FORM], body.to_owned().into()).await
}

/// The changes [`clears_each`] makes, in order, and what each leaves of the webhook.
fn clears() -> Vec<(&'static str, Value)> {
    let url = "https://example.com/a";
    vec![
        // A map's key given empty is removed, the others kept.
        (
            "metadata%5Bteam%5D=",
            json!({"metadata": {"env": "prod", "region": "eu"}, "description": "Billing", "url": url}),
        ),
        (
            "metadata%5Benv%5D=&metadata%5Bowner%5D=ops",
            json!({"metadata": {"region": "eu", "owner": "ops"}, "description": "Billing", "url": url}),
        ),
        // A label the vendor clears as `""` is cleared.
        (
            "description=",
            json!({"metadata": {"region": "eu", "owner": "ops"}, "description": null, "url": url}),
        ),
        (
            "description=Ops&metadata%5Bregion%5D=",
            json!({"metadata": {"owner": "ops"}, "description": "Ops", "url": url}),
        ),
        // The whole map given empty is removed.
        (
            "metadata=",
            json!({"metadata": null, "description": "Ops", "url": url}),
        ),
    ]
}

/// Forms whose empty values name members that cannot be cleared, each refused on the member
/// in the vendor's shape, saying why; `create` says whether it is a create (at `…/v1`) or an
/// update of the endpoint made there.
fn refusals() -> Vec<(bool, &'static str, &'static str, &'static str)> {
    vec![
        (false, "url=", "url", "url: cannot be cleared"),
        (
            true,
            "url=&enabled_events%5B0%5D=a",
            "url",
            "url: is required",
        ),
        (
            false,
            "enabled_events%5B0%5D=",
            "enabled_events",
            "enabled_events: must be an array of strings",
        ),
        (
            true,
            "url=https%3A%2F%2Fexample.com%2Fb&enabled_events%5B0%5D=a&enabled_events%5B1%5D=",
            "enabled_events",
            "enabled_events: must be an array of strings",
        ),
        (
            false,
            "enabled_events%5B%5D=&enabled_events%5B%5D=b",
            "enabled_events",
            "enabled_events: must be an array of strings",
        ),
        (
            false,
            "enabled_events=",
            "enabled_events",
            "enabled_events: must contain at least 1 item",
        ),
    ]
}

async fn refuses_each(addr: SocketAddr, base: &str) {
    let made = form(addr, &format!("{base}/webhook_endpoints"), CREATE).await;
    ok(&made, 200, base);
    let one = format!(
        "{base}/webhook_endpoints/{}",
        made.json()["id"].as_str().unwrap()
    );
    for (create, body, param, message) in refusals() {
        let path = if create {
            format!("{base}/webhook_endpoints")
        } else {
            one.clone()
        };
        let refused = form(addr, &path, body).await;
        ok(&refused, 400, body);
        assert_eq!(
            refused.json()["error"],
            json!({"type": "invalid_request_error", "message": message, "param": param}),
            "{base}: {body}"
        );
    }
    // Nothing of them was taken.
    let read = send(addr, "GET", &one, &[BEARER], None).await;
    let w = read.json();
    assert_eq!(
        (w["url"].clone(), w["enabled_events"].clone()),
        (json!("https://example.com/a"), json!(["invoice.paid"])),
        "{base}: {w}"
    );
}

#[tokio::test]
async fn an_emulator_reads_an_empty_value_as_the_clear_it_is() {
    let (gw, _dir) = levies().await;
    let emu = gw.emulators["levy"];
    clears_each(&gw, emu, "/v1", "/v1/upstreams/levy/webhooks").await;
    refuses_each(emu, "/v1").await;
    // The vendor's answer writes the label cleared as it does: `""`.
    let made = form(emu, "/v1/webhook_endpoints", CREATE).await;
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let cleared = form(emu, &format!("/v1/webhook_endpoints/{id}"), "description=").await;
    ok(&cleared, 200, "description=");
    assert_eq!(cleared.json()["description"], "");
    gw.stop().await;
}

#[tokio::test]
async fn a_surface_passes_an_empty_value_on_as_a_clear() {
    let (gw, _dir) = levies().await;
    clears_each(&gw, gw.addr, "/l/v1", "/v1/upstreams/levy_json/webhooks").await;
    refuses_each(gw.addr, "/l/v1").await;
    // What the vendor of JSON was sent for a key removed: that key, `null`, alone.
    let made = form(gw.addr, "/l/v1/webhook_endpoints", CREATE).await;
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let cleared = form(
        gw.addr,
        &format!("/l/v1/webhook_endpoints/{id}"),
        "metadata%5Bteam%5D=",
    )
    .await;
    ok(&cleared, 200, "metadata[team]=");
    let journal = support::journal(gw.emulators["levy_json"]).await;
    let update = journal
        .iter()
        .rev()
        .find(|e| e["operation"] == "update")
        .unwrap();
    assert_eq!(
        update["body"],
        json!({"metadata": {"team": null}}),
        "{update}"
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_label_given_empty_is_cleared_as_the_vendor_clears_it_whatever_its_update() {
    let (gw, _dir) = levies().await;
    // An update that replaces each member it is sent: the label's `""` is held to the
    // label's checks as the vendor's own clear (a string), not as a `null` it does not take.
    let emu = gw.emulators["levy_whole"];
    let made = form(emu, "/v1/webhook_endpoints", CREATE).await;
    ok(&made, 200, "create");
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let one = format!("/v1/webhook_endpoints/{id}");
    let canonical = format!("/v1/upstreams/levy_whole/webhooks/{id}");
    for (change, description) in [
        ("description=", Value::Null),
        ("description=Ops", json!("Ops")),
        (
            "description=&url=https%3A%2F%2Fexample.com%2Fc",
            Value::Null,
        ),
    ] {
        let answer = form(emu, &one, change).await;
        ok(&answer, 200, change);
        assert_eq!(
            answer.json()["description"],
            description.as_str().unwrap_or(""),
            "{change}"
        );
        let read = send(gw.addr, "GET", &canonical, &[], None).await;
        assert_eq!(read.json()["description"], description, "{change}");
    }
    let refused = form(emu, &one, "url=&description=").await;
    ok(&refused, 400, "url=");
    assert_eq!(refused.json()["error"]["message"], "url: cannot be cleared");
    gw.stop().await;
}

/// Each of [`clears`], sent by a Levy client to the endpoint it made through `addr` at `base`
/// (an emulator's or a surface's `…/v1`), leaves the webhook as the case says, as the
/// canonical API reads it at `upstream`.
async fn clears_each(gw: &Running, addr: SocketAddr, base: &str, upstream: &str) {
    let made = form(addr, &format!("{base}/webhook_endpoints"), CREATE).await;
    ok(&made, 200, base);
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let one = format!("{base}/webhook_endpoints/{id}");
    for (change, left) in clears() {
        let answer = form(addr, &one, change).await;
        ok(&answer, 200, change);
        let read = send(gw.addr, "GET", &format!("{upstream}/{id}"), &[], None).await;
        ok(&read, 200, upstream);
        let w = read.json();
        let kept = json!({
            "metadata": w["extensions"].get("metadata").cloned().unwrap_or(Value::Null),
            "description": w["description"],
            "url": w["url"],
        });
        assert_eq!(kept, left, "{base}: {change}");
    }
}
