//! Signed approvals: an in-toto Statement whose subject is the artifact and whose predicate
//! says who approved its promotion to which stage, written by `stagegate approve` as a
//! Sigstore bundle like any other attestation.
//!
//! The predicate's `approver` and `role` are claims. The gate trusts neither: an approval
//! counts only when its signature verifies against a key listed in `trust.approvers`, and the
//! approver's name and role then come from that entry (see `verify::approvals`).

use serde::{Deserialize, Serialize};

/// `predicateType` of a stagegate approval.
pub const APPROVAL_PREDICATE_TYPE: &str = "https://stagegate.dev/approval/v1";

/// The approval predicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApprovalPredicate {
    /// The stage the promotion is approved for.
    pub stage: String,
    /// When (RFC 3339, UTC).
    pub approved_at: String,
    /// Who claims to approve (informational; the trust config names the approver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    /// The role claimed (informational; the trust config grants roles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Free text (a change ticket, a reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}
