//! [`Verifier`]: built once from a [`Trust`], it checks [`CheckedBundle`]s — each signed
//! document parsed once — for a purpose and a stage, and returns a [`Verified`] that nothing
//! else can construct.
//!
//! How a key is chosen: only the keys trusted for the statement's purpose (stage results,
//! provenance, SBOMs, …; see [`purpose_of`]) at the stage in question, and not past their
//! `not_after`, are tried; the bundle's key hint only orders them (a key whose hint matches is
//! tried first), it never grants trust. When no such key verifies, the other trusted keys are
//! tried too, only to say precisely why the signature does not count ("signed by `builder`,
//! which is trusted for provenance only, not for results").

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::keyless::{ArtifactInput, CertificateIdentity, SigstoreRoot, TrustedIdentity};
use super::policy::{Rule, VerificationPolicy};
use super::trust::{Trust, TrustedApprover, TrustedKey};
use super::{
    BundleErrorKind, PolicyErrorKind, SignatureErrorKind, StatementErrorKind, Verified, VerifyError,
};
use crate::attest::approval::{APPROVAL_PREDICATE_TYPE, ApprovalPredicate};
use crate::attest::bundle::{BundleContent, SignedDocument, VerificationMaterial};
use crate::attest::dsse::Envelope;
use crate::attest::keys::PublicKey;
use crate::attest::revocation::REVOCATION_PREDICATE_TYPE;
use crate::attest::statement::Statement;
use crate::attest::vsa::{DECISION_PREDICATE_TYPE, VSA_PREDICATE_TYPE};
use crate::config::trust::Purpose;
use crate::digest::Sha256Digest;
use crate::wire::{IN_TOTO_PAYLOAD_TYPE, STATEMENT_V01, STATEMENT_V1};

/// The purpose a statement of `predicate_type` serves, which decides the keys that may sign
/// it: stagegate results (VSA, decision, revocation), SLSA provenance, SBOMs (CycloneDX,
/// SPDX), vulnerability scans and VEX, test results; anything else is a plain evidence
/// statement ([`Purpose::Attestations`]).
pub fn purpose_of(predicate_type: &str) -> Purpose {
    let t = predicate_type.trim_end_matches('/');
    if t == VSA_PREDICATE_TYPE || t == DECISION_PREDICATE_TYPE || t == REVOCATION_PREDICATE_TYPE {
        Purpose::Results
    } else if t.starts_with("https://slsa.dev/provenance/") {
        Purpose::Provenance
    } else if t == "https://cyclonedx.org/bom"
        || t.starts_with("https://cyclonedx.org/bom/")
        || t == "https://spdx.dev/Document"
        || t.starts_with("https://spdx.dev/Document/")
    {
        Purpose::Sbom
    } else if t.starts_with("https://cosign.sigstore.dev/attestation/vuln/")
        || t.starts_with("https://in-toto.io/attestation/vulns")
        || t.starts_with("https://openvex.dev/ns")
    {
        Purpose::Vulnerabilities
    } else if t.starts_with("https://in-toto.io/attestation/test-result/") {
        Purpose::Tests
    } else {
        Purpose::Attestations
    }
}

/// A signed document (Sigstore bundle or bare DSSE envelope), parsed once and checked for
/// shape: what a [`Verifier`] verifies. Parsing grants nothing.
#[derive(Debug, Clone)]
pub struct CheckedBundle {
    sha256: String,
    hint: Option<String>,
    content: Content,
    /// For a keyless bundle or one carrying transparency-log entries: the bundle as
    /// `sigstore-verify` reads it (it verifies those).
    sigstore: Option<Arc<sigstore_verify::types::Bundle>>,
    /// Whether the bundle is keyless (a certificate).
    keyless: bool,
}

#[derive(Debug, Clone)]
enum Content {
    Envelope {
        envelope: Envelope,
        /// The payload read as a statement, when it is one (checked after the signature).
        statement: Result<Statement, String>,
    },
    MessageSignature {
        algorithm: String,
        digest: Vec<u8>,
        signature: Vec<u8>,
    },
}

