//! SARIF 2.1.0 (<https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>).
//!
//! Enforced / read, per `runs[].results[]`:
//! - the rule: `ruleIndex` (or `rule.index`) into `tool.driver.rules`, else the rule with the
//!   result's `ruleId` (or `rule.id`);
//! - `level` (§3.27.10): the result's own, else the rule's `defaultConfiguration.level`, else
//!   `warning` — or `none` when the result's `kind` is not `fail`;
//! - severity: a severity word in the rule's `properties.tags` (Trivy), else the GitHub
//!   `security-severity` score (result, then rule properties) in CVSS bands, else the level
//!   (`error` high, `warning` medium, `note` low, `none` negligible);
//! - `suppressions` (§3.27.23): the result is suppressed when at least one suppression is
//!   accepted (status `accepted` or absent) and none is `underReview` — a suppression still under
//!   review does not hide a finding at a gate. Suppressed results are kept, marked suppressed;
//! - `baselineState: absent` (the result is gone since the baseline) is kept, suppressed with
//!   state `absent`;
//! - the first location's `artifactLocation.uri` and `region.startLine`, and the message's first
//!   line as title.
//!
//! The id is the `ruleId`. A rule id that names an advisory (`CVE-`, `GHSA-`) or a rule tagged
//! `vulnerability` makes a finding of category `vulnerability`, anything else `code`.
//!
//! The subject ([`subject_claim`]), per run: the image properties Trivy writes in the run's
//! property bag (`imageName` pinned by digest, `repoDigests`; never `imageID`, the config's
//! digest), `artifacts[].location.uri` pinned by digest (`IMAGE@sha256:HEX`, a
//! `pkg:oci/…@sha256%3AHEX` purl), and `artifacts[].hashes["sha-256"]` as candidates (the run is
//! about the subject when one of the files it analysed is the subject). Grype's SARIF names its
//! image only inside messages and logical locations, so it names no subject: use `grype -o
//! json` for a scan bound to the subject.
//!
//! What we ignore (and why): results of `kind` `pass` and `notApplicable` (they are not
//! findings); rules defined in `tool.extensions` (none of the scanners we target use them);
//! the package, which SARIF has no structured field for — so SARIF findings are not merged with
//! the same vulnerability from a JSON scanner report. All of it stays in `raw`.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::{severity_from_label, severity_from_score};
use crate::evidence::binding::SubjectClaim;
use crate::evidence::model::{
    FindingCategory, FindingLocation, Suppression, VulnSeverity, Vulnerability,
};

/// A SARIF log (only the parts we read).
#[derive(Debug, Deserialize)]
pub(crate) struct Document<'a> {
    #[serde(borrow, default)]
    runs: Vec<Run<'a>>,
}

#[derive(Debug, Deserialize)]
struct Run<'a> {
    #[serde(borrow)]
    tool: Tool<'a>,
    #[serde(borrow, default)]
    results: Option<Vec<SarifResult<'a>>>,
    /// The run's property bag (§3.8), where Trivy names the image.
    #[serde(default)]
    properties: Option<serde_json::Map<String, Value>>,
    #[serde(borrow, default)]
    artifacts: Option<Vec<Artifact<'a>>>,
}

/// A file the run analysed or referred to (§3.24).
#[derive(Debug, Deserialize)]
struct Artifact<'a> {
    #[serde(borrow, default)]
    location: Option<ArtifactLocation<'a>>,
    #[serde(borrow, default)]
    hashes: Option<HashMap<Cow<'a, str>, Cow<'a, str>>>,
}

#[derive(Debug, Deserialize)]
struct Tool<'a> {
    #[serde(borrow)]
    driver: Driver<'a>,
}

#[derive(Debug, Deserialize)]
struct Driver<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    rules: Option<Vec<Rule<'a>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    default_configuration: Option<Configuration<'a>>,
    #[serde(borrow, default)]
    properties: Option<Properties<'a>>,
    #[serde(borrow, default)]
    short_description: Option<Message<'a>>,
}

