//! Drop-in base URL, every client dialect against every upstream dialect: a client written for
//! vendor X, pointed at hookgate's X surface (mounted on the main listener), manages webhooks
//! that live at an emulated vendor Y, through the real gateway over loopback.
//!
//! For each pair: create, get, update, disable (where X can say it), delete, and get again; and
//! X's own 401, 404 and validation answers, exact to the byte. A field X sends that Y has no
//! place for comes back as X's validation error on X's field name, and nothing changes at Y.
//! Where Y cannot hold any webhook X can describe (Y requires a field X does not have), the exact
//! refusal is asserted, and the rest of the life runs on a webhook created at Y directly.

mod dropin;
mod support;

use dropin::{DEFAULT_OWNER, assert_exact, events, plant, text};
use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{Answer, gateway, send};

const REQUEST_ID: &str = "req-dropin-matrix";
const URL: &str = "https://hooks.example.com/v1";
const URL2: &str = "https://hooks.example.com/v2";
const URL3: &str = "https://hooks.example.com/v3";

/// A client of one dialect, through its surface.
struct Client {
    dialect: &'static str,
    upstream: &'static str,
    addr: SocketAddr,
    owner: String,
}

impl Client {
    fn collection(&self) -> String {
        let owner = &self.owner;
        let path = match self.dialect {
            "talkover" => format!("/api/v1/agents/{owner}/webhooks"),
            "resemble" => format!("/api/v2/agents/{owner}/webhooks"),
            "agentmessage" => "/v1/webhooks".to_owned(),
            "chirp" => format!("/v1/organization/apps/{owner}/webhooks"),
            other => panic!("no such dialect {other}"),
        };
        format!("/surfaces/{}{path}", self.dialect)
    }

    fn item(&self, id: &str) -> String {
        format!("{}/{id}", self.collection())
    }

