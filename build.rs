//! Embeds the shipped mapping files: every `mappings/*.toml` becomes a `(name, text)` pair in
//! `$OUT_DIR/shipped_mappings.rs`, so that the binary runs its default configuration from any
//! folder, and so that a new file in `mappings/` ships without a change to any Rust code.

use std::path::Path;

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
    }
    out.push_str("]\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("shipped_mappings.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}
