//! Format and version detection from a file's content, never from its name.
//!
//! [`detect`] looks at the first meaningful byte (`<` for XML, `{`/`[` for JSON, anything else
//! for YAML approvals), then, for JSON, reads only the top-level keys that tell the formats
//! apart (a [`Probe`]; everything else is skipped without being built). It returns a
//! [`Detected`] format and version, already checked against the versions we read and against
//! the kind of input the file was given as, so the readers in `sbom/`, `vulns/`, `tests/`,
//! `attestations` and `approvals` only ever see documents they understand.

use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

use super::error::{EvidenceError, parse_json};
use super::kind::{Format, InputKind};
use crate::wire::{BUNDLE_MEDIA_TYPE_PREFIX, STATEMENT_TYPES};

/// A detected format and the version the document declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// The format.
    pub format: Format,
    /// The declared version, when the format has one.
    pub version: Option<String>,
}

/// CycloneDX spec versions we read. 1.7 on purpose: current Grype and Trivy write it, and its
/// changes to the fields we read (components, licenses, vulnerabilities) are additive.
pub const CYCLONEDX_VERSIONS: &[&str] = &["1.4", "1.5", "1.6", "1.7"];
/// SPDX versions we read (JSON serialisation; 2.2 and 2.3 share the fields we read).
pub const SPDX_VERSIONS: &[&str] = &["SPDX-2.2", "SPDX-2.3"];
/// The SARIF version we read.
pub const SARIF_VERSION: &str = "2.1.0";
/// The Trivy JSON schema version we read.
pub const TRIVY_SCHEMA_VERSION: u64 = 2;
/// The OpenVEX `@context` prefix.
pub const OPENVEX_CONTEXT_PREFIX: &str = "https://openvex.dev/ns";

