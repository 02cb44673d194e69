//! Stage 5: the one verifier. `stagegate verify`, the promotion chain, signed approvals and
//! waivers, the attestations `collect`, `evaluate` and `gate` read as evidence, and the
//! admission webhook all decide whether a signed statement is trusted here, and nowhere else.
//!
//! A [`Verifier`] is built once from a [`Trust`] (keys scoped by [`Purpose`] and stage,
//! approvers); each signed document is parsed once into a [`CheckedBundle`]; success is a
//! [`Verified`], which only this module can construct, and failure a [`VerifyError`] naming
//! the precise reason, layered by stage: the document ([`BundleErrorKind`]), the signature
//! ([`SignatureErrorKind`]), the statement ([`StatementErrorKind`]) and the policy
//! ([`PolicyErrorKind`]). [`promotion`] applies it to the promotion chain, [`evidence`] to the
//! attestations and approvals of an Evidence document.
//! [`revocation`] applies it to signed revocations.
//!
//! What is enforced: at least one trusted key (none is a rejection, never an allow); at least
//! one signature; some signature verifies, with a key trusted for the statement's purpose at
//! the stage and not past its `not_after`, over the DSSE PAE (ECDSA P-256 in DER or P1363
//! form, Ed25519), or, for a `messageSignature` bundle, over the artifact's SHA-256 digest;
//! the payload type is in-toto; the payload is an in-toto Statement v1 or v0.1; then every
//! rule of the policy.
//!
//! Keyless bundles (a Fulcio certificate) and key-signed bundles that carry transparency-log
//! entries are verified by `sigstore-verify` against the trusted roots ([`keyless`]): the
//! certificate chain at the signing time, SCTs, Rekor v1/v2 entries and RFC 3161 timestamps;
//! then the certificate's identity must be one of `trust.identities` trusted for the purpose
//! at the stage. Key-signed bundles without log entries (stagegate's own offline results) are
//! checked by the DSSE path here.
//!
//! What we ignore (and why): the bundle's key hint and DSSE `keyid` (they only order the keys
//! tried: every eligible key is tried, so a wrong hint cannot redirect trust).

pub mod candidate;
pub mod evidence;
pub mod keyless;
pub mod policy;
pub mod promotion;
pub mod revocation;
pub mod trust;
pub mod verifier;

pub use self::keyless::{CertificateIdentity, Matcher, SigstoreRoot, TrustedIdentity};
pub use self::policy::{PolicyErrorKind, Rule, VerificationPolicy};
pub use self::trust::{Trust, TrustError, TrustedApprover, TrustedKey};
pub use self::verifier::{CheckedBundle, Signer, VerifiedApproval, Verifier, purpose_of};
use crate::attest::AttestError;
use crate::attest::statement::Statement;
pub use crate::config::trust::Purpose;
use crate::wire::IN_TOTO_PAYLOAD_TYPE;

