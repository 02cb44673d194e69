//! An Evidence document as its top-level members: the bytes as read, and where each member is
//! in them ([`Outline`]).
//!
//! Collected evidence keeps every original file under `raw`, most of the bytes. The gate
//! needs those documents only as text (the attestation sources, re-verified), so the model
//! and the engines' part are read from the other members ([`Members::without_raw`]), each raw
//! document stays a slice of the bytes ([`Members::raw_documents`]), and verification
//! outcomes are spliced into the document as written ([`Members::splice`]) instead of parsing
//! and re-encoding all of it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::evidence::RawDocument;
use crate::outline::{Member, Outline};

/// The member that holds the original documents.
const RAW: &str = "raw";

/// A JSON document's bytes and the outline of its top-level object.
pub(crate) struct Members<'b> {
    bytes: &'b Arc<[u8]>,
    outline: Option<&'b Outline>,
}

impl<'b> Members<'b> {
    /// `bytes`, outlined by `outline` (`None`: not an object, or not outlined).
    pub(crate) fn new(bytes: &'b Arc<[u8]>, outline: Option<&'b Outline>) -> Self {
        Members { bytes, outline }
    }

    fn members(&self) -> &'b [Member] {
        self.outline.map_or(&[], |o| o.members.as_slice())
    }

    /// The `raw` member, when it is an object whose members were outlined.
    fn raw(&self) -> Option<&'b Member> {
        self.outline
            .and_then(|o| o.member(self.bytes, RAW))
            .filter(|m| m.members.is_some())
    }

    fn text(&self, range: &std::ops::Range<usize>) -> &'b [u8] {
        self.bytes.get(range.clone()).unwrap_or_default()
    }

    /// The document without its `raw` member, or `None` when it has none to leave out.
    /// Equal to the document for everything but `raw` once the document is valid JSON.
    pub(crate) fn without_raw(&self) -> Option<Vec<u8>> {
        let raw = self.raw()?;
        let mut out = Object::with_capacity(self.bytes.len().saturating_sub(raw.value.len()));
        for member in self.members() {
            if !std::ptr::eq(member, raw) {
                out.member(self.text(&member.key), self.text(&member.value));
            }
        }
        Some(out.end())
    }

    /// The document with only the `raw` documents `keep` names: every other member as
    /// written. `None` when `raw` was not outlined (then there is nothing to leave out).
    /// Equal to the document for everything but the raw documents left out once the
    /// document is valid JSON. Written straight into shared bytes of its length.
    pub(crate) fn keeping_raw(
        &self,
        keep: impl Fn(&str) -> bool,
    ) -> Option<Result<Arc<[u8]>, serde_json::Error>> {
        let raw = self.raw()?;
        let mut kept = Vec::new();
        for document in raw.members.as_deref().unwrap_or_default() {
            match document.name(self.bytes) {
                Ok(name) if keep(&name) => {
                    kept.push((self.text(&document.key), self.text(&document.value)));
                }
                Ok(_) => {}
                Err(err) => return Some(Err(err)),
            }
        }
        let kept = object_text(&kept);
        let members: Vec<(&[u8], &[u8])> = self
            .members()
            .iter()
            .map(|member| {
                let value = if std::ptr::eq(member, raw) {
                    &kept[..]
                } else {
                    self.text(&member.value)
                };
                (self.text(&member.key), value)
            })
            .collect();
        Some(Ok(object_text(&members)))
    }

    /// The text of the top-level member written as `"name"`, if there is one.
    pub(crate) fn member_text(&self, name: &str) -> Option<&'b [u8]> {
        let member = self.outline?.member(self.bytes, name)?;
        Some(self.text(&member.value))
    }

    /// The raw documents, each a slice of the bytes; `None` when `raw` was not outlined.
    pub(crate) fn raw_documents(
        &self,
    ) -> Option<Result<BTreeMap<String, RawDocument>, serde_json::Error>> {
        let members = self.raw()?.members.as_ref()?;
        Some(
            members
                .iter()
                .map(|member| {
                    let name = member.name(self.bytes)?;
                    let document = RawDocument::shared(self.bytes.clone(), member.value.clone());
                    Ok((name, document))
                })
                .collect(),
        )
    }

    /// The document with the top-level members in `replace` set to their new JSON text (in
    /// place, or added at the end; removed for `None`), and `raw` holding `raw` (the
    /// documents already there stay as written; the others are added). The other members
    /// are copied as written. Returns the new document and the new document without `raw`.
    pub(crate) fn splice(
        &self,
        replace: &[(&str, Option<Vec<u8>>)],
        raw: &BTreeMap<String, RawDocument>,
    ) -> Result<(Arc<[u8]>, Vec<u8>), serde_json::Error> {
        let raw_text = self.raw_text(raw)?;
        let mut whole = Object::with_capacity(self.bytes.len().saturating_add(raw_text.len()));
        let mut head = Object::with_capacity(self.bytes.len().min(1 << 20));
        let mut done = BTreeSet::new();
        let mut raw_done = false;
        for member in self.members() {
            let name = member.name(self.bytes)?;
            let key = self.text(&member.key);
            if name == RAW {
                if !raw_done && !raw_text.is_empty() {
                    whole.member(key, &raw_text);
                }
                raw_done = true;
            } else if let Some((_, value)) = replace.iter().find(|(n, _)| *n == name) {
                if done.insert(name)
                    && let Some(value) = value
                {
                    whole.member(key, value);
                    head.member(key, value);
                }
            } else {
                whole.member(key, self.text(&member.value));
                head.member(key, self.text(&member.value));
            }
        }
        for (name, value) in replace {
            if let (false, Some(value)) = (done.contains(*name), value) {
                let key = serde_json::to_vec(name)?;
                whole.member(&key, value);
                head.member(&key, value);
            }
        }
        if !raw_done && !raw_text.is_empty() {
            whole.member(b"\"raw\"", &raw_text);
        }
        Ok((whole.end_shared(), head.end()))
    }

    /// The text of the `raw` member holding `raw`: the member as written when it holds them
    /// all already, else its documents as written followed by the new ones. Empty when there
    /// is nothing to write.
    fn raw_text(&self, raw: &BTreeMap<String, RawDocument>) -> Result<Vec<u8>, serde_json::Error> {
        let Some(member) = self.raw() else {
            return if raw.is_empty() {
                Ok(Vec::new())
            } else {
                serde_json::to_vec(raw)
            };
        };
        let written = member.members.as_deref().unwrap_or_default();
        let mut names = BTreeSet::new();
        for inner in written {
            names.insert(inner.name(self.bytes)?);
        }
        let added: Vec<(&String, &RawDocument)> = raw
            .iter()
            .filter(|(name, _)| !names.contains(*name))
            .collect();
        if added.is_empty() {
            return Ok(self.text(&member.value).to_vec());
        }
        let mut out = Object::with_capacity(member.value.len().saturating_add(1024));
        for inner in written {
            out.member(self.text(&inner.key), self.text(&inner.value));
        }
        for (name, document) in added {
            out.member(&serde_json::to_vec(name)?, document.get().as_bytes());
        }
        Ok(out.end())
    }
}

