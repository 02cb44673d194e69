//! The policy test runner behind `stagegate test`: Rego `test_*` rules and CEL test cases.
//!
//! [`discovery`] finds the test files under the given paths; [`rego`] parses every Rego
//! module once into one engine and evaluates each rule named `test_*` (in any package) on a
//! clone of that engine per worker thread; [`cel`] runs the cases of each `X.cel.test.yaml`
//! against its rule file `X.cel.yaml`; [`coverage`] turns what ran into covered and uncovered
//! Rego lines and CEL validation outcomes. The result is a [`TestReport`], which
//! [`crate::report::testing`] renders as text, JSON or JUnit XML and which decides the exit
//! status.
//!
//! Semantics follow `opa test`: a Rego test passes when its rule is `true`; `false` or
//! undefined fails it; a runtime error (strict builtin errors, as in a gate) is an error.
//! Rules named `todo_test_*` are reported as skipped.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

pub mod cel;
pub mod coverage;
pub mod discovery;
pub mod rego;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value as Json;

use crate::document::DocumentError;
use crate::policy::error::{Located, PolicyError};

pub use coverage::CoverageReport;
pub use discovery::{TestFiles, discover_tests};

/// Why a test run could not start. Every one of them is exit status 2.
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    /// A policy does not load: a Rego module or CEL rule file does not parse or compile.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A CEL test file is malformed (or names a rule file that does not exist).
    #[error("invalid CEL test file: {0}")]
    TestFile(Located),
    /// An evidence or data fixture named by a test case cannot be read.
    #[error("cannot read the fixture of case `{case}`")]
    Fixture {
        /// The case that names it.
        case: String,
        /// Why it cannot be read.
        #[source]
        source: DocumentError,
    },
    /// A path given to `stagegate test` does not exist.
    #[error("`{}` does not exist", path.display())]
    MissingPath {
        /// The path as given.
        path: PathBuf,
    },
    /// `--run` is not a valid regular expression.
    #[error("`--run {pattern}` is not a valid regular expression")]
    Filter {
        /// The pattern as given.
        pattern: String,
        /// Why it is invalid.
        #[source]
        source: regex::Error,
    },
}

/// The language a test is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestEngine {
    /// A Rego `test_*` rule.
    Rego,
    /// A case of a CEL test file.
    Cel,
}

/// How one test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestStatus {
    /// The rule was `true`, or the case got the expected outcome.
    Passed,
    /// The rule was `false` or undefined, or the case got another outcome.
    Failed,
    /// Evaluating the test raised an error.
    Errored,
    /// A `todo_test_*` rule: not run.
    Skipped,
}

/// The outcome of one test.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// `data.<package>.<rule>` for Rego, `<test file>#<case name>` for CEL.
    pub id: String,
    /// The language.
    pub engine: TestEngine,
    /// The Rego package, or the CEL test file (JUnit's `classname`).
    pub group: String,
    /// The rule or case name.
    pub name: String,
    /// The file the test is written in (display name).
    pub file: String,
    /// The line of the rule or case.
    pub line: u32,
    /// How it ended.
    pub status: TestStatus,
    /// How long it took.
    pub duration: Duration,
    /// Why it failed or errored: a diff of outcomes, or the error with its place.
    pub message: Option<String>,
}

/// Counts of a run, by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// All tests.
    pub total: usize,
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed.
    pub failed: usize,
    /// Tests that raised an error.
    pub errored: usize,
    /// `todo_test_*` rules.
    pub skipped: usize,
}

/// What a run found: every test result, sorted by file, line and name, and coverage when asked.
#[derive(Debug, Clone, Default)]
pub struct TestReport {
    /// The results, in a stable order.
    pub results: Vec<TestResult>,
    /// Coverage, with `--coverage`.
    pub coverage: Option<CoverageReport>,
    /// The coverage threshold in percent, with `--threshold`.
    pub threshold: Option<f64>,
}

/// How a run ended, worst first wins: an error beats a failure beats a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every test passed (skipped ones aside) and coverage met the threshold.
    Passed,
    /// A test failed, or coverage is below the threshold.
    Failed,
    /// A test raised an error.
    Errored,
}

