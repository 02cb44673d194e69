//! Where the members of a JSON document's top-level object are, found without parsing it.
//!
//! A collected Evidence document keeps every original file verbatim under `raw`: most of its
//! bytes, read by no starter policy and by stagegate only for the attestation sources. One
//! pass over the bytes — the one that checks the nesting depth anyway ([`Limits::max_depth`])
//! — notes where each top-level member starts and ends, and the members of the objects asked
//! for (`raw`). The gate then parses its model from the other members, keeps each raw document
//! as a slice of the bytes as read, and splices verification outcomes into the document as
//! written, instead of parsing and re-encoding the whole of it.
//!
//! The scan validates nothing but the depth: an outline describes a document only once a JSON
//! parser has accepted that document whole.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use std::ops::Range;
use std::path::Path;

use crate::limits::{LimitError, Limits, skip_string, too_deep};

pub mod checked;

/// The members of a document's top-level object, in the order written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// The top-level members.
    pub members: Vec<Member>,
}

/// One member of an object: where its key and its value are in the document's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The key as written, quotes and escapes included.
    pub key: Range<usize>,
    /// The value as written, without the whitespace around it.
    pub value: Range<usize>,
    /// The members of the value, when it is an object the outline was asked to expand.
    pub members: Option<Vec<Member>>,
}

impl Member {
    /// Whether the key is written exactly as `"name"` (a key spelt with escapes is not).
    pub fn is(&self, bytes: &[u8], name: &str) -> bool {
        is_key(bytes, &self.key, name)
    }

    /// The key, unescaped.
    pub fn name(&self, bytes: &[u8]) -> Result<String, serde_json::Error> {
        serde_json::from_slice(bytes.get(self.key.clone()).unwrap_or_default())
    }
}

impl Outline {
    /// Outlines `bytes`, expanding the top-level members whose keys are written as one of
    /// `expand`. `None` when the document is not an object. Errors when it nests deeper
    /// than `limits` allow, as [`crate::limits::check_depth`] does.
    pub fn scan(
        path: &Path,
        bytes: &[u8],
        limits: &Limits,
        expand: &[&str],
    ) -> Result<Option<Outline>, LimitError> {
        let mut scan = Scan {
            bytes,
            top: Level::default(),
            inner: None,
        };
        let mut depth = 0usize;
        let mut offset = 0usize;
        let mut is_object = false;
        while let Some(&byte) = bytes.get(offset) {
            match byte {
                b'"' => {
                    let Some(end) = skip_string(bytes, offset) else {
                        break;
                    };
                    scan.string(depth, offset..end + 1);
                    offset = end;
                }
                b'{' | b'[' => {
                    if depth == 0 {
                        is_object = byte == b'{';
                    }
                    depth += 1;
                    if depth > limits.max_depth {
                        return Err(too_deep(path, bytes, offset, limits));
                    }
                    if depth == 2 && byte == b'{' && scan.top.value_starts_at(offset) {
                        let expanded = scan.top.current.as_ref().is_some_and(|(key, _)| {
                            expand.iter().any(|name| is_key(bytes, key, name))
                        });
                        if expanded {
                            scan.inner = Some(Level::default());
                        }
                    }
                }
                b'}' | b']' => {
                    match depth {
                        1 => scan.top.end_member(bytes, offset),
                        2 => {
                            if let Some(mut inner) = scan.inner.take() {
                                inner.end_member(bytes, offset);
                                scan.top.expanded = Some(inner.members);
                            }
                        }
                        _ => {}
                    }
                    depth = depth.saturating_sub(1);
                }
                b',' => match depth {
                    1 => scan.top.end_member(bytes, offset),
                    2 => {
                        if let Some(inner) = &mut scan.inner {
                            inner.end_member(bytes, offset);
                        }
                    }
                    _ => {}
                },
                // Indentation: most of a pretty-printed document's bytes outside strings.
                b' ' => {
                    offset = skip_spaces(bytes, offset);
                    continue;
                }
                _ => {}
            }
            offset += 1;
        }
        Ok(is_object.then_some(Outline {
            members: scan.top.members,
        }))
    }

