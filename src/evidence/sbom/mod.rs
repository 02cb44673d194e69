//! SBOM readers: [`cyclonedx`] and [`spdx`], each turning one document into an [`SbomPart`].
//!
//! Both readers also report the digests the SBOM claims for the artifact it describes
//! ([`SbomPart::subject`]), so that collecting can bind it to the subject being promoted
//! ([`super::binding`]).

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use super::binding::SubjectClaim;
use super::model::Component;

pub mod cyclonedx;
pub mod spdx;

/// What one SBOM document contributed.
#[derive(Debug, Default)]
pub(crate) struct SbomPart {
    /// `cyclonedx` or `spdx`.
    pub format: &'static str,
    /// The declared spec version.
    pub spec_version: String,
    /// The tool that wrote it.
    pub generator: Option<String>,
    /// Every component, flattened.
    pub components: Vec<Component>,
    /// What the SBOM describes.
    pub describes: Vec<Component>,
    /// The digests the SBOM claims for what it describes.
    pub subject: SubjectClaim,
}

/// A license that CycloneDX gives only by `name` (by definition not an SPDX id, or it would
/// be in `id`) as an SPDX `LicenseRef-`: policies that allow-list SPDX ids then see it as
/// unknown instead of mistaking a free-text name for an id.
pub(crate) fn license_ref(name: &str) -> String {
    let idstring: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("LicenseRef-{idstring}")
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn license_names_become_license_refs() {
        assert_eq!(license_ref("GPLv3+"), "LicenseRef-GPLv3-");
        assert_eq!(
            license_ref("Some random license"),
            "LicenseRef-Some-random-license"
        );
    }
}
