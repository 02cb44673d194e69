//! The rule heads of parsed Rego modules, read straight from regorus's AST.
//!
//! The gate looks for conftest rules (`deny`, `warn_x`, …) and the test runner for `test_*`
//! rules. Both need only each module's package and its rules' names and positions; reading
//! them from the AST in place costs microseconds, where serialising the whole AST to JSON and
//! back cost several milliseconds per run.

use regorus::unstable::{Expr, Rule, RuleHead};

/// What kind of head a rule has: `deny contains msg if …` (a partial set),
/// `allow := true if …` / `test_x if …` (a complete value), `deny[k] := v if …` (a partial
/// object), a function, or a deeper reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadKind {
    /// `name contains value` (v1) or `name[value]` (v0).
    Set,
    /// `name := value`, `name = value` or `name` alone.
    Complete,
    /// `name[key] := value`, `name[key] if …` (value `true`) or `name.key := value`: one level
    /// of keys under the name.
    Object,
    /// `name(x) := value`: a function, which has no value without arguments.
    Function,
    /// A head whose reference goes deeper than one key (`name.a.b := v`,
    /// `name[a][b] := v`, `name.a contains v`).
    Nested,
}

/// One rule head, named by the first identifier of its reference.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    /// The rule's name: the first identifier of the head's reference (`deny` in
    /// `deny[k] := v`).
    pub name: String,
    /// Partial set or complete value.
    pub kind: HeadKind,
    /// 1-based line of the head.
    pub line: u32,
    /// Byte range of the name in the module's text.
    pub start: usize,
    /// End of that byte range.
    pub end: usize,
}

/// A module's package (`a.b.c`) and its rule heads, in source order.
#[derive(Debug, Clone)]
pub(crate) struct ModuleHeads {
    /// The package path without `data.`.
    pub package: String,
    /// Every rule head whose reference starts with an identifier.
    pub heads: Vec<Head>,
}

/// The package and rule heads of every module, in the order the modules were added.
pub(crate) fn module_heads(engine: &mut regorus::Engine) -> Vec<ModuleHeads> {
    engine
        .get_modules()
        .iter()
        .map(|module| ModuleHeads {
            package: ref_path(&module.package.refr).unwrap_or_default(),
            heads: module
                .policy
                .iter()
                .filter_map(|rule| match rule.as_ref() {
                    Rule::Spec { head, .. } => plain_head(head),
                    Rule::Default { .. } => None,
                })
                .collect(),
        })
        .collect()
}

fn plain_head(head: &RuleHead) -> Option<Head> {
    let (refr, kind) = match head {
        RuleHead::Set { refr, .. } => (refr, HeadKind::Set),
        RuleHead::Compr { refr, .. } => (refr, HeadKind::Complete),
        RuleHead::Func { refr, .. } => (refr, HeadKind::Function),
    };
    let (root, depth) = root_var(refr)?;
    let kind = match (kind, depth) {
        (HeadKind::Function, _) => HeadKind::Function,
        (kind, 0) => kind,
        (HeadKind::Complete, 1) => HeadKind::Object,
        _ => HeadKind::Nested,
    };
    let Expr::Var { span, value, .. } = root else {
        return None;
    };
    Some(Head {
        name: value.as_string().ok()?.to_string(),
        kind,
        line: span.line,
        start: usize::try_from(span.start).ok()?,
        end: usize::try_from(span.end).ok()?,
    })
}

/// The identifier a reference starts with, and how many `.x` / `[x]` steps follow it.
fn root_var(expr: &Expr) -> Option<(&Expr, usize)> {
    match expr {
        Expr::Var { .. } => Some((expr, 0)),
        Expr::RefDot { refr, .. } | Expr::RefBrack { refr, .. } => {
            root_var(refr).map(|(root, depth)| (root, depth.saturating_add(1)))
        }
        _ => None,
    }
}

/// `a.b["c-d"]` from a package reference.
fn ref_path(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Var { value, .. } => Some(value.as_string().ok()?.to_string()),
        Expr::RefDot { refr, field, .. } => {
            Some(format!("{}.{}", ref_path(refr)?, field.1.as_string().ok()?))
        }
        Expr::RefBrack { refr, index, .. } => match index.as_ref() {
            Expr::String { value, .. } | Expr::RawString { value, .. } => Some(format!(
                "{}[\"{}\"]",
                ref_path(refr)?,
                value.as_string().ok()?
            )),
            _ => None,
        },
        _ => None,
    }
}

/// The kind of result a rule name stands for, or `None` for other rules.
pub fn rule_kind(name: &str) -> Option<bool> {
    let (prefix, warning) = if let Some(rest) = name.strip_prefix("warn") {
        (rest, true)
    } else if let Some(rest) = name.strip_prefix("deny") {
        (rest, false)
    } else if let Some(rest) = name.strip_prefix("violation") {
        (rest, false)
    } else {
        return None;
    };
    let suffix_ok = prefix.is_empty()
        || prefix.strip_prefix('_').is_some_and(|s| {
            !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    suffix_ok.then_some(warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_and_packages_come_from_the_ast() {
        let mut engine = regorus::Engine::new();
        engine
            .add_policy(
                "a.rego".into(),
                "package a.b[\"c-d\"]\n\ndeny contains \"x\" if true\n\ntest_one if true\n\nf(x) := x\n\ndefault allow := false\n\nv[k] := 1 if k := \"a\"\n\nw.a.b := 1\n\nw2.c contains 1\n".into(),
            )
            .unwrap_or_default();
        let modules = module_heads(&mut engine);
        assert_eq!(modules.len(), 1);
        assert_eq!(modules[0].package, "a.b[\"c-d\"]");
        let names: Vec<(&str, HeadKind, u32)> = modules[0]
            .heads
            .iter()
            .map(|h| (h.name.as_str(), h.kind, h.line))
            .collect();
        assert_eq!(
            names,
            [
                ("deny", HeadKind::Set, 3),
                ("test_one", HeadKind::Complete, 5),
                ("f", HeadKind::Function, 7),
                ("v", HeadKind::Object, 11),
                ("w", HeadKind::Nested, 13),
                ("w2", HeadKind::Nested, 15),
            ]
        );
        assert_eq!(modules[0].heads[0].end - modules[0].heads[0].start, 4);
    }
}