#[derive(Debug, Deserialize)]
struct Configuration<'a> {
    #[serde(borrow, default)]
    level: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Properties<'a> {
    #[serde(default, rename = "security-severity")]
    security_severity: Option<Value>,
    #[serde(borrow, default)]
    tags: Option<Vec<Cow<'a, str>>>,
}

#[derive(Debug, Deserialize)]
struct Message<'a> {
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    #[serde(borrow, default)]
    rule_id: Option<Cow<'a, str>>,
    #[serde(default)]
    rule_index: Option<i64>,
    #[serde(borrow, default)]
    rule: Option<RuleReference<'a>>,
    #[serde(borrow, default)]
    level: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    message: Option<Message<'a>>,
    #[serde(borrow, default)]
    locations: Option<Vec<Location<'a>>>,
    #[serde(borrow, default)]
    suppressions: Option<Vec<SarifSuppression<'a>>>,
    #[serde(borrow, default)]
    baseline_state: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    properties: Option<Properties<'a>>,
}

#[derive(Debug, Deserialize)]
struct RuleReference<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(default)]
    index: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(borrow, default)]
    physical_location: Option<PhysicalLocation<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    #[serde(borrow, default)]
    artifact_location: Option<ArtifactLocation<'a>>,
    #[serde(default)]
    region: Option<Region>,
}

#[derive(Debug, Deserialize)]
struct ArtifactLocation<'a> {
    #[serde(borrow, default)]
    uri: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    #[serde(default)]
    start_line: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct SarifSuppression<'a> {
    #[serde(borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    status: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    justification: Option<Cow<'a, str>>,
}

/// What the log's runs say they are about (see the module documentation).
pub(crate) fn subject_claim(doc: &Document<'_>) -> SubjectClaim {
    let mut claim = SubjectClaim::default();
    for run in &doc.runs {
        if let Some(properties) = &run.properties {
            if let Some(name) = properties.get("imageName").and_then(Value::as_str) {
                claim.referenced_in(name);
            }
            let digests = properties.get("repoDigests").and_then(Value::as_array);
            for reference in digests.into_iter().flatten().filter_map(Value::as_str) {
                claim.referenced_in(reference);
            }
        }
        for artifact in run.artifacts.iter().flatten() {
            if let Some(uri) = artifact.location.as_ref().and_then(|l| l.uri.as_deref()) {
                claim.referenced_in(uri);
            }
            let hashes = artifact.hashes.iter().flatten();
            for (_, hex) in hashes.filter(|(algorithm, _)| *algorithm == "sha-256") {
                claim.candidate_hex(hex);
            }
        }
    }
    claim
}

/// Turns a SARIF log into findings.
pub(crate) fn findings(doc: Document<'_>, source_index: usize) -> Vec<Vulnerability> {
    let mut out = Vec::new();
    for run in doc.runs {
        let source = format!("sarif:{}", run.tool.driver.name);
        let rules = run.tool.driver.rules.unwrap_or_default();
        let by_id: HashMap<&str, &Rule<'_>> = rules
            .iter()
            .filter_map(|r| Some((r.id.as_deref()?, r)))
            .collect();
        for result in run.results.unwrap_or_default() {
            if result
                .kind
                .as_deref()
                .is_some_and(|k| k == "pass" || k == "notApplicable")
            {
                continue;
            }
            let rule_id = result
                .rule_id
                .as_deref()
                .or(result.rule.as_ref().and_then(|r| r.id.as_deref()));
            let rule_index = result
                .rule_index
                .or(result.rule.as_ref().and_then(|r| r.index));
            let rule = rule_index
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| rules.get(i))
                .or_else(|| rule_id.and_then(|id| by_id.get(id).copied()));
            let id = rule_id
                .or(rule.and_then(|r| r.id.as_deref()))
                .unwrap_or_default()
                .to_owned();
            out.push(finding(&result, rule, id, &source, source_index));
        }
    }
    out
}

