//! DSSE envelopes and the pre-authentication encoding (PAE) they sign.
//!
//! Spec: <https://github.com/secure-systems-lab/dsse/blob/master/protocol.md> and
//! `envelope.md`. A signature is over
//! `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, with lengths as
//! ASCII decimal byte counts, never over the payload alone — so a signature cannot be moved to
//! another payload type.
//!
//! [`Envelope`] is the checked type: the payload decoded, every signature decoded. Its JSON
//! form writes standard base64 with padding; reading accepts standard or URL-safe base64,
//! padded or not, as the spec allows.
//!
//! What we ignore (and why): nothing of the envelope; extension fields (`signatures[].cert`
//! in slsa-github-generator's envelopes) are read past, since keyless verification is not
//! done here.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "capacity and width sums of lengths already in memory"
)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Serialize};

use super::AttestError;
use super::keys::SigningKey;

/// A DSSE envelope, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The payload's media type.
    pub payload_type: String,
    /// The payload's bytes.
    pub payload: Vec<u8>,
    /// The signatures, each over [`pae`] of the type and payload.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an [`Envelope`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeSignature {
    /// The signer's key id, a hint only (empty when none was given).
    pub keyid: String,
    /// The signature's bytes.
    pub sig: Vec<u8>,
}

/// The envelope as JSON.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireEnvelope {
    pub(crate) payload: String,
    pub(crate) payload_type: String,
    #[serde(default)]
    pub(crate) signatures: Vec<WireSignature>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireSignature {
    #[serde(default)]
    pub(crate) keyid: Option<String>,
    pub(crate) sig: String,
}

/// The DSSE pre-authentication encoding of `payload_type` and `payload`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + payload.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Decodes DSSE base64: standard or URL-safe alphabet, with or without padding.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    const LENIENT: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
    const URL: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);
    STD.decode(text).or_else(|_| URL.decode(text))
}

impl Envelope {
    /// Signs `payload` of `payload_type` with `key`; the `keyid` is the key's hint.
    pub fn sign(payload_type: &str, payload: Vec<u8>, key: &SigningKey) -> Envelope {
        let sig = key.sign(&pae(payload_type, &payload));
        Envelope {
            payload_type: payload_type.to_owned(),
            payload,
            signatures: vec![EnvelopeSignature {
                keyid: key.public_key().hint(),
                sig,
            }],
        }
    }

    /// The bytes every signature signs.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }

    pub(crate) fn to_wire(&self) -> WireEnvelope {
        WireEnvelope {
            payload: STANDARD.encode(&self.payload),
            payload_type: self.payload_type.clone(),
            signatures: self
                .signatures
                .iter()
                .map(|s| WireSignature {
                    keyid: Some(s.keyid.clone()),
                    sig: STANDARD.encode(&s.sig),
                })
                .collect(),
        }
    }

    /// The envelope's JSON text.
    pub fn to_json(&self) -> Result<String, AttestError> {
        serde_json::to_string(&self.to_wire()).map_err(AttestError::Serialize)
    }
}

impl TryFrom<WireEnvelope> for Envelope {
    type Error = AttestError;

    fn try_from(wire: WireEnvelope) -> Result<Envelope, AttestError> {
        let payload = decode_base64(&wire.payload).map_err(|source| AttestError::Base64 {
            field: "payload",
            source,
        })?;
        let signatures = wire
            .signatures
            .into_iter()
            .map(|s| {
                Ok(EnvelopeSignature {
                    keyid: s.keyid.unwrap_or_default(),
                    sig: decode_base64(&s.sig).map_err(|source| AttestError::Base64 {
                        field: "signatures[].sig",
                        source,
                    })?,
                })
            })
            .collect::<Result<Vec<_>, AttestError>>()?;
        Ok(Envelope {
            payload_type: wire.payload_type,
            payload,
            signatures,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_spec_example() {
        // protocol.md: PAE("http://example.com/HelloWorld", "hello world")
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }

    #[test]
    fn base64_alphabets() {
        assert_eq!(decode_base64("-_8").unwrap(), [0xfb, 0xff]);
        assert_eq!(decode_base64("+/8=").unwrap(), [0xfb, 0xff]);
        assert!(decode_base64("not base64!").is_err());
    }
}
