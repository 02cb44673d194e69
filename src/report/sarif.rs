//! The `sarif` format: [SARIF 2.1.0], for GitHub code scanning and other SARIF viewers.
//!
//! [`SarifOutputFormatter`] maps a [`Decision`] onto one run: the rules evaluated become
//! `tool.driver.rules` (`reportingDescriptor`, §3.49) and each finding one `result` (§3.27)
//! located at its policy file and line. The serialization structs below mirror only the part
//! of the spec we write; they borrow from the decision and stay private.
//!
//! What we write beyond the core spec, for [GitHub code scanning]:
//! - `properties.security-severity` on each rule, a CVSS-like score GitHub turns back into
//!   critical / high / medium / low, and the `security` tag it requires alongside it.
//! - `automationDetails.id` = `stagegate/<stage>/`, so uploads for different stages of the
//!   same commit do not replace each other.
//!
//! What we ignore (and why): columns and regions beyond `startLine` (rules only know a line);
//! `partialFingerprints` (GitHub computes them from the policy file); `artifacts` and
//! `originalUriBaseIds` (paths stay as `stagegate.yaml` gives them, relative to it).
//!
//! [SARIF 2.1.0]: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
//! [GitHub code scanning]: https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Level, OutputFormat, OutputFormatter, ReportError};
use crate::decision::{
    AppliedWaiver, Decision, Engine, Finding, Outcome, RuleInfo, Severity, SourceLocation,
};
use crate::evidence::Subject;

/// The `$schema` of the log (§3.13.3).
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The `version` of the log (§3.13.2).
const SARIF_VERSION: &str = "2.1.0";
/// `tool.driver.name`.
const TOOL_NAME: &str = "stagegate";
/// `tool.driver.informationUri`.
const INFORMATION_URI: &str = "https://stagegate.dev";
/// Tag GitHub requires before it reads `security-severity`.
const SECURITY_TAG: &str = "security";

/// Renders the `sarif` format.
#[derive(Debug, Clone, Copy)]
pub(super) struct SarifOutputFormatter;

impl OutputFormatter for SarifOutputFormatter {
    fn render(&self, decision: &Decision) -> Result<String, ReportError> {
        let log = SarifLog::from_decision(decision);
        let mut out =
            serde_json::to_string_pretty(&log).map_err(|source| ReportError::Serialize {
                format: OutputFormat::Sarif,
                source,
            })?;
        out.push('\n');
        Ok(out)
    }
}

/// `sarifLog` (§3.13).
#[derive(Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

/// `run` (§3.14).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    invocations: [Invocation; 1],
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

/// `tool` (§3.18).
#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

/// `toolComponent` (§3.19), the driver only.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

/// `runAutomationDetails` (§3.17).
#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

/// `invocation` (§3.20). A decision exists only when evaluation succeeded.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

/// `reportingDescriptor` (§3.49), one per rule evaluated.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Message<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message<'a>>,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

/// `reportingConfiguration` (§3.50).
#[derive(Serialize)]
struct Configuration {
    level: SarifLevel,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    severity: Severity,
    engine: Engine,
    tags: Vec<&'a str>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

/// `message` (§3.11), plain text only.
#[derive(Serialize)]
struct Message<'a> {
    text: &'a str,
}

/// `result.level` (§3.27.10).
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum SarifLevel {
    Error,
    Warning,
    Note,
}

impl From<Level> for SarifLevel {
    fn from(level: Level) -> SarifLevel {
        match level {
            Level::Error => SarifLevel::Error,
            Level::Warning => SarifLevel::Warning,
            Level::Note => SarifLevel::Note,
        }
    }
}

/// `result` (§3.27).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    /// Absent for findings of built-in checks that no [`RuleInfo`] describes.
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: SarifLevel,
    message: Message<'a>,
    /// Empty (and then omitted) for built-in checks, which are written nowhere.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    properties: ResultProperties<'a>,
    /// A waived finding: one accepted external suppression (§3.35) naming the waiver.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
}

/// `suppression` (§3.35): a waiver that set the result aside.
#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
    properties: &'a AppliedWaiver,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    severity: Severity,
    details: &'a Map<String, Value>,
}

/// `location` (§3.28).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

/// `physicalLocation` (§3.29).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

/// `artifactLocation` (§3.4).
#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

/// `region` (§3.30); `startLine` is 1-based, so a line 0 means "no region".
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    stage: &'a str,
    subject: &'a Subject,
    result: Outcome,
    promotion_id: &'a str,
    policy_digest: &'a str,
    evidence_digest: &'a str,
}

