//! Recursive Rego functions are refused at load, as OPA refuses them.
//!
//! OPA's compiler rejects any recursion (`rego_recursion_error`); regorus (0.14) detects a
//! rule that depends on itself while evaluating it, but evaluates a recursive *function*
//! call by call: `f(n) := y if { n > 0; y := f(n - 1) }` with `f(100000)` overflowed the
//! evaluation thread's stack and aborted the process (issue #12). Policies written for OPA
//! never recurse, so [`refuse_recursive_functions`] builds the graph of calls between the
//! functions of the loaded modules and refuses the first cycle, at the function's file and
//! line, before anything is evaluated.
//!
//! Calls are resolved by name: `f(x)` to a function `f` of the same package, `data.a.b.f(x)` to
//! the function `f` of package `a.b`, `x.f(x)` through the module's `import data.a.b as x` (or
//! `import data.a.b`, alias `b`) to `data.a.b.f`, and any other `lib.f(x)` to a function `f` of
//! a package whose last segment is `lib`. That last rule can join two unrelated packages that
//! share a last segment and a function name; a cycle found that way is reported like any other
//! and can be broken by renaming.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use regorus::unstable::{Rule, RuleHead};
use serde_json::Value as Json;

use crate::policy::error::{Located, PolicyError};
use crate::policy::files::PolicyFile;

/// A function of a package: `(package, name)`.
type Function = (String, String);

/// Refuses modules in which a function calls itself, directly or through other functions.
pub(crate) fn refuse_recursive_functions(
    engine: &mut regorus::Engine,
    files: &[(PolicyFile, Arc<str>)],
) -> Result<(), PolicyError> {
    // Each function's calls (by name as written, import aliases expanded to `data.…`), and
    // where it is first defined.
    let mut calls: BTreeMap<Function, (Vec<String>, String, u32)> = BTreeMap::new();
    for (module, (file, _)) in engine.get_modules().iter().zip(files) {
        let package = package_path(&module.package.refr);
        let aliases: BTreeMap<String, String> = module
            .imports
            .iter()
            .filter_map(|import| {
                let path = serde_json::to_value(&import.refr)
                    .ok()
                    .as_ref()
                    .and_then(ref_name)?;
                let path = path.strip_prefix("data.")?.to_owned();
                let alias = match &import.r#as {
                    Some(span) => span.text().to_owned(),
                    None => path.rsplit('.').next()?.to_owned(),
                };
                Some((alias, path))
            })
            .collect();
        for rule in &module.policy {
            let Rule::Spec { head, .. } = rule.as_ref() else {
                continue;
            };
            let RuleHead::Func { refr, span, .. } = head else {
                continue;
            };
            let Some(name) = serde_json::to_value(refr).ok().as_ref().and_then(ref_name) else {
                continue;
            };
            let entry = calls
                .entry((package.clone(), name))
                .or_insert_with(|| (Vec::new(), file.display.clone(), span.line));
            if let Ok(json) = serde_json::to_value(rule.as_ref()) {
                let mut names = Vec::new();
                collect_calls(&json, &mut names);
                entry
                    .0
                    .extend(names.into_iter().map(|name| match name.split_once('.') {
                        Some((first, rest)) => match aliases.get(first) {
                            Some(path) => format!("data.{path}.{rest}"),
                            None => name,
                        },
                        None => name,
                    }));
            }
        }
    }
    let functions: BTreeSet<&Function> = calls.keys().collect();
    let edges: BTreeMap<&Function, Vec<&Function>> = calls
        .iter()
        .map(|(function, (names, _, _))| {
            let targets = names
                .iter()
                .filter_map(|name| resolve(name, &function.0, &functions))
                .collect();
            (function, targets)
        })
        .collect();
    for start in calls.keys() {
        if let Some(cycle) = cycle_from(start, &edges) {
            let (_, file, line) = &calls[start];
            let path: Vec<String> = cycle
                .iter()
                .map(|(package, name)| format!("data.{package}.{name}"))
                .collect();
            return Err(PolicyError::Rego(
                Located::new(
                    Path::new(file),
                    *line,
                    1,
                    format!(
                        "function `data.{}.{}` is recursive: {}; Rego forbids recursion (as OPA does), and deep recursion would overflow the stack",
                        start.0,
                        start.1,
                        path.join(" -> ")
                    ),
                )
                .with_help("rewrite the recursion as a comprehension or `walk`"),
            ));
        }
    }
    Ok(())
}

/// The cycle through `start`, if the calls from `start` lead back to it.
fn cycle_from<'a>(
    start: &'a Function,
    edges: &BTreeMap<&'a Function, Vec<&'a Function>>,
) -> Option<Vec<&'a Function>> {
    // Depth-first, iteratively, remembering each node's predecessor.
    let mut seen: BTreeMap<&Function, &Function> = BTreeMap::new();
    let mut stack: Vec<&Function> = vec![start];
    while let Some(node) = stack.pop() {
        for &next in edges.get(node).into_iter().flatten() {
            if next == start {
                let mut path = vec![start, next];
                let mut at = node;
                let mut back = Vec::new();
                while at != start {
                    back.push(at);
                    at = seen.get(at)?;
                }
                back.reverse();
                path.splice(1..1, back);
                return Some(path);
            }
            if !seen.contains_key(next) {
                seen.insert(next, node);
                stack.push(next);
            }
        }
    }
    None
}

