//! An emulator's state file: its webhooks kept across restarts and reloads. Written whole
//! after every change, atomically (a temporary file beside it, then a rename), so a crash
//! leaves the old state or the new one, never half of one. A file that cannot be read as a
//! state file, or holds what no store of its dialect could (a sequence number past the most,
//! a webhook without an id, owners that disagree or that the vendor could not have), is
//! refused at start and by `hookgate check`, never overwritten.

use crate::mapping::Dialect;
use crate::store::Snapshot;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The format's version.
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// Which format.
    hookgate_emulator_state: u32,
    /// Whose webhooks: they are in this dialect's terms.
    dialect: String,
    store: Snapshot,
}

/// A state file, written by one emulator.
pub struct StateFile {
    path: PathBuf,
    dialect: String,
    /// One writer at a time, so the last snapshot taken is the last written.
    writing: Mutex<()>,
}

impl StateFile {
    /// The state file at `path` of an emulator of `dialect`, and what it holds (`None`: it does
    /// not exist yet). A file that is not a state file of this dialect is refused, and so is
    /// one that holds what no store of it could ([`Snapshot::unfit`]), with every such thing
    /// said. A file whose folder is not there is refused too: it is written after every
    /// change, and could never be, so the webhooks would be lost at the next restart.
    pub fn open(
        path: &Path,
        dialect: &Dialect,
    ) -> Result<(StateFile, Option<Snapshot>), Vec<String>> {
        let held = Self::read(path, &dialect.name).map_err(|why| vec![why])?;
        if let Some(snapshot) = &held {
            let unfit = snapshot.unfit(dialect);
            if !unfit.is_empty() {
                let fix = "; move it away or fix it";
                return Err(unfit.into_iter().map(|why| format!("{why}{fix}")).collect());
            }
        }
        Ok((
            StateFile {
                path: path.to_owned(),
                dialect: dialect.name.clone(),
                writing: Mutex::new(()),
            },
            held,
        ))
    }

    /// What the state file at `path` of an emulator of `dialect` holds, read as a state
    /// file of that dialect (`None`: it does not exist yet).
    fn read(path: &Path, dialect: &str) -> Result<Option<Snapshot>, String> {
        if let Some(why) = no_folder(path) {
            return Err(why);
        }
        let held = match std::fs::read(path) {
            Ok(bytes) => {
                let file: File = serde_json::from_slice(&bytes).map_err(|e| {
                    format!("is not an emulator state file ({e}); move it away or fix it")
                })?;
                if file.hookgate_emulator_state != VERSION {
                    return Err(format!(
                        "is a state file of version {}; this hookgate reads version {VERSION}",
                        file.hookgate_emulator_state
                    ));
                }
                if file.dialect != dialect {
                    return Err(format!(
                        "holds webhooks of dialect {}, not {dialect}",
                        file.dialect
                    ));
                }
                Some(file.store)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot be read: {e}")),
        };
        Ok(held)
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `snapshot` in place of what the file held.
    pub fn save(&self, snapshot: Snapshot) -> std::io::Result<()> {
        let _one = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let file = File {
            hookgate_emulator_state: VERSION,
            dialect: self.dialect.clone(),
            store: snapshot,
        };
        let text = serde_json::to_vec_pretty(&file).map_err(std::io::Error::other)?;
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".into());
        let temporary = self
            .path
            .with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let written = (|| {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                // Webhook secrets are in it: readable by its owner only.
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut out = options.open(&temporary)?;
            out.write_all(&text)?;
            out.sync_all()?;
            std::fs::rename(&temporary, &self.path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }
}

/// Why the folder of a state file at `path` cannot hold it, if it cannot: it does not exist,
/// or it is no folder.
fn no_folder(path: &Path) -> Option<String> {
    let folder = path.parent().filter(|d| !d.as_os_str().is_empty())?;
    match std::fs::metadata(folder) {
        Ok(meta) if meta.is_dir() => None,
        Ok(_) => Some(format!(
            "no such folder to keep the state file in ({} is not a folder)",
            folder.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(format!(
            "no such folder to keep the state file in ({} does not exist)",
            folder.display()
        )),
        Err(e) => Some(format!(
            "its folder {} cannot be reached: {e}",
            folder.display()
        )),
    }
}
