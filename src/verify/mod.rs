//! Stage 5: the one verifier. `stagegate verify`, the promotion chain in `stagegate gate`,
//! signed approvals and (later) the admission webhook all decide whether a signed statement is
//! trusted here, and nowhere else.
//!
//! [`verify`] takes a bundle or bare DSSE envelope, the [`TrustedKey`]s and a
//! [`VerificationPolicy`], and either returns the [`Verified`] statement or a [`VerifyError`]
//! naming the precise reason, layered by stage: the document ([`BundleErrorKind`]), the
//! signature ([`SignatureErrorKind`]), the statement ([`StatementErrorKind`]) and the policy
//! ([`PolicyErrorKind`]). [`promotion`] applies it to the promotion chain and to approvals,
//! [`revocation`] to signed revocations.
//!
//! What is enforced: at least one trusted key (none is a rejection, never an allow); at least
//! one signature; some signature verifies with some trusted key over the DSSE PAE (ECDSA P-256
//! in DER or P1363 form, Ed25519), or, for a `messageSignature` bundle, over the artifact's
//! SHA-256 digest; the payload type is in-toto; the payload is an in-toto Statement v1 or v0.1;
//! then every rule of the policy.
//!
//! What we ignore (and why): the bundle's key hint and DSSE `keyid` (hints choose nothing:
//! every trusted key is tried, so a wrong hint cannot redirect trust); transparency-log entries
//! and timestamps (managed-key trust does not need them); certificates (keyless bundles are
//! refused with [`BundleErrorKind::Keyless`]).

pub mod policy;
pub mod promotion;
pub mod revocation;

use sha2::{Digest, Sha256};

pub use self::policy::{PolicyErrorKind, Rule, VerificationPolicy};
use crate::attest::AttestError;
use crate::attest::bundle::{BundleContent, SignedDocument, VerificationMaterial};
use crate::attest::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::attest::keys::PublicKey;
use crate::attest::statement::{STATEMENT_V01, STATEMENT_V1, Statement};

/// A key trusted to sign, with the name it is known by.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// A name for messages and evidence (the key file, or the config's name).
    pub name: String,
    /// The key.
    pub key: PublicKey,
}

/// Why the document could not be read as a signed bundle or envelope.
#[derive(Debug, thiserror::Error)]
pub enum BundleErrorKind {
    /// Malformed: not JSON, truncated, unknown media type, bad base64.
    #[error("malformed bundle")]
    Malformed(#[from] AttestError),
    /// A keyless (certificate) bundle: not verified by a key.
    #[error(
        "the bundle is keyless (signed with a certificate); stagegate verifies key-signed bundles only"
    )]
    Keyless,
}

/// Why no signature is trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureErrorKind {
    /// No key is trusted: always a rejection.
    #[error("no trusted keys: nothing can be verified (an empty trust list rejects everything)")]
    NoTrustedKeys,
    /// The envelope has no signature.
    #[error("the envelope has no signatures")]
    NoSignatures,
    /// Every signature names (by key id) a key that is not trusted, and none verifies.
    #[error("signed by an untrusted key (key id {keyids}); {keys} trusted key(s) tried")]
    UntrustedSigner {
        /// The signatures' key ids.
        keyids: String,
        /// Keys tried.
        keys: usize,
    },
    /// No signature verifies with any trusted key.
    #[error(
        "no signature verifies with a trusted key ({signatures} signature(s) tried against {keys} key(s): {detail})"
    )]
    NoValidSignature {
        /// Signatures tried.
        signatures: usize,
        /// Keys tried.
        keys: usize,
        /// What the last attempt said.
        detail: String,
    },
    /// A message signature over a digest we cannot check.
    #[error("unsupported message digest algorithm `{0}` (only SHA2_256 with ECDSA P-256)")]
    DigestAlgorithm(String),
}

