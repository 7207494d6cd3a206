//! `mappings/README.md`, the reference of the mapping language, is kept true:
//!
//! - every fenced `toml` block is TOML;
//! - every block marked `<!-- complete -->` (or `<!-- complete: PATH -->`, which must also equal
//!   the file at PATH) is a whole mapping file, and loads with the loader the gateway uses, its
//!   examples surviving the round trip `hookgate check` makes;
//! - every key the compiler's raw schema accepts (the serde fields of `src/mapping/file.rs`),
//!   every canonical field, problem code and operation name is described;
//! - the worked example's bodies are what the gateway really sends and answers, in front of a
//!   scripted vendor.

mod support;

use hookgate::mapping::load_dir;
use hookgate::model::{Action, TEST_RESULT_FIELDS, WEBHOOK_FIELDS};
use hookgate::problem::Code;
use serde_json::Value;
use std::path::Path;
use support::{Double, Reply, gateway, send};

const REFERENCE: &str = include_str!("../mappings/README.md");
const SCHEMA: &str = include_str!("../src/mapping/file.rs");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A fenced code block, with the `<!-- label -->` on the line before its fence, if any.
#[derive(Debug)]
struct Block {
    label: Option<String>,
    lang: String,
    text: String,
    line: usize,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(lang) = lines[i].strip_prefix("```") else {
            i += 1;
            continue;
        };
        let label = i
            .checked_sub(1)
            .and_then(|p| lines[p].trim().strip_prefix("<!--"))
            .and_then(|l| l.strip_suffix("-->"))
            .map(|l| l.trim().to_owned());
        let start = i + 1;
        let end = (start..lines.len())
            .find(|&j| lines[j].starts_with("```"))
            .unwrap_or_else(|| panic!("the block at line {} is not closed", i + 1));
        out.push(Block {
            label,
            lang: lang.trim().to_owned(),
            text: lines[start..end].join("\n") + "\n",
            line: i + 1,
        });
        i = end + 1;
    }
    out
}

/// The complete mapping files of the reference: (file to compare with, block).
fn complete_files(all: &[Block]) -> Vec<(Option<String>, &Block)> {
    all.iter()
        .filter_map(|b| {
            let label = b.label.as_deref()?;
            let rest = label.strip_prefix("complete")?;
            assert_eq!(b.lang, "toml", "line {}: a complete file is TOML", b.line);
            let path = rest.strip_prefix(':').map(|p| p.trim().to_owned());
            Some((path, b))
        })
        .collect()
}

fn labelled<'a>(all: &'a [Block], label: &str) -> &'a Block {
    all.iter()
        .find(|b| b.label.as_deref() == Some(label))
        .unwrap_or_else(|| panic!("the reference has no block labelled `{label}`"))
}

fn json_of(block: &Block) -> Value {
    serde_json::from_str(&block.text)
        .unwrap_or_else(|e| panic!("line {}: not JSON: {e}", block.line))
}

#[test]
fn every_toml_block_is_toml() {
    let all = blocks(REFERENCE);
    let toml_blocks: Vec<_> = all.iter().filter(|b| b.lang == "toml").collect();
    assert!(toml_blocks.len() >= 10, "found {}", toml_blocks.len());
    for b in toml_blocks {
        if let Err(e) = toml::from_str::<toml::Table>(&b.text) {
            panic!("mappings/README.md line {}: not TOML: {e}", b.line);
        }
    }
}