impl<'a> SarifLog<'a> {
    fn from_decision(decision: &'a Decision) -> SarifLog<'a> {
        let rules = decision.rules.iter().map(ReportingDescriptor::from_rule);
        let violations = decision.violations.iter().map(|f| (f, true));
        let warnings = decision.warnings.iter().map(|f| (f, false));
        let waived = decision.waived.iter().map(|waived| {
            let mut result = SarifResult::from_finding(decision, &waived.finding, !waived.warning);
            result.suppressions.push(Suppression {
                kind: "external",
                status: "accepted",
                justification: &waived.waiver.reason,
                properties: &waived.waiver,
            });
            result
        });
        let results = violations
            .chain(warnings)
            .map(|(finding, violation)| SarifResult::from_finding(decision, finding, violation))
            .chain(waived);
        SarifLog {
            schema: SARIF_SCHEMA,
            version: SARIF_VERSION,
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: TOOL_NAME,
                        version: &decision.stagegate_version,
                        information_uri: INFORMATION_URI,
                        rules: rules.collect(),
                    },
                },
                automation_details: AutomationDetails {
                    id: format!("stagegate/{}/", decision.stage),
                },
                invocations: [Invocation {
                    execution_successful: true,
                }],
                results: results.collect(),
                properties: RunProperties {
                    stage: &decision.stage,
                    subject: &decision.subject,
                    result: decision.result,
                    promotion_id: &decision.promotion_id,
                    policy_digest: &decision.policy_digest,
                    evidence_digest: &decision.evidence_digest,
                },
            }],
        }
    }
}

impl<'a> ReportingDescriptor<'a> {
    fn from_rule(rule: &'a RuleInfo) -> ReportingDescriptor<'a> {
        let mut tags = vec![SECURITY_TAG];
        for tag in metadata_tags(&rule.metadata) {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        ReportingDescriptor {
            id: &rule.id,
            name: &rule.id,
            short_description: Message {
                text: rule.title.as_deref().unwrap_or(&rule.id),
            },
            full_description: rule.description.as_deref().map(|text| Message { text }),
            default_configuration: Configuration {
                level: Level::of_rule(rule).into(),
            },
            properties: RuleProperties {
                severity: rule.severity,
                engine: rule.engine,
                tags,
                security_severity: security_severity(rule.severity),
            },
        }
    }
}

impl<'a> SarifResult<'a> {
    fn from_finding(decision: &Decision, finding: &'a Finding, violation: bool) -> SarifResult<'a> {
        let rule_index = decision.rules.iter().position(|rule| {
            rule.id == finding.rule
                && (finding.source.is_none()
                    || rule.source.is_none()
                    || finding.source == rule.source)
        });
        SarifResult {
            rule_id: &finding.rule,
            rule_index,
            level: Level::of(decision, finding, violation).into(),
            message: Message {
                text: &finding.message,
            },
            locations: finding.source.iter().map(Location::from_source).collect(),
            properties: ResultProperties {
                severity: finding.severity,
                details: &finding.details,
            },
            suppressions: Vec::new(),
        }
    }
}

impl Location {
    fn from_source(source: &SourceLocation) -> Location {
        Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri_reference(&source.file),
                },
                region: (source.line > 0).then_some(Region {
                    start_line: source.line,
                }),
            },
        }
    }
}

/// The score GitHub code scanning maps back onto its severities: over 9.0 is critical,
/// 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low, 0.0 none.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// Tags a policy author gave in METADATA, as `tags` or `custom.tags`: a list of strings or
/// one string. Anything else is ignored rather than guessed at.
fn metadata_tags(metadata: &Map<String, Value>) -> Vec<&str> {
    let custom = metadata.get("custom").and_then(|custom| custom.get("tags"));
    let mut tags = Vec::new();
    for value in [metadata.get("tags"), custom].into_iter().flatten() {
        match value {
            Value::String(tag) => tags.push(tag.as_str()),
            Value::Array(items) => tags.extend(items.iter().filter_map(Value::as_str)),
            _ => {}
        }
    }
    tags
}

