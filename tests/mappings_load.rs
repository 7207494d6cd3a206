//! The shipped mapping files load, and broken ones are reported with file and key.

use hookgate::mapping::{Dialect, load_dir};
use std::path::Path;

#[test]
fn shipped_mapping_files_compile() {
    let dialects = load_dir(Path::new("mappings")).unwrap_or_else(|errors| {
        panic!(
            "{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let names: Vec<_> = dialects.iter().map(|d| d.name.clone()).collect();
    let mut files: Vec<String> = std::fs::read_dir("mappings")
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            (path.extension()? == "toml").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    files.sort();
    assert_eq!(names, files, "one dialect per mapping file, in name order");
}

#[test]
fn a_broken_file_names_file_and_key() {
    let text = r#"
[dialect]
base_path = "/x"
[fields.colour]
path = "$.c"
[fields.url]
path = "$.u[*]"
[operations.get]
method = "GET"
path = "/w/{id}"
response = "{{webhook}}"
[errors]
[errors.render.default]
body = { message = "{{mesage}}" }
"#;
    let errors = Dialect::compile("broken", Path::new("broken.toml"), text).unwrap_err();
    let keys: Vec<_> = errors.iter().map(|e| e.key.as_str()).collect();
    assert!(keys.contains(&"fields.colour"), "{keys:?}");
    assert!(keys.contains(&"fields.url.path"), "{keys:?}");
    assert!(keys.contains(&"errors.render.default.body"), "{keys:?}");
    assert!(errors.iter().all(|e| e.file == Path::new("broken.toml")));
}

/// The smallest mapping file that loads, with `fields` among its fields and `operations`
/// beside its `get`.
fn minimal(fields: &str, operations: &str) -> String {
    format!(
        r#"
[dialect]
base_path = "/x"
[fields.url]
path = "$.url"
{fields}
[operations.get]
method = "GET"
path = "/w/{{id}}"
response = "{{{{webhook}}}}"
{operations}
[errors]
[errors.render.default]
body = {{ message = "{{{{message}}}}" }}
"#
    )
}

#[test]
fn a_chosen_secret_has_its_place_in_a_rotation_body_only() {
    let file = |body: &str, operation: &str| {
        minimal(
            "",
            &format!(
                "[operations.{operation}]\nmethod = \"POST\"\npath = \"/w/{{id}}/do\"\n\
                 body = {body}\nresponse = \"{{{{webhook}}}}\""
            ),
        )
    };
    for body in [
        r#"{ key = "{{secret}}" }"#,
        r#"{ a = { b = "{{secret}}" } }"#,
    ] {
        let text = file(body, "rotate_secret");
        let dialect = Dialect::compile("d", Path::new("d.toml"), &text).unwrap_or_else(|e| {
            panic!("{body}: {}", e[0]);
        });
        let rotation = dialect
            .operation(hookgate::model::Action::RotateSecret)
            .unwrap();
        let template = rotation.body.as_ref().unwrap();
        assert!(template.slots().contains(&"secret"), "{body}");
        assert!(template.path_of("secret").is_some(), "{body}");
    }
    for operation in ["test", "create", "delete"] {
        let text = file(r#"{ key = "{{secret}}" }"#, operation);
        let errors = Dialect::compile("d", Path::new("d.toml"), &text).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.key == format!("operations.{operation}.body")
                    && e.message.contains("{{secret}}")),
            "{operation}: {errors:?}"
        );
    }
}

#[test]
fn a_rule_reading_the_object_that_holds_the_secret_whole_is_refused() {
    let file = |beside: &str| {
        let fields =
            format!("[fields.secret]\npath = \"$.auth.signing.key\"\nin = [\"request\"]\n{beside}");
        minimal(&fields, "")
    };
    // Read back whatever `in` says: every rule but the secret's is.
    for (name, path, way) in [
        ("extensions.auth", "$.auth", "response"),
        ("extensions.signing", "$.auth.signing", "response"),
        ("description", "$.auth", "response"),
        ("extensions.key", "$.auth.signing.key", "response"),
        ("extensions.auth", "$.auth", "request"),
    ] {
        let text = file(&format!(
            "[fields.\"{name}\"]\npath = \"{path}\"\nin = [\"{way}\"]"
        ));
        let errors = Dialect::compile("d", Path::new("d.toml"), &text).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.key == format!("fields.{name}") && e.message.contains("secret")),
            "{name} at {path} ({way}): {errors:?}"
        );
    }
    // Members beside the secret are fine.
    for (name, path) in [
        ("extensions.scheme", "$.auth.scheme"),
        ("extensions.algorithm", "$.auth.signing.algorithm"),
        ("description", "$.auth.label"),
    ] {
        let text = file(&format!("[fields.\"{name}\"]\npath = \"{path}\""));
        if let Err(errors) = Dialect::compile("d", Path::new("d.toml"), &text) {
            panic!("{name} at {path}: {errors:?}");
        }
    }
}

