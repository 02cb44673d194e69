//! Parsing only what is kept: one pass over a JSON document that skips the subtrees a
//! [`Reach`] leaves out and writes the rest, verbatim, as a smaller JSON text.
//!
//! A subtree reached whole is copied byte for byte (a borrowed `RawValue`: scanned once, not
//! built into a tree); a subtree not reached is skipped (`IgnoredAny`: scanned, nothing
//! allocated); only the objects and arrays on the way are taken apart. Each engine then parses
//! the small text with its own parser exactly as it parses a whole document (regorus's key
//! interning and number handling, the CEL conversion), so a pruned document differs from the
//! whole one only by what was left out.
//!
//! This pass checks the document's syntax as it goes, but a skipped subtree is only scanned:
//! its numbers are not range-checked nor its strings' UTF-8 validated. Those input checks of
//! the whole document (repeated keys, nesting depth, size, numbers, text), and the Verifier's
//! re-checking of the envelopes under `raw`, happen on the whole bytes before any engine sees
//! the document (`gate::input`, on a thread beside the cutting; `document::read_document`).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::Reach;
use crate::document::Key;

/// `bytes` (a JSON document) cut down to what `reach` keeps, as JSON text.
pub fn prune_text(bytes: &[u8], reach: &Reach) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(bytes.len().min(1 << 20));
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    Pruning {
        reach,
        out: &mut out,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(out)
}

/// Writes the value it is handed, cut down to `reach`, to `out`.
struct Pruning<'r, 'o> {
    reach: &'r Reach,
    out: &'o mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for Pruning<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.reach.is_whole() {
            let raw: &RawValue = serde::Deserialize::deserialize(deserializer)?;
            self.out.extend_from_slice(raw.get().as_bytes());
            Ok(())
        } else {
            deserializer.deserialize_any(self)
        }
    }
}

impl<'de> Visitor<'de> for Pruning<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.out.push(b'{');
        let mut first = true;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let name: &str = &key.into_inner();
            match self.reach.field(name) {
                Some(below) => {
                    if !first {
                        self.out.push(b',');
                    }
                    first = false;
                    write_json(self.out, name).map_err(serde::de::Error::custom)?;
                    self.out.push(b':');
                    map.next_value_seed(Pruning {
                        reach: &below,
                        out: &mut *self.out,
                    })?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        self.out.push(b'}');
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push(b'[');
        match self.reach.element() {
            Some(element) => {
                let mut first = true;
                loop {
                    let len = self.out.len();
                    if !first {
                        self.out.push(b',');
                    }
                    let seed = Pruning {
                        reach: element,
                        out: &mut *self.out,
                    };
                    if seq.next_element_seed(seed)?.is_none() {
                        self.out.truncate(len);
                        break;
                    }
                    first = false;
                }
            }
            None => while seq.next_element::<IgnoredAny>()?.is_some() {},
        }
        self.out.push(b']');
        Ok(())
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<(), E> {
        write_json(self.out, &v).map_err(E::custom)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<(), E> {
        write_json(self.out, &v).map_err(E::custom)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<(), E> {
        write_json(self.out, &v).map_err(E::custom)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<(), E> {
        write_json(self.out, &v).map_err(E::custom)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        write_json(self.out, v).map_err(E::custom)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
}

fn write_json<T: serde::Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out, value)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::policy::reach::Step;

    fn reach(paths: &[(&[&str], bool)]) -> Reach {
        let mut reach = Reach::default();
        for (steps, whole) in paths {
            let path: Vec<Step> = steps
                .iter()
                .map(|s| match *s {
                    "*" => Step::Any,
                    name => Step::Field(name.to_owned()),
                })
                .collect();
            reach.mark(&path, *whole);
        }
        reach
    }

    #[test]
    fn the_pruned_text_is_the_pruned_value() {
        let text = br#"{"subject": {"name": "a\"b", "digest": {"sha256": "00"}},
            "sbom": {"format": "cyclonedx", "components": [
                {"name": "x", "purl": "pkg:npm/x@1", "licenses": ["MIT"], "n": 1.5e3},
                {"name": "y", "licenses": [], "n": -2},
                "odd", 7, null, [1]
            ]},
            "raw": {"0": {"huge": [1, 2, {"deep": true}]}},
            "tests": {"failed": 0, "suites": [{"name": "s"}]},
            "keyed": {"a\u00e9": {"x": 1, "y": 2}, "b": {"x": 3}}}"#;
        let reach = reach(&[
            (&["subject", "name"], true),
            (&["sbom", "components", "*", "purl"], true),
            (&["sbom", "components", "*", "n"], true),
            (&["tests", "failed"], true),
            (&["tests", "suites"], false),
            (&["keyed", "*", "x"], true),
        ]);
        let whole: Value = serde_json::from_slice(text).unwrap_or_default();
        let pruned = prune_text(text, &reach).unwrap_or_default();
        let pruned: Value = serde_json::from_slice(&pruned).unwrap_or_default();
        assert_eq!(pruned, reach.prune(&whole));
        assert_eq!(
            pruned,
            json!({
                "subject": {"name": "a\"b"},
                "sbom": {"components": [
                    {"purl": "pkg:npm/x@1", "n": 1.5e3}, {"n": -2}, "odd", 7, null, []
                ]},
                "tests": {"failed": 0, "suites": []},
                "keyed": {"a\u{e9}": {"x": 1}, "b": {"x": 3}},
            })
        );
    }

    #[test]
    fn the_whole_reach_copies_the_text() {
        let text = br#" {"a": [1, 2.50, "x"]} "#;
        let pruned = prune_text(text, &Reach::whole()).unwrap_or_default();
        assert_eq!(pruned, br#"{"a": [1, 2.50, "x"]}"#);
    }

    #[test]
    fn syntax_errors_anywhere_are_errors() {
        let reach = reach(&[(&["a"], true)]);
        for text in [
            &br#"{"a": 1, "skipped": [1, }"#[..],
            br#"{"a": 1} x"#,
            br#"{"a": 1"#,
            br#"{"skipped": tru, "a": 1}"#,
        ] {
            assert!(prune_text(text, &reach).is_err(), "{text:?}");
        }
    }
}
