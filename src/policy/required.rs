//! The built-in `require_evidence` checks: a kind of evidence a stage requires but the
//! evidence lacks is the violation `stagegate.evidence.<kind>.missing`, so missing evidence
//! never passes silently because no policy happened to look at it.

use serde_json::{Map, Value};

use crate::decision::{Engine, Finding, RuleInfo, Severity};

/// The little of a document the checks read, in either engine's form of it: the checks run
/// on whichever form the stage's policies already built, rather than building another.
pub trait Document {
    /// The member `key` of an object; `None` when absent, null, or not an object.
    fn member(&self, key: &str) -> Option<&Self>;
    /// The items of an array; `None` when not an array.
    fn items(&self) -> Option<Vec<&Self>>;
    /// The text of a string; `None` when not a string.
    fn text(&self) -> Option<&str>;
}

impl Document for Value {
    fn member(&self, key: &str) -> Option<&Self> {
        self.get(key).filter(|v| !v.is_null())
    }
    fn items(&self) -> Option<Vec<&Self>> {
        self.as_array().map(|items| items.iter().collect())
    }
    fn text(&self) -> Option<&str> {
        self.as_str()
    }
}

impl Document for regorus::Value {
    fn member(&self, key: &str) -> Option<&Self> {
        let object = self.as_object().ok()?;
        object
            .get(&regorus::Value::from(key))
            .filter(|v| !matches!(v, regorus::Value::Null | regorus::Value::Undefined))
    }
    fn items(&self) -> Option<Vec<&Self>> {
        self.as_array().ok().map(|items| items.iter().collect())
    }
    fn text(&self) -> Option<&str> {
        self.as_string().ok().map(|s| s.as_ref())
    }
}

/// What counts as present for each kind: the key exists and is not null; `approvals`,
/// `attestations` and `sbom.components` must also be non-empty when they are lists;
/// `provenance` needs an attestation whose predicate type is SLSA provenance.
fn present<D: Document>(kind: &str, evidence: &D) -> bool {
    let non_empty =
        |v: Option<&D>| v.is_some_and(|v| v.items().is_none_or(|items| !items.is_empty()));
    match kind {
        "sbom" => non_empty(evidence.member("sbom").and_then(|s| s.member("components"))),
        "approvals" => non_empty(evidence.member("approvals")),
        "attestations" => non_empty(evidence.member("attestations")),
        "provenance" => evidence
            .member("attestations")
            .and_then(Document::items)
            .is_some_and(|items| {
                items.iter().any(|a| {
                    a.member("predicateType")
                        .and_then(Document::text)
                        .is_some_and(|t| t.starts_with("https://slsa.dev/provenance/"))
                })
            }),
        other => evidence.member(other).is_some(),
    }
}

/// The rule id for a missing kind.
pub fn rule_id(kind: &str) -> String {
    format!("stagegate.evidence.{kind}.missing")
}

/// The rules checked and the violations found.
pub fn check<D: Document>(required: &[String], evidence: &D) -> (Vec<RuleInfo>, Vec<Finding>) {
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
        let rego = regorus::Value::from(evidence.clone());
        let (_, rego_violations) = check(&kinds, &rego);
        assert_eq!(
            rego_violations, violations,
            "both forms of a document agree"
        );
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
