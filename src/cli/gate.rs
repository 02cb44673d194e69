//! `stagegate gate`: collect → evaluate → sign. The decision of `evaluate`, plus the
//! promotion chain (`requires`) and signed approvals, signed as two in-toto Statements in two
//! Sigstore bundles v0.3:
//!
//! - `--bundle-out FILE`: the SLSA Verification Summary v1 (what `stagegate verify --stage`,
//!   Kyverno or the policy-controller check);
//! - `--decision-bundle-out FILE` (default: `FILE` with `.sigstore.json`/`.json` replaced by
//!   `.decision.sigstore.json`): the stagegate decision predicate, every finding included.
//!
//! A failing gate exits 1 and signs nothing unless `--attest-failures`; an error exits 2 and
//! leaves no signed result. The order after the decision: render and sign in memory → append
//! the audit record, sealed with the key (the signed decision names the chain head it
//! created) → push (`--push`) → write the bundles and report files together (staged, then
//! renamed; a failure removes those already renamed). A push cannot be undone, so it comes
//! before the files, and a later failure says it happened. `--effective-time` further than
//! `--max-clock-skew` (5 minutes) from the clock is refused unless `--allow-effective-time`,
//! which the signed decision records as `effectiveTimeOverride`.
//!
//! The promotion chain looks at the same `--attestation` files the evidence is collected from
//! and at every `*.json` file in each `--chain-dir`: for each stage in `requires` it needs a
//! stagegate VSA that verifies with a key trusted for `results` at that stage (`trust.keys`,
//! or the public half of `--key` when none is listed), for the same digest, that stage,
//! `PASSED`, and younger than `trust.max_age` (default 30 days). A miss is the violation
//! `stagegate.chain.<stage>`. Signed approvals among those files are added to the evidence and
//! verified with it ([`crate::verify::evidence`]): those signed with a `trust.approvers` key,
//! for this digest and stage, become `verified: true` approvals with the approver's name and
//! role from the trust config; nothing the evidence document says about itself is believed.

use std::path::{Path, PathBuf};

use clap::Args;
use miette::Report;

use crate::attest::keys::SigningKey;
use crate::attest::statement::{ResourceDescriptor, Statement};
use crate::attest::vsa::{
    AuditHead, DECISION_PREDICATE_TYPE, DecisionPredicate, EffectiveTimeOverride, InputAttestation,
    ReliedAttestation, VSA_PREDICATE_TYPE, VerificationSummary,
};
use crate::cli::diagnostic::{chain_report, limit_report};
use crate::cli::evaluate::{check_paths, decide, prepare, read_ahead};
use crate::cli::evaluate_args::EvaluateArgs;
use crate::cli::exit::ExitStatus;
use crate::cli::output::{Outputs, config_path, write_stdout};
use crate::evidence::{Attestation, Source};
use crate::gate::Chain;
use crate::limits::read_limited;
use crate::policy::RegoEngine;
use crate::verify::TrustedKey;
use crate::verify::candidate::Candidate;

/// `stagegate gate`.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// What to evaluate, as for `stagegate evaluate`.
    #[command(flatten)]
    pub evaluate: EvaluateArgs,
    /// The private key to sign the decision with (cosign's format; the password from
    /// `STAGEGATE_PASSWORD`, `COSIGN_PASSWORD` or a prompt).
    #[arg(long, value_name = "FILE", required_unless_present = "keyless")]
    pub key: Option<PathBuf>,
    /// Keyless signing (`--keyless`): the result is signed by the CI job's identity.
    #[command(flatten)]
    pub keyless: crate::cli::keyless::KeylessArgs,
    /// Where to write the signed SLSA VSA (Sigstore bundle v0.3 JSON).
    #[arg(long, value_name = "FILE")]
    pub bundle_out: PathBuf,
    /// Where to write the signed decision predicate [default: next to `--bundle-out`, as
    /// `NAME.decision.sigstore.json`].
    #[arg(long, value_name = "FILE")]
    pub decision_bundle_out: Option<PathBuf>,
    /// Sign a FAILED result too (the gate still exits 1).
    #[arg(long)]
    pub attest_failures: bool,
    /// A directory of earlier stages' bundles (every `*.json` inside) for the promotion chain
    /// and signed approvals. Repeatable.
    #[arg(long, value_name = "DIR")]
    pub chain_dir: Vec<PathBuf>,
    /// Attach the signed bundles to `--image` as OCI referrers (before writing the files:
    /// a push cannot be undone, so it is the last step that may still fail the gate).
    /// (`--image`, as for `evaluate` and `collect`, also adds earlier stages' results and
    /// approvals attached to the image to the promotion chain's candidates.)
    #[arg(long, requires = "image")]
    pub push: bool,
    /// How far `--effective-time` may be from the clock (either way) for the gate to sign.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = crate::time::Duration::parse)]
    pub max_clock_skew: crate::time::Duration,
    /// Sign with an `--effective-time` further from the clock than `--max-clock-skew` (e.g.
    /// re-running an old promotion): the signed decision then carries
    /// `effectiveTimeOverride`, naming both times.
    #[arg(long)]
    pub allow_effective_time: bool,
}