/// The JSON object of `members` (each a key's and a value's text), as shared bytes
/// allocated once at their length.
fn object_text(members: &[(&[u8], &[u8])]) -> Arc<[u8]> {
    let length = members
        .iter()
        .fold(1, |sum: usize, (key, value)| {
            sum.saturating_add(key.len())
                .saturating_add(value.len())
                .saturating_add(2)
        })
        .max(2);
    let mut text = crate::limits::zeroed(length);
    let Some(out) = Arc::get_mut(&mut text) else {
        return text;
    };
    let mut at = 0usize;
    let mut put = |bytes: &[u8]| {
        let end = at.saturating_add(bytes.len());
        if let Some(place) = out.get_mut(at..end) {
            place.copy_from_slice(bytes);
        }
        at = end;
    };
    put(b"{");
    for (index, (key, value)) in members.iter().enumerate() {
        if index > 0 {
            put(b",");
        }
        put(key);
        put(b":");
        put(value);
    }
    put(b"}");
    text
}

/// A JSON object being written from members' texts.
struct Object {
    pieces: Vec<u8>,
    empty: bool,
}

impl Object {
    fn with_capacity(capacity: usize) -> Self {
        let mut pieces = Vec::with_capacity(capacity.saturating_add(2));
        pieces.push(b'{');
        Object {
            pieces,
            empty: true,
        }
    }

    fn member(&mut self, key: &[u8], value: &[u8]) {
        if !self.empty {
            self.pieces.push(b',');
        }
        self.empty = false;
        self.pieces.extend_from_slice(key);
        self.pieces.push(b':');
        self.pieces.extend_from_slice(value);
    }

    fn end(mut self) -> Vec<u8> {
        self.pieces.push(b'}');
        self.pieces
    }

    /// The object as shared bytes (one copy: the text is written before its length is known).
    fn end_shared(self) -> Arc<[u8]> {
        Arc::from(self.end())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::{Value, json};

    use super::*;
    use crate::limits::Limits;

    fn outlined(text: &str) -> (Arc<[u8]>, Option<Outline>) {
        let bytes: Arc<[u8]> = text.as_bytes().into();
        let outline = Outline::scan(Path::new("x.json"), &bytes, &Limits::default(), &[RAW])
            .unwrap_or_else(|e| panic!("{e}"));
        (bytes, outline)
    }

    fn json(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{e}: {bytes:?}"))
    }

    const DOC: &str = r#"{"apiVersion": "v1", "raw": {"0": {"a": [1, 2]}, "1": "x"},
        "sources": [{"kind": "sbom"}], "attestations": [{"v": false}], "extra": {"k": 1}}"#;

