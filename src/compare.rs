//! Comparing two [`Decision`]s about the same evidence: the verdict of each and every finding
//! one has that the other has not. Its main type is [`DecisionDiff`].
//!
//! `stagegate replay` asks it whether a re-evaluation reproduces a signed decision, and
//! `stagegate impact` what a policy change would do to each evidence document. A finding is
//! compared by what a reader sees: its kind (violation, warning, waived), rule id, message,
//! severity and, when waived, the waiver's id. Its source line and `details` are not compared:
//! moving a rule down a file changes neither what was found nor the verdict.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use std::collections::BTreeMap;

use serde::Serialize;

use crate::decision::{Decision, Finding, Outcome, Severity};

/// Which list of a [`Decision`] a finding is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// A finding that fails the gate.
    Violation,
    /// A finding that does not (unless `fail_on_warn`).
    Warning,
    /// A finding a waiver set aside.
    Waived,
}

impl FindingKind {
    /// The lowercase name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Violation => "violation",
            FindingKind::Warning => "warning",
            FindingKind::Waived => "waived",
        }
    }
}

/// A finding as compared: what a reader of the decision sees.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FindingKey {
    /// Which list it is in.
    pub kind: FindingKind,
    /// The rule id.
    pub rule: String,
    /// The message.
    pub message: String,
    /// The severity.
    pub severity: Severity,
    /// The waiver that set it aside (waived findings only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<String>,
}

impl FindingKey {
    fn of(kind: FindingKind, finding: &Finding, waiver: Option<&str>) -> FindingKey {
        FindingKey {
            kind,
            rule: finding.rule.clone(),
            message: finding.message.clone(),
            severity: finding.severity,
            waiver: waiver.map(str::to_owned),
        }
    }
}

/// Every finding of a decision, as compared, sorted.
pub fn finding_keys(decision: &Decision) -> Vec<FindingKey> {
    let mut keys: Vec<FindingKey> =
        decision
            .violations
            .iter()
            .map(|f| FindingKey::of(FindingKind::Violation, f, None))
            .chain(
                decision
                    .warnings
                    .iter()
                    .map(|f| FindingKey::of(FindingKind::Warning, f, None)),
            )
            .chain(decision.waived.iter().map(|w| {
                FindingKey::of(FindingKind::Waived, &w.finding, Some(w.waiver.id.as_str()))
            }))
            .collect();
    keys.sort();
    keys
}

/// How two decisions differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionDiff {
    /// The first decision's verdict (the recorded one, or the old policies').
    pub before: Outcome,
    /// The second decision's verdict.
    pub after: Outcome,
    /// Findings only the second has, sorted.
    pub added: Vec<FindingKey>,
    /// Findings only the first has, sorted.
    pub removed: Vec<FindingKey>,
}

impl DecisionDiff {
    /// Compares `before` with `after`. Findings are counted, so a finding reported twice in one
    /// and once in the other is a difference.
    pub fn between(before: &Decision, after: &Decision) -> DecisionDiff {
        let mut counts: BTreeMap<FindingKey, i64> = BTreeMap::new();
        for key in finding_keys(before) {
            *counts.entry(key).or_default() -= 1;
        }
        for key in finding_keys(after) {
            *counts.entry(key).or_default() += 1;
        }
        let mut added = Vec::new();
        let mut removed = Vec::new();
        for (key, count) in counts {
            for _ in 0..count.max(0) {
                added.push(key.clone());
            }
            for _ in 0..(-count).max(0) {
                removed.push(key.clone());
            }
        }
        DecisionDiff {
            before: before.result,
            after: after.result,
            added,
            removed,
        }
    }

    /// Whether the verdict and every finding are the same.
    pub fn is_identical(&self) -> bool {
        self.before == self.after && self.added.is_empty() && self.removed.is_empty()
    }

    /// Whether a promotion that passed would now fail.
    pub fn newly_fails(&self) -> bool {
        self.before == Outcome::Pass && self.after == Outcome::Fail
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{DecisionContext, Finding, Severity};

    fn finding(rule: &str, message: &str) -> Finding {
        Finding {
            rule: rule.to_owned(),
            message: message.to_owned(),
            severity: Severity::High,
            source: None,
            title: None,
            details: Default::default(),
        }
    }

    fn decision(violations: Vec<Finding>, warnings: Vec<Finding>) -> Decision {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        Decision::new(
            DecisionContext {
                stage: "dev".to_owned(),
                subject: Default::default(),
                promotion_id: "p".to_owned(),
                evaluated_at: now,
                effective_time: now,
                policy_digest: "sha256:00".to_owned(),
                evidence_digest: "sha256:11".to_owned(),
                fail_on_warn: false,
            },
            vec![],
            violations,
            warnings,
        )
    }

    #[test]
    fn pass_identical_decisions() {
        let a = decision(vec![finding("a", "x")], vec![finding("w", "y")]);
        let b = decision(vec![finding("a", "x")], vec![finding("w", "y")]);
        assert!(DecisionDiff::between(&a, &b).is_identical());
    }

    #[test]
    fn fail_added_violation_newly_fails() {
        let diff = DecisionDiff::between(
            &decision(vec![], vec![]),
            &decision(vec![finding("a", "x")], vec![]),
        );
        assert!(diff.newly_fails());
        assert_eq!(diff.added.len(), 1);
        assert!(diff.removed.is_empty());
    }

    #[test]
    fn fail_same_finding_as_warning_is_a_change() {
        let diff = DecisionDiff::between(
            &decision(vec![finding("a", "x"), finding("a", "x")], vec![]),
            &decision(vec![finding("a", "x")], vec![finding("a", "x")]),
        );
        assert!(!diff.is_identical());
        assert!(!diff.newly_fails());
        assert_eq!((diff.added.len(), diff.removed.len()), (1, 1));
    }
}
