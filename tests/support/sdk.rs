//! A vendor's official Python SDK, installed from PyPI into a virtual environment under the
//! test build's folder the first time a test asks for it, and kept there for later runs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The Python of a virtual environment holding `package` at exactly `version`.
pub fn python_with(package: &str, version: &str) -> PathBuf {
    // One installation at a time: tests of one binary run in parallel.
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _one = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{package}-sdk-venv"));
    let python = venv.join("bin/python");
    let query = format!("import importlib.metadata as m; print(m.version('{package}'))");
    let installed = Command::new(&python)
        .args(["-c", &query])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == version);
    if !installed {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap();
        assert!(made.success(), "python3 -m venv failed");
        let wanted = format!("{package}=={version}");
        let pip = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", &wanted])
            .status()
            .unwrap();
        assert!(pip.success(), "pip install {wanted} failed");
    }
    python
}
