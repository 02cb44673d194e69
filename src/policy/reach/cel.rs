//! What CEL expressions can reach of `evidence`, read from the `cel` crate's parsed AST.
//!
//! A selection chain `evidence.sbom.components` (with constant indexes `["x"]`, optional
//! selections `.?x`, and `has(…)`, which reads only whether a field is there) reaches that
//! path; a comprehension (`all`, `exists`, `exists_one`, `map`, `filter` are macros over one)
//! whose range is such a chain reaches every element, and its variable stands for one element,
//! so `evidence.sbom.components.all(c, has(c.purl))` reaches `sbom.components[*].purl`. A rule
//! file's `variables.NAME` stands for what its expression selects. A part used as a value —
//! an operand, a function's argument or receiver (`size()`, `in`, `startsWith()` alike), a
//! comprehension's result — is reached whole; `evidence` itself used as a value, a
//! comprehension variable named `evidence` or `variables`, or an expression kind this reading
//! does not know reaches the whole document.

use std::collections::HashMap;

use cel::Program;
use cel::common::ast::{EntryExpr, Expr, LiteralValue, operators};

use super::{Path, Reach, Step};

/// The compiled expressions of one CEL rule file: its `variables` by name, in order, and every
/// other expression (match conditions, validations, message expressions).
#[derive(Debug, Default)]
pub struct Expressions<'a> {
    /// `variables`, in the order they are evaluated.
    pub variables: Vec<(&'a str, &'a Program)>,
    /// Every other expression.
    pub others: Vec<&'a Program>,
}

/// What one CEL rule file can reach of `evidence`.
pub fn reach(expressions: &Expressions<'_>) -> Reach {
    let mut analysis = CelReach::default();
    for (name, program) in &expressions.variables {
        analysis.expression(program.expression(), Some(*name));
    }
    for program in &expressions.others {
        analysis.expression(program.expression(), None);
    }
    analysis.reach
}

#[derive(Default)]
struct CelReach {
    /// What each `variables.NAME` selects of the document.
    variables: HashMap<String, Vec<Path>>,
    /// What each comprehension variable stands for (by name, over every comprehension of the
    /// expression being read).
    locals: HashMap<String, Vec<Path>>,
    reach: Reach,
    collecting: bool,
}

impl CelReach {
    fn expression(&mut self, expr: &cel::common::ast::IdedExpr, variable: Option<&str>) {
        self.locals.clear();
        self.collecting = true;
        self.value(&expr.expr);
        self.collecting = false;
        match (variable, self.chain(&expr.expr)) {
            (Some(name), Some((paths, indexes))) => {
                self.mark(&paths, false);
                for index in indexes {
                    self.value(index);
                }
                self.variables.insert(name.to_owned(), paths);
            }
            _ => self.value(&expr.expr),
        }
    }

    fn mark(&mut self, paths: &[Path], whole: bool) {
        if !self.collecting {
            for path in paths {
                self.reach.mark(path, whole);
            }
        }
    }

    fn whole_document(&mut self) {
        self.reach.mark(&[], true);
    }