    /// The top-level member whose key is written as `"name"`.
    pub fn member(&self, bytes: &[u8], name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.is(bytes, name))
    }
}

/// Whether `key` (a range of `bytes`) is written exactly as `"name"`.
fn is_key(bytes: &[u8], key: &Range<usize>, name: &str) -> bool {
    let key = bytes.get(key.clone()).unwrap_or_default();
    key.len() == name.len() + 2 && key.get(1..key.len() - 1) == Some(name.as_bytes())
}

/// The scan's state: the top-level object, and the expanded object being read, if any.
struct Scan<'b> {
    bytes: &'b [u8],
    top: Level,
    inner: Option<Level>,
}

impl Scan<'_> {
    /// A string at `depth`: a key when a `:` follows it in the object being outlined.
    fn string(&mut self, depth: usize, range: Range<usize>) {
        let level = match (depth, &mut self.inner) {
            (1, _) => &mut self.top,
            (2, Some(inner)) => inner,
            _ => return,
        };
        let after = skip_whitespace(self.bytes, range.end);
        if self.bytes.get(after) == Some(&b':') {
            let value = skip_whitespace(self.bytes, after + 1);
            level.current = Some((range, value));
        }
    }
}

/// The members of one object, and the member being read.
#[derive(Default)]
struct Level {
    members: Vec<Member>,
    /// The key of the member being read, and where its value starts.
    current: Option<(Range<usize>, usize)>,
    /// The members of the current member's value, once that expanded object is read.
    expanded: Option<Vec<Member>>,
}

impl Level {
    fn value_starts_at(&self, offset: usize) -> bool {
        self.current
            .as_ref()
            .is_some_and(|(_, start)| *start == offset)
    }

    /// Ends the current member at the `,` or `}` at `delimiter`.
    fn end_member(&mut self, bytes: &[u8], delimiter: usize) {
        let members = self.expanded.take();
        if let Some((key, start)) = self.current.take() {
            let mut end = delimiter;
            while end > start && bytes.get(end - 1).is_some_and(|b| is_whitespace(*b)) {
                end -= 1;
            }
            self.members.push(Member {
                key,
                value: start..end,
                members,
            });
        }
    }
}

fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// The offset of the first byte from `offset` on that is not a space, eight at a time.
fn skip_spaces(bytes: &[u8], mut offset: usize) -> usize {
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    while let Some(eight) = bytes.get(offset..offset + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(eight);
        if u64::from_ne_bytes(word) != SPACES {
            break;
        }
        offset += 8;
    }
    while bytes.get(offset) == Some(&b' ') {
        offset += 1;
    }
    offset
}

