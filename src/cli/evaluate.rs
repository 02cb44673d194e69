//! `stagegate evaluate`: load a stage's policies, evaluate them on one document, report the
//! decision in every requested format, exit 0 (pass), 1 (policy failure) or 2 (error).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::Report;
use sha2::{Digest, Sha256};

use crate::attest::approval::APPROVAL_PREDICATE_TYPE;
use crate::cli::args::EvaluateArgs;
use crate::cli::collect::{collect_request, verifier_for};
use crate::cli::diagnostic::{
    chain_report, document_report, evidence_report, file_report, limit_report, policy_report,
};
use crate::cli::exit::ExitStatus;
use crate::cli::output::{Outputs, config_path, write_atomically};
use crate::cli::waivers::waive;
use crate::decision::{Decision, DecisionContext, Finding, RuleInfo};
use crate::document::{check_json_syntax, read_document};
use crate::evidence::detect::InputKind;
use crate::evidence::signed::add_attestation_document;
use crate::evidence::{
    Approval, Attestation, Digest as DigestSet, EVIDENCE_API_VERSION, Evidence, Source, Subject,
    collect as collect_evidence,
};
use crate::limits::{Limits, check_depth, read_limited};
use crate::policy::config::{Config, Stage};
use crate::policy::{EvaluationContext, PolicyInput, PolicySet};
use crate::verify::Verifier;
use crate::verify::evidence::check_evidence;
use crate::verify::promotion::{Candidate, claimed_predicate_type};

/// The document to evaluate, the subject it is about, and the digest of its bytes.
struct LoadedInput {
    input: PolicyInput,
    /// The bytes as read (or collected); their sha256 is `digest`.
    bytes: Arc<[u8]>,
    subject: Subject,
    digest: String,
    /// The Evidence model the document was checked against, when it is Evidence.
    model: Option<Evidence>,
}

/// Built-in checks a caller adds to a stage's policies (the promotion chain of `gate`): given
/// the stage and the subject, the rules checked and the violations found.
pub(crate) type ExtraChecks<'a> =
    dyn Fn(&Stage, &Config, &Subject) -> Result<(Vec<RuleInfo>, Vec<Finding>), Report> + 'a;

/// What a caller adds to the verification of an Evidence document: the verifier (`gate`'s
/// trusts its own key for results when `trust.keys` lists none) and more signed documents to
/// put into the evidence first (the signed approvals `gate` finds in `--chain-dir` and on the
/// image). Without it, the verifier of the config's `trust:` section and no documents.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Verification<'a> {
    /// The verifier.
    pub verifier: &'a Verifier,
    /// Signed documents: those claiming the approval predicate and not already a source of
    /// the evidence are added to it.
    pub documents: &'a [Candidate],
}

/// What [`decide`] produced: the decision and the evidence bytes it is bound to.
#[derive(Debug)]
pub(crate) struct Decided {
    /// The decision.
    pub decision: Decision,
    /// The evidence document as evaluated (its sha256 is the decision's evidence digest).
    pub evidence: Arc<[u8]>,
    /// The evaluated Evidence document's sources (empty for an `--input` document).
    pub sources: Vec<Source>,
    /// The evaluated Evidence document's attestations, with their verification outcomes.
    pub attestations: Vec<Attestation>,
    /// The evaluated Evidence document's approvals (verified ones from signed approvals).
    pub approvals: Vec<Approval>,
    /// The input and policies the decision was made from.
    pub retained: Retained,
}

/// Runs `stagegate evaluate`.
pub fn evaluate(args: EvaluateArgs, color: bool) -> Result<ExitStatus, Report> {
    let started = std::time::Instant::now();
    tracing::debug!("evaluating");
    let outputs = Outputs::new(&args.format)?;
    crate::cli::output::check_paths(&args, &outputs, Vec::new(), Vec::new())?;
    if !args.conftest.policy.is_empty() {
        let decision = crate::cli::conftest::decide(&args)?;
        outputs.emit(&decision, color)?;
        return Ok(if decision.passed() {
            ExitStatus::Success
        } else {
            ExitStatus::PolicyFailure
        });
    }
    let decided = decide(&args, &|_, _, _| Ok((Vec::new(), Vec::new())))?;
    if args.audit {
        let location =
            crate::cli::audit::location(args.audit_db.as_deref(), args.config.as_deref())?;
        crate::cli::audit::append(
            &location,
            &decided.decision,
            "evaluate",
            &decided.evidence,
            None,
            started,
        )?;
    }
    outputs.emit(&decided.decision, color)?;
    tracing::debug!("wrote the outputs");
    decided.retained.leave_to_exit();
    Ok(if decided.decision.passed() {
        ExitStatus::Success
    } else {
        ExitStatus::PolicyFailure
    })
}

