//! What a stage's policies can reach of the document they evaluate, and the document cut down
//! to that.
//!
//! Evidence that `stagegate collect` writes keeps every original document verbatim under
//! `raw`: on real evidence that is most of the bytes, while the starter policies never read it.
//! When a stage's policies are loaded, [`Reach::of_policies`] reads from the Rego AST
//! ([`rego`]) and the compiled CEL expressions ([`cel`]) which parts of `input` / `evidence`
//! they can reach, down to the fields of array elements (`sbom.components[*].purl`), adds what
//! the built-in `require_evidence` checks read, and [`pruned`] parses only those parts of the
//! document for the engines.
//!
//! The analysis is conservative, and the whole document is the default: a reference to a part
//! of the document that is *used as a value* (compared, passed to any function, returned,
//! bound by unification, iterated as a whole by a function) reaches that whole part; only a
//! chain of field selections, an iteration over elements (`x[_]`, `some x in …`, CEL's
//! comprehensions) and a binding of such a part to a fresh local variable (`c := input.a[_]`,
//! read on through `c.b`) narrow it. Anything the analysis does not recognise reaches the
//! whole document. A pruned document keeps every kept object's field that a policy can name,
//! every element of an iterated array (so counts and indexes stay the same) and scalars as they
//! are: an expression that reads only what is kept gives the same result on both.
//!
//! Stagegate's own reading of the evidence (subject binding, attestation verification from
//! `raw`, waivers, the decision's recorded fields) uses the whole document; only what the
//! engines receive is pruned. `stagegate evaluate --no-prune` turns pruning off.

pub mod cel;
pub mod pruned;
pub mod rego;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value as Json;

/// The parts of a document that policies can reach: a tree of field names, with `[*]` for
/// every element of an array (or every value of an object), whose leaves are either the whole
/// subtree or only its existence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    /// The whole value at this point is reachable.
    whole: bool,
    /// Fields reachable by name, each with what is reachable below it.
    fields: BTreeMap<String, Reach>,
    /// What is reachable below every element (arrays) or every field (objects).
    any: Option<Box<Reach>>,
}

/// One step of a reference into the document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// A field named by a constant.
    Field(String),
    /// Any element or field: an iteration, or an index computed at evaluation.
    Any,
}

/// A reference into the document from its root.
pub type Path = Vec<Step>;

impl Reach {
    /// The whole document: nothing is pruned.
    pub fn whole() -> Reach {
        Reach {
            whole: true,
            ..Reach::default()
        }
    }

    /// Whether the whole document is reachable (pruning would keep everything).
    pub fn is_whole(&self) -> bool {
        self.whole
    }

    /// What the stage's policies (Rego modules, CEL expressions) and its `require_evidence`
    /// checks can reach.
    pub fn of_policies<'a>(
        rego: Option<&rego::Modules>,
        cel: impl IntoIterator<Item = cel::Expressions<'a>>,
        required: &[String],
    ) -> Reach {
        let mut reach = Reach::default();
        if let Some(modules) = rego {
            reach.merge(rego::reach(modules));
        }
        for expressions in cel {
            if reach.whole {
                break;
            }
            reach.merge(cel::reach(&expressions));
        }
        reach.merge(required_reach(required));
        reach
    }

    /// Marks `path` reached: `whole` when its value is used as a value, else only its
    /// existence (with whatever else is marked below it). Iterating over the document's own keys reaches the whole document.
    pub fn mark(&mut self, path: &[Step], whole: bool) {
        if path.first() == Some(&Step::Any) {
            *self = Reach::whole();
            return;
        }
        let mut node = self;
        for step in path {
            if node.whole {
                return;
            }
            node = match step {
                Step::Field(name) => node.fields.entry(name.clone()).or_default(),
                Step::Any => node.any.get_or_insert_with(Box::default),
            };
        }
        if whole {
            *node = Reach::whole();
        }
    }

    /// Adds everything `other` reaches.
    pub fn merge(&mut self, other: Reach) {
        if self.whole {
            return;
        }
        if other.whole {
            *self = Reach::whole();
            return;
        }
        for (name, below) in other.fields {
            self.fields.entry(name).or_default().merge(below);
        }
        if let Some(any) = other.any {
            self.any.get_or_insert_with(Box::default).merge(*any);
        }
    }

    /// What is reachable below the object field `name`, or `None` when the field is not.
    pub(crate) fn field(&self, name: &str) -> Option<Cow<'_, Reach>> {
        match (self.fields.get(name), self.any.as_deref()) {
            (Some(named), None) => Some(Cow::Borrowed(named)),
            (None, Some(any)) => Some(Cow::Borrowed(any)),
            (Some(named), Some(any)) => {
                let mut both = named.clone();
                both.merge(any.clone());
                Some(Cow::Owned(both))
            }
            (None, None) => None,
        }
    }

    /// What is reachable below every element of an array, or `None` when no element is (the
    /// array is then kept empty: no policy can tell its elements apart).
    pub(crate) fn element(&self) -> Option<&Reach> {
        self.any.as_deref()
    }

    /// `value` with only what this reaches (for a document that was parsed already).
    pub fn prune(&self, value: &Json) -> Json {
        if self.whole {
            return value.clone();
        }
        match value {
            Json::Object(map) => Json::Object(
                map.iter()
                    .filter_map(|(key, v)| self.field(key).map(|r| (key.clone(), r.prune(v))))
                    .collect(),
            ),
            Json::Array(items) => Json::Array(match self.element() {
                Some(element) => items.iter().map(|v| element.prune(v)).collect(),
                None => Vec::new(),
            }),
            scalar => scalar.clone(),
        }
    }

    fn write_paths(&self, prefix: &mut String, out: &mut Vec<String>) {
        if self.whole {
            out.push(if prefix.is_empty() {
                "<whole>".to_owned()
            } else {
                prefix.clone()
            });
            return;
        }
        if self.fields.is_empty() && self.any.is_none() && !prefix.is_empty() {
            out.push(format!("{prefix}?"));
        }
        for (name, below) in &self.fields {
            let len = prefix.len();
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(name);
            below.write_paths(prefix, out);
            prefix.truncate(len);
        }
        if let Some(any) = &self.any {
            let len = prefix.len();
            prefix.push_str("[*]");
            any.write_paths(prefix, out);
            prefix.truncate(len);
        }
    }
}

