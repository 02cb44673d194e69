//! `rego.metadata.chain()` and `rego.metadata.rule()`, which regorus lacks.
//!
//! Their value is static for each rule body: the METADATA annotations above it (and, for the
//! chain, those above its package). Before a module is parsed, each call (outside strings and
//! comments) is replaced in the text by a call of the same length to an extension with the
//! body's index (`rego.metadata.chain()` → `__sg_chain("0000017")`), so every line and column
//! stays where the author wrote it; the extension returns the annotations read from the
//! source. The file on disk, and so the policy digest, is unchanged.
//!
//! What differs from OPA: the chain holds the rule's entry and the package's (when annotated);
//! `document` and `subpackages` scopes and annotations spread by `scope:` are not followed.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use std::sync::Arc;

use regorus::Value;
use serde_json::{Map, Value as Json, json};

use crate::policy::files::PolicyFile;

const CHAIN_CALL: &str = "rego.metadata.chain()";
const RULE_CALL: &str = "rego.metadata.rule()";
const CHAIN_EXT: &str = "__sg_chain";
const RULE_EXT: &str = "__sg_rule";

/// Every rule body's chain, by the index written into its rewritten call.
#[derive(Debug, Default, Clone)]
pub(crate) struct MetadataTable {
    chains: Vec<Json>,
}

impl MetadataTable {
    /// Whether no call was rewritten.
    pub(crate) fn is_empty(&self) -> bool {
        self.chains.is_empty()
    }

    /// Adds the two extensions that answer the rewritten calls.
    pub(crate) fn install(&self, engine: &mut regorus::Engine) -> anyhow::Result<()> {
        let chains: Arc<Vec<Json>> = Arc::new(self.chains.clone());
        let rules = Arc::clone(&chains);
        engine.add_extension(
            CHAIN_EXT.to_owned(),
            1,
            Box::new(move |args: Vec<Value>| Ok(lookup(&chains, &args))),
        )?;
        engine.add_extension(
            RULE_EXT.to_owned(),
            1,
            Box::new(move |args: Vec<Value>| {
                let chain = lookup(&rules, &args);
                let rule = serde_json::to_value(&chain)
                    .ok()
                    .and_then(|c| c.get(0).and_then(|e| e.get("annotations")).cloned())
                    .unwrap_or_else(|| Json::Object(Map::new()));
                Ok(Value::from(rule))
            }),
        )?;
        Ok(())
    }
}

fn lookup(chains: &[Json], args: &[Value]) -> Value {
    let index = match args.first() {
        Some(Value::String(s)) => s.parse::<usize>().ok(),
        _ => None,
    };
    index
        .and_then(|i| chains.get(i))
        .map_or(Value::Undefined, |chain| Value::from(chain.clone()))
}

/// Rewrites the metadata calls of every module; returns the texts to parse and the table.
/// Modules without such calls keep their text (the same `Arc`).
pub(crate) fn rewrite_metadata_calls(
    files: &[(PolicyFile, Arc<str>)],
) -> (Vec<(PolicyFile, Arc<str>)>, MetadataTable) {
    let mut table = MetadataTable::default();
    let mut out = Vec::with_capacity(files.len());
    for (file, text) in files {
        if !text.contains("rego.metadata.") {
            out.push((file.clone(), Arc::clone(text)));
            continue;
        }
        let rewritten = rewrite_module(text, &mut table);
        out.push((file.clone(), Arc::from(rewritten)));
    }
    (out, table)
}

/// Byte offsets of `needle` in code (outside comments and strings) of `text`.
fn code_occurrences(text: &str, needle: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'#' => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += if c == b'\\' { 2 } else { 1 };
                    if c == b'"' || c == b'\n' {
                        break;
                    }
                }
            }
            b'`' => {
                i += 1;
                while bytes.get(i).is_some_and(|&c| c != b'`') {
                    i += 1;
                }
                i += 1;
            }
            _ => {
                let boundary = i == 0
                    || bytes
                        .get(i - 1)
                        .is_some_and(|&c| !(c.is_ascii_alphanumeric() || c == b'_' || c == b'.'));
                if boundary
                    && bytes
                        .get(i..)
                        .is_some_and(|rest| rest.starts_with(needle.as_bytes()))
                {
                    found.push(i);
                    i += needle.len();
                } else {
                    i += 1;
                }
            }
        }
    }
    found
}

