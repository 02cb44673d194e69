//! The Evidence v1 document: the one JSON document that every policy reads.
//!
//! Rego sees it as `input`, CEL as `evidence`. `stagegate collect` builds it from the files that
//! SBOM generators, scanners, test runners and signers write; `stagegate evaluate --evidence`
//! reads it back. Its JSON Schema (`schemas/evidence.v1.schema.json`) is generated from these
//! types, so the two cannot drift apart.
//!
//! Normalised fields are there so that policies stay short; the original documents stay
//! reachable under `raw` (keyed by source index) for anything we did not normalise.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The value of [`Evidence::api_version`] for this version of the contract.
pub const EVIDENCE_API_VERSION: &str = "stagegate.dev/evidence/v1";

/// One promotion's evidence about one immutable artifact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// Always [`EVIDENCE_API_VERSION`]; lets readers refuse documents of a newer contract.
    pub api_version: String,
    /// The artifact being promoted.
    pub subject: Subject,
    /// When the evidence was collected (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    /// The software bill of materials; absent when no SBOM was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sbom: Option<Sbom>,
    /// Vulnerability findings, deduplicated across scanners. Absent (not empty) when no scan
    /// was given: an empty list means "scanned, nothing found".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerabilities: Option<Vec<Vulnerability>>,
    /// Test results; absent when no test report was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests: Option<Tests>,
    /// In-toto statements found as evidence (provenance, scans, VSAs, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestations: Option<Vec<Attestation>>,
    /// Human approvals of this promotion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals: Option<Vec<Approval>>,
    /// Every input file, with its digest, so a decision can prove what it was based on.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Inconsistencies noticed while collecting (e.g. a digest mismatch); policies deny on them.
    #[serde(default)]
    pub problems: Vec<Problem>,
    /// The original documents, keyed by the index of their entry in `sources` (as a string).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub raw: BTreeMap<String, Value>,
}

/// The artifact under promotion: an OCI image digest or a file's sha256.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    /// A human name: image reference without tag, or file name.
    pub name: String,
    /// Digests by algorithm; `sha256` is required.
    pub digest: Digest,
}

/// A digest set, as in in-toto's `DigestSet`; only sha256 is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Digest {
    /// Lowercase hex sha256.
    pub sha256: String,
    /// Other algorithms, kept as given.
    #[serde(flatten)]
    pub other: BTreeMap<String, String>,
}

/// The normalised SBOM.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sbom {
    /// `cyclonedx` or `spdx`.
    pub format: String,
    /// The spec version the document declares, e.g. `1.6` or `2.3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_version: Option<String>,
    /// The tool that wrote it, when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    /// Every component (packages, libraries, ...), flattened from nested trees.
    pub components: Vec<Component>,
}

/// One SBOM component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// Package name.
    pub name: String,
    /// Version, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Package URL, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// SPDX license ids or expressions.
    #[serde(default)]
    pub licenses: Vec<String>,
    /// Component type (`library`, `application`, `container`, ...).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Normalised severity, lowercase, shared by all scanners.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum VulnSeverity {
    /// CVSS 9.0–10.0 or the scanner's "critical".
    Critical,
    /// CVSS 7.0–8.9.
    High,
    /// CVSS 4.0–6.9.
    Medium,
    /// CVSS 0.1–3.9.
    Low,
    /// Scanner says it does not matter.
    Negligible,
    /// No severity given.
    #[default]
    Unknown,
}

/// One vulnerability finding on one package.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Vulnerability {
    /// CVE, GHSA, ... id.
    pub id: String,
    /// Other ids of the same vulnerability.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Normalised severity.
    pub severity: VulnSeverity,
    /// Highest CVSS base score given, when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<f64>,
    /// The affected package; absent when the scanner named none (the finding is kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageRef>,
    /// Versions that fix it; empty when no fix is known.
    #[serde(default)]
    pub fixed_in: Vec<String>,
    /// Which scanners reported it (`grype`, `trivy`, `sarif:<tool>`, `cyclonedx`).
    #[serde(default)]
    pub source: Vec<String>,
    /// Set when a VEX statement says not_affected or fixed: the finding is kept but suppressed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// The package a finding is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PackageRef {
    /// Package name.
    pub name: String,
    /// Installed version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Package URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// Why a finding does not count (a VEX statement or a SARIF suppression).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Suppression {
    /// `not_affected`, `fixed`, or a SARIF suppression status.
    pub state: String,
    /// The justification given, when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// Where the statement came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Test totals over all given reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tests {
    /// All test cases.
    pub total: u64,
    /// Passed (flaky tests that finally passed count here).
    pub passed: u64,
    /// Failed assertions.
    pub failed: u64,
    /// Skipped or disabled.
    pub skipped: u64,
    /// Errors (the test could not run to an assertion).
    pub errors: u64,
    /// Per-suite figures.
    #[serde(default)]
    pub suites: Vec<TestSuite>,
}

/// One test suite's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TestSuite {
    /// Suite name.
    pub name: String,
    /// All test cases.
    pub total: u64,
    /// Passed.
    pub passed: u64,
    /// Failed.
    pub failed: u64,
    /// Skipped.
    pub skipped: u64,
    /// Errors.
    pub errors: u64,
    /// Wall time in seconds, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<f64>,
}

/// An in-toto statement found as evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attestation {
    /// The statement's `predicateType`.
    pub predicate_type: String,
    /// The predicate, as written.
    pub predicate: Value,
    /// The statement's subjects.
    #[serde(default)]
    pub subjects: Vec<AttestationSubject>,
    /// Whether a signature over it was verified against a trusted key.
    pub verified: bool,
    /// Who signed it (key id or certificate identity), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// Index of its entry in `sources`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<usize>,
}

/// One in-toto subject.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttestationSubject {
    /// Subject name.
    #[serde(default)]
    pub name: String,
    /// Digests by algorithm.
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

/// A human approval of a promotion.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Approval {
    /// Who approved (name or email).
    pub approver: String,
    /// Their role; for verified approvals, the role from the trust config, never the claimed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The stage approved.
    pub stage: String,
    /// When (RFC 3339).
    pub at: String,
    /// Whether the approval's signature was verified against a trusted approver key.
    pub verified: bool,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// One input file the evidence was built from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// `sbom`, `scan`, `tests`, `attestation`, `approval`, `registry`.
    pub kind: String,
    /// The file path or registry reference.
    pub path: String,
    /// The detected format (`cyclonedx`, `spdx`, `grype`, `trivy`, `sarif`, `junit`, ...).
    pub format: String,
    /// The detected format version, when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_version: Option<String>,
    /// Lowercase hex sha256 of the file's bytes.
    pub sha256: String,
}

/// Something that did not add up while collecting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Problem {
    /// A stable kind, e.g. `subject-mismatch`.
    pub kind: String,
    /// What is wrong, for people.
    pub message: String,
    /// Index of the source it concerns, when one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<usize>,
}
