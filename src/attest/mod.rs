//! Stage 4: signing. A gate's [`Decision`](crate::decision::Decision) becomes in-toto
//! Statements ([`statement`]) with a SLSA VSA and a stagegate decision predicate ([`vsa`]),
//! each signed in a DSSE envelope ([`dsse`]) and written as a Sigstore bundle v0.3
//! ([`bundle`]) with a cosign-compatible key ([`keys`]). Approvals ([`approval`]) and
//! revocations ([`revocation`]) are signed the same way. With `--keyless`, [`keyless`] signs
//! instead: a Fulcio certificate for the CI job's OIDC identity ([`identity_token`]) and a
//! Rekor entry, in the same bundle v0.3.
//!
//! This module signs and parses; it never decides whether a signature is trusted. That is
//! [`crate::verify`]'s job alone.

pub mod approval;
pub mod bundle;
pub mod dsse;
pub mod identity_token;
pub mod keyless;
pub mod keys;
pub mod revocation;
pub mod statement;
pub mod vsa;

use serde::Serialize;

use self::bundle::Bundle;
use self::dsse::Envelope;
use self::keys::SigningKey;
use self::statement::Statement;
use crate::wire::IN_TOTO_PAYLOAD_TYPE;

/// Why an attestation could not be parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    /// Not JSON, truncated, or JSON of the wrong shape.
    #[error("not a well-formed bundle or envelope")]
    Json(#[source] serde_json::Error),
    /// The file holds no JSON value.
    #[error("the file is empty")]
    Empty,
    /// JSON, but neither a Sigstore bundle (`mediaType`) nor a DSSE envelope (`payloadType`).
    #[error("neither a Sigstore bundle nor a DSSE envelope")]
    NotSigned,
    /// A bundle media type we do not read.
    #[error("unknown bundle media type `{0}`")]
    UnknownMediaType(String),
    /// A bundle with none or several of `publicKey`, `certificate`, `x509CertificateChain`.
    #[error(
        "the bundle's verification material must be exactly one of a public key, a certificate or a certificate chain"
    )]
    Material,
    /// A bundle with none or both of `dsseEnvelope` and `messageSignature`.
    #[error("the bundle must hold exactly one of `dsseEnvelope` and `messageSignature`")]
    Content,
    /// A base64 field does not decode.
    #[error("`{field}` is not valid base64")]
    Base64 {
        /// The field.
        field: &'static str,
        /// The cause.
        #[source]
        source: base64::DecodeError,
    },
    /// Serialising failed (cannot happen for our own types; kept typed rather than panicking).
    #[error("cannot serialise the attestation")]
    Serialize(#[source] serde_json::Error),
}

/// Signs `statement` with `key` and wraps it in a v0.3 bundle carrying the key's hint.
pub fn sign_statement<P: Serialize>(
    statement: &Statement<P>,
    key: &SigningKey,
) -> Result<Bundle, AttestError> {
    let payload = serde_json::to_vec(statement).map_err(AttestError::Serialize)?;
    let envelope = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, payload, key);
    Ok(Bundle::for_envelope(envelope, &key.public_key()))
}
