//! CEL tests: the cases of `X.cel.test.yaml`, each run against the rule file `X.cel.yaml`
//! beside it.
//!
//! ```yaml
//! cases:
//!   - name: a fixable critical vulnerability fails
//!     stage: staging                  # bound as `stage` ("" when absent)
//!     evidence: captured/case.json    # inline mapping, or a JSON/YAML file relative to this file
//!     data: {stagegate: {max: 1}}     # optional; inline or a file; `{}` when absent
//!     now: "2026-11-27T12:00:00Z"     # optional; else --effective-time, else the current time
//!     expect: [cel.vulnerabilities.no_fixable_critical_high]   # or `pass`
//!     warnings: [cel.sbom.purls]      # optional; checked only when given
//! ```
//!
//! A case passes when the ids of the violated validations are exactly `expect` (and, when
//! `warnings` is given, the warned ids exactly those); otherwise it fails with a diff. A
//! runtime error (a missing key, a type error) is an error. Fixtures are read when the file is
//! loaded, so a missing one stops the run (exit 2) before any test runs.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use serde::Deserialize;
use serde_json::Value as Json;
use serde_saphyr::Spanned;

use crate::document::read_document;
use crate::limits::{Limits, read_limited};
use crate::policy::cel::{CelBindings, CelPolicy};
use crate::policy::error::{Located, PolicyError};
use crate::policy::files::PolicyFile;
use crate::testing::coverage::CelValidationCoverage;
use crate::testing::discovery::rules_file_for;
use crate::testing::{TestEngine, TestError, TestFiles, TestOptions, TestResult, TestStatus};

/// A CEL test file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawTestFile {
    cases: Vec<RawCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawCase {
    name: Spanned<String>,
    #[serde(default)]
    stage: Option<String>,
    evidence: Json,
    #[serde(default)]
    data: Option<Json>,
    #[serde(default)]
    now: Option<String>,
    expect: Json,
    #[serde(default)]
    warnings: Option<Vec<String>>,
}

/// One checked case.
#[derive(Debug, Clone)]
struct Case {
    name: String,
    line: u32,
    stage: String,
    evidence: Json,
    data: Json,
    now: Option<chrono::DateTime<chrono::Utc>>,
    expect: BTreeSet<String>,
    warnings: Option<BTreeSet<String>>,
}

/// A CEL rule file with the cases of its test file (none when it has no test file).
#[derive(Debug, Clone)]
pub struct CelSuite {
    rules: PolicyFile,
    policy: CelPolicy,
    tests: Option<PolicyFile>,
    cases: Vec<Case>,
}

impl CelSuite {
    /// Loads every rule file and every test file, pairing them.
    pub fn load_all(files: &TestFiles, limits: &Limits) -> Result<Vec<CelSuite>, TestError> {
        let mut suites: Vec<CelSuite> = Vec::new();
        for rules in &files.cel_rules {
            suites.push(CelSuite {
                policy: load_policy(rules, limits)?,
                rules: rules.clone(),
                tests: None,
                cases: Vec::new(),
            });
        }
        for tests in &files.cel_tests {
            let rules_path = rules_file_for(&tests.path).unwrap_or_default();
            let cases = load_cases(tests, limits)?;
            let index = match suites.iter().position(|s| s.rules.path == rules_path) {
                Some(index) => index,
                None if rules_path.is_file() => {
                    let display = tests.display.rsplit_once('/').map_or_else(
                        || {
                            rules_path
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_default()
                        },
                        |(dir, _)| {
                            format!(
                                "{dir}/{}",
                                rules_path
                                    .file_name()
                                    .map(|n| n.to_string_lossy().into_owned())
                                    .unwrap_or_default()
                            )
                        },
                    );
                    let rules = PolicyFile {
                        display,
                        path: rules_path.clone(),
                    };
                    suites.push(CelSuite {
                        policy: load_policy(&rules, limits)?,
                        rules,
                        tests: None,
                        cases: Vec::new(),
                    });
                    suites.len() - 1
                }
                None => {
                    return Err(TestError::TestFile(
                        Located::new(
                            &tests.path,
                            1,
                            1,
                            format!(
                                "no CEL rule file `{}` beside this test file",
                                rules_path.display()
                            ),
                        )
                        .with_help("a test file `X.cel.test.yaml` tests the rule file `X.cel.yaml` in the same directory"),
                    ));
                }
            };
            if let Some(suite) = suites.get_mut(index) {
                suite.tests = Some(tests.clone());
                suite.cases = cases;
            }
        }
        Ok(suites)
    }

