//! JUnit XML, in the dialects real tools write: Maven Surefire (with `rerunFailingTestsCount`
//! reruns and flakes), TestNG's `JUnitReportReporter`, pytest `--junitxml`, jest-junit,
//! go-junit-report and cargo-nextest.
//!
//! The root is `<testsuites>` or a bare `<testsuite>`; suites may nest, and each `<testsuite>`
//! becomes one [`TestSuite`] counting its own `<testcase>` children. A case is:
//! - **failed** with a `<failure>` child (Surefire's `<rerunFailure>`s beside it mean every
//!   rerun failed too);
//! - **error** with an `<error>` child and no `<failure>`;
//! - **skipped** with a `<skipped>` child (pytest's xfail included);
//! - **passed** otherwise — also when it has only `<flakyFailure>`/`<flakyError>` children:
//!   Surefire writes those when a test failed and then passed on a rerun, so it counts as
//!   passed and as flaky.
//!
//! Figures are counted from the `<testcase>` elements, never taken from the `tests=`,
//! `failures=` ... attributes: pytest counts subtests there, and a truncated report would
//! otherwise claim tests it does not contain. The `failures=` and `errors=` counters are still
//! compared with the cases, for each `<testsuite>` (its cases and nested suites') and for the
//! `<testsuites>` root: when they disagree, the disagreement is returned as a problem (the
//! evidence's `problems[]`, kind [`TEST_COUNT_MISMATCH`]) and the worse figure is taken — a
//! report claiming `failures="3"` around one passing case counts three failures (and no
//! pass), never all green (issue #12). A `tests=` counter above the cases alone is no
//! disagreement: it is how pytest reports subtests.
//!
//! Safety: a document type declaration (`<!DOCTYPE`) is refused — that is where entity bombs
//! and external entities live — and any entity reference other than XML's five predefined ones
//! and character references is refused, never expanded. Nesting deeper than
//! [`Limits::max_depth`] is refused.
//!
//! The subject ([`Report::subject`]): a `<property name=… value=…/>` (of a suite or a case)
//! whose name is one of [`SUBJECT_PROPERTIES`] and whose value holds `sha256:HEX` (e.g.
//! `ghcr.io/acme/app@sha256:HEX`), as pytest's `record_testsuite_property("image", ref)` or
//! Maven's `-Dimage.digest=sha256:…` (Surefire copies system properties) write them. JUnit has
//! no standard field for it, so most reports name no subject.
//!
//! What we ignore (and why): other `<properties>`, `<system-out>`/`<system-err>`, stack traces,
//! timestamps, host names — not figures a gate decides on; the whole XML text stays in `raw`.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use std::path::Path;

use quick_xml::XmlVersion;
use quick_xml::errors::IllFormedError;
use quick_xml::escape::{EscapeError, resolve_predefined_entity};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::evidence::InputKind;
use crate::evidence::binding::SubjectClaim;
use crate::evidence::error::EvidenceError;
use crate::evidence::model::{TestCase, TestSuite};
use crate::limits::{LimitError, Limits, line_column};

/// The kind of the problem recorded when a report's counters disagree with its test cases.
pub const TEST_COUNT_MISMATCH: &str = "test-count-mismatch";

/// A suite being read.
#[derive(Debug, Default)]
struct OpenSuite {
    suite: TestSuite,
    /// Its `failures=` and `errors=` counters, when written.
    declared: Declared,
    /// Failures and errors in its nested suites (as finally counted).
    nested: Counted,
}

/// The failure counters a `<testsuite>` or `<testsuites>` element declares.
#[derive(Debug, Default, Clone, Copy)]
struct Declared {
    failures: Option<u64>,
    errors: Option<u64>,
}

/// Failures and errors counted from test cases.
#[derive(Debug, Default, Clone, Copy)]
struct Counted {
    failed: u64,
    errors: u64,
}

/// What one report holds: its suites, and the disagreements between its counters and its
/// test cases.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// The suites, as counted (and raised to the counters where those are worse).
    pub suites: Vec<TestSuite>,
    /// One message per disagreement.
    pub problems: Vec<String>,
    /// What it says it tested.
    pub subject: SubjectClaim,
}

/// A test case being read.
#[derive(Debug, Default)]
struct OpenCase {
    name: String,
    classname: Option<String>,
    failure: Option<Option<String>>,
    error: Option<Option<String>>,
    skipped: bool,
    flaky: Option<Option<String>>,
}

