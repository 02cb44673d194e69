//! `stagegate impact`: what a policy change would do to recorded promotions.
//!
//! Evaluates two policy trees (`--old`, `--new`: each a directory holding `stagegate.yaml`, or
//! a `stagegate.yaml` file) on every Evidence document (`*.json`) of `--evidence-dir`, at every
//! stage both configs define (or the `--stage`s given), at one effective time, and lists every
//! verdict and finding that changes, compared with [`DecisionDiff`]. Text, JSON, or Markdown
//! for a pull-request comment. Exit 1 when a promotion that passed would now fail, 2 when any
//! evaluation failed (an error is never read as "no change"), else 0.
//!
//! Each side's stages are prepared once ([`PreparedStage`]) and evaluated on every document, so
//! waivers, `require_evidence` and `fail_on_warn` count exactly as at a gate; the promotion
//! chain and signed approvals (which need bundles) do not take part.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use miette::Report;

use crate::cli::args::{LimitArgs, parse_time};
use crate::cli::diagnostic::{chain_report, config_report, gate_report};
use crate::cli::exit::ExitStatus;
use crate::cli::output::{warn, write_stdout};
use crate::cli::replay::config_at;
use crate::compare::DecisionDiff;
use crate::config::Config;
use crate::decision::Outcome;
use crate::gate::{GateRequest, Input, PreparedStage, StageOptions};
use crate::report::impact::{Change, Failure, ImpactReport};

/// `stagegate impact`.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// The policy tree before the change: a directory holding `stagegate.yaml`, or the file.
    #[arg(long, value_name = "DIR|FILE")]
    pub old: PathBuf,
    /// The policy tree after the change: a directory holding `stagegate.yaml`, or the file.
    #[arg(long, value_name = "DIR|FILE")]
    pub new: PathBuf,
    /// A directory of Evidence v1 documents (`*.json`, not recursive).
    #[arg(long, value_name = "DIR")]
    pub evidence_dir: PathBuf,
    /// A stage to evaluate (repeatable) [default: every stage both configs define].
    #[arg(long, short)]
    pub stage: Vec<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ImpactFormat::Text)]
    pub format: ImpactFormat,
    /// What policies see as now (RFC 3339), the same for both trees [default: the current time].
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub effective_time: Option<chrono::DateTime<chrono::Utc>>,
    /// Time limit for each evaluation.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::cli::args::parse_duration)]
    pub timeout: std::time::Duration,
    /// Limits on input size and nesting.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// How `impact` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpactFormat {
    /// A summary line and every change, for a terminal.
    Text,
    /// One JSON object: the counts, every change, every error.
    Json,
    /// A table and a collapsible list per change, for a pull-request comment.
    Markdown,
}

/// Runs `stagegate impact`.
pub fn impact(args: ImpactArgs) -> Result<ExitStatus, Report> {
    let limits = args.limits.limits();
    let old_config = config_at(&args.old);
    let new_config = config_at(&args.new);
    let old = Config::load(&old_config, &limits).map_err(|e| config_report(&e))?;
    let new = Config::load(&new_config, &limits).map_err(|e| config_report(&e))?;
    let stages: Vec<String> = if args.stage.is_empty() {
        new.stages
            .iter()
            .map(|s| s.name.clone())
            .filter(|name| old.stage(name).is_ok())
            .collect()
    } else {
        for name in &args.stage {
            old.stage(name).map_err(|e| config_report(&e))?;
            new.stage(name).map_err(|e| config_report(&e))?;
        }
        args.stage.clone()
    };
    if stages.is_empty() {
        return Err(miette::miette!(
            help = "name one with `--stage`",
            "`{}` and `{}` define no stage in common",
            old_config.display(),
            new_config.display()
        ));
    }
    let documents = crate::cli::output::json_files(&args.evidence_dir)?;
    if documents.is_empty() {
        return Err(miette::miette!(
            "no evidence documents (`*.json`) in `{}`",
            args.evidence_dir.display()
        ));
    }
    let now = args.effective_time.unwrap_or_else(chrono::Utc::now);
    let mut report = ImpactReport {
        old: old_config.display().to_string(),
        new: new_config.display().to_string(),
        effective_time: crate::decision::rfc3339(now),
        stages: stages.clone(),
        evidence: documents.len(),
        evaluated: 0,
        unchanged: 0,
        newly_failing: 0,
        newly_passing: 0,
        changes: Vec::new(),
        errors: Vec::new(),
    };
    // Each side's stages are prepared once (config, policies, data, trust, signed waivers)
    // and evaluated on every document; a stage that does not load is an error for each.
    let options = StageOptions::new(limits, args.timeout, Default::default());
    let prepare = |config: &Arc<Config>, stage: &str| {
        PreparedStage::from_config(config.clone(), stage, &options).map_err(|e| gate_report(&e))
    };
    let (old, new) = (Arc::new(old), Arc::new(new));
    type Side = Result<PreparedStage, Report>;
    let prepared: Vec<(String, Side, Side)> = stages
        .iter()
        .map(|stage| (stage.clone(), prepare(&old, stage), prepare(&new, stage)))
        .collect();
    for path in &documents {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        for (stage, old_stage, new_stage) in &prepared {
            let mut fail = |side: &'static str, err: String| {
                report.errors.push(Failure {
                    evidence: name.clone(),
                    stage: stage.clone(),
                    side,
                    error: err,
                });
            };
            let decide = |prepared: &Result<PreparedStage, Report>| {
                let prepared = prepared.as_ref().map_err(|e| format!("{e}"))?;
                let request = GateRequest::new(Input::EvidenceFile(path.clone()))
                    .effective_time(Some(now))
                    .warn(&warn);
                prepared
                    .evaluate(&request)
                    .map(|decided| decided.decision)
                    .map_err(|e| format!("{}", gate_report(&e)))
            };
            let before = match decide(old_stage) {
                Ok(decision) => decision,
                Err(err) => {
                    fail("old", err);
                    continue;
                }
            };
            let after = match decide(new_stage) {
                Ok(decision) => decision,
                Err(err) => {
                    fail("new", err);
                    continue;
                }
            };
            report.evaluated += 1;
            let diff = DecisionDiff::between(&before, &after);
            if diff.is_identical() {
                report.unchanged += 1;
                continue;
            }
            if diff.newly_fails() {
                report.newly_failing += 1;
            }
            if diff.before == Outcome::Fail && diff.after == Outcome::Pass {
                report.newly_passing += 1;
            }
            report.changes.push(Change {
                evidence: name.clone(),
                stage: stage.clone(),
                diff,
            });
        }
    }
    let text = match args.format {
        ImpactFormat::Text => crate::report::impact::text(&report),
        ImpactFormat::Markdown => crate::report::impact::markdown(&report),
        ImpactFormat::Json => {
            let mut text = serde_json::to_string_pretty(&report).map_err(|e| chain_report(&e))?;
            text.push('\n');
            text
        }
    };
    write_stdout(text.as_bytes())?;
    if !report.errors.is_empty() {
        #[allow(clippy::print_stderr)]
        for failure in &report.errors {
            eprintln!(
                "error: `{}` at stage `{}` with the {} policies: {}",
                failure.evidence, failure.stage, failure.side, failure.error
            );
        }
        return Ok(ExitStatus::Error);
    }
    Ok(if report.newly_failing > 0 {
        ExitStatus::PolicyFailure
    } else {
        ExitStatus::Success
    })
}
