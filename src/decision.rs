//! Stage 3: the [`Decision`], what a gate concluded about one artifact at one stage.
//!
//! The policy engines produce [`Finding`]s; [`Decision::new`] sorts them, decides the
//! [`Outcome`] and stamps the digests that prove what the decision was based on. Renderers in
//! `report/` and the signer in `attest/` take a finished decision and compute nothing.
//! Its JSON form is the contract published as `schemas/decision.v1.schema.json`.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::evidence::Subject;

/// The value of [`Decision::api_version`].
pub const DECISION_API_VERSION: &str = "stagegate.dev/decision/v1";

/// Pass or fail: the only two results a gate has. Errors never become a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// No violation (and no warning under `--fail-on-warn`).
    Pass,
    /// At least one violation.
    Fail,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
        })
    }
}

/// How bad a finding is. Taken from a rule's `custom.severity` METADATA or a CEL validation's
/// `severity`; the defaults are [`Severity::High`] for violations, [`Severity::Medium`] for
/// warnings.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must never reach production.
    Critical,
    /// Blocks promotion.
    High,
    /// Worth fixing soon.
    Medium,
    /// Worth knowing.
    Low,
    /// Informational.
    Info,
}

impl Severity {
    /// Reads the spellings policy authors use (`critical`, `HIGH`, `error`, `warning`, `note`,
    /// ...). Returns `None` for anything else so the caller can say where it came from.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "critical" | "fatal" | "blocker" => Some(Severity::Critical),
            "high" | "error" | "major" | "failure" => Some(Severity::High),
            "medium" | "moderate" | "warning" | "warn" => Some(Severity::Medium),
            "low" | "minor" => Some(Severity::Low),
            "info" | "informational" | "note" | "none" => Some(Severity::Info),
            _ => None,
        }
    }

    /// The lowercase name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which policy language a rule is written in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Rego, evaluated by regorus.
    Rego,
    /// CEL, evaluated by the `cel` crate.
    Cel,
    /// Checks stagegate makes itself (required evidence, promotion chain).
    Builtin,
}

/// Where a rule is written: a policy file and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct SourceLocation {
    /// The policy file, as given in `stagegate.yaml` (relative to it when it was relative).
    pub file: String,
    /// 1-based line of the rule head or the validation.
    pub line: u32,
}

/// A rule that was evaluated, with its metadata: the catalogue SARIF and JUnit need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleInfo {
    /// Stable id: `<package>.<rule>`, a METADATA `custom.short_name`, or a CEL validation id.
    pub id: String,
    /// The language it is written in.
    pub engine: Engine,
    /// Where it is written; absent for built-in checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceLocation>,
    /// METADATA `title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// METADATA `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The severity its findings get unless a finding says otherwise.
    pub severity: Severity,
    /// Whether it reports warnings (`warn*` rules, CEL `severity: warning`) rather than violations.
    pub warning: bool,
    /// Other METADATA (`custom.*`, `related_resources`, ...), kept as written.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub metadata: Map<String, Value>,
}

/// One thing a policy found wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The id of the [`RuleInfo`] that produced it.
    pub rule: String,
    /// What is wrong, as the policy said it.
    pub message: String,
    /// How bad it is.
    pub severity: Severity,
    /// Where the rule is written; absent for built-in checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceLocation>,
    /// The rule's title, copied for renderers that show one finding at a time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Every other field of the rule's result object (conftest's convention), as written.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub details: Map<String, Value>,
}

/// A finding that would have failed the gate (or warned), set aside by a waiver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaivedFinding {
    /// The finding as the policy reported it.
    pub finding: Finding,
    /// Whether it was a warning rather than a violation.
    #[serde(default)]
    pub warning: bool,
    /// The waiver that applied.
    pub waiver: AppliedWaiver,
}

