//! `[dialect]` and `[emulator]`: the vendor's base path, owner scope, media type and how its
//! clients authenticate, compiled into the parts of a [`Dialect`] that every operation shares.

use super::Compiler;
use super::errors::ERROR_SLOTS;
use super::fields::form_shapes;
use crate::mapping::file::{self, MappingFile};
use crate::mapping::model::{
    ClientAuth, CredentialPart, Dialect, EmulatorSpec, Endpoint, Enveloped, FromList, IdAlphabet,
    IdStyle, Resource, Role, SecretEncoding, SecretMint, Strategy,
};
use crate::mapping::rules::ObjectMap;
use crate::mapping::template::Template;
use crate::mapping::url::{Format, PathSeg};
use crate::model::{self, Action};
use serde_json::Value;
use std::collections::BTreeMap;

/// The most path segments an owner may be: a repository under its account is two, a
/// group path a few more.
const MAX_OWNER_SEGMENTS: usize = 8;

impl Compiler<'_> {
    /// How request bodies are written: `None` for JSON, else a form's spelling of arrays.
    fn form(&mut self, d: &file::DialectSection) -> Option<crate::form::Arrays> {
        use crate::form::Arrays;
        let arrays = d.form_arrays.map(|a| match a {
            file::FormArraysName::Indexed => Arrays::Indexed,
            file::FormArraysName::Brackets => Arrays::Brackets,
            file::FormArraysName::Repeated => Arrays::Repeated,
        });
        match d.request_body {
            file::RequestBodyName::Form => Some(arrays.unwrap_or_default()),
            file::RequestBodyName::Json => {
                if arrays.is_some() {
                    self.error(
                        "dialect.form_arrays",
                        "request bodies are JSON: `form_arrays` needs `request_body = \"form\"`",
                    );
                }
                None
            }
        }
    }

    /// How many path segments an owner is (`dialect.owner_segments`, 1 by default); 0 where
    /// the dialect has no owner scope.
    fn owner_span(&mut self, d: &file::DialectSection) -> usize {
        match (&d.owner, d.owner_segments) {
            (None, None) => 0,
            (Some(_), None) => 1,
            (Some(_), Some(n @ 1..=MAX_OWNER_SEGMENTS)) => n,
            (Some(_), Some(n)) => {
                self.error(
                    "dialect.owner_segments",
                    format!("{n}: an owner is 1 to {MAX_OWNER_SEGMENTS} path segments"),
                );
                1
            }
            (None, Some(_)) => {
                self.error(
                    "dialect.owner_segments",
                    "the dialect declares no owner scope (dialect.owner)",
                );
                0
            }
        }
    }

    /// `dialect.base_path`, without its trailing `/` (an operation's path, which starts with
    /// one, follows it). An empty segment inside it (`/api//v1`) is refused as it is in an
    /// operation's path: the vendor's router would read another path, and a surface could not
    /// take it off the paths it is sent.
    fn base_path(&mut self, text: &str) -> String {
        let base = text.trim_end_matches('/');
        if base.contains("//") {
            self.error(
                "dialect.base_path",
                format!("`{text}` has an empty segment (`//`)"),
            );
        }
        base.to_owned()
    }

    /// A whole file: its sections in the order `mappings/README.md` documents them, each
    /// compiled by a function of its own.
    pub(super) fn dialect(&mut self, name: &str, raw: MappingFile) -> Dialect {
        let d = &raw.dialect;
        let client_auth = self.client_auth(d.auth.as_ref());
        let client_auth_parts = self.client_auth_parts(d.auth.as_ref(), &client_auth);
        let idempotency_key = d.idempotency_key.as_ref().and_then(|h| {
            let name = http::HeaderName::try_from(h.as_str())
                .map_err(|_| self.error("dialect.idempotency_key", "not a valid header name"))
                .ok()?;
            let credential = credential_headers(&client_auth, &client_auth_parts);
            match key_header_taken(&name, credential) {
                Some(why) => {
                    self.error("dialect.idempotency_key", format!("`{h}`: {why}"));
                    None
                }
                None => Some(name),
            }
        });
        let idempotency_key_spelt = idempotency_key.as_ref().and(d.idempotency_key.clone());
        let response_headers = self.response_headers(&d.response_headers);
        let media_type = d
            .media_type
            .as_deref()
            .and_then(|text| self.json_media_type("dialect.media_type", text))
            .unwrap_or_else(|| http::HeaderValue::from_static("application/json"));
        let owner_format = self.format("dialect.owner_format", &d.owner_format);
        let id_format = self.format("dialect.id_format", &d.id_format);
        if owner_format.is_some() && d.owner.is_none() {
            self.error(
                "dialect.owner_format",
                "the dialect declares no owner scope (dialect.owner)",
            );
        }
        let webhook = self.object_map("fields", &raw.fields, &raw.derived, model::WEBHOOK_FIELDS);
        self.enumerated = super::enumerated(&webhook);
        let test_result = self.object_map(
            "test_result",
            &raw.test_result,
            &BTreeMap::new(),
            model::TEST_RESULT_FIELDS,
        );
        let owner_span = self.owner_span(d);
        let form = self.form(d);
        let resources: Vec<Resource> = raw
            .resources
            .iter()
            .filter_map(|(rname, section)| self.resource(rname, section, owner_span))
            .collect();
        let operations = self.operations(&raw.operations, (owner_span, &webhook), &resources);
        // A header every answer carries would be written over the one that names the webhook.
        for e in &operations {
            for h in e
                .response_headers
                .iter()
                .filter(|h| response_headers.iter().any(|(name, _)| *name == h.name))
            {
                self.error(
                    format!("operations.{}.response_headers.{}", e.name(), h.spelt),
                    "is also one of `dialect.response_headers`, which every answer carries",
                );
            }
        }
        if form.is_some() {
            for e in operations.iter().filter(|e| e.content_type.is_some()) {
                self.error(
                    format!("operations.{}.content_type", e.name()),
                    "request bodies are forms (`request_body = \"form\"`)",
                );
            }
            for e in operations
                .iter()
                .filter(|e| e.strategy == Strategy::JsonPatch)
            {
                self.error(
                    format!("operations.{}.strategy", e.name()),
                    "a JSON Patch is JSON: request bodies are forms (`request_body = \"form\"`)",
                );
            }
        }
        let errors = self.errors_map(&raw.errors, &media_type);
        let emulator = self.emulator(&raw.emulator, &webhook);
        if let Some(format) = &id_format {
            self.minted_ids_of(format, raw.emulator.id.is_some(), &emulator.ids);
        }
        self.secret_minted_for(&resources, &webhook, &emulator);
        let examples = self.examples(&raw.examples);
        // The documented webhook shows the order the vendor writes its members in.
        let mut webhook = webhook;
        if let Some(example) = examples.first() {
            webhook.follow(example);
        }
        let mut test_result = test_result;
        if emulator.micros {
            webhook.write_times_in_micros();
            test_result.write_times_in_micros();
        }
        let mut operations = operations;
        for endpoint in &mut operations {
            endpoint.enveloped = enveloped(endpoint, &webhook, &test_result);
        }
        let dialect = Dialect {
            name: name.to_owned(),
            title: raw.dialect.title.unwrap_or_else(|| name.to_owned()),
            docs: raw.dialect.docs,
            base_path: self.base_path(&raw.dialect.base_path),
            owner: raw.dialect.owner,
            owner_segments: owner_span.max(1),
            owner_format,
            // Alone or within text: a value no header can carry is refused before any call.
            in_headers: (
                operations.iter().any(|e| e.sends_in_header("owner")),
                operations.iter().any(|e| e.sends_in_header("id")),
            ),
            id_format,
            client_auth,
            client_auth_parts,
            idempotency_key_spelt,
            idempotency_key,
            body_idempotency_key: operations
                .iter()
                .find(|e| e.role == Role::Action(Action::Create))
                .and_then(|e| e.body.as_ref()?.path_of("idempotency_key")),
            body_required: raw.dialect.body_required,
            refuses_unknown_members: raw.dialect.unknown_members
                == file::UnknownMembersName::Refused,
            form_shapes: form.map(|_| form_shapes(&webhook)).unwrap_or_default(),
            form,
            media_type,
            response_headers,
            webhook,
            test_result,
            operations,
            resources,
            get_from_list: (raw.operations.get(&file::OperationName::Get))
                .filter(|get| get.from.is_some())
                .map(|get| FromList {
                    note: get.note.clone(),
                }),
            errors,
            emulator,
            examples,
            source_sha256: [0; 32],
        };
        if dialect.has_owner() {
            self.owner_places(&dialect);
        }
        self.distinct_routes(&dialect);
        if let Some(idempotency) = &dialect.idempotency_key {
            for e in &dialect.operations {
                if e.headers.iter().any(|(name, _)| name == idempotency) {
                    self.error(
                        format!("operations.{}.headers.{idempotency}", e.role.name()),
                        "hookgate writes this header itself: it is `dialect.idempotency_key`",
                    );
                }
            }
        }
        dialect
    }

    /// Where each call of an owner-scoped dialect names the owner: in its path (`{owner}`), a
    /// query parameter or a header (`{{owner}}`), a create also in its body (a `[fields.owner]`
    /// rule carried on create). A call on one webhook may name none, for a vendor that finds a
    /// webhook by its id alone; the gateway then confirms the owner before the call, which
    /// takes a `get` that either names the owner or answers with it.
    fn owner_places(&mut self, d: &Dialect) {
        let confirmable =
            d.one_read().is_some_and(|r| r.names_owner()) || d.webhook.reading("owner").is_some();
        let unnamed =
            "names no owner: put {owner} in its path, or {{owner}} in a query parameter or header";
        // A webhook never moves between owners: a body names its owner on create only.
        if d.webhook.carries("owner", Action::Update) {
            self.error(
                "fields.owner",
                "a body names its owner on create only: say `on = [\"create\"]`, or `in = [\"response\"]`",
            );
        }
        for e in &d.operations {
            if e.names_owner {
                continue;
            }
            let key = format!("operations.{}.path", e.role.name());
            if e.upsert.is_some() {
                // An unknown id is created under the owner asked for, which the call must name.
                self.error(
                    format!("operations.{}.upsert", e.role.name()),
                    format!("`{}` names no owner to create the webhook under", e.path),
                );
            }
            let path = &e.path;
            match e.role.action() {
                Action::List => self.error(key, format!("`{path}` {unnamed}")),
                Action::Create if d.webhook.carries("owner", Action::Create) => {}
                Action::Create => self.error(
                    key,
                    format!("`{path}` {unnamed}, or carry it in the body with a `[fields.owner]` rule"),
                ),
                _ if confirmable => {}
                _ => self.error(
                    key,
                    format!(
                        "`{path}` names no owner, and nothing confirms whose the webhook is: name {{owner}} in `get`, or read `owner` from its answer with a `[fields.owner]` rule"
                    ),
                ),
            }
        }
        for r in &d.resources {
            for (verb, e) in [
                ("get", &r.get),
                ("replace", &r.replace),
                ("update", &r.update),
            ] {
                if let Some(e) = e
                    && !e.path.has(&PathSeg::Owner)
                    && !confirmable
                {
                    self.error(
                        format!("resources.{}.{verb}.path", r.name),
                        format!(
                            "`{}` names no owner, and nothing confirms whose the webhook is: name {{owner}} in `operations.get`, or read `owner` from its answer with a `[fields.owner]` rule",
                            e.path
                        ),
                    );
                }
            }
        }
    }

    /// Every call the dialect declares must be told apart by its method and path: an emulator
    /// and a surface route by nothing else, so of two that share both, the second would never
    /// be reached and its requests would be taken for the first's.
    fn distinct_routes(&mut self, d: &Dialect) {
        let operations = d.operations.iter().map(|e| {
            let key = format!("operations.{}", e.name());
            (key, &e.method, &e.path, e.role.action().has_id())
        });
        let resources = d.resources.iter().flat_map(|r| {
            [
                ("get", &r.get),
                ("replace", &r.replace),
                ("update", &r.update),
            ]
            .into_iter()
            .filter_map(move |(verb, e)| {
                let e = e.as_ref()?;
                let key = format!("resources.{}.{verb}", r.name);
                Some((key, &e.method, &e.path, true))
            })
        });
        // A call on one webhook and one on none are told apart by the id, wherever it is
        // carried (a get by `?id=` beside the list of the same path).
        type Route<'d> = (Vec<Option<&'d str>>, &'d str, bool);
        let mut seen: Vec<(String, &http::Method, Route<'_>)> = Vec::new();
        for (key, method, path, takes_id) in operations.chain(resources) {
            // The owner and the id match any segment: `/hooks/{id}` and `/hooks/{owner}` are
            // one route.
            let shape: Vec<Option<&str>> = path
                .segments
                .iter()
                .flat_map(|seg| match seg {
                    PathSeg::Literal(text) => vec![Some(text.as_str())],
                    PathSeg::Owner => vec![None; path.owner_span.max(1)],
                    PathSeg::Id => vec![None],
                })
                .collect();
            let route = (shape, path.id_suffix.as_str(), takes_id);
            if let Some((first, ..)) = seen.iter().find(|(_, m, r)| *m == method && *r == route) {
                self.error(
                    format!("{key}.path"),
                    format!(
                        "`{method} {path}` is also `{first}`'s method and path: two calls must differ in one or the other"
                    ),
                );
                continue;
            }
            seen.push((key, method, route));
        }
    }

    /// An `[errors]` section, its keys in the order `mappings/README.md` documents them.
    /// A media type a JSON body is sent or answered in: `application/json`, or another whose
    /// subtype ends in `+json` (`application/vnd.api+json`, `application/merge-patch+json`),
    /// with any parameters.
    /// `dialect.auth`: a scheme's name, or the header a vendor's clients put their token in.
    fn client_auth(&mut self, auth: Option<&Value>) -> ClientAuth {
        const KEY: &str = "dialect.auth";
        let Some(auth) = auth else {
            return ClientAuth::Bearer;
        };
        match auth {
            Value::String(name) => match name.as_str() {
                "bearer" => ClientAuth::Bearer,
                "basic" => ClientAuth::Basic,
                "none" => ClientAuth::None,
                other => {
                    self.error(
                        KEY,
                        format!("`{other}`: expected \"bearer\", \"basic\", \"none\", {{ header = \"NAME\" }} or {{ query = \"NAME\" }}"),
                    );
                    ClientAuth::Bearer
                }
            },
            Value::Object(table) if table.contains_key("query") => {
                if let Some(unknown) = table
                    .keys()
                    .find(|k| !matches!(k.as_str(), "query" | "also"))
                {
                    self.error(
                        KEY,
                        format!("unknown key `{unknown}`: expected `query` and `also`"),
                    );
                }
                match table.get("query").and_then(Value::as_str) {
                    Some(name) if !name.is_empty() => ClientAuth::Query {
                        name: name.to_owned(),
                    },
                    _ => {
                        self.error(KEY, "`query` must be a parameter's name");
                        ClientAuth::Bearer
                    }
                }
            }
            Value::Object(table) => {
                if let Some(unknown) = table
                    .keys()
                    .find(|k| !matches!(k.as_str(), "header" | "prefix" | "also"))
                {
                    self.error(
                        KEY,
                        format!("unknown key `{unknown}`: expected `header`, `prefix` and `also`"),
                    );
                }
                let prefix = match table.get("prefix") {
                    None => String::new(),
                    Some(Value::String(p)) if http::HeaderValue::from_str(p).is_ok() => p.clone(),
                    Some(_) => {
                        self.error(KEY, "`prefix` must be text a header value can hold");
                        String::new()
                    }
                };
                let name = table
                    .get("header")
                    .and_then(Value::as_str)
                    .and_then(|n| http::HeaderName::try_from(n).ok());
                match name {
                    // `Authorization` with no prefix takes any scheme's credential whole: only
                    // where the file says so (`prefix = ""`: a vendor whose key is the header).
                    Some(name)
                        if name == http::header::AUTHORIZATION && !table.contains_key("prefix") =>
                    {
                        self.error(
                            KEY,
                            "`Authorization` needs a `prefix` (its scheme, as `\"SSWS \"`, or `\"\"` where the whole header is the key), or say \"bearer\" or \"basic\"",
                        );
                        ClientAuth::Bearer
                    }
                    Some(name) => ClientAuth::Header { name, prefix },
                    None => {
                        self.error(KEY, "`header` must be a header name");
                        ClientAuth::Bearer
                    }
                }
            }
            _ => {
                self.error(
                    KEY,
                    "expected \"bearer\", \"basic\", \"none\", { header = \"NAME\" } or { query = \"NAME\" }",
                );
                ClientAuth::Bearer
            }
        }
    }

    /// `dialect.auth.also`: the further parts of a credential of several, each a header or a
    /// query parameter of the vendor's own, in no place another part is.
    fn client_auth_parts(&mut self, auth: Option<&Value>, how: &ClientAuth) -> Vec<CredentialPart> {
        const KEY: &str = "dialect.auth.also";
        let Some(also) = auth.and_then(|a| a.get("also")) else {
            return Vec::new();
        };
        let Some(items) = also.as_array() else {
            self.error(
                KEY,
                "expected a list of { header = \"NAME\" } or { query = \"NAME\" }",
            );
            return Vec::new();
        };
        let mut parts: Vec<CredentialPart> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("{KEY}[{i}]");
            let table = item.as_object().filter(|t| t.len() == 1);
            let part = match table.and_then(|t| t.iter().next()) {
                Some((k, Value::String(name))) if k == "query" && !name.is_empty() => {
                    CredentialPart::Query(name.clone())
                }
                Some((k, Value::String(name))) if k == "header" => {
                    match http::HeaderName::try_from(name.as_str()) {
                        Ok(name) => CredentialPart::Header(name),
                        Err(_) => {
                            self.error(&at, format!("`{name}`: not a valid header name"));
                            continue;
                        }
                    }
                }
                _ => {
                    self.error(
                        &at,
                        "expected { header = \"NAME\" } or { query = \"NAME\" }",
                    );
                    continue;
                }
            };
            // Where the token is, or another part is, a part would be read in its place.
            let taken = match (&part, how) {
                (CredentialPart::Query(name), ClientAuth::Query { name: token }) => name == token,
                (CredentialPart::Header(name), ClientAuth::Header { name: token, .. }) => {
                    name == token
                }
                (CredentialPart::Header(name), ClientAuth::Bearer | ClientAuth::Basic) => {
                    name == http::header::AUTHORIZATION
                }
                _ => false,
            };
            if taken || parts.contains(&part) {
                self.error(&at, "names where another part of the credential is sent");
                continue;
            }
            parts.push(part);
        }
        parts
    }

    /// The file's example bodies. An example may be written as JSON text, for bodies TOML
    /// cannot spell (`null`).
    fn examples(&mut self, raw: &[Value]) -> Vec<Value> {
        raw.iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Value::String(text) => match serde_json::from_str(text) {
                    Ok(v) => Some(v),
                    Err(err) => {
                        self.error(format!("examples[{i}]"), format!("not JSON: {err}"));
                        None
                    }
                },
                other => Some(other.clone()),
            })
            .collect()
    }

    /// The emulator's ids are the vendor's, and a route refuses an id not of `id_format`: the
    /// ids it mints (`ids`, as `emulator.id` says where it is `given`, else UUIDs) must be of
    /// it. Where the file does not say how ids are minted, the words name the default that
    /// mints them, and what to add, rather than a key the file does not have.
    fn minted_ids_of(&mut self, format: &Format, given: bool, ids: &IdStyle) {
        let first = ids.first();
        if format.admits(&first) {
            return;
        }
        if given {
            self.error(
                "emulator.id",
                format!("mints ids such as `{first}`, which are not of `dialect.id_format`"),
            );
            return;
        }
        // Ids of 1, 2, 3 … are what `integer` mints.
        let add = if format.admits(&IdStyle::Integer.first()) {
            "`[emulator] id = \"integer\"`"
        } else {
            "an `id` under `[emulator]` that mints ids of this format \
             (`\"prefix:TEXT\"` or `{ prefix, alphabet, length }`)"
        };
        self.error(
            "dialect.id_format",
            format!(
                "the emulator mints ids such as `{first}` (the default, `uuid`: there is no \
                 `[emulator] id`), which are not of this format; add {add}"
            ),
        );
    }

    /// `emulator.id`: how the emulator mints ids.
    fn id_style(&mut self, id: Option<&Value>) -> IdStyle {
        const KEY: &str = "emulator.id";
        const EXPECTED: &str = "expected `uuid`, `braced_uuid`, `integer`, `prefix:TEXT` or { prefix, alphabet, length }";
        let table = match id {
            None => return IdStyle::Uuid,
            Some(Value::String(text)) => {
                return match text.as_str() {
                    "uuid" => IdStyle::Uuid,
                    "braced_uuid" => IdStyle::BracedUuid,
                    "integer" => IdStyle::Integer,
                    p if p.starts_with("prefix:") => {
                        IdStyle::Prefixed(p["prefix:".len()..].to_owned())
                    }
                    other => {
                        self.error(KEY, format!("`{other}`: {EXPECTED}"));
                        IdStyle::Uuid
                    }
                };
            }
            Some(Value::Object(table)) => table,
            Some(_) => {
                self.error(KEY, EXPECTED);
                return IdStyle::Uuid;
            }
        };
        if let Some(unknown) = table
            .keys()
            .find(|k| !matches!(k.as_str(), "prefix" | "alphabet" | "length"))
        {
            self.error(
                KEY,
                format!("unknown key `{unknown}`: expected `prefix`, `alphabet` and `length`"),
            );
        }
        let prefix = match table.get("prefix") {
            None => String::new(),
            Some(Value::String(p)) => p.clone(),
            Some(_) => {
                self.error(format!("{KEY}.prefix"), "must be text");
                String::new()
            }
        };
        let alphabet = match table.get("alphabet").map(|a| a.as_str()) {
            None | Some(Some("hex")) => IdAlphabet::Hex,
            Some(Some("alnum")) => IdAlphabet::Alnum,
            Some(Some("upper_alnum")) => IdAlphabet::UpperAlnum,
            Some(Some("lower_alnum")) => IdAlphabet::LowerAlnum,
            Some(Some("digits")) => IdAlphabet::Digits,
            Some(_) => {
                self.error(
                    format!("{KEY}.alphabet"),
                    "expected `hex`, `alnum`, `upper_alnum`, `lower_alnum` or `digits`",
                );
                IdAlphabet::Hex
            }
        };
        let length = table.get("length");
        match length.and_then(Value::as_u64) {
            Some(length @ 6..=64) => IdStyle::Drawn {
                prefix,
                alphabet,
                length: length as usize,
            },
            drawn => {
                let why = match (length, drawn) {
                    (None, _) => {
                        "is required: 6 to 64 characters, drawn from the alphabet".to_owned()
                    }
                    (Some(_), Some(n)) => {
                        format!("{n} is out of range: 6 to 64 characters, drawn from the alphabet")
                    }
                    (Some(other), None) => format!(
                        "{other} is no length: an integer, 6 to 64 characters, drawn from the alphabet"
                    ),
                };
                self.error(format!("{KEY}.length"), why);
                IdStyle::Uuid
            }
        }
    }

    /// A vendor whose signing secret is read from a resource of its own (a
    /// `/webhooks/{id}/signing_secret`) has one for every webhook, minted where its client gave
    /// none: its emulator must mint one too (`emulator.secret`), or a create without a secret
    /// would be made and then fail on the read that shows it. Unless every create carries the
    /// client's own, which the emulator keeps.
    fn secret_minted_for(
        &mut self,
        resources: &[Resource],
        webhook: &ObjectMap,
        emulator: &EmulatorSpec,
    ) {
        let given = webhook
            .rule_for("secret", Action::Create)
            .is_some_and(|r| r.checks.contains(&crate::mapping::checks::Check::Required));
        if emulator.mints_secret.is_some() || given {
            return;
        }
        if let Some(r) = resources
            .iter()
            .find(|r| r.fields.reading("secret").is_some())
        {
            self.error(
                "emulator.secret",
                format!(
                    "the webhook's secret is read from resource `{}`, so the vendor keeps one for every webhook; say how its emulator mints one where a client gives none (`secret = \"base64\"`)",
                    r.name
                ),
            );
        }
    }

    fn emulator(&mut self, s: &file::EmulatorSection, webhook: &ObjectMap) -> EmulatorSpec {
        let ids = self.id_style(s.id.as_ref());
        let bytes = s.secret_bytes.unwrap_or(32);
        if !(16..=64).contains(&bytes) {
            self.error(
                "emulator.secret_bytes",
                format!("`{bytes}`: expected 16 to 64"),
            );
        }
        let mints_secret = s.secret.map(|style| SecretMint {
            prefix: s.secret_prefix.clone(),
            bytes,
            encoding: match style {
                file::SecretStyle::Base64 => SecretEncoding::Base64,
                file::SecretStyle::Base64url => SecretEncoding::Base64Url,
                file::SecretStyle::Hex => SecretEncoding::Hex,
                file::SecretStyle::UpperHex => SecretEncoding::UpperHex,
            },
            prefixes_given: s.secret_prefixed,
        });
        if s.secret_prefixed && (s.secret.is_none() || s.secret_prefix.is_empty()) {
            self.error(
                "emulator.secret_prefixed",
                "needs `secret` and a `secret_prefix` to write before a client's secret",
            );
        }
        for (i, name) in s.also_found_by.iter().enumerate() {
            let known = match name.strip_prefix("extensions.") {
                Some(ext) => !ext.is_empty(),
                None => model::webhook_field(name).is_some_and(|f| f.kind == model::Kind::String),
            };
            if !known {
                self.error(
                    format!("emulator.also_found_by[{i}]"),
                    format!("`{name}`: expected a canonical string field or `extensions.NAME`"),
                );
            }
        }
        if let Some(name) = &s.version {
            self.version_field(name, webhook);
        }
        EmulatorSpec {
            ids,
            micros: s.timestamps == Some(file::Timestamps::Micros),
            mints_secret,
            shows_secret: s.secret_shown == Some(file::SecretShown::Always),
            extensions: s.extensions.clone(),
            max_webhooks: s.max_webhooks,
            also_found_by: s.also_found_by.clone(),
            version: s.version.clone(),
        }
    }

    /// `emulator.version`: an extension that a rule reads from answers only, since the vendor
    /// alone sets a version (a client that could set one could skip past a change it never
    /// read).
    fn version_field(&mut self, name: &str, webhook: &ObjectMap) {
        let key = "emulator.version";
        let Some(ext) = name.strip_prefix("extensions.") else {
            self.error(
                key,
                format!("`{name}`: expected `extensions.NAME`, an extension a rule names"),
            );
            return;
        };
        let rules: Vec<_> = webhook
            .rules
            .iter()
            .filter(|r| r.target.is(name) && !ext.is_empty())
            .collect();
        if rules.is_empty() {
            self.error(
                key,
                format!("`{name}`: no rule names it (`[fields.\"{name}\"]`)"),
            );
        } else if rules.iter().any(|r| r.request || !r.response) {
            self.error(
                key,
                format!(
                    "`{name}`: the vendor alone sets a version: its rule must be read from answers only (`in = [\"response\"]`)"
                ),
            );
        }
    }

    /// `dialect.response_headers`: headers the vendor's answers carry, by name, each a
    /// template of the error slots.
    fn response_headers(
        &mut self,
        headers: &BTreeMap<String, String>,
    ) -> Vec<(http::HeaderName, Template)> {
        headers
            .iter()
            .filter_map(|(k, v)| {
                let key = format!("dialect.response_headers.{k}");
                let name = self.header_name(&key, k)?;
                let t = self.template(&key, &Value::from(v.as_str()))?;
                self.check_slots(&key, &t, ERROR_SLOTS);
                Some((name, t))
            })
            .collect()
    }
}