fn rewrite_module(text: &str, table: &mut MetadataTable) -> String {
    let mut calls: Vec<(usize, &str, &str)> = code_occurrences(text, CHAIN_CALL)
        .into_iter()
        .map(|at| (at, CHAIN_CALL, CHAIN_EXT))
        .chain(
            code_occurrences(text, RULE_CALL)
                .into_iter()
                .map(|at| (at, RULE_CALL, RULE_EXT)),
        )
        .collect();
    if calls.is_empty() {
        return text.to_owned();
    }
    calls.sort_unstable_by_key(|c| c.0);
    let lines: Vec<&str> = text.lines().collect();
    let (package, package_line) = package_of(&lines);
    let package_annotations = package_line.and_then(|l| annotations_above(&lines, l));
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, call, ext) in calls {
        let line = text.get(..at).map_or(0, |t| t.matches('\n').count());
        let Some((head_line, rule)) = enclosing_rule(&lines, line) else {
            continue;
        };
        let mut path: Vec<Json> = vec![Json::from("data")];
        path.extend(package.split('.').map(Json::from));
        path.push(Json::from(rule));
        let mut entry = json!({ "path": path });
        if let Some(mut annotations) = annotations_above(&lines, head_line) {
            annotations
                .entry("scope")
                .or_insert_with(|| Json::from("rule"));
            entry["annotations"] = Json::Object(annotations);
        }
        let mut chain = vec![entry];
        if let Some(mut annotations) = package_annotations.clone() {
            annotations
                .entry("scope")
                .or_insert_with(|| Json::from("package"));
            let mut path: Vec<Json> = vec![Json::from("data")];
            path.extend(package.split('.').map(Json::from));
            chain.push(json!({"path": path, "annotations": annotations}));
        }
        let index = table.chains.len();
        table.chains.push(Json::from(chain));
        // `__sg_chain("0000017")` has the length of `rego.metadata.chain()`.
        let digits = call.len() - ext.len() - 4;
        let replacement = format!("{ext}(\"{index:0digits$}\")");
        if replacement.len() != call.len() {
            continue;
        }
        out.push_str(text.get(copied..at).unwrap_or_default());
        out.push_str(&replacement);
        copied = at + call.len();
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

/// The package path and its 0-based line.
fn package_of(lines: &[&str]) -> (String, Option<usize>) {
    for (n, line) in lines.iter().enumerate() {
        if let Some(rest) = line.trim_start().strip_prefix("package ") {
            let name = rest
                .split(|c: char| c.is_whitespace() || c == '#')
                .next()
                .unwrap_or_default();
            return (name.to_owned(), Some(n));
        }
    }
    (String::new(), None)
}

/// The 0-based line and name of the rule whose body holds 0-based `line`: the nearest line at
/// or above it that starts, in column 0, with an identifier (a rule head).
fn enclosing_rule(lines: &[&str], line: usize) -> Option<(usize, String)> {
    for n in (0..=line).rev() {
        let text = lines.get(n)?;
        let first = text.chars().next();
        if !first.is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
            continue;
        }
        let mut words = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        let mut name = words.next().unwrap_or_default();
        if matches!(name, "package" | "import") {
            return None;
        }
        if name == "default" {
            name = words.find(|w| !w.is_empty()).unwrap_or_default();
        }
        return Some((n, name.to_owned()));
    }
    None
}

/// The METADATA block directly above 0-based `line`, as a JSON object.
fn annotations_above(lines: &[&str], line: usize) -> Option<Map<String, Json>> {
    let mut start = line;
    while start > 0
        && lines
            .get(start - 1)
            .is_some_and(|l| l.trim_start().starts_with('#'))
    {
        start -= 1;
    }
    let block = lines.get(start..line)?;
    let marker = block
        .iter()
        .position(|l| strip_hash(l).trim() == "METADATA")?;
    let yaml: String = block
        .iter()
        .skip(marker + 1)
        .map(|l| format!("{}\n", strip_hash(l)))
        .collect();
    match serde_saphyr::from_str::<Json>(&yaml) {
        Ok(Json::Object(map)) => Some(map),
        _ => None,
    }
}

fn strip_hash(line: &str) -> &str {
    let rest = line.trim_start().trim_start_matches('#');
    rest.strip_prefix(' ').unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = "# METADATA\n# title: Pkg\npackage a.b\n\n# METADATA\n# title: T\n# custom:\n#   short_name: x\ndeny contains r if {\n  r := rego.metadata.chain() # rego.metadata.chain()\n  s := \"rego.metadata.rule()\"\n}\n\nwarn contains r if r := rego.metadata.rule()\n";

    #[test]
    fn calls_are_replaced_in_place_and_answered() {
        let mut table = MetadataTable::default();
        let text = rewrite_module(MODULE, &mut table);
        assert_eq!(text.len(), MODULE.len());
        assert_eq!(text.lines().count(), MODULE.lines().count());
        assert!(text.contains("__sg_chain(\"0000000\") # rego.metadata.chain()"));
        assert!(text.contains("\"rego.metadata.rule()\""));
        assert!(text.contains("__sg_rule(\"0000001\")"));
        assert_eq!(table.chains.len(), 2);
        assert_eq!(
            table.chains[0][0],
            json!({"path": ["data", "a", "b", "deny"], "annotations": {"title": "T", "custom": {"short_name": "x"}, "scope": "rule"}})
        );
        assert_eq!(table.chains[0][1]["annotations"]["title"], "Pkg");
        assert_eq!(table.chains[1][0]["path"][3], "warn");

        let mut engine = regorus::Engine::new();
        let ok = table.install(&mut engine).and_then(|()| {
            engine.add_policy("a.rego".into(), text)?;
            let chain = engine.eval_rule("data.a.b.deny".into())?;
            let rule = engine.eval_rule("data.a.b.warn".into())?;
            Ok((chain, rule))
        });
        let Ok((chain, rule)) = ok else {
            panic!("evaluation failed: {ok:?}")
        };
        let chain = serde_json::to_value(&chain).unwrap_or_default();
        assert_eq!(chain[0][0]["annotations"]["custom"]["short_name"], "x");
        let rule = serde_json::to_value(&rule).unwrap_or_default();
        assert_eq!(rule, json!([{}]));
    }
}
