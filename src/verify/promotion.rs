//! The promotion chain and signed approvals: [`super::verify`] applied to the files a gate is
//! given.
//!
//! - [`required_stage`]: among candidate files, a stagegate VSA that verifies with the trusted
//!   keys, for this digest, that stage, `PASSED`, and fresh. The gate turns a miss into the
//!   violation `stagegate.chain.<stage>`, whose message gives each candidate's reason. A
//!   result withdrawn by a verified revocation among the candidates ([`super::revocation`])
//!   does not count.
//! - [`approvals`]: the signed approvals that verify with a trusted approver's key, for this
//!   digest and this stage. Name and role come from the trust config, never from the claim.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::policy::{PolicyErrorKind, Rule, VerificationPolicy};
use super::revocation::{Revoked, promotion_id, revocations};
use super::{TrustedKey, VerifyError, verify};
use crate::attest::approval::{APPROVAL_PREDICATE_TYPE, ApprovalPredicate};
use crate::attest::bundle::{BundleContent, SignedDocument};
use crate::attest::keys::PublicKey;
use crate::attest::vsa::VSA_PREDICATE_TYPE;

/// A file that may hold an attestation.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Where it came from (a path, for messages and `inputAttestations`).
    pub path: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A candidate that verified for a required stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Where it came from.
    pub path: String,
    /// The sha256 of its bytes.
    pub sha256: String,
    /// The trusted key that signed it.
    pub signer: String,
}

/// Why no candidate satisfied a required stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// Each candidate that was a VSA but failed, with its reason.
    pub rejected: Vec<(String, String)>,
    /// How many candidates there were in all.
    pub candidates: usize,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.rejected.is_empty() {
            write!(
                f,
                "none of the {} attestation file(s) given is a verification summary",
                self.candidates
            )
        } else {
            let reasons: Vec<String> = self
                .rejected
                .iter()
                .map(|(path, reason)| format!("`{path}`: {reason}"))
                .collect();
            f.write_str(&reasons.join("; "))
        }
    }
}

/// Finds a verified, passing, fresh result of `stage` for `subject_sha256` among `candidates`.
pub fn required_stage(
    candidates: &[Candidate],
    stage: &str,
    subject_sha256: &str,
    trusted: &[TrustedKey],
    max_age: Option<(Duration, DateTime<Utc>)>,
) -> Result<Accepted, Missing> {
    let policy = VerificationPolicy::stage_result(subject_sha256, stage, max_age, None);
    let revoked = Revoked::of(&revocations(candidates, stage, subject_sha256, trusted).0);
    let mut rejected = Vec::new();
    for candidate in candidates {
        if claimed_predicate_type(&candidate.bytes).as_deref() != Some(VSA_PREDICATE_TYPE) {
            continue;
        }
        match verify(&candidate.bytes, trusted, &policy) {
            Ok(verified) => {
                let id = verified.statement.as_ref().and_then(promotion_id);
                if let Some(reason) = revoked.reason(id) {
                    rejected.push((candidate.path.clone(), reason.to_owned()));
                    continue;
                }
                return Ok(Accepted {
                    path: candidate.path.clone(),
                    sha256: verified.sha256,
                    signer: verified.signer,
                });
            }
            Err(err) => rejected.push((candidate.path.clone(), error_chain(&err))),
        }
    }
    Err(Missing {
        rejected,
        candidates: candidates.len(),
    })
}

/// An approver trusted by `stagegate.yaml`.
#[derive(Debug, Clone)]
pub struct TrustedApprover {
    /// The approver's name.
    pub name: String,
    /// Their public key.
    pub key: PublicKey,
    /// The roles granted.
    pub roles: Vec<String>,
}

/// An approval whose signature verified with a trusted approver's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedApproval {
    /// The approver's name from the trust config.
    pub approver: String,
    /// The role from the trust config: the claimed role when the config grants it, else the
    /// first role the config grants.
    pub role: Option<String>,
    /// The stage.
    pub stage: String,
    /// When (as signed).
    pub at: String,
    /// The comment, when any.
    pub comment: Option<String>,
    /// Where it came from.
    pub path: String,
    /// The sha256 of the file.
    pub sha256: String,
}

/// The approvals among `candidates` signed by a trusted approver for this digest and stage,
/// and the reasons the other approval files did not count.
pub fn approvals(
    candidates: &[Candidate],
    approvers: &[TrustedApprover],
    subject_sha256: &str,
    stage: &str,
) -> (Vec<VerifiedApproval>, Vec<(String, String)>) {
    let trusted: Vec<TrustedKey> = approvers
        .iter()
        .map(|a| TrustedKey {
            name: a.name.clone(),
            key: a.key.clone(),
        })
        .collect();
    let policy = VerificationPolicy::builder()
        .rule(Rule::PredicateType(APPROVAL_PREDICATE_TYPE.into()))
        .rule(Rule::Subject {
            algorithm: "sha256".into(),
            value: subject_sha256.to_owned(),
        })
        .rule(Rule::Stage(stage.to_owned()))
        .build();
    let Ok(policy) = policy else {
        return (Vec::new(), Vec::new());
    };
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for candidate in candidates {
        if claimed_predicate_type(&candidate.bytes).as_deref() != Some(APPROVAL_PREDICATE_TYPE) {
            continue;
        }
        let verified = match verify(&candidate.bytes, &trusted, &policy) {
            Ok(verified) => verified,
            Err(VerifyError::Policy(PolicyErrorKind::PredicateType { .. })) => continue,
            Err(err) => {
                rejected.push((candidate.path.clone(), error_chain(&err)));
                continue;
            }
        };
        let Some(statement) = verified.statement else {
            continue;
        };
        let predicate: ApprovalPredicate = match serde_json::from_value(statement.predicate) {
            Ok(predicate) => predicate,
            Err(err) => {
                rejected.push((candidate.path.clone(), format!("malformed approval: {err}")));
                continue;
            }
        };
        let Some(approver) = approvers.iter().find(|a| a.name == verified.signer) else {
            continue;
        };
        let role = match &predicate.role {
            Some(claimed) if approver.roles.contains(claimed) => Some(claimed.clone()),
            _ => approver.roles.first().cloned(),
        };
        accepted.push(VerifiedApproval {
            approver: approver.name.clone(),
            role,
            stage: predicate.stage,
            at: predicate.approved_at,
            comment: predicate.comment,
            path: candidate.path.clone(),
            sha256: verified.sha256,
        });
    }
    (accepted, rejected)
}

/// The `predicateType` a document claims, before any verification: used only to pick which
/// files a check looks at, never to trust one.
pub fn claimed_predicate_type(bytes: &[u8]) -> Option<String> {
    let envelope = match SignedDocument::from_json(bytes).ok()? {
        SignedDocument::Envelope(envelope) => envelope,
        SignedDocument::Bundle(bundle) => match bundle.content {
            BundleContent::Dsse(envelope) => envelope,
            BundleContent::MessageSignature { .. } => return None,
        },
    };
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(rename = "predicateType")]
        predicate_type: String,
    }
    serde_json::from_slice::<Head>(&envelope.payload)
        .ok()
        .map(|h| h.predicate_type)
}

/// An error with its causes, on one line.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
