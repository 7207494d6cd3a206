//! A create the vendor carried out whose answer is then refused (it names another owner than
//! the request did; a read of the webhook after it fails; the API asked cannot show what was
//! made) names the webhook made and shows the secret the vendor minted for it, which the
//! vendor shows once: on the canonical API as the problem's `webhook`, and on a vendor's own
//! API (a surface) as a member `webhook` beside that vendor's own error, the id and the secret
//! where that vendor's webhooks hold them. A secret the vendor shows at a resource of its own
//! is read there before the refusal, whatever answer is refused. A secret shown for a webhook
//! answered as another owner's is kept for no owner: a later read under the owner asked does
//! not show it. The secret never reaches the log.
//!
//! The upstream is a test-local file (`minter`) whose webhooks belong to a team, in front of a
//! scripted vendor that mints each webhook's secret, shown in the create's answer or at a
//! resource of its own (`…/secret`); the surfaces are the shipped Svix (`{"code", "detail"}`
//! errors) and AgentMessage (`{"success": false, "error": {…}}`).

mod support;

use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{Double, MAPPINGS, Reply, Seen, ok, send};

const SECRET: &str = "bWludGVkLW9uY2UtYnktdGhlLXZlbmRvci1mb3ItaDE=";
const ID: &str = "h_1";
const TEAM: &str = "team-a";
const BEARER: (&str, &str) = ("authorization", "Bearer testsk_hookgate");
const CANONICAL: &str = "/v1/upstreams/up/owners/team-a/webhooks";
const SVIX: &str = "/sv/api/v1/app/team-a/endpoint";
const AGENTMESSAGE: &str = "/am/v1/webhooks";