/// Why the document could not be read as a signed bundle or envelope.
#[derive(Debug, thiserror::Error)]
pub enum BundleErrorKind {
    /// Malformed: not JSON, truncated, unknown media type, bad base64.
    #[error("malformed bundle")]
    Malformed(#[from] AttestError),
    /// A keyless or logged bundle that the Sigstore bundle reader refuses.
    #[error("malformed Sigstore bundle: {0}")]
    Sigstore(String),
}

/// Why no signature is trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureErrorKind {
    /// No key is trusted: always a rejection.
    #[error("no trusted keys: nothing can be verified (an empty trust list rejects everything)")]
    NoTrustedKeys,
    /// Keys are trusted, but none for this purpose (at this stage).
    #[error(
        "no key is trusted for {purpose}{} (the document names key id(s) {keyids})",
        stage.as_deref().map(|s| format!(" at stage `{s}`")).unwrap_or_default()
    )]
    NoKeyForPurpose {
        /// The purpose the statement serves.
        purpose: Purpose,
        /// The stage, when one.
        stage: Option<String>,
        /// The key ids the document names.
        keyids: String,
    },
    /// A trusted key signed it, but that key is not trusted for this purpose, stage or time.
    #[error("{0}")]
    NotTrustedFor(String),
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
    /// A keyless bundle, and no certificate identity is trusted.
    #[error(
        "the bundle is keyless (signed by `{identity}`), and no certificate identity is trusted (`trust.identities`)"
    )]
    NoTrustedIdentities {
        /// The certificate's identity.
        identity: String,
    },
    /// No trusted identity (for this purpose, at this stage) is the certificate's.
    #[error("signed by an untrusted identity `{identity}` (issuer {issuer}): {detail}")]
    UntrustedIdentity {
        /// The certificate's SAN.
        identity: String,
        /// The certificate's OIDC issuer.
        issuer: String,
        /// Why each trusted identity did not match (the first few).
        detail: String,
    },
    /// `sigstore-verify` rejected the bundle (certificate chain, SCT, log entry, timestamp,
    /// signature, artifact binding).
    #[error("the Sigstore bundle does not verify: {0}")]
    Sigstore(String),
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
#[non_exhaustive]
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

/// What verified: only a [`Verifier`] makes one.
#[derive(Debug, Clone)]
pub struct Verified {
    signer: Signer,
    statement: Option<Statement>,
    sha256: String,
}

impl Verified {
    /// Who signed it, and what the trust entry vouches for in it.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The statement, or `None` for a `messageSignature` bundle (which signs an artifact).
    pub fn statement(&self) -> Option<&Statement> {
        self.statement.as_ref()
    }

    /// The statement, taken.
    pub fn into_statement(self) -> Option<Statement> {
        self.statement
    }

