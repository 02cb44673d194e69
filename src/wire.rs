//! Identifiers of the formats stagegate reads and writes, defined once for every module that
//! meets them: the DSSE payload type and in-toto Statement types (written by `attest`,
//! checked by `verify`, read by `evidence`), the Sigstore bundle media types (written by
//! `attest`, attached by `oci`, detected by `evidence`), and the `apiVersion` of stagegate's
//! approvals file.
//!
//! The `predicateType` of each stagegate attestation stays beside its predicate in `attest`
//! (`attest::vsa`, `attest::approval`, `attest::revocation`).

/// The DSSE `payloadType` of an in-toto Statement.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// `_type` of an in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// `_type` of an in-toto Statement v0.1, still written by many producers.
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// The in-toto Statement `_type` values stagegate reads.
pub const STATEMENT_TYPES: &[&str] = &[STATEMENT_V1, STATEMENT_V01];

/// The Sigstore bundle media type stagegate writes (v0.3), and the `artifactType` and layer
/// media type of a bundle attached to an image as cosign 2.x attaches them.
pub const BUNDLE_V03_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// The other spelling of v0.3 (`…bundle+json;version=0.3`).
pub const BUNDLE_V03_ALT_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle+json;version=0.3";
/// v0.2.
pub const BUNDLE_V02_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle+json;version=0.2";
/// v0.1.
pub const BUNDLE_V01_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle+json;version=0.1";
/// The prefix every Sigstore bundle media type shares (`…bundle+json;version=0.x` and the
/// v0.3 spelling).
pub const BUNDLE_MEDIA_TYPE_PREFIX: &str = "application/vnd.dev.sigstore.bundle";

/// The `apiVersion` of the approvals file format (`--approval`).
pub const APPROVALS_API_VERSION: &str = "stagegate.dev/approvals/v1";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundle_media_type_has_the_prefix() {
        for media_type in [
            BUNDLE_V03_MEDIA_TYPE,
            BUNDLE_V03_ALT_MEDIA_TYPE,
            BUNDLE_V02_MEDIA_TYPE,
            BUNDLE_V01_MEDIA_TYPE,
        ] {
            assert!(
                media_type.starts_with(BUNDLE_MEDIA_TYPE_PREFIX),
                "{media_type}"
            );
        }
    }
}
