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

/// What a folder of mapping files holds: the sources to compile, and every file that could
/// not be read as one, with the dialect it would have made.
#[derive(Default)]
pub struct Folder {
    /// The files read, to compile.
    pub sources: Vec<Source>,
    /// Every problem found reading them (the folder itself, a file, a stray `.toml`).
    pub errors: Vec<MappingError>,
    /// The dialects whose files were found but could not be read as mapping files.
    pub broken: Vec<String>,
}

/// Every `*.toml` in `dir`, sorted by name. A folder that cannot be read, a file in it that
/// cannot, and a file that is not a mapping file (no `[dialect]` table: a stray `.toml`) are
/// reported with their absolute paths: startup refuses them rather than guess that a file was
/// meant to be skipped. Every file is read, whatever the others hold, so that one pass reports
/// every file's problems.
pub fn read_folder(dir: &Path) -> Folder {
    let shown = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return Folder {
                errors: vec![MappingError {
                    file: shown,
                    key: "(folder)".into(),
                    message: e.to_string(),
                }],
                ..Folder::default()
            };
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut found = Folder::default();
    for file in files {
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let message = match std::fs::read_to_string(&file) {
            Ok(text) if is_mapping(&text) => {
                found.sources.push(Source { name, file, text });
                continue;
            }
            Ok(_) => "not a mapping file: it has no [dialect] table. Every *.toml file in \
                      mappings_dir is read as a mapping file: move this one out of the \
                      folder or rename it"
                .to_owned(),
            Err(e) => e.to_string(),
        };
        found.errors.push(MappingError {
            file: std::path::absolute(&file).unwrap_or(file),
            key: "(file)".into(),
            message,
        });
        found.broken.push(name);
    }
    found
}

/// Every `*.toml` in `dir`, as [`read_folder`] reads them; every problem found, if any.
pub fn folder(dir: &Path) -> Result<Vec<Source>, Vec<MappingError>> {
    let found = read_folder(dir);
    if found.errors.is_empty() {
        Ok(found.sources)
    } else {
        Err(found.errors)
    }
}

/// Whether a file that parses as TOML has a `[dialect]` table; one that does not parse is
/// left to the compiler, which says where.
fn is_mapping(text: &str) -> bool {
    text.parse::<toml::Table>()
        .map_or(true, |t| t.contains_key("dialect"))
}

/// The dialects that compiled, and every problem of every source that did not.
#[derive(Default)]
pub struct Compiled {
    /// The dialects, sorted by name.
    pub dialects: Vec<Dialect>,
    /// Every problem of every source.
    pub errors: Vec<MappingError>,
    /// The dialects whose (last) file did not compile: a name that is there, but broken.
    pub broken: Vec<String>,
}

/// Compiles sources, gathering every problem of every one; a later source replaces an earlier
/// one of the same name, even when it does not compile (the earlier one is not used in its
/// place). The dialects come out sorted by name.
pub fn compile_sources(sources: Vec<Source>) -> Compiled {
    let mut out = Compiled::default();
    for source in sources {
        out.dialects.retain(|other| other.name != source.name);
        out.broken.retain(|other| *other != source.name);
        match Dialect::compile(&source.name, &source.file, &source.text) {
            Ok(d) => out.dialects.push(d),
            Err(e) => {
                out.errors.extend(e);
                out.broken.push(source.name);
            }
        }
    }
    out.dialects.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Compiles sources as [`compile_sources`] does; every problem of every one, if any.
pub fn load_sources(sources: Vec<Source>) -> Result<Vec<Dialect>, Vec<MappingError>> {
    let compiled = compile_sources(sources);
    if compiled.errors.is_empty() {
        Ok(compiled.dialects)
    } else {
        Err(compiled.errors)
    }
}

/// Loads every `*.toml` in `dir`, sorted by name, gathering every problem of every file.
pub fn load_dir(dir: &Path) -> Result<Vec<Dialect>, Vec<MappingError>> {
    load_sources(folder(dir)?)
}