    async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        let headers = [dropin::AUTH, ("x-request-id", REQUEST_ID)];
        send(self.addr, method, path, &headers, body).await
    }

    async fn call_anonymously(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        send(
            self.addr,
            method,
            path,
            &[("x-request-id", REQUEST_ID)],
            body,
        )
        .await
    }

    /// X's create body for a webhook on `event`, with only members the upstream can hold.
    fn create_body(&self, url: &str, event: &str) -> Value {
        match self.dialect {
            "talkover" => json!({"name": "Calls", "webhook_url": url, "events": [event]}),
            "resemble" => {
                let mut body = json!({"webhook_type": event, "webhook_config": {"api_schema": {"url": url, "method": "POST"}}});
                if self.upstream == "resemble" {
                    // Resemble's pre-call webhooks take their assignments.
                    body["webhook_config"]["assignments"] = json!([]);
                }
                body
            }
            "agentmessage" => {
                let mut body = json!({"url": url, "events": [event]});
                if matches!(self.upstream, "talkover" | "agentmessage") {
                    body["description"] = json!("Ops");
                }
                body
            }
            "chirp" => json!({"url": url, "events": [event]}),
            other => panic!("no such dialect {other}"),
        }
    }

    fn create_status(&self) -> u16 {
        // Talkover's OpenAPI file documents 200 for a create.
        if self.dialect == "talkover" { 200 } else { 201 }
    }

    /// X's update: its verb and a body changing the URL and the events.
    fn update(&self, url: &str, event: &str) -> (&'static str, Value) {
        match self.dialect {
            "talkover" => ("PUT", json!({"webhook_url": url, "events": [event]})),
            "resemble" => (
                "PATCH",
                json!({"webhook_type": event, "webhook_config": {"api_schema": {"url": url, "method": "POST"}}}),
            ),
            "agentmessage" => ("PATCH", json!({"url": url, "events": [event]})),
            "chirp" => ("PUT", json!({"url": url, "events": [event]})),
            other => panic!("no such dialect {other}"),
        }
    }

    /// The envelope of a single webhook: its exact members besides the webhook, and the webhook.
    fn unwrap<'a>(&self, body: &'a Value, message: Option<&str>, what: &str) -> &'a Value {
        let (key, mut expected) = match self.dialect {
            "talkover" => ("data", json!({"success": true})),
            "resemble" => ("item", json!({"success": true})),
            _ => return body,
        };
        if let Some(m) = message {
            expected["message"] = json!(m);
        }
        let mut rest = body.clone();
        let webhook = &body[key];
        rest.as_object_mut().unwrap().shift_remove(key);
        assert_eq!(rest, expected, "{what}: envelope of {body}");
        webhook
    }

    /// Checks a webhook is in X's shape, holding `url` and `event`; returns its id.
    fn check_webhook(&self, webhook: &Value, url: &str, event: &str, what: &str) -> String {
        let (known, url_at, events): (&[&str], &[&str], Value) = match self.dialect {
            "talkover" => (
                &[
                    "id",
                    "agent_id",
                    "name",
                    "webhook_url",
                    "events",
                    "timeout",
                    "max_retries",
                    "enabled",
                    "created_at",
                    "updated_at",
                    "events_count",
                    "status",
                ],
                &["webhook_url"],
                webhook["events"].clone(),
            ),
            "resemble" => (
                &[
                    "id",
                    "webhook_type",
                    "webhook_config",
                    "created_at",
                    "updated_at",
                ],
                &["webhook_config", "api_schema", "url"],
                json!([webhook["webhook_type"]]),
            ),
            "agentmessage" => (
                &[
                    "id",
                    "org_id",
                    "url",
                    "description",
                    "events",
                    "active",
                    "api_version",
                    "created_at",
                    "updated_at",
                    "deleted_at",
                    "secret",
                    "secret_displayed_once",
                ],
                &["url"],
                webhook["events"].clone(),
            ),
            "chirp" => (
                &[
                    "id",
                    "appId",
                    "url",
                    "events",
                    "headers",
                    "createdAt",
                    "updatedAt",
                ],
                &["url"],
                webhook["events"].clone(),
            ),
            other => panic!("no such dialect {other}"),
        };
        let members = webhook
            .as_object()
            .unwrap_or_else(|| panic!("{what}: {webhook}"));
        for key in members.keys() {
            assert!(
                known.contains(&key.as_str()),
                "{what}: `{key}` is not a {} member: {webhook}",
                self.dialect
            );
        }
        let found = url_at.iter().fold(webhook, |v, k| &v[*k]);
        assert_eq!(found, url, "{what}: url in {webhook}");
        assert_eq!(events, json!([event]), "{what}: events in {webhook}");
        match self.dialect {
            "talkover" => {
                assert_eq!(
                    webhook["agent_id"],
                    self.owner.as_str(),
                    "{what}: {webhook}"
                );
                assert_eq!(webhook["events_count"], 1, "{what}: {webhook}");
            }
            "chirp" => assert_eq!(webhook["appId"], self.owner.as_str(), "{what}: {webhook}"),
            "resemble" => {
                // Talkover never returns a webhook's http_method, so a Resemble client reading
                // one there is told nothing rather than a guess.
                let method = &webhook["webhook_config"]["api_schema"]["method"];
                let known = if self.upstream == "talkover" {
                    Value::Null
                } else {
                    json!("POST")
                };
                assert_eq!(method, &known, "{what}: {webhook}");
            }
            _ => {}
        }
        dropin::id_text(&webhook["id"])
    }

    fn not_found(&self) -> (u16, Value) {
        let body = match self.dialect {
            "talkover" => json!({"success": false, "message": "Webhook not found."}),
            "resemble" => json!({"success": false, "message": "Webhook not found"}),
            "agentmessage" => {
                json!({"success": false, "error": {"code": "NOT_FOUND", "message": "not found", "request_id": REQUEST_ID}})
            }
            "chirp" => {
                json!({"error": {"type": "invalid_request_error", "code": "resource_not_found", "message": "Webhook not found"}})
            }
            other => panic!("no such dialect {other}"),
        };
        (404, body)
    }

    fn unauthorized(&self) -> (u16, Value) {
        let body = match self.dialect {
            "talkover" => json!({"message": "Missing Bearer Token"}),
            "resemble" => json!({"success": false, "message": "Invalid or missing API token"}),
            "agentmessage" => {
                json!({"success": false, "error": {"code": "UNAUTHORIZED", "message": "authentication failed", "request_id": REQUEST_ID}})
            }
            "chirp" => {
                json!({"error": {"type": "authentication_error", "message": "Invalid API key"}})
            }
            other => panic!("no such dialect {other}"),
        };
        (401, body)
    }

    /// A create body X itself refuses (a bad URL), and X's exact answer.
    fn invalid(&self, event: &str) -> (Value, u16, Value) {
        match self.dialect {
            "talkover" => (
                json!({"name": "Calls", "webhook_url": "not a url", "events": [event]}),
                422,
                json!({"message": "The given data was invalid.", "errors": {"webhook_url": ["The webhook url must be a valid URL."]}}),
            ),
            "resemble" => (
                json!({"webhook_type": event, "webhook_config": {"api_schema": {"method": "POST"}}}),
                422,
                json!({"success": false, "errors": {"webhook_config": ["api_schema must include 'url'"]}, "message": "Failed to create webhook"}),
            ),
            "agentmessage" => (
                json!({"url": "http://hooks.example.com/v1", "events": [event]}),
                422,
                json!({"success": false, "error": {"code": "VALIDATION_FAILED", "message": "validation failed", "request_id": REQUEST_ID, "details": {"url": "must use https"}}}),
            ),
            "chirp" => (
                json!({"url": "http://hooks.example.com/v1", "events": [event]}),
                400,
                json!({"error": {"type": "invalid_request_error", "code": "parameter_invalid", "message": "url must use HTTPS", "param": "url"}}),
            ),
            other => panic!("no such dialect {other}"),
        }
    }
}

