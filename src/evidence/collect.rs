//! Collecting: from a [`CollectRequest`] (the subject and the input files) to one [`Evidence`].
//!
//! [`collect`] reads every file once through [`read_limited`] (and [`check_depth`] for JSON and
//! YAML), hashes its bytes for [`Source::sha256`], detects its format from the content
//! ([`super::detect`]), parses it with the typed, borrowing reader of its format, and keeps the
//! original text under [`Evidence::raw`]. The first bad input stops everything with an
//! [`EvidenceError`]: there is never a partial document.
//!
//! Findings from all scans go through one [`VulnSet`], so they are deduplicated across
//! scanners and CycloneDX VEX applies to every scanner's findings; OpenVEX statements are
//! matched against the subject and applied once every scan is read, the latest statement
//! for a finding winning ([`openvex`]). Digests that an SBOM, a scan, a test report or an
//! attestation claims for its subject are compared with the subject ([`super::binding`]), and
//! disagreements become [`Problem`]s of kind [`SUBJECT_MISMATCH`] (or
//! [`SUBJECT_PLATFORM_UNVERIFIED`](super::SUBJECT_PLATFORM_UNVERIFIED), or
//! [`NO_SUBJECT`](super::NO_SUBJECT) when an input names none).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};

use super::approvals;
use super::attestations;
use super::binding::{self, SUBJECT_MISMATCH, SubjectClaim};
use super::detect::{Detected, detect};
use super::error::{EvidenceError, parse_json};
use super::kind::{Format, InputKind};
use super::model::{
    Digest, EVIDENCE_API_VERSION, Evidence, Problem, RawDocument, Sbom, Source, Subject,
};
use super::sbom::{SbomPart, cyclonedx, spdx};
use super::tests::{junit, totals};
use super::vulns::{VulnSet, cyclonedx_vex, grype, openvex, sarif, sort_findings, trivy};
use crate::digest::Sha256Digest;
use crate::limits::{LimitError, Limits, check_depth, read_limited};

/// What is being promoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectSpec {
    /// A name and its sha256 digest, as in `ghcr.io/acme/app@sha256:HEX`.
    Reference {
        /// The name (image reference without tag, or any label).
        name: String,
        /// Lowercase hex sha256.
        sha256: String,
    },
    /// A file whose sha256 is the subject's digest; its file name is the subject's name.
    File(PathBuf),
}

impl FromStr for SubjectSpec {
    type Err = EvidenceError;

    /// Parses `NAME@sha256:HEX` (one `@`, 64 lowercase hex digits): see
    /// [`crate::digest::split_reference`].
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let (name, digest) =
            crate::digest::split_reference(value).map_err(|_| EvidenceError::InvalidSubject {
                value: value.to_owned(),
            })?;
        Ok(SubjectSpec::Reference {
            name: name.to_owned(),
            sha256: digest.hex().to_owned(),
        })
    }
}

impl SubjectSpec {
    /// Resolves the subject, hashing the file for [`SubjectSpec::File`]. The file is streamed
    /// through the hash, so artifacts larger than the input size limit are fine.
    pub fn resolve(&self) -> Result<Subject, EvidenceError> {
        let (name, sha256) = match self {
            SubjectSpec::Reference { name, sha256 } => (name.clone(), sha256.clone()),
            SubjectSpec::File(path) => {
                let io = |source| LimitError::Io {
                    path: path.clone(),
                    source,
                };
                let mut file = crate::limits::open_regular(path)?;
                let mut hasher = Sha256::new();
                std::io::copy(&mut file, &mut hasher).map_err(io)?;
                hasher.flush().map_err(io)?;
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into(),
                );
                (name, hex::encode(hasher.finalize()))
            }
        };
        // A file named `x@sha256:<another digest>` must not name another artifact.
        if crate::digest::check_subject(&name, &sha256).is_err() {
            return Err(EvidenceError::InvalidSubject {
                value: format!("{name}@sha256:{sha256}"),
            });
        }
        Ok(Subject {
            name,
            digest: Digest {
                sha256,
                other: Default::default(),
            },
        })
    }
}