    fn chain<'e>(&self, expr: &'e Expr) -> Option<(Vec<Path>, Vec<&'e Expr>)> {
        match expr {
            Expr::Ident(name) if name == "evidence" => Some((vec![Vec::new()], Vec::new())),
            Expr::Ident(name) => self.locals.get(name).map(|p| (p.clone(), Vec::new())),
            Expr::Select(select) if !select.test => {
                if let Expr::Ident(root) = &select.operand.expr
                    && root == "variables"
                {
                    return self
                        .variables
                        .get(&select.field)
                        .map(|p| (p.clone(), Vec::new()));
                }
                let (paths, indexes) = self.chain(&select.operand.expr)?;
                Some((with_step(paths, Step::Field(select.field.clone())), indexes))
            }
            Expr::Call(call)
                if call.target.is_none()
                    && matches!(
                        call.func_name.as_str(),
                        operators::INDEX | operators::OPT_INDEX | operators::OPT_SELECT
                    ) =>
            {
                let [operand, key] = call.args.as_slice() else {
                    return None;
                };
                let (paths, mut indexes) = self.chain(&operand.expr)?;
                let step = match &key.expr {
                    Expr::Literal(LiteralValue::String(name)) => {
                        Step::Field(name.inner().to_owned())
                    }
                    other => {
                        indexes.push(other);
                        Step::Any
                    }
                };
                Some((with_step(paths, step), indexes))
            }
            _ => None,
        }
    }

    /// An expression whose value is used.
    fn value(&mut self, expr: &Expr) {
        if let Some((paths, indexes)) = self.chain(expr) {
            self.mark(&paths, true);
            for index in indexes {
                self.value(index);
            }
            return;
        }
        match expr {
            Expr::Literal(_) => {}
            Expr::Ident(name) => {
                if name == "variables" {
                    // Every variable's value, whatever it selected.
                    let all: Vec<Path> = self.variables.values().flatten().cloned().collect();
                    self.mark(&all, true);
                }
            }
            // A variable whose value is not a part of the document: what its expression
            // reads was marked when it was read.
            Expr::Select(select) if matches!(&select.operand.expr, Expr::Ident(root) if root == "variables") =>
                {}
            Expr::Select(select) => {
                // `has(x.f)` reads whether `f` is there, not its value.
                match self.chain(&select.operand.expr) {
                    Some((paths, indexes)) if select.test => {
                        let fields = with_step(paths, Step::Field(select.field.clone()));
                        self.mark(&fields, false);
                        for index in indexes {
                            self.value(index);
                        }
                    }
                    _ => self.value(&select.operand.expr),
                }
            }
            Expr::Call(call) => {
                if let Some(target) = &call.target {
                    self.value(&target.expr);
                }
                for arg in &call.args {
                    self.value(&arg.expr);
                }
            }
            Expr::Comprehension(compr) => {
                for name in std::iter::once(&compr.iter_var).chain(compr.iter_var2.iter()) {
                    if name == "evidence" || name == "variables" {
                        self.whole_document();
                    }
                }
                match self.chain(&compr.iter_range.expr) {
                    Some((paths, indexes)) => {
                        let elements = with_step(paths, Step::Any);
                        self.mark(&elements, false);
                        // One variable: the element (a list's) or the key (a map's, which then
                        // keeps every key); two: the index or key, then the value.
                        let element = compr.iter_var2.as_ref().unwrap_or(&compr.iter_var);
                        self.alias(element, elements);
                        for index in indexes {
                            self.value(index);
                        }
                    }
                    None => self.value(&compr.iter_range.expr),
                }
                self.value(&compr.accu_init.expr);
                self.value(&compr.loop_cond.expr);
                self.value(&compr.loop_step.expr);
                self.value(&compr.result.expr);
            }
            Expr::List(list) => {
                for element in &list.elements {
                    self.value(&element.expr);
                }
            }
            Expr::Map(map) => self.entries(&map.entries),
            Expr::Struct(object) => self.entries(&object.entries),
            Expr::Unspecified => self.whole_document(),
        }
    }

    fn entries(&mut self, entries: &[cel::common::ast::IdedEntryExpr]) {
        for entry in entries {
            match &entry.expr {
                EntryExpr::StructField(field) => self.value(&field.value.expr),
                EntryExpr::MapEntry(entry) => {
                    self.value(&entry.key.expr);
                    self.value(&entry.value.expr);
                }
            }
        }
    }

    fn alias(&mut self, name: &str, paths: Vec<Path>) {
        if !self.collecting {
            return;
        }
        let known = self.locals.entry(name.to_owned()).or_default();
        for path in paths {
            if !known.contains(&path) {
                known.push(path);
            }
        }
    }
}

fn with_step(paths: Vec<Path>, step: Step) -> Vec<Path> {
    paths
        .into_iter()
        .map(|mut path| {
            path.push(step.clone());
            path
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(source: &str) -> Program {
        Program::compile(source).unwrap_or_else(|e| panic!("{source}: {e}"))
    }

    fn reach_of(variables: &[(&str, &str)], others: &[&str]) -> String {
        let variables: Vec<(&str, Program)> = variables
            .iter()
            .map(|(name, source)| (*name, compile(source)))
            .collect();
        let others: Vec<Program> = others.iter().map(|s| compile(s)).collect();
        let expressions = Expressions {
            variables: variables.iter().map(|(n, p)| (*n, p)).collect(),
            others: others.iter().collect(),
        };
        reach(&expressions).to_string()
    }

    #[test]
    fn selections_comprehensions_and_variables_narrow() {
        assert_eq!(
            reach_of(
                &[
                    ("components", "evidence.sbom.components"),
                    (
                        "fixable",
                        "evidence.vulnerabilities.filter(v, size(v.fixedIn) > 0)"
                    ),
                ],
                &[
                    "variables.components.all(c, has(c.purl) && c.purl.startsWith('pkg:'))",
                    "size(variables.fixable) == 0 && has(variables.components)",
                    "evidence.tests.failed == 0 && evidence['subject'].name != ''",
                ],
            ),
            "sbom.components[*].purl, subject.name, tests.failed, vulnerabilities[*]"
        );
    }

    #[test]
    fn evidence_as_a_value_is_the_whole_document() {
        for source in [
            "size(evidence) > 0",
            "evidence == {}",
            "'raw' in evidence",
            "evidence.all(k, k != 'raw')",
            "[evidence][0].sbom.format == 'x'",
            "evidence.sbom.components.all(evidence, evidence.name != '')",
        ] {
            assert_eq!(reach_of(&[], &[source]), "<whole>", "{source}");
        }
        assert_eq!(
            reach_of(&[("all", "evidence")], &["variables.all.tests.failed == 0"]),
            "tests.failed"
        );
        assert_eq!(
            reach_of(&[("all", "evidence")], &["size(variables.all) > 0"]),
            "<whole>"
        );
    }

    #[test]
    fn parts_used_as_values_are_reached_whole() {
        for (source, expected) in [
            ("size(evidence.sbom.components) > 0", "sbom.components"),
            ("evidence.sbom.components.size() > 0", "sbom.components"),
            (
                "'MIT' in evidence.sbom.components[0].licenses",
                "sbom.components[*].licenses",
            ),
            ("has(evidence.tests)", "tests?"),
            (
                "evidence.sbom.components.map(c, c).size() > 0",
                "sbom.components[*]",
            ),
            ("evidence.labels[evidence.key] == 'x'", "key, labels[*]"),
        ] {
            assert_eq!(reach_of(&[], &[source]), expected, "{source}");
        }
    }
}
