//! Renderings of a finished [`Decision`] for people and for CI.
//!
//! [`render`] picks one renderer per [`OutputFormat`]: each lives in its own file and
//! implements the small `OutputFormatter` trait (`text`, `json`, `sarif`, `junit`, `github`,
//! `markdown`, `codequality`); XML escaping is shared in `xml`. Renderers take a decision built by
//! [`Decision::new`] and compute nothing: findings arrive sorted, the outcome is decided, and
//! the caller asks the decision (not the report) for the exit status. The CLI maps
//! `--format` onto [`OutputFormat`] and writes the returned string to stdout.
//!
//! The other renderers live here too, each beside the data it renders and computing nothing:
//! [`testing`] renders the results of `stagegate test` ([`crate::testing::TestReport`]) as
//! text, JSON or JUnit XML, and [`audit`] renders the promotion metrics of `stagegate audit
//! report` ([`crate::audit::metrics::PromotionMetrics`]) as text, JSON or HTML.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::decision::{Decision, Finding, RuleInfo, Severity, SourceLocation, WaivedFinding};
use crate::evidence::Subject;

pub mod audit;
mod codequality;
mod github;
pub mod impact;
mod json;
mod junit;
mod markdown;
pub mod replay;
mod sarif;
pub mod testing;
mod text;
pub(crate) mod xml;

#[cfg(test)]
mod tests;

/// How to render a [`Decision`]. Spelled on the command line as `--format <name>`.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    clap::ValueEnum,
    Serialize,
    Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// A readable summary for people: result, violations, warnings, each with its policy file and line.
    #[default]
    #[value(name = "text")]
    Text,
    /// The full decision as pretty-printed JSON (the `decision.v1` contract).
    #[value(name = "json")]
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    #[value(name = "sarif")]
    Sarif,
    /// JUnit XML: one test case per rule evaluated, for CI test-report views.
    #[value(name = "junit")]
    JUnit,
    /// GitHub Actions workflow commands (`::error`, `::warning`), shown as annotations.
    #[value(name = "github")]
    Github,
    /// GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` or a pull-request comment.
    #[value(name = "markdown")]
    Markdown,
    /// A GitLab code quality report (CodeClimate JSON), for merge-request widgets.
    #[value(name = "codequality")]
    #[serde(rename = "codequality")]
    CodeQuality,
}

impl OutputFormat {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [OutputFormat; 7] = [
        OutputFormat::Text,
        OutputFormat::Json,
        OutputFormat::Sarif,
        OutputFormat::JUnit,
        OutputFormat::Github,
        OutputFormat::Markdown,
        OutputFormat::CodeQuality,
    ];

    /// The name users type: the `--format` value, the serde form, and [`fmt::Display`].
    /// Parse with [`clap::ValueEnum::from_str`] (a `FromStr` impl would make that call
    /// ambiguous wherever both traits are in scope).
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Text => "text",
            OutputFormat::Json => "json",
            OutputFormat::Sarif => "sarif",
            OutputFormat::JUnit => "junit",
            OutputFormat::Github => "github",
            OutputFormat::Markdown => "markdown",
            OutputFormat::CodeQuality => "codequality",
        }
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a renderer may vary besides the format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Use ANSI colours. Only [`OutputFormat::Text`] has any; the caller decides (terminal,
    /// `NO_COLOR`, `--color`).
    pub color: bool,
}

/// Why a decision could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Serializing to JSON failed (JSON and SARIF output).
    #[error("cannot serialize the decision as {format}")]
    Serialize {
        /// The format being written.
        format: OutputFormat,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
}

/// Renders `decision` in `format`. The result is the whole document, ending in a newline.
pub fn render(
    decision: &Decision,
    format: OutputFormat,
    options: &RenderOptions,
) -> Result<String, ReportError> {
    match format {
        OutputFormat::Text => text::TextOutputFormatter::new(options.color).render(decision),
        OutputFormat::Json => json::JsonOutputFormatter.render(decision),
        OutputFormat::Sarif => sarif::SarifOutputFormatter.render(decision),
        OutputFormat::JUnit => junit::JUnitOutputFormatter.render(decision),
        OutputFormat::Github => github::GithubOutputFormatter.render(decision),
        OutputFormat::Markdown => markdown::MarkdownOutputFormatter.render(decision),
        OutputFormat::CodeQuality => codequality::CodeQualityOutputFormatter.render(decision),
    }
}

