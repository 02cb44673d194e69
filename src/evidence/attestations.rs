//! Attestations: in-toto Statements, bare or wrapped in DSSE envelopes or Sigstore bundles.
//!
//! Read, from one JSON document or a JSON Lines file of them (each value detected on its own):
//! - a bare in-toto Statement (<https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md>),
//!   `_type` v1 or v0.1;
//! - a DSSE envelope (<https://github.com/secure-systems-lab/dsse/blob/master/envelope.md>) whose
//!   `payloadType` is [`IN_TOTO_PAYLOAD_TYPE`], its payload decoded (standard or URL-safe
//!   base64) and read as a Statement — with the same depth limit as any file;
//! - a Sigstore bundle v0.1–v0.3 (<https://github.com/sigstore/protobuf-specs>) with a
//!   `dsseEnvelope`, or with a `messageSignature`, which signs an artifact rather than a
//!   statement: it becomes an attestation of type [`MESSAGE_SIGNATURE_PREDICATE_TYPE`] whose
//!   subject is the signed digest;
//! - Google Cloud Build's `--show-provenance` output: every
//!   `provenance_summary.provenance[].envelope`.
//!
//! Each statement gives one [`Attestation`] with its `predicateType`, `predicate`, subjects,
//! `_type` and envelope kind, and, beside it, the signed document it came from (the bundle,
//! or the DSSE envelope) for the verifier. `verified` is always `false` and `signer` empty
//! here: checking signatures is the verify stage's job, never the collector's.
//!
//! What we ignore (and why): signatures, certificates, transparency-log entries and timestamps
//! (they matter only to verification, which reads them from `raw`); statement fields other
//! than `_type`, `subject`, `predicateType`, `predicate`.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "line and column arithmetic on positions a parser reported inside the text"
)]

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::detect::{Detected, detect};
use super::error::{EvidenceError, json_error, parse_json};
use super::kind::{Format, InputKind};
use super::model::{Attestation, AttestationSubject};
use crate::limits::{Limits, check_depth};
use crate::wire::{IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPES};

/// The `predicateType` given to a Sigstore bundle that signs an artifact's digest
/// (`messageSignature`) instead of carrying a statement. Our own URI: Sigstore defines none.
pub const MESSAGE_SIGNATURE_PREDICATE_TYPE: &str =
    "https://stagegate.dev/sigstore/message-signature/v1";

#[derive(Debug, Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, rename = "payloadType")]
    payload_type: Cow<'a, str>,
    #[serde(borrow)]
    payload: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
struct Statement {
    #[serde(default, rename = "_type")]
    statement_type: Option<String>,
    #[serde(default)]
    subject: Vec<AttestationSubject>,
    #[serde(rename = "predicateType")]
    predicate_type: String,
    #[serde(default)]
    predicate: Value,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bundle<'a> {
    #[serde(borrow, default)]
    dsse_envelope: Option<Envelope<'a>>,
    #[serde(borrow, default)]
    message_signature: Option<MessageSignature<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageSignature<'a> {
    #[serde(borrow, default)]
    message_digest: Option<MessageDigest<'a>>,
}

#[derive(Debug, Deserialize)]
struct MessageDigest<'a> {
    #[serde(borrow)]
    algorithm: Cow<'a, str>,
    #[serde(borrow)]
    digest: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
struct GcbProvenance<'a> {
    #[serde(borrow)]
    provenance_summary: GcbSummary<'a>,
}

#[derive(Debug, Deserialize)]
struct GcbSummary<'a> {
    #[serde(borrow, default)]
    provenance: Vec<GcbOccurrence<'a>>,
}

#[derive(Debug, Deserialize)]
struct GcbOccurrence<'a> {
    #[serde(borrow)]
    envelope: &'a RawValue,
}

/// What one attestation file contributed.
#[derive(Debug)]
pub(crate) struct AttestationFile {
    /// The format of the (first) document.
    pub detected: Detected,
    /// The statements found.
    pub attestations: Vec<Attestation>,
    /// For each statement, the signed document that carries it (a bundle or a DSSE envelope,
    /// as JSON text), or `None` for a bare statement.
    pub signed: Vec<Option<String>>,
    /// The original document(s) as JSON: the document itself, or an array of the values of a
    /// JSON Lines file.
    pub raw: Box<RawValue>,
}

