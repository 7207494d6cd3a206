//! The mapping language: one declarative file per vendor dialect, compiled once at load.
//!
//! | module | its one job |
//! |---|---|
//! | [`file`] | the file as written: serde structures, unknown keys refused |
//! | [`compile`] | the file into a [`Dialect`], every problem reported with file and key |
//! | [`model`] | the compiled dialect: endpoints, resources, emulator settings |
//! | [`load`] | which files: a folder, and the mapping files shipped in the binary |
//! | [`url`] | URL path templates, and the shapes of owners and ids |
//! | [`id_header`] | an answer's headers that name the webhook's id, read and written |
//! | [`json_path`] | singular JSONPaths: where one value lives in a document |
//! | [`codec`] | how one canonical value is spelt in a dialect, both ways |
//! | [`time_format`] | a vendor's own way of writing a time, read into RFC 3339 UTC and back |
//! | [`checks`] | a vendor's constraints on one value |
//! | [`rules`] | field rules: read, write, parse, render |
//! | [`flags`] | event types kept as one boolean member each |
//! | [`patch`] | an update sent, or taken, as an RFC 6902 JSON Patch |
//! | `reader` | reading a vendor object while its text is parsed |
//! | [`template`] | envelopes with `{{placeholders}}` |
//! | [`errors`] | error envelopes, read and rendered |
//!
//! The language is documented for users in `mappings/README.md`. Nothing here knows HTTP
//! servers or clients: a compiled dialect is data, used by the planner and the frontends.

pub mod checks;
pub mod codec;
pub mod compile;
pub mod errors;
mod file;
pub mod flags;
pub mod id_header;
pub mod json_path;
pub mod load;
pub mod model;
pub mod patch;
mod reader;
pub mod rules;
pub mod template;
pub mod time_format;
pub mod url;

pub use load::{load_dir, load_sources};
pub use model::{Dialect, Endpoint, Paging, Resource, Role, Strategy};

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one mapping file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    /// The file.
    pub file: PathBuf,
    /// The key (`fields.url.path`), or the position of a syntax error.
    pub key: String,
    /// What is wrong, and what is accepted.
    pub message: String,
}

impl fmt::Display for MappingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file.display(), self.key, self.message)
    }
}

impl Dialect {
    /// Compiles mapping text; `file` only names the source in errors.
    pub fn compile(name: &str, file: &Path, text: &str) -> Result<Dialect, Vec<MappingError>> {
        compile::compile(name, file, text)
    }
}