impl CheckedBundle {
    /// Parses a bundle v0.1–v0.3 or a DSSE envelope. A keyless bundle, or one carrying
    /// transparency-log entries, is also read by `sigstore-verify`'s bundle reader.
    pub fn from_json(bytes: &[u8]) -> Result<CheckedBundle, BundleErrorKind> {
        let sha256 = Sha256Digest::of(bytes).into_hex();
        let document = SignedDocument::from_json(bytes).map_err(BundleErrorKind::Malformed)?;
        let mut sigstore = None;
        let mut keyless = false;
        let (hint, content) = match document {
            SignedDocument::Envelope(envelope) => (None, envelope_content(envelope)),
            SignedDocument::Bundle(bundle) => {
                keyless = matches!(bundle.material, VerificationMaterial::Certificates(_));
                if keyless || bundle.tlog_entries > 0 {
                    sigstore = Some(Arc::new(sigstore_bundle(bytes)?));
                }
                let hint = match bundle.material {
                    VerificationMaterial::Certificates(_) => None,
                    VerificationMaterial::PublicKey { hint } => Some(hint),
                };
                let content = match bundle.content {
                    BundleContent::Dsse(envelope) => envelope_content(envelope),
                    BundleContent::MessageSignature {
                        algorithm,
                        digest,
                        signature,
                    } => Content::MessageSignature {
                        algorithm,
                        digest,
                        signature,
                    },
                };
                (hint, content)
            }
        };
        Ok(CheckedBundle {
            sha256,
            hint: hint.flatten().filter(|h| !h.is_empty()),
            content,
            sigstore,
            keyless,
        })
    }

    /// Whether it is a keyless bundle (signed with a Fulcio certificate).
    pub fn is_keyless(&self) -> bool {
        self.keyless
    }

    /// What `sigstore-verify` checks the signature against when the caller gives no artifact:
    /// the digest the document itself signs (a DSSE statement's first subject, a message
    /// signature's digest). The artifact binding is then the policy's `Subject` rule.
    fn own_artifact(&self) -> Option<ArtifactInput<'static>> {
        match &self.content {
            Content::MessageSignature {
                algorithm, digest, ..
            } => Some(ArtifactInput::Digest {
                algorithm: algorithm.clone(),
                hex: hex::encode(digest),
            }),
            Content::Envelope {
                statement: Ok(statement),
                ..
            } => statement.subject.iter().find_map(|subject| {
                ["sha256", "sha512"].into_iter().find_map(|algorithm| {
                    subject
                        .digest
                        .get(algorithm)
                        .map(|hex| ArtifactInput::Digest {
                            algorithm: algorithm.to_owned(),
                            hex: hex.clone(),
                        })
                })
            }),
            Content::Envelope { .. } => None,
        }
    }

    /// The lowercase hex sha256 of the document's bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The predicate type the payload claims, before verification: it only chooses which
    /// keys may have signed, and a wrong claim breaks the signature.
    pub fn claimed_predicate_type(&self) -> Option<&str> {
        match &self.content {
            Content::Envelope {
                statement: Ok(statement),
                ..
            } => Some(&statement.predicate_type),
            _ => None,
        }
    }

    /// The key ids the signatures name (hints, for messages).
    fn keyids(&self) -> Vec<&str> {
        match &self.content {
            Content::Envelope { envelope, .. } => envelope
                .signatures
                .iter()
                .map(|s| s.keyid.as_str())
                .filter(|k| !k.is_empty())
                .collect(),
            Content::MessageSignature { .. } => self.hint.as_deref().into_iter().collect(),
        }
    }
}

/// The first JSON document of `bytes` read by `sigstore-verify`'s bundle reader.
fn sigstore_bundle(bytes: &[u8]) -> Result<sigstore_verify::types::Bundle, BundleErrorKind> {
    let mut stream =
        serde_json::Deserializer::from_slice(bytes).into_iter::<serde::de::IgnoredAny>();
    let _ = stream.next();
    let end = stream.byte_offset();
    let first = bytes.get(..end).unwrap_or(bytes);
    let text = std::str::from_utf8(first).map_err(|e| BundleErrorKind::Sigstore(e.to_string()))?;
    sigstore_verify::types::Bundle::from_json(text)
        .map_err(|e| BundleErrorKind::Sigstore(e.to_string()))
}

fn envelope_content(envelope: Envelope) -> Content {
    let statement = if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        Err(format!(
            "the DSSE payload type is `{}`, not `{IN_TOTO_PAYLOAD_TYPE}`",
            envelope.payload_type
        ))
    } else {
        serde_json::from_slice::<Statement>(&envelope.payload).map_err(|e| e.to_string())
    };
    Content::Envelope {
        envelope,
        statement,
    }
}