/// Reads an attestation file: one JSON document, or several (JSON Lines).
pub(crate) fn read(
    path: &Path,
    text: &str,
    limits: &Limits,
    source_index: usize,
) -> Result<AttestationFile, EvidenceError> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
    let mut values: Vec<&RawValue> = Vec::new();
    let mut attestations = Vec::new();
    let mut signed = Vec::new();
    let mut first: Option<Detected> = None;
    loop {
        let start = stream.byte_offset();
        let Some(next) = stream.next() else { break };
        let value = next.map_err(|e| json_error(path, "JSON", e))?;
        let doc = value.get();
        let offset = start
            + text
                .get(start..)
                .map_or(0, |t| t.len() - t.trim_start().len());
        let detected = detect(InputKind::Attestation, path, doc.as_bytes())
            .map_err(|e| shift(e, text, offset))?;
        read_one(
            path,
            doc,
            &detected,
            limits,
            source_index,
            &mut attestations,
            &mut signed,
        )
        .map_err(|e| shift(e, text, offset))?;
        first.get_or_insert(detected);
        values.push(value);
    }
    let detected = first.ok_or_else(|| EvidenceError::Empty {
        path: path.to_owned(),
    })?;
    let raw = match values.as_slice() {
        [single] => (*single).to_owned(),
        many => {
            let joined: Vec<&str> = many.iter().map(|v| v.get()).collect();
            RawValue::from_string(format!("[{}]", joined.join(",")))
                .map_err(|e| json_error(path, "JSON", e))?
        }
    };
    Ok(AttestationFile {
        detected,
        attestations,
        signed,
        raw,
    })
}

/// Moves a parse position found in one value of a JSON Lines file to the file's coordinates.
fn shift(error: EvidenceError, text: &str, offset: usize) -> EvidenceError {
    match error {
        EvidenceError::Json {
            path,
            format,
            line,
            column,
            source,
        } if offset > 0 => {
            let (base_line, base_column) = crate::limits::line_column(text.as_bytes(), offset);
            EvidenceError::Json {
                path,
                format,
                line: base_line + line - 1,
                column: if line == 1 {
                    base_column + column - 1
                } else {
                    column
                },
                source,
            }
        }
        other => other,
    }
}

fn read_one(
    path: &Path,
    doc: &str,
    detected: &Detected,
    limits: &Limits,
    source_index: usize,
    out: &mut Vec<Attestation>,
    signed: &mut Vec<Option<String>>,
) -> Result<(), EvidenceError> {
    let bytes = doc.as_bytes();
    match detected.format {
        Format::InTotoStatement => {
            let statement: Statement = parse_json(path, "in-toto statement", bytes)?;
            out.push(attestation(path, statement, "statement", source_index)?);
            signed.push(None);
        }
        Format::Dsse => {
            let envelope: Envelope<'_> = parse_json(path, "DSSE envelope", bytes)?;
            out.push(from_envelope(
                path,
                &envelope,
                "dsse",
                limits,
                source_index,
            )?);
            signed.push(Some(doc.to_owned()));
        }
        Format::SigstoreBundle => {
            let bundle: Bundle<'_> = parse_json(path, "Sigstore bundle", bytes)?;
            if let Some(envelope) = &bundle.dsse_envelope {
                out.push(from_envelope(
                    path,
                    envelope,
                    "sigstore-bundle",
                    limits,
                    source_index,
                )?);
                signed.push(Some(doc.to_owned()));
            } else if let Some(signature) = &bundle.message_signature {
                out.push(message_signature(signature, source_index));
                signed.push(Some(doc.to_owned()));
            } else {
                return Err(EvidenceError::EmptyBundle {
                    path: path.to_owned(),
                });
            }
        }
        Format::GcbProvenance => {
            let provenance: GcbProvenance<'_> = parse_json(path, "Cloud Build provenance", bytes)?;
            for occurrence in &provenance.provenance_summary.provenance {
                let text = occurrence.envelope.get();
                let envelope: Envelope<'_> = parse_json(path, "DSSE envelope", text.as_bytes())?;
                out.push(from_envelope(
                    path,
                    &envelope,
                    "dsse",
                    limits,
                    source_index,
                )?);
                signed.push(Some(text.to_owned()));
            }
        }
        // `detect` only lets attestation formats through for this kind.
        _ => {
            return Err(EvidenceError::UnknownFormat {
                path: path.to_owned(),
                kind: InputKind::Attestation,
                expected: "an attestation",
            });
        }
    }
    Ok(())
}

fn from_envelope(
    path: &Path,
    envelope: &Envelope<'_>,
    kind: &str,
    limits: &Limits,
    source_index: usize,
) -> Result<Attestation, EvidenceError> {
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(EvidenceError::PayloadType {
            path: path.to_owned(),
            payload_type: envelope.payload_type.to_string(),
        });
    }
    let payload = decode_base64(&envelope.payload).map_err(|source| EvidenceError::Base64 {
        path: path.to_owned(),
        source,
    })?;
    check_depth(path, &payload, limits)?;
    let statement: Statement = parse_json(path, "in-toto statement (DSSE payload)", &payload)?;
    attestation(path, statement, kind, source_index)
}