#[test]
fn complete_files_load_with_the_gateway_loader() {
    let all = blocks(REFERENCE);
    let complete = complete_files(&all);
    assert!(
        complete.len() >= 2,
        "the reference shows a smallest file and a worked example"
    );
    assert!(
        complete
            .iter()
            .any(|(p, _)| p.as_deref() == Some("tests/dialects/relay.toml")),
        "the worked example is the file the fifth-dialect lifecycle test drives"
    );
    let dir = tempfile::tempdir().unwrap();
    for (n, (path, block)) in complete.iter().enumerate() {
        let stem = match path {
            Some(p) => {
                let on_disk = std::fs::read_to_string(Path::new(ROOT).join(p))
                    .unwrap_or_else(|e| panic!("line {}: {p}: {e}", block.line));
                assert_eq!(
                    block.text, on_disk,
                    "mappings/README.md line {}: the block differs from {p}",
                    block.line
                );
                Path::new(p)
                    .file_stem()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned()
            }
            None => format!("reference-{n}"),
        };
        std::fs::write(dir.path().join(format!("{stem}.toml")), &block.text).unwrap();
    }
    let dialects = load_dir(dir.path()).unwrap_or_else(|errors| {
        panic!(
            "complete files in mappings/README.md do not load:\n{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert_eq!(dialects.len(), complete.len());
    assert_eq!(
        hookgate::examples::round_trip_all(dialects.iter()),
        Vec::<String>::new()
    );
}

/// The keys and words serde accepts in a mapping file: the field names of the raw schema's
/// structs, renamed where an attribute says so, plus any aliases; and the variants of its
/// enums of words (`rename_all = "snake_case"`), spelt as serde reads them.
fn schema_keys(source: &str) -> Vec<String> {
    let quoted_after = |text: &str, marker: &str| -> Vec<String> {
        text.split(marker)
            .skip(1)
            .filter_map(|rest| rest.split('"').next().map(str::to_owned))
            .collect()
    };
    let snake = |name: &str| {
        let mut out = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    };
    let mut keys = Vec::new();
    let mut rename: Option<String> = None;
    let mut snake_case_next = false;
    let mut in_words = false;
    for line in source.lines().map(str::trim) {
        if line.starts_with("#[serde(") {
            assert!(!line.contains("flatten"), "teach this test about `{line}`");
            if line.contains("rename_all = \"snake_case\"") {
                snake_case_next = true;
            }
            rename = quoted_after(line, "rename = \"").pop().or(rename);
            keys.extend(quoted_after(line, "alias = \""));
            continue;
        }
        if line.starts_with("pub enum") {
            in_words = std::mem::take(&mut snake_case_next);
            continue;
        }
        if line.starts_with("pub struct") {
            snake_case_next = false;
            in_words = false;
            continue;
        }
        if line == "}" {
            in_words = false;
            continue;
        }
        if in_words {
            let variant: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if !variant.is_empty()
                && variant
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_uppercase())
            {
                keys.push(rename.take().unwrap_or_else(|| snake(&variant)));
            }
            continue;
        }
        // A struct variant's members are keys too (`Pattern { pattern: String }`).
        if let Some(inner) = line.split_once('{').map(|(_, r)| r)
            && let Some((name, _)) = inner.trim().split_once(':')
            && !line.starts_with("pub ")
        {
            keys.push(name.trim().to_owned());
        }
        let Some((name, _)) = line.strip_prefix("pub ").and_then(|r| r.split_once(':')) else {
            continue;
        };
        if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            keys.push(rename.take().unwrap_or_else(|| name.to_owned()));
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

#[test]
fn every_key_and_name_the_compiler_accepts_is_described() {
    let keys = schema_keys(SCHEMA);
    for expected in ["dialect", "in", "fill_when", "field_errors", "max_webhooks"] {
        assert!(keys.iter().any(|k| k == expected), "{expected} in {keys:?}");
    }
    assert!(
        !keys.iter().any(|k| k == "in_"),
        "renamed fields use their TOML name"
    );
    let mut names = keys;
    names.extend(WEBHOOK_FIELDS.iter().map(|f| f.name.to_owned()));
    names.extend(TEST_RESULT_FIELDS.iter().map(|f| f.name.to_owned()));
    names.extend(Code::ALL.iter().map(|c| c.as_str().to_owned()));
    names.extend(Action::ALL.iter().map(|o| o.name().replace('-', "_")));
    let missing: Vec<_> = names
        .iter()
        .filter(|n| !REFERENCE.contains(&format!("`{n}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "mappings/README.md does not describe: {missing:?}"
    );
}

#[tokio::test]
async fn the_worked_example_translates_as_shown() {
    let all = blocks(REFERENCE);
    let (_, relay) = complete_files(&all)
        .into_iter()
        .find(|(p, _)| p.as_deref() == Some("tests/dialects/relay.toml"))
        .expect("the worked example");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("relay.toml"), &relay.text).unwrap();

    let request = json_of(labelled(&all, "relay: canonical request"));
    let vendor = Double::start(vec![
        Reply::json(201, json_of(labelled(&all, "relay: vendor answer"))),
        Reply::json(400, json_of(labelled(&all, "relay: vendor error"))),
    ])
    .await;
    let gw = gateway(&format!(
        "mappings_dir = {:?}\n[upstreams.relay]\ndialect = \"relay\"\nbase_url = \"{}\"\n\
         auth = {{ type = \"none\" }}\nretries = 0\n",
        dir.path(),
        vendor.url()
    ))
    .await;
    let url = "/v1/upstreams/relay/owners/p1/webhooks";
    let headers = [("x-request-id", "req-1")];

    let created = send(gw.addr, "POST", url, &headers, Some(&request)).await;
    assert_eq!(created.status, 201, "{}", created.json());
    assert_eq!(
        created.json(),
        json_of(labelled(&all, "relay: canonical answer"))
    );

    let refused = send(gw.addr, "POST", url, &headers, Some(&request)).await;
    assert_eq!(refused.status, 422, "{}", refused.json());
    assert_eq!(
        refused.json(),
        json_of(labelled(&all, "relay: canonical problem"))
    );

    let seen = vendor.seen();
    assert_eq!(seen.len(), 2);
    for call in &seen {
        assert_eq!(
            (call.method.as_str(), call.path.as_str()),
            ("POST", "/api/projects/p1/hooks")
        );
        assert_eq!(
            call.json(),
            Some(json_of(labelled(&all, "relay: vendor request")))
        );
    }
    gw.stop().await;
}
