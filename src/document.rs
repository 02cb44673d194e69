//! Reading untrusted JSON and YAML documents: size and depth limits first, then a parse whose
//! errors name the file, line and column.
//!
//! Used for `--input` documents (conftest-style), policy data files and test fixtures. The
//! format is taken from the content: a document whose first non-blank byte is `{` or `[` is
//! JSON, anything else YAML (a superset of JSON, so this only picks the better error message).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::limits::{LimitError, Limits, check_depth, line_column, read_limited};

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// Unreadable, too large or too deep.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// Not valid JSON/YAML.
    #[error("`{}` is not valid {format} (line {line}, column {column}): {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// `JSON` or `YAML`.
        format: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
}

/// A document and the bytes it was read from (for digests).
#[derive(Debug, Clone)]
pub struct Document {
    /// The parsed value.
    pub value: Value,
    /// The bytes as read.
    pub bytes: Vec<u8>,
}

/// Reads a JSON or YAML document from a file (or `-` for standard input).
pub fn read_document(path: &Path, limits: &Limits) -> Result<Document, DocumentError> {
    let bytes = read_limited(path, limits)?;
    let value = parse_document(path, &bytes, limits)?;
    Ok(Document { value, bytes })
}

/// Parses JSON or YAML bytes read from `path`.
pub fn parse_document(path: &Path, bytes: &[u8], limits: &Limits) -> Result<Value, DocumentError> {
    check_depth(path, bytes, limits)?;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{' | b'[')) {
        return parse_json(path, bytes);
    }
    let text = std::str::from_utf8(bytes).map_err(|err| {
        let (line, column) = line_column(bytes, err.valid_up_to());
        DocumentError::Syntax {
            path: path.to_owned(),
            format: "YAML",
            line,
            column,
            message: "the file is not valid UTF-8".to_owned(),
        }
    })?;
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! { max_depth: limits.max_depth },
    };
    serde_saphyr::from_str_with_options::<Value>(text, options).map_err(|err| {
        let (line, column) = err
            .location()
            .map_or((0, 0), |loc| (loc.line() as usize, loc.column() as usize));
        DocumentError::Syntax {
            path: path.to_owned(),
            format: "YAML",
            line,
            column,
            message: crate::policy::config::syntax_message(&err),
        }
    })
}

/// Parses every document of a JSON or multi-document YAML file (`---` separated), as
/// conftest reads its inputs: one value for JSON, one per YAML document (empty ones skipped).
pub fn parse_documents(
    path: &Path,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<Value>, DocumentError> {
    check_depth(path, bytes, limits)?;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{' | b'[')) {
        return Ok(vec![parse_json(path, bytes)?]);
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(vec![parse_document(path, bytes, limits)?]);
    };
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! { max_depth: limits.max_depth },
    };
    let values =
        serde_saphyr::from_multiple_with_options::<Value>(text, options).map_err(|err| {
            let (line, column) = err
                .location()
                .map_or((0, 0), |loc| (loc.line() as usize, loc.column() as usize));
            DocumentError::Syntax {
                path: path.to_owned(),
                format: "YAML",
                line,
                column,
                message: crate::policy::config::syntax_message(&err),
            }
        })?;
    Ok(values.into_iter().filter(|v| !v.is_null()).collect())
}

/// Parses JSON bytes read from `path`.
pub fn parse_json(path: &Path, bytes: &[u8]) -> Result<Value, DocumentError> {
    serde_json::from_slice(bytes).map_err(|err| DocumentError::Syntax {
        path: path.to_owned(),
        format: "JSON",
        line: err.line(),
        column: err.column().max(1),
        message: strip_position(&err.to_string()),
    })
}

/// Checks that `bytes` are well-formed JSON without building anything: for reporting a syntax
/// error in a document that failed to deserialise into a typed model.
pub fn check_json_syntax(path: &Path, bytes: &[u8]) -> Result<(), DocumentError> {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
        .map(drop)
        .map_err(|err| DocumentError::Syntax {
            path: path.to_owned(),
            format: "JSON",
            line: err.line(),
            column: err.column().max(1),
            message: strip_position(&err.to_string()),
        })
}

/// serde_json appends " at line L column C"; we report the position separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_json_names_line_and_column() {
        let err = parse_document(
            Path::new("e.json"),
            b"{\n  \"a\": [1,\n",
            &Limits::default(),
        );
        match err {
            Err(DocumentError::Syntax { line, format, .. }) => {
                assert_eq!((format, line), ("JSON", 3))
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn yaml_documents_parse() {
        let value = parse_document(
            Path::new("d.yaml"),
            b"a:\n  - 1\n  - x\n",
            &Limits::default(),
        );
        assert_eq!(value.ok(), Some(serde_json::json!({"a": [1, "x"]})));
    }

    #[test]
    fn yaml_errors_have_positions() {
        let err = parse_document(Path::new("d.yaml"), b"a: [1, 2\nb: c\n", &Limits::default());
        assert!(matches!(err, Err(DocumentError::Syntax { line, .. }) if line > 0));
    }
}
