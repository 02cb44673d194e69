//! `stagegate replay`'s report: whether a re-evaluation reproduces a signed decision, what it
//! was compared on, and each finding only in the record or only in the replay.

use serde::Serialize;

use crate::compare::{DecisionDiff, FindingKey};

/// What `replay --format json` writes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport<'a> {
    /// Whether the replay reproduces the signed decision.
    pub identical: bool,
    /// The signed decision's promotion id.
    pub promotion_id: &'a str,
    /// Its stage.
    pub stage: &'a str,
    /// Its subject, `NAME@sha256:HEX`.
    pub subject: String,
    /// Its effective time, at which the replay evaluated.
    pub effective_time: &'a str,
    /// The policy digest both share.
    pub policy_digest: &'a str,
    /// The evidence digest recorded.
    pub evidence_digest: &'a str,
    /// Promotion-chain findings copied from the record, not re-checked.
    pub chain_findings_from_record: usize,
    /// Whether the bundle's signature was checked (`--key`).
    pub signature_checked: bool,
    /// How the verdict and findings differ.
    #[serde(flatten)]
    pub diff: &'a DecisionDiff,
}

/// The text report: the verdict, what was compared, and every finding that differs.
pub fn text(report: &ReplayReport<'_>) -> String {
    let mut out = String::new();
    let diff = report.diff;
    out.push_str(if report.identical {
        "IDENTICAL: the replay reproduces the signed decision\n"
    } else {
        "DIFFERENT: the replay does not reproduce the signed decision\n"
    });
    out.push_str(&format!(
        "  promotion {} at stage `{}` of {}\n  effective time {}, policies {}, evidence {}\n",
        report.promotion_id,
        report.stage,
        report.subject,
        report.effective_time,
        report.policy_digest,
        report.evidence_digest
    ));
    out.push_str(&format!(
        "  verdict: recorded {}, replayed {}\n",
        diff.before, diff.after
    ));
    if report.chain_findings_from_record > 0 {
        out.push_str(&format!(
            "  {} promotion-chain finding(s) taken from the record (not re-checked)\n",
            report.chain_findings_from_record
        ));
    }
    for (sign, keys) in [("-", &diff.removed), ("+", &diff.added)] {
        for key in keys {
            out.push_str(&format!("  {sign} {}\n", describe(key)));
        }
    }
    if !diff.removed.is_empty() || !diff.added.is_empty() {
        out.push_str("  (- only in the signed decision, + only in the replay)\n");
    }
    out
}

/// One line for a finding: kind, rule, severity, message, waiver.
pub fn describe(key: &FindingKey) -> String {
    let waiver = key
        .waiver
        .as_deref()
        .map(|w| format!(" (waiver `{w}`)"))
        .unwrap_or_default();
    format!(
        "{} `{}` [{}]: {}{waiver}",
        key.kind.as_str(),
        key.rule,
        key.severity,
        key.message
    )
}
