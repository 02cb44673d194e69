//! `stagegate impact`: what a policy change would do to recorded promotions.
//!
//! Evaluates two policy trees (`--old`, `--new`: each a directory holding `stagegate.yaml`, or
//! a `stagegate.yaml` file) on every Evidence document (`*.json`) of `--evidence-dir`, at every
//! stage both configs define (or the `--stage`s given), at one effective time, and lists every
//! verdict and finding that changes, compared with [`DecisionDiff`]. Text, JSON, or Markdown
//! for a pull-request comment. Exit 1 when a promotion that passed would now fail, 2 when any
//! evaluation failed (an error is never read as "no change"), else 0.
//!
//! Each evaluation goes through [`decide`], so waivers, `require_evidence` and `fail_on_warn`
//! count exactly as at a gate; the promotion chain and signed approvals (which need bundles) do
//! not take part.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use miette::Report;
use serde::Serialize;

use crate::cli::args::{EvaluateArgs, LimitArgs, parse_time};
use crate::cli::diagnostic::{chain_report, policy_report};
use crate::cli::evaluate::decide;
use crate::cli::exit::ExitStatus;
use crate::cli::output::write_stdout;
use crate::cli::replay::{config_at, describe};
use crate::compare::{DecisionDiff, FindingKey};
use crate::decision::Outcome;
use crate::policy::config::Config;

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

/// One evidence document at one stage whose outcome changes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Change {
    evidence: String,
    stage: String,
    #[serde(flatten)]
    diff: DecisionDiff,
}

/// An evaluation that did not finish.
#[derive(Debug, Serialize)]
struct Failure {
    evidence: String,
    stage: String,
    side: &'static str,
    error: String,
}

/// What `impact --format json` writes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ImpactReport {
    old: String,
    new: String,
    effective_time: String,
    stages: Vec<String>,
    evidence: usize,
    evaluated: usize,
    unchanged: usize,
    newly_failing: usize,
    newly_passing: usize,
    changes: Vec<Change>,
    errors: Vec<Failure>,
}

