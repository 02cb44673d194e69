//! Signed revocations: an in-toto Statement whose subject is an artifact that passed a stage
//! and whose predicate withdraws that result, written by `stagegate revoke` as a Sigstore
//! bundle v0.3 like any other attestation and pushable as an OCI referrer of the image.
//!
//! A revocation names the stage it withdraws the artifact from and why. With `promotionId` it
//! withdraws only the result of that promotion (another passing result for the same digest,
//! say one re-gated under a new key, still counts); without, it withdraws the digest from the
//! stage whatever result it carries. The predicate's `revoker` is a claim: a revocation counts
//! only when its signature verifies with a key trusted for the stage's results (see
//! `verify::revocation`).

use serde::{Deserialize, Serialize};

/// `predicateType` of a stagegate revocation.
pub const REVOCATION_PREDICATE_TYPE: &str = "https://stagegate.dev/revocation/v1";

/// The revocation predicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevocationPredicate {
    /// The stage the artifact is withdrawn from.
    pub stage: String,
    /// Why (shown in every denial it causes).
    pub reason: String,
    /// When (RFC 3339, UTC).
    pub revoked_at: String,
    /// Only the result of this promotion is withdrawn (absent: every result of the digest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_id: Option<String>,
    /// Who claims to revoke (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoker: Option<String>,
}