/// Loads the config, the input and the stage's policies, verifies the evidence's
/// attestations and approvals with the config's trust, evaluates the policies (with the
/// caller's extra checks) and returns the decision. Every error is a report (exit 2).
pub(crate) fn decide(args: &EvaluateArgs, extra: &ExtraChecks<'_>) -> Result<Decided, Report> {
    decide_with(args, extra, None)
}

/// [`decide`], with the caller's [`Verification`]. The evidence evaluated is the document with
/// every verification outcome recorded (the evidence digest is that document's).
pub(crate) fn decide_with(
    args: &EvaluateArgs,
    extra: &ExtraChecks<'_>,
    verification: Option<Verification<'_>>,
) -> Result<Decided, Report> {
    let limits = args.limits.limits();
    if args.stage.is_empty() {
        return Err(miette::miette!(
            help = "name a stage of `stagegate.yaml`, or give `--policy DIR` to evaluate policies without one",
            "`--stage` is required"
        ));
    }
    let config_file = config_path(args.config.as_deref())?;
    let config = Config::load(&config_file, &limits).map_err(|e| policy_report(&e))?;
    let stage = config.stage(&args.stage).map_err(|e| policy_report(&e))?;
    let own_verifier;
    let verification = match verification {
        Some(verification) => verification,
        None => {
            own_verifier = verifier_for(Some(&config))?;
            Verification {
                verifier: &own_verifier,
                documents: &[],
            }
        }
    };
    let verify = VerifyEvidence {
        verification,
        stage: &stage.name,
        limits: &limits,
    };
    // `--image` alone collects what the image carries; with `--evidence` (as `gate` is often
    // run) it only names the subject's image for the promotion chain.
    let collecting = args.collect.has_inputs()
        || args.collect.subject.is_some()
        || args.collect.subject_file.is_some()
        || (args.collect.image.is_some() && args.evidence.is_none() && args.input.is_empty());
    if args.input.len() > 1 {
        return Err(miette::miette!(
            help = "several inputs are evaluated one by one with `--policy DIR` (conftest's way)",
            "`--stage` evaluates one `--input`"
        ));
    }
    let loaded = match (&args.evidence, &args.input.first(), collecting) {
        (Some(_), _, true) | (_, Some(_), true) => {
            return Err(miette::miette!(
                "give either evidence files to collect (`--sbom`, `--scan`, …) or `--evidence`/`--input`, not both"
            ));
        }
        (None, Some(_), false) if args.save_evidence.is_some() => {
            return Err(miette::miette!(
                "`--save-evidence` saves an Evidence document: collect one (`--sbom`, `--scan`, …) or give `--evidence`"
            ));
        }
        (Some(path), _, false) => load_evidence(path, &limits, &verify)?,
        (None, Some(path), false) => load_plain_input(path, &limits)?,
        (None, None, true) => collect_input(args, limits, &verify)?,
        (None, None, false) => {
            return Err(miette::miette!(
                help = "collect evidence with `--subject NAME@sha256:HEX --sbom … --scan …`, pass an Evidence document with `--evidence FILE`, or any JSON/YAML document with `--input FILE`",
                "nothing to evaluate"
            ));
        }
    };
    if let Some(path) = &args.save_evidence {
        // The document as evaluated, verification outcomes included: the one whose digest
        // the decision records, so that `replay` reproduces it.
        write_atomically(path, &loaded.bytes)?;
    }
    let mut policies = PolicySet::load_stage_within(stage, &config.base_dir, &limits, args.timeout)
        .map_err(|e| policy_report(&e))?;
    // The engines get only what the policies can reach (policy::reach); the rest of the gate
    // reads the whole document.
    policies.set_pruning(!args.no_prune);
    tracing::debug!(digest = policies.digest(), "loaded the policies");
    let evaluated_at = chrono::Utc::now();
    let now = args.effective_time.unwrap_or(evaluated_at);
    let mut evaluation = policies
        .evaluate(
            &loaded.input,
            &EvaluationContext {
                stage: stage.name.clone(),
                now,
                timeout: args.timeout,
                rego_engine: args.rego_engine,
            },
        )
        .map_err(|e| policy_report(&e))?;
    let (extra_rules, extra_violations) = extra(stage, &config, &loaded.subject)?;
    evaluation.rules.extend(extra_rules);
    evaluation.violations.extend(extra_violations);
    if evaluation.rules.is_empty() {
        // Fail closed: a gate that checked nothing must not pass.
        return Err(miette::miette!(
            help = "list policies or `require_evidence` for the stage in `stagegate.yaml`",
            "stage `{}` evaluated no rule: it has no policies and requires no evidence",
            stage.name
        ));
    }
    tracing::info!(
        rules = evaluation.rules.len(),
        violations = evaluation.violations.len(),
        warnings = evaluation.warnings.len(),
        "evaluated stage `{}`",
        stage.name
    );
    let waived = waive(
        &config,
        stage,
        &loaded.subject,
        now,
        &evaluation.rules,
        evaluation.violations,
        evaluation.warnings,
    )?;
    let decision = Decision::with_waived(
        DecisionContext {
            stage: stage.name.clone(),
            subject: loaded.subject,
            promotion_id: uuid::Uuid::now_v7().to_string(),
            evaluated_at,
            effective_time: now,
            policy_digest: policies.digest().to_owned(),
            evidence_digest: loaded.digest,
            fail_on_warn: args.fail_on_warn || stage.fail_on_warn,
        },
        evaluation.rules,
        waived.violations,
        waived.warnings,
        waived.waived,
    );
    let (sources, attestations, approvals) =
        loaded.model.as_ref().map_or_else(Default::default, |m| {
            (
                m.sources.clone(),
                m.attestations.clone().unwrap_or_default(),
                m.approvals.clone().unwrap_or_default(),
            )
        });
    Ok(Decided {
        decision,
        sources,
        attestations,
        approvals,
        evidence: loaded.bytes,
        retained: Retained {
            _input: loaded.input,
            _model: loaded.model,
            _policies: policies,
        },
    })
}