/// Why a gate stopped after its decision (exit 2), saying what was already done.
fn after_push(report: Report, pushed: Option<&str>) -> Report {
    match pushed {
        Some(image) => miette::miette!(
            help = "the pushed bundles are a valid signed result: delete the referrers from the registry if this promotion must not stand",
            "{report}; the signed bundles were already pushed to `{image}` (a push cannot be undone), and no file was left on disk"
        ),
        None => report,
    }
}

/// Runs `stagegate gate`. On an error, a `--save-evidence` file this run wrote is removed
/// too, so an error leaves nothing behind.
pub fn gate(args: GateArgs, color: bool) -> Result<ExitStatus, Report> {
    let saved = args.evaluate.save_evidence.clone();
    let before = saved.as_deref().map(fingerprint);
    let result = run(args, color);
    if let (Err(_), Some(path)) = (&result, &saved)
        && before.as_ref() != Some(&fingerprint(path))
        && path.is_file()
    {
        let _ = fs_err::remove_file(path);
    }
    result
}

/// What tells a file this run wrote from the one that was there: inode, size, modification.
fn fingerprint(path: &Path) -> Option<(u64, u64, Option<std::time::SystemTime>)> {
    #[cfg(unix)]
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = meta.ino();
    #[cfg(not(unix))]
    let inode = 0;
    Some((inode, meta.len(), meta.modified().ok()))
}