    /// The lowercase hex sha256 of the document's bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// Parses `bytes` and verifies them with `verifier` for `kind` at `stage`: the one-call form
/// for a caller holding bytes.
pub fn verify_bytes(
    verifier: &Verifier,
    bytes: &[u8],
    kind: Purpose,
    stage: Option<&str>,
    policy: &VerificationPolicy,
) -> Result<Verified, VerifyError> {
    let document = CheckedBundle::from_json(bytes)?;
    verifier.verify(&document, kind, stage, policy)
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

    fn statement(key: &SigningKey, predicate_type: &str, at: &str) -> Vec<u8> {
        let statement = Statement::new(
            ResourceDescriptor::sha256("app", DIGEST),
            predicate_type,
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

    fn vsa(key: &SigningKey, at: &str) -> Vec<u8> {
        statement(key, VSA_PREDICATE_TYPE, at)
    }

    fn verifier(keys: Vec<TrustedKey>) -> Verifier {
        Verifier::new(&Trust::with_keys(keys))
    }

    fn results(key: &SigningKey) -> Vec<TrustedKey> {
        vec![TrustedKey::for_results("k", key.public_key())]
    }

    fn policy(max_age: Option<Duration>) -> VerificationPolicy {
        VerificationPolicy::stage_result(
            DIGEST,
            "dev",
            max_age.map(|m| (m, chrono::Utc::now())),
            Some("sha256:cd"),
        )
    }

    fn check(
        verifier: &Verifier,
        bytes: &[u8],
        policy: &VerificationPolicy,
    ) -> Result<Verified, VerifyError> {
        verify_bytes(verifier, bytes, Purpose::Results, Some("dev"), policy)
    }

    #[test]
    fn pass() {
        let key = SigningKey::generate_p256();
        let now = chrono::Utc::now().to_rfc3339();
        let verified = check(
            &verifier(results(&key)),
            &vsa(&key, &now),
            &policy(Some(Duration::from_secs(60))),
        )
        .unwrap();
        assert_eq!(verified.signer().name, "k");
        assert_eq!(verified.signer().purposes, [Purpose::Results]);
        // Any of several trusted keys will do.
        let mut keys = results(&SigningKey::generate_ed25519());
        keys.extend(results(&key));
        check(&verifier(keys), &vsa(&key, &now), &policy(None)).unwrap();
        // A key scoped to the stage of the result.
        let mut scoped = TrustedKey::for_results("dev-gate", key.public_key());
        scoped.stages = Some(vec!["dev".into()]);
        check(&verifier(vec![scoped]), &vsa(&key, &now), &policy(None)).unwrap();
        // Evidence: a provenance signed by a builder key trusted for provenance.
        let builder = TrustedKey {
            purposes: vec![Purpose::Provenance],
            ..TrustedKey::for_results("builder", key.public_key())
        };
        let provenance = statement(&key, "https://slsa.dev/provenance/v1", &now);
        let document = CheckedBundle::from_json(&provenance).unwrap();
        let verified = verifier(vec![builder])
            .verify_evidence(&document, None)
            .unwrap();
        assert_eq!(verified.signer().purposes, [Purpose::Provenance]);
    }

    #[test]
    fn fail() {
        let key = SigningKey::generate_p256();
        let now = chrono::Utc::now().to_rfc3339();
        let bundle = vsa(&key, &now);
        assert!(matches!(
            check(&verifier(Vec::new()), &bundle, &policy(None)),
            Err(VerifyError::Signature(SignatureErrorKind::NoTrustedKeys))
        ));
        assert!(matches!(
            check(
                &verifier(results(&SigningKey::generate_p256())),
                &bundle,
                &policy(None)
            ),
            Err(VerifyError::Signature(
                SignatureErrorKind::UntrustedSigner { .. }
            ))
        ));
        let future = (chrono::Utc::now() + chrono::TimeDelta::hours(1)).to_rfc3339();
        assert!(matches!(
            check(
                &verifier(results(&key)),
                &vsa(&key, &future),
                &policy(Some(Duration::from_secs(60)))
            ),
            Err(VerifyError::Policy(PolicyErrorKind::InTheFuture { .. }))
        ));
        assert!(matches!(
            VerificationPolicy::builder().build(),
            Err(policy::EmptyPolicy)
        ));
        assert!(matches!(
            check(
                &verifier(results(&key)),
                &bundle,
                &VerificationPolicy::stage_result(DIGEST, "dev", None, Some("sha256:00"))
            ),
            Err(VerifyError::Policy(PolicyErrorKind::PolicyDigest { .. }))
        ));
        // A builder key may not sign a stage result.
        let builder = TrustedKey {
            purposes: vec![Purpose::Provenance, Purpose::Attestations],
            ..TrustedKey::for_results("builder", key.public_key())
        };
        let err = check(&verifier(vec![builder]), &bundle, &policy(None)).unwrap_err();
        assert!(
            err.to_string().contains(
                "`builder`, which is trusted for provenance, attestations only, not for results"
            ),
            "{err}"
        );
        // A staging gate's key may not sign a dev result.
        let mut staging = TrustedKey::for_results("staging-gate", key.public_key());
        staging.stages = Some(vec!["staging".into()]);
        let err = check(&verifier(vec![staging]), &bundle, &policy(None)).unwrap_err();
        assert!(err.to_string().contains("not at `dev`"), "{err}");
        // A key past its `not_after`.
        let mut rotated = TrustedKey::for_results("old-gate", key.public_key());
        rotated.not_after = Some(chrono::Utc::now() - chrono::TimeDelta::hours(1));
        let err = check(&verifier(vec![rotated]), &bundle, &policy(None)).unwrap_err();
        assert!(err.to_string().contains("no longer trusted since"), "{err}");
        // A gate key (results only) does not vouch for provenance.
        let provenance = statement(&key, "https://slsa.dev/provenance/v1", &now);
        let document = CheckedBundle::from_json(&provenance).unwrap();
        let err = verifier(results(&key))
            .verify_evidence(&document, None)
            .unwrap_err();
        assert!(err.to_string().contains("not for provenance"), "{err}");
    }
}
