//! The Evidence v1 document: the one JSON document that every policy reads.
//!
//! Rego sees it as `input`, CEL as `evidence`. `stagegate collect` builds it from the files that
//! SBOM generators, scanners, test runners and signers write; `stagegate evaluate --evidence`
//! reads it back. Its JSON Schema (`schemas/evidence.v1.schema.json`) is generated from these
//! types, so the two cannot drift apart.
//!
//! Normalised fields are there so that policies stay short; the original documents stay
//! reachable under `raw` (keyed by source index) for anything we did not normalise.
//!
//! `raw` holds each document as a [`RawDocument`]: the original JSON text, written out
//! verbatim, not a parsed `serde_json::Value`. For a 50,000-component SBOM a `Value` tree costs
//! several times the file's size (with `preserve_order`, every object is an `IndexMap`); the text
//! costs exactly the file's size and serialises without re-encoding.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

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
    /// JSON inputs appear as they were written; XML and YAML inputs as one JSON string holding
    /// the file's text; a JSON Lines file as an array of its lines.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub raw: BTreeMap<String, RawDocument>,
}

/// One original input document, kept as JSON text and written out verbatim.
///
/// Deserialising one needs `serde_json` (other deserialisers cannot carry raw
/// JSON), which is how Evidence documents are read back. The gate does not copy them out of
/// a document it reads: each is a slice of the document's bytes ([`RawDocument::shared`]).
#[derive(Debug, Clone)]
pub struct RawDocument(RawText);

/// Where a raw document's text is.
#[derive(Debug, Clone)]
enum RawText {
    /// Its own text.
    Owned(Box<RawValue>),
    /// A range of the bytes of the Evidence document it was read from.
    Shared {
        bytes: std::sync::Arc<[u8]>,
        range: std::ops::Range<usize>,
    },
}

impl JsonSchema for RawDocument {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RawDocument".into()
    }

    /// Any JSON value: the document as its tool wrote it.
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An original input document, as its tool wrote it (XML and YAML inputs as one string)."
        })
    }
}

impl RawDocument {
    /// A document with its own text.
    pub fn new(raw: Box<RawValue>) -> RawDocument {
        RawDocument(RawText::Owned(raw))
    }

    /// The document at `range` of `bytes`, an Evidence document that a JSON parser accepted
    /// whole (so that the range is one JSON value, in UTF-8). Shares the bytes: nothing is
    /// copied.
    pub fn shared(bytes: std::sync::Arc<[u8]>, range: std::ops::Range<usize>) -> RawDocument {
        RawDocument(RawText::Shared { bytes, range })
    }

    /// The document's JSON text. A shared range that is not UTF-8 (not what
    /// [`RawDocument::shared`] is for) reads as empty text, which no reader accepts.
    pub fn get(&self) -> &str {
        match &self.0 {
            RawText::Owned(raw) => raw.get(),
            RawText::Shared { bytes, range } => bytes
                .get(range.clone())
                .and_then(|text| std::str::from_utf8(text).ok())
                .unwrap_or_default(),
        }
    }

    /// Parses the document into a [`Value`], for callers that need to walk it.
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(self.get())
    }
}

impl Serialize for RawDocument {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            RawText::Owned(raw) => raw.serialize(serializer),
            RawText::Shared { .. } => serde_json::from_str::<&RawValue>(self.get())
                .map_err(serde::ser::Error::custom)?
                .serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for RawDocument {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(RawDocument::new)
    }
}

impl PartialEq for RawDocument {
    /// Equal when the texts are, or else when they parse to the same value (a document read
    /// back through a `Value` loses its original whitespace).
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
            || matches!((self.to_value(), other.to_value()), (Ok(a), Ok(b)) if a == b)
    }
}

/// The artifact under promotion: an OCI image digest or a file's sha256.
///
/// Checked when read: every digest is lowercase hex of its algorithm's length, and a name
/// carrying `@sha256:` carries the subject's own digest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    /// A human name: image reference without tag, or file name. It may end in
    /// `@sha256:HEX` only with the subject's own digest.
    pub name: String,
    /// Digests by algorithm; `sha256` is required.
    pub digest: Digest,
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            name: String,
            digest: Digest,
        }
        let wire = Wire::deserialize(deserializer)?;
        crate::digest::check_subject(&wire.name, &wire.digest.sha256)
            .map_err(|e| serde::de::Error::custom(format!("`subject`: {e}")))?;
        for (algorithm, value) in &wire.digest.other {
            crate::digest::check(algorithm, value)
                .map_err(|e| serde::de::Error::custom(format!("`subject.digest`: {e}")))?;
        }
        Ok(Subject {
            name: wire.name,
            digest: wire.digest,
        })
    }
}

/// A digest set, as in in-toto's `DigestSet`; only sha256 is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Digest {
    /// Lowercase hex sha256 (64 digits).
    #[schemars(regex(pattern = r"^[a-f0-9]{64}$"))]
    pub sha256: String,
    /// Other algorithms, kept as given (lowercase hex).
    #[serde(flatten)]
    #[schemars(with = "BTreeMap<String, LowerHex>")]
    pub other: BTreeMap<String, String>,
}

