//! Micro-benchmarks: the audit trail through the library API (the SQLite store).
//!
//! Whole-program figures (`stagegate audit verify` / `audit report` over 100,000 records, as
//! processes) come from `bench/audit.sh`; all figures are in `bench/AUDIT.md`.
//!
//!     cargo bench --bench audit
//!
//! - `append/sqlite`: one [`AuditStore::append`] (immediate transaction, head row, WAL) to a
//!   store that already holds 10,000 records: what a gate pays.
//! - `verify/sqlite-100k`: [`verify_chain`] over 100,000 records.
//! - `report/compute-100k`: [`PromotionMetrics::compute`] over 100,000 parsed records.
//!
//! Setup (filling the stores) is outside the timed closures.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use stagegate::audit::metrics::PromotionMetrics;
use stagegate::audit::sqlite::SqliteStore;
use stagegate::audit::{AuditRecord, AuditStore, FindingsSummary, verify_chain};
use stagegate::decision::Outcome;
use stagegate::evidence::{Digest, Subject};

fn record(n: u64) -> AuditRecord {
    let mut violated = std::collections::BTreeMap::new();
    if n.is_multiple_of(5) {
        violated.insert("vulnerabilities.fixable_critical_high".to_owned(), 2);
    }
    AuditRecord {
        promotion_id: format!("019a0000-0000-7000-8000-{n:012x}"),
        command: "gate".into(),
        subject: Subject {
            name: "registry.example.com/shop/api".into(),
            digest: Digest {
                sha256: format!("{:064x}", n / 3),
                other: Default::default(),
            },
        },
        stage: ["dev", "staging", "prod"][(n % 3) as usize].into(),
        result: if n.is_multiple_of(5) {
            Outcome::Fail
        } else {
            Outcome::Pass
        },
        findings: FindingsSummary {
            violations: violated.values().sum(),
            warnings: 1,
            waived: 0,
            rules: 34,
            violated_rules: violated,
        },
        waivers: vec![],
        approvals: vec![],
        provenance: true,
        policy_digest: format!("sha256:{:064x}", 1),
        evidence_digest: format!("sha256:{n:064x}"),
        signer_key_id: Some("gate-key".into()),
        evaluated_at: format!("2026-11-{:02}T{:02}:00:00Z", 1 + (n / 4000) % 27, n % 24),
        effective_time: "2026-11-27T12:00:00Z".into(),
        duration_ms: 120,
    }
}

fn filled(path: std::path::PathBuf, n: u64) -> SqliteStore {
    let mut store = SqliteStore::open(path).expect("open");
    for i in 1..=n {
        store.append(&record(i)).expect("append");
    }
    store
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("audit");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));

    let mut store = filled(dir.path().join("append.db"), 10_000);
    let mut n = 10_000;
    group.bench_function("append/sqlite", |b| {
        b.iter(|| {
            n += 1;
            store.append(&record(n)).expect("append")
        })
    });

    let mut big = filled(dir.path().join("big.db"), 100_000);
    group.bench_function("verify/sqlite-100k", |b| {
        b.iter(|| verify_chain(&mut big).expect("scan").expect("intact"))
    });

    let mut records = Vec::new();
    big.scan(None, &mut |stored| {
        records.extend(serde_json::from_str::<AuditRecord>(&stored.body).ok());
        true
    })
    .expect("scan");
    let now = "2026-11-28T00:00:00Z".parse().expect("time");
    group.bench_function("report/compute-100k", |b| {
        b.iter(|| {
            PromotionMetrics::compute(&records, None, now, "prod", chrono::Duration::days(14))
        })
    });
    group.finish();
}

criterion_group!(audit, benches);
criterion_main!(audit);