#[test]
fn an_emulator_mints_ids_the_vendor_would() {
    let with = |dialect: &str, emulator: &str| {
        minimal("", "").replacen(
            "[dialect]\n",
            &format!("{emulator}\n[dialect]\n{dialect}\n"),
            1,
        )
    };
    let loads = |text: &str| Dialect::compile("x", Path::new("x.toml"), text);
    for (dialect, emulator, says) in [
        (
            "",
            "[emulator]\nid = { alphabet = \"base32\", length = 24 }",
            "emulator.id.alphabet",
        ),
        (
            "",
            "[emulator]\nid = { alphabet = \"hex\" }",
            "emulator.id.length",
        ),
        ("", "[emulator]\nid = { length = 65 }", "emulator.id.length"),
        ("", "[emulator]\nid = { length = 5 }", "emulator.id.length"),
        (
            "",
            "[emulator]\nid = { length = 24, size = 3 }",
            "unknown key `size`",
        ),
        ("", "[emulator]\nid = 24", "emulator.id"),
        (
            "id_format = { pattern = \"[0-9a-f]{24}\" }",
            "[emulator]\nid = { length = 32 }",
            "emulator.id: mints ids such as `00000000000000000000000000000000`, which are not of `dialect.id_format`",
        ),
        // With no `[emulator] id`, the words name the default and what to add, never a key
        // the file does not have.
        (
            "id_format = \"integer\"",
            "",
            "dialect.id_format: the emulator mints ids such as \
             `00000000-0000-0000-0000-000000000000` (the default, `uuid`: there is no \
             `[emulator] id`), which are not of this format; add `[emulator] id = \"integer\"`",
        ),
        (
            "id_format = { pattern = \"[1-9][0-9]*\" }",
            "[emulator]\nsecret = \"hex\"",
            "dialect.id_format: the emulator mints ids such as `00000000-0000-0000-0000-000000000000` \
             (the default, `uuid`: there is no `[emulator] id`), which are not of this format; \
             add `[emulator] id = \"integer\"`",
        ),
        (
            "id_format = { pattern = \"we_[0-9a-f]{32}\" }",
            "",
            "dialect.id_format: the emulator mints ids such as `00000000-0000-0000-0000-000000000000` \
             (the default, `uuid`: there is no `[emulator] id`), which are not of this format; \
             add an `id` under `[emulator]` that mints ids of this format \
             (`\"prefix:TEXT\"` or `{ prefix, alphabet, length }`)",
        ),
    ] {
        let errors = loads(&with(dialect, emulator)).expect_err(says);
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(shown.iter().any(|e| e.contains(says)), "{says}: {shown:?}");
    }
    for (id, prefix, chars) in [
        (
            "{ prefix = \"WH-\", alphabet = \"upper_alnum\", length = 17 }",
            "WH-",
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        ),
        ("{ alphabet = \"digits\", length = 12 }", "", "0123456789"),
        (
            "{ prefix = \"ntfset_\", alphabet = \"lower_alnum\", length = 26 }",
            "ntfset_",
            "0123456789abcdefghijklmnopqrstuvwxyz",
        ),
        (
            "{ prefix = \"we_\", alphabet = \"alnum\", length = 24 }",
            "we_",
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        ),
    ] {
        let text = with("", &format!("[emulator]\nid = {id}"));
        let dialect = loads(&text).unwrap_or_else(|e| panic!("{id}: {e:?}"));
        let first = dialect.emulator.ids.first();
        let drawn = first.strip_prefix(prefix).unwrap();
        assert!(drawn.chars().all(|c| chars.contains(c)), "{first}");
    }
}

