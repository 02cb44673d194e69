//! Sigstore bundles (v0.1–v0.3 JSON): a DSSE envelope or a message signature, with the
//! material to verify it.
//!
//! Spec: <https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto>.
//! We write v0.3 ([`BUNDLE_V03_MEDIA_TYPE`]) with `verificationMaterial.publicKey.hint` (the
//! signing key's [`PublicKey::hint`](super::keys::PublicKey::hint)) and no transparency-log
//! entry: stagegate signs with a managed key, and the verifier is given the key. We read both
//! v0.3 media-type spellings and v0.1/v0.2.
//!
//! [`Bundle`] is the checked type: media type known, exactly one content, base64 decoded.
//!
//! What we ignore (and why): `tlogEntries` and `timestampVerificationData` are kept only as a
//! count (stagegate's verifier trusts keys, not logs; offline keyless verification is not
//! implemented); certificates are decoded but not validated, so a keyless bundle can be read
//! but never verifies here.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::AttestError;
use super::dsse::{Envelope, WireEnvelope, decode_base64};
use super::keys::PublicKey;
use crate::wire::{
    BUNDLE_V01_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE, BUNDLE_V03_ALT_MEDIA_TYPE, BUNDLE_V03_MEDIA_TYPE,
};

/// A Sigstore bundle, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The media type as written (one of the four known ones).
    pub media_type: String,
    /// What verifies it.
    pub material: VerificationMaterial,
    /// What is signed.
    pub content: BundleContent,
    /// How many transparency-log entries it carries (not verified).
    pub tlog_entries: usize,
}

/// How a bundle's signature is to be verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerificationMaterial {
    /// A managed key, named by a hint; the verifier supplies the key.
    PublicKey {
        /// The hint, when given.
        hint: Option<String>,
    },
    /// A Fulcio certificate (v0.3) or chain (v0.1/v0.2), leaf first, DER: keyless.
    Certificates(Vec<Vec<u8>>),
}