/// X's exact validation answer naming one of its own fields, with the upstream's message.
fn validation(client: &str, field: &str, message: &str) -> (u16, Value) {
    match client {
        "talkover" => (
            422,
            json!({"message": "The given data was invalid.", "errors": {field: [message]}}),
        ),
        "resemble" => (
            422,
            json!({"success": false, "errors": {field: [message]}, "message": "Failed to update webhook"}),
        ),
        "agentmessage" => (
            422,
            json!({"success": false, "error": {"code": "VALIDATION_FAILED", "message": "validation failed", "request_id": REQUEST_ID, "details": {field: message}}}),
        ),
        "chirp" => (
            400,
            json!({"error": {"type": "invalid_request_error", "code": "parameter_invalid", "message": format!("{field}: {message}"), "param": field}}),
        ),
        other => panic!("no such dialect {other}"),
    }
}

fn with_message(mut answer: (u16, Value), message: &str) -> (u16, Value) {
    answer.1["message"] = json!(message);
    answer
}

/// Where no webhook X can describe fits at Y, by design: X's exact refusal of the create.
fn refused_create(client: &str, upstream: &str) -> Option<(u16, Value)> {
    let no_field = |field: &str| {
        format!("is required (`{field}` of upstream {upstream}, which this API has no field for)")
    };
    Some(match (client, upstream) {
        // Talkover names every webhook; Resemble and Chirp have no name to keep it in.
        ("talkover", y) if !keeps_description(y) => validation(
            client,
            "name",
            &format!("not supported by upstream {upstream}"),
        ),
        // Talkover requires a name, which Resemble and Chirp clients cannot give.
        ("resemble", "talkover") => with_message(
            validation(client, "description", &no_field("description")),
            "Failed to create webhook",
        ),
        ("chirp", "talkover") => validation(client, "description", &no_field("description")),
        // Resemble requires the delivery method, which AgentMessage and Chirp clients do not
        // give: their deliveries are always POSTs, and so that is what is sent.
        _ => return None,
    })
}

