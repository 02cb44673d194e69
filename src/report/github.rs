//! The `github` format: [GitHub Actions workflow commands] that become annotations.
//!
//! [`GithubOutputFormatter`] writes one `::error` / `::warning` / `::notice` command per
//! finding, pointing at the policy file and line, then a `::notice::` summary. Findings that
//! fail the gate are errors whatever their severity; other warnings are warnings, or notices
//! when their severity is `info`.
//!
//! The log stream shows only the message, not the properties, so the message repeats
//! `file:line` and the rule id. Messages and properties are escaped as the runner unescapes
//! them (`%`, CR, LF; and `:` `,` in properties), so a message cannot end its command early
//! or start a new one.
//!
//! [GitHub Actions workflow commands]: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands

use std::fmt::Write as _;

use super::{Level, OutputFormatter, ReportError, location, short_subject, summary, waiver_line};
use crate::decision::{Decision, Finding};

/// Renders the `github` format.
#[derive(Debug, Clone, Copy)]
pub(super) struct GithubOutputFormatter;

impl OutputFormatter for GithubOutputFormatter {
    fn render(&self, decision: &Decision) -> Result<String, ReportError> {
        let mut out = String::new();
        let violations = decision.violations.iter().map(|f| (f, true));
        let warnings = decision.warnings.iter().map(|f| (f, false));
        for (finding, violation) in violations.chain(warnings) {
            annotation(&mut out, Level::of(decision, finding, violation), finding);
        }
        for waived in &decision.waived {
            let mut finding = waived.finding.clone();
            finding.message = format!("{} [{}]", finding.message, waiver_line(waived));
            annotation(&mut out, Level::Note, &finding);
        }
        let headline = format!(
            "stagegate: stage `{}` {} for {}: {}",
            decision.stage,
            if decision.passed() { "PASS" } else { "FAIL" },
            short_subject(&decision.subject),
            summary(decision),
        );
        let _ = writeln!(out, "::notice::{}", escape_data(&headline));
        Ok(out)
    }
}

fn annotation(out: &mut String, level: Level, finding: &Finding) {
    let command = match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "notice",
    };
    let mut properties = Vec::new();
    let mut message = String::new();
    if let Some(source) = &finding.source {
        properties.push(format!("file={}", escape_property(&source.file)));
        if source.line > 0 {
            properties.push(format!("line={}", source.line));
        }
    }
    if let Some(place) = location(finding.source.as_ref()) {
        let _ = write!(message, "{place}: ");
    }
    properties.push(format!("title={}", escape_property(&finding.rule)));
    let _ = write!(
        message,
        "{} ({}): {}",
        finding.rule, finding.severity, finding.message
    );
    let _ = writeln!(
        out,
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    );
}

/// Escapes a command's message the way the runner unescapes it.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value: as [`escape_data`], plus the `:` and `,` that would end
/// the property list or the property.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::tests::{failing, passing};
    use super::*;

    fn github(decision: &Decision) -> String {
        GithubOutputFormatter.render(decision).unwrap_or_default()
    }

    #[test]
    fn pass_is_one_summary_notice() {
        assert_eq!(
            github(&passing()),
            "::notice::stagegate: stage `staging` PASS for \
             registry.example.com/shop/api@sha256:4f2a9c1e0b7d: \
             0 violations, 0 warnings, 5 rules evaluated\n"
        );
    }

    #[test]
    fn one_command_per_line_per_finding() {
        let out = github(&failing());
        let lines: Vec<&str> = out.lines().collect();
        // Four violations, two warnings, one summary; the multi-line message stays on one line.
        assert_eq!(lines.len(), 7);
        assert!(lines.iter().all(|line| line.starts_with("::")));
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("::error ")).count(),
            4
        );
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("::warning ")).count(),
            1
        );
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("::notice ")).count(),
            1
        );
        assert!(lines.last().is_some_and(|l| l.starts_with("::notice::")));
    }

    #[test]
    fn annotations_point_at_the_policy() {
        let out = github(&failing());
        assert!(out.contains(
            "::error file=policies/prod/vulns.rego,line=12,title=supply.vulns.no_critical::\
             policies/prod/vulns.rego:12: supply.vulns.no_critical (critical): CVE-2026-0001"
        ));
        // Built-in checks have no file, only a title.
        assert!(out.contains(
            "::error title=builtin.required_evidence::builtin.required_evidence (high): evidence"
        ));
    }

    #[test]
    fn data_and_properties_are_escaped() {
        assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
        let out = github(&failing());
        assert!(
            out.contains("license <GPL-3.0> & \"AGPL\" isn't allowed%0Asee: a,b 100%25 | done")
        );
    }

    #[test]
    fn warnings_are_errors_under_fail_on_warn() {
        let mut decision = failing();
        decision.fail_on_warn = true;
        let out = github(&decision);
        assert_eq!(out.lines().filter(|l| l.starts_with("::error ")).count(), 6);
        assert!(out.contains("(warnings fail the gate)"));
    }
}
