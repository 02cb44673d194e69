//! Digests and the subjects they name: the one place that decides what a well-formed digest
//! is and whether a subject's name agrees with its digest.
//!
//! - A digest value is lowercase hex of its algorithm's length: `sha256` 64, `sha384` 96,
//!   `sha512` 128, `sha1` 40 (in-toto DigestSets may carry others: lowercase hex, non-empty).
//!   Upper case is refused, as the OCI image spec requires for `sha256`: a digest is compared
//!   as text everywhere (registries, policies, verifiers), so two spellings of one digest
//!   would be two digests.
//! - A reference `NAME@sha256:HEX` is split at its **only** `@`: `a@sha256:B@sha256:A` is
//!   refused, not read as the name `a@sha256:B`.
//! - A subject's name may carry a digest (`registry/app@sha256:HEX`) only when it is the
//!   subject's own: a VSA's `resourceUri` is built from the name, so a name naming another
//!   image would make the signed result point at it.

use std::fmt;

/// `sha256`.
pub const SHA256: &str = "sha256";

/// The hex lengths of the digest algorithms stagegate knows.
const KNOWN: &[(&str, usize)] = &[
    ("sha256", 64),
    ("sha384", 96),
    ("sha512", 128),
    ("sha1", 40),
];

/// Why a digest or subject was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// Not the algorithm expected.
    #[error("`{0}` is not a sha256 digest (`sha256:` followed by 64 lowercase hex digits)")]
    Algorithm(String),
    /// The wrong number of hex digits for the algorithm.
    #[error("the {algorithm} digest `{value}` has {found} hex digits; {algorithm} has {expected}")]
    Length {
        /// The algorithm.
        algorithm: String,
        /// The value as given.
        value: String,
        /// Its length.
        found: usize,
        /// The algorithm's length.
        expected: usize,
    },
    /// Not lowercase hex.
    #[error("the {algorithm} digest `{value}` is not lowercase hex")]
    NotHex {
        /// The algorithm.
        algorithm: String,
        /// The value as given.
        value: String,
    },
    /// A reference that is not `NAME@sha256:HEX`.
    #[error("`{0}` is not `NAME@sha256:HEX` (one `@`, then a sha256 digest)")]
    Reference(String),
    /// A subject name that carries a digest other than the subject's.
    #[error("the subject name `{name}` carries a digest other than the subject's sha256:{sha256}")]
    NameMismatch {
        /// The name.
        name: String,
        /// The subject's digest.
        sha256: String,
    },
}

/// A checked sha256 digest: 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256Digest(String);

impl Sha256Digest {
    /// Checks 64 lowercase hex digits (no `sha256:` prefix).
    pub fn from_hex(hex: &str) -> Result<Sha256Digest, DigestError> {
        check(SHA256, hex)?;
        Ok(Sha256Digest(hex.to_owned()))
    }

    /// Checks `sha256:HEX`.
    pub fn from_prefixed(text: &str) -> Result<Sha256Digest, DigestError> {
        match text.split_once(':') {
            Some((SHA256, hex)) => Sha256Digest::from_hex(hex),
            _ => Err(DigestError::Algorithm(text.to_owned())),
        }
    }

    /// The sha256 of `bytes`: every digest stagegate computes of a file, a document or a
    /// manifest.
    pub fn of(bytes: &[u8]) -> Sha256Digest {
        use sha2::Digest as _;
        Sha256Digest(hex::encode(sha2::Sha256::digest(bytes)))
    }

    /// The sha256 of the concatenation of `chunks`, hashed as they come (from a reader, or
    /// another thread).
    pub fn of_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Sha256Digest {
        use sha2::Digest as _;
        let mut hasher = sha2::Sha256::new();
        for chunk in chunks {
            hasher.update(chunk);
        }
        Sha256Digest(hex::encode(hasher.finalize()))
    }

    /// The 64 hex digits.
    pub fn hex(&self) -> &str {
        &self.0
    }

    /// The 64 hex digits, owned.
    pub fn into_hex(self) -> String {
        self.0
    }
}

impl fmt::Display for Sha256Digest {
    /// `sha256:HEX`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.0)
    }
}

/// Checks one DigestSet entry: lowercase hex, of the algorithm's length when it is known.
pub fn check(algorithm: &str, value: &str) -> Result<(), DigestError> {
    if value.is_empty()
        || !value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(DigestError::NotHex {
            algorithm: algorithm.to_owned(),
            value: value.to_owned(),
        });
    }
    if let Some((_, expected)) = KNOWN.iter().find(|(name, _)| *name == algorithm)
        && value.len() != *expected
    {
        return Err(DigestError::Length {
            algorithm: algorithm.to_owned(),
            value: value.to_owned(),
            found: value.len(),
            expected: *expected,
        });
    }
    Ok(())
}