#[test]
fn two_calls_of_one_method_and_path_are_refused() {
    let op = |name: &str, method: &str, path: &str, extra: &str| {
        format!(
            "[operations.{name}]\nmethod = \"{method}\"\npath = \"{path}\"\n{extra}response = \"{{{{webhook}}}}\"\n"
        )
    };
    let clashes = [
        // One verb for both directions, told apart by its body only.
        (
            op("enable", "POST", "/w/{id}/switch", "body = { on = true }\n")
                + &op(
                    "disable",
                    "POST",
                    "/w/{id}/switch",
                    "body = { on = false }\n",
                ),
            "operations.enable",
        ),
        // A placeholder of another name stands where the id stands.
        (
            op("update", "PATCH", "/w/{id}", "body = \"{{webhook}}\"\n")
                + &op("test", "PATCH", "/w/{id}", ""),
            "operations.test",
        ),
        // The get's own path, for another verb.
        (op("delete", "GET", "/w/{id}", ""), "operations.delete"),
    ];
    for (operations, by) in clashes {
        let text = minimal("", &operations);
        let errors = Dialect::compile("clash", Path::new("clash.toml"), &text).unwrap_err();
        let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            said.iter()
                .any(|e| e.contains(".path") && e.contains("method and path") && e.contains(by)),
            "{operations}: {said:?}"
        );
    }
    // Told apart by the method, by a literal segment, or by an id carried in the query.
    for operations in [
        op("enable", "POST", "/w/{id}/on", "") + &op("disable", "POST", "/w/{id}/off", ""),
        op("update", "PATCH", "/w/{id}", "body = \"{{webhook}}\"\n")
            + &op("replace", "PUT", "/w/{id}", "body = \"{{webhook}}\"\n"),
        op("list", "GET", "/w", "").replace(
            "response = \"{{webhook}}\"",
            "response = { data = \"{{items}}\" }",
        ) + &op("delete", "GET", "/w/{id}/delete", ""),
    ] {
        let text = minimal("", &operations);
        if let Err(errors) = Dialect::compile("apart", Path::new("apart.toml"), &text) {
            let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("{operations}: {said:?}");
        }
    }
}

#[test]
fn a_codec_whose_value_cannot_be_its_fields_is_refused() {
    for (field, codec, said) in [
        (
            "url",
            "\"single\"",
            "makes an array of strings of the vendor's value, and `url` is a string",
        ),
        ("url", "{ join = \",\" }", "`url` is a string"),
        (
            "enabled",
            "{ scale = 1000 }",
            "makes an integer of the vendor's value, and `enabled` is a boolean",
        ),
        ("events", "\"negate\"", "`events` is an array of strings"),
        (
            "timeout_seconds",
            "\"unix_seconds\"",
            "`timeout_seconds` is an integer",
        ),
        (
            "description",
            "{ pairs = { key = \"k\", value = \"v\" } }",
            "`description` is a string",
        ),
    ] {
        let rule = format!("[fields.{field}]\npath = \"$.{field}_x\"\ncodec = {codec}\n");
        let text = minimal(&rule, "").replacen(
            "[fields.url]\npath = \"$.url\"\n",
            "",
            usize::from(field == "url"),
        );
        let errors = Dialect::compile("kinds", Path::new("kinds.toml"), &text).unwrap_err();
        let said_all: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            said_all
                .iter()
                .any(|e| e.contains(&format!("fields.{field}.codec")) && e.contains(said)),
            "{field} {codec}: {said_all:?}"
        );
    }
    // Where the value is of the field's kind, the codec stands.
    for (field, codec) in [
        ("events", "\"single\""),
        ("enabled", "\"negate\""),
        ("timeout_seconds", "{ scale = 1000 }"),
        ("created_at", "\"unix_seconds\""),
        ("headers", "{ pairs = { key = \"k\", value = \"v\" } }"),
        ("description", "{ map = { a = \"b\" } }"),
    ] {
        let rule = format!("[fields.{field}]\npath = \"$.{field}_x\"\ncodec = {codec}\n");
        let text = minimal(&rule, "");
        if let Err(errors) = Dialect::compile("kinds", Path::new("kinds.toml"), &text) {
            let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
            assert!(
                !said.iter().any(|e| e.contains(".codec")),
                "{field} {codec}: {said:?}"
            );
        }
    }
}