/// The waiver that set a [`WaivedFinding`] aside, as recorded in the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppliedWaiver {
    /// The waiver's id (`id:`, else `<file>:<line>`).
    pub id: String,
    /// Why the finding is accepted.
    pub reason: String,
    /// The ticket tracking the fix.
    pub ticket: String,
    /// Who approved the waiver.
    pub approved_by: String,
    /// When it stops applying (RFC 3339, UTC).
    pub expires: String,
    /// Where the waiver is written.
    pub source: SourceLocation,
    /// The trusted approver whose DSSE signature covers the waiver, when it was signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
}

/// What the gate concluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Always [`DECISION_API_VERSION`].
    pub api_version: String,
    /// The stage that was gated.
    pub stage: String,
    /// The artifact.
    pub subject: Subject,
    /// Pass or fail.
    pub result: Outcome,
    /// Findings that fail the gate, sorted by rule, then message.
    pub violations: Vec<Finding>,
    /// Findings that do not fail the gate (unless `--fail-on-warn`), sorted likewise.
    pub warnings: Vec<Finding>,
    /// Findings a waiver (`waivers:` in `stagegate.yaml`) set aside, each with the waiver that
    /// applied, sorted likewise. They do not fail the gate; absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waived: Vec<WaivedFinding>,
    /// Every rule that was evaluated, sorted by id.
    pub rules: Vec<RuleInfo>,
    /// A UUIDv7 naming this promotion attempt.
    pub promotion_id: String,
    /// When the evaluation ran (RFC 3339, UTC).
    pub evaluated_at: String,
    /// The time policies saw as `now` (RFC 3339, UTC); equals `evaluatedAt` unless fixed.
    pub effective_time: String,
    /// `sha256:<hex>` over the sorted policy and data files and their paths.
    pub policy_digest: String,
    /// `sha256:<hex>` of the evidence bytes as read.
    pub evidence_digest: String,
    /// Whether warnings counted as failures.
    #[serde(default)]
    pub fail_on_warn: bool,
    /// The stagegate version that decided.
    pub stagegate_version: String,
}

/// Everything but the findings that a [`Decision`] records.
#[derive(Debug, Clone)]
pub struct DecisionContext {
    /// The stage that was gated.
    pub stage: String,
    /// The artifact.
    pub subject: Subject,
    /// The promotion id (UUIDv7).
    pub promotion_id: String,
    /// When the evaluation ran.
    pub evaluated_at: chrono::DateTime<chrono::Utc>,
    /// What policies saw as `now`.
    pub effective_time: chrono::DateTime<chrono::Utc>,
    /// `sha256:<hex>` of the policy set.
    pub policy_digest: String,
    /// `sha256:<hex>` of the evidence.
    pub evidence_digest: String,
    /// Whether warnings fail the gate.
    pub fail_on_warn: bool,
}

impl Decision {
    /// Builds the decision from the evaluated rules and their findings: sorts everything into a
    /// deterministic order and decides the outcome.
    pub fn new(
        context: DecisionContext,
        rules: Vec<RuleInfo>,
        violations: Vec<Finding>,
        warnings: Vec<Finding>,
    ) -> Decision {
        Decision::with_waived(context, rules, violations, warnings, Vec::new())
    }

    /// [`Decision::new`] with the findings waivers set aside: they are kept (sorted like the
    /// others) but never fail the gate.
    pub fn with_waived(
        context: DecisionContext,
        mut rules: Vec<RuleInfo>,
        mut violations: Vec<Finding>,
        mut warnings: Vec<Finding>,
        mut waived: Vec<WaivedFinding>,
    ) -> Decision {
        rules.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.source.cmp(&b.source)));
        rules.dedup_by(|a, b| a.id == b.id && a.source == b.source);
        sort_findings(&mut violations);
        sort_findings(&mut warnings);
        waived.sort_by(|a, b| {
            compare_findings(&a.finding, &b.finding).then_with(|| a.waiver.id.cmp(&b.waiver.id))
        });
        let failed = !violations.is_empty() || (context.fail_on_warn && !warnings.is_empty());
        Decision {
            api_version: DECISION_API_VERSION.to_owned(),
            stage: context.stage,
            subject: context.subject,
            result: if failed { Outcome::Fail } else { Outcome::Pass },
            violations,
            warnings,
            waived,
            rules,
            promotion_id: context.promotion_id,
            evaluated_at: rfc3339(context.evaluated_at),
            effective_time: rfc3339(context.effective_time),
            policy_digest: context.policy_digest,
            evidence_digest: context.evidence_digest,
            fail_on_warn: context.fail_on_warn,
            stagegate_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// Whether the artifact may be promoted.
    pub fn passed(&self) -> bool {
        self.result == Outcome::Pass
    }

    /// The findings of one rule, violations first.
    pub fn findings_of<'a>(&'a self, rule: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.violations
            .iter()
            .chain(self.warnings.iter())
            .filter(move |finding| finding.rule == rule)
    }
}