fn finding(
    result: &SarifResult<'_>,
    rule: Option<&Rule<'_>>,
    id: String,
    source: &str,
    source_index: usize,
) -> Vulnerability {
    let is_fail = result.kind.as_deref().is_none_or(|k| k == "fail");
    let level = result
        .level
        .as_deref()
        .or(rule
            .and_then(|r| r.default_configuration.as_ref())
            .and_then(|c| c.level.as_deref()))
        .unwrap_or(if is_fail { "warning" } else { "none" })
        .to_owned();
    let rule_tags = rule
        .and_then(|r| r.properties.as_ref())
        .and_then(|p| p.tags.as_ref());
    let tag_severity = rule_tags
        .into_iter()
        .flatten()
        .map(|t| severity_from_label(t))
        .find(|s| *s != VulnSeverity::Unknown);
    let score = [
        result.properties.as_ref(),
        rule.and_then(|r| r.properties.as_ref()),
    ]
    .into_iter()
    .flatten()
    .find_map(|p| number(p.security_severity.as_ref()?));
    let severity = tag_severity
        .or(score.map(severity_from_score))
        .unwrap_or_else(|| severity_from_level(&level));
    let is_advisory = ["CVE-", "GHSA-"].iter().any(|p| id.starts_with(p))
        || rule_tags
            .into_iter()
            .flatten()
            .any(|t| t.eq_ignore_ascii_case("vulnerability"));
    let location = result
        .locations
        .as_ref()
        .and_then(|l| l.first())
        .and_then(|l| l.physical_location.as_ref())
        .and_then(|p| {
            Some(FindingLocation {
                path: p.artifact_location.as_ref()?.uri.as_deref()?.to_owned(),
                line: p.region.as_ref().and_then(|r| r.start_line),
            })
        });
    let title = result
        .message
        .as_ref()
        .and_then(|m| m.text.as_deref())
        .or(rule
            .and_then(|r| r.short_description.as_ref())
            .and_then(|m| m.text.as_deref()))
        .and_then(|t| t.lines().next())
        .map(str::to_owned);
    Vulnerability {
        id,
        severity,
        cvss: score,
        category: if is_advisory {
            FindingCategory::Vulnerability
        } else {
            FindingCategory::Code
        },
        title,
        location,
        level: Some(level),
        suppressed: suppression(result),
        source: vec![source.to_owned()],
        source_indexes: vec![source_index],
        ..Vulnerability::default()
    }
}

fn severity_from_level(level: &str) -> VulnSeverity {
    match level {
        "error" => VulnSeverity::High,
        "warning" => VulnSeverity::Medium,
        "note" => VulnSeverity::Low,
        "none" => VulnSeverity::Negligible,
        _ => VulnSeverity::Unknown,
    }
}

