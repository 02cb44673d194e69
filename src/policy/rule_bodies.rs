//! Findings traced to the rule body that produced them.
//!
//! conftest policies often define one rule name in several bodies, across files
//! (`deny contains msg if …` in `deny.rego` and in `labels.rego`). regorus evaluates the name
//! as one rule, so every finding would point at the first body. For a gate, each body of a
//! partial-set rule (`deny contains …`, v0 `deny[msg]`) with more than one body is renamed in
//! place (`deny` → `deny__sg_body1`, the head's name only, so lines stay), evaluated as its
//! own rule with its own file, line and METADATA, and the original name is rebuilt as the union
//! of the bodies in a module of its own, so that other rules reading `deny` see what they saw.
//! Only the gate's engine is rewritten; tests and error messages elsewhere see the source.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "capacity and width sums of lengths already in memory"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::policy::files::PolicyFile;
use crate::policy::rule_heads::{HeadKind, module_heads, rule_kind};

/// A head's module index and the byte range of its name.
type Span = (usize, usize, usize);

/// The mark between a rule's name and its body number.
pub(crate) const BODY_MARK: &str = "__sg_body";

/// The display name of the module that rebuilds the original rules.
pub(crate) const UNION_MODULE: &str = "<stagegate: rule bodies>";

/// The name a renamed body stands for (`deny__sg_body1` → `deny`).
pub(crate) fn original_name(name: &str) -> &str {
    name.split_once(BODY_MARK).map_or(name, |(base, _)| base)
}

/// When a gate rule has several set bodies, the sources with every body renamed and one more
/// module (last) with the unions; `None` when no rule needs it.
pub(crate) fn split_bodies(
    engine: &mut regorus::Engine,
    files: &[(PolicyFile, Arc<str>)],
) -> Option<Vec<(PolicyFile, Arc<str>)>> {
    let modules = module_heads(engine);
    // (package, name) → every (module index, start, end) of a set head.
    let mut bodies: BTreeMap<(String, String), Vec<Span>> = BTreeMap::new();
    for (index, module) in modules.iter().enumerate() {
        for head in &module.heads {
            if head.kind == HeadKind::Set && rule_kind(&head.name).is_some() {
                bodies
                    .entry((module.package.clone(), head.name.clone()))
                    .or_default()
                    .push((index, head.start, head.end));
            }
        }
    }
    bodies.retain(|_, list| list.len() > 1);
    if bodies.is_empty() {
        return None;
    }
    let mut edits: Vec<Vec<(usize, usize, String)>> = vec![Vec::new(); files.len()];
    let mut union = String::new();
    let packages: BTreeSet<&String> = bodies.keys().map(|(package, _)| package).collect();
    for package in packages {
        union.push_str(&format!("package {package}\n\nimport rego.v1\n\n"));
        for ((_, name), list) in bodies.iter().filter(|((p, _), _)| p == package) {
            for (number, (index, start, end)) in list.iter().enumerate() {
                let renamed = format!("{name}{BODY_MARK}{number}");
                if let Some(module_edits) = edits.get_mut(*index) {
                    module_edits.push((*start, *end, renamed.clone()));
                }
                union.push_str(&format!("{name} contains x if some x in {renamed}\n"));
            }
            union.push('\n');
        }
    }
    let mut out = Vec::with_capacity(files.len() + 1);
    for ((file, text), mut module_edits) in files.iter().zip(edits) {
        if module_edits.is_empty() {
            out.push((file.clone(), Arc::clone(text)));
            continue;
        }
        let mut text = text.to_string();
        module_edits.sort_by_key(|edit| std::cmp::Reverse(edit.0));
        for (start, end, name) in module_edits {
            if start < end
                && end <= text.len()
                && text.is_char_boundary(start)
                && text.is_char_boundary(end)
            {
                text.replace_range(start..end, &name);
            }
        }
        out.push((file.clone(), Arc::from(text)));
    }
    out.push((
        PolicyFile {
            display: UNION_MODULE.to_owned(),
            path: UNION_MODULE.into(),
        },
        Arc::from(union),
    ));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_renamed_in_place_and_rebuilt() {
        let file = |name: &str| PolicyFile {
            display: name.to_owned(),
            path: name.into(),
        };
        let a: Arc<str> = Arc::from("package main\n\ndeny contains \"a\" if true\n");
        let b: Arc<str> = Arc::from(
            "package main\n\ndeny contains msg if {\n  msg := \"b\"\n}\n\nwarn contains \"w\" if true\n",
        );
        let files = vec![(file("a.rego"), a), (file("b.rego"), b)];
        let mut engine = regorus::Engine::new();
        for (f, text) in &files {
            if engine
                .add_policy(f.display.clone(), text.to_string())
                .is_err()
            {
                engine.set_rego_v0(true);
                let _ = engine.add_policy(f.display.clone(), text.to_string());
                engine.set_rego_v0(false);
            }
        }
        let Some(split) = split_bodies(&mut engine, &files) else {
            panic!("deny has two bodies")
        };
        assert_eq!(split.len(), 3);
        assert!(split[0].1.contains("deny__sg_body0 contains \"a\""));
        assert!(split[1].1.contains("deny__sg_body1 contains msg"));
        assert!(split[1].1.contains("warn contains"), "one body: untouched");
        assert_eq!(split[0].1.lines().count(), files[0].1.lines().count());
        assert_eq!(split[2].0.display, UNION_MODULE);
        assert!(
            split[2]
                .1
                .contains("deny contains x if some x in deny__sg_body1")
        );
        assert_eq!(original_name("deny__sg_body1"), "deny");
    }
}
