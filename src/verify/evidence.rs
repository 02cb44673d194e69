//! The attestations and approvals of an [`Evidence`] document, verified: what makes
//! `attestations[].verified` and `approvals[].verified` mean "stagegate verified it".
//!
//! [`check_evidence`] re-reads every attestation source from the document's `raw` (so the
//! statements policies read are the signed ones, not whatever the `attestations` list says),
//! verifies each signed document with the [`Verifier`] for the purpose its predicate type
//! serves, and records the outcome: `verified`, the `signer`, what the signer is trusted for
//! (`trustedFor`), or the `rejection`. Signed approvals (statements of the approval predicate)
//! that verify with a `trust.approvers` key, for this subject and the stage evaluated, become
//! `approvals` entries with `verified: true`, the approver's name and role taken from the
//! trust config. Everything else the document claims is read as not verified: an attestation
//! no signed document under `raw` backs, an approval not derived from a signature. Each such
//! claim of `verified: true` gives a notice, so a forged claim is visible.

use std::collections::{BTreeMap, BTreeSet};

use crate::attest::approval::APPROVAL_PREDICATE_TYPE;
use crate::evidence::signed::{is_attestation_source, signed_attestations};
use crate::evidence::{Approval, Attestation, Evidence, EvidenceError, Signer as EvidenceSigner};
use crate::limits::Limits;

use super::policy::{Rule, VerificationPolicy};
use super::{CheckedBundle, Verified, Verifier};
use crate::errors::error_chain;

/// The verified view of a document's attestations and approvals.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedEvidence {
    /// The attestations, each with its verification outcome.
    pub attestations: Option<Vec<Attestation>>,
    /// The approvals: those verified from signed approvals, and the others as not verified.
    pub approvals: Option<Vec<Approval>>,
    /// Claims of `verified: true` that did not hold, for people.
    pub notices: Vec<String>,
}

impl CheckedEvidence {
    /// Whether `evidence` already says exactly this (then it needs no rewriting).
    pub fn matches(&self, evidence: &Evidence) -> bool {
        self.attestations == evidence.attestations && self.approvals == evidence.approvals
    }

    /// Writes the outcome into `evidence`.
    pub fn apply(self, evidence: &mut Evidence) {
        evidence.attestations = self.attestations;
        evidence.approvals = self.approvals;
    }
}