/// A field X sends that Y cannot carry: X's update request, and X's exact refusal.
fn uncarried(client: &str, upstream: &str) -> Option<(&'static str, Value, (u16, Value))> {
    let not = format!("not supported by upstream {upstream}");
    Some(match (client, upstream) {
        ("talkover", y) if y != "talkover" && y != "resemble" => (
            "PUT",
            json!({"webhook_url": URL3, "timeout": 45}),
            validation(client, "timeout", &not),
        ),
        ("talkover", "resemble") => (
            "PUT",
            json!({"webhook_url": URL3, "max_retries": 5}),
            validation(client, "max_retries", &not),
        ),
        ("resemble", "talkover") => (
            "PATCH",
            json!({"webhook_config": {"api_schema": {"url": URL3, "method": "POST", "request_body": {"call": "{{conversation_uuid}}"}}}}),
            validation(
                client,
                "webhook_config",
                &format!("api_schema.request_body {not}"),
            ),
        ),
        ("resemble", y) if y != "resemble" => (
            "PATCH",
            json!({"webhook_config": {"api_schema": {"url": URL3, "method": "POST"}, "response_timeout_secs": 20}}),
            validation(
                client,
                "webhook_config",
                &format!("response_timeout_secs {not}"),
            ),
        ),
        ("agentmessage", "talkover") => (
            "PATCH",
            json!({"url": URL3, "description": "Ops", "api_version": "2026-04-01"}),
            // AgentMessage takes api_version on create only: a patch that names it is refused
            // whatever the upstream, and the create below is refused because Y has no version.
            validation(client, "api_version", "cannot be changed after create"),
        ),
        ("agentmessage", y) if !keeps_description(y) => (
            "PATCH",
            json!({"url": URL3, "description": "Ops"}),
            validation(client, "description", &not),
        ),
        ("chirp", "agentmessage") => (
            "PUT",
            json!({"url": URL3, "headers": {"X-Env": "prod"}}),
            validation(client, "headers", &not),
        ),
        _ => return None,
    })
}

/// Whether Y keeps a webhook's free-text description (Talkover's name).
fn keeps_description(upstream: &str) -> bool {
    matches!(upstream, "talkover" | "agentmessage")
}

/// Whether Y can turn delivery off without deleting the webhook.
fn can_disable(upstream: &str) -> bool {
    matches!(upstream, "talkover" | "agentmessage")
}

