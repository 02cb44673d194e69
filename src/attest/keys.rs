//! Signing and public keys: ECDSA P-256 (cosign's default) and Ed25519.
//!
//! [`SigningKey`] reads and writes cosign's encrypted private-key file, the PEM block
//! `ENCRYPTED SIGSTORE PRIVATE KEY` (older cosign: `ENCRYPTED COSIGN PRIVATE KEY`) holding the
//! JSON document of go-securesystemslib's `encrypted` package:
//!
//! ```json
//! {"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<base64>"},
//!  "cipher":{"name":"nacl/secretbox","nonce":"<base64>"},
//!  "ciphertext":"<base64 of secretbox(PKCS#8 DER)>"}
//! ```
//!
//! The key is `scrypt(password, salt, N, r, p, 32)`, the cipher NaCl secretbox
//! (XSalsa20-Poly1305) and the plaintext the PKCS#8 DER of the private key, exactly what
//! `cosign generate-key-pair` writes (tested against a key cosign generated, in
//! `testdata/keys/`). Unencrypted PKCS#8 (`PRIVATE KEY`) and SEC1 (`EC PRIVATE KEY`) files load
//! too. [`PublicKey`] reads and writes the PEM `PUBLIC KEY` (SubjectPublicKeyInfo) cosign uses
//! for `P.pub`.
//!
//! Secrets stay in memory only as key types that zeroize on drop or in [`Zeroizing`] buffers,
//! and no type here prints key material in `Debug`.
//!
//! Signatures: ECDSA P-256 with SHA-256 is written ASN.1 DER (as cosign and sigstore-js do)
//! and read as DER or as IEEE P1363 (`r || s`, 64 bytes), which Google's KMS-signed VSAs use;
//! Ed25519 signatures are the 64 raw bytes, verified strictly.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use crypto_secretbox::XSalsa20Poly1305;
use crypto_secretbox::aead::{Aead, KeyInit};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use pkcs8::der::Decode;
use pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// PEM label of the encrypted private keys cosign writes today.
pub const SIGSTORE_PRIVATE_KEY_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// PEM label older cosign versions wrote; read, never written.
pub const COSIGN_PRIVATE_KEY_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

/// scrypt cost parameters written by [`SigningKey::to_encrypted_pem`]: cosign's own
/// (`N = 2^16, r = 8, p = 1`).
const SCRYPT_LOG_N: u8 = 16;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
/// The largest `N` accepted when reading a key file (2^20, 1 GiB of memory at r = 8): a key
/// file is input, and must not make us allocate without bound.
const SCRYPT_MAX_LOG_N: u32 = 20;

const OID_EC_PUBLIC_KEY: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_ED25519: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.101.112");