/// Who signed a verified document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The trust entry's name (a key's `name` or path; an identity's `name`; an approver's
    /// name).
    pub name: String,
    /// The hint of the key that verified (sha256 of its SubjectPublicKeyInfo; for a keyless
    /// signature, of the certificate's key).
    pub key_id: String,
    /// For a keyless signature: the certificate's identity, issuer and CI claims.
    pub certificate: Option<CertificateIdentity>,
    /// What the trust entry vouches for in this document (e.g. `provenance`); empty for an
    /// approver.
    pub purposes: Vec<Purpose>,
}

/// The one place that decides whether a signature is trusted. Build it once per run (or per
/// configuration reload) with [`Verifier::new`].
#[derive(Debug, Clone)]
pub struct Verifier {
    trust: Trust,
    /// The time key validity is judged at; `None`: the clock at each check (a long-running
    /// webhook).
    now: Option<DateTime<Utc>>,
}

impl Verifier {
    /// A verifier for `trust`, judging key validity (`not_after`) by the clock.
    pub fn new(trust: &Trust) -> Verifier {
        Verifier {
            trust: trust.clone(),
            now: None,
        }
    }

    /// The same verifier judging key validity at `now`.
    pub fn at(mut self, now: DateTime<Utc>) -> Verifier {
        self.now = Some(now);
        self
    }

    fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }

    /// The trust it was built from.
    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    /// Verifies `document` as a statement serving `kind` (its signer must be trusted for that
    /// purpose at `stage`), then checks `policy`.
    pub fn verify(
        &self,
        document: &CheckedBundle,
        kind: Purpose,
        stage: Option<&str>,
        policy: &VerificationPolicy,
    ) -> Result<Verified, VerifyError> {
        let signer = self.signer(document, kind, stage)?;
        finish(document, signer, policy)
    }

    /// [`Self::verify`], with the signature checked against `artifact` (`verify --artifact`:
    /// the signed blob, or the file a DSSE statement's subject digests). The caller's policy
    /// holds the artifact's digest as a `Subject` rule.
    pub fn verify_artifact(
        &self,
        document: &CheckedBundle,
        artifact: &[u8],
        kind: Purpose,
        stage: Option<&str>,
        policy: &VerificationPolicy,
    ) -> Result<Verified, VerifyError> {
        let signer = self.signer_for(document, Some(artifact), kind, stage)?;
        finish(document, signer, policy)
    }

    /// Verifies `document` as evidence: its purpose is read from its predicate type
    /// ([`purpose_of`]), and its signer must be trusted for it at `stage` (any stage when
    /// `None`, as for `collect`). No policy rule beyond the signature.
    pub fn verify_evidence(
        &self,
        document: &CheckedBundle,
        stage: Option<&str>,
    ) -> Result<Verified, VerifyError> {
        let kind = document
            .claimed_predicate_type()
            .map_or(Purpose::Attestations, purpose_of);
        let signer = self.signer(document, kind, stage)?;
        let statement = statement_of(document)?;
        Ok(Verified {
            signer,
            statement,
            sha256: document.sha256.clone(),
        })
    }

    /// Verifies a signed approval: signed by a `trust.approvers` key, for this digest and this
    /// stage. The approver's name and role come from the trust config, never from the claim.
    pub fn verify_approval(
        &self,
        document: &CheckedBundle,
        subject_sha256: &str,
        stage: &str,
    ) -> Result<VerifiedApproval, VerifyError> {
        let policy = VerificationPolicy::builder()
            .rule(Rule::PredicateType(APPROVAL_PREDICATE_TYPE.into()))
            .rule(Rule::Subject {
                algorithm: "sha256".into(),
                value: subject_sha256.to_owned(),
            })
            .rule(Rule::Stage(stage.to_owned()))
            .build()
            .map_err(|_| SignatureErrorKind::NoTrustedKeys)?;
        let (approver, signer) = self.approver(document)?;
        let verified = finish(document, signer, &policy)?;
        let statement = verified
            .statement
            .as_ref()
            .ok_or(PolicyErrorKind::NotAStatement { rule: "approval" })?;
        let predicate: ApprovalPredicate = serde_json::from_value(statement.predicate.clone())
            .map_err(|_| PolicyErrorKind::MissingField {
                field: "approvedAt",
                rule: "approval",
            })?;
        let role = match &predicate.role {
            Some(claimed) if approver.roles.contains(claimed) => Some(claimed.clone()),
            _ => approver.roles.first().cloned(),
        };
        Ok(VerifiedApproval {
            approver: approver.name.clone(),
            role,
            stage: predicate.stage,
            at: predicate.approved_at,
            comment: predicate.comment,
            sha256: verified.sha256,
        })
    }

    /// Verifies a document signed by an approver (a signed waiver set), against `policy`.
    /// Also says whether the approver holds a role of `trust.waiver_roles`.
    pub fn verify_by_approver(
        &self,
        document: &CheckedBundle,
        policy: &VerificationPolicy,
    ) -> Result<(Verified, bool), VerifyError> {
        let (approver, signer) = self.approver(document)?;
        let may_waive = approver
            .roles
            .iter()
            .any(|role| self.trust.waiver_roles.contains(role));
        Ok((finish(document, signer, policy)?, may_waive))
    }

    fn approver(
        &self,
        document: &CheckedBundle,
    ) -> Result<(&TrustedApprover, Signer), SignatureErrorKind> {
        if let Some(bundle) = &document.sigstore {
            let artifact = document.own_artifact().ok_or_else(|| {
                SignatureErrorKind::Sigstore(
                    "the bundle names no sha256 or sha512 digest to verify against".to_owned(),
                )
            })?;
            if document.keyless {
                // A keyless approval: the approver is the certificate's identity.
                let certificate = self.certificate_of(bundle, &artifact)?;
                let approver = self
                    .trust
                    .approvers
                    .iter()
                    .find(|a| {
                        a.identity
                            .as_ref()
                            .is_some_and(|i| i.check(&certificate).is_ok())
                    })
                    .ok_or_else(|| SignatureErrorKind::UntrustedIdentity {
                        identity: certificate.subject.clone(),
                        issuer: certificate
                            .issuer
                            .clone()
                            .map_or_else(|| "none".to_owned(), |i| format!("`{i}`")),
                        detail: "no `trust.approvers` entry has this identity".to_owned(),
                    })?;
                let signer = Signer {
                    name: approver.name.clone(),
                    key_id: certificate.key_id.clone(),
                    certificate: Some(certificate),
                    purposes: Vec::new(),
                };
                return Ok((approver, signer));
            }
            let roots = self.roots()?;
            let mut last = String::from("no `trust.approvers` entry has a key");
            for approver in &self.trust.approvers {
                if let Some(key) = &approver.key
                    && logged_key_verifies(&roots, bundle, &artifact, key, &mut last)
                {
                    let signer = Signer {
                        name: approver.name.clone(),
                        key_id: key.hint(),
                        certificate: None,
                        purposes: Vec::new(),
                    };
                    return Ok((approver, signer));
                }
            }
            return Err(SignatureErrorKind::Sigstore(last));
        }
        let keys: Vec<(usize, &PublicKey)> = self
            .trust
            .approvers
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.key.as_ref().map(|k| (i, k)))
            .collect();
        let index = check_signature(document, &keys)?;
        let approver = self
            .trust
            .approvers
            .get(index)
            .ok_or(SignatureErrorKind::NoTrustedKeys)?;
        let signer = Signer {
            name: approver.name.clone(),
            key_id: approver
                .key
                .as_ref()
                .map(PublicKey::hint)
                .unwrap_or_default(),
            certificate: None,
            purposes: Vec::new(),
        };
        Ok((approver, signer))
    }

    /// The trusted key or identity that signed `document` for `kind` at `stage`.
    fn signer(
        &self,
        document: &CheckedBundle,
        kind: Purpose,
        stage: Option<&str>,
    ) -> Result<Signer, SignatureErrorKind> {
        self.signer_for(document, None, kind, stage)
    }

    /// [`Self::signer`], checking the signature against `artifact` when given (`verify
    /// --artifact`), else against the digest the document signs.
    fn signer_for(
        &self,
        document: &CheckedBundle,
        artifact: Option<&[u8]>,
        kind: Purpose,
        stage: Option<&str>,
    ) -> Result<Signer, SignatureErrorKind> {
        if let Some(bundle) = &document.sigstore {
            let artifact = match artifact {
                Some(blob) => ArtifactInput::Blob(blob),
                None => document.own_artifact().ok_or_else(|| {
                    SignatureErrorKind::Sigstore(
                        "the bundle names no sha256 or sha512 digest to verify against".to_owned(),
                    )
                })?,
            };
            return if document.keyless {
                self.keyless_signer(bundle, &artifact, kind, stage)
            } else {
                self.logged_key_signer(bundle, &artifact, kind, stage)
            };
        }
        self.key_signer(document, kind, stage)
    }

    fn roots(&self) -> Result<Vec<SigstoreRoot>, SignatureErrorKind> {
        self.trust
            .sigstore_roots()
            .map_err(|e| SignatureErrorKind::Sigstore(format!("the trusted root: {e}")))
    }

    /// The verified certificate identity of a keyless bundle: `sigstore-verify` checks the
    /// bundle against each trusted root, with any identity (ours are matched by the caller).
    fn certificate_of(
        &self,
        bundle: &sigstore_verify::types::Bundle,
        artifact: &ArtifactInput<'_>,
    ) -> Result<CertificateIdentity, SignatureErrorKind> {
        let policy = sigstore_verify::VerificationPolicy::any_identity();
        let mut errors = Vec::new();
        for root in self.roots()? {
            match root.verify(artifact, bundle, &policy) {
                Ok(result) => match CertificateIdentity::of(&result) {
                    Some(identity) => return Ok(identity),
                    None => errors.push(format!(
                        "{}: the certificate carries no verified identity",
                        root.name
                    )),
                },
                Err(err) => errors.push(err),
            }
        }
        Err(SignatureErrorKind::Sigstore(errors.join("; ")))
    }

    /// A keyless bundle: `sigstore-verify` checks it against each trusted root with any
    /// identity; then the certificate's identity must be trusted for `kind` at `stage`.
    fn keyless_signer(
        &self,
        bundle: &sigstore_verify::types::Bundle,
        artifact: &ArtifactInput<'_>,
        kind: Purpose,
        stage: Option<&str>,
    ) -> Result<Signer, SignatureErrorKind> {
        let certificate = self.certificate_of(bundle, artifact)?;
        let granted: Vec<&TrustedIdentity> = self
            .trust
            .identities
            .iter()
            .filter(|i| !i.grants(kind, stage).is_empty())
            .collect();
        let mut mismatches = Vec::new();
        for identity in &granted {
            match identity.check(&certificate) {
                Ok(()) => {
                    return Ok(Signer {
                        name: identity.name.clone(),
                        key_id: certificate.key_id.clone(),
                        purposes: identity.grants(kind, stage),
                        certificate: Some(certificate),
                    });
                }
                Err(why) => mismatches.push(format!("`{}`: {why}", identity.name)),
            }
        }
        if let Some(other) = self
            .trust
            .identities
            .iter()
            .find(|i| i.grants(kind, stage).is_empty() && i.check(&certificate).is_ok())
        {
            return Err(SignatureErrorKind::NotTrustedFor(
                other.refusal(kind, stage),
            ));
        }
        if self.trust.identities.is_empty() {
            return Err(SignatureErrorKind::NoTrustedIdentities {
                identity: certificate.subject,
            });
        }
        if granted.is_empty() {
            mismatches.push(format!(
                "no identity is trusted for {kind}{}",
                stage
                    .map(|s| format!(" at stage `{s}`"))
                    .unwrap_or_default()
            ));
        }
        mismatches.truncate(3);
        Err(SignatureErrorKind::UntrustedIdentity {
            identity: certificate.subject,
            issuer: certificate
                .issuer
                .map_or_else(|| "none".to_owned(), |i| format!("`{i}`")),
            detail: mismatches.join("; "),
        })
    }

    /// A key-signed bundle with transparency-log entries (cosign with a key): `sigstore-verify`
    /// checks the entries against the trusted roots and the signature with each trusted key.
    fn logged_key_signer(
        &self,
        bundle: &sigstore_verify::types::Bundle,
        artifact: &ArtifactInput<'_>,
        kind: Purpose,
        stage: Option<&str>,
    ) -> Result<Signer, SignatureErrorKind> {
        let now = self.now();
        if self.trust.keys.is_empty() {
            return Err(SignatureErrorKind::NoTrustedKeys);
        }
        let roots = self.roots()?;
        let mut last = String::new();
        let (granted, others): (Vec<&TrustedKey>, Vec<&TrustedKey>) = self
            .trust
            .keys
            .iter()
            .partition(|k| !k.grants(kind, stage, now).is_empty());
        let verifies = |key: &TrustedKey, last: &mut String| {
            logged_key_verifies(&roots, bundle, artifact, &key.key, last)
        };
        for key in &granted {
            if verifies(key, &mut last) {
                return Ok(signer_of(key, kind, stage, now));
            }
        }
        let mut ignored = String::new();
        if let Some(key) = others.iter().find(|k| verifies(k, &mut ignored)) {
            return Err(SignatureErrorKind::NotTrustedFor(
                key.refusal(kind, stage, now),
            ));
        }
        if granted.is_empty() {
            return Err(SignatureErrorKind::NoKeyForPurpose {
                purpose: kind,
                stage: stage.map(str::to_owned),
                keyids: document_hint(bundle),
            });
        }
        Err(SignatureErrorKind::Sigstore(last))
    }

    /// A key-signed document without log entries: the offline DSSE path.
    fn key_signer(
        &self,
        document: &CheckedBundle,
        kind: Purpose,
        stage: Option<&str>,
    ) -> Result<Signer, SignatureErrorKind> {
        let now = self.now();
        let granted: Vec<(usize, &PublicKey)> = self
            .trust
            .keys
            .iter()
            .enumerate()
            .filter(|(_, k)| !k.grants(kind, stage, now).is_empty())
            .map(|(i, k)| (i, &k.key))
            .collect();
        match check_signature(document, &granted) {
            Ok(index) => {
                let key = self
                    .trust
                    .keys
                    .get(index)
                    .ok_or(SignatureErrorKind::NoTrustedKeys)?;
                Ok(signer_of(key, kind, stage, now))
            }
            Err(err) => {
                // Say why a key we know did not count, rather than "untrusted".
                let others: Vec<(usize, &PublicKey)> = self
                    .trust
                    .keys
                    .iter()
                    .enumerate()
                    .filter(|(_, k)| k.grants(kind, stage, now).is_empty())
                    .map(|(i, k)| (i, &k.key))
                    .collect();
                if let Ok(index) = check_signature(document, &others)
                    && let Some(key) = self.trust.keys.get(index)
                {
                    return Err(SignatureErrorKind::NotTrustedFor(
                        key.refusal(kind, stage, now),
                    ));
                }
                if granted.is_empty() {
                    return Err(if self.trust.keys.is_empty() {
                        SignatureErrorKind::NoTrustedKeys
                    } else {
                        SignatureErrorKind::NoKeyForPurpose {
                            purpose: kind,
                            stage: stage.map(str::to_owned),
                            keyids: document.keyids().join(", "),
                        }
                    });
                }
                Err(err)
            }
        }
    }
}