/// Everything [`collect`] needs: the subject, the input files by kind, and the limits.
/// Build one with [`CollectRequest::builder`] or fill the fields directly.
#[derive(Debug, Clone)]
pub struct CollectRequest {
    /// What is being promoted.
    pub subject: SubjectSpec,
    /// SBOMs (CycloneDX JSON 1.4–1.7, SPDX JSON 2.2/2.3).
    pub sboms: Vec<PathBuf>,
    /// Scans (Grype JSON, Trivy JSON, SARIF 2.1.0, CycloneDX with vulnerabilities, OpenVEX).
    pub scans: Vec<PathBuf>,
    /// Test reports (JUnit XML).
    pub tests: Vec<PathBuf>,
    /// Attestations (DSSE, in-toto Statement JSON/JSONL, Sigstore bundle v0.1–v0.3).
    pub attestations: Vec<PathBuf>,
    /// Approvals files (see [`super::approvals`]).
    pub approvals: Vec<PathBuf>,
    /// Attestations read from the subject's registry, already verified by the caller; recorded
    /// as sources of kind `registry`.
    pub registry: Vec<RegistryDocument>,
    /// The subject's platform manifests (lowercase hex), as its registry lists them when the
    /// subject is an image index (empty when it is a single manifest); `None` when the registry
    /// was not asked. A scan that examined one of them is bound to the subject; without the
    /// list, such a scan is recorded as
    /// [`SUBJECT_PLATFORM_UNVERIFIED`](super::SUBJECT_PLATFORM_UNVERIFIED).
    pub platform_manifests: Option<Vec<String>>,
    /// Size and depth limits for every input.
    pub limits: Limits,
    /// The `collectedAt` to record; the current time when `None`. Set it for reproducible
    /// output.
    pub collected_at: Option<String>,
}

impl CollectRequest {
    /// Starts a request for `subject` with no inputs and default limits.
    pub fn builder(subject: SubjectSpec) -> CollectRequestBuilder {
        CollectRequestBuilder {
            request: CollectRequest {
                subject,
                sboms: Vec::new(),
                scans: Vec::new(),
                tests: Vec::new(),
                attestations: Vec::new(),
                approvals: Vec::new(),
                registry: Vec::new(),
                platform_manifests: None,
                limits: Limits::default(),
                collected_at: None,
            },
        }
    }
}

/// Builds a [`CollectRequest`]; inputs of each kind are read in the order they were added.
#[derive(Debug, Clone)]
pub struct CollectRequestBuilder {
    request: CollectRequest,
}

impl CollectRequestBuilder {
    /// Adds an SBOM.
    pub fn sbom(mut self, path: impl Into<PathBuf>) -> Self {
        self.request.sboms.push(path.into());
        self
    }

    /// Adds a scan report.
    pub fn scan(mut self, path: impl Into<PathBuf>) -> Self {
        self.request.scans.push(path.into());
        self
    }

    /// Adds a test report.
    pub fn tests(mut self, path: impl Into<PathBuf>) -> Self {
        self.request.tests.push(path.into());
        self
    }

    /// Adds an attestation file.
    pub fn attestation(mut self, path: impl Into<PathBuf>) -> Self {
        self.request.attestations.push(path.into());
        self
    }

    /// Adds an approvals file.
    pub fn approval(mut self, path: impl Into<PathBuf>) -> Self {
        self.request.approvals.push(path.into());
        self
    }

    /// Sets the subject's platform manifests, as the registry lists them (see
    /// [`CollectRequest::platform_manifests`]).
    pub fn platform_manifests(mut self, digests: Vec<String>) -> Self {
        self.request.platform_manifests = Some(digests);
        self
    }

    /// Sets the input limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.request.limits = limits;
        self
    }

    /// Sets the `collectedAt` timestamp (RFC 3339) instead of the current time.
    pub fn collected_at(mut self, at: impl Into<String>) -> Self {
        self.request.collected_at = Some(at.into());
        self
    }

    /// Freezes the request.
    pub fn build(self) -> CollectRequest {
        self.request
    }
}

/// One input file, read and hashed.
struct Input<'p> {
    path: &'p Path,
    /// The bytes, without a UTF-8 byte-order mark.
    bytes: Vec<u8>,
    sha256: String,
}

impl<'p> Input<'p> {
    fn read(path: &'p Path, limits: &Limits) -> Result<Self, EvidenceError> {
        let mut bytes = read_limited(path, limits)?;
        let sha256 = Sha256Digest::of(&bytes).into_hex();
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        Ok(Input {
            path,
            bytes,
            sha256,
        })
    }