#[test]
fn one_member_read_as_one_field_and_written_as_another_is_refused() {
    // Mailgun's create sends the event type as `id`, and its answers name the webhook by it.
    let fields = "[fields.id]\npath = \"$.id\"\nin = [\"response\"]\n\
                  [fields.events]\npath = \"$.id\"\nin = [\"request\"]\ncodec = \"single\"\n";
    let text = minimal(fields, "");
    let errors = Dialect::compile("one", Path::new("one.toml"), &text).unwrap_err();
    let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        said.iter()
            .any(|e| e.contains("fields.") && e.contains("one member holds one field")),
        "{said:?}"
    );
    // A vendor's own member asked one way and answered another is one member's two ways.
    let fields = "[fields.\"extensions.format\"]\npath = \"$.format\"\nin = [\"response\"]\n\
                  [fields.\"extensions.asked_format\"]\npath = \"$.format\"\nin = [\"request\"]\n";
    let text = minimal(fields, "");
    if let Err(errors) = Dialect::compile("two", Path::new("two.toml"), &text) {
        let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            !said
                .iter()
                .any(|e| e.contains("one member holds one field")),
            "{said:?}"
        );
    }
}

#[test]
fn a_secret_read_from_a_resource_needs_an_emulator_that_mints_one() {
    let resource = "[resources.signing]\n\
        get = { method = \"GET\", path = \"/w/{id}/signing_secret\", response = { signing_secret = \"{{resource}}\" } }\n\
        [resources.signing.fields.secret]\npath = \"$.secret\"\n";
    let file = |secret: &str, emulator: &str| {
        minimal(
            &format!("[fields.secret]\npath = \"$.secret\"\nin = [\"request\"]\n{secret}"),
            &format!("{resource}{emulator}"),
        )
    };
    let errors = Dialect::compile("d", Path::new("d.toml"), &file("", "")).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.key == "emulator.secret" && e.message.contains("`signing`")),
        "{errors:?}"
    );
    for (secret, emulator) in [
        ("", "[emulator]\nsecret = \"base64\"\n"),
        ("required = true\n", ""),
    ] {
        if let Err(errors) = Dialect::compile("d", Path::new("d.toml"), &file(secret, emulator)) {
            panic!("{secret} {emulator}: {errors:?}");
        }
    }
}

