//! The JUnit XML rendering: one `testsuite` per Rego package or CEL rule file (its
//! `classname`), one `testcase` per test with `file`, `line` and `time`; a failure or error
//! carries its first line as `message` and the whole text as content; `todo_test_*` rules
//! are `skipped`. The shape is the de-facto one of Jenkins, GitLab and GitHub reporters.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::report::testing::{RenderOptions, TestReportFormatter};
use crate::report::xml::{escape_attribute, escape_text};
use crate::testing::{TestReport, TestResult, TestStatus};

/// Renders for CI test tabs.
#[derive(Debug, Clone, Copy, Default)]
pub struct JUnitOutputFormatter;

fn counts(results: &[&TestResult]) -> (usize, usize, usize, f64) {
    let failures = results
        .iter()
        .filter(|r| r.status == TestStatus::Failed)
        .count();
    let errors = results
        .iter()
        .filter(|r| r.status == TestStatus::Errored)
        .count();
    let skipped = results
        .iter()
        .filter(|r| r.status == TestStatus::Skipped)
        .count();
    let time = results.iter().map(|r| r.duration.as_secs_f64()).sum();
    (failures, errors, skipped, time)
}

impl TestReportFormatter for JUnitOutputFormatter {
    fn render(&self, report: &TestReport, _options: &RenderOptions) -> String {
        let mut groups: BTreeMap<&str, Vec<&TestResult>> = BTreeMap::new();
        for result in &report.results {
            groups.entry(&result.group).or_default().push(result);
        }
        let all: Vec<&TestResult> = report.results.iter().collect();
        let (failures, errors, skipped, time) = counts(&all);
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"stagegate test\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{time:.6}\">",
            all.len()
        );
        for (group, results) in groups {
            let (failures, errors, skipped, time) = counts(&results);
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{time:.6}\">",
                escape_attribute(group),
                results.len()
            );
            for result in results {
                let _ = write!(
                    out,
                    "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\" time=\"{:.6}\"",
                    escape_attribute(&result.name),
                    escape_attribute(&result.group),
                    escape_attribute(&result.file),
                    result.line,
                    result.duration.as_secs_f64()
                );
                let message = result.message.as_deref().unwrap_or_default();
                let first = message.lines().next().unwrap_or_default();
                match result.status {
                    TestStatus::Passed => out.push_str("/>\n"),
                    TestStatus::Skipped => {
                        out.push_str(">\n      <skipped message=\"todo\"/>\n    </testcase>\n");
                    }
                    TestStatus::Failed | TestStatus::Errored => {
                        let element = if result.status == TestStatus::Failed {
                            "failure"
                        } else {
                            "error"
                        };
                        let _ = write!(
                            out,
                            ">\n      <{element} message=\"{}\" type=\"{element}\">{}:{}: {}</{element}>\n    </testcase>\n",
                            escape_attribute(first),
                            escape_text(&result.file),
                            result.line,
                            escape_text(message)
                        );
                    }
                }
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}