/// What a decision was made from, kept so that a command about to exit can skip freeing it.
/// The evidence model and the engines' forms of a large document are trees of hundreds of
/// thousands of small allocations: freeing them took milliseconds that the process's exit
/// does for free. A command that goes on (`impact`) just drops it.
#[derive(Debug)]
pub(crate) struct Retained {
    _input: PolicyInput,
    _model: Option<Evidence>,
    _policies: PolicySet,
}

impl Retained {
    /// Leaves everything to the process's exit, which returns the memory at once.
    pub(crate) fn leave_to_exit(self) {
        std::mem::forget(self);
    }
}

/// How the evidence of one decision is verified.
struct VerifyEvidence<'a> {
    verification: Verification<'a>,
    stage: &'a str,
    limits: &'a Limits,
}

impl VerifyEvidence<'_> {
    /// Adds the caller's signed approvals to `model`, verifies its attestations and approvals
    /// at the stage, and records the outcomes. `true` when `model` changed.
    fn apply(&self, model: &mut Evidence) -> Result<bool, Report> {
        let mut changed = false;
        for document in self.verification.documents {
            if claimed_predicate_type(&document.bytes).as_deref() != Some(APPROVAL_PREDICATE_TYPE) {
                continue;
            }
            let sha256 = sha256_digest(&document.bytes);
            if model.sources.iter().any(|s| s.sha256 == sha256) {
                continue;
            }
            add_attestation_document(
                model,
                InputKind::Approval,
                &document.path,
                &document.bytes,
                self.limits,
            )
            .map_err(|e| evidence_report(&e))?;
            changed = true;
        }
        let approvals_signed = model
            .attestations
            .iter()
            .flatten()
            .any(|a| a.predicate_type == APPROVAL_PREDICATE_TYPE);
        if approvals_signed && self.verification.verifier.trust().approvers.is_empty() {
            crate::cli::waivers::warn(
                "signed approvals are not checked: no `trust.approvers` in the config, so none counts",
            );
        }
        let checked = check_evidence(
            model,
            self.verification.verifier,
            Some(self.stage),
            self.limits,
        )
        .map_err(|e| evidence_report(&e))?;
        for notice in &checked.notices {
            crate::cli::waivers::warn(notice);
        }
        if !checked.matches(model) {
            checked.apply(model);
            changed = true;
        }
        Ok(changed)
    }
}

/// Puts the verified parts of `model` into the document as read (its other fields, unknown
/// ones included, stay as written) and re-encodes it.
fn rewrite(loaded: &mut LoadedInput, model: &Evidence) -> Result<(), Report> {
    let mut json = loaded.input.json().map_err(|e| policy_report(&e))?.clone();
    let serde_json::Value::Object(map) = &mut json else {
        return Ok(());
    };
    let encode = |value: serde_json::Result<serde_json::Value>| value.map_err(|e| chain_report(&e));
    map.insert(
        "sources".into(),
        encode(serde_json::to_value(&model.sources))?,
    );
    map.insert("raw".into(), encode(serde_json::to_value(&model.raw))?);
    for (key, value) in [
        (
            "attestations",
            encode(serde_json::to_value(&model.attestations))?,
        ),
        ("approvals", encode(serde_json::to_value(&model.approvals))?),
    ] {
        if value.is_null() {
            map.remove(key);
        } else {
            map.insert(key.into(), value);
        }
    }
    let bytes: Arc<[u8]> = serde_json::to_vec(&json)
        .map_err(|e| chain_report(&e))?
        .into();
    loaded.digest = format!("sha256:{}", sha256_digest(&bytes));
    loaded.input = PolicyInput::from_json_with_text(json, bytes.clone());
    loaded.bytes = bytes;
    Ok(())
}