/// The `<property>` names whose value names the artifact under test (compared
/// case-insensitively).
pub const SUBJECT_PROPERTIES: &[&str] = &[
    "subject",
    "subject.digest",
    "image",
    "image.digest",
    "artifact",
    "artifact.digest",
];

/// Reads one JUnit XML document into its suites.
pub(crate) fn read(
    path: &Path,
    text: &str,
    limits: &Limits,
    source_index: usize,
) -> Result<Report, EvidenceError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let bytes = text.as_bytes();
    let at = |offset: u64| {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let (line, column) = line_column(bytes, offset);
        (line, column, offset)
    };

    // Names of the open elements, to refuse a truncated document.
    let mut open: Vec<String> = Vec::new();
    let mut seen_root = false;
    let mut suites: Vec<OpenSuite> = Vec::new();
    let mut done: Vec<TestSuite> = Vec::new();
    let mut case: Option<OpenCase> = None;
    let mut subject = SubjectClaim::default();
    let mut problems: Vec<String> = Vec::new();
    let mut root: Option<Declared> = None;

    loop {
        let start = reader.buffer_position();
        let event = reader.read_event().map_err(|source| {
            let (line, column, offset) = at(reader.error_position());
            xml_error(path, source, line, column, offset)
        })?;
        let (is_start, element) = match &event {
            Event::Eof => match open.pop() {
                None => break,
                Some(name) => {
                    let (line, column, offset) = at(start);
                    let source = IllFormedError::MissingEndTag(name).into();
                    return Err(xml_error(path, source, line, column, offset));
                }
            },
            Event::DocType(_) => {
                let (line, column, offset) = at(start);
                return Err(EvidenceError::XmlDoctype {
                    path: path.to_owned(),
                    line,
                    column,
                    offset,
                });
            }
            Event::GeneralRef(reference) => {
                let name = reference.decode().unwrap_or_default();
                if !name.starts_with('#') && resolve_predefined_entity(&name).is_none() {
                    let (line, column, offset) = at(start);
                    return Err(EvidenceError::XmlEntity {
                        path: path.to_owned(),
                        entity: name.into_owned(),
                        line,
                        column,
                        offset,
                    });
                }
                continue;
            }
            Event::Start(element) => (true, element),
            Event::Empty(element) => (false, element),
            Event::End(element) => {
                open.pop();
                match element.local_name().as_ref() {
                    b"testcase" => {
                        if let Some(open) = case.take() {
                            finish_case(open, &mut suites, source_index);
                        }
                    }
                    b"testsuite" => {
                        if let Some(open) = suites.pop() {
                            close_suite(open, &mut suites, &mut done, &mut problems);
                        }
                    }
                    _ => {}
                }
                continue;
            }
            _ => continue,
        };

        if is_start {
            open.push(String::from_utf8_lossy(element.name().as_ref()).into_owned());
            if open.len() > limits.max_depth {
                let (line, column, offset) = at(start);
                return Err(LimitError::TooDeep {
                    path: path.to_owned(),
                    limit: limits.max_depth,
                    line,
                    column,
                    offset,
                }
                .into());
            }
        }
        let attribute = |name: &str| attribute(path, element, name, &at, start);
        let local = element.local_name();
        if !seen_root {
            seen_root = true;
            if !matches!(local.as_ref(), b"testsuites" | b"testsuite") {
                return Err(EvidenceError::UnknownFormat {
                    path: path.to_owned(),
                    kind: InputKind::Tests,
                    expected: "JUnit XML with a `<testsuites>` or `<testsuite>` root",
                });
            }
        }
        let counter = |name: &str| -> Result<Option<u64>, EvidenceError> {
            Ok(attribute(name)?.and_then(|value| value.trim().parse().ok()))
        };
        match local.as_ref() {
            b"testsuites" if open.len() <= 1 && root.is_none() => {
                root = Some(Declared {
                    failures: counter("failures")?,
                    errors: counter("errors")?,
                });
            }
            b"testsuite" => {
                let suite = OpenSuite {
                    suite: TestSuite {
                        name: attribute("name")?.unwrap_or_default(),
                        time: attribute("time")?.and_then(|t| parse_time(&t)),
                        source: Some(source_index),
                        ..TestSuite::default()
                    },
                    declared: Declared {
                        failures: counter("failures")?,
                        errors: counter("errors")?,
                    },
                    nested: Counted::default(),
                };
                if is_start {
                    suites.push(suite);
                } else {
                    close_suite(suite, &mut suites, &mut done, &mut problems);
                }
            }
            b"testcase" => {
                let open = OpenCase {
                    name: attribute("name")?.unwrap_or_default(),
                    classname: attribute("classname")?,
                    ..OpenCase::default()
                };
                if is_start {
                    case = Some(open);
                } else {
                    finish_case(open, &mut suites, source_index);
                }
            }
            name @ (b"failure" | b"error" | b"skipped" | b"flakyFailure" | b"flakyError") => {
                let message = attribute("message")?;
                if let Some(open) = case.as_mut() {
                    match name {
                        b"failure" => open.failure = Some(message),
                        b"error" => open.error = Some(message),
                        b"skipped" => open.skipped = true,
                        _ => open.flaky = open.flaky.take().or(Some(message)),
                    }
                }
            }
            b"property" => {
                let named = attribute("name")?.is_some_and(|name| {
                    SUBJECT_PROPERTIES
                        .iter()
                        .any(|p| p.eq_ignore_ascii_case(name.trim()))
                });
                if named && let Some(value) = attribute("value")? {
                    subject.referenced_in(&value);
                }
            }
            _ => {}
        }
    }
    if let Some(open) = case.take() {
        finish_case(open, &mut suites, source_index);
    }
    while let Some(open) = suites.pop() {
        close_suite(open, &mut suites, &mut done, &mut problems);
    }
    // Suites close inner-first; report them in document order of their closing tags, which
    // for flat reports (the common case) is document order.
    if let Some(declared) = root {
        // Each suite counts its own cases: the sum over all suites is the report's.
        let counted = done.iter().fold(Counted::default(), |sum, suite| Counted {
            failed: sum.failed.saturating_add(suite.failed),
            errors: sum.errors.saturating_add(suite.errors),
        });
        let mut extra = TestSuite {
            name: "(the <testsuites> counters)".to_owned(),
            source: Some(source_index),
            ..TestSuite::default()
        };
        if reconcile(
            &mut extra,
            declared,
            counted,
            "`<testsuites>`",
            &mut problems,
        ) {
            done.push(extra);
        }
    }
    Ok(Report {
        suites: done,
        problems,
        subject,
    })
}

