//! Reading untrusted JSON and YAML documents: size and depth limits first, then a parse whose
//! errors name the file, line and column.
//!
//! Used for `--input` documents (conftest-style), policy data files and test fixtures. The
//! format is taken from the content: a document whose first non-blank byte is `{` or `[` is
//! JSON, anything else YAML (a superset of JSON, so this only picks the better error message).

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::limits::{LimitError, Limits, check_depth, line_column, read_limited};

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
            message: syntax_message(&err),
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
                message: syntax_message(&err),
            }
        })?;
    Ok(values.into_iter().filter(|v| !v.is_null()).collect())
}

/// Parses JSON bytes read from `path`. An object that repeats a key is refused, as YAML
/// documents and evidence are: with last-wins a second `"kind"` could hide the first from a
/// reviewer while the policy sees the other (issue #12).
pub fn parse_json(path: &Path, bytes: &[u8]) -> Result<Value, DocumentError> {
    check_duplicate_keys(path, bytes)?;
    serde_json::from_slice(bytes).map_err(|err| DocumentError::Syntax {
        path: path.to_owned(),
        format: "JSON",
        line: err.line(),
        column: err.column().max(1),
        message: strip_position(&err.to_string()),
    })
}

/// Refuses JSON whose objects repeat a key (at any depth), naming the key with its line and
/// column; also reports any syntax error. Builds nothing but each object's set of keys.
pub fn check_duplicate_keys(path: &Path, bytes: &[u8]) -> Result<(), DocumentError> {
    find_duplicate_keys(bytes).map_err(|err| json_syntax_error(path, &err))
}

/// The error for a `serde_json` syntax error (or repeated key) in the JSON file at `path`.
pub fn json_syntax_error(path: &Path, err: &serde_json::Error) -> DocumentError {
    DocumentError::Syntax {
        path: path.to_owned(),
        format: "JSON",
        line: err.line(),
        column: err.column().max(1),
        message: strip_position(&err.to_string()),
    }
}

/// The `serde_json` error (with its line and column) of the first repeated object key or
/// syntax error in `bytes`; for readers that report `serde_json` errors themselves.
pub fn find_duplicate_keys(bytes: &[u8]) -> Result<(), serde_json::Error> {
    // Text checked as UTF-8 once, in bulk, is not checked again string by string.
    match std::str::from_utf8(bytes) {
        Ok(text) => check_unique_keys(serde_json::Deserializer::from_str(text)),
        // The parser then reports where the text stops being UTF-8.
        Err(_) => check_unique_keys(serde_json::Deserializer::from_slice(bytes)),
    }
}

fn check_unique_keys<'de, R: serde_json::de::Read<'de>>(
    mut deserializer: serde_json::Deserializer<R>,
) -> Result<(), serde_json::Error> {
    serde::de::DeserializeSeed::deserialize(UniqueKeys::new(&mut Vec::new()), &mut deserializer)?;
    deserializer.end()
}

/// As [`find_duplicate_keys`], for a sequence of JSON values (JSON Lines).
pub fn find_duplicate_keys_in_stream(bytes: &[u8]) -> Result<(), serde_json::Error> {
    /// One value of the stream, checked.
    struct Checked;
    impl<'de> serde::Deserialize<'de> for Checked {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            serde::de::DeserializeSeed::deserialize(UniqueKeys::new(&mut Vec::new()), deserializer)
                .map(|()| Checked)
        }
    }
    for value in serde_json::Deserializer::from_slice(bytes).into_iter::<Checked>() {
        value?;
    }
    Ok(())
}

/// Checks one JSON value for repeated object keys (at any depth), validating it as
/// `serde_json` reads it (syntax, numbers, UTF-8) and building nothing.
///
/// The keys of the objects being read live on one stack shared by the whole pass (`keys`):
/// an object's keys are pushed as they come and popped when it ends, so checking a document
/// allocates nothing per object. A handful of keys are compared in a line; an object with
/// many keys is checked against a set.
#[derive(Debug)]
pub struct UniqueKeys<'k, 'de> {
    keys: &'k mut Vec<std::borrow::Cow<'de, str>>,
}

impl<'k, 'de> UniqueKeys<'k, 'de> {
    /// A check that keeps its keys on `keys` (empty, or the stack of an enclosing check).
    pub fn new(keys: &'k mut Vec<std::borrow::Cow<'de, str>>) -> Self {
        UniqueKeys { keys }
    }
}

/// Objects with more keys than this are checked against a hash set.
const FEW_KEYS: usize = 16;

impl<'de> serde::de::DeserializeSeed<'de> for UniqueKeys<'_, 'de> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// The `Visitor` methods of a check that accepts every scalar (`serde_json` has checked it as
/// it read it) and looks only into arrays and objects.
macro_rules! accept_scalars {
    () => {
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
    };
}
pub(crate) use accept_scalars;

impl<'de> serde::de::Visitor<'de> for UniqueKeys<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    accept_scalars!();

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(UniqueKeys::new(self.keys))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = ObjectKeys::start(self.keys);
        while let Some(key) = map.next_key::<Key<'de>>()? {
            seen.insert(key.0)?;
            map.next_value_seed(UniqueKeys::new(seen.stack()))?;
        }
        seen.end();
        Ok(())
    }
}

