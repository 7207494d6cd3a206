//! Mapping files refused with what their author can act on: a value of none of the shapes a
//! key takes names the shapes taken; a table given but wrong is refused for what is wrong in it
//! alone, never as missing too; a number out of range is said to be so. Over test-local copies
//! of `tests/dialects/relay.toml`.

mod support;

const RELAY: &str = include_str!("dialects/relay.toml");

/// What relay's file is refused with once each `(from, to)` edit is made.
fn refused(edits: &[(&str, &str)]) -> Vec<String> {
    let mut text = RELAY.to_owned();
    for (from, to) in edits {
        let edited = text.replacen(from, to, 1);
        assert_ne!(text, edited, "relay.toml holds no {from:?}");
        text = edited;
    }
    support::refused_mapping("relay", &text)
}

/// The one refusal of relay's file with `edits`, which must say `says`.
fn refused_once(edits: &[(&str, &str)], says: &str) {
    let errors = refused(edits);
    assert_eq!(errors.len(), 1, "{edits:?}: {errors:#?}");
    assert!(errors[0].contains(says), "{edits:?}: {errors:#?}");
}

const OWNER: &str = "owner = \"project\"\n";

/// `tests/dialects/beacon.toml`, a dialect with resources and reads after its changes.
const BEACON: &str = include_str!("dialects/beacon.toml");

/// Where relay's `[errors]` begins, before which [`TEST`] is put.
const ERRORS: &str = "\n[errors]\nmessage";

/// A test delivery of relay's, and the result it answers.
const TEST: &str = "\n[test_result.delivered]\npath = \"$.ok\"\n\n[operations.test]\nmethod = \"POST\"\npath = \"/projects/{owner}/hooks/{id}/test\"\nresponse = { result = \"{{result}}\" }\n";

#[test]
fn a_format_of_no_shape_taken_names_the_shapes_taken() {
    let taken = "expected `uuid`, `integer`, `token` or `{ pattern = \"REGEX\" }`";
    for (line, found) in [
        ("id_format = \"ulid\"", "`\"ulid\"`"),
        ("owner_format = \"UUID\"", "`\"UUID\"`"),
        ("id_format = 5", "`5`"),
        ("id_format = { regex = \"[0-9]+\" }", "a table"),
        ("owner_format = [\"uuid\"]", "a list"),
    ] {
        let with = format!("{OWNER}{line}\n");
        refused_once(&[(OWNER, &with)], &format!("{found}: {taken}"));
    }
}

#[test]
fn other_values_of_several_shapes_name_the_shapes_taken() {
    let update = "strategy = \"read_merge_write\"\n";
    for (from, to, taken) in [
        (
            update,
            "strategy = \"read_merge_write\"\nupsert = \"newid\"\n",
            "`\"newid\"`: expected `true`, `false`, `\"given_id\"` or `\"new_id\"`",
        ),
        (
            "query = { page_size",
            "order = { ascending = 1, descending = \"desc\" }\nquery = { order = \"{{order}}\", page_size",
            "`1`: expected a word",
        ),
        (
            "query = { page_size",
            "link_ends = { more = 1 }\nquery = { page_size",
            "`1`: expected the parameter's text on the last page",
        ),
    ] {
        refused_once(&[(from, to)], taken);
    }
}

#[test]
fn a_get_refused_for_its_path_is_not_said_to_be_missing() {
    let path = "path = \"/projects/{owner}/hooks/{id}\"\nresponse = { hook";
    for (wrong, says) in [
        ("/projects/{owner}//hooks/{id}", "empty segment"),
        ("/projects/{owner}/./hooks/{id}", "dot segment"),
        ("/projects/{owner}/hooks/{hook}", "{hook}"),
    ] {
        let to = format!("path = \"{wrong}\"\nresponse = {{ hook");
        let errors = refused(&[(path, &to)]);
        assert!(
            errors.iter().all(|e| !e.contains("is required")),
            "{wrong}: {errors:#?}"
        );
        assert!(
            errors.iter().any(|e| e.contains(says)),
            "{wrong}: {errors:#?}"
        );
    }
}