fn attestation(
    path: &Path,
    statement: Statement,
    envelope: &str,
    source_index: usize,
) -> Result<Attestation, EvidenceError> {
    if let Some(statement_type) = &statement.statement_type
        && !STATEMENT_TYPES.contains(&statement_type.as_str())
    {
        return Err(EvidenceError::StatementType {
            path: path.to_owned(),
            statement_type: statement_type.clone(),
        });
    }
    Ok(Attestation {
        predicate_type: statement.predicate_type,
        predicate: statement.predicate,
        subjects: statement.subject,
        verified: false,
        signer: None,
        trusted_for: Vec::new(),
        rejection: None,
        statement_type: statement.statement_type,
        envelope: envelope.to_owned(),
        source: Some(source_index),
    })
}

fn message_signature(signature: &MessageSignature<'_>, source_index: usize) -> Attestation {
    let mut digest = BTreeMap::new();
    let mut predicate = serde_json::Map::new();
    if let Some(message_digest) = &signature.message_digest {
        let algorithm = match message_digest.algorithm.as_ref() {
            "SHA2_256" => "sha256".to_owned(),
            "SHA2_384" => "sha384".to_owned(),
            "SHA2_512" => "sha512".to_owned(),
            other => other.to_ascii_lowercase(),
        };
        if let Ok(bytes) = decode_base64(&message_digest.digest) {
            digest.insert(algorithm.clone(), hex::encode(bytes));
        }
        predicate.insert(
            "messageDigest".to_owned(),
            serde_json::json!({
                "algorithm": message_digest.algorithm,
                "digest": message_digest.digest,
            }),
        );
    }
    Attestation {
        predicate_type: MESSAGE_SIGNATURE_PREDICATE_TYPE.to_owned(),
        predicate: Value::Object(predicate),
        subjects: vec![AttestationSubject {
            name: String::new(),
            digest,
        }],
        verified: false,
        signer: None,
        trusted_for: Vec::new(),
        rejection: None,
        statement_type: None,
        envelope: "sigstore-bundle".to_owned(),
        source: Some(source_index),
    }
}

/// DSSE says base64 without saying which alphabet; tools write both, with and without padding.
fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    const INDIFFERENT: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, INDIFFERENT);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, INDIFFERENT);
    let text = text.trim();
    STANDARD.decode(text).or_else(|e| {
        URL_SAFE
            .decode(text)
            .map_err(|_| e)
            .or_else(|_| general_purpose::STANDARD.decode(text))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Result<AttestationFile, EvidenceError> {
        read(Path::new("a.jsonl"), text, &Limits::default(), 0)
    }

    fn envelope(statement: &str) -> String {
        format!(
            r#"{{"payloadType":"{IN_TOTO_PAYLOAD_TYPE}","payload":"{}","signatures":[{{"keyid":"k1","sig":"x"}}]}}"#,
            general_purpose::STANDARD.encode(statement)
        )
    }

    const STATEMENT: &str = r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"ab"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"x":1}}"#;

    #[test]
    fn reads_json_lines_of_envelopes_and_statements() {
        let text = format!("{}\n\n{}\n", envelope(STATEMENT), STATEMENT);
        let file = read_str(&text).unwrap();
        assert_eq!(file.detected.format, Format::Dsse);
        assert_eq!(file.attestations.len(), 2);
        let first = &file.attestations[0];
        assert_eq!(first.predicate_type, "https://slsa.dev/provenance/v1");
        assert_eq!(first.signer, None);
        assert!(
            file.signed[0]
                .as_deref()
                .is_some_and(|d| d.contains("payloadType"))
        );
        assert_eq!(file.signed[1], None);
        assert_eq!(first.envelope, "dsse");
        assert!(!first.verified);
        assert_eq!(file.attestations[1].envelope, "statement");
        assert!(file.raw.get().starts_with('['));
    }

    #[test]
    fn fail() {
        let wrong_type = envelope(r#"{"_type":"https://example.com/x","predicateType":"p"}"#);
        assert!(matches!(
            read_str(&wrong_type),
            Err(EvidenceError::StatementType { .. })
        ));
        let deep = envelope(&format!(
            r#"{{"predicateType":"p","predicate":{}1{}}}"#,
            "[".repeat(500),
            "]".repeat(500)
        ));
        assert!(matches!(
            read_str(&deep),
            Err(EvidenceError::Limit(
                crate::limits::LimitError::TooDeep { .. }
            ))
        ));
        let not_base64 = format!(
            r#"{{"payloadType":"{IN_TOTO_PAYLOAD_TYPE}","payload":"%%%","signatures":[]}}"#
        );
        assert!(matches!(
            read_str(&not_base64),
            Err(EvidenceError::Base64 { .. })
        ));
        let second_line_broken = format!("{STATEMENT}\n{{\"predicateType\": 1}}");
        assert!(matches!(
            read_str(&second_line_broken),
            Err(EvidenceError::Json { line: 2, .. })
        ));
        assert!(matches!(read_str("\n\n"), Err(EvidenceError::Empty { .. })));
    }
}
