//! The `junit` format: JUnit XML, for the test-report views of CI systems.
//!
//! [`JUnitOutputFormatter`] writes one `<testsuite>` per decision (`stagegate.<stage>`) and one
//! `<testcase>` per rule evaluated, so a CI view lists every rule and shows the failing ones
//! with their messages. The element and attribute set is the common subset that Jenkins,
//! GitLab, Azure DevOps and the JUnit XSD agree on.
//!
//! - A rule fails when it has findings that fail the gate (violations; warnings too under
//!   `--fail-on-warn`): one `<failure>` whose `type` is the worst severity and whose text lists
//!   every such message.
//! - Other warnings go to the test case's `<system-out>`: they are worth reading but pass.
//! - Rule ids that findings name but the decision's rules do not (built-in checks) still get a
//!   test case, after the listed rules.
//!
//! What we ignore (and why): `time` (rules are not timed separately), `<error>` (an evaluation
//! error never becomes a decision), `<skipped>` (no rule is skipped).

use std::fmt::Write as _;
use std::path::Path;

use super::xml::{escape_attribute, escape_text};
use super::{
    Level, OutputFormatter, ReportError, findings_of, location, unlisted_rule_ids, waiver_line,
};
use crate::decision::{Decision, Engine, Finding, SourceLocation, WaivedFinding};

/// Renders the `junit` format.
#[derive(Debug, Clone, Copy)]
pub(super) struct JUnitOutputFormatter;

/// One `<testcase>`: a rule and what it found.
struct TestCase<'a> {
    classname: String,
    name: &'a str,
    source: Option<&'a SourceLocation>,
    /// Findings that fail the gate.
    failures: Vec<&'a Finding>,
    /// Findings that do not.
    notes: Vec<&'a Finding>,
    /// Findings a waiver set aside.
    waived: Vec<&'a WaivedFinding>,
}

impl OutputFormatter for JUnitOutputFormatter {
    fn render(&self, decision: &Decision) -> Result<String, ReportError> {
        let cases = test_cases(decision);
        let tests = cases.len();
        let failures = cases
            .iter()
            .filter(|case| !case.failures.is_empty())
            .count();

        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"stagegate\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"stagegate.{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" timestamp=\"{}\">",
            escape_attribute(&decision.stage),
            escape_attribute(&decision.evaluated_at),
        );
        write_properties(&mut out, decision);
        for case in &cases {
            write_case(&mut out, case);
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        Ok(out)
    }
}

fn test_cases(decision: &Decision) -> Vec<TestCase<'_>> {
    let mut cases: Vec<TestCase<'_>> = decision
        .rules
        .iter()
        .map(|rule| {
            let mut case = TestCase {
                classname: classname(rule.engine, &rule.id, rule.source.as_ref()),
                name: &rule.id,
                source: rule.source.as_ref(),
                failures: Vec::new(),
                notes: Vec::new(),
                waived: Vec::new(),
            };
            for (finding, violation) in findings_of(decision, rule) {
                case.add(decision, finding, violation);
            }
            case.waived = decision
                .waived
                .iter()
                .filter(|w| {
                    w.finding.rule == rule.id
                        && (w.finding.source.is_none()
                            || rule.source.is_none()
                            || w.finding.source == rule.source)
                })
                .collect();
            case
        })
        .collect();
    for id in unlisted_rule_ids(decision) {
        let mut case = TestCase {
            classname: classname(Engine::Builtin, id, None),
            name: id,
            source: None,
            failures: Vec::new(),
            notes: Vec::new(),
            waived: Vec::new(),
        };
        for (finding, violation) in all_findings(decision).filter(|(f, _)| f.rule == id) {
            case.source = case.source.or(finding.source.as_ref());
            case.add(decision, finding, violation);
        }
        cases.push(case);
    }
    cases
}

