//! The built-in `require_evidence` checks: a kind of evidence a stage requires but the
//! evidence lacks is the violation `stagegate.evidence.<kind>.missing`, so missing evidence
//! never passes silently because no policy happened to look at it.

use serde_json::{Map, Value};

use crate::decision::{Engine, Finding, RuleInfo, Severity};

/// What counts as present for each kind: the key exists and is not null; `approvals`,
/// `attestations` and `sbom.components` must also be non-empty; `provenance` needs an
/// attestation whose predicate type is SLSA provenance.
fn present(kind: &str, evidence: &Value) -> bool {
    let non_empty = |v: Option<&Value>| match v {
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    };
    match kind {
        "sbom" => non_empty(evidence.pointer("/sbom/components")),
        "approvals" => non_empty(evidence.get("approvals")),
        "attestations" => non_empty(evidence.get("attestations")),
        "provenance" => evidence
            .get("attestations")
            .and_then(Value::as_array)
            .is_some_and(|items| {
                items.iter().any(|a| {
                    a.get("predicateType")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.starts_with("https://slsa.dev/provenance/"))
                })
            }),
        other => !matches!(evidence.get(other), None | Some(Value::Null)),
    }
}

/// The rule id for a missing kind.
pub fn rule_id(kind: &str) -> String {
    format!("stagegate.evidence.{kind}.missing")
}

/// The rules checked and the violations found.
pub fn check(required: &[String], evidence: &Value) -> (Vec<RuleInfo>, Vec<Finding>) {
    let mut rules = Vec::new();
    let mut violations = Vec::new();
    for kind in required {
        let info = RuleInfo {
            id: rule_id(kind),
            engine: Engine::Builtin,
            source: None,
            title: Some(format!("Required evidence: {kind}")),
            description: Some(format!(
                "The stage requires `{kind}` evidence; without it the artifact is not promoted."
            )),
            severity: Severity::High,
            warning: false,
            metadata: Map::new(),
        };
        if !present(kind, evidence) {
            violations.push(Finding {
                rule: info.id.clone(),
                message: format!("required evidence `{kind}` is missing"),
                severity: Severity::High,
                source: None,
                title: info.title.clone(),
                details: Map::new(),
            });
        }
        rules.push(info);
    }
    (rules, violations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_and_empty_kinds_are_violations() {
        let evidence = json!({"sbom": {"components": []}, "vulnerabilities": [], "approvals": []});
        let kinds: Vec<String> = [
            "sbom",
            "vulnerabilities",
            "tests",
            "approvals",
            "provenance",
        ]
        .map(String::from)
        .to_vec();
        let (rules, violations) = check(&kinds, &evidence);
        assert_eq!(rules.len(), 5);
        let ids: Vec<_> = violations.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            ids,
            [
                "stagegate.evidence.sbom.missing",
                "stagegate.evidence.tests.missing",
                "stagegate.evidence.approvals.missing",
                "stagegate.evidence.provenance.missing"
            ]
        );
    }
}