/// Why a key could not be read, written or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Not PEM, or a PEM block of a kind we do not read.
    #[error(
        "not a PEM key (expected `{SIGSTORE_PRIVATE_KEY_LABEL}`, `PRIVATE KEY`, `EC PRIVATE KEY` or `PUBLIC KEY`); found {found}"
    )]
    NotPem {
        /// What was found instead.
        found: String,
    },
    /// A public key where a private key is needed (`--key` of a signing command).
    #[error(
        "this is a public key (`PUBLIC KEY`); signing needs the private key (`{SIGSTORE_PRIVATE_KEY_LABEL}`, `PRIVATE KEY` or `EC PRIVATE KEY`), e.g. `gate.key` beside `gate.pub`"
    )]
    PublicKeyGiven,
    /// A private key where a public key is needed (`verify --key`, `trust.keys`).
    #[error(
        "this is a private key (`{label}`); give its public half (`PUBLIC KEY`), e.g. `gate.pub` beside `gate.key`"
    )]
    PrivateKeyGiven {
        /// The PEM label found.
        label: String,
    },
    /// The encrypted key's JSON document is malformed.
    #[error("the encrypted key document is malformed")]
    Malformed(#[source] serde_json::Error),
    /// The encrypted key names a KDF or cipher we do not implement.
    #[error("unsupported key encryption `{0}` (cosign uses scrypt and nacl/secretbox)")]
    UnsupportedEncryption(String),
    /// The scrypt parameters are invalid or too expensive.
    #[error("invalid scrypt parameters N={n}, r={r}, p={p}")]
    ScryptParams {
        /// N.
        n: u64,
        /// r.
        r: u32,
        /// p.
        p: u32,
    },
    /// The password is wrong (or the file was tampered with): the secretbox did not open.
    #[error("wrong password, or the key file is corrupt")]
    WrongPassword,
    /// A base64 field does not decode.
    #[error("the key's `{field}` is not valid base64")]
    Base64 {
        /// The field.
        field: &'static str,
        /// The cause.
        #[source]
        source: base64::DecodeError,
    },
    /// A key algorithm other than ECDSA P-256 or Ed25519.
    #[error("unsupported key algorithm {0} (stagegate signs with ECDSA P-256 or Ed25519)")]
    UnsupportedAlgorithm(String),
    /// The DER inside is not a valid key of its algorithm.
    #[error("the key is not a valid {algorithm} key")]
    Invalid {
        /// The algorithm.
        algorithm: &'static str,
        /// The cause.
        #[source]
        source: pkcs8::Error,
    },
    /// The DER inside is not a valid public key.
    #[error("the public key is not valid")]
    InvalidPublic(#[source] pkcs8::spki::Error),
}

/// The signature algorithm of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// ECDSA over NIST P-256 with SHA-256.
    EcdsaP256,
    /// Ed25519 (pure).
    Ed25519,
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyAlgorithm::EcdsaP256 => "ecdsa-p256-sha256",
            KeyAlgorithm::Ed25519 => "ed25519",
        })
    }
}

/// A private key. Zeroized on drop; its `Debug` shows the public half only.
pub enum SigningKey {
    /// ECDSA P-256.
    EcdsaP256(p256::ecdsa::SigningKey),
    /// Ed25519.
    Ed25519(ed25519_dalek::SigningKey),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm())
            .field("public", &self.public_key().hint())
            .finish_non_exhaustive()
    }
}

/// A public key, with the hint that names it in bundles.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// ECDSA P-256.
    EcdsaP256(p256::ecdsa::VerifyingKey),
    /// Ed25519.
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({} {})", self.algorithm(), self.hint())
    }
}

/// Why a signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureMismatch {
    /// The signature bytes are not a signature of this algorithm (neither DER nor P1363).
    #[error("the signature is not a well-formed {0} signature")]
    Malformed(KeyAlgorithm),
    /// Well-formed, but made by another key or over other bytes.
    #[error("the signature does not match the key and the signed bytes")]
    Mismatch,
}

impl SigningKey {
    /// A fresh ECDSA P-256 key from the operating system's random source.
    pub fn generate_p256() -> SigningKey {
        SigningKey::EcdsaP256(p256::ecdsa::SigningKey::random(&mut OsRng))
    }

    /// A fresh Ed25519 key from the operating system's random source.
    pub fn generate_ed25519() -> SigningKey {
        SigningKey::Ed25519(ed25519_dalek::SigningKey::generate(&mut OsRng))
    }