    fn text(&self) -> Result<&str, EvidenceError> {
        std::str::from_utf8(&self.bytes).map_err(|source| EvidenceError::Utf8 {
            path: self.path.to_owned(),
            source,
        })
    }

    /// The bytes as a raw JSON document, without copying them.
    fn into_raw_json(self) -> Result<RawDocument, EvidenceError> {
        let path = self.path;
        // A key written twice is refused here as in every JSON input (issue #12): the typed
        // readers refuse a repeated known field, but the raw document policies can read
        // would keep both.
        crate::document::find_duplicate_keys(&self.bytes)
            .map_err(|e| super::error::json_error(path, "JSON", e))?;
        let text = String::from_utf8(self.bytes).map_err(|e| EvidenceError::Utf8 {
            path: path.to_owned(),
            source: e.utf8_error(),
        })?;
        RawValue::from_string(text)
            .map(RawDocument::new)
            .map_err(|e| super::error::json_error(path, "JSON", e))
    }

    /// The text as one JSON string, for XML and YAML inputs.
    fn into_raw_text(self) -> Result<RawDocument, EvidenceError> {
        let text = self.text()?;
        let quoted = serde_json::to_string(text).map_err(EvidenceError::Serialize)?;
        RawValue::from_string(quoted)
            .map(RawDocument::new)
            .map_err(EvidenceError::Serialize)
    }
}

/// The evidence document under construction.
struct Collection {
    evidence: Evidence,
    platform_manifests: Option<Vec<String>>,
    sbom_parts: Vec<(usize, SbomPart)>,
    vulns: VulnSet,
    /// OpenVEX statements that apply to the subject, applied once every scan is read.
    vex: Vec<openvex::VexStatement>,
    suites: Vec<super::model::TestSuite>,
}

impl Collection {
    /// Records a source and its raw document; returns nothing, since the index was reserved
    /// with [`Collection::next_index`] before parsing.
    fn add_source(
        &mut self,
        kind: InputKind,
        input_path: &Path,
        sha256: String,
        detected: &Detected,
        raw: RawDocument,
    ) {
        let index = self.evidence.sources.len();
        self.evidence.sources.push(Source {
            kind: kind.as_str().to_owned(),
            path: input_path.display().to_string(),
            format: detected.format.name().to_owned(),
            format_version: detected.version.clone(),
            sha256,
        });
        self.evidence.raw.insert(index.to_string(), raw);
    }

    fn next_index(&self) -> usize {
        self.evidence.sources.len()
    }

    fn problem(&mut self, message: String, source: usize) {
        self.problem_of(SUBJECT_MISMATCH, message, source);
    }

    fn problem_of(&mut self, kind: &str, message: String, source: usize) {
        self.evidence.problems.push(Problem {
            kind: kind.to_owned(),
            message,
            source: Some(source),
        });
    }

    /// How `claim` relates to the subject.
    fn binding(&self, claim: &SubjectClaim) -> binding::Binding {
        let subject = &self.evidence.subject.digest.sha256;
        binding::bind(claim, subject, self.platform_manifests.as_deref())
    }

    /// Records how input `source` relates to the subject, unless it is bound to it.
    fn bind(&mut self, what: &str, path: &Path, source: usize, claim: &SubjectClaim) {
        let subject = &self.evidence.subject.digest.sha256;
        let platforms = self.platform_manifests.as_deref();
        if let Some(problem) = binding::problem(what, path, source, claim, subject, platforms) {
            self.evidence.problems.push(problem);
        }
    }
}

/// An attestation document attached to the subject in its registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryDocument {
    /// Where it was found, `registry/repository@sha256:<referrer manifest>`.
    pub source: String,
    /// Its bytes (a Sigstore bundle or a DSSE envelope).
    pub bytes: Vec<u8>,
}

