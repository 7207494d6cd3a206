//! The Python and Jest recipes of `docs/emulators.md` (`examples/recipes/pytest/`,
//! `examples/recipes/jest/`), each run as a project would run it against the binary built with
//! this test, with every dialect that is loaded: pytest installed with pip into a virtual
//! environment under the target folder, Jest with npm into a copy of the recipe there, each when
//! it is not there yet.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

/// pytest's version, pinned so that a release of it cannot fail this test.
const PYTEST: &str = "pytest==8.3.5";

/// Jest's version, pinned likewise.
const JEST: &str = "jest@29.7.0";

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
    let dialects = dialects();
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

/// Every dialect that is loaded, by name.
fn dialects() -> Vec<String> {
    hookgate::mapping::load_dir(Path::new(support::MAPPINGS))
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect()
}

/// The Jest recipe, copied into a folder under the target folder (the recipe's own folder is
/// left as the repository has it), with Jest installed there by npm if it is not yet.
fn jest_recipe() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("recipes-jest");
    std::fs::create_dir_all(&dir).unwrap();
    let recipe = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/recipes/jest");
    for entry in std::fs::read_dir(&recipe).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    if !dir.join("node_modules/.bin/jest").exists() {
        let installed = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--no-package-lock",
                "--silent",
                JEST,
            ])
            .current_dir(&dir)
            .status()
            .expect("npm runs (Node.js 18 or later and npm are needed)");
        assert!(installed.success(), "npm install {JEST} failed");
    }
    dir
}

#[test]
fn the_jest_recipe_passes_against_the_built_binary() {
    let dir = jest_recipe();
    let out = Command::new("node")
        .arg(dir.join("node_modules/jest/bin/jest.js"))
        .args(["--ci", "--colors=false"])
        .current_dir(&dir)
        .env("HOOKGATE_BIN", env!("CARGO_BIN_EXE_hookgate"))
        .env("HOOKGATE_DIALECTS", dialects().join(","))
        .output()
        .expect("node runs (Node.js 18 or later is needed)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "jest failed:\n{text}");
    assert!(text.contains("2 passed"), "{text}");
}
