//! What Rego modules can reach of `input`, read from regorus's AST.
//!
//! Every rule (bodies, heads, `else` branches, `with` modifiers, comprehensions, functions) is
//! read. A reference `input.a.b[_].c` reaches `a.b[*].c`; a bracket with a constant string is a
//! field, any other index reaches every element. A local variable bound to a part of `input`
//! by `:=`, `some x in`, `every x in` or an `import input.…` alias stands for that part, so
//! `c := input.sbom.components[_]; c.purl` reaches `sbom.components[*].purl`. Where a part is
//! used as a value — compared, unified with `=`, passed to any function (`walk`, `json.filter`,
//! `object.get`, `count` alike), returned, put into a collection — the whole part is reached.
//! `input` itself used as a value, a local declaration named `input`, or a construct this
//! reading does not know reaches the whole document.

use std::collections::HashMap;

use regorus::unstable::{AssignOp, Expr, Literal, Module, Query, Ref, Rule, RuleHead};

use super::{Path, Reach, Step};

/// The parsed modules of a stage (as regorus holds them).
pub type Modules = Vec<Ref<Module>>;

/// Paths one variable may stand for; beyond this many the analysis gives up (whole document).
const MAX_ALIAS_PATHS: usize = 64;

/// Rounds of alias discovery (an alias bound from another); beyond them, the whole document.
const MAX_ROUNDS: usize = 16;

/// What `modules` can reach of `input`.
pub fn reach(modules: &Modules) -> Reach {
    let mut reach = Reach::default();
    for module in modules {
        let mut imported: HashMap<String, Vec<Path>> = HashMap::new();
        for import in &module.imports {
            let Some((paths, _)) = chain(&import.refr, &HashMap::new()) else {
                continue;
            };
            let name = match (&import.r#as, paths.first().and_then(|p| p.last())) {
                (Some(alias), _) => alias.text().to_owned(),
                (None, Some(Step::Field(last))) => last.clone(),
                // `import input`: the name is `input` itself.
                _ => continue,
            };
            imported.entry(name).or_default().extend(paths);
        }
        for rule in &module.policy {
            let mut analysis = RuleReach {
                aliases: imported.clone(),
                reach: Reach::default(),
                collecting: true,
                grew: false,
            };
            analysis.run(rule);
            reach.merge(analysis.reach);
            if reach.is_whole() {
                return reach;
            }
        }
    }
    reach
}

/// The reading of one rule: first the aliases (to a fixed point), then the marks.
struct RuleReach {
    aliases: HashMap<String, Vec<Path>>,
    reach: Reach,
    /// Discovering aliases (no marks) or marking (no new aliases).
    collecting: bool,
    /// An alias was added in this round.
    grew: bool,
}

impl RuleReach {
    fn run(&mut self, rule: &Rule) {
        let mut rounds = 0;
        loop {
            self.grew = false;
            self.rule(rule);
            if !self.grew {
                break;
            }
            rounds += 1;
            if rounds > MAX_ROUNDS {
                self.reach = Reach::whole();
                return;
            }
        }
        self.collecting = false;
        self.rule(rule);
    }

    fn whole_document(&mut self) {
        self.reach.mark(&[], true);
    }

    fn mark(&mut self, paths: &[Path], whole: bool) {
        if !self.collecting {
            for path in paths {
                self.reach.mark(path, whole);
            }
        }
    }

    fn alias(&mut self, name: &str, paths: Vec<Path>) {
        if !self.collecting || name == "_" {
            return;
        }
        let known = self.aliases.entry(name.to_owned()).or_default();
        for path in paths {
            if !known.contains(&path) {
                known.push(path);
                self.grew = true;
            }
        }
        if known.len() > MAX_ALIAS_PATHS {
            self.reach = Reach::whole();
        }
    }

    /// A local declaration: one named `input` would hide the document from this reading.
    fn declare(&mut self, name: &str) {
        if name == "input" {
            self.whole_document();
        }
    }