/// The top-level keys that tell the JSON formats apart. Everything else in the document is
/// skipped by `serde` without building anything.
#[derive(Debug, Deserialize)]
struct Probe {
    #[serde(rename = "bomFormat")]
    bom_format: Option<Value>,
    #[serde(rename = "specVersion")]
    spec_version: Option<Value>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<Value>,
    #[serde(rename = "@context")]
    context: Option<Value>,
    #[serde(rename = "@graph")]
    graph: Option<IgnoredAny>,
    version: Option<Value>,
    runs: Option<IgnoredAny>,
    matches: Option<IgnoredAny>,
    descriptor: Option<GrypeDescriptor>,
    #[serde(rename = "SchemaVersion")]
    trivy_schema_version: Option<Value>,
    #[serde(rename = "mediaType")]
    media_type: Option<Value>,
    #[serde(rename = "payloadType")]
    payload_type: Option<IgnoredAny>,
    payload: Option<IgnoredAny>,
    #[serde(rename = "_type")]
    statement_type: Option<Value>,
    #[serde(rename = "predicateType")]
    predicate_type: Option<IgnoredAny>,
    provenance_summary: Option<IgnoredAny>,
    approvals: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
struct GrypeDescriptor {
    name: Option<Value>,
    version: Option<Value>,
}

/// Detects the format of `bytes`, given as `kind`, and checks that it is accepted.
pub fn detect(kind: InputKind, path: &Path, bytes: &[u8]) -> Result<Detected, EvidenceError> {
    let detected = match first_byte(bytes) {
        None => {
            return Err(EvidenceError::Empty {
                path: path.to_owned(),
            });
        }
        // XML is only a test report here (CycloneDX and SPDX XML are not read).
        Some(b'<') if kind == InputKind::Tests => Detected {
            format: Format::JUnit,
            version: None,
        },
        Some(b'{') => detect_json(kind, path, bytes)?,
        // A top-level array is only an approvals list; YAML is only approvals.
        Some(_) if kind == InputKind::Approval => Detected {
            format: Format::Approvals,
            version: None,
        },
        Some(_) => {
            return Err(EvidenceError::UnknownFormat {
                path: path.to_owned(),
                kind,
                expected: kind.expected(),
            });
        }
    };
    if kind.accepts(detected.format) {
        Ok(detected)
    } else {
        Err(EvidenceError::WrongKind {
            path: path.to_owned(),
            format: detected.format.name(),
            kind,
            expected: kind.expected(),
        })
    }
}

/// The first byte that is not whitespace or a UTF-8 byte-order mark.
pub(crate) fn first_byte(bytes: &[u8]) -> Option<u8> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

fn detect_json(kind: InputKind, path: &Path, bytes: &[u8]) -> Result<Detected, EvidenceError> {
    let probe: Probe = parse_json(path, "JSON", bytes)?;
    let unsupported = |format: &'static str, version: String, supported: &'static str| {
        Err(EvidenceError::UnsupportedVersion {
            path: path.to_owned(),
            format,
            version,
            supported,
        })
    };
    if let Some(bom_format) = &probe.bom_format {
        if bom_format.as_str() != Some("CycloneDX") {
            return Err(unknown(kind, path));
        }
        let version = scalar(probe.spec_version.as_ref()).unwrap_or_default();
        if !CYCLONEDX_VERSIONS.contains(&version.as_str()) {
            return unsupported("CycloneDX", version, "1.4, 1.5, 1.6, 1.7");
        }
        return Ok(found(Format::CycloneDx, Some(version)));
    }
    if let Some(spdx_version) = &probe.spdx_version {
        let version = scalar(Some(spdx_version)).unwrap_or_default();
        if !SPDX_VERSIONS.contains(&version.as_str()) {
            return unsupported("SPDX", version, "SPDX-2.2, SPDX-2.3");
        }
        return Ok(found(Format::Spdx, Some(version)));
    }
    if let Some(context) = &probe.context {
        let context = context_text(context);
        if let Some(rest) = context.strip_prefix(OPENVEX_CONTEXT_PREFIX) {
            let version = rest.trim_start_matches('/');
            return Ok(found(
                Format::OpenVex,
                (!version.is_empty()).then(|| version.to_owned()),
            ));
        }
        if context.contains("spdx") || probe.graph.is_some() {
            return unsupported("SPDX", "3 (JSON-LD)".to_owned(), "SPDX-2.2, SPDX-2.3");
        }
    }
    if probe.runs.is_some() {
        let version = scalar(probe.version.as_ref()).unwrap_or_default();
        if version != SARIF_VERSION {
            return unsupported("SARIF", version, SARIF_VERSION);
        }
        return Ok(found(Format::Sarif, Some(version)));
    }
    if probe.matches.is_some() {
        let descriptor = probe.descriptor.as_ref();
        let name = descriptor.and_then(|d| scalar(d.name.as_ref()));
        if name.as_deref().is_some_and(|n| n != "grype") {
            return Err(unknown(kind, path));
        }
        let version = descriptor.and_then(|d| scalar(d.version.as_ref()));
        return Ok(found(Format::Grype, version));
    }
    if let Some(schema_version) = &probe.trivy_schema_version {
        if schema_version.as_u64() != Some(TRIVY_SCHEMA_VERSION) {
            let version = scalar(Some(schema_version)).unwrap_or_default();
            return unsupported("Trivy JSON", version, "SchemaVersion 2");
        }
        return Ok(found(Format::Trivy, Some(TRIVY_SCHEMA_VERSION.to_string())));
    }
    if let Some(media_type) = scalar(probe.media_type.as_ref())
        && media_type.starts_with(BUNDLE_MEDIA_TYPE_PREFIX)
    {
        return match bundle_version(&media_type) {
            Some(version) => Ok(found(Format::SigstoreBundle, Some(version.to_owned()))),
            None => unsupported("Sigstore bundle", media_type, "v0.1, v0.2, v0.3"),
        };
    }
    if probe.payload_type.is_some() && probe.payload.is_some() {
        return Ok(found(Format::Dsse, None));
    }
    if let Some(statement_type) = scalar(probe.statement_type.as_ref()) {
        if !STATEMENT_TYPES.contains(&statement_type.as_str()) {
            return Err(EvidenceError::StatementType {
                path: path.to_owned(),
                statement_type,
            });
        }
        let version = statement_type.rsplit('/').next().map(str::to_owned);
        return Ok(found(Format::InTotoStatement, version));
    }
    if probe.predicate_type.is_some() {
        return Ok(found(Format::InTotoStatement, None));
    }
    if probe.provenance_summary.is_some() {
        return Ok(found(Format::GcbProvenance, None));
    }
    if probe.approvals.is_some() {
        return Ok(found(Format::Approvals, None));
    }
    Err(unknown(kind, path))
}

fn found(format: Format, version: Option<String>) -> Detected {
    Detected { format, version }
}

fn unknown(kind: InputKind, path: &Path) -> EvidenceError {
    EvidenceError::UnknownFormat {
        path: path.to_owned(),
        kind,
        expected: kind.expected(),
    }
}

/// A string or number as text.
fn scalar(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `@context` is a string or a list of strings (JSON-LD).
fn context_text(context: &Value) -> String {
    match context {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// The bundle version from either media-type spelling:
/// `application/vnd.dev.sigstore.bundle+json;version=0.3` or
/// `application/vnd.dev.sigstore.bundle.v0.3+json`.
fn bundle_version(media_type: &str) -> Option<&'static str> {
    const KNOWN: &[(&str, &str)] = &[
        ("+json;version=0.1", "0.1"),
        ("+json;version=0.2", "0.2"),
        ("+json;version=0.3", "0.3"),
        (".v0.3+json", "0.3"),
    ];
    let rest = media_type.strip_prefix(BUNDLE_MEDIA_TYPE_PREFIX)?;
    KNOWN
        .iter()
        .find(|(suffix, _)| rest.replace(' ', "") == *suffix)
        .map(|(_, version)| *version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_str(kind: InputKind, text: &str) -> Result<Detected, EvidenceError> {
        detect(kind, Path::new("x"), text.as_bytes())
    }

    #[test]
    fn pass() {
        let cases = [
            (
                InputKind::Sbom,
                r#"{"bomFormat":"CycloneDX","specVersion":"1.7"}"#,
                Format::CycloneDx,
            ),
            (
                InputKind::Scan,
                r#"{"matches":[],"descriptor":{"name":"grype","version":"0.80.0"}}"#,
                Format::Grype,
            ),
            (
                InputKind::Scan,
                r#"{"SchemaVersion":2,"Results":[]}"#,
                Format::Trivy,
            ),
            (
                InputKind::Attestation,
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}"#,
                Format::SigstoreBundle,
            ),
            (InputKind::Tests, "\u{feff}  <testsuites/>", Format::JUnit),
            (InputKind::Approval, "- approver: a", Format::Approvals),
        ];
        for (kind, text, format) in cases {
            assert_eq!(detect_str(kind, text).unwrap().format, format, "{text}");
        }
    }

    #[test]
    fn fail() {
        let unsupported = [
            r#"{"bomFormat":"CycloneDX","specVersion":"1.8"}"#,
            r#"{"bomFormat":"CycloneDX","specVersion":"1.3"}"#,
            r#"{"spdxVersion":"SPDX-2.1"}"#,
            r#"{"runs":[],"version":"2.0.0"}"#,
        ];
        for text in unsupported {
            let kind = if text.contains("runs") {
                InputKind::Scan
            } else {
                InputKind::Sbom
            };
            assert!(
                matches!(
                    detect_str(kind, text),
                    Err(EvidenceError::UnsupportedVersion { .. })
                ),
                "{text}"
            );
        }
        assert!(matches!(
            detect_str(InputKind::Sbom, r#"{"runs":[],"version":"2.1.0"}"#),
            Err(EvidenceError::WrongKind { .. })
        ));
        assert!(matches!(
            detect_str(InputKind::Sbom, r#"{"hello":1}"#),
            Err(EvidenceError::UnknownFormat { .. })
        ));
        assert!(matches!(
            detect_str(InputKind::Sbom, r#"{"bomFormat":"CycloneDX","#),
            Err(EvidenceError::Json { line: 1, .. })
        ));
        assert!(matches!(
            detect_str(
                InputKind::Sbom,
                "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"/>"
            ),
            Err(EvidenceError::UnknownFormat { .. })
        ));
        assert!(matches!(
            detect_str(InputKind::Sbom, "   "),
            Err(EvidenceError::Empty { .. })
        ));
        assert!(matches!(
            detect_str(InputKind::Sbom, "\u{89}PNG"),
            Err(EvidenceError::UnknownFormat { .. })
        ));
    }
}
