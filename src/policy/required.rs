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
    /// Whether it is the boolean `true`.
    fn is_true(&self) -> bool;
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
    fn is_true(&self) -> bool {
        self.as_bool() == Some(true)
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
    fn is_true(&self) -> bool {
        matches!(self, regorus::Value::Bool(true))
    }
}

/// What counts as present for each kind: the key exists and is not null; `approvals` and
/// `sbom.components` must also be non-empty when they are lists. Where a signature is the
/// point, only a verified attestation counts (`verified` is set by stagegate's verifier
/// alone): `attestations` needs one, `provenance` one whose predicate type is SLSA
/// provenance (so its signer is trusted for `provenance` or for any `attestations`).
fn present<D: Document>(kind: &str, evidence: &D) -> bool {
    let non_empty =
        |v: Option<&D>| v.is_some_and(|v| v.items().is_none_or(|items| !items.is_empty()));
    let verified = |accept: &dyn Fn(&D) -> bool| {
        evidence
            .member("attestations")
            .and_then(Document::items)
            .is_some_and(|items| {
                items
                    .iter()
                    .any(|a| a.member("verified").is_some_and(Document::is_true) && accept(a))
            })
    };
    match kind {
        "sbom" => non_empty(evidence.member("sbom").and_then(|s| s.member("components"))),
        "approvals" => non_empty(evidence.member("approvals")),
        "attestations" => verified(&|_| true),
        "provenance" => verified(&|a| {
            a.member("predicateType")
                .and_then(Document::text)
                .is_some_and(|t| t.starts_with("https://slsa.dev/provenance/"))
        }),
        other => evidence.member(other).is_some(),
    }
}

/// The violation's message for a missing kind.
fn missing_message(kind: &str) -> String {
    match kind {
        "provenance" => "required evidence `provenance` is missing: no verified SLSA provenance (it counts only when stagegate verified its signature with a key trusted for `provenance` or `attestations`)".to_owned(),
        "attestations" => "required evidence `attestations` is missing: no verified attestation (one counts only when stagegate verified its signature with a trusted key)".to_owned(),
        _ => format!("required evidence `{kind}` is missing"),
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
                message: missing_message(kind),
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
        let evidence = json!({"sbom": {"components": []}, "vulnerabilities": [], "approvals": [],
            "attestations": [{"predicateType": "https://slsa.dev/provenance/v1", "verified": false}]});
        let kinds: Vec<String> = [
            "sbom",
            "vulnerabilities",
            "tests",
            "approvals",
            "provenance",
            "attestations",
        ]
        .map(String::from)
        .to_vec();
        let (rules, violations) = check(&kinds, &evidence);
        assert_eq!(rules.len(), 6);
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
                "stagegate.evidence.provenance.missing",
                "stagegate.evidence.attestations.missing"
            ]
        );
        assert!(
            violations[3]
                .message
                .contains("no verified SLSA provenance")
        );
    }

    #[test]
    fn a_verified_provenance_is_present() {
        let evidence = json!({"attestations": [
            {"predicateType": "https://slsa.dev/provenance/v1", "verified": true}]});
        let kinds = vec!["provenance".to_owned(), "attestations".to_owned()];
        assert!(check(&kinds, &evidence).1.is_empty());
        assert!(check(&kinds, &regorus::Value::from(evidence)).1.is_empty());
    }
}