#[test]
fn a_default_render_refused_for_its_body_is_not_said_to_be_missing() {
    for (from, to) in [
        (
            "text = \"{{message}}\" } }\n\n[[examples]]",
            "text = \"{{message}\" } }\n\n[[examples]]",
        ),
        ("kind = \"{{code}}\"", "kind = { \"$switch\" = 1 }"),
    ] {
        let errors = refused(&[(from, to)]);
        assert_eq!(errors.len(), 1, "{to}: {errors:#?}");
        assert!(
            errors[0].contains("errors.render.default.body"),
            "{errors:#?}"
        );
    }
}

#[test]
fn a_read_that_reads_itself_again_is_told_so() {
    for then in ["[\"get\"]", "[\"get\", \"get\"]"] {
        let to = format!(
            "response = {{ hook = \"{{{{webhook}}}}\" }}\nthen = {then}\n\n[operations.create]"
        );
        let errors = refused(&[(
            "response = { hook = \"{{webhook}}\" }\n\n[operations.create]",
            &to,
        )]);
        assert!(!errors.is_empty());
        for e in &errors {
            assert!(
                e.contains(
                    "operations.get.then: `get`: a read cannot read the webhook again after itself"
                ),
                "{errors:#?}"
            );
        }
    }
}

/// `then` on an operation whose answer is no webhook a read could complete (a list's, a
/// test's, a delete's), or naming a resource on a read, is refused, naming the operation and
/// the operations it stands on, rather than loaded and laid out nowhere (or a list's page read
/// as a webhook). A change's `then` still loads (`beacon.toml`'s `replace` and
/// `rotate_secret`).
#[test]
fn then_where_it_means_nothing_says_where_it_stands() {
    let stands = "and stands on `create`, `update`, `replace`, `rotate_secret`, `toggle`, `enable` and `disable` alone";
    let list = "response = { hooks = \"{{items}}\", next = \"{{next_cursor|null}}\" }\n";
    let delete = "status = 204\n";
    let errors = ERRORS;
    let test = TEST;
    let relay_cases = [
        (list, format!("{list}then = [\"get\"]\n"), "list"),
        (list, format!("{list}then = [\"get\", \"get\"]\n"), "list"),
        (list, format!("{list}then = [\"signing\"]\n"), "list"),
        (delete, format!("{delete}then = [\"get\"]\n"), "delete"),
        (errors, format!("{test}then = [\"get\"]\n{errors}"), "test"),
    ];
    for (from, to, name) in &relay_cases {
        let says = format!("operations.{name}.then: means nothing on `{name}`");
        refused_once(&[(from, to)], &says);
        refused_once(&[(from, to)], stands);
    }
    // The test operation itself loads without `then`.
    let text = RELAY.replacen(errors, &format!("{test}{errors}"), 1);
    assert_ne!(text, RELAY);
    hookgate::mapping::compile::compile("relay", std::path::Path::new("relay.toml"), &text)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let get = "path = \"/workspaces/{owner}/subscriptions/{id}\"\nresponse = \"{{webhook}}\"\n";
    let beacon_list = "has_more = \"{{has_more}}\" }\n";
    for (from, to, name, why) in [
        (
            get,
            format!("{get}then = [\"signing\"]\n"),
            "get",
            "`read_with_webhook = true`",
        ),
        (
            get,
            format!("{get}then = [\"get\", \"headers\"]\n"),
            "get",
            "`read_with_webhook = true`",
        ),
        (
            beacon_list,
            format!("{beacon_list}then = [\"headers\"]\n"),
            "list",
            "a list's items are read from its answer",
        ),
    ] {
        let edited = BEACON.replacen(from, &to, 1);
        assert_ne!(edited, BEACON, "beacon.toml holds no {from:?}");
        let errors = support::refused_mapping("beacon", &edited);
        assert_eq!(errors.len(), 1, "{to}: {errors:#?}");
        let says = format!("operations.{name}.then: means nothing on `{name}`");
        for part in [says.as_str(), stands, why] {
            assert!(errors[0].contains(part), "{to}: {errors:#?}");
        }
    }
    hookgate::mapping::compile::compile("beacon", std::path::Path::new("beacon.toml"), BEACON)
        .unwrap_or_else(|e| panic!("{e:?}"));
}