/// Why the signed payload is not an acceptable statement.
#[derive(Debug, thiserror::Error)]
pub enum StatementErrorKind {
    /// Another DSSE payload type.
    #[error("the DSSE payload type is `{0}`, not `{IN_TOTO_PAYLOAD_TYPE}`")]
    PayloadType(String),
    /// The payload is not an in-toto Statement.
    #[error("the payload is not an in-toto Statement")]
    NotAStatement(#[source] serde_json::Error),
    /// An unknown statement `_type`.
    #[error("unknown statement type `{0}`")]
    StatementType(String),
}

/// Why a bundle was rejected.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The document.
    #[error(transparent)]
    Bundle(#[from] BundleErrorKind),
    /// The signature.
    #[error(transparent)]
    Signature(#[from] SignatureErrorKind),
    /// The statement.
    #[error(transparent)]
    Statement(#[from] StatementErrorKind),
    /// The verification policy.
    #[error(transparent)]
    Policy(#[from] PolicyErrorKind),
}

/// What verified.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The name of the trusted key whose signature verified.
    pub signer: String,
    /// The statement, or `None` for a `messageSignature` bundle (which signs an artifact).
    pub statement: Option<Statement>,
    /// The lowercase hex sha256 of the document's bytes.
    pub sha256: String,
}

/// Verifies a bundle or bare DSSE envelope against trusted keys and a policy.
pub fn verify(
    bytes: &[u8],
    trusted: &[TrustedKey],
    policy: &VerificationPolicy,
) -> Result<Verified, VerifyError> {
    if trusted.is_empty() {
        return Err(SignatureErrorKind::NoTrustedKeys.into());
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    let document = SignedDocument::from_json(bytes).map_err(BundleErrorKind::Malformed)?;
    let envelope = match document {
        SignedDocument::Envelope(envelope) => envelope,
        SignedDocument::Bundle(bundle) => {
            if matches!(bundle.material, VerificationMaterial::Certificates(_)) {
                return Err(BundleErrorKind::Keyless.into());
            }
            match bundle.content {
                BundleContent::Dsse(envelope) => envelope,
                BundleContent::MessageSignature {
                    algorithm,
                    digest,
                    signature,
                } => {
                    if algorithm != "SHA2_256" {
                        return Err(SignatureErrorKind::DigestAlgorithm(algorithm).into());
                    }
                    let signer = first_verifying(trusted, 1, |key| {
                        key.verify_prehashed_sha256(&digest, &signature)
                    })?;
                    policy.check_artifact("sha256", &hex::encode(&digest))?;
                    return Ok(Verified {
                        signer,
                        statement: None,
                        sha256,
                    });
                }
            }
        }
    };
    let signer = verify_envelope(&envelope, trusted)?;
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(StatementErrorKind::PayloadType(envelope.payload_type).into());
    }
    let statement: Statement =
        serde_json::from_slice(&envelope.payload).map_err(StatementErrorKind::NotAStatement)?;
    if statement.statement_type != STATEMENT_V1 && statement.statement_type != STATEMENT_V01 {
        return Err(StatementErrorKind::StatementType(statement.statement_type).into());
    }
    policy.check_statement(&statement)?;
    Ok(Verified {
        signer,
        statement: Some(statement),
        sha256,
    })
}

/// The name of the first trusted key that verifies some signature of `envelope`.
pub fn verify_envelope(
    envelope: &Envelope,
    trusted: &[TrustedKey],
) -> Result<String, SignatureErrorKind> {
    if trusted.is_empty() {
        return Err(SignatureErrorKind::NoTrustedKeys);
    }
    if envelope.signatures.is_empty() {
        return Err(SignatureErrorKind::NoSignatures);
    }
    let pae = envelope.pae();
    let mut last = String::new();
    for signature in &envelope.signatures {
        for trusted_key in trusted {
            match trusted_key.key.verify(&pae, &signature.sig) {
                Ok(()) => return Ok(trusted_key.name.clone()),
                Err(err) => last = err.to_string(),
            }
        }
    }
    // Key ids are hints and never grant trust, but they tell a signature by another key apart
    // from a trusted key's signature over altered bytes.
    let hints: Vec<String> = trusted.iter().map(|t| t.key.hint()).collect();
    let named_untrusted = envelope
        .signatures
        .iter()
        .all(|s| !s.keyid.is_empty() && !hints.iter().any(|h| h.eq_ignore_ascii_case(&s.keyid)));
    if named_untrusted {
        let keyids: Vec<&str> = envelope
            .signatures
            .iter()
            .map(|s| s.keyid.as_str())
            .collect();
        return Err(SignatureErrorKind::UntrustedSigner {
            keyids: keyids.join(", "),
            keys: trusted.len(),
        });
    }
    Err(SignatureErrorKind::NoValidSignature {
        signatures: envelope.signatures.len(),
        keys: trusted.len(),
        detail: last,
    })
}

fn first_verifying(
    trusted: &[TrustedKey],
    signatures: usize,
    check: impl Fn(&PublicKey) -> Result<(), crate::attest::keys::SignatureMismatch>,
) -> Result<String, SignatureErrorKind> {
    let mut last = String::new();
    for trusted_key in trusted {
        match check(&trusted_key.key) {
            Ok(()) => return Ok(trusted_key.name.clone()),
            Err(err) => last = err.to_string(),
        }
    }
    Err(SignatureErrorKind::NoValidSignature {
        signatures,
        keys: trusted.len(),
        detail: last,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::attest::keys::SigningKey;
    use crate::attest::sign_statement;
    use crate::attest::statement::{ResourceDescriptor, Statement};
    use crate::attest::vsa::VSA_PREDICATE_TYPE;

    const DIGEST: &str = "ab";

    fn vsa(key: &SigningKey, at: &str) -> Vec<u8> {
        let statement = Statement::new(
            ResourceDescriptor::sha256("app", DIGEST),
            VSA_PREDICATE_TYPE,
            json!({"verifier": {"id": "x"}, "timeVerified": at, "resourceUri": "app",
                   "policy": {"uri": "p", "digest": {"sha256": "cd"}},
                   "verificationResult": "PASSED", "verifiedLevels": ["STAGEGATE_STAGE_dev"]}),
        );
        sign_statement(&statement, key)
            .unwrap()
            .to_json()
            .unwrap()
            .into_bytes()
    }

    fn trusted(key: &SigningKey) -> Vec<TrustedKey> {
        vec![TrustedKey {
            name: "k".into(),
            key: key.public_key(),
        }]
    }

    fn policy(max_age: Option<Duration>) -> VerificationPolicy {
        VerificationPolicy::stage_result(
            DIGEST,
            "dev",
            max_age.map(|m| (m, chrono::Utc::now())),
            Some("sha256:cd"),
        )
    }

    #[test]
    fn pass() {
        let key = SigningKey::generate_p256();
        let now = chrono::Utc::now().to_rfc3339();
        let verified = verify(
            &vsa(&key, &now),
            &trusted(&key),
            &policy(Some(Duration::from_secs(60))),
        )
        .unwrap();
        assert_eq!(verified.signer, "k");
        // Any of several trusted keys will do.
        let mut keys = trusted(&SigningKey::generate_ed25519());
        keys.extend(trusted(&key));
        verify(&vsa(&key, &now), &keys, &policy(None)).unwrap();
    }

    #[test]
    fn fail() {
        let key = SigningKey::generate_p256();
        let now = chrono::Utc::now().to_rfc3339();
        let bundle = vsa(&key, &now);
        assert!(matches!(
            verify(&bundle, &[], &policy(None)),
            Err(VerifyError::Signature(SignatureErrorKind::NoTrustedKeys))
        ));
        assert!(matches!(
            verify(
                &bundle,
                &trusted(&SigningKey::generate_p256()),
                &policy(None)
            ),
            Err(VerifyError::Signature(
                SignatureErrorKind::UntrustedSigner { .. }
            ))
        ));
        let future = (chrono::Utc::now() + chrono::TimeDelta::hours(1)).to_rfc3339();
        assert!(matches!(
            verify(
                &vsa(&key, &future),
                &trusted(&key),
                &policy(Some(Duration::from_secs(60)))
            ),
            Err(VerifyError::Policy(PolicyErrorKind::InTheFuture { .. }))
        ));
        assert!(matches!(
            VerificationPolicy::builder().build(),
            Err(policy::EmptyPolicy)
        ));
        assert!(matches!(
            verify(
                &bundle,
                &trusted(&key),
                &VerificationPolicy::stage_result(DIGEST, "dev", None, Some("sha256:00"))
            ),
            Err(VerifyError::Policy(PolicyErrorKind::PolicyDigest { .. }))
        ));
    }
}