/// The function a call name refers to, if it is one of the loaded functions.
fn resolve<'a>(
    name: &str,
    package: &str,
    functions: &BTreeSet<&'a Function>,
) -> Option<&'a Function> {
    let find = |package: &str, function: &str| {
        functions
            .iter()
            .find(|(p, f)| p == package && f == function)
            .copied()
    };
    if let Some(path) = name.strip_prefix("data.") {
        let (package, function) = path.rsplit_once('.')?;
        return find(package, function);
    }
    match name.rsplit_once('.') {
        None => find(package, name),
        Some((prefix, function)) => {
            let last = prefix.rsplit('.').next().unwrap_or(prefix);
            functions
                .iter()
                .find(|(p, f)| f == function && (p == prefix || p.rsplit('.').next() == Some(last)))
                .copied()
        }
    }
}

/// Every called function name (`f`, `lib.f`, `data.a.f`) in a serialised AST node.
fn collect_calls(json: &Json, out: &mut Vec<String>) {
    match json {
        Json::Object(fields) => {
            if let Some(name) = fields
                .get("Call")
                .and_then(|call| call.get("fcn"))
                .and_then(ref_name)
            {
                out.push(name);
            }
            for value in fields.values() {
                collect_calls(value, out);
            }
        }
        Json::Array(items) => {
            for item in items {
                collect_calls(item, out);
            }
        }
        _ => {}
    }
}

/// `a.b.c` from a serialised `Var` / `RefDot` expression.
fn ref_name(json: &Json) -> Option<String> {
    if let Some(var) = json.get("Var") {
        return var.get("value")?.as_str().map(str::to_owned);
    }
    if let Some(dot) = json.get("RefDot") {
        let field = dot.get("field")?.get(1)?.as_str()?;
        return Some(format!("{}.{field}", ref_name(dot.get("refr")?)?));
    }
    // `data["a"].f`: a string index is a path step too.
    let brack = json.get("RefBrack")?;
    let index = brack.get("index")?;
    let field = index
        .get("String")
        .or_else(|| index.get("RawString"))?
        .get("value")?
        .as_str()?;
    Some(format!("{}.{field}", ref_name(brack.get("refr")?)?))
}

/// The package path without `data.`.
fn package_path(refr: &regorus::unstable::Ref<regorus::unstable::Expr>) -> String {
    serde_json::to_value(refr)
        .ok()
        .as_ref()
        .and_then(ref_name)
        .map(|name| {
            name.strip_prefix("data.")
                .map_or(name.clone(), str::to_owned)
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(texts: &[&str]) -> Result<(), PolicyError> {
        let mut engine = regorus::Engine::new();
        let mut files = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let name = format!("p{i}.rego");
            engine
                .add_policy(name.clone(), (*text).to_owned())
                .map_err(|e| {
                    PolicyError::Rego(Located::new(Path::new(&name), 0, 0, e.to_string()))
                })?;
            files.push((
                PolicyFile {
                    display: name.clone(),
                    path: name.into(),
                },
                Arc::from(*text),
            ));
        }
        refuse_recursive_functions(&mut engine, &files)
    }

    /// Regression for issue #12 point 8: `f(100000)` overflowed the stack (exit 134).
    #[test]
    fn recursive_functions_are_refused() {
        let direct = load(&[
            "package main\n\nf(n) := y if {\n  n > 0\n  y := f(n - 1)\n}\n\ndeny contains \"x\" if f(100000)\n",
        ]);
        match direct {
            Err(PolicyError::Rego(located)) => {
                assert_eq!(
                    (located.line, located.path.as_path()),
                    (3, Path::new("p0.rego"))
                );
                assert!(
                    located.message.contains("data.main.f -> data.main.f"),
                    "{located}"
                );
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let mutual = load(&[
            "package a\n\nimport data.b\n\nf(n) := b.g(n)\n",
            "package b\n\ng(n) := data[\"a\"].f(n)\n",
        ]);
        assert!(
            matches!(&mutual, Err(PolicyError::Rego(l)) if l.message.contains("data.a.f -> data.b.g -> data.a.f")),
            "{mutual:?}"
        );
        let aliased = load(&[
            "package a.one\n\nimport data.b.two as other\n\nf(n) := other.g(n)\n",
            "package b.two\n\ng(n) := data.a.one.f(n)\n",
        ]);
        assert!(
            matches!(&aliased, Err(PolicyError::Rego(l)) if l.message.contains("data.a.one.f -> data.b.two.g -> data.a.one.f")),
            "{aliased:?}"
        );
        let fine = load(&[
            "package a\n\nimport data.b\n\nf(n) := b.g(n) + count([1])\n",
            "package b\n\ng(n) := n * 2\n\nh(n) := g(g(n))\n",
        ]);
        assert!(fine.is_ok(), "{fine:?}");
    }
}