    /// The algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self {
            SigningKey::EcdsaP256(_) => KeyAlgorithm::EcdsaP256,
            SigningKey::Ed25519(_) => KeyAlgorithm::Ed25519,
        }
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        match self {
            SigningKey::EcdsaP256(key) => PublicKey::EcdsaP256(*key.verifying_key()),
            SigningKey::Ed25519(key) => PublicKey::Ed25519(key.verifying_key()),
        }
    }

    /// Signs `message`: ECDSA P-256 over SHA-256(message), DER-encoded; or Ed25519.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            SigningKey::EcdsaP256(key) => {
                let signature: p256::ecdsa::DerSignature = key.sign(message);
                signature.as_bytes().to_vec()
            }
            SigningKey::Ed25519(key) => key.sign(message).to_bytes().to_vec(),
        }
    }

    /// The PKCS#8 DER of the key, zeroized on drop.
    fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let (algorithm, document) = match self {
            SigningKey::EcdsaP256(key) => ("ECDSA P-256", key.to_pkcs8_der()),
            // PKCS#8 v1 (no embedded public key), as Go's `x509.MarshalPKCS8PrivateKey`
            // writes: the v2 form ed25519-dalek writes by default is refused by some readers.
            SigningKey::Ed25519(key) => (
                "Ed25519",
                ed25519_dalek::pkcs8::KeypairBytes {
                    secret_key: key.to_bytes(),
                    public_key: None,
                }
                .to_pkcs8_der(),
            ),
        };
        let document = document.map_err(|source| KeyError::Invalid { algorithm, source })?;
        Ok(Zeroizing::new(document.as_bytes().to_vec()))
    }

    /// Reads a private key from PKCS#8 DER (the plaintext of cosign's encrypted file).
    fn from_pkcs8_der(der: &[u8]) -> Result<SigningKey, KeyError> {
        let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|e| KeyError::Invalid {
            algorithm: "PKCS#8",
            source: e.into(),
        })?;
        let oid = info.algorithm.oid;
        if oid == OID_EC_PUBLIC_KEY {
            let curve = info.algorithm.parameters_oid().ok();
            if curve != Some(OID_P256) {
                return Err(KeyError::UnsupportedAlgorithm(format!(
                    "EC curve {}",
                    curve.map_or_else(|| "(none)".to_owned(), |c| c.to_string())
                )));
            }
            p256::ecdsa::SigningKey::from_pkcs8_der(der)
                .map(SigningKey::EcdsaP256)
                .map_err(|source| KeyError::Invalid {
                    algorithm: "ECDSA P-256",
                    source,
                })
        } else if oid == OID_ED25519 {
            ed25519_dalek::SigningKey::from_pkcs8_der(der)
                .map(SigningKey::Ed25519)
                .map_err(|source| KeyError::Invalid {
                    algorithm: "Ed25519",
                    source,
                })
        } else {
            Err(KeyError::UnsupportedAlgorithm(oid.to_string()))
        }
    }

    /// Writes cosign's encrypted private-key file (PEM `ENCRYPTED SIGSTORE PRIVATE KEY`).
    pub fn to_encrypted_pem(&self, password: &[u8]) -> Result<Zeroizing<String>, KeyError> {
        let der = self.to_pkcs8_der()?;
        let mut salt = [0u8; 32];
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut nonce);
        let key = derive_key(password, &salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)?;
        let cipher = XSalsa20Poly1305::new(key.as_slice().into());
        let ciphertext = cipher
            .encrypt(&nonce.into(), der.as_slice())
            .map_err(|_| KeyError::UnsupportedEncryption("nacl/secretbox".into()))?;
        let document = EncryptedKey {
            kdf: Kdf {
                name: "scrypt".into(),
                params: ScryptParams {
                    n: 1u64 << SCRYPT_LOG_N,
                    r: SCRYPT_R,
                    p: SCRYPT_P,
                },
                salt: STANDARD.encode(salt),
            },
            cipher: Cipher {
                name: "nacl/secretbox".into(),
                nonce: STANDARD.encode(nonce),
            },
            ciphertext: STANDARD.encode(ciphertext),
        };
        let json = serde_json::to_vec(&document).map_err(KeyError::Malformed)?;
        Ok(Zeroizing::new(pem_encode(
            SIGSTORE_PRIVATE_KEY_LABEL,
            &json,
        )))
    }

    /// Reads a private key file: cosign's encrypted format (either label) with `password`, or
    /// an unencrypted PKCS#8 or SEC1 PEM (the password is then unused).
    pub fn from_pem(text: &str, password: &[u8]) -> Result<SigningKey, KeyError> {
        let (label, body) = pem_decode(text)?;
        let body = Zeroizing::new(body);
        match label.as_str() {
            SIGSTORE_PRIVATE_KEY_LABEL | COSIGN_PRIVATE_KEY_LABEL => {
                let document: EncryptedKey =
                    serde_json::from_slice(&body).map_err(KeyError::Malformed)?;
                let der = document.decrypt(password)?;
                SigningKey::from_pkcs8_der(&der)
            }
            "PRIVATE KEY" => SigningKey::from_pkcs8_der(&body),
            "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(&body)
                .map(|k| SigningKey::EcdsaP256(k.into()))
                .map_err(|_| KeyError::UnsupportedAlgorithm("SEC1 key not on P-256".into())),
            "PUBLIC KEY" => Err(KeyError::PublicKeyGiven),
            other => Err(KeyError::NotPem {
                found: format!("a `{other}` block"),
            }),
        }
    }
}

