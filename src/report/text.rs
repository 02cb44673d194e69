//! The `text` format: a table for people reading a CI log or a terminal.
//!
//! [`TextOutputFormatter`] writes a header (result, stage, short subject), the violations and
//! the warnings as aligned rows (severity, rule id, `file:line`, message), and the summary
//! line. Colour comes from `anstyle` and only when asked for; every piece of meaning is also in
//! the words, so the output reads the same without it.
//!
//! Messages often quote evidence (package names, versions), which an attacker can shape, so
//! control characters are shown as `\u{..}` instead of reaching the terminal: an escape
//! sequence in an SBOM must not be able to repaint the gate's verdict.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "capacity and width sums of lengths already in memory"
)]

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{OutputFormatter, ReportError, location, short_subject, summary, waiver_line};
use crate::decision::{Decision, Finding, Outcome, Severity};

/// Shown instead of `file:line` for built-in checks.
const BUILTIN_LOCATION: &str = "(built-in)";

/// Renders the `text` format.
#[derive(Debug, Clone, Copy)]
pub(super) struct TextOutputFormatter {
    color: bool,
}

impl TextOutputFormatter {
    /// A formatter that uses ANSI colours when `color` is set.
    pub(super) fn new(color: bool) -> TextOutputFormatter {
        TextOutputFormatter { color }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    /// `text` in `style`, padded with spaces to `width` characters.
    fn cell(&self, style: Style, text: &str, width: usize) -> String {
        let padding = width.saturating_sub(text.chars().count());
        format!("{}{}", self.paint(style, text), " ".repeat(padding))
    }
}

impl OutputFormatter for TextOutputFormatter {
    fn render(&self, decision: &Decision) -> Result<String, ReportError> {
        let mut out = String::new();
        let (word, style) = match decision.result {
            Outcome::Pass => ("PASS", AnsiColor::Green.on_default().bold()),
            Outcome::Fail => ("FAIL", AnsiColor::Red.on_default().bold()),
        };
        out.push_str(&format!(
            "{}  stage `{}`  {}\n",
            self.paint(style, word),
            visible(&decision.stage),
            visible(&short_subject(&decision.subject)),
        ));

        let columns = Columns::of(decision);
        let sections = [
            ("Violations", &decision.violations),
            ("Warnings", &decision.warnings),
        ];
        for (heading, findings) in sections {
            if findings.is_empty() {
                continue;
            }
            let heading = format!("{heading} ({})", findings.len());
            out.push_str(&format!(
                "\n{}\n",
                self.paint(Style::new().bold(), &heading)
            ));
            for finding in findings {
                self.row(&mut out, finding, &columns);
            }
        }
        if !decision.waived.is_empty() {
            let heading = format!("Waived ({})", decision.waived.len());
            out.push_str(&format!(
                "\n{}\n",
                self.paint(Style::new().bold(), &heading)
            ));
            let indent =
                " ".repeat(2 + columns.severity + 2 + columns.rule + 2 + columns.location + 2);
            for waived in &decision.waived {
                self.row(&mut out, &waived.finding, &columns);
                let _ = writeln!(
                    out,
                    "{indent}{}",
                    self.paint(Style::new().dimmed(), &visible(&waiver_line(waived)))
                );
            }
        }
        if decision.violations.is_empty() && decision.warnings.is_empty() {
            out.push_str("\nNo violations or warnings.\n");
        }

        out.push_str(&format!("\n{}\n", summary(decision)));
        Ok(out)
    }
}

impl TextOutputFormatter {
    fn row(&self, out: &mut String, finding: &Finding, columns: &Columns) {
        let place =
            location(finding.source.as_ref()).map_or(BUILTIN_LOCATION.to_owned(), |l| visible(&l));
        let prefix = format!(
            "  {}  {}  {}  ",
            self.cell(
                severity_style(finding.severity),
                finding.severity.as_str(),
                columns.severity
            ),
            self.cell(Style::new().bold(), &visible(&finding.rule), columns.rule),
            self.cell(Style::new().dimmed(), &place, columns.location),
        );
        // Continuation lines of a multi-line message start under its first line.
        let indent = " ".repeat(2 + columns.severity + 2 + columns.rule + 2 + columns.location + 2);
        let mut lines = finding.message.lines();
        let first = lines.next().unwrap_or_default();
        let _ = writeln!(out, "{}", format!("{prefix}{}", visible(first)).trim_end());
        for line in lines {
            let _ = writeln!(out, "{}", format!("{indent}{}", visible(line)).trim_end());
        }
    }
}

/// Column widths shared by both sections, so violations and warnings line up.
struct Columns {
    severity: usize,
    rule: usize,
    location: usize,
}

impl Columns {
    fn of(decision: &Decision) -> Columns {
        let findings = || {
            decision
                .violations
                .iter()
                .chain(decision.warnings.iter())
                .chain(decision.waived.iter().map(|w| &w.finding))
        };
        let width = |text: &str| visible(text).chars().count();
        Columns {
            severity: findings()
                .map(|f| width(f.severity.as_str()))
                .max()
                .unwrap_or(0),
            rule: findings().map(|f| width(&f.rule)).max().unwrap_or(0),
            location: findings()
                .map(|f| location(f.source.as_ref()).map_or(width(BUILTIN_LOCATION), |l| width(&l)))
                .max()
                .unwrap_or(0),
        }
    }
}

/// `text` with control characters (C0, DEL, C1) spelled `\u{..}`; a tab becomes a space so
/// it cannot break the columns.
fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push(' '),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Critical => AnsiColor::Red.on_default().bold(),
        Severity::High => AnsiColor::Red.on_default(),
        Severity::Medium => AnsiColor::Yellow.on_default(),
        Severity::Low => AnsiColor::Cyan.on_default(),
        Severity::Info => AnsiColor::Blue.on_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{failing, passing};
    use super::*;

