//! The text rendering: failures and errors first, each with its file and line and its
//! message, then the summary line, then coverage. `-v` lists every test with its duration.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use crate::report::testing::{RenderOptions, TestReportFormatter, duration_text};
use crate::testing::coverage::line_ranges;
use crate::testing::{TestReport, TestResult, TestStatus};

/// Renders for people.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOutputFormatter;

fn label(status: TestStatus) -> (&'static str, AnsiColor) {
    match status {
        TestStatus::Passed => ("PASS ", AnsiColor::Green),
        TestStatus::Failed => ("FAIL ", AnsiColor::Red),
        TestStatus::Errored => ("ERROR", AnsiColor::Red),
        TestStatus::Skipped => ("SKIP ", AnsiColor::Yellow),
    }
}

fn paint(text: &str, color: AnsiColor, on: bool) -> String {
    if on {
        let style = Style::new().fg_color(Some(color.into())).bold();
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}

fn line(out: &mut String, result: &TestResult, options: &RenderOptions) {
    let (word, color) = label(result.status);
    let _ = write!(out, "{} {}", paint(word, color, options.color), result.id);
    if result.status != TestStatus::Skipped && options.verbose {
        let _ = write!(out, " ({})", duration_text(result.duration));
    }
    if matches!(result.status, TestStatus::Failed | TestStatus::Errored) {
        let _ = write!(out, "  at {}:{}", result.file, result.line);
    }
    out.push('\n');
    if matches!(result.status, TestStatus::Failed | TestStatus::Errored) {
        for text in result.message.as_deref().unwrap_or_default().lines() {
            let _ = writeln!(out, "      {text}");
        }
    }
}

impl TestReportFormatter for TextOutputFormatter {
    fn render(&self, report: &TestReport, options: &RenderOptions) -> String {
        let mut out = String::new();
        for result in &report.results {
            let shown = options.verbose
                || matches!(result.status, TestStatus::Failed | TestStatus::Errored);
            if shown {
                line(&mut out, result, options);
            }
        }
        let summary = report.summary();
        if !out.is_empty() {
            out.push('\n');
        }
        if summary.total == 0 {
            out.push_str("no tests found\n");
        } else {
            let total = summary.total;
            let mut parts = vec![format!("PASS: {}/{total}", summary.passed)];
            if summary.failed > 0 {
                parts.push(format!("FAIL: {}/{total}", summary.failed));
            }
            if summary.errored > 0 {
                parts.push(format!("ERROR: {}/{total}", summary.errored));
            }
            if summary.skipped > 0 {
                parts.push(format!("SKIP: {}/{total}", summary.skipped));
            }
            let _ = writeln!(out, "{}", parts.join("  "));
        }
        if let Some(coverage) = &report.coverage {
            let (hit, all) = coverage.counts();
            let _ = writeln!(out, "\ncoverage: {:.1}% ({hit}/{all})", coverage.percent());
            for file in &coverage.rego {
                let covered = file.covered.len();
                let all = covered + file.not_covered.len();
                let _ = write!(
                    out,
                    "  {}  {:.1}% ({covered}/{all} lines)",
                    file.file,
                    file.percent()
                );
                if !file.not_covered.is_empty() {
                    let _ = write!(out, "  uncovered: {}", line_ranges(&file.not_covered));
                }
                out.push('\n');
            }
            for validation in &coverage.cel {
                let _ = writeln!(
                    out,
                    "  {}:{}  {}  {}",
                    validation.file,
                    validation.line,
                    validation.id,
                    validation.status()
                );
            }
            if let Some(threshold) = report.threshold
                && report.below_threshold()
            {
                let _ = writeln!(
                    out,
                    "\ncoverage {:.1}% is below the threshold of {threshold}%; uncovered:",
                    coverage.percent()
                );
                for file in coverage.rego.iter().filter(|f| !f.not_covered.is_empty()) {
                    let _ = writeln!(
                        out,
                        "  {}: lines {}",
                        file.file,
                        line_ranges(&file.not_covered)
                    );
                }
                for validation in coverage.cel.iter().filter(|v| !(v.held && v.failed)) {
                    let _ = writeln!(
                        out,
                        "  {}:{}: {} ({})",
                        validation.file,
                        validation.line,
                        validation.id,
                        validation.status()
                    );
                }
            }
        }
        out
    }
}