fn signer_of(key: &TrustedKey, kind: Purpose, stage: Option<&str>, now: DateTime<Utc>) -> Signer {
    Signer {
        name: key.name.clone(),
        key_id: key.key.hint(),
        certificate: None,
        purposes: key.grants(kind, stage, now),
    }
}

/// Whether `key` verifies the logged key-signed `bundle` under one of `roots` (`last`: why
/// not, when it does not).
fn logged_key_verifies(
    roots: &[SigstoreRoot],
    bundle: &sigstore_verify::types::Bundle,
    artifact: &ArtifactInput<'_>,
    key: &PublicKey,
    last: &mut String,
) -> bool {
    let policy = sigstore_verify::PublicKeyVerificationPolicy::new(
        sigstore_verify::types::DerPublicKey::new(key.to_spki_der()),
    );
    roots
        .iter()
        .any(|root| match root.verify(artifact, bundle, &policy) {
            Ok(_) => true,
            Err(err) => {
                *last = err;
                false
            }
        })
}

fn document_hint(bundle: &sigstore_verify::types::Bundle) -> String {
    match &bundle.verification_material.content {
        sigstore_verify::types::bundle::VerificationMaterialContent::PublicKey(key) => {
            key.hint.clone()
        }
        _ => String::new(),
    }
}

