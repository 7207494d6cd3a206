//! Embeds the shipped mapping files: every `mappings/*.toml` becomes a `(name, text)` pair in
//! `$OUT_DIR/shipped_mappings.rs`, so that the binary runs its default configuration from any
//! folder, and so that a new file in `mappings/` ships without a change to any Rust code.
//!
//! Also says what was built, for `hookgate --version` and the `hookgate_build_info` series:
//! the git commit (`BUILD_GIT_COMMIT`, `unknown` outside a git checkout or without git) and each
//! shipped mapping file with a short SHA-256 of its text (`$OUT_DIR/mapping_versions.txt`).

use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Command;

fn main() {
    // Read at run time, not with `env!`: a build script compiled in one checkout and reused
    // from a copied target folder must still read the folder it is building.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("mappings");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the mappings folder is readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    let mut versions = String::new();
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a UTF-8 file name");
        out.push_str(&format!(
            "    ({stem:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
        let text = std::fs::read(&file).expect("a mapping file is readable");
        let digest = Sha256::digest(&text);
        let short: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        versions.push_str(&format!("  {stem} sha256:{short}\n"));
    }
    out.push_str("]\n");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let target = Path::new(&out_dir).join("shipped_mappings.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
    std::fs::write(Path::new(&out_dir).join("mapping_versions.txt"), versions)
        .expect("OUT_DIR is writable");
    println!("cargo:rustc-env=BUILD_GIT_COMMIT={}", commit());
}

/// The commit checked out, short; `unknown` without git. The build script runs again when
/// HEAD moves (a commit, a checkout), and only then: it watches files that exist, since cargo
/// reruns a script on every build for a watched file that does not.
fn commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch]));
    }
    for path in watched.into_iter().flatten().map(|p| absolute(&p)) {
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into())
}

/// git prints paths relative to the folder it ran in.
fn absolute(path: &str) -> String {
    // An absolute path joined stays itself.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .display()
        .to_string()
}