impl PublicKey {
    /// The algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self {
            PublicKey::EcdsaP256(_) => KeyAlgorithm::EcdsaP256,
            PublicKey::Ed25519(_) => KeyAlgorithm::Ed25519,
        }
    }

    /// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo), as cosign writes `P.pub`.
    pub fn from_pem(text: &str) -> Result<PublicKey, KeyError> {
        let (label, body) = pem_decode(text)?;
        if label.contains("PRIVATE KEY") {
            return Err(KeyError::PrivateKeyGiven { label });
        }
        if label != "PUBLIC KEY" {
            return Err(KeyError::NotPem {
                found: format!("a `{label}` block"),
            });
        }
        PublicKey::from_spki_der(&body)
    }

    /// Reads a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let info = pkcs8::spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| KeyError::InvalidPublic(e.into()))?;
        let oid = info.algorithm.oid;
        if oid == OID_EC_PUBLIC_KEY {
            let curve = info.algorithm.parameters_oid().ok();
            if curve != Some(OID_P256) {
                return Err(KeyError::UnsupportedAlgorithm(format!(
                    "EC curve {}",
                    curve.map_or_else(|| "(none)".to_owned(), |c| c.to_string())
                )));
            }
            p256::ecdsa::VerifyingKey::from_public_key_der(der)
                .map(PublicKey::EcdsaP256)
                .map_err(KeyError::InvalidPublic)
        } else if oid == OID_ED25519 {
            ed25519_dalek::VerifyingKey::from_public_key_der(der)
                .map(PublicKey::Ed25519)
                .map_err(KeyError::InvalidPublic)
        } else {
            Err(KeyError::UnsupportedAlgorithm(oid.to_string()))
        }
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn to_spki_der(&self) -> Vec<u8> {
        let document = match self {
            PublicKey::EcdsaP256(key) => key.to_public_key_der(),
            PublicKey::Ed25519(key) => key.to_public_key_der(),
        };
        // Encoding a valid in-memory key cannot fail; an empty DER would only make the hint
        // and every signature check fail closed.
        document.map(|d| d.as_bytes().to_vec()).unwrap_or_default()
    }

    /// The PEM `PUBLIC KEY`, as cosign writes `P.pub`.
    pub fn to_pem(&self) -> String {
        let pem = match self {
            PublicKey::EcdsaP256(key) => key.to_public_key_pem(LineEnding::LF),
            PublicKey::Ed25519(key) => key.to_public_key_pem(LineEnding::LF),
        };
        pem.unwrap_or_default()
    }

    /// The key's hint: lowercase hex SHA-256 of its DER SubjectPublicKeyInfo. Written as the
    /// bundle's `verificationMaterial.publicKey.hint` and the DSSE `keyid`; a hint only
    /// selects a key, trust comes from the signature check.
    pub fn hint(&self) -> String {
        hex::encode(Sha256::digest(self.to_spki_der()))
    }

    /// Verifies `signature` over `message`. ECDSA signatures may be DER or P1363.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureMismatch> {
        match self {
            PublicKey::EcdsaP256(key) => {
                // Parsed with the RustCrypto code (so a malformed signature says so), verified
                // with ring's P-256, several times faster: a promotion checks dozens.
                let parsed = ecdsa_signature(signature)?;
                let point = key.to_encoded_point(false);
                ring::signature::UnparsedPublicKey::new(
                    &ring::signature::ECDSA_P256_SHA256_FIXED,
                    point.as_bytes(),
                )
                .verify(message, &parsed.to_bytes())
                .map_err(|_| SignatureMismatch::Mismatch)
            }
            PublicKey::Ed25519(key) => {
                let signature = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| SignatureMismatch::Malformed(KeyAlgorithm::Ed25519))?;
                key.verify_strict(message, &signature)
                    .map_err(|_| SignatureMismatch::Mismatch)
            }
        }
    }

    /// Verifies an ECDSA signature over a SHA-256 digest computed elsewhere (a Sigstore
    /// `messageSignature` signs the artifact, of which the bundle carries only the digest).
    /// Ed25519 signs the message itself, so this fails for Ed25519 keys.
    pub fn verify_prehashed_sha256(
        &self,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureMismatch> {
        match self {
            PublicKey::EcdsaP256(key) => {
                let signature = ecdsa_signature(signature)?;
                key.verify_prehash(digest, &signature)
                    .map_err(|_| SignatureMismatch::Mismatch)
            }
            PublicKey::Ed25519(_) => Err(SignatureMismatch::Mismatch),
        }
    }
}