/// Formats a time the way every stagegate document does: RFC 3339, UTC, whole seconds
/// unless sub-second precision was given.
pub fn rfc3339(time: chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(compare_findings);
}

fn compare_findings(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    a.rule
        .cmp(&b.rule)
        .then_with(|| a.message.cmp(&b.message))
        .then_with(|| a.source.cmp(&b.source))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, message: &str) -> Finding {
        Finding {
            rule: rule.to_owned(),
            message: message.to_owned(),
            severity: Severity::High,
            source: None,
            title: None,
            details: Map::new(),
        }
    }

    fn context(fail_on_warn: bool) -> DecisionContext {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        DecisionContext {
            stage: "staging".to_owned(),
            subject: Subject::default(),
            promotion_id: "p".to_owned(),
            evaluated_at: now,
            effective_time: now,
            policy_digest: "sha256:00".to_owned(),
            evidence_digest: "sha256:11".to_owned(),
            fail_on_warn,
        }
    }

    #[test]
    fn no_findings_pass() {
        let decision = Decision::new(context(false), vec![], vec![], vec![]);
        assert!(decision.passed());
        assert_eq!(decision.evaluated_at, "2023-11-14T22:13:20Z");
    }

    #[test]
    fn violations_fail_and_are_sorted() {
        let decision = Decision::new(
            context(false),
            vec![],
            vec![finding("b", "x"), finding("a", "z"), finding("a", "y")],
            vec![],
        );
        assert_eq!(decision.result, Outcome::Fail);
        let order: Vec<_> = decision
            .violations
            .iter()
            .map(|f| format!("{}:{}", f.rule, f.message))
            .collect();
        assert_eq!(order, ["a:y", "a:z", "b:x"]);
    }

    #[test]
    fn warnings_fail_only_when_asked() {
        let warn = || vec![finding("w", "careful")];
        assert!(Decision::new(context(false), vec![], vec![], warn()).passed());
        assert!(!Decision::new(context(true), vec![], vec![], warn()).passed());
    }

    #[test]
    fn waived_findings_do_not_fail() {
        let waived = WaivedFinding {
            finding: finding("a", "CVE-1"),
            warning: false,
            waiver: AppliedWaiver {
                id: "W-1".to_owned(),
                reason: "not reachable".to_owned(),
                ticket: "SEC-1".to_owned(),
                approved_by: "alice".to_owned(),
                expires: "2030-01-01T00:00:00Z".to_owned(),
                source: SourceLocation {
                    file: "stagegate.yaml".to_owned(),
                    line: 3,
                },
                signed_by: None,
            },
        };
        let decision = Decision::with_waived(context(false), vec![], vec![], vec![], vec![waived]);
        assert!(decision.passed());
        assert_eq!(decision.waived.len(), 1);
    }

    #[test]
    fn severity_spellings() {
        assert_eq!(Severity::parse("HIGH"), Some(Severity::High));
        assert_eq!(Severity::parse("warning"), Some(Severity::Medium));
        assert_eq!(Severity::parse("note"), Some(Severity::Info));
        assert_eq!(Severity::parse("purple"), None);
    }
}
