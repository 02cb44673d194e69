//! What a file was given as ([`InputKind`]: `--sbom`, `--scan`, …) and the formats stagegate
//! reads ([`Format`]): the vocabulary that [`super::detect`] decides with and that
//! [`super::EvidenceError`] names in its messages.

use std::fmt;

/// What a file was given as on the command line (`--sbom`, `--scan`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputKind {
    /// `--sbom`.
    Sbom,
    /// `--scan`.
    Scan,
    /// `--tests`.
    Tests,
    /// `--attestation`.
    Attestation,
    /// `--approval`.
    Approval,
    /// An attestation attached to `--image` in its registry.
    Registry,
}

impl InputKind {
    /// The `kind` written to [`super::Source::kind`].
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Sbom => "sbom",
            InputKind::Scan => "scan",
            InputKind::Tests => "tests",
            InputKind::Attestation => "attestation",
            InputKind::Approval => "approval",
            InputKind::Registry => "registry",
        }
    }

    /// The formats accepted for this kind, for error messages.
    pub(super) fn expected(self) -> &'static str {
        match self {
            InputKind::Sbom => "CycloneDX JSON 1.4–1.7 or SPDX JSON 2.2/2.3",
            InputKind::Scan => {
                "Grype JSON, Trivy JSON, SARIF 2.1.0, CycloneDX with vulnerabilities, or OpenVEX"
            }
            InputKind::Tests => "JUnit XML",
            InputKind::Attestation | InputKind::Registry => {
                "a DSSE envelope, an in-toto Statement (JSON or JSON Lines), or a Sigstore bundle v0.1–v0.3"
            }
            InputKind::Approval => "a stagegate approvals file (YAML or JSON)",
        }
    }

    /// Whether `format` is accepted for this kind.
    pub(super) fn accepts(self, format: Format) -> bool {
        use Format::*;
        match self {
            InputKind::Sbom => matches!(format, CycloneDx | Spdx),
            InputKind::Scan => matches!(format, Grype | Trivy | Sarif | CycloneDx | OpenVex),
            InputKind::Tests => matches!(format, JUnit),
            InputKind::Attestation | InputKind::Registry => {
                matches!(
                    format,
                    Dsse | InTotoStatement | SigstoreBundle | GcbProvenance
                )
            }
            InputKind::Approval => matches!(format, Approvals),
        }
    }
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputKind::Sbom => "SBOM (`--sbom`)",
            InputKind::Scan => "scan (`--scan`)",
            InputKind::Tests => "test report (`--tests`)",
            InputKind::Attestation => "attestation (`--attestation`)",
            InputKind::Approval => "approvals file (`--approval`)",
            InputKind::Registry => "attestation attached to `--image`",
        })
    }
}

/// A format we can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CycloneDX JSON.
    CycloneDx,
    /// SPDX 2.x JSON.
    Spdx,
    /// Grype's JSON output.
    Grype,
    /// Trivy's JSON output (`SchemaVersion: 2`).
    Trivy,
    /// SARIF 2.1.0.
    Sarif,
    /// OpenVEX.
    OpenVex,
    /// JUnit XML.
    JUnit,
    /// A bare DSSE envelope.
    Dsse,
    /// A bare, unsigned in-toto Statement.
    InTotoStatement,
    /// A Sigstore bundle.
    SigstoreBundle,
    /// Google Cloud Build's `--show-provenance` output (DSSE envelopes inside).
    GcbProvenance,
    /// A stagegate approvals file.
    Approvals,
}

impl Format {
    /// The name written to [`super::Source::format`].
    pub fn name(self) -> &'static str {
        match self {
            Format::CycloneDx => "cyclonedx",
            Format::Spdx => "spdx",
            Format::Grype => "grype",
            Format::Trivy => "trivy",
            Format::Sarif => "sarif",
            Format::OpenVex => "openvex",
            Format::JUnit => "junit",
            Format::Dsse => "dsse",
            Format::InTotoStatement => "in-toto",
            Format::SigstoreBundle => "sigstore-bundle",
            Format::GcbProvenance => "gcb-provenance",
            Format::Approvals => "stagegate-approvals",
        }
    }
}