/// An ECDSA P-256 signature from DER or from the 64-byte P1363 form, normalised to low-s
/// so that both forms of a valid signature verify.
fn ecdsa_signature(bytes: &[u8]) -> Result<p256::ecdsa::Signature, SignatureMismatch> {
    let signature = if bytes.len() == 64 {
        p256::ecdsa::Signature::from_slice(bytes)
    } else {
        p256::ecdsa::Signature::from_der(bytes)
    }
    .map_err(|_| SignatureMismatch::Malformed(KeyAlgorithm::EcdsaP256))?;
    Ok(signature.normalize_s().unwrap_or(signature))
}

/// cosign's encrypted-key document (go-securesystemslib `encrypted.data`).
#[derive(Serialize, Deserialize)]
struct EncryptedKey {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: ScryptParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct ScryptParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

impl EncryptedKey {
    fn decrypt(&self, password: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        if self.kdf.name != "scrypt" {
            return Err(KeyError::UnsupportedEncryption(self.kdf.name.clone()));
        }
        if self.cipher.name != "nacl/secretbox" {
            return Err(KeyError::UnsupportedEncryption(self.cipher.name.clone()));
        }
        let ScryptParams { n, r, p } = self.kdf.params;
        let bad_params = || KeyError::ScryptParams { n, r, p };
        if !n.is_power_of_two()
            || n < 2
            || n.trailing_zeros() > SCRYPT_MAX_LOG_N
            || r > 32
            || p > 16
        {
            return Err(bad_params());
        }
        let log_n = u8::try_from(n.trailing_zeros()).map_err(|_| bad_params())?;
        let decode = |field: &'static str, text: &str| {
            STANDARD
                .decode(text)
                .map_err(|source| KeyError::Base64 { field, source })
        };
        let salt = decode("kdf.salt", &self.kdf.salt)?;
        let nonce = decode("cipher.nonce", &self.cipher.nonce)?;
        let ciphertext = decode("ciphertext", &self.ciphertext)?;
        let nonce: [u8; 24] = nonce
            .try_into()
            .map_err(|_| KeyError::UnsupportedEncryption("a nonce that is not 24 bytes".into()))?;
        let key = derive_key(password, &salt, log_n, r, p)?;
        let cipher = XSalsa20Poly1305::new(key.as_slice().into());
        cipher
            .decrypt(&nonce.into(), ciphertext.as_slice())
            .map(Zeroizing::new)
            .map_err(|_| KeyError::WrongPassword)
    }
}

fn derive_key(
    password: &[u8],
    salt: &[u8],
    log_n: u8,
    r: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let bad = || KeyError::ScryptParams {
        n: 1u64 << log_n,
        r,
        p,
    };
    let params = scrypt::Params::new(log_n, r, p, 32).map_err(|_| bad())?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &params, key.as_mut_slice()).map_err(|_| bad())?;
    Ok(key)
}