fn all_findings(decision: &Decision) -> impl Iterator<Item = (&Finding, bool)> {
    let violations = decision.violations.iter().map(|f| (f, true));
    violations.chain(decision.warnings.iter().map(|f| (f, false)))
}

impl<'a> TestCase<'a> {
    fn add(&mut self, decision: &Decision, finding: &'a Finding, violation: bool) {
        if Level::of(decision, finding, violation) == Level::Error {
            self.failures.push(finding);
        } else {
            self.notes.push(finding);
        }
    }
}

/// `<engine>.<group>`: the Rego package (the rule id less its last segment), or the policy
/// file's stem, so CI views group rules the way the policies are laid out. Just `<engine>`
/// when there is no group, or it would only repeat the engine (`builtin.builtin`).
fn classname(engine: Engine, id: &str, source: Option<&SourceLocation>) -> String {
    let engine = match engine {
        Engine::Rego => "rego",
        Engine::Cel => "cel",
        Engine::Builtin => "builtin",
    };
    let package = id.rsplit_once('.').map(|(package, _)| package);
    let stem = source.and_then(|source| {
        let name = Path::new(&source.file).file_name()?.to_str()?;
        // `tests.cel.yaml` → `tests`: the stem, less any inner extension.
        name.split('.').next().filter(|stem| !stem.is_empty())
    });
    let group = match engine {
        "rego" => package.or(stem),
        _ => stem.or(package),
    };
    match group {
        Some(group) if group != engine => format!("{engine}.{group}"),
        _ => engine.to_owned(),
    }
}

fn write_properties(out: &mut String, decision: &Decision) {
    let subject = &decision.subject;
    let properties = [
        ("stage", decision.stage.as_str()),
        ("subject", subject.name.as_str()),
        ("subject.sha256", subject.digest.sha256.as_str()),
        ("result", if decision.passed() { "pass" } else { "fail" }),
        ("promotionId", decision.promotion_id.as_str()),
        ("policyDigest", decision.policy_digest.as_str()),
        ("evidenceDigest", decision.evidence_digest.as_str()),
    ];
    out.push_str("    <properties>\n");
    for (name, value) in properties {
        let _ = writeln!(
            out,
            "      <property name=\"{name}\" value=\"{}\"/>",
            escape_attribute(value)
        );
    }
    out.push_str("    </properties>\n");
}

fn write_case(out: &mut String, case: &TestCase<'_>) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"",
        escape_attribute(&case.classname),
        escape_attribute(case.name),
    );
    if let Some(source) = case.source {
        let _ = write!(
            out,
            " file=\"{}\" line=\"{}\"",
            escape_attribute(&source.file),
            source.line
        );
    }
    if case.failures.is_empty() && case.notes.is_empty() && case.waived.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    if let Some(worst) = case.failures.iter().map(|f| f.severity).min() {
        let message = match case.failures.as_slice() {
            [only] => only.message.clone(),
            [first, rest @ ..] => format!("{} (and {} more)", first.message, rest.len()),
            [] => String::new(),
        };
        let _ = write!(
            out,
            "      <failure message=\"{}\" type=\"{worst}\">",
            escape_attribute(&message),
        );
        out.push_str(&escape_text(&finding_lines(&case.failures)));
        out.push_str("</failure>\n");
    }
    if !case.notes.is_empty() || !case.waived.is_empty() {
        let mut text = finding_lines(&case.notes);
        for waived in &case.waived {
            let finding = &waived.finding;
            let _ = write!(text, "[waived] [{}] {}", finding.severity, finding.message);
            if let Some(place) = location(finding.source.as_ref()) {
                let _ = write!(text, " ({place})");
            }
            let _ = writeln!(text, ": {}", waiver_line(waived));
        }
        out.push_str("      <system-out>");
        out.push_str(&escape_text(&text));
        out.push_str("</system-out>\n");
    }
    out.push_str("    </testcase>\n");
}