/// Splits `NAME@sha256:HEX` at its only `@`. The name is non-empty and holds no `@`.
pub fn split_reference(text: &str) -> Result<(&str, Sha256Digest), DigestError> {
    let reference = || DigestError::Reference(text.to_owned());
    let (name, digest) = text.split_once('@').ok_or_else(reference)?;
    if name.is_empty() || digest.contains('@') {
        return Err(reference());
    }
    match digest.split_once(':') {
        Some((SHA256, _)) => Ok((name, Sha256Digest::from_prefixed(digest)?)),
        _ => Err(reference()),
    }
}

/// Checks a subject: its sha256 is well formed and its name carries no digest but its own
/// (`NAME@sha256:<the same hex>`, once, at the end).
pub fn check_subject(name: &str, sha256: &str) -> Result<(), DigestError> {
    check(SHA256, sha256)?;
    let carries_digest = name
        .match_indices('@')
        .any(|(i, _)| names_algorithm(name.get(i.saturating_add(1)..).unwrap_or("")));
    if !carries_digest {
        // `user@host`, `app@1.2.tar`: an `@` that starts no digest is part of the name.
        return Ok(());
    }
    let mismatch = || DigestError::NameMismatch {
        name: name.to_owned(),
        sha256: sha256.to_owned(),
    };
    // Only one digest, at the end, and the subject's own.
    let (_, digest) = split_reference(name).map_err(|_| mismatch())?;
    if digest.hex() != sha256 {
        return Err(mismatch());
    }
    Ok(())
}

/// Whether `text` starts with `ALG:` for a digest algorithm (`sha256:`, `sha512:` …).
fn names_algorithm(text: &str) -> bool {
    text.split_once(':').is_some_and(|(algorithm, _)| {
        KNOWN.iter().any(|(known, _)| *known == algorithm)
            || (algorithm.starts_with("sha") && algorithm.len() <= 10)
    })
}

/// The name without its digest: `reg/app@sha256:HEX` → `reg/app` (for a checked subject).
pub fn strip_digest(name: &str) -> &str {
    match split_reference(name) {
        Ok((bare, _)) => bare,
        Err(_) => name,
    }
}

/// The sha256 digest written in `text` as `sha256:HEX` (or `sha256%3AHEX` inside a purl).
pub fn sha256_in(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase().replace("%3a", ":");
    let (_, after) = lower.split_once("sha256:")?;
    let hex: String = after.chars().take_while(char::is_ascii_hexdigit).collect();
    (hex.len() == 64).then_some(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    #[test]
    fn pass() {
        assert!(Sha256Digest::from_hex(A).is_ok());
        assert_eq!(
            Sha256Digest::from_prefixed(&format!("sha256:{A}"))
                .unwrap()
                .to_string(),
            format!("sha256:{A}")
        );
        let reference = format!("ghcr.io/acme/app@sha256:{A}");
        let (name, digest) = split_reference(&reference).unwrap();
        assert_eq!((name, digest.hex()), ("ghcr.io/acme/app", A));
        assert!(check_subject("ghcr.io/acme/app", A).is_ok());
        assert!(check_subject(&format!("ghcr.io/acme/app@sha256:{A}"), A).is_ok());
        assert!(check_subject("app@1.2.tar", A).is_ok());
        assert!(check_subject("", A).is_ok());
        assert!(check("gitCommit", "0123abcd").is_ok());
        assert!(check("sha512", &"c".repeat(128)).is_ok());
    }

    #[test]
    fn fail() {
        // Short, non-hex, upper case.
        assert!(matches!(
            Sha256Digest::from_hex("42b4"),
            Err(DigestError::Length { found: 4, .. })
        ));
        assert!(Sha256Digest::from_hex(&"g".repeat(64)).is_err());
        assert!(Sha256Digest::from_hex(&A.to_uppercase()).is_err());
        assert!(Sha256Digest::from_prefixed(&format!("sha512:{A}")).is_err());
        assert!(check("sha512", A).is_err());
        assert!(check("other", "").is_err());
        // Two digests: refused, not split on the last one.
        assert!(split_reference(&format!("a@sha256:{B}@sha256:{A}")).is_err());
        assert!(split_reference(&format!("@sha256:{A}")).is_err());
        assert!(split_reference("app:latest").is_err());
        assert!(split_reference(&format!("app@sha512:{A}")).is_err());
        // A name naming another image.
        assert!(check_subject(&format!("reg/app@sha256:{B}"), A).is_err());
        assert!(check_subject(&format!("reg/app@sha256:{A}@sha256:{A}"), A).is_err());
        assert!(check_subject(&format!("reg/app@sha256:{B}x"), A).is_err());
        assert!(check_subject(&format!("reg/app@sha512:{B}"), A).is_err());
        assert!(check_subject("reg/app", "42b4").is_err());
    }

    #[test]
    fn finds_sha256_in_purls_and_references() {
        let hex = "a".repeat(64);
        assert_eq!(
            sha256_in(&format!("pkg:oci/app@sha256%3A{hex}?x=1")),
            Some(hex.clone())
        );
        assert_eq!(sha256_in(&format!("repo@sha256:{hex}")), Some(hex));
        assert_eq!(sha256_in("sha256:abc"), None);
    }
}
