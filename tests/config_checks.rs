//! What loading refuses, so that `hookgate check` catches what would stop or cripple `serve`:
//! base URLs that starting would refuse or build vendor URLs wrong from, listeners sharing an
//! address, numbers out of their range, surface prefixes the main listener's own routes shadow,
//! inbound keys that can do nothing, and messages that say the key's range and rule.

mod support;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use hookgate::config::{self, RawConfig};

/// An upstream that needs no credential: what each case adds to.
const LIVE: &str = "[upstreams.live]\ndialect = \"talkover\"\nbase_url = \"https://api.example.com\"\nauth = { type = \"none\" }\n";

/// The report loading gives `toml` (inbound authentication off unless it says otherwise);
/// a configuration that loads fails the test.
fn refused(toml: &str) -> String {
    let toml = if toml.contains("inbound_auth") {
        toml.to_owned()
    } else {
        format!("{toml}\n[inbound_auth]\nmode = \"off\"\n")
    };
    let figment =
        Figment::from(Serialized::defaults(RawConfig::default())).merge(Toml::string(&toml));
    match config::from_figment(&figment, "test") {
        Ok(_) => panic!("loaded:\n{toml}"),
        Err(report) => report.to_string(),
    }
}

/// Whether `toml` loads.
fn loads(toml: &str) -> Result<(), String> {
    let toml = format!("{toml}\n[inbound_auth]\nmode = \"off\"\n");
    let figment =
        Figment::from(Serialized::defaults(RawConfig::default())).merge(Toml::string(&toml));
    config::from_figment(&figment, "test")
        .map(|_| ())
        .map_err(|r| r.to_string())
}

#[test]
fn a_base_url_with_a_query_or_a_fragment_is_refused_naming_the_key_and_why() {
    for (url, why) in [
        ("https://api.example.com/v2?x=1", "has a query"),
        ("https://api.example.com?x=1", "has a query"),
        ("https://api.example.com/v2/?", "has a query"),
        ("http://127.0.0.1:9/?token=a", "has a query"),
        ("https://api.example.com/v2#frag", "has a fragment"),
        ("https://api.example.com#", "has a fragment"),
        ("https://api.example.com/#/v2", "has a fragment"),
    ] {
        let text = refused(&LIVE.replace("https://api.example.com", url));
        assert!(
            text.contains(&format!("upstreams.live.base_url: `{url}` {why}")),
            "{url}: {text}"
        );
    }
}

#[test]
fn a_base_url_loads_only_when_starting_would_take_it() {
    for url in [
        "https://api.example.com",
        "https://api.example.com/",
        "https://api.example.com/v2",
        "HTTP://api.example.com:8443/v2/",
        "http://[::1]:9/base",
    ] {
        loads(&LIVE.replace("https://api.example.com", url)).unwrap_or_else(|e| panic!("{e}"));
    }
    for url in [
        "ftp://api.example.com",
        "https://",
        "https:///v2",
        "https://api.example.com/a b",
        "api.example.com/v2",
    ] {
        let text = refused(&LIVE.replace("https://api.example.com", url));
        assert!(text.contains("upstreams.live.base_url: "), "{url}: {text}");
    }
}

#[tokio::test]
async fn what_loading_takes_of_a_base_url_starting_takes_too() {
    // Whatever check lets through, serve starts with: nothing is left for the start to refuse.
    for url in ["https://api.example.com/v2/", "http://127.0.0.1:1/x%20y"] {
        let toml = LIVE.replace("https://api.example.com", url);
        loads(&toml).unwrap_or_else(|e| panic!("{e}"));
        drop(support::gateway(&toml).await);
    }
}

#[test]
fn two_listeners_on_one_address_are_refused_naming_both_keys() {
    let emulated = |name: &str, at: &str| {
        format!(
            "[upstreams.{name}]\ndialect = \"talkover\"\nemulate = true\nemulator_listen = \"{at}\"\n"
        )
    };
    let surface = |name: &str, at: &str| {
        format!(
            "[surfaces.{name}]\ndialect = \"talkover\"\nupstream = \"live\"\nlisten = \"{at}\"\n"
        )
    };
    for (toml, key, other) in [
        (
            format!(
                "listen = \"127.0.0.1:18080\"\n{}",
                emulated("e", "127.0.0.1:18080")
            ),
            "upstreams.e.emulator_listen",
            "listen",
        ),
        (
            format!(
                "listen = \"127.0.0.1:18080\"\n{LIVE}{}",
                surface("s", "127.0.0.1:18080")
            ),
            "surfaces.s.listen",
            "listen",
        ),
        (
            format!(
                "{LIVE}{}{}",
                surface("a", "127.0.0.1:18081"),
                surface("b", "127.0.0.1:18081")
            ),
            "surfaces.b.listen",
            "surfaces.a.listen",
        ),
        (
            format!(
                "{LIVE}{}{}",
                emulated("e", "0.0.0.0:18082"),
                surface("s", "127.0.0.1:18082")
            ),
            "surfaces.s.listen",
            "upstreams.e.emulator_listen",
        ),
        (
            format!(
                "listen = \"[::]:18083\"\n{LIVE}{}",
                surface("s", "127.0.0.1:18083")
            ),
            "surfaces.s.listen",
            "listen",
        ),
    ] {
        let text = refused(&toml);
        assert!(
            text.contains(&format!("{key}: ")) && text.contains(&format!("the port of {other} (")),
            "{key} against {other}: {text}"
        );
    }
}