/// The vendor's file; `secret` says where it shows a minted secret, `then` what the create
/// declares after it.
fn minter(secret: &str, then: &str) -> String {
    format!(
        r#"
[dialect]
title = "Minter hooks"
owner = "team"

[emulator]
secret = "base64"

[fields.id]
path = "$.id"
in = ["response"]

[fields.owner]
path = "$.team"
in = ["response"]

[fields.url]
path = "$.url"
required = true

[fields.events]
path = "$.events"

[fields.enabled]
implied = true

[fields.created_at]
path = "$.created_at"
in = ["response"]

[fields.updated_at]
path = "$.updated_at"
in = ["response"]

{secret}

[operations.list]
method = "GET"
path = "/teams/{{owner}}/hooks"
response = {{ hooks = "{{{{items}}}}" }}

[operations.get]
method = "GET"
path = "/teams/{{owner}}/hooks/{{id}}"
response = "{{{{webhook}}}}"

[operations.create]
method = "POST"
path = "/teams/{{owner}}/hooks"
body = "{{{{webhook}}}}"
status = 201
response = "{{{{webhook}}}}"
{then}

[operations.update]
method = "PATCH"
path = "/teams/{{owner}}/hooks/{{id}}"
body = "{{{{webhook}}}}"
response = "{{{{webhook}}}}"

[operations.delete]
method = "DELETE"
path = "/teams/{{owner}}/hooks/{{id}}"
status = 204

[errors]
message = ["$.message"]

[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
    )
}

/// A secret shown in the create's answer.
const IN_ANSWER: &str = "[fields.secret]\npath = \"$.secret\"\nin = [\"response\"]";
/// A secret shown at a resource of its own, read after the create.
const AT_RESOURCE: &str = "[resources.secret]\nget = { method = \"GET\", path = \
     \"/teams/{owner}/hooks/{id}/secret\" }\n\n[resources.secret.fields.secret]\npath = \"$.key\"";

/// The webhook as the vendor answers it, `team`'s, with the members `more` sets.
fn hook(team: &str, more: Value) -> Value {
    let mut hook = json!({"id": ID, "team": team, "url": "https://example.com/h",
        "events": ["wallet.balance_low"], "created_at": "2026-04-26T12:00:00Z",
        "updated_at": "2026-04-26T12:00:00Z"});
    for (k, v) in more.as_object().unwrap() {
        match v {
            Value::Null => drop(hook.as_object_mut().unwrap().remove(k)),
            v => hook[k] = v.clone(),
        }
    }
    hook
}

/// The gateway over `double` as upstream `up` of `minter` (`file`), with a Svix surface at
/// `/sv` and an AgentMessage surface at `/am` (of team `team-a`) in front of it.
async fn gateway(file: &str, double: &Double) -> (hookgate::app::Running, tempfile::TempDir) {
    gateway_with(file, double, "").await
}

/// [`gateway`] with the surfaces `more` configures too.
async fn gateway_with(
    file: &str,
    double: &Double,
    more: &str,
) -> (hookgate::app::Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    for name in ["svix", "agentmessage"] {
        std::fs::copy(
            format!("{MAPPINGS}/{name}.toml"),
            dir.path().join(format!("{name}.toml")),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("minter.toml"), file).unwrap();
    let gw = support::gateway(&format!(
        "mappings_dir = {:?}\n\
         [upstreams.up]\ndialect = \"minter\"\nbase_url = {:?}\nauth = {{ type = \"none\" }}\n\
         [surfaces.sv]\ndialect = \"svix\"\nupstream = \"up\"\nprefix = \"/sv\"\n\
         [surfaces.am]\ndialect = \"agentmessage\"\nupstream = \"up\"\nprefix = \"/am\"\nowner = \"{TEAM}\"\n\
         {more}[url_policy]\nallow_private = true\n",
        dir.path(),
        double.url()
    ))
    .await;
    // The secret is the vendor's, never the client's: the log audit is told of it.
    support::secrets::remember_request(&[], json!({ "secret": SECRET }).to_string().as_bytes());
    (gw, dir)
}

/// A create through each API: the canonical one, and each surface in its vendor's body.
async fn creates(addr: SocketAddr) -> Vec<(&'static str, support::Answer)> {
    let canonical = json!({"url": "https://example.com/h", "events": ["wallet.balance_low"]});
    let svix = json!({"url": "https://example.com/h", "filterTypes": ["wallet.balance_low"]});
    let agentmessage = json!({"url": "https://example.com/h", "events": ["wallet.balance_low"]});
    vec![
        (
            "canonical",
            send(addr, "POST", CANONICAL, &[], Some(&canonical)).await,
        ),
        (
            "svix",
            send(addr, "POST", SVIX, &[BEARER], Some(&svix)).await,
        ),
        (
            "agentmessage",
            send(addr, "POST", AGENTMESSAGE, &[BEARER], Some(&agentmessage)).await,
        ),
    ]
}

/// Asserts that each answer is a 502 in its API's own shape, that says the webhook was made
/// and shows it with its minted secret; what the log holds is checked with every exchange.
fn refused_with_the_secret(answers: &[(&str, support::Answer)], why: &str) {
    for (api, answer) in answers {
        ok(answer, 502, &format!("{api}: {why}"));
        let body = answer.json();
        let shape = match *api {
            "canonical" => body["code"] == "upstream_error",
            "svix" => body["code"].is_string() && body["detail"].is_string(),
            _ => body["success"] == false && body["error"]["message"].is_string(),
        };
        assert!(shape, "{api}: {why}: not its API's error: {body}");
        assert!(
            body.to_string()
                .contains(&format!("webhook {ID} was created")),
            "{api}: {why}: {body}"
        );
        assert_eq!(
            body["webhook"],
            json!({"id": ID, "secret": SECRET}),
            "{api}: {why}: {body}"
        );
    }
}

#[tokio::test]
async fn a_create_answered_as_another_owners_shows_the_secret_it_minted_on_every_api() {
    let double = Double::answering(|seen: &Seen| match seen.method.as_str() {
        "POST" => Reply::json(201, hook("team-b", json!({"secret": SECRET}))),
        _ => Reply::json(404, json!({"message": "not found"})),
    })
    .await;
    let (gw, _dir) = gateway(&minter(IN_ANSWER, ""), &double).await;
    let answers = creates(gw.addr).await;
    refused_with_the_secret(&answers, "a create answered as team-b's");
    for (api, answer) in &answers {
        let text = String::from_utf8_lossy(&answer.body).into_owned();
        assert!(text.contains("another owner"), "{api}: {text}");
    }
    let calls: Vec<String> = (double.seen().iter())
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert_eq!(calls, ["POST /teams/team-a/hooks"; 3]);
    gw.stop().await;
}

#[tokio::test]
async fn a_secret_minted_at_a_resource_of_its_own_is_shown_where_a_later_part_of_the_create_fails()
{
    // The read declared after the create fails, or answers another team's webhook.
    for read in [
        Reply::json(404, json!({"message": "not found"})),
        Reply::json(200, hook("team-b", json!({}))),
    ] {
        let double = Double::answering(move |seen: &Seen| {
            match (seen.method.as_str(), seen.path.as_str()) {
                ("POST", _) => Reply::json(201, hook(TEAM, json!({}))),
                ("GET", "/teams/team-a/hooks/h_1/secret") => {
                    Reply::json(200, json!({ "key": SECRET }))
                }
                _ => read.clone(),
            }
        })
        .await;
        let (gw, _dir) = gateway(&minter(AT_RESOURCE, "then = [\"get\"]"), &double).await;
        let answers = creates(gw.addr).await;
        refused_with_the_secret(&answers, "a read after the create refused");
        let calls: Vec<String> = (double.seen().iter())
            .map(|s| format!("{} {}", s.method, s.path))
            .collect();
        assert_eq!(
            calls[..3],
            [
                "POST /teams/team-a/hooks",
                "GET /teams/team-a/hooks/h_1/secret",
                "GET /teams/team-a/hooks/h_1"
            ],
            "the secret is read before the part that fails"
        );
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_create_a_surface_cannot_show_shows_the_secret_minted_for_it() {
    // Svix's endpoints always hold `createdAt`: a webhook answered without it is made all the
    // same, and cannot be shown.
    let double = Double::answering(|seen: &Seen| match seen.method.as_str() {
        "POST" => Reply::json(
            201,
            hook(TEAM, json!({"secret": SECRET, "created_at": null})),
        ),
        _ => Reply::json(404, json!({"message": "not found"})),
    })
    .await;
    let (gw, _dir) = gateway(&minter(IN_ANSWER, ""), &double).await;
    let svix = json!({"url": "https://example.com/h", "filterTypes": ["wallet.balance_low"]});
    let answer = send(gw.addr, "POST", SVIX, &[BEARER], Some(&svix)).await;
    let answers = [("svix", answer)];
    refused_with_the_secret(&answers, "a create Svix cannot show");
    let detail = answers[0].1.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("createdAt"), "{detail}");
    gw.stop().await;
}

/// The calls the vendor was sent, as `METHOD path`.
fn calls(double: &Double) -> Vec<String> {
    (double.seen().iter())
        .map(|s| format!("{} {}", s.method, s.path))
        .collect()
}

#[tokio::test]
async fn a_secret_minted_at_a_resource_of_its_own_is_read_before_a_webhook_of_another_owner_is_refused()
 {
    const SECRET_AT: &str = "GET /teams/team-a/hooks/h_1/secret";
    const READ: &str = "GET /teams/team-a/hooks/h_1";
    // What the create's answer and the read of the webhook answer, what the create declares
    // after it, and the calls of one create: the secret is read before the refusal, whether
    // the answer refused is the create's own or a read's declared before the secret's.
    let cases = [
        (hook("team-b", json!({})), None, "", vec![SECRET_AT]),
        (
            hook(TEAM, json!({})),
            Some(Reply::json(200, hook("team-b", json!({})))),
            "then = [\"get\", \"secret\"]",
            vec![READ, SECRET_AT],
        ),
        (
            hook("team-b", json!({})),
            Some(Reply::json(200, hook("team-b", json!({})))),
            "then = [\"get\", \"secret\"]",
            vec![SECRET_AT],
        ),
    ];
    for (created, read, then, after) in cases {
        let double = Double::answering(move |seen: &Seen| {
            match (seen.method.as_str(), seen.path.as_str()) {
                ("POST", _) => Reply::json(201, created.clone()),
                ("GET", "/teams/team-a/hooks/h_1/secret") => {
                    Reply::json(200, json!({ "key": SECRET }))
                }
                _ => read
                    .clone()
                    .unwrap_or_else(|| Reply::json(404, json!({"message": "not found"}))),
            }
        })
        .await;
        let (gw, _dir) = gateway(&minter(AT_RESOURCE, then), &double).await;
        let answers = creates(gw.addr).await;
        let why = format!("a create answered as another team's ({then})");
        refused_with_the_secret(&answers, &why);
        let one: Vec<&str> = std::iter::once("POST /teams/team-a/hooks")
            .chain(after.iter().copied())
            .collect();
        assert_eq!(calls(&double), one.repeat(3), "{why}");
        gw.stop().await;
    }
}

#[tokio::test]
async fn a_secret_shown_for_another_owners_webhook_is_kept_for_no_owner() {
    // A surface of the upstream's own dialect, which relays its client's create as written.
    let relay = "[surfaces.mi]\ndialect = \"minter\"\nupstream = \"up\"\nprefix = \"/mi\"\n";
    let relayed = json!({"url": "https://example.com/h", "events": ["wallet.balance_low"]});
    for api in ["canonical", "svix", "agentmessage", "relayed"] {
        // The create is answered as team-b's; a later read under team-a finds a webhook of
        // that id there.
        let double = Double::answering(|seen: &Seen| match seen.method.as_str() {
            "POST" => Reply::json(201, hook("team-b", json!({"secret": SECRET}))),
            _ => Reply::json(200, hook(TEAM, json!({}))),
        })
        .await;
        let (gw, _dir) = gateway_with(&minter(IN_ANSWER, ""), &double, relay).await;
        let created = match api {
            "relayed" => {
                send(
                    gw.addr,
                    "POST",
                    "/mi/teams/team-a/hooks",
                    &[BEARER],
                    Some(&relayed),
                )
                .await
            }
            _ => {
                (creates(gw.addr).await.into_iter())
                    .find(|(name, _)| *name == api)
                    .unwrap()
                    .1
            }
        };
        let shown = String::from_utf8_lossy(&created.body).into_owned();
        assert!(
            shown.contains(SECRET),
            "{api}: shown to the client that made it: {shown}"
        );
        let read = send(
            gw.addr,
            "GET",
            &format!("{SVIX}/{ID}/secret"),
            &[BEARER],
            None,
        )
        .await;
        let text = String::from_utf8_lossy(&read.body).into_owned();
        assert!(
            !text.contains(SECRET) && read.status != 200,
            "{api}: a read under team-a showed team-b's secret: {} {text}",
            read.status
        );
        gw.stop().await;
    }
}
