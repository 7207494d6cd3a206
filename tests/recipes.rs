//! The Python recipe of `docs/emulators.md` (`examples/recipes/pytest/`), run as a project
//! would run it: pytest, installed with pip into a virtual environment under the target folder
//! when it is not there yet, against the binary built with this test, with every dialect that
//! is loaded.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

/// pytest's version, pinned so that a release of it cannot fail this test.
const PYTEST: &str = "pytest==8.3.5";

/// A Python with pytest: the virtual environment's, made (and pytest installed) if missing.
fn python_with_pytest() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("recipes-venv");
    let python = venv.join("bin").join("python");
    let has_pytest = |python: &Path| {
        Command::new(python)
            .args(["-c", "import pytest"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has_pytest(&python) {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 runs");
        assert!(made.success(), "python3 -m venv failed");
        let installed = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                PYTEST,
            ])
            .status()
            .expect("pip runs");
        assert!(installed.success(), "pip install {PYTEST} failed");
    }
    python
}

#[test]
fn the_pytest_recipe_passes_against_the_built_binary() {
    let dialects: Vec<String> = hookgate::mapping::load_dir(Path::new(support::MAPPINGS))
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    let recipe = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/recipes/pytest");
    let out = Command::new(python_with_pytest())
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .current_dir(&recipe)
        .env("HOOKGATE_BIN", env!("CARGO_BIN_EXE_hookgate"))
        .env("HOOKGATE_DIALECTS", dialects.join(","))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("pytest runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "pytest failed:\n{text}");
    assert!(text.contains("3 passed"), "{text}");
}