fn run(args: GateArgs, color: bool) -> Result<ExitStatus, Report> {
    let started = std::time::Instant::now();
    if args.evaluate.rego_engine == RegoEngine::Vm {
        // The VM reads some errors in a rule body as undefined: a signed PASSED must come
        // from the engine that fails on every error.
        return Err(miette::miette!(
            help = "drop `--rego-engine vm`; `stagegate evaluate` accepts it",
            "`gate` signs its decision, so it evaluates Rego with the interpreter only"
        ));
    }
    let outputs = Outputs::new(&args.evaluate.format)?;
    let decision_path = args
        .decision_bundle_out
        .clone()
        .unwrap_or_else(|| decision_bundle_path(&args.bundle_out));
    check_outputs(&args, &outputs, &decision_path)?;
    let effective_time_override = check_effective_time(&args)?;
    let limits = args.evaluate.limits.limits();
    let config_file = config_path(args.evaluate.config.as_deref())?;
    let ahead = read_ahead(&args.evaluate);
    let prepared = prepare(&args.evaluate)?;
    let signer =
        crate::cli::keyless::gate_signer(args.key.as_deref(), &args.keyless, prepared.config())?;
    let mut candidates = read_candidates(&args, &limits)?;
    let image = args
        .evaluate
        .collect
        .image
        .as_deref()
        .map(crate::cli::registry::pinned)
        .transpose()?;
    let registry = args.evaluate.collect.registry.registry();
    if let Some(image) = &image {
        candidates.extend(crate::cli::registry::attached_candidates(&registry, image)?);
    }
    // Stage results: the config's keys for `results`, or the gate's own key. Evidence: the
    // config's trust only, so the document evaluated is the one `evaluate` and `replay` see.
    let results_verifier = prepared.results_verifier(
        signer
            .key()
            .map(|key| TrustedKey::for_results("the gate's own key", key.public_key())),
    );
    let decided = decide(
        &args.evaluate,
        &prepared,
        Chain::Verified {
            candidates: &candidates,
            verifier: &results_verifier,
            max_age: prepared.max_age(),
            now: chrono::Utc::now(),
        },
        ahead,
    )?;
    let decision = decided.decision;
    // Nothing is signed for a subject whose digest is malformed or whose name names another
    // digest (the VSA's `resourceUri` is built from the name).
    crate::digest::check_subject(&decision.subject.name, &decision.subject.digest.sha256)
        .map_err(|e| {
            miette::miette!(
                help = "the subject is `NAME` (or `NAME@sha256:HEX` with its own digest) and 64 lowercase hex digits",
                "refusing to sign: {e}"
            )
        })?;
    // The order, so that an error never leaves a signed result behind: render and sign in
    // memory → append the audit record (sealed with the key; the decision names the new head)
    // → push (if asked) → write every file at once (staged, then renamed). Any failure exits
    // 2; the files are written last and all together, so none is left.
    let rendered = outputs.render(&decision, color)?;
    let audit_db = crate::cli::audit::location(
        args.evaluate.audit_db.as_deref(),
        args.evaluate.config.as_deref(),
    )?;
    let signs = decision.passed() || args.attest_failures;
    let record = crate::audit::AuditRecord::of(
        &decision,
        "gate",
        &decided.approvals,
        &decided.attestations,
        signs.then(|| signer.audit_id()),
        started.elapsed(),
    );
    let sealer = signer.key().map(GateSealer);
    let sealer = sealer.as_ref().map(|s| s as &dyn crate::audit::Sealer);
    if !signs {
        crate::cli::audit::append_sealed(&audit_db, &record, sealer, |_| Ok(()))?;
        write_outputs(&[], &rendered)?;
        crate::cli::output::status(
            "Nothing signed: the gate failed (`--attest-failures` signs a FAILED result)",
        );
        return Ok(ExitStatus::PolicyFailure);
    }

    let sources = decided.sources.clone();
    // The attestation files given, and the signed approvals that counted (an approval file
    // that did not verify is recorded, with its reason, in the decision's `attestations`).
    let counted_approvals: Vec<usize> = decided
        .approvals
        .iter()
        .filter(|a| a.verified)
        .filter_map(|a| a.source)
        .collect();
    let mut inputs: Vec<InputAttestation> = sources
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            s.kind == "attestation" || s.kind == "approval" && counted_approvals.contains(i)
        })
        .map(|(_, s)| input(&s.path, &s.sha256))
        .collect();
    inputs.extend(
        decided
            .chain_results
            .iter()
            .map(|found| input(&found.path, &found.sha256)),
    );
    // Signed results travel: no CI machine's absolute paths in them.
    for input in &mut inputs {
        input.uri = crate::cli::output::project_relative(&input.uri, &config_file);
    }
    inputs.sort();
    inputs.dedup();
    let subject =
        ResourceDescriptor::sha256(&decision.subject.name, &decision.subject.digest.sha256);
    let policy_uri = format!(
        "{}#stages.{}",
        crate::cli::output::project_relative(&config_file.display().to_string(), &config_file),
        decision.stage
    );
    let attestations = relied_on(&decided.attestations, &sources);
    let (vsa_json, decision_json) =
        crate::cli::audit::append_sealed(&audit_db, &record, sealer, |head| {
            let vsa = Statement::new(
                subject.clone(),
                VSA_PREDICATE_TYPE,
                VerificationSummary::of(&decision, &policy_uri, inputs.clone()),
            );
            let vsa_json = signer.sign(&vsa)?;
            let predicate = DecisionPredicate {
                decision: decision.clone(),
                sources,
                input_attestations: inputs,
                attestations,
                audit_head: Some(AuditHead {
                    seq: head.seq,
                    hash: head.hash.clone(),
                }),
                effective_time_override,
            };
            let decision_statement = Statement::new(subject, DECISION_PREDICATE_TYPE, predicate);
            let decision_json = signer.sign(&decision_statement)?;
            Ok((vsa_json, decision_json))
        })?;
    let mut pushed = None;
    if let (true, Some(image)) = (args.push, &image) {
        crate::cli::registry::push_signed(
            &registry,
            image,
            &decision.subject.digest.sha256,
            &[
                (vsa_json.as_bytes(), VSA_PREDICATE_TYPE),
                (decision_json.as_bytes(), DECISION_PREDICATE_TYPE),
            ],
        )?;
        pushed = Some(image.display());
    }
    write_outputs(
        &[
            (args.bundle_out.as_path(), vsa_json.as_bytes()),
            (decision_path.as_path(), decision_json.as_bytes()),
        ],
        &rendered,
    )
    .map_err(|e| after_push(e, pushed.as_deref()))?;
    crate::cli::output::status(&format!(
        "Signed the `{}` result ({}) for sha256:{} with {}: wrote `{}` (SLSA VSA) and `{}` (decision)",
        decision.stage,
        decision.result,
        decision.subject.digest.sha256,
        signer.describe(),
        args.bundle_out.display(),
        decision_path.display()
    ));
    Ok(if decision.passed() {
        ExitStatus::Success
    } else {
        ExitStatus::PolicyFailure
    })
}

/// Writes the bundles and the report files together (all or none), then standard output; a
/// failure there removes the files again.
fn write_outputs(
    bundles: &[(&Path, &[u8])],
    rendered: &[(Option<PathBuf>, String)],
) -> Result<(), Report> {
    let mut files: Vec<(&Path, &[u8])> = bundles.to_vec();
    files.extend(
        rendered
            .iter()
            .filter_map(|(path, text)| path.as_deref().map(|p| (p, text.as_bytes()))),
    );
    let committed = crate::fs::write_all(&files).map_err(|e| chain_report(&e))?;
    for (_, text) in rendered.iter().filter(|(path, _)| path.is_none()) {
        if let Err(err) = write_stdout(text.as_bytes()) {
            committed.roll_back();
            return Err(err);
        }
    }
    committed.keep();
    Ok(())
}