/// One renderer per [`OutputFormat`].
trait OutputFormatter {
    /// Renders the whole document.
    fn render(&self, decision: &Decision) -> Result<String, ReportError>;
}

/// How a finding is presented where a level is needed (SARIF `level`, GitHub command, JUnit
/// failure or not). Derived only from what the decision records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// It fails the gate: every violation, and warnings under `--fail-on-warn`.
    Error,
    /// A warning that does not fail the gate.
    Warning,
    /// An informational warning that does not fail the gate.
    Note,
}

impl Level {
    /// The level of a finding; `violation` says which list of the decision it is in.
    ///
    /// Severity `info` lowers only findings that leave the gate open: a violation fails the
    /// gate whatever its severity, and CI must show the reason as an error.
    fn of(decision: &Decision, finding: &Finding, violation: bool) -> Level {
        if violation || decision.fail_on_warn {
            Level::Error
        } else if finding.severity == Severity::Info {
            Level::Note
        } else {
            Level::Warning
        }
    }

    /// The default level of a rule, from its kind and severity alone.
    fn of_rule(rule: &RuleInfo) -> Level {
        if !rule.warning {
            Level::Error
        } else if rule.severity == Severity::Info {
            Level::Note
        } else {
            Level::Warning
        }
    }
}

/// `name@sha256:<first 12 hex>`, the way people recognise an artifact.
fn short_subject(subject: &Subject) -> String {
    let short: String = subject.digest.sha256.chars().take(12).collect();
    if subject.name.is_empty() {
        format!("sha256:{short}")
    } else {
        format!("{}@sha256:{short}", subject.name)
    }
}

/// `file:line`, or `None` for built-in checks.
fn location(source: Option<&SourceLocation>) -> Option<String> {
    source.map(|source| format!("{}:{}", source.file, source.line))
}

/// `1 violation`, `2 violations`.
fn counted(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// The one-line summary every format ends with: `2 violations, 1 warning, 5 rules evaluated`.
fn summary(decision: &Decision) -> String {
    let mut line = format!(
        "{}, {}, {} evaluated",
        counted(decision.violations.len(), "violation"),
        counted(decision.warnings.len(), "warning"),
        counted(decision.rules.len(), "rule"),
    );
    if !decision.waived.is_empty() {
        line.push_str(&format!(", {} waived", decision.waived.len()));
    }
    if decision.fail_on_warn {
        line.push_str(" (warnings fail the gate)");
    }
    line
}

/// `waived by `W-1` until 2026-12-31T00:00:00Z (ticket SEC-42, approved by alice): reason`,
/// with `signed by` when the waiver was signed: how every format explains a waived finding.
fn waiver_line(waived: &WaivedFinding) -> String {
    let waiver = &waived.waiver;
    let signed = waiver
        .signed_by
        .as_deref()
        .map(|s| format!(", signed by {s}"))
        .unwrap_or_default();
    format!(
        "waived by `{}` until {} (ticket {}, approved by {}{signed}): {}",
        waiver.id, waiver.expires, waiver.ticket, waiver.approved_by, waiver.reason
    )
}

/// The findings of `rule`, violations first, each with whether it is a violation.
///
/// [`Decision::new`] keeps two rules with the same id when their sources differ; a finding
/// that carries a source then belongs only to the rule written there.
fn findings_of<'a>(
    decision: &'a Decision,
    rule: &'a RuleInfo,
) -> impl Iterator<Item = (&'a Finding, bool)> + 'a {
    let belongs = move |finding: &&Finding| {
        finding.rule == rule.id
            && (finding.source.is_none() || rule.source.is_none() || finding.source == rule.source)
    };
    let violations = decision
        .violations
        .iter()
        .filter(belongs)
        .map(|f| (f, true));
    let warnings = decision.warnings.iter().filter(belongs).map(|f| (f, false));
    violations.chain(warnings)
}

/// Rule ids that findings name but [`Decision::rules`] does not list (built-in checks that
/// did not register a rule), sorted and without repeats.
fn unlisted_rule_ids(decision: &Decision) -> Vec<&str> {
    let mut ids: Vec<&str> = decision
        .violations
        .iter()
        .chain(decision.warnings.iter())
        .map(|finding| finding.rule.as_str())
        .filter(|id| !decision.rules.iter().any(|rule| rule.id == *id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
