//! `stagegate impact`'s report: what a policy change would do to recorded promotions, as text,
//! or Markdown for a pull-request comment (JSON is the report serialised).

use serde::Serialize;

use crate::compare::{DecisionDiff, FindingKey};
use crate::report::replay::describe;

/// One evidence document at one stage whose outcome changes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The evidence document (its file name).
    pub evidence: String,
    /// The stage.
    pub stage: String,
    /// How the verdict and findings change.
    #[serde(flatten)]
    pub diff: DecisionDiff,
}

/// An evaluation that did not finish.
#[derive(Debug, Serialize)]
pub struct Failure {
    /// The evidence document (its file name).
    pub evidence: String,
    /// The stage.
    pub stage: String,
    /// `old` or `new`: the policy tree that failed.
    pub side: &'static str,
    /// What went wrong.
    pub error: String,
}

/// What `impact --format json` writes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImpactReport {
    /// The old policy tree's `stagegate.yaml`.
    pub old: String,
    /// The new policy tree's `stagegate.yaml`.
    pub new: String,
    /// The effective time of every evaluation (RFC 3339).
    pub effective_time: String,
    /// The stages evaluated.
    pub stages: Vec<String>,
    /// How many evidence documents were read.
    pub evidence: usize,
    /// How many (document, stage) pairs both sides evaluated.
    pub evaluated: usize,
    /// How many of those did not change.
    pub unchanged: usize,
    /// How many passed before and fail now.
    pub newly_failing: usize,
    /// How many failed before and pass now.
    pub newly_passing: usize,
    /// Every pair whose verdict or findings change.
    pub changes: Vec<Change>,
    /// Every evaluation that did not finish.
    pub errors: Vec<Failure>,
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

/// The text report: a summary line, then each change with the findings added and removed.
pub fn text(report: &ImpactReport) -> String {
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

/// The Markdown report, for a pull-request comment: a table, then a collapsible list per change.
pub fn markdown(report: &ImpactReport) -> String {
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