/// Closes a suite: compares its counters with what its cases and nested suites hold, takes the
/// worse figures, and adds its failures and errors to its parent's.
fn close_suite(
    mut open: OpenSuite,
    parents: &mut [OpenSuite],
    done: &mut Vec<TestSuite>,
    problems: &mut Vec<String>,
) {
    let counted = Counted {
        failed: open.suite.failed.saturating_add(open.nested.failed),
        errors: open.suite.errors.saturating_add(open.nested.errors),
    };
    let what = format!("suite `{}`", open.suite.name);
    reconcile(&mut open.suite, open.declared, counted, &what, problems);
    if let Some(parent) = parents.last_mut() {
        parent.nested.failed = parent
            .nested
            .failed
            .saturating_add(open.suite.failed)
            .saturating_add(open.nested.failed);
        parent.nested.errors = parent
            .nested
            .errors
            .saturating_add(open.suite.errors)
            .saturating_add(open.nested.errors);
    }
    done.push(open.suite);
}

/// When `declared` failures or errors disagree with `counted`, records the disagreement and
/// raises `suite`'s own figures by what the counters claim beyond the cases (each raised
/// failure or error takes a pass away, if there is one). Returns whether they disagreed.
fn reconcile(
    suite: &mut TestSuite,
    declared: Declared,
    counted: Counted,
    what: &str,
    problems: &mut Vec<String>,
) -> bool {
    let failures = declared.failures.unwrap_or(counted.failed);
    let errors = declared.errors.unwrap_or(counted.errors);
    if failures == counted.failed && errors == counted.errors {
        return false;
    }
    problems.push(format!(
        "{what} declares failures=\"{failures}\" errors=\"{errors}\" but its test cases hold {} failed and {} errors; the worse figures are taken",
        counted.failed, counted.errors
    ));
    let more_failed = failures.saturating_sub(counted.failed);
    let more_errors = errors.saturating_sub(counted.errors);
    suite.failed = suite.failed.saturating_add(more_failed);
    suite.errors = suite.errors.saturating_add(more_errors);
    let raised = more_failed.saturating_add(more_errors);
    let taken = raised.min(suite.passed);
    suite.passed -= taken;
    suite.total = suite.total.saturating_add(raised - taken);
    true
}