/// Collects every input of `request` into one [`Evidence`] document.
///
/// # Errors
///
/// The first input that cannot be read, is too large or too deep, is in no accepted format or
/// version for its kind, or does not parse, gives an [`EvidenceError`] naming the file (and the
/// line and column where there is one).
pub fn collect(request: &CollectRequest) -> Result<Evidence, EvidenceError> {
    let limits = &request.limits;
    let subject = request.subject.resolve()?;
    let collected_at = request
        .collected_at
        .clone()
        .unwrap_or_else(|| crate::time::format_rfc3339(chrono::Utc::now()));
    let mut c = Collection {
        evidence: Evidence {
            api_version: EVIDENCE_API_VERSION.to_owned(),
            subject,
            collected_at: Some(collected_at),
            ..Evidence::default()
        },
        platform_manifests: request.platform_manifests.clone(),
        sbom_parts: Vec::new(),
        vulns: VulnSet::default(),
        vex: Vec::new(),
        suites: Vec::new(),
    };

    for path in &request.sboms {
        collect_sbom(&mut c, path, limits)?;
    }
    for path in &request.scans {
        collect_scan(&mut c, path, limits)?;
    }
    for path in &request.tests {
        let input = Input::read(path, limits)?;
        let detected = detect(InputKind::Tests, path, &input.bytes)?;
        let index = c.next_index();
        let report = junit::read(path, input.text()?, limits, index)?;
        c.suites.extend(report.suites);
        for message in report.problems {
            c.problem_of(
                junit::TEST_COUNT_MISMATCH,
                format!("`{}`: {message}", path.display()),
                index,
            );
        }
        c.bind("test report", path, index, &report.subject);
        let sha256 = input.sha256.clone();
        let raw = input.into_raw_text()?;
        c.add_source(InputKind::Tests, path, sha256, &detected, raw);
    }
    let mut attestations = Vec::new();
    let files = request
        .attestations
        .iter()
        .map(|path| -> Result<_, EvidenceError> {
            let input = Input::read(path, limits)?;
            Ok((
                InputKind::Attestation,
                path.clone(),
                input.sha256,
                input.bytes,
            ))
        });
    let fetched = request.registry.iter().map(|doc| {
        let sha256 = Sha256Digest::of(&doc.bytes).into_hex();
        Ok((
            InputKind::Registry,
            PathBuf::from(&doc.source),
            sha256,
            doc.bytes.clone(),
        ))
    });
    for entry in files.chain(fetched) {
        let (kind, path, sha256, bytes) = entry?;
        let path = path.as_path();
        check_depth(path, &bytes, limits)?;
        let index = c.next_index();
        let text = std::str::from_utf8(&bytes).map_err(|source| EvidenceError::Utf8 {
            path: path.to_owned(),
            source,
        })?;
        let file = attestations::read(path, text, limits, index)?;
        // Well-formed, as read: refuse a key written twice (issue #12).
        crate::document::find_duplicate_keys_in_stream(&bytes)
            .map_err(|e| super::error::json_error(path, "JSON", e))?;
        for attestation in &file.attestations {
            let matches = attestation
                .subjects
                .iter()
                .any(|s| s.digest.get("sha256") == Some(&c.evidence.subject.digest.sha256));
            if !matches {
                let message = format!(
                    "attestation `{}` in `{}` is about {}, not the subject sha256:{}",
                    attestation.predicate_type,
                    path.display(),
                    describe_subjects(attestation),
                    c.evidence.subject.digest.sha256
                );
                c.problem(message, index);
            }
        }
        // An SBOM signed as an attestation (`cosign attest --type cyclonedx|spdxjson`) is an
        // SBOM too: merge its components, when it is about the subject.
        for attestation in &file.attestations {
            let about_subject = attestation
                .subjects
                .iter()
                .any(|s| s.digest.get("sha256") == Some(&c.evidence.subject.digest.sha256));
            if let Some(part) = sbom_predicate(path, attestation)?.filter(|_| about_subject) {
                c.sbom_parts.push((index, part));
            }
        }
        attestations.extend(file.attestations);
        c.add_source(
            kind,
            path,
            sha256,
            &file.detected,
            RawDocument::new(file.raw),
        );
    }
    let mut approvals = Vec::new();
    for path in &request.approvals {
        let input = Input::read(path, limits)?;
        let detected = detect(InputKind::Approval, path, &input.bytes)?;
        check_depth(path, &input.bytes, limits)?;
        let index = c.next_index();
        approvals.extend(approvals::read(path, input.text()?, index)?);
        let sha256 = input.sha256.clone();
        let raw = input.into_raw_text()?;
        c.add_source(InputKind::Approval, path, sha256, &detected, raw);
    }

    let Collection {
        mut evidence,
        platform_manifests: _,
        sbom_parts,
        vulns,
        vex,
        suites,
    } = c;
    evidence.sbom = merge_sboms(sbom_parts);
    evidence.vulnerabilities = (!request.scans.is_empty()).then(|| {
        let mut findings = vulns.into_sorted();
        openvex::apply(&mut findings, &vex);
        sort_findings(&mut findings);
        findings
    });
    evidence.tests = (!request.tests.is_empty()).then(|| totals(suites));
    evidence.attestations =
        (!request.attestations.is_empty() || !request.registry.is_empty()).then_some(attestations);
    evidence.approvals = (!request.approvals.is_empty()).then_some(approvals);
    Ok(evidence)
}