    fn text(decision: &Decision, color: bool) -> String {
        TextOutputFormatter::new(color)
            .render(decision)
            .unwrap_or_default()
    }

    #[test]
    fn pass_header_and_summary() {
        let out = text(&passing(), false);
        let first = out.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            "PASS  stage `staging`  registry.example.com/shop/api@sha256:4f2a9c1e0b7d"
        );
        assert!(out.contains("No violations or warnings."));
        assert!(out.ends_with("0 violations, 0 warnings, 5 rules evaluated\n"));
    }

    #[test]
    fn fail_lists_findings_with_locations() {
        let out = text(&failing(), false);
        assert!(out.starts_with("FAIL  stage `prod`"));
        assert!(out.contains("Violations (4)"));
        assert!(out.contains("Warnings (2)"));
        let cve = out
            .lines()
            .find(|line| line.contains("CVE-2026-0001"))
            .unwrap_or_default();
        assert!(cve.starts_with("  critical  supply.vulns.no_critical "));
        assert!(cve.contains(" policies/prod/vulns.rego:12 "));
        let builtin = out
            .lines()
            .find(|line| line.contains("builtin.required_evidence"))
            .unwrap_or_default();
        assert!(builtin.contains(BUILTIN_LOCATION));
        assert!(out.ends_with("4 violations, 2 warnings, 5 rules evaluated\n"));
    }

    #[test]
    fn multi_line_messages_stay_in_their_column() {
        let out = text(&failing(), false);
        let lines: Vec<&str> = out.lines().collect();
        let at = lines
            .iter()
            .position(|line| line.ends_with("isn't allowed"))
            .unwrap_or_default();
        let column = lines
            .get(at)
            .and_then(|l| l.find("license <GPL"))
            .unwrap_or(0);
        let next = lines.get(at + 1).copied().unwrap_or_default();
        assert_eq!(next.find("see:"), Some(column));
        assert!(next[..column].trim().is_empty());
    }

    #[test]
    fn colour_only_when_asked() {
        assert!(!text(&failing(), false).contains('\u{1b}'));
        let coloured = text(&failing(), true);
        assert!(coloured.contains('\u{1b}'));
        // The words are the same once the escapes are gone.
        let stripped: String = strip_ansi(&coloured);
        assert_eq!(stripped, text(&failing(), false));
    }

    #[test]
    fn control_characters_cannot_reach_the_terminal() {
        let mut decision = failing();
        if let Some(finding) = decision.violations.first_mut() {
            finding.message = "ok\u{1b}[2K\rPASS\u{9b}31m".to_owned();
        }
        let out = text(&decision, false);
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'));
        assert!(out.contains("ok\\u{1b}[2K\\u{d}PASS\\u{9b}31m"));
    }

    fn strip_ansi(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}