fn finish_case(open: OpenCase, suites: &mut Vec<OpenSuite>, source_index: usize) {
    if suites.is_empty() {
        // A `<testcase>` directly under `<testsuites>`: give it an unnamed suite.
        suites.push(OpenSuite {
            suite: TestSuite {
                source: Some(source_index),
                ..TestSuite::default()
            },
            ..OpenSuite::default()
        });
    }
    let Some(suite) = suites.last_mut().map(|s| &mut s.suite) else {
        return;
    };
    suite.total += 1;
    let (status, message) = if let Some(message) = open.failure {
        suite.failed += 1;
        ("failed", message)
    } else if let Some(message) = open.error {
        suite.errors += 1;
        ("error", message)
    } else if open.skipped {
        suite.skipped += 1;
        return;
    } else if let Some(message) = open.flaky {
        suite.passed += 1;
        suite.flaky += 1;
        ("flaky", message)
    } else {
        suite.passed += 1;
        return;
    };
    suite.cases.push(TestCase {
        name: open.name,
        classname: open.classname,
        status: status.to_owned(),
        message: message.and_then(|m| m.trim().lines().next().map(str::to_owned)),
    });
}

/// One attribute's value, unescaped; an unknown entity in it is refused.
fn attribute(
    path: &Path,
    element: &BytesStart<'_>,
    name: &str,
    at: &impl Fn(u64) -> (usize, usize, usize),
    start: u64,
) -> Result<Option<String>, EvidenceError> {
    for attr in element.attributes().with_checks(false) {
        let attr = attr.map_err(|e| {
            let (line, column, offset) = at(start);
            xml_error(path, e.into(), line, column, offset)
        })?;
        if attr.key.local_name().as_ref() != name.as_bytes() {
            continue;
        }
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| {
                let (line, column, offset) = at(start);
                xml_error(path, e, line, column, offset)
            })?;
        return Ok(Some(value.into_owned()));
    }
    Ok(None)
}

fn xml_error(
    path: &Path,
    source: quick_xml::Error,
    line: usize,
    column: usize,
    offset: usize,
) -> EvidenceError {
    match source {
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, entity)) => {
            EvidenceError::XmlEntity {
                path: path.to_owned(),
                entity,
                line,
                column,
                offset,
            }
        }
        source => EvidenceError::Xml {
            path: path.to_owned(),
            line,
            column,
            offset,
            source,
        },
    }
}

