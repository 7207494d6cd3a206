//! Which JSON parser the gateway should read vendor answers with: each candidate on the same
//! bytes, in the same run (`cargo bench --features parser-candidates --bench parsers`).
//!
//! Documents: every shipped mapping file's documented vendor object (`object`), and an array
//! of 100 of them (`list100`), as a vendor's list page holds them. Candidates:
//!
//! | name | what it does |
//! |---|---|
//! | `validate` | serde_json checks the document and builds nothing (`IgnoredAny`): the floor |
//! | `serde_json_value` | serde_json's own tree (`serde_json::Value`) |
//! | `hookgate_tree` | the gateway's tree parser (`hookgate::json`, each object's map sized once) |
//! | `hookgate_read` | the gateway's read of a vendor answer: the mapping reads each object while it is parsed and keeps only canonical members (more work than a parse: it also builds the canonical object) |
//! | `serde_json_raw` | serde_json, each object's members as borrowed `RawValue` slices, nothing below them built (the least a lazy reader pays with serde_json) |
//! | `simd_json_borrowed` | simd-json's borrowed tree, after the copy it needs (it parses in place) |
//! | `sonic_rs_value` | sonic-rs's own tree |
//! | `sonic_rs_serde` | sonic-rs's parser building serde_json's tree (what driving the gateway's serde readers with it would give) |
//! | `sonic_rs_lazy` | sonic-rs, each object's members as borrowed lazy values (as `serde_json_raw`) |
//!
//! And the writers, on the same documents as `serde_json::Value`s: `write_serde_json`
//! (`serde_json::to_writer`) and `write_hookgate` (`hookgate::json::write`, sonic-rs's
//! serializer, which answers and vendor request bodies are written with).

use criterion::{BenchmarkId, Criterion, Throughput, black_box, criterion_group, criterion_main};
use hookgate::json;
use hookgate::mapping::load_dir;
use hookgate::mapping::rules::Item;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::path::Path;

/// The gateway's allocator (see `src/main.rs`), for every candidate alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Parse = fn(&[u8]) -> usize;

/// The path of a document read whole, not at a member of an envelope.
const WHOLE: &[&str] = &[];

/// The candidates that need no mapping; each returns a count so that nothing is optimised away.
const PARSERS: [(&str, Parse); 8] = [
    ("validate", |b| {
        serde_json::from_slice::<IgnoredAny>(b).map(|_| 1).unwrap()
    }),
    ("serde_json_value", |b| {
        count(&serde_json::from_slice::<serde_json::Value>(b).unwrap())
    }),
    ("hookgate_tree", |b| {
        count(&json::from_slice_lenient(b).unwrap())
    }),
    ("serde_json_raw", |b| {
        if b.first() == Some(&b'[') {
            let items: Vec<BTreeMap<&str, &RawValue>> = serde_json::from_slice(b).unwrap();
            items.iter().map(BTreeMap::len).sum()
        } else {
            serde_json::from_slice::<BTreeMap<&str, &RawValue>>(b)
                .unwrap()
                .len()
        }
    }),
    ("simd_json_borrowed", |b| {
        let mut copy = b.to_vec();
        let value = simd_json::to_borrowed_value(&mut copy).unwrap();
        use simd_json::prelude::*;
        value
            .as_array()
            .map_or_else(|| value.as_object().map_or(0, |o| o.len()), |a| a.len())
    }),
    ("sonic_rs_value", |b| {
        use sonic_rs::JsonContainerTrait;
        let value: sonic_rs::Value = sonic_rs::from_slice(b).unwrap();
        value
            .as_array()
            .map_or_else(|| value.as_object().map_or(0, |o| o.len()), |a| a.len())
    }),
    ("sonic_rs_serde", |b| {
        count(&sonic_rs::from_slice::<serde_json::Value>(b).unwrap())
    }),
    ("sonic_rs_lazy", |b| {
        if b.first() == Some(&b'[') {
            let items: Vec<BTreeMap<&str, sonic_rs::LazyValue>> = sonic_rs::from_slice(b).unwrap();
            items.iter().map(BTreeMap::len).sum()
        } else {
            sonic_rs::from_slice::<BTreeMap<&str, sonic_rs::LazyValue>>(b)
                .unwrap()
                .len()
        }
    }),
];

type Write = fn(&mut Vec<u8>, &serde_json::Value);

/// The writers, each appending a value's JSON text to a buffer.
const WRITERS: [(&str, Write); 2] = [
    ("write_serde_json", |out, v| {
        serde_json::to_writer(out, v).unwrap()
    }),
    ("write_hookgate", |out, v| json::write(out, v)),
];

fn count(value: &serde_json::Value) -> usize {
    value
        .as_array()
        .map_or_else(|| value.as_object().map_or(0, |o| o.len()), Vec::len)
}

fn parsers(c: &mut Criterion) {
    let dialects = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings")).unwrap();
    for dialect in &dialects {
        let Some(example) = dialect.examples.first() else {
            continue;
        };
        let object = serde_json::to_vec(example).unwrap();
        let list = serde_json::to_vec(&vec![example; 100]).unwrap();
        for (shape, bytes) in [("object", &object), ("list100", &list)] {
            let mut group = c.benchmark_group(format!("{}/{shape}", dialect.name));
            group.throughput(Throughput::Bytes(bytes.len() as u64));
            for (name, parse) in PARSERS {
                assert!(parse(bytes) > 0, "{name} read nothing of {}", dialect.name);
                group.bench_with_input(BenchmarkId::from_parameter(name), bytes, |b, bytes| {
                    b.iter(|| parse(black_box(bytes)))
                });
            }
            let map = &dialect.webhook;
            let read = |bytes: &bytes::Bytes| -> usize {
                if bytes.first() == Some(&b'[') {
                    let reader = map.list_reader().expect("a list reader");
                    let mut page = hookgate::model::Listed::with_capacity(bytes.len());
                    json::read_at(bytes, WHOLE, |scan| reader.read(scan, &mut page, |_| true))
                        .unwrap();
                    page.len()
                } else {
                    let reader = map.reader().expect("an object reader");
                    match json::read_at(bytes, WHOLE, |scan| reader.read(scan, bytes))
                        .unwrap()
                        .1
                    {
                        Some(Item::Read(object)) => object.len(),
                        _ => 0,
                    }
                }
            };
            let shared = bytes::Bytes::copy_from_slice(bytes);
            assert!(
                read(&shared) > 0,
                "the mapping read nothing of {}",
                dialect.name
            );
            group.bench_with_input(
                BenchmarkId::from_parameter("hookgate_read"),
                &shared,
                |b, bytes| b.iter(|| read(black_box(bytes))),
            );
            let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            for (name, write) in WRITERS {
                group.bench_with_input(BenchmarkId::from_parameter(name), &value, |b, value| {
                    b.iter(|| {
                        let mut out = Vec::with_capacity(512);
                        write(&mut out, black_box(value));
                        out.len()
                    })
                });
            }
            group.finish();
        }
    }
}

criterion_group!(benches, parsers);
criterion_main!(benches);