async fn lifecycle(client: &'static str, upstream: &'static str) {
    // Chirp's own app ids where the upstream's owners are opaque; a UUID where they are UUIDs.
    let owner = match client {
        "chirp" if !dropin::has_uuid_owners(upstream) => "app_2a0eebc99c0b4ef8",
        "agentmessage" => DEFAULT_OWNER,
        _ => "550e8400-e29b-41d4-a716-446655440000",
    };
    let running = gateway(&dropin::config(client, upstream, false, owner)).await;
    let x = Client {
        dialect: client,
        upstream,
        addr: running.addr,
        owner: owner.to_owned(),
    };
    let what = |step: &str| format!("{client} client, {upstream} upstream: {step}");
    let [event, event2] = events(upstream);

    // 401: no credentials, nothing reaches the upstream.
    let body = x.create_body(URL, event);
    let answer = x
        .call_anonymously("POST", &x.collection(), Some(&body))
        .await;
    let (status, expected) = x.unauthorized();
    assert_exact(
        &answer,
        status,
        &expected,
        &what("create without credentials"),
    );

    // 422: X's own validation, in X's words.
    let (bad, status, expected) = x.invalid(event);
    let answer = x.call("POST", &x.collection(), Some(&bad)).await;
    assert_exact(&answer, status, &expected, &what("create with a bad URL"));

    // Create.
    let answer = x.call("POST", &x.collection(), Some(&body)).await;
    let id = match refused_create(client, upstream) {
        None => {
            assert_eq!(answer.status, x.create_status(), "{}", what(&text(&answer)));
            let json = answer.json();
            let message = match client {
                "talkover" | "resemble" => Some("Webhook created successfully"),
                _ => None,
            };
            let mut webhook = x.unwrap(&json, message, &what("create")).clone();
            // The secret AgentMessage mints, which a Talkover client could learn nowhere else:
            // in the create's answer, once, where Talkover takes one.
            if (client, upstream) == ("talkover", "agentmessage") {
                let minted = webhook.as_object_mut().unwrap().remove("webhook_secret");
                assert!(
                    minted
                        .as_ref()
                        .and_then(Value::as_str)
                        .is_some_and(|k| k.len() >= 40),
                    "{}: {json}",
                    what("create shows the minted secret")
                );
            }
            x.check_webhook(&webhook, URL, event, &what("create"))
        }
        Some((status, expected)) => {
            assert_exact(
                &answer,
                status,
                &expected,
                &what("create, refused by design"),
            );
            let id = plant(&running, upstream, owner, event).await;
            let answer = x.call("GET", &x.item(&id), None).await;
            let json = answer.json();
            let webhook = x.unwrap(&json, None, &what("get"));
            x.check_webhook(
                webhook,
                "https://hooks.example.com/planted",
                event,
                &what("get"),
            );
            // Move it to the URL the rest of the life expects.
            let (method, body) = x.update(URL, event);
            let answer = x.call(method, &x.item(&id), Some(&body)).await;
            assert_eq!(answer.status, 200, "{}", what(&text(&answer)));
            id
        }
    };

    // Get.
    let answer = x.call("GET", &x.item(&id), None).await;
    assert_eq!(answer.status, 200, "{}", what(&text(&answer)));
    let json = answer.json();
    let webhook = x.unwrap(&json, None, &what("get"));
    assert_eq!(x.check_webhook(webhook, URL, event, &what("get")), id);

    // Update.
    let (method, body) = x.update(URL2, event2);
    let answer = x.call(method, &x.item(&id), Some(&body)).await;
    assert_eq!(answer.status, 200, "{}", what(&text(&answer)));
    let json = answer.json();
    let message = match client {
        "talkover" | "resemble" => Some("Webhook updated successfully"),
        _ => None,
    };
    let webhook = x.unwrap(&json, message, &what("update"));
    x.check_webhook(webhook, URL2, event2, &what("update"));

    // A field Y cannot carry: X's validation error on X's field, and nothing changes.
    if let Some((method, body, (status, expected))) = uncarried(client, upstream) {
        let answer = x.call(method, &x.item(&id), Some(&body)).await;
        assert_exact(
            &answer,
            status,
            &expected,
            &what("a field the upstream cannot carry"),
        );
        if client == "agentmessage" && upstream == "talkover" {
            // api_version is AgentMessage's on create only.
            let mut create = x.create_body(URL3, event);
            create["api_version"] = json!("2026-04-01");
            let answer = x.call("POST", &x.collection(), Some(&create)).await;
            let (status, mut expected) =
                validation(client, "api_version", "not supported by upstream talkover");
            expected["error"]["request_id"] = json!(REQUEST_ID);
            assert_exact(&answer, status, &expected, &what("create with api_version"));
        }
        let answer = x.call("GET", &x.item(&id), None).await;
        let json = answer.json();
        let webhook = x.unwrap(&json, None, &what("get after a refusal"));
        x.check_webhook(webhook, URL2, event2, &what("get after a refusal"));
    }

    // Disable and enable again, where X can say it.
    match client {
        "talkover" => {
            let toggle = format!("{}/toggle", x.item(&id));
            if can_disable(upstream) {
                for (enabled, status, message) in [
                    (false, "disabled", "Webhook disabled"),
                    (true, "active", "Webhook enabled"),
                ] {
                    let answer = x.call("PATCH", &toggle, None).await;
                    assert_eq!(answer.status, 200, "{}", what(&text(&answer)));
                    let json = answer.json();
                    let webhook = x.unwrap(&json, Some(message), &what("toggle"));
                    x.check_webhook(webhook, URL2, event2, &what("toggle"));
                    assert_eq!(webhook["enabled"], enabled, "{}", what("toggle"));
                    assert_eq!(webhook["status"], status, "{}", what("toggle"));
                }
            } else {
                let answer = x.call("PATCH", &toggle, None).await;
                let (status, expected) = validation(
                    client,
                    "enabled",
                    &format!("not supported by upstream {upstream}"),
                );
                assert_exact(
                    &answer,
                    status,
                    &expected,
                    &what("toggle, refused by design"),
                );
            }
        }
        "agentmessage" => {
            if can_disable(upstream) {
                for active in [false, true] {
                    let body = json!({"active": active});
                    let answer = x.call("PATCH", &x.item(&id), Some(&body)).await;
                    assert_eq!(answer.status, 200, "{}", what(&text(&answer)));
                    let webhook = answer.json();
                    x.check_webhook(&webhook, URL2, event2, &what("disable"));
                    assert_eq!(webhook["active"], active, "{}", what("disable"));
                }
            } else {
                let answer = x
                    .call("PATCH", &x.item(&id), Some(&json!({"active": false})))
                    .await;
                let (status, expected) = validation(
                    client,
                    "active",
                    &format!("not supported by upstream {upstream}"),
                );
                assert_exact(
                    &answer,
                    status,
                    &expected,
                    &what("disable, refused by design"),
                );
            }
        }
        // Resemble and Chirp clients have no way to say "disabled".
        _ => {}
    }

    // Delete.
    let answer = x.call("DELETE", &x.item(&id), None).await;
    match client {
        "agentmessage" => {
            assert_eq!(answer.status, 204, "{}", what(&text(&answer)));
            assert!(answer.body.is_empty(), "{}", what(&text(&answer)));
        }
        "chirp" => assert_exact(
            &answer,
            200,
            &json!({"message": "Webhook deleted"}),
            &what("delete"),
        ),
        _ => assert_exact(
            &answer,
            200,
            &json!({"success": true, "message": "Webhook deleted successfully"}),
            &what("delete"),
        ),
    }

    // 404: gone, in X's words; and so is an id that never was.
    let (status, expected) = x.not_found();
    let answer = x.call("GET", &x.item(&id), None).await;
    assert_exact(&answer, status, &expected, &what("get after delete"));
    let (method, body) = x.update(URL3, event);
    let answer = x
        .call(
            method,
            &x.item("0190a1b2-0000-4000-8000-000000000000"),
            Some(&body),
        )
        .await;
    assert_exact(
        &answer,
        status,
        &expected,
        &what("update of an unknown webhook"),
    );

    running.stop().await;
}

