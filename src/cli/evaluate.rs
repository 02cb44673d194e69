//! `stagegate evaluate`: load a stage's policies, evaluate them on one document, report the
//! decision in every requested format, exit 0 (pass), 1 (policy failure) or 2 (error).

use std::path::Path;

use miette::Report;

use crate::cli::collect::collect_request;
use crate::cli::diagnostic::gate_report;
use crate::cli::evaluate_args::EvaluateArgs;
use crate::cli::exit::ExitStatus;
use crate::cli::output::{Outputs, config_path, warn, write_atomically};
use crate::gate::input::ReadAhead;
use crate::gate::{Chain, Decided, GateRequest, Input, PreparedStage, StageOptions};

/// Runs `stagegate evaluate`.
pub fn evaluate(args: EvaluateArgs, color: bool) -> Result<ExitStatus, Report> {
    let started = std::time::Instant::now();
    tracing::debug!("evaluating");
    let outputs = Outputs::new(&args.format)?;
    check_paths(&args, &outputs, Vec::new(), Vec::new())?;
    if !args.conftest.policy.is_empty() {
        let decision = crate::cli::conftest::decide(&args)?;
        outputs.emit(&decision, color)?;
        return Ok(if decision.passed() {
            ExitStatus::Success
        } else {
            ExitStatus::PolicyFailure
        });
    }
    let ahead = read_ahead(&args);
    let prepared = prepare(&args)?;
    let decided = decide(&args, &prepared, Chain::Skipped, ahead)?;
    if args.audit {
        let location =
            crate::cli::audit::location(args.audit_db.as_deref(), args.config.as_deref())?;
        crate::cli::audit::append(&location, &decided, "evaluate", None, started)?;
    }
    outputs.emit(&decided.decision, color)?;
    tracing::debug!("wrote the outputs");
    let passed = decided.decision.passed();
    decided.leave_to_exit();
    prepared.leave_to_exit();
    Ok(if passed {
        ExitStatus::Success
    } else {
        ExitStatus::PolicyFailure
    })
}

/// Prepares the stage `args` name: the config, its policies, data and trust, loaded once.
pub(crate) fn prepare(args: &EvaluateArgs) -> Result<PreparedStage, Report> {
    if args.stage.is_empty() {
        return Err(miette::miette!(
            help = "name a stage of `stagegate.yaml`, or give `--policy DIR` to evaluate policies without one",
            "`--stage` is required"
        ));
    }
    let config_file = config_path(args.config.as_deref())?;
    PreparedStage::load(
        &config_file,
        &args.stage,
        &StageOptions::new(args.limits.limits(), args.timeout, args.rego_engine)
            .with_pruning(!args.no_prune),
    )
    .map_err(|e| gate_report(&e))
}

/// Starts reading the `--evidence` document while the stage is prepared ([`ReadAhead`]).
pub(crate) fn read_ahead(args: &EvaluateArgs) -> Option<ReadAhead> {
    let path = args.evidence.as_ref()?;
    (args.conftest.policy.is_empty() && !args.collect.has_inputs()).then(|| {
        let keep = args.save_evidence.is_some();
        ReadAhead::start(path.clone(), args.limits.limits(), keep)
    })
}

/// What `args` says to evaluate: an `--evidence` document (being read `ahead`, if started),
/// an `--input` document, or evidence to collect (verified with `prepared`'s trust where the
/// image's attestations are read).
pub(crate) fn input_of(
    args: &EvaluateArgs,
    prepared: &PreparedStage,
    ahead: Option<ReadAhead>,
) -> Result<Input, Report> {
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
    match (&args.evidence, &args.input.first(), collecting) {
        (Some(_), _, true) | (_, Some(_), true) => Err(miette::miette!(
            "give either evidence files to collect (`--sbom`, `--scan`, …) or `--evidence`/`--input`, not both"
        )),
        (None, Some(_), false) if args.save_evidence.is_some() => Err(miette::miette!(
            "`--save-evidence` saves an Evidence document: collect one (`--sbom`, `--scan`, …) or give `--evidence`"
        )),
        (Some(path), _, false) => {
            Ok(ahead.map_or_else(|| Input::EvidenceFile(path.clone()), Input::ReadAhead))
        }
        (None, Some(path), false) => Ok(Input::DocumentFile((*path).clone())),
        (None, None, true) => Ok(Input::Collect(Box::new(collect_request(
            &args.collect,
            args.limits.limits(),
            Some(prepared.verifier()),
        )?))),
        (None, None, false) => Err(miette::miette!(
            help = "collect evidence with `--subject NAME@sha256:HEX --sbom … --scan …`, pass an Evidence document with `--evidence FILE`, or any JSON/YAML document with `--input FILE`",
            "nothing to evaluate"
        )),
    }
}

/// Evaluates `prepared` on what `args` names (the `--evidence` document being read `ahead`,
/// if started), with the promotion chain as `chain` says, warnings on stderr; writes
/// `--save-evidence`. Every error is a report (exit 2).
pub(crate) fn decide(
    args: &EvaluateArgs,
    prepared: &PreparedStage,
    chain: Chain<'_>,
    ahead: Option<ReadAhead>,
) -> Result<Decided, Report> {
    let input = input_of(args, prepared, ahead)?;
    let request = GateRequest::new(input)
        .effective_time(args.effective_time)
        .chain(chain)
        .fail_on_warn(args.fail_on_warn)
        .warn(&warn);
    let decided = prepared.evaluate(&request).map_err(|e| gate_report(&e))?;
    if let Some(path) = &args.save_evidence {
        // The document as evaluated, verification outcomes included: the one whose digest
        // the decision records, so that `replay` reproduces it.
        let Some(evidence) = &decided.evidence else {
            return Err(miette::miette!(
                "the evidence document evaluated was not kept to save (an internal error)"
            ));
        };
        write_atomically(path, evidence)?;
    }
    Ok(decided)
}

/// Refuses outputs (`--format F=PATH`, `--save-evidence`, and the caller's `outputs`) that
/// are the same file as each other or as an input (the evaluate flags' files and the caller's
/// `inputs`), before anything is read or written.
pub fn check_paths<'a>(
    args: &'a EvaluateArgs,
    formats: &'a Outputs,
    mut outputs: Vec<(String, &'a Path)>,
    mut inputs: Vec<(String, &'a Path)>,
) -> Result<(), Report> {
    outputs.extend(formats.files());
    if let Some(path) = &args.save_evidence {
        outputs.push(("`--save-evidence`".to_owned(), path));
    }
    let c = &args.collect;
    for (name, paths) in [
        ("--evidence", args.evidence.as_slice()),
        ("--input", args.input.as_slice()),
        ("--config", args.config.as_slice()),
        ("--subject-file", c.subject_file.as_slice()),
        ("--sbom", &c.sbom[..]),
        ("--scan", &c.scan[..]),
        ("--tests", &c.tests[..]),
        ("--attestation", &c.attestation[..]),
        ("--approval", &c.approval[..]),
    ] {
        inputs.extend(
            paths
                .iter()
                .map(|p| (format!("`{name} {}`", p.display()), p.as_path())),
        );
    }
    crate::fs::check_distinct(&outputs, &inputs).map_err(|e| {
        miette::miette!(
            help = "give every output its own file, away from the inputs",
            "{e}"
        )
    })
}