/// An object key, borrowed from the text when it has no escapes (serde's own `Cow<str>`
/// always copies).
pub(crate) struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Key<'de> {
    /// The key.
    pub(crate) fn into_inner(self) -> std::borrow::Cow<'de, str> {
        self.0
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The keys of one object being read, on top of the shared stack.
pub(crate) struct ObjectKeys<'k, 'de> {
    stack: &'k mut Vec<std::borrow::Cow<'de, str>>,
    /// Where this object's keys start on `stack`.
    start: usize,
    /// This object's keys once there are more than [`FEW_KEYS`].
    many: std::collections::HashSet<std::borrow::Cow<'de, str>>,
}

impl<'k, 'de> ObjectKeys<'k, 'de> {
    /// Starts an object's keys on top of `stack`.
    pub(crate) fn start(stack: &'k mut Vec<std::borrow::Cow<'de, str>>) -> Self {
        let start = stack.len();
        ObjectKeys {
            stack,
            start,
            many: std::collections::HashSet::new(),
        }
    }

    /// Adds `key`; an error naming it if the object has it already.
    pub(crate) fn insert<E: serde::de::Error>(
        &mut self,
        key: std::borrow::Cow<'de, str>,
    ) -> Result<(), E> {
        let repeated = if self.many.is_empty() && self.stack.len() - self.start < FEW_KEYS {
            self.stack[self.start..]
                .iter()
                .any(|seen| same_key(seen, &key))
        } else {
            if self.many.is_empty() {
                self.many.extend(self.stack[self.start..].iter().cloned());
            }
            self.many.contains(&key)
        };
        if repeated {
            return Err(E::custom(format!("duplicate key `{key}` in an object")));
        }
        if self.many.is_empty() {
            self.stack.push(key);
        } else {
            self.many.insert(key);
        }
        Ok(())
    }

    /// The shared stack, for the checks of the object's values (which leave it as they
    /// found it).
    pub(crate) fn stack(&mut self) -> &mut Vec<std::borrow::Cow<'de, str>> {
        self.stack
    }

    /// Pops the object's keys.
    pub(crate) fn end(self) {
        self.stack.truncate(self.start);
    }
}

/// `a == b`, with the first and last bytes compared before the rest: an object's keys
/// are short and often of one length (`name`, `type`, `purl`), and a call to compare
/// each pair in full was most of the time of checking a document's keys.
fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.first() == b.first() && a.last() == b.last() && a == b
}

/// serde_json appends " at line L column C"; we report the position separately.
fn strip_position(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(index) => &message[..index],
        None => message,
    };
    clarify_json_message(message)
}

/// serde_json's messages, made plain where they mislead: a lone UTF-16 surrogate escape
/// (`"\ud800"`) is reported as "unexpected end of hex escape" (issue #12).
pub fn clarify_json_message(message: &str) -> String {
    const LONE: &str = "a lone UTF-16 surrogate escape: `\\ud800`–`\\udfff` must come in pairs (high then low) and cannot stand for a character alone";
    message
        .replace("unexpected end of hex escape", LONE)
        .replace("lone leading surrogate in hex escape", LONE)
}

/// serde-saphyr's message without its own location prefix (the caller renders the location).
pub fn syntax_message(err: &serde_saphyr::Error) -> String {
    let text = err.to_string();
    let first = text.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    match first.find(": ") {
        Some(index) if first.starts_with("line ") => first[index + 2..].to_owned(),
        _ => first.to_owned(),
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

    /// Regression for issue #12 point 5: duplicate keys in JSON were last-wins.
    #[test]
    fn duplicate_json_keys_are_refused_at_their_place() {
        let err = parse_document(
            Path::new("i.json"),
            b"{\"a\": {\"kind\": \"Pod\",\n \"kind\": \"Job\"}}",
            &Limits::default(),
        );
        match err {
            Err(DocumentError::Syntax { line, message, .. }) => {
                assert_eq!(line, 2);
                assert!(message.contains("duplicate key `kind`"), "{message}");
            }
            other => panic!("expected a duplicate-key error, got {other:?}"),
        }
        // The same key in sibling objects, and escaped spellings of other keys, are fine.
        let ok = parse_document(
            Path::new("i.json"),
            br#"[{"a": 1}, {"a": 2, "\u0062": 3, "b\n": 4}]"#,
            &Limits::default(),
        );
        assert!(ok.is_ok(), "{ok:?}");
        let escaped = parse_document(
            Path::new("i.json"),
            br#"{"b": 1, "\u0062": 2}"#,
            &Limits::default(),
        );
        assert!(
            escaped.is_err(),
            "an escaped spelling of a key is the same key"
        );
    }

    /// Regression for issue #12 point 14: a lone surrogate said "unexpected end of hex escape".
    #[test]
    fn lone_surrogates_are_named() {
        for text in [
            &br#"{"a": "\ud800"}"#[..],
            br#"{"a": "\ud800\u0041"}"#,
            br#"{"a": "x\udc00"}"#,
        ] {
            match parse_document(Path::new("s.json"), text, &Limits::default()) {
                Err(DocumentError::Syntax { message, .. }) => {
                    assert!(message.contains("lone UTF-16 surrogate"), "{message}")
                }
                other => panic!("expected an error for {text:?}, got {other:?}"),
            }
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
