//! `docs/configuration.md` is the reference of every configuration key: a key the code takes
//! that it does not describe fails this test, and so does a key it describes that the code
//! does not take. The keys come from the code's own shape of a configuration
//! (`hookgate::config::keys`); each documented default is checked against the code's.

use figment::value::Value;
use hookgate::config::{RawConfig, RawUpstream};
use std::collections::BTreeMap;

const REFERENCE: &str = include_str!("../docs/configuration.md");

/// Each documented key (the first cell of a table row, in backticks) and its row.
fn documented() -> BTreeMap<String, String> {
    REFERENCE
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("| `")?;
            let (key, _) = rest.split_once("` |")?;
            Some((key.to_owned(), line.to_owned()))
        })
        .collect()
}

#[test]
fn every_key_in_the_code_is_documented_and_no_other() {
    let code: Vec<String> = hookgate::config::keys();
    let docs = documented();
    let missing: Vec<&String> = code.iter().filter(|k| !docs.contains_key(*k)).collect();
    let unknown: Vec<&String> = docs.keys().filter(|k| !code.contains(k)).collect();
    assert!(
        missing.is_empty(),
        "keys the code takes that docs/configuration.md does not describe: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "keys docs/configuration.md describes that the code does not take: {unknown:?}"
    );
}

/// Scalar defaults, by key: the configuration's, and a new upstream's under
/// `upstreams.<name>`.
fn defaults() -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
        let key = |k: &str| {
            if prefix.is_empty() {
                k.to_owned()
            } else {
                format!("{prefix}.{k}")
            }
        };
        match value {
            Value::Dict(_, dict) => dict.iter().for_each(|(k, v)| walk(&key(k), v, out)),
            Value::String(_, s) => out.push((prefix.to_owned(), format!("\"{s}\""))),
            Value::Num(_, n) => out.push((prefix.to_owned(), n.to_u128().unwrap().to_string())),
            Value::Bool(_, b) => out.push((prefix.to_owned(), b.to_string())),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(
        "",
        &Value::serialize(RawConfig::default()).unwrap(),
        &mut out,
    );
    walk(
        "upstreams.<name>",
        &Value::serialize(RawUpstream::new("d".into())).unwrap(),
        &mut out,
    );
    out.retain(|(k, _)| k != "upstreams.<name>.dialect");
    out
}

#[test]
fn every_documented_default_is_the_code_s() {
    let docs = documented();
    for (key, value) in defaults() {
        let row = docs
            .get(&key)
            .unwrap_or_else(|| panic!("{key} is not documented"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | key | type | default | environment | reload | what |
        let default = cells.get(3).copied().unwrap_or_default();
        assert!(
            default.contains(&format!("`{value}`")),
            "{key}: the code's default is {value}, the reference says {default}"
        );
    }
}

#[test]
fn every_key_names_its_environment_variable() {
    for (key, row) in documented() {
        let var = hookgate::config::env_name(&key.replace("<name>", "NAME").replace("[]", ""));
        assert!(
            row.contains(&format!("`{var}`")) || row.contains("(list)") || key.contains("[]"),
            "{key}: the row does not name {var}"
        );
    }
}