/// One finding per line: `[severity] message (file:line)`.
fn finding_lines(findings: &[&Finding]) -> String {
    let mut text = String::new();
    for finding in findings {
        let _ = write!(text, "[{}] {}", finding.severity, finding.message);
        if let Some(place) = location(finding.source.as_ref()) {
            let _ = write!(text, " ({place})");
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use quick_xml::escape::resolve_predefined_entity;
    use quick_xml::events::Event;
    use quick_xml::{Reader, XmlVersion};

    use super::super::tests::{NASTY_MESSAGE, failing, passing};
    use super::*;

    /// An element as read back: (name, attributes, text directly inside it).
    type Element = (String, Vec<(String, String)>, String);

    /// Every element in document order; panics if the document is not well-formed XML.
    fn parse(xml: &str) -> Vec<Element> {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        let mut elements: Vec<Element> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        loop {
            let event = reader
                .read_event()
                .unwrap_or_else(|e| panic!("not XML at {}: {e}\n{xml}", reader.buffer_position()));
            match event {
                Event::Start(ref start) | Event::Empty(ref start) => {
                    let empty = matches!(event, Event::Empty(_));
                    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                    let attributes = start
                        .attributes()
                        .map(|attribute| {
                            let attribute = attribute.unwrap_or_else(|e| panic!("{e}"));
                            let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
                            let value = attribute
                                .normalized_value(XmlVersion::Implicit1_0)
                                .unwrap_or_else(|e| panic!("{e}"))
                                .into_owned();
                            (key, value)
                        })
                        .collect();
                    elements.push((name, attributes, String::new()));
                    if !empty {
                        open.push(elements.len() - 1);
                    }
                }
                Event::End(_) => {
                    open.pop();
                }
                Event::Text(text) => {
                    let text = text.xml10_content().unwrap_or_else(|e| panic!("{e}"));
                    if let Some(element) = open.last().and_then(|&i| elements.get_mut(i)) {
                        element.2.push_str(&text);
                    }
                }
                Event::GeneralRef(reference) => {
                    let text = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => {
                            let name = reference.decode().unwrap_or_else(|e| panic!("{e}"));
                            resolve_predefined_entity(&name)
                                .unwrap_or_else(|| panic!("unknown entity &{name};"))
                                .to_owned()
                        }
                    };
                    if let Some(element) = open.last().and_then(|&i| elements.get_mut(i)) {
                        element.2.push_str(&text);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(open.is_empty(), "unclosed elements");
        elements
    }

    fn attribute<'a>(element: &'a Element, key: &str) -> &'a str {
        element
            .1
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    fn junit(decision: &Decision) -> String {
        JUnitOutputFormatter.render(decision).unwrap_or_default()
    }

    #[test]
    fn passing_decision_has_only_passing_cases() {
        let elements = parse(&junit(&passing()));
        let suites = &elements[0];
        assert_eq!(suites.0, "testsuites");
        assert_eq!(attribute(suites, "tests"), "5");
        assert_eq!(attribute(suites, "failures"), "0");
        let suite = elements
            .iter()
            .find(|e| e.0 == "testsuite")
            .cloned()
            .unwrap_or_default();
        assert_eq!(attribute(&suite, "name"), "stagegate.staging");
        assert!(!elements.iter().any(|e| e.0 == "failure"));
    }

    #[test]
    fn failing_decision_round_trips_through_a_parser() {
        let decision = failing();
        let elements = parse(&junit(&decision));
        let cases: Vec<_> = elements.iter().filter(|e| e.0 == "testcase").collect();
        // Five listed rules and one built-in check that no rule describes.
        assert_eq!(cases.len(), 6);
        assert_eq!(attribute(&elements[0], "tests"), "6");
        assert_eq!(attribute(&elements[0], "failures"), "3");

        let names: Vec<&str> = cases.iter().map(|c| attribute(c, "name")).collect();
        assert_eq!(names.last(), Some(&"builtin.required_evidence"));

        let licenses = cases
            .iter()
            .position(|c| attribute(c, "name") == "supply.licenses.deny_copyleft")
            .unwrap_or_default();
        let case = cases[licenses];
        assert_eq!(attribute(case, "classname"), "rego.supply.licenses");
        assert_eq!(attribute(case, "file"), "policies/prod/licenses.rego");
        assert_eq!(attribute(case, "line"), "30");

        // The element after that test case is its single failure.
        let at = elements
            .iter()
            .position(|e| std::ptr::eq(e, case))
            .unwrap_or_default();
        let failure = &elements[at + 1];
        assert_eq!(failure.0, "failure");
        assert_eq!(attribute(failure, "type"), "high");
        assert_eq!(
            attribute(failure, "message"),
            "libfoo 1.2 is GPL-2.0-only (and 1 more)"
        );
        // The escaped message comes back byte for byte, newline included.
        assert!(failure.2.contains(NASTY_MESSAGE), "{}", failure.2);
        assert!(failure.2.contains("(policies/prod/licenses.rego:30)"));
        assert_eq!(elements.iter().filter(|e| e.0 == "failure").count(), 3);
    }

    #[test]
    fn warnings_go_to_system_out() {
        let elements = parse(&junit(&failing()));
        let outs: Vec<&str> = elements
            .iter()
            .filter(|e| e.0 == "system-out")
            .map(|e| e.2.as_str())
            .collect();
        assert_eq!(outs.len(), 2);
        assert!(
            outs.iter()
                .any(|o| o.starts_with("[medium] SBOM was generated"))
        );
    }

    #[test]
    fn nasty_messages_in_attributes_round_trip() {
        let mut decision = failing();
        decision
            .violations
            .retain(|f| f.rule != "supply.licenses.deny_copyleft" || f.message == NASTY_MESSAGE);
        let elements = parse(&junit(&decision));
        let failure = elements
            .iter()
            .find(|e| e.0 == "failure" && attribute(e, "type") == "high" && e.2.contains("GPL"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(attribute(&failure, "message"), NASTY_MESSAGE);
    }

    #[test]
    fn control_characters_do_not_break_the_document() {
        let mut decision = failing();
        if let Some(finding) = decision.violations.first_mut() {
            finding.message = "bell\u{7} nul\u{0} esc\u{1b}".to_owned();
        }
        let xml = junit(&decision);
        // quick-xml does not reject characters XML forbids, so look for them directly.
        assert!(!xml.chars().any(|c| c.is_control() && c != '\n'));
        let elements = parse(&xml);
        assert!(
            elements
                .iter()
                .any(|e| e.2.contains("bell\\u{7} nul\\u{0} esc\\u{1b}"))
        );
    }

    #[test]
    fn warnings_fail_under_fail_on_warn() {
        let mut decision = failing();
        decision.fail_on_warn = true;
        let elements = parse(&junit(&decision));
        assert_eq!(attribute(&elements[0], "failures"), "5");
        assert!(!elements.iter().any(|e| e.0 == "system-out"));
    }

    #[test]
    fn classnames_follow_packages_and_files() {
        let source = |file: &str| SourceLocation {
            file: file.to_owned(),
            line: 1,
        };
        let cel = source("policies/prod/tests.cel.yaml");
        assert_eq!(
            classname(Engine::Cel, "tests_passed", Some(&cel)),
            "cel.tests"
        );
        let rego = source("policies/a.rego");
        assert_eq!(
            classname(Engine::Rego, "main.deny", Some(&rego)),
            "rego.main"
        );
        assert_eq!(classname(Engine::Rego, "short_name", Some(&rego)), "rego.a");
        assert_eq!(
            classname(Engine::Builtin, "builtin.required_evidence", None),
            "builtin"
        );
        assert_eq!(
            classname(Engine::Builtin, "chain.previous_stage", None),
            "builtin.chain"
        );
        assert_eq!(classname(Engine::Builtin, "chain", None), "builtin");
    }
}
