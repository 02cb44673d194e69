//! Renderings of a finished [`TestReport`]: `text` for people, `json` for tooling (with the
//! coverage), `junit` for CI test tabs. One file per format, each implementing
//! [`TestReportFormatter`]; renderers compute nothing, the report arrives sorted and counted.

mod json;
mod junit;
mod text;

use std::time::Duration;

use crate::testing::TestReport;

pub use json::JsonOutputFormatter;
pub use junit::JUnitOutputFormatter;
pub use text::TextOutputFormatter;

/// The formats of `stagegate test --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// Failures and errors with their place, a summary, and coverage (`-v`: every test with
    /// its duration).
    Text,
    /// Every test result, the summary and the coverage (covered and uncovered lines), as JSON.
    Json,
    /// JUnit XML: one `testsuite` per Rego package or CEL rule file, one `testcase` per test.
    #[value(name = "junit")]
    JUnit,
}

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Colour the text output.
    pub color: bool,
    /// List every test, not only failures and errors.
    pub verbose: bool,
}

/// One output format.
pub trait TestReportFormatter {
    /// Renders the whole report.
    fn render(&self, report: &TestReport, options: &RenderOptions) -> String;
}

/// Renders `report` in `format`.
pub fn render(report: &TestReport, format: TestFormat, options: &RenderOptions) -> String {
    match format {
        TestFormat::Text => TextOutputFormatter.render(report, options),
        TestFormat::Json => JsonOutputFormatter.render(report, options),
        TestFormat::JUnit => JUnitOutputFormatter.render(report, options),
    }
}

/// `1.234ms`, `56µs`, `1.200s`: short and readable.
fn duration_text(duration: Duration) -> String {
    let micros = duration.as_micros();
    if micros < 1000 {
        format!("{micros}µs")
    } else if micros < 1_000_000 {
        format!("{:.3}ms", duration.as_secs_f64() * 1000.0)
    } else {
        format!("{:.3}s", duration.as_secs_f64())
    }
}

#[cfg(test)]
mod tests;
