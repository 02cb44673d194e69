//! Snapshots of every format on one fixed report (fixed durations, so nothing to filter).

use std::time::Duration;

use super::{RenderOptions, TestFormat, render};
use crate::testing::coverage::{CelValidationCoverage, CoverageReport, RegoFileCoverage};
use crate::testing::{TestEngine, TestReport, TestResult, TestStatus};

fn result(name: &str, status: TestStatus, message: Option<&str>) -> TestResult {
    TestResult {
        id: format!("data.p_test.{name}"),
        engine: TestEngine::Rego,
        group: "p_test".into(),
        name: name.into(),
        file: "policies/p_test.rego".into(),
        line: 7,
        status,
        duration: Duration::from_micros(1500),
        message: message.map(str::to_owned),
    }
}

fn report() -> TestReport {
    let mut cel = result(
        "fixable critical fails",
        TestStatus::Failed,
        Some("violations: expected [a], got [b]\n  - missing: a\n  + unexpected: b"),
    );
    cel.engine = TestEngine::Cel;
    cel.id = "policies/s.cel.test.yaml#fixable critical fails".into();
    cel.group = "policies/s.cel.yaml".into();
    cel.file = "policies/s.cel.test.yaml".into();
    cel.line = 12;
    TestReport {
        results: vec![
            result("test_ok", TestStatus::Passed, None),
            result(
                "test_no",
                TestStatus::Failed,
                Some("the test rule is undefined"),
            ),
            result(
                "test_boom",
                TestStatus::Errored,
                Some("policies/p.rego:4:2: <\"x\"> & 'y'"),
            ),
            result("todo_test_later", TestStatus::Skipped, None),
            cel,
        ],
        coverage: Some(CoverageReport {
            rego: vec![RegoFileCoverage {
                file: "policies/p.rego".into(),
                covered: [4, 5, 6].into_iter().collect(),
                not_covered: [9, 10, 14].into_iter().collect(),
            }],
            cel: vec![CelValidationCoverage {
                file: "policies/s.cel.yaml".into(),
                id: "a".into(),
                line: 3,
                held: true,
                failed: false,
            }],
        }),
        threshold: Some(90.0),
    }
}

#[test]
fn text() {
    let options = RenderOptions::default();
    insta::assert_snapshot!("text", render(&report(), TestFormat::Text, &options));
}

#[test]
fn text_verbose() {
    let options = RenderOptions {
        verbose: true,
        color: false,
    };
    insta::assert_snapshot!(
        "text--verbose",
        render(&report(), TestFormat::Text, &options)
    );
}

#[test]
fn json() {
    let options = RenderOptions::default();
    insta::assert_snapshot!("json", render(&report(), TestFormat::Json, &options));
}

#[test]
fn junit() {
    let options = RenderOptions::default();
    insta::assert_snapshot!("junit", render(&report(), TestFormat::JUnit, &options));
}