    /// Runs the selected cases; returns their results and what they made of each validation.
    pub fn run(&self, options: &TestOptions) -> (Vec<TestResult>, Vec<CelValidationCoverage>) {
        let mut coverage: Vec<CelValidationCoverage> = self
            .policy
            .rules()
            .map(|rule| CelValidationCoverage {
                file: self.rules.display.clone(),
                id: rule.id.clone(),
                line: rule.source.as_ref().map_or(0, |s| s.line),
                held: false,
                failed: false,
            })
            .collect();
        let mut results = Vec::new();
        let Some(tests) = &self.tests else {
            return (results, coverage);
        };
        let default_now = options.now.unwrap_or_else(chrono::Utc::now);
        for case in &self.cases {
            let id = format!("{}#{}", tests.display, case.name);
            if !options.selected(&id) {
                continue;
            }
            let start = Instant::now();
            let bindings = CelBindings::new(
                &case.evidence,
                &case.data,
                &case.stage,
                case.now.unwrap_or(default_now),
            );
            let evaluated = self.policy.evaluate(&bindings);
            let duration = start.elapsed();
            let (status, message) = match evaluated {
                Ok(found) => {
                    for (rule, held) in &found.outcomes {
                        if let Some(entry) = coverage.iter_mut().find(|c| &c.id == rule) {
                            if *held {
                                entry.held = true;
                            } else {
                                entry.failed = true;
                            }
                        }
                    }
                    let got: BTreeSet<String> =
                        found.violations.iter().map(|f| f.rule.clone()).collect();
                    let got_warnings: BTreeSet<String> =
                        found.warnings.iter().map(|f| f.rule.clone()).collect();
                    let mut diffs = Vec::new();
                    if got != case.expect {
                        diffs.push(diff("violations", &case.expect, &got));
                    }
                    if let Some(expected) = &case.warnings
                        && &got_warnings != expected
                    {
                        diffs.push(diff("warnings", expected, &got_warnings));
                    }
                    if diffs.is_empty() {
                        (TestStatus::Passed, None)
                    } else {
                        let messages: Vec<String> = found
                            .violations
                            .iter()
                            .chain(&found.warnings)
                            .map(|f| format!("  {}: {}", f.rule, f.message))
                            .collect();
                        let mut text = diffs.join("\n");
                        if !messages.is_empty() {
                            text.push_str("\nfindings:\n");
                            text.push_str(&messages.join("\n"));
                        }
                        (TestStatus::Failed, Some(text))
                    }
                }
                Err(err) => (TestStatus::Errored, Some(err.to_string())),
            };
            results.push(TestResult {
                id,
                engine: TestEngine::Cel,
                group: self.rules.display.clone(),
                name: case.name.clone(),
                file: tests.display.clone(),
                line: case.line,
                status,
                duration,
                message,
            });
        }
        (results, coverage)
    }
}

/// `violations: expected [a, b], got [b, c] (missing: a; unexpected: c)`.
fn diff(what: &str, expected: &BTreeSet<String>, got: &BTreeSet<String>) -> String {
    let list = |set: &BTreeSet<String>| {
        if set.is_empty() {
            "none (pass)".to_owned()
        } else {
            format!("[{}]", set.iter().cloned().collect::<Vec<_>>().join(", "))
        }
    };
    let missing: Vec<&str> = expected.difference(got).map(String::as_str).collect();
    let unexpected: Vec<&str> = got.difference(expected).map(String::as_str).collect();
    let mut text = format!("{what}: expected {}, got {}", list(expected), list(got));
    let mut notes = Vec::new();
    if !missing.is_empty() {
        notes.push(format!("- missing: {}", missing.join(", ")));
    }
    if !unexpected.is_empty() {
        notes.push(format!("+ unexpected: {}", unexpected.join(", ")));
    }
    for note in notes {
        text.push_str("\n  ");
        text.push_str(&note);
    }
    text
}