#[test]
fn an_emulated_id_length_out_of_range_is_said_to_be_so() {
    for (length, says) in [
        ("5", "5 is out of range: 6 to 64"),
        ("65", "65 is out of range: 6 to 64"),
        ("0", "0 is out of range: 6 to 64"),
        ("\"six\"", "\"six\" is no length: an integer, 6 to 64"),
        ("-1", "-1 is no length"),
    ] {
        let to = format!("id = {{ length = {length} }}");
        refused_once(
            &[("id = \"integer\"", &to)],
            &format!("emulator.id.length: {says}"),
        );
    }
    let errors = refused(&[("id = \"integer\"", "id = { prefix = \"h_\" }")]);
    assert!(
        errors[0].contains("emulator.id.length: is required"),
        "{errors:#?}"
    );
}

#[test]
fn a_switch_on_nothing_is_told_to_name_a_value() {
    for on in ["\"\"", "\" \""] {
        let to = format!("kind = {{ \"$switch\" = {on}, \"$default\" = \"x\" }}");
        refused_once(
            &[("kind = \"{{code}}\"", &to)],
            "`$switch` must name a value",
        );
    }
}

#[test]
fn a_rule_that_reads_into_an_array_where_an_object_is_is_refused() {
    let resource = "\n[resources.kinds]\nget = { method = \"GET\", path = \"/projects/{owner}/hooks/{id}/kinds\", response = { types = \"{{resource}}\" } }\n\n[resources.kinds.fields.\"extensions.kinds\"]\npath = \"$[0].type\"\n\n[errors]";
    refused_once(
        &[("\n[errors]", resource)],
        "resources.kinds.fields.extensions.kinds: `$[0].type` reads an item of an array, but the object its rules read (a webhook, a resource, a test's result) is an object",
    );
    refused_once(
        &[("path = \"$.label\"", "path = \"$[1]\"")],
        "fields.description: `$[1]` reads an item of an array",
    );
}

#[tokio::test]
async fn a_vendor_that_answers_a_list_where_a_resource_is_is_told_what_a_resource_is() {
    let resource = "\n[resources.kinds]\nread_with_webhook = true\nget = { method = \"GET\", path = \"/projects/{owner}/hooks/{id}/kinds\", response = { types = \"{{resource}}\" } }\n\n[resources.kinds.fields.\"extensions.kind\"]\npath = \"$.type\"\n\n[errors]";
    let dir = support::dialects_with(&[("relay", "\n[errors]", resource)]);
    let hook = serde_json::json!({"hook": {"hook_id": 7, "project": "p1", "target": {"url": "https://example.com/h"},
        "topics": ["a.b"], "disabled": false, "state": "live"}});
    for listed in [
        serde_json::json!([{"type": "a.b"}]),
        serde_json::json!("a.b"),
        serde_json::json!(3),
    ] {
        let vendor = support::Double::start(vec![
            support::Reply::json(200, hook.clone()),
            support::Reply::json(200, serde_json::json!({"types": listed})),
        ])
        .await;
        let gw = support::gateway_over(dir.path().to_str().unwrap(), "relay", &vendor).await;
        let got = support::send(
            gw.addr,
            "GET",
            "/v1/upstreams/relay/owners/p1/webhooks/7",
            &[],
            None,
        )
        .await;
        support::ok(&got, 502, "a resource answered as no object");
        let detail = got.json()["detail"].as_str().unwrap().to_owned();
        assert!(
            detail.contains("whose kinds is") && detail.contains("where its mapping file places a resource: an object, whose members its rules read"),
            "{listed}: {detail}"
        );
    }
}

#[test]
fn an_example_null_a_rule_drops_is_told_the_fix() {
    let at = RELAY.find("[[examples]]").unwrap();
    let rule = "[fields.\"extensions.disabled_until\"]\npath = \"$.disabled_until\"\nin = [\"response\"]\n\n[fields.timeout_seconds]";
    for example in [
        r#"{"hook_id": 7, "project": "p1", "topics": ["a.b"], "disabled": false, "state": "live", "target": {"url": "https://example.com/h"}, "disabled_until": null}"#,
        r#"{"hook_id": 7, "project": "p1", "topics": ["a.b"], "disabled": true, "state": "paused", "target": {"url": "https://example.com/h"}, "label": "x", "disabled_until": null}"#,
    ] {
        let text = format!("examples = ['''{example}''']\n{}", &RELAY[..at]).replacen(
            "[fields.timeout_seconds]",
            rule,
            1,
        );
        let dialect =
            hookgate::mapping::Dialect::compile("relay", std::path::Path::new("relay.toml"), &text)
                .unwrap();
        let problems = hookgate::examples::round_trip_all(std::iter::once(&dialect));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("`disabled_until` is lost (the example's is null): a rule that reads it keeps a `null` the vendor answers with `nullable = true`"),
            "{problems:?}"
        );
    }
}

