//! The signed documents behind an Evidence document's attestations, read back from `raw`.
//!
//! An Evidence document keeps every attestation file verbatim under `raw`, so the verifier
//! can check the signatures again whenever the document is read (`evaluate --evidence`,
//! `gate --evidence`, `replay`) instead of believing the `verified` it carries.
//! [`signed_attestations`] re-reads each attestation source exactly as [`super::collect`] read
//! it, giving each statement beside the bundle or envelope that carries it.
//! [`add_attestation_document`] adds one more signed document to a document (the signed
//! approvals `gate` finds in `--chain-dir` or on the image), so that the evaluated document
//! holds everything its verification was based on.

use std::path::Path;

use serde_json::value::RawValue;

use super::attestations;
use super::detect::detect;
use super::error::{EvidenceError, json_error};
use super::kind::{Format, InputKind};
use super::model::{Attestation, Evidence, RawDocument, Source};
use crate::digest::Sha256Digest;
use crate::limits::{Limits, check_depth};

/// One statement of an attestation source and the signed document that carries it.
#[derive(Debug, Clone)]
pub struct SignedAttestation {
    /// The statement as [`super::collect`] records it (`verified: false`, no signer).
    pub attestation: Attestation,
    /// The bundle or DSSE envelope (JSON text), or `None` for a bare statement.
    pub document: Option<String>,
}

/// The formats an attestation source may have.
const ATTESTATION_FORMATS: [Format; 4] = [
    Format::InTotoStatement,
    Format::Dsse,
    Format::SigstoreBundle,
    Format::GcbProvenance,
];

/// Whether `source` is an attestation file (whatever its kind: `attestation`, `registry`,
/// `approval`), whose statements [`signed_attestations`] reads back.
pub fn is_attestation_source(source: &Source) -> bool {
    ATTESTATION_FORMATS
        .iter()
        .any(|format| format.name() == source.format)
}

/// Every statement of every attestation source of `evidence`, in source order, re-read from
/// `raw`. A source whose raw document is missing gives nothing (its attestations are then
/// backed by no signed document).
pub fn signed_attestations(
    evidence: &Evidence,
    limits: &Limits,
) -> Result<Vec<SignedAttestation>, EvidenceError> {
    let mut out = Vec::new();
    for (index, source) in evidence.sources.iter().enumerate() {
        if !is_attestation_source(source) {
            continue;
        }
        let Some(raw) = evidence.raw.get(&index.to_string()) else {
            continue;
        };
        let path = Path::new(&source.path);
        let text = json_lines(path, raw)?;
        let file = attestations::read(path, &text, limits, index)?;
        out.extend(file.attestations.into_iter().zip(file.signed).map(
            |(attestation, document)| SignedAttestation {
                attestation,
                document,
            },
        ));
    }
    Ok(out)
}

/// The raw document as the file was: a JSON Lines file was kept as an array of its values.
fn json_lines(path: &Path, raw: &RawDocument) -> Result<String, EvidenceError> {
    let text = raw.get();
    if !text.trim_start().starts_with('[') {
        return Ok(text.to_owned());
    }
    let values: Vec<&RawValue> =
        serde_json::from_str(text).map_err(|e| json_error(path, "JSON", e))?;
    let lines: Vec<&str> = values.iter().map(|v| v.get()).collect();
    Ok(lines.join("\n"))
}

/// Adds a signed document (read from `path`, of `kind`) to `evidence`: a `sources` entry with
/// its sha256, the document under `raw`, and its statements under `attestations`.
pub fn add_attestation_document(
    evidence: &mut Evidence,
    kind: InputKind,
    path: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<(), EvidenceError> {
    let file_path = Path::new(path);
    check_depth(file_path, bytes, limits)?;
    let detected = detect(InputKind::Attestation, file_path, bytes)?;
    let text = std::str::from_utf8(bytes).map_err(|source| EvidenceError::Utf8 {
        path: file_path.to_owned(),
        source,
    })?;
    let index = evidence.sources.len();
    let file = attestations::read(file_path, text, limits, index)?;
    evidence.sources.push(Source {
        kind: kind.as_str().to_owned(),
        path: path.to_owned(),
        format: detected.format.name().to_owned(),
        format_version: detected.version,
        sha256: Sha256Digest::of(bytes).into_hex(),
    });
    evidence
        .raw
        .insert(index.to_string(), RawDocument::new(file.raw));
    evidence
        .attestations
        .get_or_insert_with(Vec::new)
        .extend(file.attestations);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{CollectRequest, SubjectSpec, collect};

    const STATEMENT: &str = r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"ab"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"x":1}}"#;

    #[test]
    fn reads_back_what_collect_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let envelope = format!(
            r#"{{"payloadType":"application/vnd.in-toto+json","payload":"{}","signatures":[{{"keyid":"","sig":"AA=="}}]}}"#,
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, STATEMENT)
        );
        fs_err::write(&path, format!("{STATEMENT}\n{envelope}\n")).unwrap();
        let subject: SubjectSpec = format!("a@sha256:{}", "ab".repeat(32)).parse().unwrap();
        let mut evidence =
            collect(&CollectRequest::builder(subject).attestation(&path).build()).unwrap();
        let signed = signed_attestations(&evidence, &Limits::default()).unwrap();
        assert_eq!(signed.len(), 2);
        assert_eq!(signed[0].document, None);
        assert_eq!(signed[1].document.as_deref(), Some(envelope.as_str()));
        assert_eq!(
            Some(
                signed
                    .iter()
                    .map(|s| s.attestation.clone())
                    .collect::<Vec<_>>()
            ),
            evidence.attestations
        );

        add_attestation_document(
            &mut evidence,
            InputKind::Approval,
            "chain/x.json",
            envelope.as_bytes(),
            &Limits::default(),
        )
        .unwrap();
        let signed = signed_attestations(&evidence, &Limits::default()).unwrap();
        assert_eq!(signed.len(), 3);
        assert_eq!(signed[2].attestation.source, Some(1));
        assert_eq!(evidence.sources[1].kind, "approval");
    }
}
