//! The promotion chain and signed approvals: [`super::verify`] applied to the files a gate is
//! given.
//!
//! - [`required_stage`]: among candidate files, a stagegate VSA that verifies with a key
//!   trusted for `results` at that stage, for this digest, `PASSED`, and fresh. The gate turns
//!   a miss into the violation `stagegate.chain.<stage>`, whose message gives each candidate's
//!   reason. A result withdrawn by a verified revocation among the candidates
//!   ([`super::revocation`]) does not count.
//!
//! Signed approvals are verified with [`Verifier::verify_approval`], as part of the evidence
//! ([`super::evidence`]).

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::candidate::{Candidate, claimed_predicate_type};
use super::policy::VerificationPolicy;
use super::revocation::{Revoked, promotion_id, revocations};
use super::{Purpose, Verifier, verify_bytes};
use crate::attest::vsa::VSA_PREDICATE_TYPE;
use crate::errors::error_chain;

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

/// Finds a verified, passing, fresh result of `stage` for `subject_sha256` among `candidates`:
/// signed by a key trusted for `results` at `stage`.
pub fn required_stage(
    candidates: &[Candidate],
    stage: &str,
    subject_sha256: &str,
    verifier: &Verifier,
    max_age: Option<(Duration, DateTime<Utc>)>,
) -> Result<Accepted, Missing> {
    let policy = VerificationPolicy::stage_result(subject_sha256, stage, max_age, None);
    let revoked = Revoked::of(&revocations(candidates, stage, subject_sha256, verifier).0);
    let mut rejected = Vec::new();
    for candidate in candidates {
        if claimed_predicate_type(&candidate.bytes).as_deref() != Some(VSA_PREDICATE_TYPE) {
            continue;
        }
        match verify_bytes(
            verifier,
            &candidate.bytes,
            Purpose::Results,
            Some(stage),
            &policy,
        ) {
            Ok(verified) => {
                let id = verified.statement().and_then(promotion_id);
                if let Some(reason) = revoked.reason(id) {
                    rejected.push((candidate.path.clone(), reason.to_owned()));
                    continue;
                }
                return Ok(Accepted {
                    path: candidate.path.clone(),
                    sha256: verified.sha256().to_owned(),
                    signer: verified.signer().name.clone(),
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
