//! `stagegate replay`: re-evaluate a signed decision and say whether it is reproduced.
//!
//! Reads the decision predicate (`https://stagegate.dev/decision/v1`) out of the bundle `gate`
//! wrote (`NAME.decision.sigstore.json`), checking its signature first when `--key` is given.
//! It refuses (exit 2, naming both digests) when the evidence file's sha256 is not the recorded
//! `evidenceDigest`, or the stage's policy set now has another digest than the recorded
//! `policyDigest`: a replay on other inputs proves nothing. Otherwise it evaluates the recorded
//! stage at the recorded `effectiveTime` through its [`PreparedStage`] (waivers included) and compares
//! the verdict and every finding with [`DecisionDiff`]: exit 0 identical, 1 different.
//!
//! What is not re-checked (and why): the promotion chain (`stagegate.chain.*`) depends on
//! bundles and on the wall clock of the original gate, so its findings are taken from the
//! record as they are, and the output says how many. Signed approvals the gate verified were
//! written into the evaluated document, so the recorded evidence digest is that document's;
//! replay it with the document `gate` evaluated, not the one it was given.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use miette::Report;
use sha2::{Digest, Sha256};

use crate::attest::bundle::{BundleContent, SignedDocument};
use crate::attest::statement::Statement;
use crate::attest::vsa::{DECISION_PREDICATE_TYPE, DecisionPredicate, VSA_PREDICATE_TYPE};
use crate::cli::args::LimitArgs;
use crate::cli::diagnostic::{chain_report, gate_report, limit_report};
use crate::cli::exit::ExitStatus;
use crate::cli::output::{warn, write_stdout};
use crate::cli::signing::load_trusted;
use crate::compare::DecisionDiff;
use crate::config::CONFIG_FILE_NAME;
use crate::decision::{Decision, Engine, Finding, RuleInfo};
use crate::errors::error_chain;
use crate::gate::{CHAIN_RULE_PREFIX, Chain, GateRequest, Input, PreparedStage, StageOptions};
use crate::limits::read_limited;
use crate::verify::{Purpose, Rule, Trust, VerificationPolicy, Verifier, verify_bytes};

/// `stagegate replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The signed decision: the `*.decision.sigstore.json` bundle `stagegate gate` wrote (or a
    /// DSSE envelope of the same statement).
    #[arg(long, value_name = "FILE")]
    pub bundle: PathBuf,
    /// The evidence document the decision was made on (its sha256 must be the recorded
    /// `evidenceDigest`).
    #[arg(long, value_name = "FILE")]
    pub evidence: PathBuf,
    /// The policy tree: a directory holding `stagegate.yaml` (a checkout of the policy
    /// repository).
    #[arg(long, value_name = "DIR", conflicts_with = "config")]
    pub policies: Option<PathBuf>,
    /// The stage configuration [default: ./stagegate.yaml].
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Verify the bundle's signature with this public key first (repeatable: any one).
    #[arg(long, value_name = "PUB")]
    pub key: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ReplayFormat::Text)]
    pub format: ReplayFormat,
    /// Time limit for the evaluation.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::cli::args::parse_duration)]
    pub timeout: std::time::Duration,
    /// Limits on input size and nesting.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// How `replay` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplayFormat {
    /// A few lines for a person: the verdicts and every finding that differs.
    Text,
    /// One JSON object: `identical`, both verdicts, `added` and `removed` findings.
    Json,
}

/// The config file a policy location names: `DIR/stagegate.yaml` for a directory, the file
/// itself otherwise.
pub(crate) fn config_at(location: &Path) -> PathBuf {
    if location.is_dir() {
        location.join(CONFIG_FILE_NAME)
    } else {
        location.to_owned()
    }
}

