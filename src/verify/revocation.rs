//! Signed revocations ([`crate::attest::revocation`]): which of them count, and what they
//! withdraw. `stagegate serve`, `stagegate verify --stage` and the promotion chain all ask
//! here.
//!
//! A revocation counts when its signature verifies with a key trusted for the stage's results
//! (the [`Verifier`], as for the results it withdraws), it is about the digest in
//! question and it names the stage. What it withdraws is a [`Revoked`]: the whole digest, or
//! the results of named promotions. Revocations that do not verify are returned with their
//! reason and never withdraw anything (an unsigned revocation would let anyone who can push
//! to the registry deny a release).

use std::collections::BTreeMap;

use serde_json::Value;

use super::candidate::{Candidate, claimed_predicate_type};
use super::policy::{Rule, VerificationPolicy};
use super::{Purpose, Verifier, verify_bytes};
use crate::attest::revocation::{REVOCATION_PREDICATE_TYPE, RevocationPredicate};
use crate::attest::statement::Statement;
use crate::errors::error_chain;

/// A revocation whose signature verified with a key trusted for the stage's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRevocation {
    /// The stage it withdraws the artifact from.
    pub stage: String,
    /// Why.
    pub reason: String,
    /// When (as signed).
    pub revoked_at: String,
    /// Only this promotion's result, when set.
    pub promotion_id: Option<String>,
    /// The trusted key that signed it.
    pub signer: String,
    /// Where it came from.
    pub path: String,
}

/// The revocations among `candidates` that verify for this digest and stage — signed by a key
/// `verifier` trusts for the stage's `results` — and why the other revocation files did not
/// count.
pub fn revocations(
    candidates: &[Candidate],
    stage: &str,
    subject_sha256: &str,
    verifier: &Verifier,
) -> (Vec<VerifiedRevocation>, Vec<(String, String)>) {
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    let policy = VerificationPolicy::builder()
        .rule(Rule::PredicateType(REVOCATION_PREDICATE_TYPE.into()))
        .rule(Rule::Subject {
            algorithm: "sha256".into(),
            value: subject_sha256.to_owned(),
        })
        .rule(Rule::Stage(stage.to_owned()))
        .build();
    let Ok(policy) = policy else {
        return (accepted, rejected);
    };
    for candidate in candidates {
        if claimed_predicate_type(&candidate.bytes).as_deref() != Some(REVOCATION_PREDICATE_TYPE) {
            continue;
        }
        let verified = match verify_bytes(
            verifier,
            &candidate.bytes,
            Purpose::Results,
            Some(stage),
            &policy,
        ) {
            Ok(verified) => verified,
            Err(err) => {
                rejected.push((candidate.path.clone(), error_chain(&err)));
                continue;
            }
        };
        let signer = verified.signer().name.clone();
        let Some(statement) = verified.into_statement() else {
            continue;
        };
        match serde_json::from_value::<RevocationPredicate>(statement.predicate) {
            Ok(predicate) => accepted.push(VerifiedRevocation {
                stage: predicate.stage,
                reason: predicate.reason,
                revoked_at: predicate.revoked_at,
                promotion_id: predicate.promotion_id,
                signer,
                path: candidate.path.clone(),
            }),
            Err(err) => {
                rejected.push((
                    candidate.path.clone(),
                    format!("malformed revocation: {err}"),
                ));
            }
        }
    }
    (accepted, rejected)
}

/// What is withdrawn for one (digest, stage): the digest as a whole, and results by promotion
/// id. Each value is the reason a denial gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revoked {
    /// The digest is withdrawn whatever result it carries.
    pub digest: Option<String>,
    /// Promotion id → reason.
    pub promotions: BTreeMap<String, String>,
}

impl Revoked {
    /// Adds a verified revocation.
    pub fn add(&mut self, revocation: &VerifiedRevocation) {
        let reason = format!(
            "revoked by `{}` at {}: {}",
            revocation.signer, revocation.revoked_at, revocation.reason
        );
        match &revocation.promotion_id {
            Some(id) => {
                self.promotions.entry(id.clone()).or_insert(reason);
            }
            None => {
                self.digest.get_or_insert(reason);
            }
        }
    }