/// GitHub writes `security-severity` as a string; accept a number too.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn suppression(result: &SarifResult<'_>) -> Option<Suppression> {
    let suppressions = result.suppressions.as_deref().unwrap_or_default();
    let status = |s: &SarifSuppression<'_>| s.status.as_deref().unwrap_or("accepted").to_owned();
    let under_review = suppressions.iter().any(|s| status(s) == "underReview");
    let accepted = suppressions.iter().find(|s| status(s) == "accepted");
    if let (false, Some(accepted)) = (under_review, accepted) {
        return Some(Suppression {
            state: "accepted".to_owned(),
            justification: accepted.justification.as_deref().map(str::to_owned),
            source: Some(format!(
                "sarif suppression ({})",
                accepted.kind.as_deref().unwrap_or("unspecified")
            )),
        });
    }
    if result.baseline_state.as_deref() == Some("absent") {
        return Some(Suppression {
            state: "absent".to_owned(),
            justification: Some("baselineState is `absent`: the result is gone".to_owned()),
            source: Some("sarif baseline".to_owned()),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Vulnerability> {
        let doc: Document<'_> = serde_json::from_str(text).unwrap();
        findings(doc, 0)
    }

    #[test]
    fn level_is_inherited_from_the_rule() {
        let found = read(
            r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[
              {"id":"R1","defaultConfiguration":{"level":"error"}},{"id":"R2"}]}},
              "results":[{"ruleId":"R1","ruleIndex":0},{"ruleId":"R2"},
                         {"ruleId":"R1","level":"note"},{"ruleId":"R2","kind":"pass"},
                         {"ruleId":"R2","kind":"review"}]}]}"#,
        );
        let levels: Vec<_> = found.iter().map(|f| f.level.as_deref().unwrap()).collect();
        assert_eq!(levels, ["error", "warning", "note", "none"]);
        assert_eq!(found[0].severity, VulnSeverity::High);
        assert_eq!(found[0].category, FindingCategory::Code);
        assert_eq!(found[0].source, ["sarif:t"]);
    }

    #[test]
    fn suppressions_under_review_do_not_hide() {
        let found = read(
            r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[
              {"ruleId":"R","suppressions":[{"kind":"inSource"}]},
              {"ruleId":"R","suppressions":[{"kind":"external","status":"rejected"}]},
              {"ruleId":"R","suppressions":[{"kind":"external","status":"underReview"}]},
              {"ruleId":"R","suppressions":[{"status":"accepted"},{"status":"rejected"}]},
              {"ruleId":"R","suppressions":[{"status":"underReview"},{"status":"accepted"}]},
              {"ruleId":"R","baselineState":"absent"}]}]}"#,
        );
        let suppressed: Vec<bool> = found.iter().map(|f| f.suppressed.is_some()).collect();
        assert_eq!(suppressed, [true, false, false, true, false, true]);
    }

    #[test]
    fn security_severity_and_tags() {
        let found = read(
            r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"grype","rules":[
              {"id":"CVE-1-x","properties":{"security-severity":"8.2"}},
              {"id":"CVE-2","properties":{"security-severity":"5.3","tags":["vulnerability","LOW"]}}]}},
              "results":[{"ruleId":"CVE-1-x","level":"note"},{"ruleId":"CVE-2"}]}]}"#,
        );
        assert_eq!(found[0].severity, VulnSeverity::High);
        assert_eq!(found[0].cvss, Some(8.2));
        assert_eq!(found[0].category, FindingCategory::Vulnerability);
        assert_eq!(found[1].severity, VulnSeverity::Low);
    }

    #[test]
    fn the_subject_is_named_by_run_properties_and_artifacts() {
        let claim_of = |text: &str| subject_claim(&serde_json::from_str(text).unwrap());
        // Real logs: Trivy's names an image archive (no digest), Grype's no image at all.
        let trivy =
            include_str!("../../../testdata/corpus/sarif/trivy-image-alpine-310.sarif.json");
        assert!(claim_of(trivy).is_empty());
        let grype = include_str!("../../../testdata/corpus/sarif/grype-image.sarif.json");
        assert!(claim_of(grype).is_empty());

        // Trivy's run properties for an image in a registry.
        let (index, config, file) = ("a".repeat(64), "c".repeat(64), "f".repeat(64));
        let pinned = trivy
            .replacen(
                "\"imageName\": \"testdata/fixtures/images/alpine-310.tar.gz\"",
                &format!("\"imageName\": \"ghcr.io/acme/app@sha256:{index}\""),
                1,
            )
            .replacen(
                "\"repoDigests\": null",
                &format!("\"repoDigests\": [\"ghcr.io/acme/app@sha256:{index}\"]"),
                1,
            );
        assert_ne!(pinned, trivy);
        let claim = claim_of(&pinned);
        assert_eq!(claim.referenced, std::slice::from_ref(&index));
        assert!(!claim.referenced.contains(&config));

        // Analysed artifacts: hashes are candidates, a pinned URI is a reference.
        let claim = claim_of(&format!(
            r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"t"}}}},
              "artifacts":[{{"location":{{"uri":"app.bin"}},"hashes":{{"sha-256":"{file}","md5":"x"}},"roles":["analysisTarget"]}},
                           {{"location":{{"uri":"pkg:oci/app@sha256%3A{index}"}}}}]}}]}}"#
        ));
        assert_eq!(claim.candidates, [file]);
        assert_eq!(claim.referenced, [index]);
    }
}