/// A list's `response` that places `{{next_cursor}}` at two places (a vendor's bare cursor
/// beside its next page's URL, Zendesk's `meta.after_cursor` and `links.next`) is refused,
/// saying why and what to write at the other: a reader reads one, and emulators and surfaces
/// would write one value at both.
#[test]
fn a_cursor_placed_twice_is_told_to_place_it_once() {
    let list = "response = { hooks = \"{{items}}\", next = \"{{next_cursor|null}}\" }";
    let fix = "and write `\"{{null}}\"` at the other";
    for (to, first, second, written) in [
        (
            "next = \"url\"\nresponse = { hooks = \"{{items}}\", meta = { after_cursor = \"{{next_cursor|null}}\" }, links = { next = \"{{next_cursor|null}}\" } }",
            "$.meta.after_cursor",
            "$.links.next",
            "the next page's URL",
        ),
        (
            "response = { hooks = \"{{items}}\", next = \"{{next_cursor}}\", cursor = \"{{next_cursor}}\" }",
            "$.next",
            "$.cursor",
            "the one cursor",
        ),
        (
            "response = { hooks = \"{{items}}\", pages = [\"{{next_cursor}}\", \"{{next_cursor|null}}\"] }",
            "$.pages[0]",
            "$.pages[1]",
            "the one cursor",
        ),
        (
            "response = { hooks = \"{{items}}\", next = \"{{next_cursor}}\", page = { \"$switch\" = \"operation\", list = { after = \"{{next_cursor}}\" }, \"$default\" = \"{{null}}\" } }",
            "$.next",
            "$.page.after",
            "the one cursor",
        ),
    ] {
        let says = format!(
            "operations.list.response: `{{{{next_cursor}}}}` stands at `{first}` and at `{second}`: an answer's cursor is read at one place, and emulators and surfaces would write {written}"
        );
        refused_once(&[(list, to)], &says);
        refused_once(&[(list, to)], fix);
    }
    // Cases of a `$switch` that place it at one place place it once.
    let once = "response = { hooks = \"{{items}}\", page = { \"$switch\" = \"operation\", list = { after = \"{{next_cursor}}\" }, \"$default\" = { after = \"{{next_cursor}}\" } } }";
    let text = RELAY.replacen(list, once, 1);
    assert_ne!(text, RELAY);
    hookgate::mapping::compile::compile("relay", std::path::Path::new("relay.toml"), &text)
        .unwrap_or_else(|e| panic!("{e:?}"));
}