#[test]
fn two_fields_whose_places_overlap_where_answers_carry_both_are_refused() {
    // Each field and where it is, the two carried by answers (one maybe by requests too).
    for (fields, named, at) in [
        // An id the vendor answers, and a description at the same member.
        (
            "[fields.id]\npath = \"$.id\"\nin = [\"response\"]\n\
             [fields.description]\npath = \"$.id\"\n",
            "fields.id",
            "`id`",
        ),
        // Both read-only, in the shorthand spelling.
        (
            "[fields.created_at]\npath = \"meta.at\"\nin = [\"response\"]\n\
             [fields.updated_at]\npath = \"$['meta']['at']\"\nin = [\"response\"]\n",
            "fields.",
            "`meta.at`",
        ),
        // A member read whole beside a member inside it.
        (
            "[fields.\"extensions.config\"]\npath = \"$.config\"\nin = [\"response\"]\n\
             [fields.description]\npath = \"$.config.label\"\n",
            "fields.",
            "`config`",
        ),
        // A list read whole beside an item of it.
        (
            "[fields.\"extensions.states\"]\npath = \"$.states\"\nin = [\"response\"]\n\
             [fields.status]\npath = \"$.states[0]\"\nin = [\"response\"]\n",
            "fields.",
            "`states`",
        ),
        // Where answers hold another field's value under an alias.
        (
            "[fields.id]\npath = \"$.id\"\nin = [\"response\"]\n\
             [fields.description]\npath = \"$.label\"\naliases = [\"$.id\"]\n",
            "fields.",
            "(an alias)",
        ),
        // Answers only, for one of them: the other written at the member too.
        (
            "[fields.\"extensions.kind\"]\npath = \"$.kind\"\nin = [\"response\"]\n\
             [fields.description]\npath = \"$.kind\"\n",
            "fields.",
            "`kind`",
        ),
        // Read from requests both (a surface's client's body), one by an alias at the
        // other's member, or inside it.
        (
            "[fields.description]\npath = \"$.d\"\nin = [\"request\"]\naliases = [\"$.url\"]\n",
            "fields.",
            "(an alias)",
        ),
        (
            "[fields.description]\npath = \"$.d\"\nin = [\"request\"]\naliases = [\"$.url.text\"]\n",
            "fields.",
            "(an alias)",
        ),
    ] {
        let text = minimal(fields, "");
        let errors = Dialect::compile("d", Path::new("d.toml"), &text).unwrap_err();
        let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            said.iter().any(|e| e.contains(named)
                && e.contains(at)
                && e.contains("one member holds one field")),
            "{fields}: {said:?}"
        );
    }
    // One field's two ways at one member, members beside each other, and a vendor's own
    // member asked one way and answered another, all load.
    for fields in [
        "[fields.events]\npath = \"$.events\"\ncodec = { wrap = \"name\" }\n\
         write_as = { path = \"$.events\" }\n",
        "[fields.\"extensions.kind\"]\npath = \"$.config.kind\"\nin = [\"response\"]\n\
         [fields.description]\npath = \"$.config.label\"\n",
        "[fields.\"extensions.asked\"]\npath = \"$.format\"\nin = [\"request\"]\n\
         [fields.\"extensions.format\"]\npath = \"$.format\"\nin = [\"response\"]\n",
        "[fields.id]\npath = \"$.ids[0]\"\nin = [\"response\"]\n\
         [fields.description]\npath = \"$.ids[1]\"\nin = [\"response\"]\n",
    ] {
        let text = minimal(fields, "");
        if let Err(errors) = Dialect::compile("d", Path::new("d.toml"), &text) {
            panic!("{fields}: {errors:?}");
        }
    }
}