#[test]
fn listeners_on_port_zero_or_on_other_addresses_do_not_clash() {
    let toml = format!(
        "listen = \"127.0.0.1:0\"\n{LIVE}\
         [upstreams.e]\ndialect = \"talkover\"\nemulate = true\nemulator_listen = \"127.0.0.1:0\"\n\
         [upstreams.f]\ndialect = \"talkover\"\nemulate = true\n\
         [surfaces.a]\ndialect = \"talkover\"\nupstream = \"live\"\nlisten = \"127.0.0.1:18090\"\n\
         [surfaces.b]\ndialect = \"talkover\"\nupstream = \"live\"\nlisten = \"127.0.0.2:18090\"\n"
    );
    loads(&toml).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn every_number_out_of_its_range_is_refused_with_the_range() {
    for (section, key, value, range) in [
        ("limits", "max_upstream_body_bytes", "0", "1 to 1073741824"),
        ("limits", "connect_timeout_ms", "0", "1 to 3600000"),
        ("limits", "connect_timeout_ms", "3600001", "1 to 3600000"),
        ("limits", "drain_timeout_ms", "3600001", "0 to 3600000"),
        ("limits", "max_body_bytes", "0", "1 to 1073741824"),
        ("limits", "max_header_bytes", "100", "8192 to 1048576"),
        ("upstreams.live", "breaker_failures", "0", "1 to 4294967295"),
        ("upstreams.live", "max_concurrency", "0", "1 to 100000"),
        ("upstreams.live", "backoff_ms", "300001", "0 to 300000"),
        (
            "upstreams.live",
            "breaker_cooldown_ms",
            "3600001",
            "0 to 3600000",
        ),
        ("upstreams.live", "deadline_ms", "3600001", "1 to 3600000"),
        ("upstreams.live", "timeout_ms", "0", "1 to 300000"),
    ] {
        let toml = format!("{LIVE}[{section}]\n{key} = {value}\n").replace(
            "auth = { type = \"none\" }\n[upstreams.live]\n",
            "auth = { type = \"none\" }\n",
        );
        let text = refused(&toml);
        assert!(
            text.contains(&format!("{section}.{key}: `{value}`: expected {range}")),
            "{key} = {value}: {text}"
        );
    }
}

#[test]
fn every_count_that_sizes_a_semaphore_queue_or_buffer_has_a_most_the_runtime_can_hold() {
    // 2^61: one more than tokio's most semaphore permits, which `serve` panicked on.
    let beyond_tokio = "2305843009213693952";
    for (section, key, least, most) in [
        ("limits", "max_connections", "1", "1000000"),
        ("limits", "max_body_bytes", "1", "1073741824"),
        ("limits", "max_upstream_body_bytes", "1", "1073741824"),
        ("limits", "max_header_bytes", "8192", "1048576"),
        ("upstreams.live", "max_concurrency", "1", "100000"),
        ("upstreams.live", "max_pending", "0", "100000"),
    ] {
        let at = |value: &str| {
            format!("{LIVE}[{section}]\n{key} = {value}\n").replace(
                "auth = { type = \"none\" }\n[upstreams.live]\n",
                "auth = { type = \"none\" }\n",
            )
        };
        let over = (most.parse::<u64>().unwrap() + 1).to_string();
        for value in [over.as_str(), beyond_tokio, "9223372036854775807"] {
            let text = refused(&at(value));
            assert!(
                text.contains(&format!(
                    "{section}.{key}: `{value}`: expected {least} to {most}"
                )),
                "{key} = {value}: {text}"
            );
        }
        loads(&at(most)).unwrap_or_else(|e| panic!("{key} = {most}: {e}"));
    }
}

/// A number past what its key's type holds (a 32-bit count, a fault's status) is told the
/// key's range, as one within the type but past the range is, never the type's width
/// (`expected u32`); the most loads.
#[test]
fn a_number_past_what_its_key_holds_is_told_the_key_s_range() {
    let at = |section: &str, line: &str| {
        format!("{LIVE}[{section}]\n{line}\n").replace(
            "auth = { type = \"none\" }\n[upstreams.live]\n",
            "auth = { type = \"none\" }\n",
        )
    };
    for (key, range, most) in [
        ("breaker_failures", "1 to 4294967295", "4294967295"),
        ("retries", "0 to 10", "10"),
    ] {
        for value in ["4294967296", "9223372036854775807"] {
            let text = refused(&at("upstreams.live", &format!("{key} = {value}")));
            assert!(
                text.contains(&format!(
                    "upstreams.live.{key}: `{value}`: expected {range}"
                )),
                "{key} = {value}: {text}"
            );
            assert!(!text.contains("expected u32"), "{key} = {value}: {text}");
        }
        loads(&at("upstreams.live", &format!("{key} = {most}")))
            .unwrap_or_else(|e| panic!("{key} = {most}: {e}"));
    }
    let emulated =
        |faults: &str| format!("{EMULATED}[upstreams.emu.emulator]\nfaults = {faults}\n");
    for (faults, key, value) in [
        ("{ script = [{ status = 70000 }] }", "script[0]", "70000"),
        ("{ script = [{ status = -1 }] }", "script[0]", "-1"),
        (
            "{ random = [{ rate = 0.5, status = 4294967296 }] }",
            "random[0]",
            "4294967296",
        ),
    ] {
        let text = refused(&emulated(faults));
        assert!(
            text.contains(&format!(
                "upstreams.emu.emulator.faults.{key}.status: `{value}`: expected a status from 400 to 599"
            )),
            "{faults}: {text}"
        );
        assert!(!text.contains("expected u16"), "{faults}: {text}");
    }
    loads(&emulated("{ script = [{ status = 599 }] }")).unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn the_most_of_each_count_starts_and_serves() {
    let gw = support::gateway(
        "[limits]\nmax_connections = 1000000\nmax_body_bytes = 1073741824\n\
         max_upstream_body_bytes = 1073741824\nmax_header_bytes = 1048576\n\
         [upstreams.t]\ndialect = \"talkover\"\nemulate = true\n\
         max_concurrency = 100000\nmax_pending = 100000\n",
    )
    .await;
    let answer = support::send(gw.addr, "GET", "/healthz", &[], None).await;
    support::ok(&answer, 200, "healthz");
    // A call to the upstream takes one of its slots.
    let owner = "9fbef0b7-8d4e-4a08-9207-66c22155721d";
    let path = format!("/v1/upstreams/t/owners/{owner}/webhooks");
    support::ok(
        &support::send(gw.addr, "GET", &path, &[], None).await,
        200,
        "list",
    );
    gw.stop().await;
}

#[test]
fn a_value_of_the_wrong_type_is_told_the_key_s_range() {
    for (section, key, range) in [
        (
            "upstreams.live",
            "timeout_ms",
            "a whole number, 1 to 300000",
        ),
        ("upstreams.live", "retries", "a whole number, 0 to 10"),
        (
            "limits",
            "max_body_bytes",
            "a whole number, 1 to 1073741824",
        ),
        (
            "upstreams.live",
            "max_pending",
            "a whole number, 0 to 100000",
        ),
    ] {
        let toml = format!("{LIVE}[{section}]\n{key} = \"5000\"\n").replace(
            "auth = { type = \"none\" }\n[upstreams.live]\n",
            "auth = { type = \"none\" }\n",
        );
        let text = refused(&toml);
        assert!(
            text.contains(&format!("{section}.{key}: `\"5000\"`: expected {range}")),
            "{key}: {text}"
        );
    }
}

#[test]
fn a_surface_prefix_the_main_listener_serves_itself_is_refused_saying_which_rule() {
    let at = |prefix: &str| {
        refused(&format!(
            "{LIVE}[surfaces.s]\ndialect = \"talkover\"\nupstream = \"live\"\nprefix = {prefix:?}\n"
        ))
    };
    // Every path the main listener routes to itself, the path, one below it and one above.
    for (own, _) in hookgate::routes::OWN_PATHS {
        let parent = own
            .rsplit_once('/')
            .map(|(p, _)| p)
            .filter(|p| !p.is_empty());
        for (prefix, how) in [(own.to_string(), "is"), (format!("{own}/x"), "lies below")]
            .into_iter()
            .chain(parent.map(|p| (p.to_owned(), "holds")))
        {
            let text = at(&prefix);
            assert!(
                text.contains(&format!("surfaces.s.prefix: `{prefix}` {how} `{own}`, "))
                    && text.contains("which the main listener serves itself"),
                "{prefix}: {text}"
            );
        }
    }
    for (prefix, rule) in [
        ("/v1/upstreams/chirp", "lies below `/v1`, the canonical API"),
        ("/debug", "holds `/debug/translate`, the preview endpoint"),
        ("/__hookgate/emulators", "lies below `/__hookgate`"),
        ("/metrics/", "is `/metrics`, the metrics"),
        ("surfaces/x", "must start with `/`"),
        ("/", "is the main listener's root"),
    ] {
        let text = at(prefix);
        assert!(text.contains(rule), "{prefix}: {text}");
        assert!(
            !text.contains("must start with `/`") || rule.contains("start"),
            "{text}"
        );
    }
    loads(&format!(
        "{LIVE}[surfaces.s]\ndialect = \"talkover\"\nupstream = \"live\"\nprefix = \"/v1x\"\n"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn inbound_keys_that_can_do_nothing_or_share_a_name_are_refused() {
    let key = |name: &str, digit: char, rest: &str| {
        format!(
            "[[inbound_auth.keys]]\nname = \"{name}\"\nsha256 = \"{}\"\n{rest}\n",
            digit.to_string().repeat(64)
        )
    };
    let keys = |entries: &[String]| {
        format!(
            "{LIVE}[inbound_auth]\nmode = \"api_keys\"\n{}",
            entries.concat()
        )
    };
    let read = "scopes = [\"webhooks:read\"]";
    for (toml, expected) in [
        (
            keys(&[key("ci", 'a', &format!("{read}\nupstreams = []"))]),
            "inbound_auth.keys[0].upstreams: `[]` names no upstream",
        ),
        (
            keys(&[key("ci", 'a', "scopes = []")]),
            "inbound_auth.keys[0].scopes: `[]` lets the key do nothing",
        ),
        (
            keys(&[
                key("ci", 'a', read),
                key("ops", 'b', read),
                key("ci", 'c', read),
            ]),
            "inbound_auth.keys[2].name: `ci` is the name of inbound_auth.keys[0] too",
        ),
        (
            keys(&[key(" ", 'a', read)]),
            "inbound_auth.keys[0].name: is empty",
        ),
    ] {
        let text = refused(&toml);
        assert!(text.contains(expected), "{expected}: {text}");
    }
}

#[test]
fn names_no_environment_variable_can_reach_are_refused() {
    for (table, name) in [
        ("upstreams", "Talkover"),
        ("upstreams", "liveA"),
        ("surfaces", "Voice"),
    ] {
        let toml = match table {
            "upstreams" => LIVE.replace("[upstreams.live]", &format!("[upstreams.{name}]")),
            _ => format!(
                "{LIVE}[surfaces.{name}]\ndialect = \"talkover\"\nupstream = \"live\"\nprefix = \"/s\"\n"
            ),
        };
        let text = refused(&toml);
        assert!(
            text.contains(&format!(
                "{table}.{name}: `{name}` has capital letters, which no environment variable can reach"
            )),
            "{text}"
        );
    }
}

#[test]
fn a_missing_auth_lists_every_type() {
    let text = refused(&LIVE.replace("auth = { type = \"none\" }\n", ""));
    for kind in ["bearer", "basic", "header", "query", "passthrough", "none"] {
        assert!(
            text.contains(&format!("{{ type = \"{kind}\"")),
            "{kind}: {text}"
        );
    }
}

#[test]
fn a_latency_range_written_high_end_first_is_refused() {
    for latency in ["[80, 20]", "[1, 0]"] {
        let text = refused(&format!(
            "[upstreams.e]\ndialect = \"talkover\"\nemulate = true\n\
             [upstreams.e.emulator.faults]\nlatency_ms = {latency}\n"
        ));
        assert!(
            text.contains("upstreams.e.emulator.faults.latency_ms: ")
                && text.contains("low end first"),
            "{latency}: {text}"
        );
    }
    loads(
        "[upstreams.e]\ndialect = \"talkover\"\nemulate = true\n\
         [upstreams.e.emulator.faults]\nlatency_ms = [20, 20]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn an_owner_outside_the_rule_names_the_upstream_whose_rule_it_is() {
    let dir = support::MAPPINGS;
    // Every shipped dialect's surface, whichever files there are: one that takes an owner is
    // the case looked for.
    let mut dialects: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.ok()?.path();
            (path.extension()? == "toml").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    dialects.sort();
    for surface in &dialects {
        let toml = format!(
            "mappings_dir = {dir:?}\n[inbound_auth]\nmode = \"off\"\n\
             [upstreams.voice]\ndialect = \"talkover\"\nemulate = true\n\
             [surfaces.s]\ndialect = \"{surface}\"\nupstream = \"voice\"\nprefix = \"/s\"\nowner = \"abc\"\n"
        );
        let figment =
            Figment::from(Serialized::defaults(RawConfig::default())).merge(Toml::string(&toml));
        let config = config::from_figment(&figment, "test").unwrap_or_else(|e| panic!("{e}"));
        let text = match hookgate::setup::load(config) {
            Ok(_) => continue,
            Err(e) => e.to_string(),
        };
        if text.contains("surfaces.s.owner: `abc`") {
            assert!(
                text.contains("`abc` is not an owner of upstream voice (dialect talkover)"),
                "{surface}: {text}"
            );
            return;
        }
    }
    panic!("no shipped dialect's surface takes an owner in front of a talkover upstream");
}

#[test]
fn healthcheck_refuses_a_timeout_of_nothing() {
    for timeout in ["0", "3600001"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hookgate"))
            .args(["healthcheck", "--timeout-ms", timeout])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{timeout}: {text}");
        assert!(text.contains("--timeout-ms"), "{text}");
    }
}

/// An emulated upstream: what each case adds to.
const EMULATED: &str = "[upstreams.emu]\ndialect = \"talkover\"\nemulate = true\n";

#[test]
fn what_only_an_emulator_or_only_a_vendor_takes_is_refused_on_the_other_by_name() {
    // An emulator's address on a vendor hookgate calls would be no listener at all.
    for at in ["127.0.0.1:0", "127.0.0.1:18931", "[::1]:0"] {
        let text =
            refused(&LIVE.replace("auth = ", &format!("emulator_listen = \"{at}\"\nauth = ")));
        assert!(
            text.contains("upstreams.live.emulator_listen: is where an emulator listens: only for an upstream with `emulate = true`"),
            "{at}: {text}"
        );
    }
    // A credential for an emulator would be read (its variable must be set) and never sent.
    for auth in [
        "{ type = \"bearer\", token_env = \"HG_TEST_NOPE_NOT_SET\" }",
        "{ type = \"basic\", token_file = \"/nonexistent/token\" }",
        "{ type = \"none\" }",
        "{ type = \"passthrough\" }",
        "{ type = \"header\", name = \"X-Token\", token_env = \"HG_TEST_NOPE_NOT_SET\" }",
    ] {
        let text = refused(&format!("{EMULATED}auth = {auth}\n"));
        assert!(
            text.contains("upstreams.emu.auth: an emulated upstream is served by hookgate itself; remove auth or emulate"),
            "{auth}: {text}"
        );
        assert!(!text.contains("is not set"), "{auth}: {text}");
        assert!(!text.contains("/nonexistent/token"), "{auth}: {text}");
    }
    loads(&format!("{EMULATED}emulator_listen = \"127.0.0.1:0\"\n")).unwrap();
}

#[test]
fn a_latency_that_is_no_time_says_what_a_latency_is() {
    let rule = "expected a time in milliseconds (a whole number from 0 to 300000) or a range of two, low end first";
    for (at, value) in [
        ("latency_ms", "-1"),
        ("latency_ms", "\"5\""),
        ("latency_ms", "[1, 2, 3]"),
        ("latency_ms", "[7]"),
        ("latency_ms", "[1, -2]"),
        ("latency_ms", "2.5"),
        ("script", "[{ latency_ms = -5 }]"),
    ] {
        let text = refused(&format!(
            "{EMULATED}[upstreams.emu.emulator.faults]\n{at} = {value}\n"
        ));
        assert!(
            text.contains("upstreams.emu.emulator.faults."),
            "{value}: {text}"
        );
        assert!(text.contains(rule), "{value}: {text}");
        assert!(!text.contains("untagged enum"), "{value}: {text}");
    }
    loads(&format!(
        "{EMULATED}[upstreams.emu.emulator.faults]\nlatency_ms = [20, 80]\nscript = [{{ latency_ms = 5 }}]\n"
    ))
    .unwrap();
}

#[test]
fn a_key_of_another_auth_type_names_the_keys_of_this_one_and_the_types_it_goes_with() {
    for (auth, key, says) in [
        (
            "{ type = \"none\", name = \"X-Foo\" }",
            "upstreams.live.auth.name",
            "`type = \"none\"` takes no other key; `name` goes with `header` or `query` only",
        ),
        (
            "{ type = \"bearer\", token_env = \"X\", name = \"X-Foo\" }",
            "upstreams.live.auth.name",
            "`type = \"bearer\"` takes `token_env`, `token_file` or `also`; `name` goes with `header` or `query` only",
        ),
        (
            "{ type = \"passthrough\", token_env = \"X\" }",
            "upstreams.live.auth.token_env",
            "`type = \"passthrough\"` takes no other key; `token_env` goes with `bearer`, `basic`, `header` or `query` only",
        ),
        (
            "{ type = \"query\", name = \"key\", token_env = \"X\", prefix = \"T \" }",
            "upstreams.live.auth.prefix",
            "`type = \"query\"` takes `name`, `token_env`, `token_file` or `also`; `prefix` goes with `header` only",
        ),
        (
            "{ type = \"bearer\", token_env = \"X\", also = [{ type = \"query\", name = \"k\", token_env = \"Y\", prefix = \"p\" }] }",
            "upstreams.live.auth.also[0].prefix",
            "`type = \"query\"` takes `name`, `token_env` or `token_file`; `prefix` goes with `header` only",
        ),
        (
            "{ type = \"bearer\", token_envv = \"X\" }",
            "upstreams.live.auth.token_envv",
            "unknown key; did you mean `upstreams.live.auth.token_env`?",
        ),
        (
            "{ type = \"none\", colour = \"red\" }",
            "upstreams.live.auth.colour",
            "unknown key; `type = \"none\"` takes no other key",
        ),
    ] {
        let text = refused(&LIVE.replace("{ type = \"none\" }", auth));
        assert!(text.contains(&format!("{key}: {says}")), "{auth}: {text}");
        // Never a list quoted inside quotes, nor `none` read as a value to write.
        assert!(!text.contains("`one of"), "{auth}: {text}");
        assert!(!text.contains("expected `none`"), "{auth}: {text}");
    }
}

#[test]
fn a_misspelt_inbound_key_is_reported_once_and_later_keys_by_their_own_place() {
    let hash = "a".repeat(64);
    let other = "b".repeat(64);
    for (keys, expected) in [
        (
            format!("[{{ name = \"a\", sha256 = \"{hash}\", scope = [\"webhooks:read\"] }}]"),
            vec![
                "inbound_auth.keys[0].scope: unknown key; did you mean `inbound_auth.keys[0].scopes`?",
            ],
        ),
        (
            format!("[{{ name = \"a\", sha25 = \"{hash}\", scopes = [\"webhooks:read\"] }}]"),
            vec![
                "inbound_auth.keys[0].sha25: unknown key; did you mean `inbound_auth.keys[0].sha256`?",
            ],
        ),
        (
            format!(
                "[{{ name = \"a\", sha256 = \"{hash}\", scope = [\"webhooks:read\"] }}, \
                 {{ name = \"\", sha256 = \"{other}\", scopes = [\"webhooks:read\"] }}]"
            ),
            vec![
                "inbound_auth.keys[0].scope: unknown key; did you mean `inbound_auth.keys[0].scopes`?",
                "inbound_auth.keys[1].name: is empty",
            ],
        ),
        (
            format!("[\"not a table\", {{ name = \"b\", sha256 = \"{other}\", scopes = [] }}]"),
            vec![
                "inbound_auth.keys[0]: `\"not a table\"`: expected a table",
                "inbound_auth.keys[1].scopes: `[]` lets the key do nothing",
            ],
        ),
    ] {
        let text = refused(&format!(
            "{LIVE}[inbound_auth]\nmode = \"api_keys\"\nkeys = {keys}\n"
        ));
        let problems: Vec<&str> = text.lines().filter(|l| l.starts_with("  - ")).collect();
        assert_eq!(problems.len(), expected.len(), "{keys}: {text}");
        for (problem, says) in problems.iter().zip(&expected) {
            assert!(problem.contains(says), "{says}: {text}");
        }
    }
}

#[test]
fn a_surface_prefix_with_an_empty_or_dot_segment_is_refused() {
    for (prefix, says) in [
        ("/a//b", "an empty segment (`//`)"),
        ("/s//talkover", "an empty segment (`//`)"),
        ("/a///b/c", "an empty segment (`//`)"),
        // At either end too: only one `/` at the end is trimmed.
        ("//a", "an empty segment (`//`)"),
        ("/a//", "an empty segment (`//`)"),
        ("/a/b///", "an empty segment (`//`)"),
        ("/a/./b", "the dot segment `.`"),
        ("/a/../b", "the dot segment `..`"),
        ("/..", "the dot segment `..`"),
    ] {
        let text = refused(&format!(
            "{LIVE}[surfaces.s]\ndialect = \"talkover\"\nupstream = \"live\"\nprefix = \"{prefix}\"\n"
        ));
        assert!(
            text.contains(&format!("surfaces.s.prefix: `{prefix}` has {says}")),
            "{prefix}: {text}"
        );
    }
    for prefix in ["/a/b", "/a/b/", "/a.b/c..d"] {
        loads(&format!(
            "{LIVE}[surfaces.s]\ndialect = \"talkover\"\nupstream = \"live\"\nprefix = \"{prefix}\"\n"
        ))
        .unwrap_or_else(|e| panic!("{prefix}: {e}"));
    }
}

#[tokio::test]
async fn what_check_refuses_of_an_emulator_s_state_file_starting_refuses_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    for (state, says) in [
        (dir.path().join("missing/state.json"), "does not exist"),
        (
            dir.path().join("missing/deeper/state.json"),
            "does not exist",
        ),
        (file.join("state.json"), "is not a folder"),
    ] {
        let toml = format!(
            "listen = \"127.0.0.1:0\"\nmappings_dir = {:?}\n{EMULATED}[upstreams.emu.emulator]\nstate = {state:?}\n\
             [inbound_auth]\nmode = \"off\"\n",
            support::MAPPINGS
        );
        let text = support::refused(&toml).await;
        assert!(
            text.contains("upstreams.emu.emulator.state: ")
                && text.contains("no such folder to keep the state file in")
                && text.contains(says),
            "{state:?}: {text}"
        );
    }
    assert!(!dir.path().join("missing").exists(), "nothing is written");
}

/// The test dialects with Tally taking idempotency keys in `Idempotency-Key`; it sends
/// `Tally-Tenant-Id` and `Tally-Version` on its list, and Ledger `limit` and `starting_after`.
fn keyed_tally() -> tempfile::TempDir {
    support::dialects_with(&[(
        "tally",
        "owner = \"tenant\"\n",
        "owner = \"tenant\"\nidempotency_key = \"Idempotency-Key\"\n",
    )])
}

#[tokio::test]
async fn an_upstreams_credential_goes_where_its_mapping_file_sends_nothing_else() {
    let dir = keyed_tally();
    let token = support::secret_file(dir.path(), "token", "s3cret-token");
    let upstream = |dialect: &str, auth: &str| {
        format!(
            "mappings_dir = {:?}\n[inbound_auth]\nmode = \"off\"\n[upstreams.u]\ndialect = \"{dialect}\"\n\
             base_url = \"https://api.example.com\"\nauth = {auth}\n",
            dir.path().to_str().unwrap()
        )
    };
    let header = |name: &str| {
        format!("{{ type = \"header\", name = \"{name}\", prefix = \"\", token_file = {token:?} }}")
    };
    let query =
        |name: &str| format!("{{ type = \"query\", name = \"{name}\", token_file = {token:?} }}");
    let also =
        |part: &str| format!("{{ type = \"bearer\", token_file = {token:?}, also = [{part}] }}");
    for (dialect, auth, key, said) in [
        (
            "tally",
            header("Idempotency-Key"),
            "auth.name",
            "idempotency keys",
        ),
        (
            "tally",
            header("idempotency-key"),
            "auth.name",
            "idempotency keys",
        ),
        (
            "tally",
            header("Tally-Version"),
            "auth.name",
            "`operations.list`'s own value",
        ),
        ("tally", header("TALLY-TENANT-ID"), "auth.name", "own value"),
        (
            "tally",
            also(&header("Idempotency-Key")),
            "auth.also[0].name",
            "idempotency keys",
        ),
        (
            "tally",
            also(&header("Tally-Version")),
            "auth.also[0].name",
            "own value",
        ),
        (
            "ledger",
            query("limit"),
            "auth.name",
            "`operations.list`'s own value",
        ),
        (
            "ledger",
            also(&query("starting_after")),
            "auth.also[0].name",
            "own value",
        ),
    ] {
        let text = support::refused(&upstream(dialect, &auth)).await;
        assert!(
            text.contains(&format!("upstreams.u.{key}: `")) && text.contains(said),
            "{auth}: {text}"
        );
        assert!(
            text.contains("would replace the credential"),
            "{auth}: {text}"
        );
        assert!(!text.contains("s3cret-token"), "{text}");
    }
    // Elsewhere, and in a query parameter spelt as a header's name, it starts.
    for (dialect, auth) in [
        ("tally", header("X-Api-Key")),
        ("ledger", query("Limit")),
        ("ledger", header("limit")),
    ] {
        let toml = upstream(dialect, &auth);
        let figment =
            Figment::from(Serialized::defaults(RawConfig::default())).merge(Toml::string(&toml));
        let config = config::from_figment(&figment, "test").expect("config");
        if let Err(e) = hookgate::setup::load(config) {
            panic!("{auth}: {e}");
        }
    }
}

#[test]
fn idempotency_keys_go_in_no_header_hookgate_or_the_clients_credential_needs() {
    let text = std::fs::read_to_string(format!("{}/tally.toml", support::TEST_DIALECTS)).unwrap();
    let with = |dialect: &str| {
        text.replacen(
            "owner = \"tenant\"\n",
            &format!("owner = \"tenant\"\n{dialect}"),
            1,
        )
    };
    for (dialect, said) in [
        (
            "idempotency_key = \"Authorization\"\n",
            "hookgate writes this header itself",
        ),
        (
            "idempotency_key = \"authorization\"\n",
            "hookgate writes this header itself",
        ),
        (
            "idempotency_key = \"Proxy-Authorization\"\n",
            "hookgate writes this header itself",
        ),
        (
            "idempotency_key = \"Content-Type\"\n",
            "hookgate writes this header itself",
        ),
        (
            "idempotency_key = \"X-Request-Id\"\n",
            "hookgate writes this header itself",
        ),
        (
            "idempotency_key = \"Host\"\n",
            "hookgate writes this header itself",
        ),
        (
            "idempotency_key = \"X-Tally-Key\"\nauth = { header = \"x-tally-key\" }\n",
            "send their credential in it",
        ),
        (
            "idempotency_key = \"X-Api-Key\"\n",
            "send their credential in it",
        ),
        (
            "idempotency_key = \"x-api-key\"\n",
            "send their credential in it",
        ),
        (
            "idempotency_key = \"Expect\"\n",
            "belongs to the exchange itself",
        ),
        (
            "idempotency_key = \"Trailer\"\n",
            "belongs to the exchange itself",
        ),
        (
            "idempotency_key = \"Cookie\"\n",
            "belongs to the exchange itself",
        ),
        (
            "idempotency_key = \"Forwarded\"\n",
            "belongs to the exchange itself",
        ),
        (
            "idempotency_key = \"X-Tally-Account\"\nauth = { header = \"X-Tally-Key\", also = [{ header = \"X-Tally-Account\" }] }\n",
            "send their credential in it",
        ),
    ] {
        let errors = support::refused_mapping("tally", &with(dialect));
        assert!(
            errors
                .iter()
                .any(|e| e.contains("dialect.idempotency_key") && e.contains(said)),
            "{dialect}: {errors:?}"
        );
    }
}

/// An emulated upstream with `clock` as its emulator's clock.
fn clocked(clock: &str) -> String {
    format!(
        "[upstreams.e]\ndialect = \"talkover\"\nemulate = true\n\
         [upstreams.e.emulator]\nclock = {clock:?}\n"
    )
}

#[test]
fn an_emulator_clock_is_exactly_an_rfc_3339_time() {
    // Any offset, `T` and `Z` in either case, any fraction, a leap second (RFC 3339 §5.6).
    for clock in [
        "2025-01-01T00:00:00Z",
        "2025-01-01T00:00:00+02:00",
        "2025-01-01T00:00:00-07:30",
        "2025-01-01t00:00:00z",
        "2025-01-01T00:00:00z",
        "2025-01-01t00:00:00+00:00",
        "2025-01-01T00:00:00.5Z",
        "2025-01-01T00:00:00.123456789-00:00",
        "2016-12-31T23:59:60Z",
        "1970-01-01T00:00:00Z",
    ] {
        loads(&clocked(clock)).unwrap_or_else(|e| panic!("{clock}: {e}"));
    }
    for clock in [
        "2025-01-01 00:00:00Z",
        "2025-01-01_00:00:00Z",
        "2025-01-01T00:00:00",
        "2025-01-01T00:00Z",
        "2025-01-01",
        "2025-01-01T00:00:00+0200",
        "2025-01-01T00:00:00 Z",
        "2025-13-01T00:00:00Z",
        "2025-02-30T00:00:00Z",
        "20250101T000000Z",
        "",
    ] {
        let text = refused(&clocked(clock));
        assert!(
            text.contains(&format!(
                "upstreams.e.emulator.clock: `{clock}`: expected an RFC 3339 time such as 2025-01-01T00:00:00Z"
            )),
            "{clock}: {text}"
        );
    }
    // Before 1970, or past the last second RFC 3339 writes, in UTC whatever the offset: a
    // time stamped is written in UTC.
    for clock in [
        "1969-12-31T23:59:59Z",
        "1970-01-01T00:00:00+01:00",
        "9999-12-31T23:30:00-01:00",
        "9999-12-31T23:59:59.5Z",
        "9999-12-31t23:59:60z",
    ] {
        let text = refused(&clocked(clock));
        assert!(
            text.contains(&format!(
                "upstreams.e.emulator.clock: `{clock}`: expected a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z (in UTC), where the clock begins"
            )),
            "{clock}: {text}"
        );
    }
    for clock in ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59+01:00"] {
        loads(&clocked(clock)).unwrap_or_else(|e| panic!("{clock}: {e}"));
    }
}

#[test]
fn a_listener_address_with_a_host_name_is_refused_saying_an_ip_address_is_taken() {
    for (key, toml) in [
        ("listen", "listen = \"localhost:8080\"\n".to_owned()),
        ("listen", "listen = \"example.com:80\"\n".to_owned()),
        (
            "surfaces.s.listen",
            format!("{LIVE}[surfaces.s]\ndialect = \"talkover\"\nupstream = \"live\"\nlisten = \"localhost:9000\"\n"),
        ),
        (
            "upstreams.e.emulator_listen",
            "[upstreams.e]\ndialect = \"talkover\"\nemulate = true\nemulator_listen = \"localhost:0\"\n".to_owned(),
        ),
    ] {
        let text = refused(&toml);
        assert!(
            text.contains(&format!("{key}: `"))
                && text.contains("expected IP:PORT, an IP address and a port such as 127.0.0.1:8080 or [::1]:8080 (a host name such as localhost is not taken)"),
            "{key}: {text}"
        );
    }
}

/// The configuration of an emulated Talkover whose emulator keeps its state in `state`, begun
/// from one webhook (in `fixtures.json` beside it) where it starts without one.
fn kept_in(state: &std::path::Path) -> String {
    let fixtures = state.with_file_name("fixtures.json");
    let webhook = serde_json::json!({"shape": "canonical", "webhooks": [{
        "id": "9fcafbf2-7593-44d6-8cd7-1b221beba62a",
        "owner": "9fbef0b7-8d4e-4a08-9207-66c22155721d",
        "url": "https://example.com/hook", "events": ["event_phone_call_started"],
        "description": "Calls"}]});
    std::fs::write(&fixtures, webhook.to_string()).unwrap();
    format!(
        "listen = \"127.0.0.1:0\"\nmappings_dir = {:?}\n{EMULATED}[upstreams.emu.emulator]\n\
         state = {state:?}\nfixtures = {fixtures:?}\n[inbound_auth]\nmode = \"off\"\n",
        support::MAPPINGS
    )
}

/// A state file holding what no store of its dialect could (a sequence number past the
/// most a store gives, a webhook without an id, owners that disagree or that the vendor
/// could not have) is refused by `hookgate check` and by starting alike, naming each, rather
/// than served until every create panics. One at the most starts, and its creates are refused.
#[tokio::test]
async fn an_emulator_state_the_store_could_not_hold_is_refused_at_check_and_start() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let config = dir.path().join("hookgate.toml");
    std::fs::write(&config, kept_in(&state)).unwrap();
    // A state file as the emulator writes it: its fixtures' webhook.
    support::gateway(&kept_in(&state)).await.stop().await;
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let other = "0190a1b2-c3d4-e5f6-a7b8-c9d0e1f2a3b4";
    let most = "9007199254740991";
    let cases: &[(&str, serde_json::Value, &str)] = &[
        (
            "/store/next_seq",
            serde_json::json!(u64::MAX),
            "`store.next_seq` is 18446744073709551615: a store numbers its webhooks from 1 to 9007199254740991, so the next number is at most 9007199254740992",
        ),
        (
            "/store/next_seq",
            serde_json::json!(9007199254740993u64),
            "`store.next_seq` is 9007199254740993",
        ),
        (
            "/store/webhooks/0/seq",
            serde_json::json!(u64::MAX),
            "`store.webhooks[0].seq` is 18446744073709551615: a store numbers its webhooks from 1 to 9007199254740991",
        ),
        (
            "/store/webhooks/0/webhook/id",
            serde_json::json!(7),
            "`store.webhooks[0].webhook` names no id",
        ),
        (
            "/store/webhooks/0/owner",
            serde_json::json!(other),
            "`store.webhooks[0]` is kept under owner `0190a1b2-c3d4-e5f6-a7b8-c9d0e1f2a3b4` and its webhook names `9fbef0b7-8d4e-4a08-9207-66c22155721d`: a webhook is its owner's",
        ),
        (
            "/store/webhooks/0/owner",
            serde_json::Value::Null,
            "`store.webhooks[0]` is kept under owner none and its webhook names `9fbef0b7-8d4e-4a08-9207-66c22155721d`",
        ),
    ];
    for (at, value, says) in cases {
        let mut edited = written.clone();
        *edited.pointer_mut(at).unwrap_or_else(|| panic!("{at}")) = value.clone();
        std::fs::write(&state, edited.to_string()).unwrap();
        let key = "upstreams.emu.emulator.state: ";
        let checked = support::hookgate_in(
            dir.path(),
            &["check", "--config", config.to_str().unwrap()],
            &[],
        );
        let text = String::from_utf8_lossy(&checked.stderr).into_owned();
        assert_eq!(checked.status.code(), Some(64), "{at}: {text}");
        assert!(text.contains(key) && text.contains(says), "{at}: {text}");
        let text = support::refused(&kept_in(&state)).await;
        assert!(text.contains(key) && text.contains(says), "{at}: {text}");
        assert!(text.contains("move it away or fix it"), "{at}: {text}");
    }
    // Both owners one the vendor could not have.
    let mut edited = written.clone();
    edited["store"]["webhooks"][0]["owner"] = serde_json::json!("agent-7");
    edited["store"]["webhooks"][0]["webhook"]["owner"] = serde_json::json!("agent-7");
    std::fs::write(&state, edited.to_string()).unwrap();
    let text = support::refused(&kept_in(&state)).await;
    assert!(
        text.contains("`store.webhooks[0]` names owner `agent-7`, which is not one of the vendor's: owners are a UUID"),
        "{text}"
    );
    // One webhook twice, under its owner or another: an emulator holds each id once.
    for owner in ["9fbef0b7-8d4e-4a08-9207-66c22155721d", other] {
        let mut edited = written.clone();
        let mut again = edited["store"]["webhooks"][0].clone();
        again["owner"] = serde_json::json!(owner);
        again["webhook"]["owner"] = serde_json::json!(owner);
        edited["store"]["webhooks"]
            .as_array_mut()
            .unwrap()
            .push(again);
        std::fs::write(&state, edited.to_string()).unwrap();
        let text = support::refused(&kept_in(&state)).await;
        assert!(
            text.contains("`store.webhooks[1].webhook.id` is `9fcafbf2-7593-44d6-8cd7-1b221beba62a`, the id of `store.webhooks[0]` too"),
            "{owner}: {text}"
        );
    }
    // At the most, the emulator starts and serves; with every number given, a create is
    // refused as a conflict rather than counted past the most.
    let owner = "9fbef0b7-8d4e-4a08-9207-66c22155721d";
    let create = serde_json::json!({"url": "https://example.com/h",
        "events": ["event_phone_call_started"], "description": "Calls"});
    let path = format!("/v1/upstreams/emu/owners/{owner}/webhooks");
    for (next, status) in [(most, 201), ("9007199254740992", 409)] {
        let mut edited = written.clone();
        edited["store"]["next_seq"] = serde_json::from_str(next).unwrap();
        std::fs::write(&state, edited.to_string()).unwrap();
        let gw = support::gateway(&kept_in(&state)).await;
        let made = support::send(gw.addr, "POST", &path, &[], Some(&create)).await;
        support::ok(&made, status, next);
        let listed = support::send(gw.addr, "GET", &path, &[], None).await;
        support::ok(&listed, 200, next);
        gw.stop().await;
        // What it wrote it reads again.
        support::gateway(&kept_in(&state)).await.stop().await;
    }
}

/// Relay (`tests/dialects/relay.toml`) as two vendors whose ids are text of a format: `ints`,
/// whose ids are integers written as strings, and `eps`, whose ids are `ep_` and 8 hex
/// digits; each with an emulated upstream named after it, upstream `seeded` seeded from
/// `fixtures` (a file beside the mappings' folder).
fn formatted_ids(dir: &std::path::Path, (seeded, fixtures): (&str, &serde_json::Value)) -> String {
    const RELAY: &str = include_str!("dialects/relay.toml");
    let codec = "path = \"$.hook_id\"\ncodec = \"int_string\"\n";
    let owner = "owner = \"project\"\n";
    for (name, format, minted, example) in [
        ("ints", "\"integer\"", "\"integer\"", "\"7\""),
        (
            "eps",
            "{ pattern = \"ep_[0-9a-f]{8}\" }",
            "{ prefix = \"ep_\", length = 8 }",
            "\"ep_00000007\"",
        ),
    ] {
        let text = RELAY
            .replacen(codec, "path = \"$.hook_id\"\n", 1)
            .replacen("hook_id = 7", &format!("hook_id = {example}"), 1)
            .replacen(owner, &format!("{owner}id_format = {format}\n"), 1)
            .replacen("id = \"integer\"", &format!("id = {minted}"), 1);
        std::fs::create_dir_all(dir.join("maps")).unwrap();
        std::fs::write(dir.join("maps").join(format!("{name}.toml")), text).unwrap();
    }
    let file = dir.join("fixtures.json");
    std::fs::write(&file, fixtures.to_string()).unwrap();
    let maps = dir.join("maps");
    let mut toml = format!("listen = \"127.0.0.1:0\"\nmappings_dir = {maps:?}\n");
    for name in ["ints", "eps"] {
        toml.push_str(&format!(
            "[upstreams.{name}]\ndialect = \"{name}\"\nemulate = true\n[upstreams.{name}.emulator]\n"
        ));
        if name == seeded {
            toml.push_str(&format!("fixtures = {file:?}\n"));
        }
    }
    format!("{toml}[inbound_auth]\nmode = \"off\"\n")
}

/// A fixture (from a file or the admin API, in the vendor's shape or the canonical one), or a
/// state file, that gives a webhook an id outside its vendor's `id_format` (`abc` or `-1`
/// where ids are integers, a UUID where they are `ep_…`), or one no path can carry, is
/// refused naming the fixture and the format: no path could reach that webhook, which lists
/// would show and no read, change or delete could name.
#[tokio::test]
async fn an_emulated_id_no_path_can_reach_is_refused_naming_the_format() {
    let hook = |id: serde_json::Value| {
        serde_json::json!({"hook_id": id, "project": "p1",
            "target": {"url": "https://example.com/h"}, "topics": ["a"]})
    };
    let integer = "which is not a decimal integer without sign or leading zeros, of at most 19 digits, as its mapping file says its webhook ids are";
    let pattern = "which is not text matching `^(?:ep_[0-9a-f]{8})$`, as its mapping file says its webhook ids are";
    let unnamed = "which no path can carry: it is empty, a dot segment or holds a path separator";
    let cases: &[(serde_json::Value, &str)] = &[
        (hook(serde_json::json!("abc")), integer),
        (hook(serde_json::json!("-1")), integer),
        (hook(serde_json::json!("007")), integer),
        (
            hook(serde_json::json!("9fcafbf2-7593-44d6-8cd7-1b221beba62a")),
            pattern,
        ),
        (hook(serde_json::json!("EP_0123abcd")), pattern),
        (hook(serde_json::json!("..")), unnamed),
        (hook(serde_json::json!("a/b")), unnamed),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (fixture, why) in cases {
        let id = fixture["hook_id"].as_str().unwrap();
        // Where ids are integers, a UUID is refused too; where they are `ep_…`, an integer.
        let upstream = if why == &pattern { "eps" } else { "ints" };
        let doc = serde_json::json!({"webhooks": [hook(serde_json::json!(if upstream == "eps" { "ep_0123abcd" } else { "12" })), fixture]});
        let config = dir.path().join("hookgate.toml");
        std::fs::write(&config, formatted_ids(dir.path(), (upstream, &doc))).unwrap();
        let says = format!("webhooks[1].hook_id: `{id}` names no webhook of this vendor, {why}");
        let checked = support::hookgate_in(
            dir.path(),
            &["check", "--config", config.to_str().unwrap()],
            &[],
        );
        let text = String::from_utf8_lossy(&checked.stderr).into_owned();
        assert_eq!(checked.status.code(), Some(64), "{id}: {text}");
        let key = format!("upstreams.{upstream}.emulator.fixtures");
        assert!(text.contains(&key) && text.contains(&says), "{id}: {text}");
        // The admin API refuses it too, in either shape, and stores nothing of the document.
        let gw = support::gateway(&formatted_ids(
            dir.path(),
            (upstream, &serde_json::json!({})),
        ))
        .await;
        let path = format!("/__hookgate/emulators/{upstream}/webhooks");
        let canonical = serde_json::json!({"shape": "canonical", "owner": "p1", "webhooks": [
            {"id": id, "url": "https://example.com/h", "events": ["a"]}]});
        for (doc, field) in [
            (&doc, "webhooks[1].hook_id"),
            (&canonical, "webhooks[0].id"),
        ] {
            let seeded = support::send(gw.addr, "POST", &path, &[], Some(doc)).await;
            support::ok(&seeded, 422, id);
            let text = String::from_utf8_lossy(&seeded.body);
            assert!(text.contains(field) && text.contains(why), "{id}: {text}");
        }
        let listed = support::send(
            gw.addr,
            "GET",
            &format!("/v1/upstreams/{upstream}/owners/p1/webhooks"),
            &[],
            None,
        )
        .await;
        support::ok(&listed, 200, id);
        assert_eq!(listed.json()["data"], serde_json::json!([]), "{id}");
        gw.stop().await;
    }
    // A state file holding such an id is refused at check and at start, naming its place.
    let state = dir.path().join("state.json");
    let valid = serde_json::json!({"webhooks": [hook(serde_json::json!("12"))]});
    let with_state = |toml: String| {
        toml.replacen(
            "[upstreams.ints.emulator]\n",
            &format!("[upstreams.ints.emulator]\nstate = {state:?}\n"),
            1,
        )
    };
    support::gateway(&with_state(formatted_ids(dir.path(), ("ints", &valid))))
        .await
        .stop()
        .await;
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    for (id, why) in [("abc", integer), ("0012", integer), ("..", unnamed)] {
        let mut edited = written.clone();
        edited["store"]["webhooks"][0]["webhook"]["id"] = serde_json::json!(id);
        std::fs::write(&state, edited.to_string()).unwrap();
        let config = dir.path().join("hookgate.toml");
        std::fs::write(
            &config,
            with_state(formatted_ids(dir.path(), ("ints", &valid))),
        )
        .unwrap();
        let checked = support::hookgate_in(
            dir.path(),
            &["check", "--config", config.to_str().unwrap()],
            &[],
        );
        let text = String::from_utf8_lossy(&checked.stderr).into_owned();
        assert_eq!(checked.status.code(), Some(64), "{id}: {text}");
        let key = "upstreams.ints.emulator.state: ";
        let says = format!("`store.webhooks[0].webhook.id` is `{id}`, {why}");
        assert!(text.contains(key) && text.contains(&says), "{id}: {text}");
        let text = support::refused(&with_state(formatted_ids(dir.path(), ("ints", &valid)))).await;
        assert!(text.contains(key) && text.contains(&says), "{id}: {text}");
    }
}
