//! A vendor's official Python SDK, installed from PyPI into a virtual environment under the
//! test build's folder the first time a test asks for it, and kept there for later runs; and
//! a script driving it, whose steps are read back.

use serde_json::{Map, Value};
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

/// Runs `script` with `python` and `args`, off the runtime's threads; the steps it printed, one
/// JSON line each (`{"step": …, "value": …}`), by name. A step named `error`, or a run that
/// fails, fails the test with what the script printed.
#[allow(dead_code)] // not every test binary drives a script
pub async fn steps(python: PathBuf, script: &'static str, args: Vec<String>) -> Map<String, Value> {
    tokio::task::spawn_blocking(move || {
        let out = Command::new(python)
            .arg(script)
            .args(&args)
            .env("NO_PROXY", "127.0.0.1,localhost")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut steps = Map::new();
        for line in text.lines() {
            let line: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            steps.insert(
                line["step"].as_str().unwrap().to_owned(),
                line["value"].clone(),
            );
        }
        assert!(
            !steps.contains_key("error") && out.status.success(),
            "{args:?}: {}; stderr: {}",
            Value::Object(steps.clone()),
            String::from_utf8_lossy(&out.stderr)
        );
        steps
    })
    .await
    .unwrap()
}