/// The gate's key, sealing its audit record and the new chain head.
struct GateSealer<'a>(&'a SigningKey);

impl crate::audit::Sealer for GateSealer<'_> {
    fn key_id(&self) -> String {
        self.0.public_key().hint()
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.0.sign(message)
    }
}

/// Refuses outputs that are the same file as each other or as an input, before anything runs.
fn check_outputs(args: &GateArgs, outputs: &Outputs, decision_path: &Path) -> Result<(), Report> {
    check_paths(
        &args.evaluate,
        outputs,
        vec![
            ("`--bundle-out`".to_owned(), args.bundle_out.as_path()),
            ("`--decision-bundle-out`".to_owned(), decision_path),
        ],
        args.key
            .iter()
            .map(|k| ("`--key`".to_owned(), k.as_path()))
            .chain(args.keyless.inputs())
            .collect(),
    )
}

/// Checks `--effective-time` against the clock: within `--max-clock-skew`, or accepted by
/// `--allow-effective-time` and recorded in the signed decision.
fn check_effective_time(args: &GateArgs) -> Result<Option<EffectiveTimeOverride>, Report> {
    let Some(effective) = args.evaluate.effective_time else {
        return Ok(None);
    };
    let clock = chrono::Utc::now();
    let skew = crate::time::distance(effective, clock);
    if skew <= args.max_clock_skew.as_std() {
        return Ok(None);
    }
    if !args.allow_effective_time {
        return Err(miette::miette!(
            help = "a signed result must be judged at the time it is signed; pass `--allow-effective-time` to sign anyway (the decision then records both times), or raise `--max-clock-skew`",
            "`--effective-time {}` is {} from the clock ({}), more than `--max-clock-skew {}`",
            crate::time::format_rfc3339(effective),
            crate::time::human(skew),
            crate::time::format_rfc3339(clock),
            args.max_clock_skew
        ));
    }
    tracing::warn!(
        "signing with an effective time {} from the clock; the decision records it",
        crate::time::human(skew)
    );
    Ok(Some(EffectiveTimeOverride {
        effective_time: crate::time::format_rfc3339(effective),
        clock: crate::time::format_rfc3339(clock),
        skew_seconds: skew.as_secs(),
        overridden: true,
    }))
}

/// The attestations the decision relied on, with their verification outcomes, for the signed
/// decision predicate.
fn relied_on(attestations: &[Attestation], sources: &[Source]) -> Vec<ReliedAttestation> {
    attestations
        .iter()
        .map(|a| {
            let source = a.source.and_then(|i| sources.get(i));
            ReliedAttestation {
                predicate_type: a.predicate_type.clone(),
                uri: source.map(|s| s.path.clone()),
                digest: source
                    .map(|s| [("sha256".to_owned(), s.sha256.clone())].into())
                    .unwrap_or_default(),
                verified: a.verified,
                signer: a.signer.clone(),
                trusted_for: a.trusted_for.clone(),
                rejection: a.rejection.clone(),
            }
        })
        .collect()
}

/// The `--attestation` files and every `*.json` in each `--chain-dir`, sorted by path.
fn read_candidates(
    args: &GateArgs,
    limits: &crate::limits::Limits,
) -> Result<Vec<Candidate>, Report> {
    let mut paths: Vec<PathBuf> = args.evaluate.collect.attestation.clone();
    for dir in &args.chain_dir {
        paths.extend(crate::cli::output::json_files(dir)?);
    }
    paths
        .into_iter()
        .map(|path| {
            let bytes = read_limited(&path, limits).map_err(|e| limit_report(&e))?;
            Ok(Candidate {
                path: path.display().to_string(),
                bytes,
            })
        })
        .collect()
}

fn input(path: &str, sha256: &str) -> InputAttestation {
    InputAttestation {
        uri: path.to_owned(),
        digest: [("sha256".to_owned(), sha256.to_owned())].into(),
    }
}

/// `vsa.sigstore.json` → `vsa.decision.sigstore.json`; `x.json` → `x.decision.sigstore.json`.
fn decision_bundle_path(bundle: &Path) -> PathBuf {
    let name = bundle
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".sigstore.json")
        .or_else(|| name.strip_suffix(".json"))
        .unwrap_or(&name);
    bundle.with_file_name(format!("{stem}.decision.sigstore.json"))
}
