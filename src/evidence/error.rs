//! [`EvidenceError`]: why an input could not be turned into evidence.
//!
//! Every variant names the file; parse errors also carry a 1-based line and column (and, for
//! XML, the byte offset), so the CLI can point a diagnostic at the spot with
//! [`EvidenceError::location`]. The cause sits behind `#[source]` and is not repeated in the
//! message.

use std::path::{Path, PathBuf};

use crate::limits::LimitError;

use super::kind::InputKind;

/// Why collecting evidence failed. Collecting stops at the first error: there is never a
/// partial [`super::Evidence`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// The file could not be read, is too large, or nests too deep.
    #[error(transparent)]
    Limit(#[from] LimitError),

    /// Evidence was asked for without a subject.
    #[error(
        "no subject: give `--subject NAME@sha256:HEX`, `--subject-file PATH` or `--image IMAGE@sha256:HEX`"
    )]
    MissingSubject,

    /// The subject given on the command line is not `NAME@sha256:HEX`.
    #[error("subject `{value}` is not `NAME@sha256:HEX` with 64 lowercase hex digits")]
    InvalidSubject {
        /// The value given.
        value: String,
    },

    /// The file is not JSON, or not the JSON its format requires.
    #[error("`{}` is not a valid {format} document (line {line}, column {column})", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The format it was read as (`json` while still detecting).
        format: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },

    /// The file is not well-formed XML.
    #[error("`{}` is not well-formed XML (line {line}, column {column})", path.display())]
    Xml {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Byte offset.
        offset: usize,
        /// The parser's error.
        #[source]
        source: quick_xml::Error,
    },

    /// The XML document has a document type declaration. DTDs are refused outright: they
    /// declare entities, which is how entity bombs and external-entity reads work.
    #[error("`{}` has a DTD (`<!DOCTYPE`) at line {line}, column {column}; DTDs and entity declarations are refused", path.display())]
    XmlDoctype {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Byte offset.
        offset: usize,
    },

    /// The XML document references an entity that is not one of XML's five predefined ones.
    /// Without a DTD no other entity can be declared, and we never expand one.
    #[error("`{}` references the undeclared entity `&{entity};` at line {line}, column {column}", path.display())]
    XmlEntity {
        /// The file.
        path: PathBuf,
        /// The entity's name.
        entity: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Byte offset.
        offset: usize,
    },

    /// The YAML document could not be parsed.
    #[error("`{}` is not a valid {format} document (line {line}, column {column})", path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The format it was read as.
        format: &'static str,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// The parser's error.
        #[source]
        source: Box<serde_saphyr::Error>,
    },

    /// The file is text, but not UTF-8.
    #[error("`{}` is not UTF-8", path.display())]
    Utf8 {
        /// The file.
        path: PathBuf,
        /// The decoder's error.
        #[source]
        source: std::str::Utf8Error,
    },

    /// The content is none of the formats accepted for this kind of input.
    #[error("`{}` is not a recognised {kind} format (expected {expected})", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// What it was given as.
        kind: InputKind,
        /// The formats accepted for that kind.
        expected: &'static str,
    },

    /// The content is a known format, but not one accepted for this kind of input.
    #[error("`{}` is a {format} document, which is not accepted as {kind} (expected {expected})", path.display())]
    WrongKind {
        /// The file.
        path: PathBuf,
        /// The format detected.
        format: &'static str,
        /// What it was given as.
        kind: InputKind,
        /// The formats accepted for that kind.
        expected: &'static str,
    },

    /// The format is known but this version of it is not supported.
    #[error("`{}`: {format} version `{version}` is not supported (supported: {supported})", path.display())]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The format.
        format: &'static str,
        /// The version the document declares.
        version: String,
        /// The versions we read.
        supported: &'static str,
    },

    /// A CycloneDX document given as a scan has no `vulnerabilities` array. Reading it as
    /// "nothing found" would turn a mistaken `--scan sbom.json` into a pass.
    #[error("`{}` is a CycloneDX document without `vulnerabilities`; give an SBOM with `--sbom`", path.display())]
    NoVulnerabilities {
        /// The file.
        path: PathBuf,
    },

    /// A DSSE payload is not valid base64.
    #[error("`{}`: the DSSE payload is not valid base64", path.display())]
    Base64 {
        /// The file.
        path: PathBuf,
        /// The decoder's error.
        #[source]
        source: base64::DecodeError,
    },

    /// A DSSE envelope carries something other than an in-toto statement.
    #[error("`{}`: DSSE payload type `{payload_type}` is not an in-toto statement", path.display())]
    PayloadType {
        /// The file.
        path: PathBuf,
        /// The payload type found.
        payload_type: String,
    },

    /// A statement's `_type` is not an in-toto Statement type we know.
    #[error("`{}`: statement type `{statement_type}` is not an in-toto Statement (v0.1 or v1)", path.display())]
    StatementType {
        /// The file.
        path: PathBuf,
        /// The `_type` found.
        statement_type: String,
    },

    /// A Sigstore bundle has neither a DSSE envelope nor a message signature.
    #[error("`{}`: the Sigstore bundle has neither `dsseEnvelope` nor `messageSignature`", path.display())]
    EmptyBundle {
        /// The file.
        path: PathBuf,
    },

    /// The file holds no document at all (empty, or only blank lines).
    #[error("`{}` is empty", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },

    /// An approval's `at` is not an RFC 3339 timestamp.
    #[error("`{}`: approval {index} has `at: {value}`, which is not an RFC 3339 timestamp", path.display())]
    ApprovalTime {
        /// The file.
        path: PathBuf,
        /// 0-based index of the approval in the file.
        index: usize,
        /// The value given.
        value: String,
        /// The parser's error.
        #[source]
        source: chrono::ParseError,
    },

    /// An approvals file declares an `apiVersion` we do not know.
    #[error("`{}`: approvals `apiVersion` `{version}` is not supported (supported: {})", path.display(), crate::wire::APPROVALS_API_VERSION)]
    ApprovalsVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        version: String,
    },

    /// The evidence document could not be serialised.
    #[error("cannot serialise the evidence document")]
    Serialize(#[source] serde_json::Error),
}