/// A policy path as a relative URI reference (§3.4.3): `/` separators, and every byte that
/// may not appear in a URI path percent-encoded (RFC 3986 §3.3).
fn uri_reference(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut uri = String::with_capacity(path.len());
    if path.starts_with('/') {
        // An absolute path is only a URI with a scheme (§3.4.3: absolute URIs use `file`).
        uri.push_str("file://");
    }
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&byte);
        if keep {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::tests::{NASTY_MESSAGE, failing, passing};
    use super::*;

    fn sarif(decision: &Decision) -> Value {
        let out = SarifOutputFormatter.render(decision).unwrap_or_default();
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn log_has_the_sarif_shape() {
        let log = sarif(&failing());
        assert_eq!(log["$schema"], SARIF_SCHEMA);
        assert_eq!(log["version"], "2.1.0");
        let runs = log["runs"].as_array().map(Vec::len);
        assert_eq!(runs, Some(1));
        let run = &log["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "stagegate");
        assert_eq!(driver["version"], "0.1.0");
        assert!(driver["informationUri"].is_string());
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
        assert_eq!(run["automationDetails"]["id"], "stagegate/prod/");
        for key in [
            "stage",
            "subject",
            "result",
            "promotionId",
            "policyDigest",
            "evidenceDigest",
        ] {
            assert!(!run["properties"][key].is_null(), "run.properties.{key}");
        }
        assert_eq!(run["properties"]["result"], "fail");
    }

    #[test]
    fn one_rule_per_rule_evaluated() {
        let decision = failing();
        let log = sarif(&decision);
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
        let expected: Vec<&str> = decision.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, expected);

        let vulns = &rules
            .iter()
            .find(|r| r["id"] == "supply.vulns.no_critical")
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            vulns["shortDescription"]["text"],
            "No critical vulnerabilities"
        );
        assert!(vulns["fullDescription"]["text"].is_string());
        assert_eq!(vulns["defaultConfiguration"]["level"], "error");
        assert_eq!(vulns["properties"]["security-severity"], "9.5");
        assert_eq!(vulns["properties"]["engine"], "rego");
        assert_eq!(
            vulns["properties"]["tags"],
            serde_json::json!(["security", "vulnerabilities", "cve"])
        );

        let generator = rules
            .iter()
            .find(|r| r["id"] == "supply.sbom.warn_old_generator")
            .cloned()
            .unwrap_or_default();
        assert_eq!(generator["defaultConfiguration"]["level"], "warning");
        assert_eq!(generator["properties"]["security-severity"], "5.5");
        // No description: the field is left out, not written empty.
        assert!(generator.get("fullDescription").is_none());
    }

    #[test]
    fn one_result_per_finding() {
        let decision = failing();
        let log = sarif(&decision);
        let results = log["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            results.len(),
            decision.violations.len() + decision.warnings.len()
        );

        let nasty = results
            .iter()
            .find(|r| r["message"]["text"] == NASTY_MESSAGE)
            .cloned()
            .unwrap_or_default();
        assert_eq!(nasty["level"], "error");
        let index = nasty["ruleIndex"].as_u64().unwrap_or(u64::MAX);
        let rule = &log["runs"][0]["tool"]["driver"]["rules"][index as usize];
        assert_eq!(rule["id"], nasty["ruleId"]);
        let physical = &nasty["locations"][0]["physicalLocation"];
        assert_eq!(
            physical["artifactLocation"]["uri"],
            "policies/prod/licenses.rego"
        );
        assert_eq!(physical["region"]["startLine"], 30);

        let builtin = results
            .iter()
            .find(|r| r["ruleId"] == "builtin.required_evidence")
            .cloned()
            .unwrap_or_default();
        assert!(builtin.get("locations").is_none());
        assert!(builtin.get("ruleIndex").is_none());

        let cve = results
            .iter()
            .find(|r| r["ruleId"] == "supply.vulns.no_critical")
            .cloned()
            .unwrap_or_default();
        assert_eq!(cve["properties"]["details"]["cve"], "CVE-2026-0001");
        assert_eq!(cve["properties"]["severity"], "critical");

        let levels: Vec<&str> = results.iter().filter_map(|r| r["level"].as_str()).collect();
        assert_eq!(
            levels,
            ["error", "error", "error", "error", "note", "warning"]
        );
    }

    #[test]
    fn passing_run_has_rules_and_no_results() {
        let log = sarif(&passing());
        assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
        assert_eq!(log["runs"][0]["properties"]["result"], "pass");
    }

    #[test]
    fn warnings_are_errors_when_they_fail_the_gate() {
        let mut decision = failing();
        decision.fail_on_warn = true;
        let log = sarif(&decision);
        let results = log["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(results.iter().all(|r| r["level"] == "error"));
    }

    #[test]
    fn policy_paths_become_uri_references() {
        assert_eq!(
            uri_reference("policies/prod/a.rego"),
            "policies/prod/a.rego"
        );
        assert_eq!(
            uri_reference("my policies\\a b.rego"),
            "my%20policies/a%20b.rego"
        );
        assert_eq!(
            uri_reference("/etc/stagegate/ü.rego"),
            "file:///etc/stagegate/%C3%BC.rego"
        );
        assert_eq!(uri_reference("100%.rego"), "100%25.rego");
    }

    #[test]
    fn tags_come_from_metadata() {
        let metadata = serde_json::json!({"tags": "licenses", "custom": {"tags": ["a", 1, "b"]}});
        let metadata = metadata.as_object().cloned().unwrap_or_default();
        assert_eq!(metadata_tags(&metadata), ["licenses", "a", "b"]);
    }
}