macro_rules! pairs {
    ($($name:ident: $client:literal on $upstream:literal,)*) => {$(
        #[tokio::test]
        async fn $name() {
            lifecycle($client, $upstream).await;
        }
    )*};
}

pairs! {
    talkover_client_on_talkover: "talkover" on "talkover",
    talkover_client_on_resemble: "talkover" on "resemble",
    talkover_client_on_agentmessage: "talkover" on "agentmessage",
    talkover_client_on_chirp: "talkover" on "chirp",
    resemble_client_on_talkover: "resemble" on "talkover",
    resemble_client_on_resemble: "resemble" on "resemble",
    resemble_client_on_agentmessage: "resemble" on "agentmessage",
    resemble_client_on_chirp: "resemble" on "chirp",
    agentmessage_client_on_talkover: "agentmessage" on "talkover",
    agentmessage_client_on_resemble: "agentmessage" on "resemble",
    agentmessage_client_on_agentmessage: "agentmessage" on "agentmessage",
    agentmessage_client_on_chirp: "agentmessage" on "chirp",
    chirp_client_on_talkover: "chirp" on "talkover",
    chirp_client_on_resemble: "chirp" on "resemble",
    chirp_client_on_agentmessage: "chirp" on "agentmessage",
    chirp_client_on_chirp: "chirp" on "chirp",
}

/// Whether a dialect's `events` member holds one value (an event list of one, in canonical
/// terms), as its mapping file says.
fn single_event(d: &hookgate::mapping::Dialect) -> bool {
    d.webhook
        .reading("events")
        .is_some_and(|r| r.path.is_some() && r.codec == hookgate::mapping::codec::Codec::Single)
}

/// Two event names of a dialect's own vocabulary: its `one_of`, else its example's.
fn two_events(d: &hookgate::mapping::Dialect) -> Option<Vec<Value>> {
    use hookgate::mapping::checks::Check;
    let rule = d.webhook.reading("events")?;
    let listed = rule.checks.iter().find_map(|c| match c {
        Check::OneOf(list) => Some(list.clone()),
        _ => None,
    });
    let example = d.webhook.read(&d.examples[0]).unwrap()["events"]
        .as_array()
        .cloned();
    let names = listed.or(example)?;
    (names.len() >= 2).then(|| names[..2].to_vec())
}