/// Where in which file an [`EvidenceError`] happened, for a diagnostic with a source span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorLocation<'a> {
    /// The file.
    pub path: &'a Path,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl EvidenceError {
    /// The file and position the error points at, when it has a position.
    pub fn location(&self) -> Option<ErrorLocation<'_>> {
        let (path, line, column) = match self {
            EvidenceError::Limit(LimitError::TooDeep {
                path, line, column, ..
            })
            | EvidenceError::Json {
                path, line, column, ..
            }
            | EvidenceError::Xml {
                path, line, column, ..
            }
            | EvidenceError::XmlDoctype {
                path, line, column, ..
            }
            | EvidenceError::XmlEntity {
                path, line, column, ..
            }
            | EvidenceError::Yaml {
                path, line, column, ..
            } => (path, *line, *column),
            _ => return None,
        };
        (line > 0).then_some(ErrorLocation { path, line, column })
    }

    /// The file the error is about, when there is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            EvidenceError::Limit(
                LimitError::Io { path, .. }
                | LimitError::NotRegular { path, .. }
                | LimitError::TooLarge { path, .. }
                | LimitError::TooDeep { path, .. },
            )
            | EvidenceError::Json { path, .. }
            | EvidenceError::Xml { path, .. }
            | EvidenceError::XmlDoctype { path, .. }
            | EvidenceError::XmlEntity { path, .. }
            | EvidenceError::Yaml { path, .. }
            | EvidenceError::Utf8 { path, .. }
            | EvidenceError::UnknownFormat { path, .. }
            | EvidenceError::WrongKind { path, .. }
            | EvidenceError::UnsupportedVersion { path, .. }
            | EvidenceError::NoVulnerabilities { path }
            | EvidenceError::Base64 { path, .. }
            | EvidenceError::PayloadType { path, .. }
            | EvidenceError::StatementType { path, .. }
            | EvidenceError::EmptyBundle { path }
            | EvidenceError::Empty { path }
            | EvidenceError::ApprovalTime { path, .. }
            | EvidenceError::ApprovalsVersion { path, .. } => Some(path),
            EvidenceError::MissingSubject
            | EvidenceError::InvalidSubject { .. }
            | EvidenceError::Serialize(_) => None,
        }
    }
}

/// Parses JSON from `bytes` into `T`, turning a failure into [`EvidenceError::Json`].
pub(crate) fn parse_json<'a, T: serde::Deserialize<'a>>(
    path: &Path,
    format: &'static str,
    bytes: &'a [u8],
) -> Result<T, EvidenceError> {
    serde_json::from_slice(bytes).map_err(|source| json_error(path, format, source))
}

/// Wraps a `serde_json` error with the file and format.
pub(crate) fn json_error(
    path: &Path,
    format: &'static str,
    source: serde_json::Error,
) -> EvidenceError {
    EvidenceError::Json {
        path: path.to_owned(),
        format,
        line: source.line(),
        column: source.column(),
        source,
    }
}
