//! The two predicates a gate signs: the SLSA Verification Summary (VSA) v1, which standard
//! verifiers (Kyverno, the Sigstore policy-controller, slsa-verifier) understand, and the
//! stagegate decision predicate, which carries the whole [`Decision`].
//!
//! VSA spec: <https://slsa.dev/spec/v1.0/verification_summary>. How stagegate fills it:
//! - `verifier.id` = [`VERIFIER_ID`], `verifier.version.stagegate` = the crate version;
//! - `timeVerified` = the decision's `evaluatedAt`;
//! - `resourceUri` = the subject, `NAME@sha256:HEX` with the subject's own digest;
//! - `policy.uri` = `<config file>#stages.<stage>`, `policy.digest.sha256` = the policy-set
//!   digest (the one `stagegate verify --policy-digest` pins);
//! - `inputAttestations` = the attestation and approval files the evidence was built from and
//!   the earlier stages' bundles the promotion chain accepted, each with its sha256;
//! - `verificationResult` = `PASSED` or `FAILED`;
//! - `verifiedLevels` = `[STAGEGATE_STAGE_<stage>]` (on `PASSED` only), the custom level that
//!   names the stage (the spec reserves only the `SLSA_` prefix);
//! - `promotionId` = the decision's promotion id: an extra field (VSA readers ignore fields
//!   they do not know) that the admission webhook returns in `auditAnnotations` and that a
//!   revocation by promotion id names.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::decision::Decision;
use crate::evidence::Source;

/// `predicateType` of the SLSA Verification Summary v1.
pub const VSA_PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";
/// `predicateType` of the stagegate decision predicate.
pub const DECISION_PREDICATE_TYPE: &str = "https://stagegate.dev/decision/v1";
/// `verifier.id` in the VSAs stagegate signs.
pub const VERIFIER_ID: &str = "https://stagegate.dev/verifier/v1";
/// Prefix of the verified level that names the stage.
pub const STAGE_LEVEL_PREFIX: &str = "STAGEGATE_STAGE_";

/// The verified level naming `stage`.
pub fn stage_level(stage: &str) -> String {
    format!("{STAGE_LEVEL_PREFIX}{stage}")
}

/// The VSA v1 predicate (the fields stagegate writes and checks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationSummary {
    /// Who verified.
    pub verifier: Verifier,
    /// When (RFC 3339).
    pub time_verified: String,
    /// The artifact.
    pub resource_uri: String,
    /// The policy that was applied.
    pub policy: PolicyRef,
    /// What the decision was based on.
    #[serde(default)]
    pub input_attestations: Vec<InputAttestation>,
    /// `PASSED` or `FAILED`.
    pub verification_result: String,
    /// The levels verified; stagegate writes [`stage_level`].
    #[serde(default)]
    pub verified_levels: Vec<String>,
    /// The SLSA version the levels refer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slsa_version: Option<String>,
    /// The stagegate promotion id of the decision (an extra field; not part of SLSA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_id: Option<String>,
}

/// `verifier`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verifier {
    /// The verifier's URI.
    pub id: String,
    /// Component versions.
    #[serde(default)]
    pub version: BTreeMap<String, String>,
}

/// `policy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRef {
    /// Where the policy is.
    #[serde(default)]
    pub uri: String,
    /// Its digest (`sha256` → hex).
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

/// One entry of `inputAttestations`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InputAttestation {
    /// Where it was read from.
    pub uri: String,
    /// Its digest (`sha256` → hex).
    pub digest: BTreeMap<String, String>,
}

/// `PASSED`.
pub const PASSED: &str = "PASSED";
/// `FAILED`.
pub const FAILED: &str = "FAILED";

impl VerificationSummary {
    /// The VSA of `decision`, made with the policy at `policy_uri`, based on `inputs`.
    pub fn of(decision: &Decision, policy_uri: &str, mut inputs: Vec<InputAttestation>) -> Self {
        inputs.sort();
        inputs.dedup();
        let passed = decision.passed();
        VerificationSummary {
            verifier: Verifier {
                id: VERIFIER_ID.to_owned(),
                version: BTreeMap::from([(
                    "stagegate".to_owned(),
                    decision.stagegate_version.clone(),
                )]),
            },
            time_verified: decision.evaluated_at.clone(),
            resource_uri: resource_uri(&decision.subject.name, &decision.subject.digest.sha256),
            policy: PolicyRef {
                uri: policy_uri.to_owned(),
                digest: digest_map(&decision.policy_digest),
            },
            input_attestations: inputs,
            verification_result: if passed { PASSED } else { FAILED }.to_owned(),
            verified_levels: if passed {
                vec![stage_level(&decision.stage)]
            } else {
                Vec::new()
            },
            slsa_version: Some("1.0".to_owned()),
            promotion_id: Some(decision.promotion_id.clone()).filter(|id| !id.is_empty()),
        }
    }
}

/// `NAME@sha256:HEX` with the subject's own digest: a digest the name already carries is
/// replaced, never kept (a gate refuses a name carrying another digest before signing; this
/// keeps the URI right whatever the caller checked).
pub fn resource_uri(name: &str, sha256: &str) -> String {
    format!("{}@sha256:{sha256}", crate::digest::strip_digest(name))
}

/// `sha256:HEX` → `{sha256: HEX}`.
pub fn digest_map(prefixed: &str) -> BTreeMap<String, String> {
    match prefixed.split_once(':') {
        Some((algorithm, hex)) => BTreeMap::from([(algorithm.to_owned(), hex.to_owned())]),
        None => BTreeMap::new(),
    }
}

/// The stagegate decision predicate: the [`Decision`] as `stagegate evaluate --format json`
/// writes it, plus the evidence's sources and the inputs the promotion chain accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionPredicate {
    /// The decision.
    #[serde(flatten)]
    pub decision: Decision,
    /// Every input file of the evidence, with its digest.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// The same inputs as the VSA's `inputAttestations`.
    #[serde(default)]
    pub input_attestations: Vec<InputAttestation>,
    /// Every attestation of the evidence the decision relied on, with what stagegate's
    /// verifier found: verified or not, by whom, trusted for what, or why not.
    #[serde(default)]
    pub attestations: Vec<ReliedAttestation>,
    /// The audit chain's head right after this decision's record: `stagegate audit verify
    /// --checkpoint` finds a tail deleted after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<AuditHead>,
    /// Present only when `--effective-time` was further from the clock than the allowed skew
    /// and `--allow-effective-time` accepted it: policies saw another time than the real one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_time_override: Option<EffectiveTimeOverride>,
}

/// One attestation a decision relied on, with its verification outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReliedAttestation {
    /// The statement's predicate type.
    pub predicate_type: String,
    /// The file or registry reference it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The digest of that file (`sha256` → hex).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
    /// Whether stagegate's verifier verified it.
    pub verified: bool,
    /// Who signed it, when verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<crate::evidence::Signer>,
    /// What the signer is trusted for in it, when verified.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_for: Vec<String>,
    /// Why not verified, when not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<String>,
}

/// An audit chain head, as a signed decision names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    /// The record's sequence number.
    pub seq: u64,
    /// Its chain hash (`sha256:HEX`).
    pub hash: String,
}

/// The record of a signing gate run at an effective time away from the clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveTimeOverride {
    /// What policies saw as now (RFC 3339).
    pub effective_time: String,
    /// The clock when the gate ran (RFC 3339).
    pub clock: String,
    /// How far apart, in whole seconds.
    pub skew_seconds: u64,
    /// Always `true`: read this predicate knowing that age, expiry and waiver rules were
    /// judged at `effectiveTime`, not at `clock`.
    pub overridden: bool,
}