fn load_policy(file: &PolicyFile, limits: &Limits) -> Result<CelPolicy, TestError> {
    let text = read_text(file, limits)?;
    Ok(CelPolicy::load(file, &text)?)
}

fn read_text(file: &PolicyFile, limits: &Limits) -> Result<String, TestError> {
    let bytes = read_limited(&file.path, limits).map_err(PolicyError::Input)?;
    String::from_utf8(bytes).map_err(|err| {
        let offset = err.utf8_error().valid_up_to();
        TestError::TestFile(Located::at_offset(
            &file.path,
            err.as_bytes(),
            offset,
            "the file is not valid UTF-8",
        ))
    })
}

fn load_cases(file: &PolicyFile, limits: &Limits) -> Result<Vec<Case>, TestError> {
    let text = read_text(file, limits)?;
    let raw: RawTestFile = serde_saphyr::from_str(&text).map_err(|err| {
        let (line, column) = err
            .location()
            .map_or((0, 0), |loc| (loc.line() as u32, loc.column() as u32));
        TestError::TestFile(Located::new(
            &file.path,
            line,
            column,
            crate::document::syntax_message(&err),
        ))
    })?;
    let dir = file.path.parent().unwrap_or(Path::new("."));
    let mut cases: Vec<Case> = Vec::new();
    for raw in raw.cases {
        let line = raw.name.referenced.line() as u32;
        let column = raw.name.referenced.column() as u32;
        let at =
            |message: String| TestError::TestFile(Located::new(&file.path, line, column, message));
        let name = raw.name.value;
        if cases.iter().any(|c| c.name == name) {
            return Err(at(format!("case `{name}` is defined twice")));
        }
        let fixture = |value: Json, what: &str| -> Result<Json, TestError> {
            match value {
                Json::String(relative) => read_document(&dir.join(&relative), limits)
                    .map(|d| d.value)
                    .map_err(|source| TestError::Fixture {
                        case: name.clone(),
                        source,
                    }),
                Json::Object(_) => Ok(value),
                other => Err(at(format!(
                    "`{what}` must be a mapping or a file path, got `{other}`"
                ))),
            }
        };
        let evidence = fixture(raw.evidence, "evidence")?;
        let data = match raw.data {
            Some(Json::Null) | None => Json::Object(serde_json::Map::new()),
            Some(value) => fixture(value, "data")?,
        };
        let expect = match raw.expect {
            Json::String(word) if word == "pass" => BTreeSet::new(),
            Json::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Json::String(id) => Ok(id),
                    other => Err(at(format!("`expect` lists validation ids; got `{other}`"))),
                })
                .collect::<Result<_, _>>()?,
            other => {
                return Err(at(format!(
                    "`expect` must be `pass` or a list of validation ids, got `{other}`"
                )));
            }
        };
        let now = raw
            .now
            .map(|text| {
                crate::time::parse_rfc3339(&text).map_err(|err| {
                    at(format!(
                        "`now: {text}` is not an RFC 3339 time ({})",
                        err.reason
                    ))
                })
            })
            .transpose()?;
        cases.push(Case {
            name,
            line,
            stage: raw.stage.unwrap_or_default(),
            evidence,
            data,
            now,
            expect,
            warnings: raw.warnings.map(|w| w.into_iter().collect()),
        });
    }
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_name_missing_and_unexpected_ids() {
        let expected: BTreeSet<String> = ["a".to_owned()].into_iter().collect();
        let got: BTreeSet<String> = ["b".to_owned()].into_iter().collect();
        assert_eq!(
            diff("violations", &expected, &got),
            "violations: expected [a], got [b]\n  - missing: a\n  + unexpected: b"
        );
        assert_eq!(
            diff("violations", &BTreeSet::new(), &got),
            "violations: expected none (pass), got [b]\n  + unexpected: b"
        );
    }
}