/// The SBOM in an attestation whose predicate type is CycloneDX or SPDX, normalised as an
/// `--sbom` file would be; `None` for other predicates.
fn sbom_predicate(
    path: &Path,
    attestation: &super::model::Attestation,
) -> Result<Option<SbomPart>, EvidenceError> {
    let kind = attestation.predicate_type.trim_end_matches('/');
    let is_cyclonedx =
        kind == "https://cyclonedx.org/bom" || kind.starts_with("https://cyclonedx.org/bom/");
    let is_spdx =
        kind == "https://spdx.dev/Document" || kind.starts_with("https://spdx.dev/Document/");
    if !(is_cyclonedx || is_spdx) {
        return Ok(None);
    }
    let bytes = serde_json::to_vec(&attestation.predicate).map_err(EvidenceError::Serialize)?;
    Ok(Some(if is_cyclonedx {
        cyclonedx::read(parse_json(path, "CycloneDX", &bytes)?)
    } else {
        spdx::read(parse_json(path, "SPDX", &bytes)?)
    }))
}

fn collect_sbom(c: &mut Collection, path: &Path, limits: &Limits) -> Result<(), EvidenceError> {
    let input = Input::read(path, limits)?;
    check_depth(path, &input.bytes, limits)?;
    let detected = detect(InputKind::Sbom, path, &input.bytes)?;
    let part = match detected.format {
        Format::CycloneDx => cyclonedx::read(parse_json(path, "CycloneDX", &input.bytes)?),
        _ => spdx::read(parse_json(path, "SPDX", &input.bytes)?),
    };
    let index = c.next_index();
    c.bind("SBOM", path, index, &part.subject);
    c.sbom_parts.push((index, part));
    let sha256 = input.sha256.clone();
    let raw = input.into_raw_json()?;
    c.add_source(InputKind::Sbom, path, sha256, &detected, raw);
    Ok(())
}

fn collect_scan(c: &mut Collection, path: &Path, limits: &Limits) -> Result<(), EvidenceError> {
    let input = Input::read(path, limits)?;
    check_depth(path, &input.bytes, limits)?;
    let detected = detect(InputKind::Scan, path, &input.bytes)?;
    let index = c.next_index();
    let bytes = &input.bytes;
    let (claim, findings) = match detected.format {
        Format::Grype => {
            let doc = parse_json(path, "Grype", bytes)?;
            (
                Some(grype::subject_claim(&doc)),
                grype::findings(doc, index),
            )
        }
        Format::Trivy => {
            let doc = parse_json(path, "Trivy", bytes)?;
            (
                Some(trivy::subject_claim(&doc)),
                trivy::findings(doc, index),
            )
        }
        Format::Sarif => {
            let doc = parse_json(path, "SARIF", bytes)?;
            (
                Some(sarif::subject_claim(&doc)),
                sarif::findings(doc, index),
            )
        }
        Format::OpenVex => {
            // Matched per statement against the subject (products), not bound as a whole;
            // applied once every scan is read: the latest statement for a finding wins.
            let components: Vec<_> = c
                .sbom_parts
                .iter()
                .flat_map(|(_, part)| part.components.iter().chain(&part.describes))
                .cloned()
                .collect();
            let doc = parse_json(path, "OpenVEX", bytes)?;
            c.vex.extend(openvex::statements(
                doc,
                &c.evidence.subject,
                &components,
                index,
            ));
            (None, Vec::new())
        }
        _ => {
            let doc: cyclonedx_vex::Document<'_> = parse_json(path, "CycloneDX", bytes)?;
            if doc.vulnerabilities.is_none() {
                return Err(EvidenceError::NoVulnerabilities {
                    path: path.to_owned(),
                });
            }
            let claim = cyclonedx_vex::subject_claim(&doc);
            let mut found = cyclonedx_vex::findings(doc, index);
            if matches!(c.binding(&claim), binding::Binding::Mismatch { .. }) {
                // About another artifact: its VEX analysis hides nothing of ours.
                for finding in &mut found {
                    finding.suppressed = None;
                }
            }
            (Some(claim), found)
        }
    };
    if let Some(claim) = claim {
        c.bind("scan", path, index, &claim);
    }
    for finding in findings {
        c.vulns.insert(finding);
    }
    let sha256 = input.sha256.clone();
    let raw = input.into_raw_json()?;
    c.add_source(InputKind::Scan, path, sha256, &detected, raw);
    Ok(())
}

