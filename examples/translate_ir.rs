//! Runs one translation many times, for counting instructions with callgrind, where wall-clock
//! time on a shared machine is too noisy to compare:
//!
//! ```sh
//! cargo build --release --example translate_ir
//! valgrind --tool=callgrind --toggle-collect='*translate_ir*repeat*' \
//!     target/release/examples/translate_ir talkover read mapped 10000
//! ```
//!
//! Only `repeat` is counted, so the total divided by the count is the cost of one translation
//! (JSON parsing and printing included). `handwritten` runs the same mapping written as typed
//! serde code. The cases are those of `benches/translate.rs`.

#![allow(clippy::print_stdout)]

#[path = "../benches/translations/mod.rs"]
mod translations;

use hookgate::mapping::load_dir;
use std::hint::black_box;
use std::path::Path;
use translations::{Case, Direction};

#[inline(never)]
fn repeat(case: &Case<'_>, handwritten: bool, n: u64) -> usize {
    let mut bytes = 0;
    for _ in 0..n {
        let out = if handwritten {
            (case.handwritten)(black_box(&case.input))
        } else {
            case.mapped(black_box(&case.input))
        };
        bytes += black_box(out).len();
    }
    bytes
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dialect, direction, side, n] = args.as_slice() else {
        eprintln!("usage: translate_ir DIALECT read|render|write mapped|handwritten COUNT");
        std::process::exit(64);
    };
    let direction = Direction::parse(direction).expect("read, render or write");
    let handwritten = match side.as_str() {
        "mapped" => false,
        "handwritten" => true,
        other => panic!("`{other}`: expected mapped or handwritten"),
    };
    let n: u64 = n.parse().expect("a count");
    let dialects = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings")).unwrap();
    let cases = translations::cases(&dialects);
    let case = cases
        .iter()
        .find(|c| c.dialect.name == *dialect && c.direction == direction)
        .expect("a shipped dialect");
    let bytes = repeat(case, handwritten, n);
    println!(
        "{} {side}: {n} translations, {bytes} bytes out",
        case.name()
    );
}