impl TestReport {
    /// Counts the results.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            total: self.results.len(),
            ..Summary::default()
        };
        for result in &self.results {
            match result.status {
                TestStatus::Passed => summary.passed += 1,
                TestStatus::Failed => summary.failed += 1,
                TestStatus::Errored => summary.errored += 1,
                TestStatus::Skipped => summary.skipped += 1,
            }
        }
        summary
    }

    /// Whether coverage is below `--threshold`.
    pub fn below_threshold(&self) -> bool {
        match (&self.coverage, self.threshold) {
            (Some(coverage), Some(threshold)) => coverage.percent() + 1e-9 < threshold,
            _ => false,
        }
    }

    /// The outcome that decides the exit status.
    pub fn outcome(&self) -> RunOutcome {
        let summary = self.summary();
        if summary.errored > 0 {
            RunOutcome::Errored
        } else if summary.failed > 0 || self.below_threshold() {
            RunOutcome::Failed
        } else {
            RunOutcome::Passed
        }
    }

    fn sort(&mut self) {
        self.results.sort_by(|a, b| {
            (a.engine, &a.file, a.line, &a.name).cmp(&(b.engine, &b.file, b.line, &b.name))
        });
    }
}

/// What is fixed for a run besides the files.
#[derive(Debug, Clone)]
pub struct TestOptions {
    /// Only tests whose id matches.
    pub filter: Option<regex::Regex>,
    /// Collect coverage.
    pub coverage: bool,
    /// Fail below this coverage, in percent.
    pub threshold: Option<f64>,
    /// What `time.now_ns()` returns and CEL's `now` is, unless a test mocks it; the current
    /// time when absent.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// The time limit for one test.
    pub timeout: Duration,
    /// Worker threads for Rego tests.
    pub jobs: usize,
    /// The merged `data` document Rego tests see.
    pub data: Json,
    /// Limits on the files read.
    pub limits: crate::limits::Limits,
    /// Builtin-error semantics (non-strict by default, as `opa test`) and custom builtins.
    pub rego: crate::policy::builtins::RegoOptions,
}

impl TestOptions {
    /// Compiles a `--run` pattern.
    pub fn filter(pattern: &str) -> Result<regex::Regex, TestError> {
        regex::Regex::new(pattern).map_err(|source| TestError::Filter {
            pattern: pattern.to_owned(),
            source,
        })
    }

    fn selected(&self, id: &str) -> bool {
        self.filter.as_ref().is_none_or(|f| f.is_match(id))
    }
}

/// Loads every test file found, runs the selected tests, and gathers coverage.
pub fn run(files: &TestFiles, options: &TestOptions) -> Result<TestReport, TestError> {
    let rego_suite =
        rego::RegoSuite::load(&files.rego, &options.data, &options.limits, &options.rego)?;
    let cel_suites = cel::CelSuite::load_all(files, &options.limits)?;
    let _enforced = crate::memory::Evaluating::start();
    let (mut results, rego_coverage) = rego_suite.run(options)?;
    let mut cel_outcomes = Vec::new();
    for suite in &cel_suites {
        let (cel_results, outcomes) = suite.run(options);
        results.extend(cel_results);
        cel_outcomes.push(outcomes);
    }
    let coverage = options.coverage.then(|| CoverageReport {
        rego: rego_coverage,
        cel: cel_outcomes.into_iter().flatten().collect(),
    });
    let mut report = TestReport {
        results,
        coverage,
        threshold: options.threshold,
    };
    if let Some(coverage) = &mut report.coverage {
        coverage.sort();
    }
    report.sort();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(status: TestStatus) -> TestResult {
        TestResult {
            id: "data.p.test_a".into(),
            engine: TestEngine::Rego,
            group: "p".into(),
            name: "test_a".into(),
            file: "p_test.rego".into(),
            line: 1,
            status,
            duration: Duration::ZERO,
            message: None,
        }
    }

    #[test]
    fn errors_beat_failures_beat_passes() {
        let mut report = TestReport {
            results: vec![result(TestStatus::Passed), result(TestStatus::Skipped)],
            ..TestReport::default()
        };
        assert_eq!(report.outcome(), RunOutcome::Passed);
        report.results.push(result(TestStatus::Failed));
        assert_eq!(report.outcome(), RunOutcome::Failed);
        report.results.push(result(TestStatus::Errored));
        assert_eq!(report.outcome(), RunOutcome::Errored);
        assert_eq!(
            report.summary(),
            Summary {
                total: 4,
                passed: 1,
                failed: 1,
                errored: 1,
                skipped: 1
            }
        );
    }
}