/// A signed approval that verified.
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
    /// The sha256 of the document.
    pub sha256: String,
}

/// The statement (for an envelope), then the policy's rules.
fn finish(
    document: &CheckedBundle,
    signer: Signer,
    policy: &VerificationPolicy,
) -> Result<Verified, VerifyError> {
    if let Content::MessageSignature {
        algorithm, digest, ..
    } = &document.content
    {
        policy.check_artifact(algorithm_name(algorithm), &hex::encode(digest))?;
        return Ok(Verified {
            signer,
            statement: None,
            sha256: document.sha256.clone(),
        });
    }
    let statement = statement_of(document)?;
    if let Some(statement) = &statement {
        policy.check_statement(statement)?;
    }
    Ok(Verified {
        signer,
        statement,
        sha256: document.sha256.clone(),
    })
}

fn algorithm_name(algorithm: &str) -> &str {
    if algorithm == "SHA2_256" {
        "sha256"
    } else {
        algorithm
    }
}

/// The statement of a verified envelope; `None` for a message signature.
fn statement_of(document: &CheckedBundle) -> Result<Option<Statement>, VerifyError> {
    match &document.content {
        Content::MessageSignature { .. } => Ok(None),
        Content::Envelope {
            envelope,
            statement,
        } => {
            if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
                return Err(StatementErrorKind::PayloadType(envelope.payload_type.clone()).into());
            }
            let statement = match statement {
                Ok(statement) => statement.clone(),
                Err(_) => {
                    let err = serde_json::from_slice::<Statement>(&envelope.payload)
                        .err()
                        .ok_or(SignatureErrorKind::NoSignatures)?;
                    return Err(StatementErrorKind::NotAStatement(err).into());
                }
            };
            if statement.statement_type != STATEMENT_V1 && statement.statement_type != STATEMENT_V01
            {
                return Err(StatementErrorKind::StatementType(statement.statement_type).into());
            }
            Ok(Some(statement))
        }
    }
}