    fn rule(&mut self, rule: &Rule) {
        match rule {
            Rule::Spec { head, bodies, .. } => {
                match head {
                    RuleHead::Compr { refr, assign, .. } => {
                        self.head_ref(refr);
                        if let Some(assign) = assign {
                            self.value(&assign.value);
                        }
                    }
                    RuleHead::Set { refr, key, .. } => {
                        self.head_ref(refr);
                        if let Some(key) = key {
                            self.value(key);
                        }
                    }
                    RuleHead::Func {
                        refr, args, assign, ..
                    } => {
                        self.head_ref(refr);
                        for arg in args {
                            self.pattern(arg);
                        }
                        if let Some(assign) = assign {
                            self.value(&assign.value);
                        }
                    }
                }
                for body in bodies {
                    if let Some(assign) = &body.assign {
                        self.value(&assign.value);
                    }
                    self.query(&body.query);
                }
            }
            Rule::Default {
                refr, args, value, ..
            } => {
                self.head_ref(refr);
                for arg in args {
                    self.pattern(arg);
                }
                self.value(value);
            }
        }
    }

    /// A rule head's reference (`deny`, `a.b[k]`): its computed keys are values.
    fn head_ref(&mut self, refr: &Expr) {
        match refr {
            Expr::RefDot { refr, .. } => self.head_ref(refr),
            Expr::RefBrack { refr, index, .. } => {
                self.head_ref(refr);
                self.value(index);
            }
            Expr::Var { .. } => {}
            other => self.value(other),
        }
    }

    fn query(&mut self, query: &Query) {
        for stmt in &query.stmts {
            self.literal(&stmt.literal);
            for modifier in &stmt.with_mods {
                // `with input.a.b as v` replaces that part: keep it whole. `with input as v`
                // replaces the document, which then is not read.
                if let Some((paths, indexes)) = chain(&modifier.refr, &HashMap::new()) {
                    let replaced: Vec<Path> = paths.into_iter().filter(|p| !p.is_empty()).collect();
                    self.mark(&replaced, true);
                    for index in indexes {
                        self.value(index);
                    }
                } else {
                    self.head_ref(&modifier.refr);
                }
                self.value(&modifier.r#as);
            }
        }
    }

    fn literal(&mut self, literal: &Literal) {
        match literal {
            Literal::SomeVars { vars, .. } => {
                for var in vars {
                    self.declare(var.text());
                }
            }
            Literal::SomeIn {
                key,
                value,
                collection,
                ..
            } => {
                if let Some(key) = key {
                    self.pattern(key);
                }
                match (self.chain(collection), var_name(value)) {
                    (Some((paths, indexes)), Some(name)) => {
                        self.declare(&name);
                        let elements = with_step(paths, Step::Any);
                        self.mark(&elements, false);
                        self.alias(&name, elements);
                        for index in indexes {
                            self.value(index);
                        }
                    }
                    (Some(_), None) => {
                        // A destructuring pattern reads every element whole.
                        self.value(collection);
                        self.pattern(value);
                    }
                    (None, _) => {
                        self.value(collection);
                        self.pattern(value);
                    }
                }
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => self.value(expr),
            Literal::Every {
                key,
                value,
                domain,
                query,
                ..
            } => {
                if let Some(key) = key {
                    self.declare(key.text());
                }
                self.declare(value.text());
                match self.chain(domain) {
                    Some((paths, indexes)) => {
                        let elements = with_step(paths, Step::Any);
                        self.mark(&elements, false);
                        self.alias(value.text(), elements);
                        for index in indexes {
                            self.value(index);
                        }
                    }
                    None => self.value(domain),
                }
                self.query(query);
            }
        }
    }

    /// A declaration pattern (a function's parameters, a destructuring left-hand side).
    fn pattern(&mut self, expr: &Expr) {
        match expr {
            Expr::Var { value, .. } => {
                if let Ok(name) = value.as_string() {
                    self.declare(name);
                }
            }
            other => self.value(other),
        }
    }

    fn chain<'e>(&self, expr: &'e Expr) -> Option<(Vec<Path>, Vec<&'e Expr>)> {
        chain(expr, &self.aliases)
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
            Expr::String { .. }
            | Expr::RawString { .. }
            | Expr::Number { .. }
            | Expr::Bool { .. }
            | Expr::Null { .. }
            | Expr::Var { .. } => {}
            Expr::Array { items, .. } | Expr::Set { items, .. } => {
                for item in items {
                    self.value(item);
                }
            }
            Expr::Object { fields, .. } => {
                for (_, key, value) in fields {
                    self.value(key);
                    self.value(value);
                }
            }
            Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                self.query(query);
                self.value(term);
            }
            Expr::ObjectCompr {
                key, value, query, ..
            } => {
                self.query(query);
                self.value(key);
                self.value(value);
            }
            Expr::Call { fcn, params, .. } => {
                self.head_ref(fcn);
                for param in params {
                    self.value(param);
                }
            }
            Expr::UnaryExpr { expr, .. } => self.value(expr),
            Expr::RefDot { refr, .. } => self.value(refr),
            Expr::RefBrack { refr, index, .. } => {
                self.value(refr);
                self.value(index);
            }
            Expr::BinExpr { lhs, rhs, .. }
            | Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. } => {
                self.value(lhs);
                self.value(rhs);
            }
            Expr::AssignExpr { op, lhs, rhs, .. } => self.assign(op, lhs, rhs),
            Expr::Membership {
                key,
                value,
                collection,
                ..
            } => {
                if let Some(key) = key {
                    self.value(key);
                }
                self.value(value);
                self.value(collection);
            }
            #[allow(unreachable_patterns)]
            _ => self.whole_document(),
        }
    }

    fn assign(&mut self, op: &AssignOp, lhs: &Expr, rhs: &Expr) {
        match (op, var_name(lhs)) {
            // `x := input.a.b`: `x` stands for that part; reading on through `x` narrows it.
            (AssignOp::ColEq, Some(name)) => {
                self.declare(&name);
                match self.chain(rhs) {
                    Some((paths, indexes)) => {
                        self.mark(&paths, false);
                        self.alias(&name, paths);
                        for index in indexes {
                            self.value(index);
                        }
                    }
                    None => self.value(rhs),
                }
            }
            (AssignOp::ColEq, None) => {
                self.pattern(lhs);
                self.value(rhs);
            }
            // `=` unifies: either side may be compared with the other, so both are values.
            (AssignOp::Eq, _) => {
                self.value(lhs);
                self.value(rhs);
            }
        }
    }
}

