//! Which mapping files make the dialects: those shipped inside the binary, and those of a
//! folder, which add dialects or replace shipped ones of the same name. Every problem of every
//! file is gathered, and files are taken in name order.

use super::{Dialect, MappingError};
use std::path::{Path, PathBuf};

/// The mapping files shipped with hookgate (every `mappings/*.toml` at build time, listed by
/// `build.rs`), compiled into the binary: the embedded default needs no folder at run time.
pub const SHIPPED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/shipped_mappings.rs"));

/// One mapping file's text and where it came from.
pub struct Source {
    /// The dialect's name: the file stem.
    pub name: String,
    /// The file, as errors name it.
    pub file: PathBuf,
    /// The TOML text.
    pub text: String,
}

/// The shipped mapping files, as sources.
pub fn shipped() -> Vec<Source> {
    SHIPPED
        .iter()
        .map(|(name, text)| Source {
            name: (*name).to_owned(),
            file: PathBuf::from(format!("(shipped) mappings/{name}.toml")),
            text: (*text).to_owned(),
        })
        .collect()
}

/// Every `*.toml` in `dir`, sorted by name. A folder that cannot be read, a file in it that
/// cannot, and a file that is not a mapping file (no `[dialect]` table: a stray `.toml`) are
/// reported with their absolute paths: startup refuses them rather than guess that a file was
/// meant to be skipped.
pub fn folder(dir: &Path) -> Result<Vec<Source>, Vec<MappingError>> {
    let shown = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![MappingError {
            file: shown.clone(),
            key: "(folder)".into(),
            message: e.to_string(),
        }]
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        match std::fs::read_to_string(&file) {
            Ok(text) if !is_mapping(&text) => errors.push(MappingError {
                file: std::path::absolute(&file).unwrap_or(file),
                key: "(file)".into(),
                message: "not a mapping file: it has no [dialect] table. Every *.toml file in \
                          mappings_dir is read as a mapping file: move this one out of the \
                          folder or rename it"
                    .into(),
            }),
            Ok(text) => sources.push(Source { name, file, text }),
            Err(e) => errors.push(MappingError {
                file: std::path::absolute(&file).unwrap_or(file),
                key: "(file)".into(),
                message: e.to_string(),
            }),
        }
    }
    if errors.is_empty() {
        Ok(sources)
    } else {
        Err(errors)
    }
}

/// Whether a file that parses as TOML has a `[dialect]` table; one that does not parse is
/// left to the compiler, which says where.
fn is_mapping(text: &str) -> bool {
    text.parse::<toml::Table>()
        .map_or(true, |t| t.contains_key("dialect"))
}

/// Compiles sources, gathering every problem of every one; a later source replaces an earlier
/// one of the same name. The dialects come out sorted by name.
pub fn load_sources(sources: Vec<Source>) -> Result<Vec<Dialect>, Vec<MappingError>> {
    let mut dialects: Vec<Dialect> = Vec::new();
    let mut errors = Vec::new();
    for source in sources {
        match Dialect::compile(&source.name, &source.file, &source.text) {
            Ok(d) => {
                dialects.retain(|other| other.name != d.name);
                dialects.push(d);
            }
            Err(e) => errors.extend(e),
        }
    }
    dialects.sort_by(|a, b| a.name.cmp(&b.name));
    if errors.is_empty() {
        Ok(dialects)
    } else {
        Err(errors)
    }
}

/// Loads every `*.toml` in `dir`, sorted by name, gathering every problem of every file.
pub fn load_dir(dir: &Path) -> Result<Vec<Dialect>, Vec<MappingError>> {
    load_sources(folder(dir)?)
}