    /// Adds the verified revocations.
    pub fn of(revocations: &[VerifiedRevocation]) -> Revoked {
        let mut revoked = Revoked::default();
        for revocation in revocations {
            revoked.add(revocation);
        }
        revoked
    }

    /// Why a result of promotion `promotion_id` (if known) for this digest does not count, or
    /// `None` when nothing withdraws it.
    pub fn reason(&self, promotion_id: Option<&str>) -> Option<&str> {
        self.digest.as_deref().or_else(|| {
            promotion_id
                .and_then(|id| self.promotions.get(id))
                .map(String::as_str)
        })
    }

    /// Nothing is withdrawn.
    pub fn is_empty(&self) -> bool {
        self.digest.is_none() && self.promotions.is_empty()
    }
}

/// The promotion id a verified stagegate VSA (or decision) carries, if any.
pub fn promotion_id(statement: &Statement) -> Option<&str> {
    statement
        .predicate
        .get("promotionId")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::keys::SigningKey;
    use crate::attest::sign_statement;
    use crate::attest::statement::ResourceDescriptor;
    use crate::verify::{Trust, TrustedKey};

    const DIGEST: &str = "ab";

    fn revocation(key: &SigningKey, stage: &str, promotion: Option<&str>) -> Candidate {
        let statement = Statement::new(
            ResourceDescriptor::sha256("app", DIGEST),
            REVOCATION_PREDICATE_TYPE,
            RevocationPredicate {
                stage: stage.into(),
                reason: "CVE-2026-0001".into(),
                revoked_at: "2026-12-01T00:00:00Z".into(),
                promotion_id: promotion.map(str::to_owned),
                revoker: None,
            },
        );
        Candidate {
            path: format!("{stage}.json"),
            bytes: sign_statement(&statement, key)
                .unwrap()
                .to_json()
                .unwrap()
                .into_bytes(),
        }
    }

    fn trusted(key: &SigningKey) -> Verifier {
        Verifier::new(&Trust::with_keys(vec![TrustedKey::for_results(
            "gate",
            key.public_key(),
        )]))
    }

    #[test]
    fn pass() {
        let key = SigningKey::generate_p256();
        let candidates = [
            revocation(&key, "prod", None),
            revocation(&key, "prod", Some("p-1")),
        ];
        let (found, rejected) = revocations(&candidates, "prod", DIGEST, &trusted(&key));
        assert_eq!(found.len(), 2, "{rejected:?}");
        let revoked = Revoked::of(&found);
        assert!(revoked.reason(None).unwrap().contains("CVE-2026-0001"));
        let only_promotion = Revoked::of(&found[1..]);
        assert!(only_promotion.reason(Some("p-1")).is_some());
        assert!(only_promotion.reason(Some("p-2")).is_none());
        assert!(only_promotion.reason(None).is_none());
    }

    #[test]
    fn fail() {
        let key = SigningKey::generate_p256();
        // Another stage's revocation does not withdraw this stage's result.
        let (found, _) = revocations(
            &[revocation(&key, "staging", None)],
            "prod",
            DIGEST,
            &trusted(&key),
        );
        assert!(found.is_empty());
        // An untrusted signer's revocation does not count, and says why.
        let (found, rejected) = revocations(
            &[revocation(&SigningKey::generate_p256(), "prod", None)],
            "prod",
            DIGEST,
            &trusted(&key),
        );
        assert!(found.is_empty());
        assert_eq!(rejected.len(), 1);
        // A key trusted for provenance only cannot withdraw a result.
        let builder = Verifier::new(&Trust::with_keys(vec![TrustedKey {
            purposes: vec![crate::verify::Purpose::Provenance],
            ..TrustedKey::for_results("builder", key.public_key())
        }]));
        let (found, rejected) =
            revocations(&[revocation(&key, "prod", None)], "prod", DIGEST, &builder);
        assert!(found.is_empty());
        assert!(rejected[0].1.contains("not for results"), "{rejected:?}");
        assert!(Revoked::default().is_empty());
    }
}