impl fmt::Display for Reach {
    /// The reached paths, comma-separated: `a.b` for a whole subtree, `a.b?` where only its
    /// existence counts, `[*]` for every element; `<whole>` for the whole document.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        self.write_paths(&mut String::new(), &mut out);
        f.write_str(&out.join(", "))
    }
}

/// What the built-in `require_evidence` checks read (see [`crate::policy::required`]).
fn required_reach(required: &[String]) -> Reach {
    let mut reach = Reach::default();
    let field = |name: &str| Step::Field(name.to_owned());
    for kind in required {
        match kind.as_str() {
            "sbom" => reach.mark(&[field("sbom"), field("components"), Step::Any], false),
            "approvals" => reach.mark(&[field("approvals"), Step::Any], false),
            "attestations" | "provenance" => {
                for name in ["verified", "predicateType"] {
                    reach.mark(&[field("attestations"), Step::Any, field(name)], true);
                }
            }
            other => reach.mark(&[field(other)], true),
        }
    }
    reach
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn path(steps: &[&str]) -> Path {
        steps
            .iter()
            .map(|s| match *s {
                "*" => Step::Any,
                name => Step::Field(name.to_owned()),
            })
            .collect()
    }

    #[test]
    fn pruning_keeps_named_fields_and_every_element() {
        let mut reach = Reach::default();
        reach.mark(&path(&["sbom", "components", "*", "purl"]), true);
        reach.mark(&path(&["subject"]), true);
        let doc = json!({
            "subject": {"name": "x"},
            "sbom": {"format": "cdx", "components": [{"purl": "p", "name": "a"}, {"name": "b"}]},
            "raw": {"0": {"big": [1, 2, 3]}},
        });
        assert_eq!(
            reach.prune(&doc),
            json!({
                "subject": {"name": "x"},
                "sbom": {"components": [{"purl": "p"}, {}]},
            })
        );
        assert_eq!(reach.to_string(), "sbom.components[*].purl, subject");
    }

    #[test]
    fn whole_wins_over_narrower_marks() {
        let mut reach = Reach::default();
        reach.mark(&path(&["a", "b"]), true);
        reach.mark(&path(&["a"]), true);
        reach.mark(&path(&["a", "c"]), false);
        assert_eq!(reach.to_string(), "a");
        reach.mark(&[], true);
        assert!(reach.is_whole());
        assert_eq!(reach.prune(&json!({"z": 1})), json!({"z": 1}));
    }

    #[test]
    fn an_object_iterated_keeps_every_key() {
        let mut reach = Reach::default();
        reach.mark(&path(&["labels", "*"]), false);
        reach.mark(&path(&["labels", "team"]), true);
        let doc = json!({"labels": {"team": {"a": 1}, "tier": {"b": 2}}});
        assert_eq!(
            reach.prune(&doc),
            json!({"labels": {"team": {"a": 1}, "tier": {}}})
        );
    }

    #[test]
    fn an_array_not_iterated_is_kept_empty_and_scalars_stay() {
        let mut reach = Reach::default();
        reach.mark(&path(&["list", "x"]), true);
        reach.mark(&path(&["n", "x"]), true);
        let doc = json!({"list": [{"x": 1}], "n": 3});
        assert_eq!(reach.prune(&doc), json!({"list": [], "n": 3}));
    }

    #[test]
    fn required_evidence_reaches_what_its_checks_read() {
        let reach = required_reach(&["sbom".into(), "provenance".into(), "tests".into()]);
        assert_eq!(
            reach.to_string(),
            "attestations[*].predicateType, attestations[*].verified, sbom.components[*]?, tests"
        );
    }
}

#[cfg(test)]
pub(crate) mod equivalence;
