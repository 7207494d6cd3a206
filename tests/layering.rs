//! Imports point one way: no two files of `src/` import each other, directly or through
//! others. Reads the source text (`use crate::…`, `super::…` and paths in code and doc links),
//! so that a cycle fails here before anyone has to untangle it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every file of `src/` by module path (`gateway`, `emulator/admin`; `mod.rs` is its folder):
/// its text, `#[cfg(test)] mod tests` left out.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap().with_extension("");
            let rel = rel.to_str().unwrap().replace('\\', "/");
            let name = rel.strip_suffix("/mod").unwrap_or(&rel).to_owned();
            let name = if name == "lib" || name == "main" {
                String::new()
            } else {
                name
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let text = match text.find("#[cfg(test)]\nmod tests") {
                Some(at) => text[..at].to_owned(),
                None => text,
            };
            out.insert(name, text);
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

/// `a::{b, c::d}` becomes `a::b a::c::d` (nested groups too), so that each path stands alone.
fn expand_groups(text: &str) -> String {
    let mut text = text.to_owned();
    while let Some(open) = text.find("::{") {
        let start = text[..open]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map_or(0, |i| i + 1);
        let mut depth = 0;
        let mut close = open + 2;
        for (i, c) in text[open + 2..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + 2 + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let head = &text[start..open];
        let inner = &text[open + 3..close];
        let mut parts = Vec::new();
        let mut depth = 0;
        let mut from = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&inner[from..i]);
                    from = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&inner[from..]);
        let expanded: Vec<String> = parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| format!("{head}::{p}"))
            .collect();
        text.replace_range(start..=close, &expanded.join(" "));
    }
    text
}

/// The files a path written in `module` names: the longest prefix that is a file.
fn resolve(module: &str, path: &str, files: &BTreeMap<String, String>) -> Option<String> {
    let mut parts: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = if module.is_empty() {
        Vec::new()
    } else {
        module.split('/').collect()
    };
    match parts[0] {
        "crate" => {
            base.clear();
            parts.remove(0);
        }
        "super" => {
            // `super` of `a/b.rs` and of `a/b/mod.rs` alike is `a`.
            base.pop();
            parts.remove(0);
            while parts.first() == Some(&"super") {
                base.pop();
                parts.remove(0);
            }
        }
        "self" => {
            parts.remove(0);
        }
        _ => return None,
    }
    (0..=parts.len())
        .rev()
        .map(|i| {
            base.iter()
                .chain(&parts[..i])
                .copied()
                .collect::<Vec<_>>()
                .join("/")
        })
        .find(|candidate| files.contains_key(candidate))
}

fn edges(files: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let path = regex::Regex::new(r"\b(?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+").unwrap();
    files
        .iter()
        .map(|(module, text)| {
            let text = expand_groups(text);
            let targets = path
                .find_iter(&text)
                .filter_map(|m| resolve(module, m.as_str(), files))
                // A module's own children and the crate root are not imports between files.
                .filter(|t| t != module && !t.is_empty() && !t.starts_with(&format!("{module}/")))
                .filter(|t| !module.starts_with(&format!("{t}/")))
                .collect();
            (module.clone(), targets)
        })
        .collect()
}

/// Strongly connected components with more than one file (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn no_two_files_import_each_other() {
    let files = modules();
    let graph = edges(&files);
    let found = cycles(&graph);
    let shown: Vec<String> = found
        .iter()
        .map(|c| {
            let inner: Vec<String> = c
                .iter()
                .flat_map(|a| {
                    graph[a]
                        .iter()
                        .filter(|b| c.contains(b))
                        .map(move |b| format!("{a} → {b}"))
                })
                .collect();
            inner.join(", ")
        })
        .collect();
    assert!(found.is_empty(), "import cycles in src/: {shown:#?}");
}

#[test]
fn the_check_sees_a_cycle_when_there_is_one() {
    let mut files = BTreeMap::new();
    files.insert("a".to_owned(), "use crate::b::X;".to_owned());
    files.insert("b".to_owned(), "use super::{c::{self, Y}, z};".to_owned());
    files.insert("c".to_owned(), "/// [`crate::a`]".to_owned());
    files.insert("d".to_owned(), "use crate::a;".to_owned());
    let found = cycles(&edges(&files));
    assert_eq!(found, vec![vec!["a", "b", "c"]]);
}

/// The files a "which file holds what" listing names: the block that opens with `src/`, a
/// folder's files indented under its `mod.rs`, `-- row` lines left out.
fn listed(text: &str) -> BTreeSet<String> {
    let lines = text
        .lines()
        .map(|l| match l.strip_prefix("//!") {
            Some(doc) => doc.strip_prefix(' ').unwrap_or(doc),
            None => l,
        })
        .skip_while(|l| *l != "src/")
        .skip(1)
        .take_while(|l| !l.starts_with("```"));
    let mut out = BTreeSet::new();
    let mut folder = String::new();
    for line in lines {
        let Some(name) = line
            .split_whitespace()
            .next()
            .filter(|n| n.ends_with(".rs"))
        else {
            continue;
        };
        if line.starts_with("    ") {
            out.insert(format!("{folder}{name}"));
        } else {
            folder = name.strip_suffix("mod.rs").unwrap_or("").to_owned();
            out.insert(name.to_owned());
        }
    }
    out
}

#[test]
fn the_crate_maps_name_every_file_and_no_other() {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).unwrap().to_str().unwrap();
                out.insert(rel.replace('\\', "/"));
            }
        }
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = BTreeSet::new();
    walk(&repo.join("src"), &repo.join("src"), &mut files);
    for map in ["src/lib.rs", "docs/design.md"] {
        let text = std::fs::read_to_string(repo.join(map)).unwrap();
        let named = listed(&text);
        let missing: Vec<_> = files.difference(&named).collect();
        let gone: Vec<_> = named.difference(&files).collect();
        assert!(
            missing.is_empty() && gone.is_empty(),
            "{map}: files it does not list: {missing:?}; files it lists that are gone: {gone:?}"
        );
    }
}