/// Several SBOMs become one: components one after the other, the format, version and generator
/// of the first.
fn merge_sboms(parts: Vec<(usize, SbomPart)>) -> Option<Sbom> {
    let mut parts = parts.into_iter();
    let (index, first) = parts.next()?;
    let mut sbom = Sbom {
        format: first.format.to_owned(),
        spec_version: Some(first.spec_version),
        generator: first.generator,
        components: first.components,
        describes: first.describes,
        sources: vec![index],
    };
    for (index, part) in parts {
        sbom.components.extend(part.components);
        sbom.describes.extend(part.describes);
        sbom.sources.push(index);
    }
    Some(sbom)
}

fn describe_subjects(attestation: &super::model::Attestation) -> String {
    if attestation.subjects.is_empty() {
        return "no subject".to_owned();
    }
    let mut text = String::new();
    for (i, subject) in attestation.subjects.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        let _ = write!(text, "`{}`", subject.name);
        match subject.digest.get("sha256") {
            Some(hex) => {
                let _ = write!(text, " (sha256:{hex})");
            }
            None => text.push_str(" (no sha256)"),
        }
    }
    text
}

impl Evidence {
    /// The document as pretty-printed JSON with a final newline, ready to write to a file.
    /// Raw documents are written verbatim.
    pub fn to_json_bytes(&self) -> Result<Vec<u8>, EvidenceError> {
        let mut bytes = Vec::new();
        self.write_json(&mut bytes)?;
        Ok(bytes)
    }

    /// Writes the document as [`Evidence::to_json_bytes`] does, without holding the whole
    /// output in memory (for a 50,000-component SBOM the output is as large as the inputs).
    /// Give it a buffered writer; to never leave a partial file behind, write to a temporary
    /// file and rename it.
    pub fn write_json(&self, mut writer: impl std::io::Write) -> Result<(), EvidenceError> {
        serde_json::to_writer_pretty(&mut writer, self).map_err(EvidenceError::Serialize)?;
        writer
            .write_all(b"\n")
            .and_then(|()| writer.flush())
            .map_err(|e| EvidenceError::Serialize(serde_json::Error::io(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_references() {
        let hex = "ab".repeat(32);
        let spec: SubjectSpec = format!("ghcr.io/acme/app@sha256:{hex}").parse().unwrap();
        assert_eq!(
            spec,
            SubjectSpec::Reference {
                name: "ghcr.io/acme/app".to_owned(),
                sha256: hex.clone()
            }
        );
        for bad in [
            "app",
            "app@sha256:abc",
            &format!("@sha256:{hex}"),
            &format!("app@sha512:{hex}"),
            &format!("app@sha256:{}", "zz".repeat(32)),
            // https://github.com/stagegate/stagegate/issues/12 (point 4): upper case, and two
            // digests (once split on the last `@sha256:`).
            &format!("app@sha256:{}", hex.to_uppercase()),
            &format!("a@sha256:{}@sha256:{hex}", "b".repeat(64)),
        ] {
            assert!(
                matches!(
                    bad.parse::<SubjectSpec>(),
                    Err(EvidenceError::InvalidSubject { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn file_subjects_are_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        fs_err::write(&path, b"hello\n").unwrap();
        let subject = SubjectSpec::File(path).resolve().unwrap();
        assert_eq!(subject.name, "a.txt");
        assert_eq!(
            subject.digest.sha256,
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
    }
}