/// Where `endpoint`'s answer keeps its item (a test's result, else the webhook) in one object
/// with members of its own (a `$spread` beside others): the item's rules that read those
/// members past, for the place it stands at.
fn enveloped(endpoint: &Endpoint, webhook: &ObjectMap, result: &ObjectMap) -> Option<Enveloped> {
    let (name, own) = match endpoint.role.action() {
        Action::Test => ("result", result),
        _ => ("webhook", webhook),
    };
    let response = endpoint.response.as_ref()?;
    let beside = response.beside(name)?;
    Some(Enveloped {
        at: response.path_of(name)?,
        map: own.reading_past(beside),
    })
}

/// The headers a client of the dialect sends its credential in.
fn credential_headers<'a>(
    how: &'a ClientAuth,
    parts: &'a [CredentialPart],
) -> impl Iterator<Item = &'a http::HeaderName> {
    let own = match how {
        ClientAuth::Header { name, .. } => Some(name),
        _ => None,
    };
    let parts = parts.iter().filter_map(|p| match p {
        CredentialPart::Header(name) => Some(name),
        CredentialPart::Query(_) => None,
    });
    own.into_iter().chain(parts)
}

/// Why `name` cannot carry idempotency keys: a header hookgate writes itself, whose value a
/// client's key would replace (the credential among them), one of the exchange itself, or one
/// a client's credential is sent in (`X-Api-Key`, which every API takes inbound keys in, or
/// the dialect's own), which a surface would read its client's key from.
fn key_header_taken<'a>(
    name: &http::HeaderName,
    mut credential: impl Iterator<Item = &'a http::HeaderName>,
) -> Option<&'static str> {
    use crate::http::headers::{EXCHANGE, WRITTEN, X_API_KEY};
    if name == http::header::AUTHORIZATION
        || name == http::header::PROXY_AUTHORIZATION
        || WRITTEN.contains(&name.as_str())
    {
        Some(
            "hookgate writes this header itself (the credential, the framing, the request id), so a client's key there would replace what it must carry",
        )
    } else if EXCHANGE.contains(&name.as_str()) {
        Some(
            "it belongs to the exchange itself (an expectation, trailers, proxies, cookies), not to what the request asks",
        )
    } else if *name == X_API_KEY || credential.any(|c| c == name) {
        Some(
            "clients send their credential in it (`X-Api-Key`, or the dialect's `auth`), so it cannot also carry their idempotency keys",
        )
    } else {
        None
    }
}