fn skip_whitespace(bytes: &[u8], mut offset: usize) -> usize {
    while bytes.get(offset).is_some_and(|b| is_whitespace(*b)) {
        offset += 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` outlined by the scan, expanding `raw`.
    pub(super) fn outline(text: &str) -> Option<Outline> {
        Outline::scan(
            Path::new("x.json"),
            text.as_bytes(),
            &Limits::default(),
            &["raw"],
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn text<'a>(doc: &'a str, range: &Range<usize>) -> &'a str {
        doc.get(range.clone()).unwrap_or("<out of range>")
    }

    #[test]
    fn members_and_the_expanded_object() {
        let doc = r#" {"a" : [1, {"x": "}"}] , "k\"ey": "v,{" ,
            "raw": { "0": {"deep": [1, 2]}, "1" : "text" },"n":-1.5e3}  "#;
        let Some(outline) = outline(doc) else {
            panic!("an object")
        };
        let seen: Vec<(&str, &str)> = outline
            .members
            .iter()
            .map(|m| (text(doc, &m.key), text(doc, &m.value)))
            .collect();
        assert_eq!(
            seen,
            [
                (r#""a""#, r#"[1, {"x": "}"}]"#),
                (r#""k\"ey""#, r#""v,{""#),
                (r#""raw""#, r#"{ "0": {"deep": [1, 2]}, "1" : "text" }"#),
                (r#""n""#, "-1.5e3"),
            ]
        );
        let raw = outline
            .member(doc.as_bytes(), "raw")
            .and_then(|m| m.members.as_ref());
        let inner: Vec<(&str, &str)> = raw
            .into_iter()
            .flatten()
            .map(|m| (text(doc, &m.key), text(doc, &m.value)))
            .collect();
        assert_eq!(
            inner,
            [(r#""0""#, r#"{"deep": [1, 2]}"#), (r#""1""#, r#""text""#)]
        );
        assert_eq!(
            outline.members.first().map(|m| m.members.is_some()),
            Some(false)
        );
        assert_eq!(
            outline.members.get(1).map(|m| m.name(doc.as_bytes()).ok()),
            Some(Some("k\"ey".to_owned()))
        );
    }

    #[test]
    fn empty_objects_and_other_documents() {
        assert_eq!(outline("{}").map(|o| o.members.len()), Some(0));
        let doc = r#"{"raw": {}, "b": {}}"#;
        let Some(outline_) = outline(doc) else {
            panic!("an object")
        };
        assert_eq!(outline_.members.len(), 2);
        assert_eq!(
            outline_
                .member(doc.as_bytes(), "raw")
                .and_then(|m| m.members.clone()),
            Some(Vec::new())
        );
        assert_eq!(
            outline_.members.get(1).and_then(|m| m.members.clone()),
            None
        );
        assert_eq!(outline("[1, {\"a\": 2}]"), None);
        assert_eq!(outline("\"x\""), None);
        // A key spelt with escapes is not the key it spells.
        let doc = r#"{"r\u0061w": {"0": 1}}"#;
        assert_eq!(
            outline(doc).and_then(|o| o.members.first().map(|m| m.members.is_some())),
            Some(false)
        );
    }

    #[test]
    fn pretty_printed_documents_are_outlined_alike() {
        use serde::Serialize;
        let value = serde_json::json!({
            "a": {"b": [1, {"c": "         spaced  "}], "d": null},
            "raw": {"0": {"deep": {"deeper": [[[true]]]}}, "10": "x"},
            "z": [],
        });
        let indented = |indent: &[u8]| {
            let mut out = Vec::new();
            let formatter = serde_json::ser::PrettyFormatter::with_indent(indent);
            let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
            let _ = value.serialize(&mut serializer);
            String::from_utf8(out).unwrap_or_default()
        };
        let expected: Vec<(String, serde_json::Value)> = value
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for doc in [
            serde_json::to_string(&value).unwrap_or_default(),
            indented(b"  "),
            indented(b"           "),
            indented(b"\t"),
        ] {
            let members = |list: &[Member]| -> Vec<(String, serde_json::Value)> {
                list.iter()
                    .map(|m| {
                        let value = serde_json::from_str(text(&doc, &m.value))
                            .unwrap_or(serde_json::Value::Null);
                        (m.name(doc.as_bytes()).unwrap_or_default(), value)
                    })
                    .collect()
            };
            let Some(outline) = outline(&doc) else {
                panic!("an object: {doc}")
            };
            assert_eq!(members(&outline.members), expected, "{doc}");
            let raw = outline
                .member(doc.as_bytes(), "raw")
                .and_then(|m| m.members.clone());
            assert_eq!(raw.map(|r| members(&r).len()), Some(2), "{doc}");
        }
    }

    #[test]
    fn too_deep_is_refused() {
        let doc = format!("{{\"a\": {}{}}}", "[".repeat(200), "]".repeat(200));
        let err = Outline::scan(Path::new("x.json"), doc.as_bytes(), &Limits::default(), &[]);
        assert!(matches!(err, Err(LimitError::TooDeep { .. })), "{err:?}");
    }
}
