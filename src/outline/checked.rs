//! An Evidence document checked and outlined in one pass.
//!
//! The repeated-key check ([`crate::document::UniqueKeys`]) reads every key of the document.
//! The keys of the objects an outline describes, borrowed from the text when written without
//! escapes, say where each member starts; the document being valid JSON, where each value
//! ends follows from the next key or the object's close, past whitespace and one `,`. So the
//! outline costs no pass of its own over a document that has to be checked anyway: a
//! collected document's `raw` documents are most of its bytes, and a separate scan of them
//! took as long as the check.

use std::borrow::Cow;
use std::ops::Range;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::{Member, Outline, is_whitespace, skip_whitespace};
use crate::document::{Key, ObjectKeys, UniqueKeys, accept_scalars};

/// Checks `text` as [`crate::document::find_duplicate_keys`] does and outlines it as
/// [`Outline::scan`] would, expanding the top-level members whose keys are written as one of
/// `expand`. The outline is `None` when the document is not an object, or when a key of the
/// outlined objects is written with escapes (its place is then not known: [`Outline::scan`]
/// finds it). Nesting is bounded by `serde_json`'s own limit (127 levels), not a
/// [`crate::limits::Limits`] one.
pub fn check_and_outline(
    text: &str,
    expand: &[&str],
) -> Result<Option<Outline>, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let mut keys = Vec::new();
    let mut placed = None;
    let mut unknown = false;
    Outlining {
        keys: &mut keys,
        text,
        expand,
        placed: &mut placed,
        unknown: &mut unknown,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    if unknown {
        return Ok(None);
    }
    let Some(placed) = placed else {
        return Ok(None);
    };
    let text = text.as_bytes();
    let close = before_whitespace(text, text.len()).checked_sub(1);
    Ok(close
        .and_then(|close| members(text, &placed, close))
        .map(|members| Outline { members }))
}

/// Where a key of an outlined object is, quotes included, with the keys of its value when it
/// was expanded.
struct Placed {
    key: Range<usize>,
    members: Option<Vec<Placed>>,
}

/// The members of the object whose keys are `placed` and whose `}` is at `close`.
fn members(text: &[u8], placed: &[Placed], close: usize) -> Option<Vec<Member>> {
    let mut out = Vec::with_capacity(placed.len());
    for (index, this) in placed.iter().enumerate() {
        let key = &this.key;
        let colon = skip_whitespace(text, key.end);
        if text.get(colon) != Some(&b':') {
            return None;
        }
        let start = skip_whitespace(text, colon.checked_add(1)?);
        let end = match placed.get(index.checked_add(1)?) {
            Some(next) => {
                let comma = before_whitespace(text, next.key.start).checked_sub(1)?;
                if text.get(comma) != Some(&b',') {
                    return None;
                }
                before_whitespace(text, comma)
            }
            None => before_whitespace(text, close),
        };
        if end < start {
            return None;
        }
        let inner = match &this.members {
            Some(inner) => Some(members(text, inner, end.checked_sub(1)?)?),
            None => None,
        };
        out.push(Member {
            key: key.clone(),
            value: start..end,
            members: inner,
        });
    }
    Some(out)
}

/// The offset just past the last byte before `offset` that is not whitespace.
fn before_whitespace(text: &[u8], offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or_default();
    offset.saturating_sub(
        before
            .iter()
            .rev()
            .take_while(|b| is_whitespace(**b))
            .count(),
    )
}

