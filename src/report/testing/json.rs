//! The JSON rendering, for tooling: the summary, every result, and the coverage with its
//! covered and uncovered lines. Keys are camelCase; results arrive sorted.

use serde::Serialize;

use crate::report::testing::{RenderOptions, TestReportFormatter};
use crate::testing::coverage::{CelValidationCoverage, RegoFileCoverage};
use crate::testing::{RunOutcome, Summary, TestEngine, TestReport, TestStatus};

/// Renders for tooling.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonOutputFormatter;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    outcome: &'static str,
    summary: Summary,
    tests: Vec<JsonTest<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<JsonCoverage<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonTest<'a> {
    id: &'a str,
    engine: TestEngine,
    group: &'a str,
    name: &'a str,
    file: &'a str,
    line: u32,
    status: TestStatus,
    duration_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonCoverage<'a> {
    percent: f64,
    covered: usize,
    total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    threshold: Option<f64>,
    below_threshold: bool,
    rego: Vec<JsonRegoFile<'a>>,
    cel: &'a [CelValidationCoverage],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonRegoFile<'a> {
    percent: f64,
    #[serde(flatten)]
    file: &'a RegoFileCoverage,
}

impl TestReportFormatter for JsonOutputFormatter {
    fn render(&self, report: &TestReport, _options: &RenderOptions) -> String {
        let outcome = match report.outcome() {
            RunOutcome::Passed => "passed",
            RunOutcome::Failed => "failed",
            RunOutcome::Errored => "errored",
        };
        let json = JsonReport {
            outcome,
            summary: report.summary(),
            tests: report
                .results
                .iter()
                .map(|r| JsonTest {
                    id: &r.id,
                    engine: r.engine,
                    group: &r.group,
                    name: &r.name,
                    file: &r.file,
                    line: r.line,
                    status: r.status,
                    duration_ms: (r.duration.as_secs_f64() * 1e6).round() / 1e3,
                    message: r.message.as_deref(),
                })
                .collect(),
            coverage: report.coverage.as_ref().map(|c| {
                let (covered, total) = c.counts();
                JsonCoverage {
                    percent: (c.percent() * 100.0).round() / 100.0,
                    covered,
                    total,
                    threshold: report.threshold,
                    below_threshold: report.below_threshold(),
                    rego: c
                        .rego
                        .iter()
                        .map(|file| JsonRegoFile {
                            percent: (file.percent() * 100.0).round() / 100.0,
                            file,
                        })
                        .collect(),
                    cel: &c.cel,
                }
            }),
        };
        let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
        text.push('\n');
        text
    }
}