/// The index (as given in `keys`) of the first key that verifies a signature of `document`.
/// Keys whose hint a signature names are tried first; the hint never decides.
fn check_signature(
    document: &CheckedBundle,
    keys: &[(usize, &PublicKey)],
) -> Result<usize, SignatureErrorKind> {
    if keys.is_empty() {
        return Err(SignatureErrorKind::NoTrustedKeys);
    }
    let named = document.keyids();
    let mut ordered: Vec<(usize, &PublicKey, String)> =
        keys.iter().map(|(i, k)| (*i, *k, k.hint())).collect();
    ordered.sort_by_key(|(_, _, hint)| !named.iter().any(|n| n.eq_ignore_ascii_case(hint)));
    let mut last = String::new();
    match &document.content {
        Content::MessageSignature {
            algorithm,
            digest,
            signature,
        } => {
            if algorithm != "SHA2_256" {
                return Err(SignatureErrorKind::DigestAlgorithm(algorithm.clone()));
            }
            for (index, key, _) in &ordered {
                match key.verify_prehashed_sha256(digest, signature) {
                    Ok(()) => return Ok(*index),
                    Err(err) => last = err.to_string(),
                }
            }
            Err(SignatureErrorKind::NoValidSignature {
                signatures: 1,
                keys: keys.len(),
                detail: last,
            })
        }
        Content::Envelope { envelope, .. } => {
            if envelope.signatures.is_empty() {
                return Err(SignatureErrorKind::NoSignatures);
            }
            let pae = envelope.pae();
            for signature in &envelope.signatures {
                for (index, key, _) in &ordered {
                    match key.verify(&pae, &signature.sig) {
                        Ok(()) => return Ok(*index),
                        Err(err) => last = err.to_string(),
                    }
                }
            }
            let named_untrusted = envelope.signatures.iter().all(|s| {
                !s.keyid.is_empty()
                    && !ordered
                        .iter()
                        .any(|(_, _, h)| h.eq_ignore_ascii_case(&s.keyid))
            });
            if named_untrusted {
                return Err(SignatureErrorKind::UntrustedSigner {
                    keyids: named.join(", "),
                    keys: keys.len(),
                });
            }
            Err(SignatureErrorKind::NoValidSignature {
                signatures: envelope.signatures.len(),
                keys: keys.len(),
                detail: last,
            })
        }
    }
}
