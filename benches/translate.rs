//! Translation cost per dialect and direction, on each mapping file's documented example,
//! against the same mapping written by hand as typed serde code, in the same run:
//! `<dialect>/<direction>/mapped` and `<dialect>/<direction>/handwritten`. Directions and
//! inputs are described in `translations/mod.rs`; both sides include JSON parsing and printing,
//! as on the wire.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use hookgate::mapping::load_dir;
use std::path::Path;

mod translations;

fn translate(c: &mut Criterion) {
    let dialects = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings")).unwrap();
    for case in translations::cases(&dialects) {
        let mut group = c.benchmark_group(case.name());
        group.bench_function("mapped", |b| b.iter(|| case.mapped(black_box(&case.input))));
        group.bench_function("handwritten", |b| {
            b.iter(|| (case.handwritten)(black_box(&case.input)))
        });
        group.finish();
    }
}

criterion_group!(benches, translate);
criterion_main!(benches);
