//! Micro-benchmarks: policy evaluation alone, through the library API, on generated evidence.
//!
//! Whole-program benchmarks (`stagegate evaluate` as a process, peak RSS, the OPA reference
//! point) live in `bench/run.sh` and `bench/opa_compare.py`; see `bench/README.md`.
//!
//!     cargo bench --bench evaluate                     # every size
//!     BENCH_SIZES=10000 cargo bench --bench evaluate   # one size
//!
//! Inputs are `bench/out/pass-<N>.json`, written by `bench/gen_evidence.py` (run here when
//! missing). Setup (reading the config, parsing the evidence) is outside the timed closures.
//! Each benchmark is named `<group>/<components>`:
//!
//! - `prepared/N`: the `prod` stage's policies (Rego + CEL) loaded once; each iteration
//!   evaluates on the calling thread (`PolicySet::evaluate_here`; the Rego rules themselves
//!   spread over the cores). The input is parsed from its JSON text into each engine's form
//!   inside the iteration, as `stagegate evaluate` does.
//! - `prepared_rego_only/N`: the same, with `bench/rego-only.yaml` (the Rego policies only),
//!   the figure to set beside OPA; `prepared_rego_only_vm/N` with `--rego-engine vm`.
//! - `fresh/N`: load the stage's policies (read, parse, data) and evaluate, every iteration.
//! - `gate/prepared/N`: the whole decision through the library, as `impact` makes one per
//!   document and stage: a `PreparedStage` (config, policies, trust, waivers) made once; each
//!   iteration evaluates a `GateRequest` for the evidence bytes (model, verification of its
//!   attestations, pruning, Rego and CEL, waivers, the `Decision`). The figure `impact`'s
//!   cost per document is held against (bench/impact.sh).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use stagegate::config::stages::Config;
use stagegate::limits::Limits;
use stagegate::policy::{EvaluationContext, PolicyInput, PolicySet, RegoEngine};
use stagegate::{GateRequest, Input, PreparedStage, StageOptions};

const DEFAULT_SIZES: &[usize] = &[100, 1_000, 10_000, 50_000];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sizes() -> Vec<usize> {
    match std::env::var("BENCH_SIZES") {
        Ok(list) => list
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
        Err(_) => DEFAULT_SIZES.to_vec(),
    }
}

/// The evidence for `n` components (JSON text), generated when missing.
fn evidence(n: usize) -> Arc<[u8]> {
    let path = root().join(format!("bench/out/pass-{n}.json"));
    if !path.exists() {
        fs_err::create_dir_all(root().join("bench/out")).unwrap();
        let status = Command::new("python3")
            .arg(root().join("bench/gen_evidence.py"))
            .args(["--components", &n.to_string(), "--out"])
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success(), "gen_evidence.py failed");
    }
    Arc::from(fs_err::read(&path).unwrap())
}

fn load(config: &Path, stage: &str) -> (Config, PolicySet) {
    let limits = Limits::default();
    let config = Config::load(config, &limits).unwrap();
    let set =
        PolicySet::load_stage(config.stage(stage).unwrap(), &config.base_dir, &limits).unwrap();
    (config, set)
}

fn context(rego_engine: RegoEngine) -> EvaluationContext {
    EvaluationContext {
        stage: "prod".to_owned(),
        now: "2026-11-27T12:00:00Z".parse().unwrap(),
        timeout: Duration::from_secs(300),
        rego_engine,
    }
}

fn evaluate(c: &mut Criterion) {
    let full_config = root().join("stagegate.yaml");
    let rego_config = root().join("bench/rego-only.yaml");
    let (config, full) = load(&full_config, "prod");
    let (_, rego_only) = load(&rego_config, "prod");
    let stage = config.stage("prod").unwrap().clone();
    let limits = Limits::default();
    let ctx = context(RegoEngine::Interpreter);
    let vm = context(RegoEngine::Vm);
    let parse = |text: &Arc<[u8]>| PolicyInput::from_json_text(text.clone());

    for n in sizes() {
        let input = evidence(n);
        // Sanity: the generated document passes the gate.
        let found = full.evaluate_here(&parse(&input), &ctx).unwrap();
        assert!(found.violations.is_empty(), "{n}: {:?}", found.violations);

        let mut group = c.benchmark_group("evaluate");
        if n >= 10_000 {
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(if n >= 50_000 { 20 } else { 8 }));
        }
        group.bench_with_input(BenchmarkId::new("prepared", n), &input, |b, input| {
            b.iter(|| full.evaluate_here(&parse(input), &ctx).unwrap())
        });
        group.bench_with_input(
            BenchmarkId::new("prepared_rego_only", n),
            &input,
            |b, input| b.iter(|| rego_only.evaluate_here(&parse(input), &ctx).unwrap()),
        );
        group.bench_with_input(
            BenchmarkId::new("prepared_rego_only_vm", n),
            &input,
            |b, input| b.iter(|| rego_only.evaluate_here(&parse(input), &vm).unwrap()),
        );
        group.bench_with_input(BenchmarkId::new("fresh", n), &input, |b, input| {
            b.iter(|| {
                let set = PolicySet::load_stage(&stage, &config.base_dir, &limits).unwrap();
                set.evaluate_here(&parse(input), &ctx).unwrap()
            })
        });
        group.finish();

        let prepared = PreparedStage::load(&full_config, "prod", &StageOptions::default()).unwrap();
        let now = "2026-11-27T12:00:00Z".parse().ok();
        let mut group = c.benchmark_group("gate");
        if n >= 10_000 {
            group.sample_size(10);
        }
        group.bench_with_input(BenchmarkId::new("prepared", n), &input, |b, input| {
            b.iter(|| {
                let request = GateRequest::new(Input::Evidence {
                    name: "evidence.json".into(),
                    bytes: input.clone(),
                })
                .effective_time(now)
                .warn(&|_| {});
                prepared.evaluate(&request).unwrap()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