/// Runs `stagegate impact`.
pub fn impact(args: ImpactArgs) -> Result<ExitStatus, Report> {
    let limits = args.limits.limits();
    let old_config = config_at(&args.old);
    let new_config = config_at(&args.new);
    let old = Config::load(&old_config, &limits).map_err(|e| policy_report(&e))?;
    let new = Config::load(&new_config, &limits).map_err(|e| policy_report(&e))?;
    let stages: Vec<String> = if args.stage.is_empty() {
        new.stages
            .iter()
            .map(|s| s.name.clone())
            .filter(|name| old.stage(name).is_ok())
            .collect()
    } else {
        for name in &args.stage {
            old.stage(name).map_err(|e| policy_report(&e))?;
            new.stage(name).map_err(|e| policy_report(&e))?;
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
    let documents = evidence_files(&args.evidence_dir)?;
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
    let no_extra = |_: &_, _: &_, _: &_| Ok((Vec::new(), Vec::new()));
    for path in &documents {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        for stage in &stages {
            let evaluate = |config: &Path| EvaluateArgs {
                stage: stage.clone(),
                config: Some(config.to_owned()),
                evidence: Some(path.clone()),
                input: Vec::new(),
                conftest: Default::default(),
                format: Vec::new(),
                fail_on_warn: false,
                timeout: args.timeout,
                effective_time: Some(now),
                rego_engine: Default::default(),
                no_prune: false,
                save_evidence: None,
                audit: false,
                audit_db: None,
                collect: Default::default(),
                limits: args.limits.clone(),
            };
            let mut fail = |side: &'static str, err: Report| {
                report.errors.push(Failure {
                    evidence: name.clone(),
                    stage: stage.clone(),
                    side,
                    error: format!("{err}"),
                });
            };
            let before = match decide(&evaluate(&old_config), &no_extra) {
                Ok(decided) => decided.decision,
                Err(err) => {
                    fail("old", err);
                    continue;
                }
            };
            let after = match decide(&evaluate(&new_config), &no_extra) {
                Ok(decided) => decided.decision,
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
        ImpactFormat::Text => render_text(&report),
        ImpactFormat::Markdown => render_markdown(&report),
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

/// Every `*.json` file directly in `dir`, sorted.
fn evidence_files(dir: &Path) -> Result<Vec<PathBuf>, Report> {
    let mut found = Vec::new();
    for entry in fs_err::read_dir(dir).map_err(|e| chain_report(&e))? {
        let path = entry.map_err(|e| chain_report(&e))?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "json") {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

fn summary(report: &ImpactReport) -> String {
    format!(
        "{} of {} promotion(s) change ({} evidence document(s) × {} stage(s)): {} would now fail, {} would now pass{}",
        report.changes.len(),
        report.evaluated,
        report.evidence,
        report.stages.len(),
        report.newly_failing,
        report.newly_passing,
        if report.errors.is_empty() {
            String::new()
        } else {
            format!("; {} evaluation(s) failed", report.errors.len())
        }
    )
}

fn verdicts(change: &Change) -> String {
    if change.diff.before == change.diff.after {
        format!("{} (findings change)", change.diff.after)
    } else {
        format!("{} → {}", change.diff.before, change.diff.after)
    }
}

fn render_text(report: &ImpactReport) -> String {
    let mut out = format!(
        "{}\n  old {}, new {}, effective time {}\n",
        summary(report),
        report.old,
        report.new,
        report.effective_time
    );
    for change in &report.changes {
        out.push_str(&format!(
            "\n{} at `{}`: {}\n",
            change.evidence,
            change.stage,
            verdicts(change)
        ));
        for (sign, keys) in [("-", &change.diff.removed), ("+", &change.diff.added)] {
            for key in keys {
                out.push_str(&format!("  {sign} {}\n", describe(key)));
            }
        }
    }
    for failure in &report.errors {
        out.push_str(&format!(
            "\n{} at `{}`: ERROR with the {} policies\n",
            failure.evidence, failure.stage, failure.side
        ));
    }
    out
}

/// Escapes text for a Markdown table cell or list item.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '*' | '_' | '<' | '>' | '[' | ']' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn md_key(key: &FindingKey) -> String {
    let waiver = key
        .waiver
        .as_deref()
        .map(|w| format!(" (waiver `{}`)", w.replace('`', "'")))
        .unwrap_or_default();
    format!(
        "{} `{}` ({}): {}{waiver}",
        key.kind.as_str(),
        key.rule.replace('`', "'"),
        key.severity,
        md(&key.message)
    )
}

fn render_markdown(report: &ImpactReport) -> String {
    let icon = if report.newly_failing > 0 || !report.errors.is_empty() {
        ":x:"
    } else if report.changes.is_empty() {
        ":white_check_mark:"
    } else {
        ":warning:"
    };
    let mut out = format!(
        "### {icon} stagegate policy impact\n\n{}.\n\nEffective time `{}`.\n",
        summary(report),
        report.effective_time
    );
    if !report.changes.is_empty() {
        out.push_str("\n| evidence | stage | verdict | findings added | findings removed |\n| --- | --- | --- | ---: | ---: |\n");
        for change in &report.changes {
            out.push_str(&format!(
                "| `{}` | `{}` | {} | {} | {} |\n",
                change.evidence.replace('`', "'"),
                change.stage,
                md(&verdicts(change)),
                change.diff.added.len(),
                change.diff.removed.len()
            ));
        }
        for change in &report.changes {
            out.push_str(&format!(
                "\n<details><summary><code>{}</code> at <code>{}</code>: {}</summary>\n\n",
                html(&change.evidence),
                html(&change.stage),
                html(&verdicts(change))
            ));
            for key in &change.diff.added {
                out.push_str(&format!("- **added** {}\n", md_key(key)));
            }
            for key in &change.diff.removed {
                out.push_str(&format!("- **removed** {}\n", md_key(key)));
            }
            out.push_str("\n</details>\n");
        }
    }
    if !report.errors.is_empty() {
        out.push_str("\n**Evaluations that failed** (exit 2):\n\n");
        for failure in &report.errors {
            out.push_str(&format!(
                "- `{}` at `{}` with the {} policies: {}\n",
                failure.evidence.replace('`', "'"),
                failure.stage,
                failure.side,
                md(&failure.error)
            ));
        }
    }
    out
}

fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