fn var_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Var { value, .. } => value.as_string().ok().map(|s| s.to_string()),
        _ => None,
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

/// The paths into `input` that a reference chain (`input.a[k].b`, `alias.c`) stands for, and
/// the computed indexes along it (values in their own right), or `None` when `expr` is not
/// such a chain.
fn chain<'e>(
    expr: &'e Expr,
    aliases: &HashMap<String, Vec<Path>>,
) -> Option<(Vec<Path>, Vec<&'e Expr>)> {
    match expr {
        Expr::Var { value, .. } => {
            let name = value.as_string().ok()?;
            if name.as_ref() == "input" {
                Some((vec![Vec::new()], Vec::new()))
            } else {
                aliases.get(name.as_ref()).map(|p| (p.clone(), Vec::new()))
            }
        }
        Expr::RefDot { refr, field, .. } => {
            let (paths, indexes) = chain(refr, aliases)?;
            let name = field.1.as_string().ok()?.to_string();
            Some((with_step(paths, Step::Field(name)), indexes))
        }
        Expr::RefBrack { refr, index, .. } => {
            let (paths, mut indexes) = chain(refr, aliases)?;
            let step = match index.as_ref() {
                Expr::String { value, .. } | Expr::RawString { value, .. } => {
                    Step::Field(value.as_string().ok()?.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The reach of one module's text, as [`Reach`]'s display.
    pub(crate) fn reach_of(source: &str) -> String {
        let mut engine = regorus::Engine::new();
        engine
            .add_policy("test.rego".to_owned(), source.to_owned())
            .unwrap_or_else(|e| panic!("{e}"));
        let modules = engine.get_modules().clone();
        reach(&modules).to_string()
    }

    #[test]
    fn selections_and_iterations_narrow() {
        let reach = reach_of(
            r#"package p
deny contains msg if {
    some c in input.sbom.components
    not c.purl
    msg := sprintf("%s has no purl", [c.name])
}
deny contains msg if {
    v := input.vulnerabilities[_]
    v.severity == "critical"
    msg := v.id
}
warn contains input.subject.name if input.tests.failed > 0
"#,
        );
        assert_eq!(
            reach,
            "sbom.components[*].name, sbom.components[*].purl, subject.name, tests.failed, vulnerabilities[*].id, vulnerabilities[*].severity"
        );
    }

    #[test]
    fn every_and_constant_brackets_narrow() {
        let reach = reach_of(
            r#"package p
ok if {
    every a in input["attestations"] { a.verified }
}
"#,
        );
        assert_eq!(reach, "attestations[*].verified");
    }

    #[test]
    fn input_as_a_value_is_the_whole_document() {
        for body in [
            "x := walk(input)",
            "x := json.filter(input, [\"a/b\"])",
            "x := object.get(input, [\"a\", \"b\"], null)",
            "x := input; x == {}",
            "some k, _ in input; k == \"a\"",
            "x := [k | input[k]]",
            "count(input) > 0",
            "input == {}",
            "x = input",
            "x := input[k]; k",
        ] {
            let reach = reach_of(&format!("package p\nr if {{ {body} }}\n"));
            assert_eq!(reach, "<whole>", "{body}");
        }
    }

    #[test]
    fn a_part_used_as_a_value_is_reached_whole() {
        for (body, expected) in [
            ("object.get(input.sbom, \"x\", 1)", "sbom"),
            ("count(input.sbom.components) > 0", "sbom.components"),
            ("input.a.b = x", "a.b"),
            ("x := input.a; y := x; y.b", "a.b"),
            ("x := input.a; y = x; y.b", "a"),
            ("some c in input.list; c == 1", "list[*]"),
            ("some [a, b] in input.pairs; a == b", "pairs"),
            ("x := {\"k\": input.a}; x.k.b", "a"),
            ("walk(input.raw, [p, v])", "raw"),
            ("input.a[input.k]", "a[*], k"),
            ("x := input.a[i]; i == 1", "a[*]?"),
        ] {
            let reach = reach_of(&format!("package p\nr if {{ {body} }}\n"));
            assert_eq!(reach, expected, "{body}");
        }
    }

    #[test]
    fn a_local_named_input_or_an_unknown_form_gives_up() {
        assert_eq!(
            reach_of("package p\nr if { some input in [1]; input == 1 }\n"),
            "<whole>"
        );
        assert_eq!(reach_of("package p\nf(input) := 1\n"), "<whole>");
    }

    #[test]
    fn with_targets_and_imports() {
        assert_eq!(
            reach_of("package p\nimport input.sbom as s\nr if { s.components[_].name == \"x\" }\n"),
            "sbom.components[*].name"
        );
        assert_eq!(
            reach_of("package p\nq if input.a.c\nr if { q with input.a.b as 1 }\n"),
            "a.b, a.c"
        );
        // A test replacing the whole input reads nothing of the document.
        assert_eq!(
            reach_of(
                "package p\nq if input.a.c\ntest_q if { q with input as {\"a\": {\"c\": true}} }\n"
            ),
            "a.c"
        );
    }

    #[test]
    fn functions_rule_values_and_else() {
        assert_eq!(
            reach_of("package p\nf(x) := x.name\nr if f(input.sbom.components[0]) == \"a\"\n"),
            "sbom.components[*]"
        );
        assert_eq!(
            reach_of("package p\nv := input.x.y\nr := 1 if input.a else := 2 if input.b.c\n"),
            "a, b.c, x.y"
        );
    }
}