/// Lowercase hex, for the schema of [`Digest::other`].
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct LowerHex(#[schemars(regex(pattern = r"^[a-f0-9]+$"))] String);

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
    /// Every component (packages, libraries, ...), flattened from nested trees. With several
    /// SBOMs, their components one after the other.
    pub components: Vec<Component>,
    /// What the SBOM describes: CycloneDX `metadata.component`, SPDX packages named by
    /// `documentDescribes` or a `DESCRIBES` relationship. Not counted in `components`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub describes: Vec<Component>,
    /// Indexes of the `sources` entries this SBOM was read from.
    #[serde(default)]
    pub sources: Vec<usize>,
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
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
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
    /// What kind of finding this is; scanners report more than vulnerabilities.
    #[serde(default)]
    pub category: FindingCategory,
    /// A one-line title, when the scanner gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where it was found, for findings about files rather than packages (secrets, SARIF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<FindingLocation>,
    /// The SARIF `level` (`error`, `warning`, `note`, `none`), after inheriting the rule's
    /// `defaultConfiguration`; absent for other scanners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Indexes of the `sources` entries that reported it.
    #[serde(default)]
    pub source_indexes: Vec<usize>,
}

/// The kind of a scanner finding.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum FindingCategory {
    /// A known vulnerability (CVE, GHSA, ...) in a package.
    #[default]
    Vulnerability,
    /// A secret (key, token, password) found in a file (Trivy `Class: secret`).
    Secret,
    /// A misconfiguration (Trivy `Misconfigurations`).
    Misconfiguration,
    /// A code-scanning result from a SARIF rule that names no advisory.
    Code,
}

/// A place in a file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FindingLocation {
    /// File path or URI, as the scanner wrote it.
    pub path: String,
    /// 1-based line, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
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
    /// Tests that failed at first and passed on a rerun (counted in `passed` too).
    #[serde(default)]
    pub flaky: u64,
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
    /// Passed on a rerun after failing (counted in `passed` too).
    #[serde(default)]
    pub flaky: u64,
    /// Wall time in seconds, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<f64>,
    /// Index of the `sources` entry (the report file) it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<usize>,
    /// The test cases that did not simply pass: failed, errored or flaky. Skipped and passed
    /// cases are only counted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<TestCase>,
}

/// One test case that failed, errored or was flaky.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TestCase {
    /// The test's name.
    pub name: String,
    /// Its class name (or module, or file), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classname: Option<String>,
    /// `failed`, `error` or `flaky`.
    pub status: String,
    /// The failure's `message` attribute, when given (first line only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
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
    /// Whether stagegate's verifier checked its signature with a key trusted for what the
    /// statement is (its purpose) at the stage evaluated. Set by the verifier alone: a value
    /// read from an input file is never taken as written.
    pub verified: bool,
    /// Who signed it, when `verified`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "signer_or_legacy_hint"
    )]
    pub signer: Option<Signer>,
    /// The purposes the signer is trusted for that cover this statement (e.g. `provenance`,
    /// `attestations`; `approvals` for a signed approval), when `verified`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_for: Vec<String>,
    /// Why it is not verified, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<String>,
    /// The statement's `_type` (`https://in-toto.io/Statement/v1`, `.../v0.1`), when it is an
    /// in-toto statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_type: Option<String>,
    /// How it was wrapped: `statement` (bare, unsigned), `dsse`, or `sigstore-bundle`.
    #[serde(default)]
    pub envelope: String,
    /// Index of its entry in `sources`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<usize>,
}

/// Who signed a verified attestation: the trust entry whose key verified it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Signer {
    /// `key` (a trusted public key) or `keyless` (a certificate identity).
    pub kind: String,
    /// The key's id: lowercase hex sha256 of its SubjectPublicKeyInfo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The trust entry's name (`trust.keys[].name`, else its path; an approver's name).
    pub name: String,
    /// The certificate identity (keyless).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The OIDC issuer (keyless).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Further certificate claims (keyless), e.g. the GitHub workflow's repository and ref.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub claims: BTreeMap<String, String>,
}

/// Reads `signer`; an older document's string (an unverified key-id hint) reads as none, since
/// only the verifier names a signer.
fn signer_or_legacy_hint<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Signer>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Signer(Signer),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Option::<Written>::deserialize(deserializer)? {
        Some(Written::Signer(signer)) => Some(signer),
        _ => None,
    })
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
    /// Index of the `sources` entry it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<usize>,
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
    /// A stable kind: `subject-mismatch` (an input about another digest than the subject),
    /// `subject-platform-unverified` (a scan of a platform manifest of the subject index, not
    /// checked in the registry), `no-subject` (an input that names no digest),
    /// `test-count-mismatch` (a JUnit report whose counters disagree with its test cases).
    pub kind: String,
    /// What is wrong, for people.
    pub message: String,
    /// Index of the source it concerns, when one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<usize>,
}