/// What a bundle signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleContent {
    /// A DSSE envelope (usually an in-toto Statement).
    Dsse(Envelope),
    /// A signature over an artifact, of which the bundle carries the digest.
    MessageSignature {
        /// The digest algorithm as written (`SHA2_256`).
        algorithm: String,
        /// The artifact's digest.
        digest: Vec<u8>,
        /// The signature.
        signature: Vec<u8>,
    },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireBundle {
    media_type: String,
    verification_material: WireMaterial,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dsse_envelope: Option<WireEnvelope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message_signature: Option<WireMessageSignature>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMaterial {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    public_key: Option<WirePublicKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    certificate: Option<WireCertificate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x509_certificate_chain: Option<WireChain>,
    #[serde(default)]
    tlog_entries: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timestamp_verification_data: Option<Value>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WirePublicKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireCertificate {
    raw_bytes: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireChain {
    #[serde(default)]
    certificates: Vec<WireCertificate>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMessageSignature {
    #[serde(default)]
    message_digest: Option<WireDigest>,
    signature: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireDigest {
    algorithm: String,
    digest: String,
}

impl Bundle {
    /// A v0.3 bundle of `envelope`, signed by `key`, with the key's hint.
    pub fn for_envelope(envelope: Envelope, key: &PublicKey) -> Bundle {
        Bundle {
            media_type: BUNDLE_V03_MEDIA_TYPE.to_owned(),
            material: VerificationMaterial::PublicKey {
                hint: Some(key.hint()),
            },
            content: BundleContent::Dsse(envelope),
            tlog_entries: 0,
        }
    }

    /// Reads bundle JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Bundle, AttestError> {
        let wire: WireBundle = serde_json::from_slice(bytes).map_err(AttestError::Json)?;
        Bundle::try_from(wire)
    }

    /// The bundle's JSON text (pretty, ending with a newline).
    pub fn to_json(&self) -> Result<String, AttestError> {
        let material = match &self.material {
            VerificationMaterial::PublicKey { hint } => WireMaterial {
                public_key: Some(WirePublicKey { hint: hint.clone() }),
                ..WireMaterial::default()
            },
            VerificationMaterial::Certificates(chain) => WireMaterial {
                certificate: chain.first().map(|der| WireCertificate {
                    raw_bytes: STANDARD.encode(der),
                }),
                ..WireMaterial::default()
            },
        };
        let (dsse_envelope, message_signature) = match &self.content {
            BundleContent::Dsse(envelope) => (Some(envelope.to_wire()), None),
            BundleContent::MessageSignature {
                algorithm,
                digest,
                signature,
            } => (
                None,
                Some(WireMessageSignature {
                    message_digest: Some(WireDigest {
                        algorithm: algorithm.clone(),
                        digest: STANDARD.encode(digest),
                    }),
                    signature: STANDARD.encode(signature),
                }),
            ),
        };
        let wire = WireBundle {
            media_type: self.media_type.clone(),
            verification_material: material,
            dsse_envelope,
            message_signature,
        };
        let mut text = serde_json::to_string_pretty(&wire).map_err(AttestError::Serialize)?;
        text.push('\n');
        Ok(text)
    }
}

impl TryFrom<WireBundle> for Bundle {
    type Error = AttestError;

    fn try_from(wire: WireBundle) -> Result<Bundle, AttestError> {
        if ![
            BUNDLE_V03_MEDIA_TYPE,
            BUNDLE_V03_ALT_MEDIA_TYPE,
            BUNDLE_V02_MEDIA_TYPE,
            BUNDLE_V01_MEDIA_TYPE,
        ]
        .contains(&wire.media_type.as_str())
        {
            return Err(AttestError::UnknownMediaType(wire.media_type));
        }
        let material = wire.verification_material;
        let cert = |c: &WireCertificate| {
            decode_base64(&c.raw_bytes).map_err(|source| AttestError::Base64 {
                field: "certificate.rawBytes",
                source,
            })
        };
        let verification = match (
            material.public_key,
            material.certificate,
            material.x509_certificate_chain,
        ) {
            (Some(key), None, None) => VerificationMaterial::PublicKey { hint: key.hint },
            (None, Some(leaf), None) => VerificationMaterial::Certificates(vec![cert(&leaf)?]),
            (None, None, Some(chain)) => VerificationMaterial::Certificates(
                chain
                    .certificates
                    .iter()
                    .map(cert)
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err(AttestError::Material),
        };
        let content = match (wire.dsse_envelope, wire.message_signature) {
            (Some(envelope), None) => BundleContent::Dsse(Envelope::try_from(envelope)?),
            (None, Some(message)) => {
                let digest = message.message_digest.ok_or(AttestError::Content)?;
                BundleContent::MessageSignature {
                    algorithm: digest.algorithm,
                    digest: decode_base64(&digest.digest).map_err(|source| {
                        AttestError::Base64 {
                            field: "messageDigest.digest",
                            source,
                        }
                    })?,
                    signature: decode_base64(&message.signature).map_err(|source| {
                        AttestError::Base64 {
                            field: "messageSignature.signature",
                            source,
                        }
                    })?,
                }
            }
            _ => return Err(AttestError::Content),
        };
        Ok(Bundle {
            media_type: wire.media_type,
            material: verification,
            content,
            tlog_entries: material.tlog_entries.len(),
        })
    }
}

/// A signed document as found in a file: a Sigstore bundle or a bare DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedDocument {
    /// A Sigstore bundle.
    Bundle(Bundle),
    /// A bare DSSE envelope (as `cosign attest` without a bundle, witness, slsa-verifier).
    Envelope(Envelope),
}

impl SignedDocument {
    /// Reads one JSON document: a bundle if it has `mediaType`, a DSSE envelope if it has
    /// `payloadType`. Anything after it but white space — trailing garbage, a second document
    /// (a JSON Lines file of several) — is refused: what is verified is the whole file, never
    /// a prefix of it (issue #12).
    pub fn from_json(bytes: &[u8]) -> Result<SignedDocument, AttestError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(AttestError::Empty);
        }
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let value = Value::deserialize(&mut deserializer).map_err(AttestError::Json)?;
        deserializer.end().map_err(AttestError::Json)?;
        if value.get("mediaType").is_some() {
            let wire: WireBundle = serde_json::from_value(value).map_err(AttestError::Json)?;
            Ok(SignedDocument::Bundle(Bundle::try_from(wire)?))
        } else if value.get("payloadType").is_some() {
            let wire: WireEnvelope = serde_json::from_value(value).map_err(AttestError::Json)?;
            Ok(SignedDocument::Envelope(Envelope::try_from(wire)?))
        } else {
            Err(AttestError::NotSigned)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::keys::SigningKey;

    #[test]
    fn round_trip() {
        let key = SigningKey::generate_p256();
        let envelope = Envelope::sign("text/plain", b"hi".to_vec(), &key);
        let bundle = Bundle::for_envelope(envelope, &key.public_key());
        let json = bundle.to_json().unwrap();
        assert!(json.contains(BUNDLE_V03_MEDIA_TYPE));
        assert_eq!(Bundle::from_json(json.as_bytes()).unwrap(), bundle);
    }

    #[test]
    fn fail() {
        assert!(matches!(
            SignedDocument::from_json(b"{\"mediaType\": \"x\", \"verificationMaterial\": {}}"),
            Err(AttestError::UnknownMediaType(_))
        ));
        assert!(matches!(
            SignedDocument::from_json(b"{\"a\": 1}"),
            Err(AttestError::NotSigned)
        ));
        assert!(matches!(
            SignedDocument::from_json(b"{\"payloadType\""),
            Err(AttestError::Json(_))
        ));
        assert!(matches!(
            SignedDocument::from_json(b"  "),
            Err(AttestError::Empty)
        ));
        // Regression for issue #12 point 14: a bundle followed by trailing garbage or a second
        // document was accepted.
        assert!(matches!(
            SignedDocument::from_json(b"{\"a\": 1} x"),
            Err(AttestError::Json(_))
        ));
        assert!(matches!(
            SignedDocument::from_json(b"{\"a\": 1}\n{\"a\": 1}\n"),
            Err(AttestError::Json(_))
        ));
        assert!(matches!(
            SignedDocument::from_json(b"  "),
            Err(AttestError::Empty)
        ));
    }
}