/// Every placeholder read back from an answer or a body (a read's `{{webhook}}`, a list's
/// `{{items}}`, a write's `{{webhook}}`, a rotation's `{{secret}}`) placed at two places is
/// refused, naming it, the operation and both places: it is read at one, and what a vendor
/// or a client wrote at the other would be lost.
#[test]
fn a_placeholder_read_back_placed_twice_is_told_to_place_it_once() {
    let get = "response = { hook = \"{{webhook}}\" }\n\n[operations.create]";
    let create = "body = { hook = \"{{webhook}}\" }\nstatus = 201";
    let update = "body = { hook = \"{{webhook}}\" }\nstrategy";
    let list = "response = { hooks = \"{{items}}\", next";
    let rotation = "[operations.delete]\nmethod = \"DELETE\"\npath = \"/projects/{owner}/hooks/{id}\"\nstatus = 204\n";
    let errors = ERRORS;
    let test = TEST;
    let with_rotation = |body: &str| {
        format!(
            "{rotation}\n[operations.rotate_secret]\nmethod = \"POST\"\npath = \"/projects/{{owner}}/hooks/{{id}}/rotate\"\nbody = {body}\nthen = [\"get\"]\n"
        )
    };
    for (from, to, says) in [
        (
            get.to_owned(),
            "response = { hook = \"{{webhook}}\", data = \"{{webhook}}\" }\n\n[operations.create]".to_owned(),
            "operations.get.response: `{{webhook}}` stands at `$.hook` and at `$.data`",
        ),
        (
            get.to_owned(),
            "response = { hook = \"{{webhook}}\", meta = { \"$switch\" = \"operation\", get = { again = \"{{webhook}}\" }, \"$default\" = { again = \"{{webhook}}\" } } }\n\n[operations.create]".to_owned(),
            "operations.get.response: `{{webhook}}` stands at `$.hook` and at `$.meta.again`",
        ),
        (
            create.to_owned(),
            "body = { hook = \"{{webhook}}\", copy = [\"{{webhook}}\"] }\nstatus = 201".to_owned(),
            "operations.create.body: `{{webhook}}` stands at `$.hook` and at `$.copy[0]`",
        ),
        (
            update.to_owned(),
            "body = { \"$spread\" = \"{{webhook}}\", hook = \"{{webhook}}\" }\nstrategy".to_owned(),
            "operations.update.body: `{{webhook}}` stands at `$` and at `$.hook`",
        ),
        (
            list.to_owned(),
            "response = { hooks = \"{{items}}\", all = { hooks = \"{{items}}\" }, next".to_owned(),
            "operations.list.response: `{{items}}` stands at `$.hooks` and at `$.all.hooks`",
        ),
        (
            list.to_owned(),
            "response = { pages = [\"{{items}}\", \"{{items|[]}}\"], next".to_owned(),
            "operations.list.response: `{{items}}` stands at `$.pages[0]` and at `$.pages[1]`",
        ),
        (
            rotation.to_owned(),
            with_rotation("{ secret = \"{{secret}}\", confirm = \"{{secret}}\" }"),
            "operations.rotate_secret.body: `{{secret}}` stands at `$.secret` and at `$.confirm`",
        ),
        (
            errors.to_owned(),
            format!("{test}body = {{ url = \"{{{{current.url}}}}\", target = {{ url = \"{{{{current.url}}}}\" }} }}\n{errors}"),
            "operations.test.body: `{{current.url}}` stands at `$.url` and at `$.target.url`",
        ),
    ] {
        refused_once(&[(&from, &to)], says);
        refused_once(&[(&from, &to)], "it is read at one place");
    }
    // A resource's `{{resource}}` (`beacon.toml`'s headers, read with the webhook).
    let read = "response = { headers = \"{{resource}}\" } }";
    let twice = "response = { headers = \"{{resource}}\", all = \"{{resource}}\" } }";
    let edited = BEACON.replacen(read, twice, 1);
    assert_ne!(edited, BEACON);
    let refused = support::refused_mapping("beacon", &edited);
    assert_eq!(refused.len(), 1, "{refused:#?}");
    let says =
        "resources.headers.get.response: `{{resource}}` stands at `$.headers` and at `$.all`";
    assert!(refused[0].contains(says), "{refused:#?}");
    // Placed once beside placeholders that are only written, it loads.
    let once = "response = { hook = \"{{webhook}}\", id = \"{{webhook.id}}\", request = \"{{request_id}}\" }\n\n[operations.create]";
    let text = RELAY.replacen(get, once, 1);
    assert_ne!(text, RELAY);
    hookgate::mapping::compile::compile("relay", std::path::Path::new("relay.toml"), &text)
        .unwrap_or_else(|e| panic!("{e:?}"));
}