/// Where `key` is in `text`, quotes included, when it is borrowed from it.
#[allow(clippy::ptr_arg, reason = "whether the key is borrowed is the point")]
fn place(text: &str, key: &Cow<'_, str>) -> Option<Range<usize>> {
    let Cow::Borrowed(key) = key else {
        return None;
    };
    let start = (key.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let end = start.checked_add(key.len())?;
    let bytes = text.as_bytes();
    let quoted = bytes.get(start.checked_sub(1)?) == Some(&b'"') && bytes.get(end) == Some(&b'"');
    quoted.then(|| start.saturating_sub(1)..end.saturating_add(1))
}

/// The check of a value, placing the keys of the object it is (if it is one) and of the
/// objects its members named in `expand` are: the top-level value, and those members'.
struct Outlining<'k, 'de, 'p> {
    keys: &'k mut Vec<Cow<'de, str>>,
    text: &'de str,
    expand: &'p [&'p str],
    /// The object's keys; `None` when the value is not an object.
    placed: &'p mut Option<Vec<Placed>>,
    /// A key's place could not be known.
    unknown: &'p mut bool,
}

impl<'de> DeserializeSeed<'de> for Outlining<'_, 'de, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Outlining<'_, 'de, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    accept_scalars!();

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        UniqueKeys::new(self.keys).visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = ObjectKeys::start(self.keys);
        let mut placed = Vec::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.into_inner();
            let place = place(self.text, &key);
            let expanded = place.is_some() && self.expand.contains(&key.as_ref());
            seen.insert(key)?;
            let mut members = None;
            if expanded {
                map.next_value_seed(Outlining {
                    keys: seen.stack(),
                    text: self.text,
                    expand: &[],
                    placed: &mut members,
                    unknown: &mut *self.unknown,
                })?;
            } else {
                map.next_value_seed(UniqueKeys::new(seen.stack()))?;
            }
            match place {
                Some(key) => placed.push(Placed { key, members }),
                None => *self.unknown = true,
            }
        }
        seen.end();
        *self.placed = Some(placed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::outline as scanned;
    use super::*;

    #[test]
    fn the_same_outline_as_the_scan() {
        for text in [
            r#" {"a" : [1, {"x": "}"}] , "k": "v,{" ,
            "raw": { "0": {"deep": [1, 2]}, "1" : "text" },"n":-1.5e3}  "#,
            "{}",
            r#"{"raw": {}}"#,
            r#"{"raw": []}"#,
            r#"{"raw": "x", "b": {}}"#,
            "{\n  \"raw\": {\n    \"0\": {\"a\": 1}\n  },\n  \"z\": null\n}\n",
            "\t{\r\n\"a\"\t:\t1\r\n}",
            r#"{"raww": {"0": 1}, "ra": {"1": 2}}"#,
            r#"{"": 1, "raw": {"": {"": []}}}"#,
        ] {
            let checked = check_and_outline(text, &["raw"]).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(checked, scanned(text), "{text}");
            assert!(checked.is_some(), "{text}");
        }
    }

    #[test]
    fn no_outline_for_other_documents_or_escaped_keys() {
        for text in [
            "[1, {}]",
            "\"raw\"",
            "1",
            r#"{"r\u0061w": {"0": 1}}"#,
            r#"{"raw": {"\u0030": 1}}"#,
        ] {
            assert_eq!(check_and_outline(text, &["raw"]).ok(), Some(None), "{text}");
        }
    }

    #[test]
    fn checks_as_the_repeated_key_check_does() {
        for text in [
            r#"{"a": 1, "a": 2}"#,
            r#"{"raw": {"0": 1, "0": 2}}"#,
            r#"{"raw": {"0": {"k": 1, "k": 1}}}"#,
            r#"{"raw": [{"k": 1, "k": 1}]}"#,
            r#"[{"k": 1, "k": 1}]"#,
            r#"{"n": 1e999}"#,
            r#"{"s": "\ud800"}"#,
            r#"{"a": 1} x"#,
            r#"{"a": 1,}"#,
        ] {
            let checked = check_and_outline(text, &["raw"])
                .map(|_| ())
                .map_err(|e| e.to_string());
            let whole =
                crate::document::find_duplicate_keys(text.as_bytes()).map_err(|e| e.to_string());
            assert!(checked.is_err(), "{text}");
            assert_eq!(checked, whole, "{text}");
        }
    }
}