/// A surface of a dialect whose webhooks hold one event, in front of an upstream whose webhooks
/// hold a list of them: a webhook with two events there is refused in the surface's own error
/// shape, naming the surface's member, never shown with an array in its place nor with one of
/// the two dropped.
#[tokio::test]
async fn a_webhook_of_several_events_is_refused_by_a_surface_that_holds_one() {
    use hookgate::mapping::model::Role;
    use hookgate::model::Action;
    const OWNER: &str = "550e8400-e29b-41d4-a716-446655440000";
    let all = hookgate::mapping::load_dir(std::path::Path::new(support::MAPPINGS)).unwrap();
    let clients: Vec<_> = all.iter().filter(|d| single_event(d)).collect();
    let upstreams: Vec<_> = all
        .iter()
        .filter(|d| !single_event(d) && d.endpoint(Role::Action(Action::Create)).is_some())
        .filter_map(|d| Some((d, two_events(d)?)))
        .collect();
    assert!(!clients.is_empty() && !upstreams.is_empty(), "no such pair");
    let mut toml = String::from("listen = \"127.0.0.1:0\"\n");
    for (u, _) in &upstreams {
        toml += &format!(
            "[upstreams.{n}]\ndialect = \"{n}\"\nemulate = true\n",
            n = u.name
        );
        for s in &clients {
            let bridged = if s.has_owner() != u.has_owner() {
                format!("owner = \"{OWNER}\"\n")
            } else {
                String::new()
            };
            toml += &format!(
                "[surfaces.{s}-{u}]\ndialect = \"{s}\"\nupstream = \"{u}\"\nprefix = \"/{s}-{u}\"\n{bridged}",
                s = s.name,
                u = u.name
            );
        }
    }
    let running = gateway(&toml).await;
    for (u, events) in &upstreams {
        // Created through the canonical API, from the upstream's own example.
        let example = u.webhook.read(&u.examples[0]).unwrap();
        let mut body: serde_json::Map<String, Value> = example
            .into_iter()
            .filter(|(k, _)| u.webhook.carries(k, Action::Create))
            .collect();
        body.insert("events".into(), Value::Array(events.clone()));
        body.insert("url".into(), json!(URL));
        let collection = match u.has_owner() {
            true => format!("/v1/upstreams/{}/owners/{OWNER}/webhooks", u.name),
            false => format!("/v1/upstreams/{}/webhooks", u.name),
        };
        let created = send(
            running.addr,
            "POST",
            &collection,
            &[],
            Some(&Value::Object(body)),
        )
        .await;
        assert_eq!(created.status, 201, "{}: {}", u.name, text(&created));
        let id = dropin::id_text(&created.json()["id"]);
        for s in &clients {
            let prefix = format!("/{}-{}{}", s.name, u.name, s.base_path);
            let owner = s.has_owner().then_some(OWNER);
            let member = s.webhook.vendor_name("events");
            let reads = [Role::Action(Action::Get), Role::Action(Action::List)];
            for e in reads.iter().filter_map(|r| s.endpoint(*r)) {
                let path = e.path.render(&[&prefix], owner, Some(&id));
                let answer = send(
                    running.addr,
                    "GET",
                    &path,
                    &[("authorization", "Bearer t")],
                    None,
                )
                .await;
                let what = format!(
                    "{} surface on {}: GET {path}: {}",
                    s.name,
                    u.name,
                    text(&answer)
                );
                let status = s
                    .errors
                    .template_for(hookgate::problem::Code::UpstreamError)
                    .status
                    .unwrap_or(502);
                assert_eq!(answer.status, status, "{what}");
                let body = String::from_utf8_lossy(&answer.body);
                assert!(
                    body.contains(&format!(
                        "{member}: cannot be shown in this API (must contain exactly one item)"
                    )),
                    "{what}"
                );
                for event in events {
                    assert!(!body.contains(&format!("\"{member}\":[")), "{what}");
                    assert!(!body.contains(&event.to_string()), "{what}: leaks {event}");
                }
            }
        }
    }
    running.stop().await;
}