/// PEM with 64-column lines, as Go's `encoding/pem` writes.
fn pem_encode(label: &str, body: &[u8]) -> String {
    let encoded = STANDARD.encode(body);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in encoded.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The first PEM block: its label and decoded body.
fn pem_decode(text: &str) -> Result<(String, Vec<u8>), KeyError> {
    let not_pem = |found: &str| KeyError::NotPem {
        found: found.to_owned(),
    };
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| not_pem("no `-----BEGIN` line"))?;
    let rest = text.get(start + 11..).unwrap_or_default();
    let (label, rest) = rest
        .split_once("-----")
        .ok_or_else(|| not_pem("a malformed `BEGIN` line"))?;
    let end_marker = format!("-----END {label}-----");
    let end = rest
        .find(&end_marker)
        .ok_or_else(|| not_pem("no matching `-----END` line"))?;
    let body: String = rest
        .get(..end)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bytes = STANDARD
        .decode(body.as_bytes())
        .map_err(|source| KeyError::Base64 {
            field: "PEM body",
            source,
        })?;
    Ok((label.to_owned(), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass() {
        // A key written by us loads back, signs, and its public half verifies (DER and P1363).
        let key = SigningKey::generate_p256();
        let pem = key.to_encrypted_pem(b"test").unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        let loaded = SigningKey::from_pem(&pem, b"test").unwrap();
        assert_eq!(loaded.public_key(), key.public_key());
        let signature = loaded.sign(b"message");
        key.public_key().verify(b"message", &signature).unwrap();
        let p1363 = p256::ecdsa::Signature::from_der(&signature)
            .unwrap()
            .to_bytes();
        key.public_key().verify(b"message", &p1363).unwrap();
        let public = PublicKey::from_pem(&key.public_key().to_pem()).unwrap();
        assert_eq!(public, key.public_key());

        let ed = SigningKey::generate_ed25519();
        let pem = ed.to_encrypted_pem(b"").unwrap();
        let loaded = SigningKey::from_pem(&pem, b"").unwrap();
        let signature = loaded.sign(b"m");
        PublicKey::from_pem(&ed.public_key().to_pem())
            .unwrap()
            .verify(b"m", &signature)
            .unwrap();
    }

    #[test]
    fn fail() {
        let key = SigningKey::generate_p256();
        let pem = key.to_encrypted_pem(b"right").unwrap();
        assert!(matches!(
            SigningKey::from_pem(&pem, b"wrong"),
            Err(KeyError::WrongPassword)
        ));
        let signature = key.sign(b"message");
        assert_eq!(
            key.public_key().verify(b"other", &signature),
            Err(SignatureMismatch::Mismatch)
        );
        assert_eq!(
            key.public_key().verify(b"message", b"junk"),
            Err(SignatureMismatch::Malformed(KeyAlgorithm::EcdsaP256))
        );
        assert!(matches!(
            PublicKey::from_pem("hello"),
            Err(KeyError::NotPem { .. })
        ));
        // A key of the other half says which half it is (issue 16).
        assert!(matches!(
            PublicKey::from_pem(&pem),
            Err(KeyError::PrivateKeyGiven { .. })
        ));
        let public = key.public_key().to_pem();
        let err = SigningKey::from_pem(&public, b"").err();
        assert!(matches!(err, Some(KeyError::PublicKeyGiven)));
        assert!(err.is_some_and(|e| e.to_string().contains("signing needs the private key")),);
        // A hostile N is refused before scrypt allocates.
        let hostile = pem_encode(
            SIGSTORE_PRIVATE_KEY_LABEL,
            br#"{"kdf":{"name":"scrypt","params":{"N":1099511627776,"r":8,"p":1},"salt":""},"cipher":{"name":"nacl/secretbox","nonce":""},"ciphertext":""}"#,
        );
        assert!(matches!(
            SigningKey::from_pem(&hostile, b""),
            Err(KeyError::ScryptParams { .. })
        ));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = SigningKey::generate_p256();
        let SigningKey::EcdsaP256(inner) = &key else {
            unreachable!()
        };
        let secret = hex::encode(inner.to_bytes());
        assert!(!format!("{key:?}").contains(&secret));
    }
}

#[cfg(test)]
mod interop {
    use super::*;

    /// A key written by `cosign generate-key-pair` with an empty password (from
    /// sigstore-rs's test data; see `testdata/keys/README.md`).
    const COSIGN_KEY: &str =
        include_str!("../../testdata/keys/cosign-generated-empty-password.key");

    #[test]
    fn loads_a_key_cosign_wrote() {
        let key = SigningKey::from_pem(COSIGN_KEY, b"").unwrap();
        assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP256);
        let signature = key.sign(b"payload");
        key.public_key().verify(b"payload", &signature).unwrap();
        assert!(matches!(
            SigningKey::from_pem(COSIGN_KEY, b"not empty"),
            Err(KeyError::WrongPassword)
        ));
    }
}