/// Runs `stagegate replay`.
pub fn replay(args: ReplayArgs) -> Result<ExitStatus, Report> {
    let limits = args.limits.limits();
    let bytes = read_limited(&args.bundle, &limits).map_err(|e| limit_report(&e))?;
    let statement = read_statement(&args.bundle, &bytes, &args.key)?;
    if statement.predicate_type != DECISION_PREDICATE_TYPE {
        let hint = if statement.predicate_type == VSA_PREDICATE_TYPE {
            "this is the SLSA VSA, which carries no findings; give the `.decision.sigstore.json` bundle `gate` wrote beside it"
        } else {
            "give the `.decision.sigstore.json` bundle `stagegate gate` wrote"
        };
        return Err(miette::miette!(
            help = hint,
            "`{}` holds a `{}` statement, not a stagegate decision (`{DECISION_PREDICATE_TYPE}`)",
            args.bundle.display(),
            statement.predicate_type
        ));
    }
    let predicate: DecisionPredicate =
        serde_json::from_value(statement.predicate).map_err(|e| {
            miette::miette!(
                "`{}`: the decision predicate does not parse: {e}",
                args.bundle.display()
            )
        })?;
    let recorded = predicate.decision;

    // Refuse a replay on other inputs than those signed: the document as given, or as
    // evaluated (the gate records the document with its verification outcomes, which the
    // replay's own verification reproduces from the same signed documents).
    let evidence = read_limited(&args.evidence, &limits).map_err(|e| limit_report(&e))?;
    let evidence_digest = format!("sha256:{}", hex::encode(Sha256::digest(&evidence)));
    let refuse = |evaluated: Option<&str>| {
        miette::miette!(
            help = "replay with the evidence document the gate evaluated (`--save-evidence` writes it)",
            "refusing to replay: the evidence `{}` has digest {evidence_digest}{}, but the decision was made on {}",
            args.evidence.display(),
            evaluated
                .map(|d| format!(" ({d} as evaluated)"))
                .unwrap_or_default(),
            recorded.evidence_digest
        )
    };
    let config_file = match (&args.policies, &args.config) {
        (Some(dir), _) => config_at(dir),
        (None, Some(file)) => file.clone(),
        (None, None) => crate::cli::output::config_path(None)?,
    };
    let prepared = PreparedStage::load(
        &config_file,
        &recorded.stage,
        &StageOptions::new(limits, args.timeout, Default::default()),
    )
    .map_err(|e| gate_report(&e))?;
    let policies = prepared.policies();
    if policies.digest() != recorded.policy_digest {
        return Err(miette::miette!(
            help = "check out the policies as they were when the gate ran (the digest covers every policy and data file of the stage, and their paths)",
            "refusing to replay: the policies of stage `{}` in `{}` have digest {}, but the decision was made with {}",
            recorded.stage,
            config_file.display(),
            policies.digest(),
            recorded.policy_digest
        ));
    }
    let effective_time = crate::time::parse_rfc3339(&recorded.effective_time).map_err(|e| {
        miette::miette!(
            "the recorded effective time `{}` is not RFC 3339: {e}",
            recorded.effective_time
        )
    })?;

    let (chain_rules, chain_findings) = recorded_chain(&recorded);
    let request = GateRequest::new(Input::EvidenceFile(args.evidence.clone()))
        .effective_time(Some(effective_time))
        .chain(Chain::Recorded {
            rules: &chain_rules,
            findings: &chain_findings,
        })
        .fail_on_warn(recorded.fail_on_warn)
        .warn(&warn);
    let replayed = prepared
        .evaluate(&request)
        .map_err(|e| gate_report(&e))?
        .decision;
    if evidence_digest != recorded.evidence_digest
        && replayed.evidence_digest != recorded.evidence_digest
    {
        return Err(refuse(Some(&replayed.evidence_digest)));
    }
    let diff = DecisionDiff::between(&recorded, &replayed);
    let report = crate::report::replay::ReplayReport {
        identical: diff.is_identical(),
        promotion_id: &recorded.promotion_id,
        stage: &recorded.stage,
        subject: format!(
            "{}@sha256:{}",
            recorded.subject.name, recorded.subject.digest.sha256
        ),
        effective_time: &recorded.effective_time,
        policy_digest: &recorded.policy_digest,
        evidence_digest: &recorded.evidence_digest,
        chain_findings_from_record: chain_findings.len(),
        signature_checked: !args.key.is_empty(),
        diff: &diff,
    };
    let text = match args.format {
        ReplayFormat::Text => crate::report::replay::text(&report),
        ReplayFormat::Json => {
            let mut text = serde_json::to_string_pretty(&report).map_err(|e| chain_report(&e))?;
            text.push('\n');
            text
        }
    };
    write_stdout(text.as_bytes())?;
    Ok(if report.identical {
        ExitStatus::Success
    } else {
        ExitStatus::PolicyFailure
    })
}

/// The statement of a bundle or envelope: verified with `keys` when there are any, else only
/// decoded (with a warning).
fn read_statement(path: &Path, bytes: &[u8], keys: &[PathBuf]) -> Result<Statement, Report> {
    if !keys.is_empty() {
        let verifier = Verifier::new(&Trust::with_keys(load_trusted(keys)?));
        let policy = VerificationPolicy::builder()
            .rule(Rule::PredicateType(DECISION_PREDICATE_TYPE.to_owned()))
            .build()
            .map_err(|e| miette::miette!("{e}"))?;
        return match verify_bytes(&verifier, bytes, Purpose::Results, None, &policy) {
            Ok(verified) => verified.into_statement().ok_or_else(|| {
                miette::miette!("`{}` signs an artifact, not a statement", path.display())
            }),
            Err(err) => Err(miette::miette!(
                "refusing to replay: `{}` does not verify: {}",
                path.display(),
                error_chain(&err)
            )),
        };
    }
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "warning: the signature of `{}` is not checked (give `--key PUB` to check it)",
            path.display()
        );
    }
    let document = SignedDocument::from_json(bytes).map_err(|e| {
        miette::miette!(
            "`{}` is not a bundle or DSSE envelope: {}",
            path.display(),
            error_chain(&e)
        )
    })?;
    let envelope = match document {
        SignedDocument::Envelope(envelope) => envelope,
        SignedDocument::Bundle(bundle) => match bundle.content {
            BundleContent::Dsse(envelope) => envelope,
            BundleContent::MessageSignature { .. } => {
                return Err(miette::miette!(
                    "`{}` signs an artifact, not a statement",
                    path.display()
                ));
            }
        },
    };
    serde_json::from_slice(&envelope.payload).map_err(|e| {
        miette::miette!(
            "`{}`: the payload is not an in-toto Statement: {e}",
            path.display()
        )
    })
}

/// The promotion chain's rules and findings, as recorded.
fn recorded_chain(recorded: &Decision) -> (Vec<RuleInfo>, Vec<Finding>) {
    let rules = recorded
        .rules
        .iter()
        .filter(|r| r.engine == Engine::Builtin && r.id.starts_with(CHAIN_RULE_PREFIX))
        .cloned()
        .collect();
    let findings = recorded
        .violations
        .iter()
        .filter(|f| f.rule.starts_with(CHAIN_RULE_PREFIX))
        .cloned()
        .collect();
    (rules, findings)
}