/// A placeholder that has a value in other places only (`{{idempotency_key}}` in a
/// rotation's body, `{{secret}}` in a create's) is refused saying where it may stand, not
/// said to be unknown; one that has a value nowhere is unknown.
#[test]
fn a_placeholder_of_other_places_says_where_it_stands() {
    let delete = "[operations.delete]\nmethod = \"DELETE\"\npath = \"/projects/{owner}/hooks/{id}\"\nstatus = 204\n";
    let rotation = format!(
        "{delete}\n[operations.rotate_secret]\nmethod = \"POST\"\npath = \"/projects/{{owner}}/hooks/{{id}}/rotate\"\nbody = {{ key = \"{{{{idempotency_key}}}}\" }}\nthen = [\"get\"]\n"
    );
    let key = "`{{idempotency_key}}` has no value here: it stands in the `body` of `create` alone";
    let create =
        "body = { hook = \"{{webhook}}\" }\nstatus = 201\nresponse = { hook = \"{{webhook}}\" }";
    let update = "body = { hook = \"{{webhook}}\" }\nstrategy";
    let deleted = format!("{delete}body = {{ hook = \"{{{{webhook}}}}\" }}\n");
    let unknown = format!("{delete}body = {{ x = \"{{{{nope}}}}\" }}\n");
    for (from, to, says) in [
        (
            delete,
            rotation.as_str(),
            format!("operations.rotate_secret.body: {key}"),
        ),
        (
            update,
            "body = { hook = \"{{webhook}}\", idempotency_key = \"{{idempotency_key}}\" }\nstrategy",
            format!("operations.update.body: {key}"),
        ),
        (
            create,
            "body = { hook = \"{{webhook}}\" }\nstatus = 201\nresponse = { hook = \"{{webhook}}\", key = \"{{idempotency_key}}\" }",
            format!("operations.create.response: {key}"),
        ),
        (
            create,
            "body = { hook = \"{{webhook}}\", key = \"{{secret}}\" }\nstatus = 201\nresponse = { hook = \"{{webhook}}\" }",
            "operations.create.body: `{{secret}}` has no value here: it stands in the `body` of `rotate_secret` alone".to_owned(),
        ),
        (
            delete,
            deleted.as_str(),
            "operations.delete.body: `{{webhook}}` has no value here: it stands in the `body` of `create`, `update` and `replace`".to_owned(),
        ),
        (
            delete,
            unknown.as_str(),
            "operations.delete.body: unknown placeholder `{{nope}}`".to_owned(),
        ),
    ] {
        refused_once(&[(from, to)], &says);
    }
}

/// An answer that does not hold its item is told to read it after (`then = ["get"]`) only
/// where such a read completes it, a change of one webhook's; a read, a create and a list are
/// told to place it, and following the hint where it is given loads.
#[test]
fn a_missing_item_is_told_to_read_it_after_only_where_that_applies() {
    let get = "response = { hook = \"{{webhook}}\" }\n\n[operations.create]";
    let create = "status = 201\nresponse = { hook = \"{{webhook}}\" }";
    let list = "response = { hooks = \"{{items}}\", next = \"{{next_cursor|null}}\" }";
    let update = "strategy = \"read_merge_write\"\nresponse = { hook = \"{{webhook}}\" }";
    for (from, to, says) in [
        (
            get,
            "\n[operations.create]",
            "operations.get: needs a `response` template that places `{{webhook}}`",
        ),
        (
            get,
            "response = { other = \"{{request_id}}\" }\n\n[operations.create]",
            "operations.get.response: must place `{{webhook}}`",
        ),
        (
            create,
            "status = 201",
            "operations.create: needs a `response` template that places `{{webhook}}` (or `response_headers` where a header names its id)",
        ),
        (
            create,
            "status = 201\nresponse = {}",
            "operations.create.response: must place `{{webhook}}`",
        ),
        (
            list,
            "response = { next = \"{{next_cursor|null}}\" }",
            "operations.list.response: must place `{{items}}`",
        ),
    ] {
        let errors = refused(&[(from, to)]);
        assert_eq!(errors.len(), 1, "{to}: {errors:#?}");
        assert!(errors[0].ends_with(says), "{to}: {errors:#?}");
    }
    // A change of one webhook is told, and following the hint loads.
    for (to, says) in [
        (
            "strategy = \"read_merge_write\"",
            "operations.update: needs a `response` template (or, for an answer without the webhook, `then = [\"get\"]`, or `response_headers` where a header names its id)",
        ),
        (
            "strategy = \"read_merge_write\"\nresponse = {}",
            "operations.update.response: must place `{{webhook}}` (or read it after: `then = [\"get\"]`)",
        ),
    ] {
        refused_once(&[(update, to)], says);
        let text = RELAY.replacen(update, &format!("{to}\nthen = [\"get\"]"), 1);
        hookgate::mapping::compile::compile("relay", std::path::Path::new("relay.toml"), &text)
            .unwrap_or_else(|e| panic!("{to}: {e:?}"));
    }
}