fn sha256_digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Collects evidence from the collect flags and verifies it.
fn collect_input(
    args: &EvaluateArgs,
    limits: Limits,
    verify: &VerifyEvidence<'_>,
) -> Result<LoadedInput, Report> {
    let request = collect_request(&args.collect, limits, Some(verify.verification.verifier))?;
    let mut evidence = collect_evidence(&request).map_err(|e| evidence_report(&e))?;
    verify.apply(&mut evidence)?;
    let bytes = evidence.to_json_bytes().map_err(|e| evidence_report(&e))?;
    let bytes: Arc<[u8]> = bytes.into();
    let input = PolicyInput::from_json_text(bytes.clone());
    Ok(LoadedInput {
        subject: evidence.subject.clone(),
        digest: format!("sha256:{}", sha256_digest(&bytes)),
        input,
        bytes,
        model: Some(evidence),
    })
}

/// Reads an Evidence v1 document: limits, JSON syntax, then the contract's shape, each error
/// pointing at its line and column. Policies see the document as written (unknown fields
/// included), not a re-serialised copy. The bytes are parsed once into the model here; the
/// engines' forms are built once the policies say what they can reach
/// ([`crate::policy::reach`]).
fn load_evidence(
    path: &Path,
    limits: &Limits,
    verify: &VerifyEvidence<'_>,
) -> Result<LoadedInput, Report> {
    let bytes: Arc<[u8]> = read_limited(path, limits)
        .map_err(|e| limit_report(&e))?
        .into();
    check_depth(path, &bytes, limits).map_err(|e| limit_report(&e))?;
    tracing::debug!(bytes = bytes.len(), "read the evidence");
    let input = PolicyInput::from_json_text(bytes.clone());
    // Repeated keys anywhere (in `raw` documents too) are refused, as in every JSON input.
    crate::document::check_duplicate_keys(path, &bytes).map_err(|e| document_report(&e))?;
    let evidence: Evidence = match serde_json::from_slice(&bytes) {
        Ok(evidence) => evidence,
        Err(err) => {
            check_json_syntax(path, &bytes).map_err(|e| document_report(&e))?;
            let message = err
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned();
            return Err(file_report(
                "invalid evidence",
                path,
                err.line(),
                err.column(),
                &message,
                Some(
                    "an Evidence v1 document is what `stagegate collect` writes (schema: `stagegate schema evidence`); use `--input` for any other document",
                ),
            ));
        }
    };
    if evidence.api_version != EVIDENCE_API_VERSION {
        return Err(file_report(
            "invalid evidence",
            path,
            1,
            1,
            &format!(
                "unsupported apiVersion `{}`; this stagegate reads `{EVIDENCE_API_VERSION}`",
                evidence.api_version
            ),
            None,
        ));
    }
    let digest = format!("sha256:{}", sha256_digest(&bytes));
    tracing::debug!("validated the evidence");
    let mut evidence = evidence;
    let changed = verify.apply(&mut evidence)?;
    let mut loaded = LoadedInput {
        subject: evidence.subject.clone(),
        input,
        bytes,
        digest,
        model: None,
    };
    if changed {
        rewrite(&mut loaded, &evidence)?;
        tracing::debug!("recorded the verification outcomes");
    }
    loaded.model = Some(evidence);
    Ok(loaded)
}

/// Reads any JSON or YAML document, conftest-style. The subject is the document itself.
fn load_plain_input(path: &Path, limits: &Limits) -> Result<LoadedInput, Report> {
    let document = read_document(path, limits).map_err(|e| document_report(&e))?;
    let hex = sha256_digest(&document.bytes);
    let is_json = matches!(
        document.bytes.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    );
    Ok(LoadedInput {
        subject: Subject {
            name: display(path),
            digest: DigestSet {
                sha256: hex.clone(),
                other: Default::default(),
            },
        },
        input: if is_json {
            PolicyInput::from_json_with_text(document.value, document.bytes.clone())
        } else {
            PolicyInput::from_json(document.value)
        },
        bytes: document.bytes.into(),
        digest: format!("sha256:{hex}"),
        model: None,
    })
}

fn display(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        PathBuf::from(path).display().to_string()
    }
}