    #[test]
    fn keeping_raw_leaves_out_the_other_documents_only() {
        let (bytes, outline) = outlined(DOC);
        let members = Members::new(&bytes, outline.as_ref());
        let cut = members
            .keeping_raw(|name| name == "1")
            .map(|t| json(&t.unwrap()));
        let mut expected = json(DOC.as_bytes());
        expected["raw"] = json!({"1": "x"});
        assert_eq!(cut, Some(expected.clone()));
        expected["raw"] = json!({});
        let none = members.keeping_raw(|_| false).map(|t| json(&t.unwrap()));
        assert_eq!(none, Some(expected));
        let all = members.keeping_raw(|_| true).map(|t| json(&t.unwrap()));
        assert_eq!(all, Some(json(DOC.as_bytes())));
        assert_eq!(
            members.member_text("sources"),
            Some(&br#"[{"kind": "sbom"}]"#[..])
        );
        assert_eq!(members.member_text("nothing"), None);
        // Nothing to leave out without a `raw` object.
        let (bytes, outline) = outlined(r#"{"raw": [1], "a": 1}"#);
        assert!(
            Members::new(&bytes, outline.as_ref())
                .keeping_raw(|_| false)
                .is_none()
        );
    }

    #[test]
    fn without_raw_and_raw_documents() {
        let (bytes, outline) = outlined(DOC);
        let members = Members::new(&bytes, outline.as_ref());
        let mut expected = json(DOC.as_bytes());
        let raw = expected.as_object_mut().and_then(|o| o.remove("raw"));
        assert_eq!(members.without_raw().map(|t| json(&t)), Some(expected));
        let documents = members
            .raw_documents()
            .and_then(Result::ok)
            .unwrap_or_default();
        let texts: Vec<(&str, &str)> = documents
            .iter()
            .map(|(k, v)| (k.as_str(), v.get()))
            .collect();
        assert_eq!(texts, [("0", r#"{"a": [1, 2]}"#), ("1", r#""x""#)]);
        assert_eq!(
            serde_json::to_value(&documents).ok(),
            raw,
            "shared documents serialise as their text"
        );
        let (bytes, outline) = outlined(r#"{"a": 1}"#);
        assert_eq!(Members::new(&bytes, outline.as_ref()).without_raw(), None);
    }

    #[test]
    fn splice_replaces_in_place_adds_and_removes() {
        let (bytes, outline) = outlined(DOC);
        let members = Members::new(&bytes, outline.as_ref());
        let mut raw = members
            .raw_documents()
            .and_then(Result::ok)
            .unwrap_or_default();
        let added = serde_json::value::RawValue::from_string(r#"{"new": true}"#.to_owned());
        raw.insert(
            "2".to_owned(),
            RawDocument::new(added.unwrap_or_else(|e| panic!("{e}"))),
        );
        let replace = [
            (
                "sources",
                Some(br#"[{"kind":"sbom","sha256":"00"}]"#.to_vec()),
            ),
            ("attestations", None),
            ("approvals", Some(br#"[{"by":"me"}]"#.to_vec())),
        ];
        let (whole, head) = members
            .splice(&replace, &raw)
            .unwrap_or_else(|e| panic!("{e}"));
        let expected = json!({
            "apiVersion": "v1",
            "raw": {"0": {"a": [1, 2]}, "1": "x", "2": {"new": true}},
            "sources": [{"kind": "sbom", "sha256": "00"}],
            "extra": {"k": 1},
            "approvals": [{"by": "me"}],
        });
        assert_eq!(json(&whole), expected);
        let mut without = expected.clone();
        without.as_object_mut().map(|o| o.remove("raw"));
        assert_eq!(json(&head), without);
        // The members are where they were; the added one comes last.
        let text = String::from_utf8_lossy(&whole);
        let at = |s: &str| text.find(s).unwrap_or(usize::MAX);
        assert!(at("apiVersion") < at("\"raw\"") && at("\"raw\"") < at("sources"));
        assert!(at("extra") < at("approvals"));
        // With nothing new under `raw`, it is copied as written.
        let raw = members
            .raw_documents()
            .and_then(Result::ok)
            .unwrap_or_default();
        let (whole, _) = members.splice(&[], &raw).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&whole);
        assert!(
            text.contains(r#""raw":{"0": {"a": [1, 2]}, "1": "x"}"#),
            "{text}"
        );
        assert_eq!(json(&whole), json(DOC.as_bytes()));
    }
}