/// Verifies the attestations and approvals of `evidence` with `verifier`, at `stage` (`None`
/// when collecting: no stage is known yet, so no approval is verified and stage-scoped keys
/// count at every stage; `evaluate` and `gate` verify again with their stage).
pub fn check_evidence(
    evidence: &Evidence,
    verifier: &Verifier,
    stage: Option<&str>,
    limits: &Limits,
) -> Result<CheckedEvidence, EvidenceError> {
    let signed = signed_attestations(evidence, limits)?;
    // The sources whose statements were read back: an attestation pointing elsewhere (or at
    // a source whose document is not under `raw`) is backed by nothing.
    let read_back: BTreeSet<usize> = evidence
        .sources
        .iter()
        .enumerate()
        .filter(|(i, s)| is_attestation_source(s) && evidence.raw.contains_key(&i.to_string()))
        .map(|(i, _)| i)
        .collect();
    let subject = &evidence.subject.digest.sha256;
    let mut attestations = Vec::with_capacity(signed.len());
    let mut verified_approvals = Vec::new();
    // What a signed approval is, before it is held against this subject and stage.
    let approval_policy = VerificationPolicy::builder()
        .rule(Rule::PredicateType(APPROVAL_PREDICATE_TYPE.to_owned()))
        .build();
    for item in signed {
        let mut attestation = item.attestation;
        let Some(document) = item.document else {
            attestation.rejection = Some("a bare statement: nothing signs it".to_owned());
            attestations.push(attestation);
            continue;
        };
        let outcome = CheckedBundle::from_json(document.as_bytes())
            .map_err(super::VerifyError::from)
            .and_then(|bundle| {
                if attestation.predicate_type == APPROVAL_PREDICATE_TYPE {
                    if let Some(stage) = stage
                        && let Ok(approval) = verifier.verify_approval(&bundle, subject, stage)
                    {
                        verified_approvals.push(Approval {
                            approver: approval.approver,
                            role: approval.role,
                            stage: approval.stage,
                            at: approval.at,
                            verified: true,
                            comment: approval.comment,
                            source: attestation.source,
                        });
                    }
                    let policy = approval_policy
                        .as_ref()
                        .map_err(|_| super::SignatureErrorKind::NoTrustedKeys)?;
                    verifier
                        .verify_by_approver(&bundle, policy)
                        .map(|(verified, _)| verified)
                } else {
                    verifier.verify_evidence(&bundle, stage)
                }
            });
        match outcome {
            Ok(verified) => record(&mut attestation, &verified),
            Err(err) => attestation.rejection = Some(error_chain(&err)),
        }
        attestations.push(attestation);
    }
    // What the verifier found for the k-th statement of each source, to hold each claim
    // against the statement it is about.
    let mut found: BTreeMap<(usize, usize), bool> = BTreeMap::new();
    let mut ordinal: BTreeMap<usize, usize> = BTreeMap::new();
    for attestation in &attestations {
        if let Some(source) = attestation.source {
            let k = ordinal.entry(source).or_default();
            found.insert((source, *k), attestation.verified);
            *k = k.saturating_add(1);
        }
    }
    let mut notices = Vec::new();
    let mut claimed_ordinal: BTreeMap<usize, usize> = BTreeMap::new();
    let claimed = evidence.attestations.as_deref().unwrap_or_default();
    for (index, claim) in claimed.iter().enumerate() {
        let backed = claim.source.filter(|s| read_back.contains(s));
        let holds = match backed {
            Some(source) => {
                let k = claimed_ordinal.entry(source).or_default();
                let holds = found.get(&(source, *k)) == Some(&true);
                *k = k.saturating_add(1);
                holds
            }
            None => {
                let mut unbacked = claim.clone();
                unbacked.verified = false;
                unbacked.signer = None;
                unbacked.trusted_for = Vec::new();
                unbacked.rejection =
                    Some("no signed document under `raw` backs this attestation".to_owned());
                attestations.push(unbacked);
                false
            }
        };
        if claim.verified && !holds {
            notices.push(format!(
                "`attestations[{index}]` (`{}`) claims `verified: true`, which stagegate's verifier does not confirm: read as not verified",
                claim.predicate_type
            ));
        }
    }
    let mut approvals = Vec::new();
    if let Some(written) = &evidence.approvals {
        for (index, approval) in written.iter().enumerate() {
            let from_signature = approval.source.is_some_and(|s| read_back.contains(&s));
            if from_signature {
                // Derived from a signed approval: derived again above, or not at all.
                let holds = verified_approvals.iter().any(|v| v == approval);
                if approval.verified && !holds {
                    notices.push(format!(
                        "`approvals[{index}]` (`{}`) claims `verified: true`, which stagegate's verifier does not confirm: dropped",
                        approval.approver
                    ));
                }
                continue;
            }
            if approval.verified {
                notices.push(format!(
                    "`approvals[{index}]` (`{}`) claims `verified: true`, but no signature backs it: read as not verified",
                    approval.approver
                ));
            }
            approvals.push(Approval {
                verified: false,
                ..approval.clone()
            });
        }
    }
    approvals.extend(verified_approvals);
    let had_attestations = evidence.attestations.is_some() || !attestations.is_empty();
    Ok(CheckedEvidence {
        attestations: had_attestations.then_some(attestations),
        approvals: (evidence.approvals.is_some() || !approvals.is_empty()).then_some(approvals),
        notices,
    })
}

fn record(attestation: &mut Attestation, verified: &Verified) {
    let signer = verified.signer();
    attestation.verified = true;
    attestation.rejection = None;
    attestation.signer = Some(match &signer.certificate {
        Some(certificate) => EvidenceSigner {
            kind: "keyless".to_owned(),
            key_id: None,
            name: signer.name.clone(),
            identity: Some(certificate.subject.clone()),
            issuer: certificate.issuer.clone(),
            claims: certificate.claims.clone(),
        },
        None => EvidenceSigner {
            kind: "key".to_owned(),
            key_id: Some(signer.key_id.clone()),
            name: signer.name.clone(),
            ..EvidenceSigner::default()
        },
    });
    attestation.trusted_for = if signer.purposes.is_empty() {
        vec!["approvals".to_owned()]
    } else {
        signer
            .purposes
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect()
    };
}