/// `time` in seconds; some tools write thousands separators (`1,234.5`).
fn parse_time(text: &str) -> Option<f64> {
    text.replace(',', "")
        .trim()
        .parse()
        .ok()
        .filter(|t: &f64| t.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Result<Vec<TestSuite>, EvidenceError> {
        read(Path::new("t.xml"), text, &Limits::default(), 0).map(|report| report.suites)
    }

    #[test]
    fn the_subject_is_a_named_property() {
        let subject_of = |text: &str| {
            read(Path::new("t.xml"), text, &Limits::default(), 0)
                .unwrap()
                .subject
        };
        // Real reports with properties that name no artifact.
        for text in [
            include_str!("../../../testdata/corpus/junit/pytest-junitxml.xml"),
            include_str!("../../../testdata/corpus/junit/go-junit-report-subtests.xml"),
        ] {
            assert!(subject_of(text).is_empty());
        }
        let hex = "ab".repeat(32);
        let text = format!(
            r#"<testsuites><testsuite name="s"><properties>
              <property name="python" value="3.12"/>
              <property name="Image" value="ghcr.io/acme/app@sha256:{hex}"/>
              <property name="custom" value="other@sha256:{other}"/>
            </properties><testcase name="t"/></testsuite></testsuites>"#,
            other = "cd".repeat(32)
        );
        assert_eq!(subject_of(&text).referenced, [hex]);
    }

    /// Regression for issue #12 point 7: counters claiming failures around a passing case read
    /// as all green.
    #[test]
    fn counters_that_disagree_are_problems_and_the_worse_figure_counts() {
        let report = read(
            Path::new("t.xml"),
            r#"<testsuite name="s" tests="10" failures="3"><testcase name="ok"/></testsuite>"#,
            &Limits::default(),
            0,
        );
        let Ok(report) = report else {
            panic!("{report:?}")
        };
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert!(report.problems[0].contains("suite `s`"));
        let suite = &report.suites[0];
        assert_eq!(
            (suite.total, suite.passed, suite.failed, suite.errors),
            (3, 0, 3, 0)
        );

        // Counters on the root, and on a parent of nested suites, are compared with the sum.
        let report = read(
            Path::new("t.xml"),
            r#"<testsuites failures="1" errors="2"><testsuite name="p" failures="1"><testsuite name="c" failures="1"><testcase name="x"><failure/></testcase></testsuite></testsuite></testsuites>"#,
            &Limits::default(),
            0,
        );
        let Ok(report) = report else {
            panic!("{report:?}")
        };
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert!(report.problems[0].contains("<testsuites>"));
        let errors: u64 = report.suites.iter().map(|s| s.errors).sum();
        let failed: u64 = report.suites.iter().map(|s| s.failed).sum();
        assert_eq!((failed, errors), (1, 2));

        // Counters that agree, and pytest's `tests=` counting subtests, are no problem.
        let report = read(
            Path::new("t.xml"),
            r#"<testsuites tests="3" failures="1"><testsuite tests="15" failures="1" errors="0"><testcase name="a"/><testcase name="b"><failure/></testcase></testsuite></testsuites>"#,
            &Limits::default(),
            0,
        );
        assert_eq!(report.map(|r| r.problems.len()).ok(), Some(0));
    }

    #[test]
    fn pass() {
        let suites = read_str(
            r#"<?xml version="1.0"?>
            <testsuites><testsuite name="s" time="1,000.5">
              <testcase name="ok"/>
              <testcase name="fails"><failure message="boom&#10;trace">x</failure>
                <rerunFailure message="again"/></testcase>
              <testcase name="err"><error/></testcase>
              <testcase name="skip"><skipped/></testcase>
              <testcase name="flaky"><flakyFailure message="once"/></testcase>
              <testcase name="text">&lt;&apos;&#65;</testcase>
            </testsuite><testsuite name="empty" tests="0"/></testsuites>"#,
        )
        .unwrap();
        assert_eq!(suites.len(), 2);
        let s = &suites[0];
        assert_eq!(
            (s.total, s.passed, s.failed, s.errors, s.skipped, s.flaky),
            (6, 3, 1, 1, 1, 1)
        );
        assert_eq!(s.time, Some(1000.5));
        assert_eq!(s.cases[0].message.as_deref(), Some("boom"));
        assert_eq!(s.cases[2].status, "flaky");
        assert_eq!(suites[1].total, 0);
    }

    #[test]
    fn fail() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><testsuite>&lol2;</testsuite>"#;
        assert!(matches!(
            read_str(bomb),
            Err(EvidenceError::XmlDoctype {
                line: 1,
                column: 22,
                ..
            })
        ));
        let external = "<!DOCTYPE x SYSTEM \"file:///etc/passwd\">\n<testsuite/>";
        assert!(matches!(
            read_str(external),
            Err(EvidenceError::XmlDoctype { .. })
        ));
        assert!(matches!(
            read_str("<testsuite>\n<testcase name=\"&xxe;\"/></testsuite>"),
            Err(EvidenceError::XmlEntity { line: 2, ref entity, .. }) if entity == "xxe"
        ));
        assert!(matches!(
            read_str("<testsuite>&xxe;</testsuite>"),
            Err(EvidenceError::XmlEntity { .. })
        ));
        assert!(matches!(
            read_str("<testsuite><testcase></testsuite>"),
            Err(EvidenceError::Xml { .. })
        ));
        assert!(matches!(
            read_str("<testsuite><testcase name=\"a\">"),
            Err(EvidenceError::Xml { .. })
        ));
        assert!(matches!(
            read_str("<html/>"),
            Err(EvidenceError::UnknownFormat { .. })
        ));
        let deep = format!("<testsuites>{}", "<a>".repeat(10_000));
        assert!(matches!(
            read_str(&deep),
            Err(EvidenceError::Limit(LimitError::TooDeep { .. }))
        ));
    }
}
