//! Translation cost per dialect and direction, on each mapping file's documented example:
//! `read` (vendor body → canonical), `render` (canonical → vendor body), `write` (canonical
//! request → vendor request), each including JSON parsing and serialisation as on the wire.
//! `talkover/handwritten` is the same Talkover read written as typed serde code, the baseline
//! a mapping-driven translation is compared with.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use hookgate::canonical::OpKind;
use hookgate::mapping::load_dir;
use serde::{Deserialize, Serialize};
use std::path::Path;

fn mapped(c: &mut Criterion) {
    let dialects = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings")).unwrap();
    for d in &dialects {
        let example = d
            .examples
            .first()
            .expect("every shipped file has an example");
        let vendor_bytes = serde_json::to_vec(example).unwrap();
        let canonical = d.webhook.read(example);
        let canonical_bytes = serde_json::to_vec(&canonical).unwrap();
        let mut request = canonical.clone();
        for read_only in [
            "id",
            "owner",
            "status",
            "created_at",
            "updated_at",
            "api_version",
            "secret",
        ] {
            request.shift_remove(read_only);
        }
        if let Some(serde_json::Value::Object(ext)) = request.get_mut("extensions") {
            ext.retain(|k, _| {
                d.webhook
                    .carries(&format!("extensions.{k}"), OpKind::Update)
            });
            if ext.is_empty() {
                request.shift_remove("extensions");
            }
        }
        let request_bytes = serde_json::to_vec(&request).unwrap();

        c.bench_function(&format!("{}/read", d.name), |b| {
            b.iter(|| {
                let v: serde_json::Value =
                    serde_json::from_slice(black_box(&vendor_bytes)).unwrap();
                serde_json::to_vec(&d.webhook.read(&v)).unwrap()
            })
        });
        c.bench_function(&format!("{}/render", d.name), |b| {
            b.iter(|| {
                let m: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_slice(black_box(&canonical_bytes)).unwrap();
                serde_json::to_vec(&d.webhook.render(&m)).unwrap()
            })
        });
        c.bench_function(&format!("{}/write", d.name), |b| {
            b.iter(|| {
                let m: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_slice(black_box(&request_bytes)).unwrap();
                serde_json::to_vec(&d.webhook.write(OpKind::Update, &m, false).unwrap().body)
                    .unwrap()
            })
        });
    }
}

#[derive(Deserialize)]
struct TalkoverWebhook {
    id: String,
    agent_id: String,
    name: String,
    webhook_url: String,
    events: Vec<String>,
    timeout: i64,
    max_retries: i64,
    enabled: bool,
    created_at: String,
    updated_at: String,
    status: String,
}

#[derive(Serialize)]
struct CanonicalWebhook {
    id: String,
    owner: String,
    url: String,
    events: Vec<String>,
    enabled: bool,
    description: String,
    timeout_seconds: i64,
    max_retries: i64,
    status: &'static str,
    created_at: String,
    updated_at: String,
}

fn handwritten(c: &mut Criterion) {
    let dialects = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings")).unwrap();
    let talkover = dialects.iter().find(|d| d.name == "talkover").unwrap();
    let bytes = serde_json::to_vec(&talkover.examples[0]).unwrap();
    c.bench_function("talkover/handwritten", |b| {
        b.iter(|| {
            let v: TalkoverWebhook = serde_json::from_slice(black_box(&bytes)).unwrap();
            let out = CanonicalWebhook {
                id: v.id,
                owner: v.agent_id,
                url: v.webhook_url,
                events: v.events,
                enabled: v.enabled,
                description: v.name,
                timeout_seconds: v.timeout,
                max_retries: v.max_retries,
                status: match v.status.as_str() {
                    "active" => "active",
                    "error" => "failing",
                    _ => "disabled",
                },
                created_at: v.created_at,
                updated_at: v.updated_at,
            };
            serde_json::to_vec(&out).unwrap()
        })
    });
}

criterion_group!(benches, mapped, handwritten);
criterion_main!(benches);
