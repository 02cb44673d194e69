//! The `codequality` format: a [GitLab code quality report] (the CodeClimate issue subset
//! GitLab reads), so a merge request's widget and diff show each finding at its policy file
//! and line.
//!
//! [`CodeQualityOutputFormatter`] writes one issue per violation and per warning:
//! `description` (`rule: message`), `check_name` (the rule id), `severity`, `location`
//! (`path`, `lines.begin`) and a `fingerprint` that stays the same while the finding does (the
//! rule, its source and its message; not the subject, so the same finding on the next build is
//! not "new"). Built-in checks have no policy file and point at `stagegate.yaml`, where
//! `require_evidence` and `requires` are written.
//!
//! Severity: a finding that fails the gate is `blocker` (severity critical) or `critical`; a
//! warning is `major` (critical, high), `minor` (medium, low) or `info`. What we leave out:
//! waived findings (the format has no suppression), and the optional `content`, `categories`
//! and `remediation_points` fields.
//!
//! [GitLab code quality report]: https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use std::collections::BTreeSet;

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::{Level, OutputFormat, OutputFormatter, ReportError};
use crate::decision::{Decision, Finding, Severity};

/// Where built-in checks (no policy file) point.
const BUILTIN_PATH: &str = "stagegate.yaml";

/// Renders the `codequality` format.
#[derive(Debug, Clone, Copy)]
pub(super) struct CodeQualityOutputFormatter;

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

impl OutputFormatter for CodeQualityOutputFormatter {
    fn render(&self, decision: &Decision) -> Result<String, ReportError> {
        let violations = decision.violations.iter().map(|f| (f, true));
        let warnings = decision.warnings.iter().map(|f| (f, false));
        let mut seen = BTreeSet::new();
        let issues: Vec<Issue> = violations
            .chain(warnings)
            .map(|(finding, violation)| {
                let failing = Level::of(decision, finding, violation) == super::Level::Error;
                issue(finding, failing, &mut seen)
            })
            .collect();
        let mut out =
            serde_json::to_string_pretty(&issues).map_err(|source| ReportError::Serialize {
                format: OutputFormat::CodeQuality,
                source,
            })?;
        out.push('\n');
        Ok(out)
    }
}

fn issue(finding: &Finding, failing: bool, seen: &mut BTreeSet<String>) -> Issue {
    let (path, line) = finding
        .source
        .as_ref()
        .map_or((BUILTIN_PATH.to_owned(), 1), |s| {
            (s.file.clone(), s.line.max(1))
        });
    let severity = match (failing, finding.severity) {
        (true, Severity::Critical) => "blocker",
        (true, _) => "critical",
        (false, Severity::Critical | Severity::High) => "major",
        (false, Severity::Medium | Severity::Low) => "minor",
        (false, Severity::Info) => "info",
    };
    let mut hasher = Sha256::new();
    for part in [&finding.rule, &path, &line.to_string(), &finding.message] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let base = hex::encode(hasher.finalize());
    // Two identical findings still need two fingerprints.
    let mut fingerprint = base.clone();
    let mut n = 1;
    while !seen.insert(fingerprint.clone()) {
        fingerprint = format!("{base}-{n}");
        n += 1;
    }
    Issue {
        description: format!("{}: {}", finding.rule, finding.message),
        check_name: finding.rule.clone(),
        fingerprint,
        severity,
        location: Location {
            path,
            lines: Lines { begin: line },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{failing, passing};
    use super::*;

    #[test]
    fn one_issue_per_finding_with_gitlab_fields() {
        let decision = failing();
        let out = CodeQualityOutputFormatter
            .render(&decision)
            .unwrap_or_default();
        let issues: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        let issues = issues.as_array().cloned().unwrap_or_default();
        assert_eq!(
            issues.len(),
            decision.violations.len() + decision.warnings.len()
        );
        let mut fingerprints = BTreeSet::new();
        for issue in &issues {
            for field in ["description", "check_name", "fingerprint", "severity"] {
                assert!(issue[field].is_string(), "{field}: {issue}");
            }
            assert!(issue["location"]["path"].is_string(), "{issue}");
            assert!(issue["location"]["lines"]["begin"].as_u64() >= Some(1));
            assert!(
                ["info", "minor", "major", "critical", "blocker"]
                    .contains(&issue["severity"].as_str().unwrap_or_default())
            );
            assert!(fingerprints.insert(issue["fingerprint"].to_string()));
        }
        // Violations fail the gate: never below `critical`.
        let first = issues.first().cloned().unwrap_or_default();
        assert!(["critical", "blocker"].contains(&first["severity"].as_str().unwrap_or_default()));
    }

    #[test]
    fn a_pass_with_no_findings_is_an_empty_list() {
        let mut decision = passing();
        decision.warnings.clear();
        let out = CodeQualityOutputFormatter
            .render(&decision)
            .unwrap_or_default();
        assert_eq!(out, "[]\n");
    }
}