/// Why `text`, loaded as a mapping file, is refused: each error as `hookgate check` shows it.
fn refusals(text: &str) -> Vec<String> {
    match Dialect::compile("words", Path::new("words.toml"), text) {
        Ok(_) => panic!("loaded: {text}"),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

/// A placeholder in a request header is refused saying why: a list's paging placeholders are
/// never sent in a header, a `query`'s others neither, and where the operation's headers
/// have no placeholder at all (no owner, no id), that none has and which do where; never an
/// empty list of those expected.
#[test]
fn a_placeholder_a_request_header_cannot_carry_is_refused_saying_why() {
    let list = |headers: &str| {
        format!(
            "[operations.list]\nmethod = \"GET\"\npath = \"/w\"\nresponse = {{ data = \"{{{{items}}}}\" }}\nheaders = {headers}\n"
        )
    };
    let get = "[operations.delete]\nmethod = \"DELETE\"\npath = \"/w/{id}\"\nheaders = { X-V = \"v{{limit}}\" }\n";
    let cases = [
        (
            list(r#"{ Range = "{{cursor}}" }"#),
            "operations.list.headers.Range",
            "paging by a request header is not supported",
        ),
        (
            list(r#"{ X-V = "v{{limit}}" }"#),
            "operations.list.headers.X-V",
            "paging by a request header is not supported",
        ),
        (
            list(r#"{ X-Order = "{{order}}" }"#),
            "operations.list.headers.X-Order",
            "has a value in a `query` only",
        ),
        (
            list(r#"{ X-Who = "{{owner}}" }"#),
            "operations.list.headers.X-Who",
            "no placeholder has a value in this operation's headers",
        ),
        (
            get.to_owned(),
            "operations.delete.headers.X-V",
            "paging by a request header is not supported",
        ),
        (
            get.replace("v{{limit}}", "{{iid}}"),
            "operations.delete.headers.X-V",
            "unknown placeholder `{{iid}}`; expected one of: id",
        ),
    ];
    for (operations, key, why) in cases {
        let said = refusals(&minimal("", &operations));
        assert!(
            said.iter().any(|e| e.contains(key) && e.contains(why)),
            "{operations}: {said:?}"
        );
        assert!(
            !said
                .iter()
                .any(|e| e.trim_end().ends_with("expected one of:")),
            "{said:?}"
        );
    }
}

/// A table of values that lists none is refused when the file loads, rather than refuse every
/// value later naming none it takes.
#[test]
fn a_list_of_values_that_names_none_is_refused() {
    let cases = [
        (
            "[fields.description]\npath = \"$.d\"\none_of = []\n",
            "fields.description.one_of",
        ),
        (
            "[fields.status]\npath = \"$.s\"\ncodec = { map = {} }\n",
            "`map` lists no value",
        ),
        (
            "[fields.status]\npath = \"$.s\"\ncodec = { map = { on = \"active\" }, reverse = {} }\n",
            "`reverse` lists no value",
        ),
    ];
    for (fields, said_of) in cases {
        let said = refusals(&minimal(fields, ""));
        assert!(
            said.iter().any(|e| e.contains(said_of)),
            "{fields}: {said:?}"
        );
    }
}

/// A path that is no JSONPath is refused saying what is wrong with it, never with the
/// parser's own words; a member name a dotted path cannot spell is shown in brackets.
#[test]
fn a_path_that_does_not_parse_is_refused_in_words() {
    let cases = [
        (
            "$.relationships.webhook-topics.data",
            "`$.relationships['webhook-topics'].data`",
        ),
        (
            "relationships.webhook-topics",
            "`$.relationships['webhook-topics']`",
        ),
        ("$.a.b~c[0]", "`$.a['b~c'][0]`"),
        ("$.1st", "`$['1st']`"),
        ("$.items.0", "`$.items[0]`"),
        ("$.a.", "ends with `.`"),
        ("$.a..", "ends with `..`"),
        ("$['a", "not closed"),
        ("$.a[b]", "`$.a['b']`"),
        ("$a", "follows `$`"),
        ("$.a[1", "not closed"),
    ];
    for (path, said_of) in cases {
        let said = refusals(&minimal(
            &format!("[fields.description]\npath = {path:?}\n"),
            "",
        ));
        let at_path: Vec<&String> = said
            .iter()
            .filter(|e| e.contains("fields.description.path"))
            .collect();
        assert!(
            at_path.iter().any(|e| e.contains(said_of)),
            "{path}: {said:?}"
        );
        for e in at_path {
            assert!(!e.contains("expected") && !e.contains("-->"), "{path}: {e}");
        }
    }
}

/// A call on one webhook whose id is in its body alone (a replace of the account's one
/// configuration, `PUT /accounts/{owner}/connect` with `connectId` in the body) is refused
/// saying that an id in the body alone is not supported, however the body places it.
#[test]
fn an_id_sent_in_the_body_alone_is_refused_saying_so() {
    for (operation, body) in [
        (
            "replace",
            r#"{ connectId = "{{id}}", config = "{{webhook}}" }"#,
        ),
        (
            "update",
            r#"{ connectId = "{{id}}", config = "{{webhook}}" }"#,
        ),
        ("delete", r#"{ ids = { connectId = "{{id}}" } }"#),
    ] {
        let method = if operation == "delete" {
            "DELETE"
        } else {
            "PUT"
        };
        let text = minimal(
            "",
            &format!(
                "[operations.{operation}]\nmethod = \"{method}\"\npath = \"/connect\"\n\
                 body = {body}\nresponse = \"{{{{webhook}}}}\""
            ),
        );
        let refused = refusals(&text);
        assert!(
            refused
                .iter()
                .any(|e| e.contains(&format!("operations.{operation}.path"))
                    && e.contains("an id sent in the body alone is not supported")),
            "{operation}: {refused:?}"
        );
    }
}
