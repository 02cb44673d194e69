//! Rego tests: every rule named `test_*`, in any package and any file, as `opa test` runs them.
//!
//! All modules (policies and tests) are parsed once into one engine, with `data` added and
//! strict builtin errors, exactly as a gate builds it ([`crate::policy::rego_engine::new_engine`]);
//! the engine is prepared (analysed) once, then cloned by each worker thread, which takes the
//! next test from a shared counter and evaluates its rule. A rule that is `true` passes;
//! `false` or undefined fails; anything else fails with its value; an error is an error.
//!
//! Mocking is regorus's `with`: `with input as`, `with data.x as`, and function or builtin
//! replacement (`with f as g`, `with time.now_ns as 123`). With `--effective-time`,
//! `time.now_ns()` is pinned as in a gate; a `with time.now_ns as …` still wins.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use regorus::unstable::{Expr, Literal, Query, Rule, RuleHead};
use serde_json::Value as Json;

use crate::limits::{Limits, read_limited};
use crate::policy::builtins::RegoOptions;
use crate::policy::error::{Located, PolicyError};
use crate::policy::files::{PolicyFile, is_rego_test};
use crate::policy::rego_engine::{new_engine, pin_now, policy_length, time_limit};
use crate::policy::rule_heads::{HeadKind, module_heads};
use crate::testing::coverage::RegoFileCoverage;
use crate::testing::{TestEngine, TestError, TestOptions, TestResult, TestStatus};

/// One `test_*` rule.
#[derive(Debug, Clone)]
struct RegoTest {
    /// `data.<package>.<rule>`.
    path: String,
    package: String,
    name: String,
    file: String,
    line: u32,
    todo: bool,
}

/// The Rego modules of a run, parsed and prepared once, and the tests found in them.
#[derive(Debug, Clone, Default)]
pub struct RegoSuite {
    engine: Option<regorus::Engine>,
    tests: Vec<RegoTest>,
    /// For each policy (non-test) module: its display name and the lines coverage counts.
    coverable: Vec<(String, BTreeSet<u32>)>,
    /// Display names back to paths, to place errors.
    paths: BTreeMap<String, std::path::PathBuf>,
    /// Tests of the files the engine refused, by id, with the reason: each is an error.
    refusals: BTreeMap<String, String>,
}

impl RegoSuite {
    /// Reads and parses every module, prepares the engine and finds the tests.
    pub fn load(
        files: &[PolicyFile],
        data: &Json,
        limits: &Limits,
        rego: &RegoOptions,
    ) -> Result<RegoSuite, TestError> {
        if files.is_empty() {
            return Ok(RegoSuite::default());
        }
        let mut sources = Vec::with_capacity(files.len());
        for file in files {
            let bytes = read_limited(&file.path, limits).map_err(PolicyError::Input)?;
            let text = String::from_utf8(bytes).map_err(|err| {
                let offset = err.utf8_error().valid_up_to();
                PolicyError::Rego(Located::at_offset(
                    &file.path,
                    err.as_bytes(),
                    offset,
                    "the file is not valid UTF-8",
                ))
            })?;
            sources.push((file.clone(), Arc::<str>::from(text)));
        }
        let paths: BTreeMap<String, std::path::PathBuf> = files
            .iter()
            .map(|f| (f.display.clone(), f.path.clone()))
            .collect();
        // A module the engine refuses (regorus's analyzer rejects a few forms OPA accepts,
        // docs/regorus-upstream.md) is set aside: the tests in it, or for a policy module one
        // result named `<load>`, are reported as errors with the reason, and the other files
        // still run (the tests that need a refused policy fail). The run then exits 2.
        let mut refused: Vec<(Source, Located)> = Vec::new();
        let mut engine = loop {
            match prepared_engine(&mut sources, data, rego, &paths) {
                Ok(engine) => break engine,
                Err(PolicyError::Rego(located)) => {
                    let at = sources.iter().position(|(file, _)| {
                        file.path == located.path || file.display == located.path.to_string_lossy()
                    });
                    match at {
                        Some(at) if sources.len() > 1 => {
                            let source = sources.remove(at);
                            tracing::warn!(file = %source.0.display, %located, "set aside: the engine refuses this test file");
                            refused.push((source, located));
                        }
                        _ => return Err(PolicyError::Rego(located).into()),
                    }
                }
                Err(other) => return Err(other.into()),
            }
        };
        let loaded: Vec<PolicyFile> = sources.iter().map(|(file, _)| file.clone()).collect();
        let mut tests = find_tests(&mut engine, &loaded)?;
        let mut refusals = BTreeMap::new();
        for ((file, text), located) in refused {
            for mut test in tests_of_refused(&file, &text) {
                refusals.insert(
                    format!("data.{}.{}", test.package, test.name),
                    located.to_string(),
                );
                test.todo = false;
                tests.push(test);
            }
        }
        let test_files: BTreeSet<&str> = tests.iter().map(|t| t.file.as_str()).collect();
        let coverable = coverable_lines(&mut engine, &test_files);
        Ok(RegoSuite {
            engine: Some(engine),
            tests,
            coverable,
            paths,
            refusals,
        })
    }

    /// Runs the selected tests on `options.jobs` threads; returns their results and, with
    /// `--coverage`, the coverage of each policy module.
    pub fn run(
        &self,
        options: &TestOptions,
    ) -> Result<(Vec<TestResult>, Vec<RegoFileCoverage>), TestError> {
        let Some(engine) = &self.engine else {
            return Ok((Vec::new(), Vec::new()));
        };
        let selected: Vec<&RegoTest> = self
            .tests
            .iter()
            .filter(|t| options.selected(&format!("data.{}.{}", t.package, t.name)))
            .collect();
        let next = AtomicUsize::new(0);
        let jobs = options.jobs.clamp(1, selected.len().max(1));
        let now_ns = options
            .now
            .map(|now| now.timestamp_nanos_opt().unwrap_or(i64::MAX));
        let worker =
            || -> Result<(Vec<TestResult>, Vec<regorus::coverage::Report>), PolicyError> {
                let fresh = || -> Result<regorus::Engine, PolicyError> {
                    let mut engine = engine.clone();
                    if let Some(now_ns) = now_ns {
                        pin_now(&mut engine, now_ns)?;
                    }
                    engine.set_execution_timer_config(time_limit(options.timeout));
                    engine.set_enable_coverage(options.coverage);
                    Ok(engine)
                };
                let mut engine = fresh()?;
                let mut results = Vec::new();
                let mut coverage = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(test) = selected.get(index) else {
                        break;
                    };
                    let result = self.run_one(&mut engine, test);
                    // An error can leave the interpreter mid-rule (regorus then reports
                    // "recursion detected" for that rule in every later test): the next test
                    // starts from a clean copy.
                    if result.status == TestStatus::Errored {
                        if options.coverage {
                            coverage.extend(engine.get_coverage_report().ok());
                        }
                        engine = fresh()?;
                    }
                    results.push(result);
                }
                if options.coverage {
                    coverage.extend(engine.get_coverage_report().ok());
                }
                Ok((results, coverage))
            };
        let outcomes: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..jobs)
                .map(|i| {
                    std::thread::Builder::new()
                        .name(format!("stagegate-test-{i}"))
                        .stack_size(64 * 1024 * 1024)
                        .spawn_scoped(scope, worker)
                })
                .collect();
            handles
                .into_iter()
                .map(|h| match h {
                    Ok(handle) => handle.join().ok(),
                    Err(_) => None,
                })
                .collect()
        });
        let mut results = Vec::with_capacity(selected.len());
        let mut covered: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
        for outcome in outcomes {
            // A worker that could not start or panicked loses its tests: the counts below
            // would no longer add up, so it is an error, never a quiet pass.
            let Some(outcome) = outcome else {
                return Err(TestError::Policy(PolicyError::Evaluation {
                    rule: "<test runner>".to_owned(),
                    error: Located::new(Path::new("<engine>"), 0, 0, "a test worker failed"),
                }));
            };
            let (worker_results, report) = outcome?;
            results.extend(worker_results);
            for file in report.into_iter().flat_map(|r| r.files) {
                covered.entry(file.path).or_default().extend(file.covered);
            }
        }
        if results.len() != selected.len() {
            return Err(TestError::Policy(PolicyError::Evaluation {
                rule: "<test runner>".to_owned(),
                error: Located::new(Path::new("<engine>"), 0, 0, "a test worker failed"),
            }));
        }
        let coverage = if options.coverage {
            self.coverable
                .iter()
                .map(|(file, lines)| {
                    let hit = covered.get(file).cloned().unwrap_or_default();
                    RegoFileCoverage {
                        file: file.clone(),
                        covered: lines.intersection(&hit).copied().collect(),
                        not_covered: lines.difference(&hit).copied().collect(),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok((results, coverage))
    }

    fn run_one(&self, engine: &mut regorus::Engine, test: &RegoTest) -> TestResult {
        let mut result = TestResult {
            id: format!("data.{}.{}", test.package, test.name),
            engine: TestEngine::Rego,
            group: test.package.clone(),
            name: test.name.clone(),
            file: test.file.clone(),
            line: test.line,
            status: TestStatus::Skipped,
            duration: std::time::Duration::ZERO,
            message: None,
        };
        if let Some(reason) = self.refusals.get(&result.id) {
            result.status = TestStatus::Errored;
            result.message = Some(format!("the engine refuses this file: {reason}"));
            return result;
        }
        if test.todo {
            return result;
        }
        let start = Instant::now();
        let value = engine.eval_rule(test.path.clone());
        result.duration = start.elapsed();
        match value {
            Ok(regorus::Value::Bool(true)) => result.status = TestStatus::Passed,
            Ok(regorus::Value::Bool(false)) => {
                result.status = TestStatus::Failed;
                result.message = Some("the test rule is false".to_owned());
            }
            Ok(regorus::Value::Undefined) => {
                result.status = TestStatus::Failed;
                result.message = Some("the test rule is undefined".to_owned());
            }
            Ok(other) => {
                result.status = TestStatus::Failed;
                let shown = serde_json::to_string(&other).unwrap_or_default();
                result.message = Some(format!("the test rule is {shown}, not true"));
            }
            Err(err) => {
                result.status = TestStatus::Errored;
                result.message = Some(locate(&self.paths, &err).to_string());
            }
        }
        result
    }

    /// How many `test_*` rules were found (before `--run`).
    pub fn len(&self) -> usize {
        self.tests.len()
    }

    /// Whether no test rule was found.
    pub fn is_empty(&self) -> bool {
        self.tests.is_empty()
    }
}

/// An engine with every module, tests renamed apart, analysed (so that a compile error is
/// known here and workers clone a prepared engine).
fn prepared_engine(
    sources: &mut Vec<Source>,
    data: &Json,
    rego: &RegoOptions,
    paths: &BTreeMap<String, std::path::PathBuf>,
) -> Result<regorus::Engine, PolicyError> {
    let mut engine = new_engine(sources, data, rego)?;
    if let Some(renamed) = split_duplicate_tests(&mut engine, sources)? {
        *sources = renamed;
        engine = new_engine(sources, data, rego)?;
    }
    engine
        .eval_query("true".to_owned(), false)
        .map_err(|err| PolicyError::Rego(locate(paths, &err)))?;
    Ok(engine)
}

/// The `test_*` rules of a file the engine refused, read from the file alone.
fn tests_of_refused(file: &PolicyFile, text: &str) -> Vec<RegoTest> {
    let mut engine = regorus::Engine::new();
    engine.set_policy_length_config(policy_length());
    if engine
        .add_policy(file.display.clone(), text.to_owned())
        .is_err()
    {
        engine.set_rego_v0(true);
        let _ = engine.add_policy(file.display.clone(), text.to_owned());
    }
    let mut tests: Vec<RegoTest> = module_heads(&mut engine)
        .into_iter()
        .flat_map(|module| {
            let package = module.package;
            module
                .heads
                .into_iter()
                .filter(|h| h.kind == HeadKind::Complete && h.name.starts_with("test_"))
                .map(move |h| RegoTest {
                    path: format!("data.{package}.{}", h.name),
                    package: package.clone(),
                    name: h.name,
                    file: file.display.clone(),
                    line: h.line,
                    todo: false,
                })
        })
        .collect();
    if tests.is_empty() {
        tests.push(RegoTest {
            path: String::new(),
            package: file.display.clone(),
            name: "<load>".to_owned(),
            file: file.display.clone(),
            line: 1,
            todo: false,
        });
    }
    tests
}

/// Places a regorus error at the file (by display name), line and column it names.
fn locate(paths: &BTreeMap<String, std::path::PathBuf>, err: &anyhow::Error) -> Located {
    let text = err.to_string();
    let mut file = None;
    for line in text.lines() {
        if let Some(at) = line.trim_start().strip_prefix("--> ") {
            let mut parts = at.rsplitn(3, ':');
            let _ = (parts.next(), parts.next());
            file = parts.next().map(str::trim).map(str::to_owned);
        }
    }
    let path = file
        .as_deref()
        .map(|f| paths.get(f).cloned().unwrap_or_else(|| f.into()))
        .unwrap_or_else(|| "<policy>".into());
    let mut located = crate::policy::rego_engine::located_engine_error(&path, err);
    // Keep the display name the user knows rather than the resolved path.
    if let Some(display) = file
        && paths.contains_key(&display)
    {
        located.path = paths.get(&display).cloned().unwrap_or(located.path);
    }
    located
}

/// Finds the `test_*` (and `todo_test_*`) rules: complete rules without arguments.
/// A module's file and its text.
type Source = (PolicyFile, Arc<str>);

/// The suffix that marks the n-th extra definition of a test name (`test_x__stagegate_dup1`),
/// shown as OPA shows it (`test_x#01`).
const DUPLICATE_MARK: &str = "__stagegate_dup";

/// `opa test` runs each definition of a test name as its own test (`test_x`, `test_x#01`,
/// ...). regorus evaluates a name as one rule whose definitions are alternatives, so one
/// passing definition would hide a failing one. When a package defines a test name more
/// than once, this renames the second and later heads in the source (at their exact spans)
/// so that each definition is a rule of its own. Returns `None` when there are no duplicates.
fn split_duplicate_tests(
    engine: &mut regorus::Engine,
    sources: &[Source],
) -> Result<Option<Vec<Source>>, PolicyError> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut edits: Vec<Vec<(usize, usize, String)>> = vec![Vec::new(); sources.len()];
    for (index, module) in module_heads(engine).into_iter().enumerate() {
        for head in module.heads {
            let name = &head.name;
            if head.kind != HeadKind::Complete || !name.starts_with("test_") {
                continue;
            }
            let count = seen
                .entry(format!("{}.{name}", module.package))
                .or_insert(0);
            if *count > 0
                && let Some(module_edits) = edits.get_mut(index)
            {
                module_edits.push((
                    head.start,
                    head.end,
                    format!("{name}{DUPLICATE_MARK}{count}"),
                ));
            }
            *count += 1;
        }
    }
    if edits.iter().all(Vec::is_empty) {
        return Ok(None);
    }
    let mut renamed = Vec::with_capacity(sources.len());
    for ((file, text), mut module_edits) in sources.iter().zip(edits) {
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
        renamed.push((file.clone(), Arc::<str>::from(text)));
    }
    Ok(Some(renamed))
}

/// A test's name as `opa test` shows it: `test_x#01` for the second definition of `test_x`.
fn display_test_name(name: &str) -> String {
    match name.split_once(DUPLICATE_MARK) {
        Some((base, n)) => format!("{base}#{:0>2}", n),
        None => name.to_owned(),
    }
}

fn find_tests(
    engine: &mut regorus::Engine,
    files: &[PolicyFile],
) -> Result<Vec<RegoTest>, PolicyError> {
    let mut tests: Vec<RegoTest> = Vec::new();
    for (module, file) in module_heads(engine).into_iter().zip(files) {
        let package = module.package;
        for head in module.heads {
            if head.kind != HeadKind::Complete {
                continue;
            }
            let name = &head.name;
            let todo = name.starts_with("todo_test_");
            if !(name.starts_with("test_") || todo) {
                continue;
            }
            let path = format!("data.{package}.{name}");
            // Several definitions of one name are one rule (their bodies are alternatives).
            if tests.iter().any(|t| t.path == path) {
                continue;
            }
            tests.push(RegoTest {
                path,
                package: package.clone(),
                name: display_test_name(name),
                file: file.display.clone(),
                line: head.line,
                todo,
            });
        }
    }
    Ok(tests)
}

/// The lines regorus's coverage report can count in each policy module (not a `_test.rego`
/// file, and defining no test rule):
/// the same expressions `get_coverage_report` visits (rule heads' values and keys, body
/// statements, comprehension bodies). regorus leaves a module that never ran out of its
/// report altogether, so these are computed here for every module.
fn coverable_lines(
    engine: &mut regorus::Engine,
    test_files: &BTreeSet<&str>,
) -> Vec<(String, BTreeSet<u32>)> {
    let mut files = Vec::new();
    for module in engine.get_modules() {
        let file = module.package.span.source.file().clone();
        let name = file.rsplit('/').next().unwrap_or(&file);
        if is_rego_test(name) || test_files.contains(file.as_str()) {
            continue;
        }
        let mut lines = BTreeSet::new();
        for rule in &module.policy {
            match rule.as_ref() {
                Rule::Spec { head, bodies, .. } => {
                    match head {
                        RuleHead::Compr { assign, .. } | RuleHead::Func { assign, .. } => {
                            if let Some(assign) = assign {
                                lines_in_expr(&assign.value, &mut lines);
                            }
                        }
                        RuleHead::Set { key, .. } => {
                            if let Some(key) = key {
                                lines_in_expr(key, &mut lines);
                            }
                        }
                    }
                    for body in bodies {
                        lines_in_query(&body.query, &mut lines);
                    }
                }
                Rule::Default { value, .. } => lines_in_expr(value, &mut lines),
            }
        }
        lines.remove(&0);
        files.push((file, lines));
    }
    files
}

fn lines_in_query(query: &Query, lines: &mut BTreeSet<u32>) {
    for stmt in &query.stmts {
        match &stmt.literal {
            Literal::SomeVars { .. } => {}
            Literal::SomeIn {
                value, collection, ..
            } => {
                lines_in_expr(value, lines);
                lines_in_expr(collection, lines);
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => {
                lines_in_expr(expr, lines)
            }
            Literal::Every { domain, query, .. } => {
                lines_in_expr(domain, lines);
                lines_in_query(query, lines);
            }
        }
    }
}

fn lines_in_expr(expr: &Expr, lines: &mut BTreeSet<u32>) {
    match expr {
        Expr::ArrayCompr { query, .. }
        | Expr::SetCompr { query, .. }
        | Expr::ObjectCompr { query, .. } => {
            lines_in_query(query, lines);
            return;
        }
        _ => {
            lines.insert(expr.span().line);
        }
    }
    match expr {
        Expr::Array { items, .. } | Expr::Set { items, .. } => {
            for item in items {
                lines_in_expr(item, lines);
            }
        }
        Expr::Object { fields, .. } => {
            for (_, key, value) in fields {
                lines_in_expr(key, lines);
                lines_in_expr(value, lines);
            }
        }
        Expr::Call { params, .. } => {
            for param in params {
                lines_in_expr(param, lines);
            }
        }
        Expr::UnaryExpr { expr, .. } => lines_in_expr(expr, lines),
        Expr::RefDot { refr, .. } => lines_in_expr(refr, lines),
        Expr::RefBrack { refr, index, .. } => {
            lines_in_expr(refr, lines);
            lines_in_expr(index, lines);
        }
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => {
            lines_in_expr(lhs, lines);
            lines_in_expr(rhs, lines);
        }
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => {
            if let Some(key) = key {
                lines_in_expr(key, lines);
            }
            lines_in_expr(value, lines);
            lines_in_expr(collection, lines);
        }
        _ => {}
    }
}

#[cfg(test)]
mod duplicate_tests {
    use super::*;

    #[test]
    fn each_definition_of_a_test_name_runs_on_its_own() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("dup_test.rego");
        let text = "package dup\n\ntest_x if true\n\ntest_x if false\n\ntest_y if true\n";
        fs_err::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        let file = PolicyFile {
            display: "dup_test.rego".to_owned(),
            path,
        };
        let suite = RegoSuite::load(
            &[file],
            &serde_json::json!({}),
            &Limits::default(),
            &RegoOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let names: Vec<&str> = suite.tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["test_x", "test_x#01", "test_y"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestOptions;

    fn suite(files: &[(&str, &str)]) -> (tempfile::TempDir, RegoSuite) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut list = Vec::new();
        for (name, text) in files {
            let path = dir.path().join(name);
            fs_err::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
            list.push(PolicyFile {
                display: (*name).to_owned(),
                path,
            });
        }
        let suite = RegoSuite::load(
            &list,
            &serde_json::json!({}),
            &Limits::default(),
            &RegoOptions::default(),
        );
        (dir, suite.unwrap_or_else(|e| panic!("{e}")))
    }

    fn options() -> TestOptions {
        TestOptions {
            filter: None,
            coverage: true,
            threshold: None,
            now: None,
            timeout: std::time::Duration::from_secs(10),
            jobs: 2,
            data: serde_json::json!({}),
            limits: Limits::default(),
            rego: RegoOptions::default(),
        }
    }

    const POLICY: &str =
        "package p\n\ndeny contains \"x\" if {\n\tinput.bad\n}\n\nallow if {\n\tinput.good\n}\n";
    const TESTS: &str = "package p_test\n\ntest_deny if {\n\tdata.p.deny == {\"x\"} with input as {\"bad\": true}\n}\n\ntest_fails if {\n\tcount(data.p.deny) == 1 with input as {}\n}\n\ntest_errors if {\n\tto_number(\"x\") == 1\n}\n\ntodo_test_later if false\n";

    #[test]
    fn pass_fail_error_and_todo() {
        let (_dir, suite) = suite(&[("p.rego", POLICY), ("p_test.rego", TESTS)]);
        let Ok((results, coverage)) = suite.run(&options()) else {
            panic!("run failed")
        };
        let mut statuses: Vec<_> = results
            .iter()
            .map(|r| (r.name.as_str(), r.status))
            .collect();
        statuses.sort();
        assert_eq!(
            statuses,
            [
                ("test_deny", TestStatus::Passed),
                ("test_errors", TestStatus::Errored),
                ("test_fails", TestStatus::Failed),
                ("todo_test_later", TestStatus::Skipped),
            ]
        );
        assert_eq!(coverage.len(), 1);
        assert_eq!(coverage[0].file, "p.rego");
        // Line 3 is the set rule's key, line 4 its body; `allow` (line 8) never ran.
        assert_eq!(
            coverage[0].covered.iter().copied().collect::<Vec<_>>(),
            [3, 4]
        );
        assert_eq!(
            coverage[0].not_covered.iter().copied().collect::<Vec<_>>(),
            [8]
        );
    }

    /// A rule reached through an import alias (`import data.p` then `p.deny`) is evaluated
    /// alone (regorus 0.14.1 evaluated the whole package: vendor/regorus patch 2), so the
    /// other rules of `p` stay uncovered.
    #[test]
    fn import_alias_evaluates_only_the_rule() {
        let tests = "package p_test\n\nimport data.p\n\ntest_deny if {\n\tp.deny == {\"x\"} with input as {\"bad\": true}\n}\n";
        let (_dir, suite) = suite(&[("p.rego", POLICY), ("p_test.rego", tests)]);
        let Ok((_, coverage)) = suite.run(&options()) else {
            panic!("run failed")
        };
        assert_eq!(
            coverage[0].covered.iter().copied().collect::<Vec<_>>(),
            [3, 4]
        );
    }

    #[test]
    fn run_filters_by_rule_path() {
        let (_dir, suite) = suite(&[("p.rego", POLICY), ("p_test.rego", TESTS)]);
        let mut options = options();
        options.filter = TestOptions::filter("p_test.test_deny$").ok();
        let Ok((results, _)) = suite.run(&options) else {
            panic!("run failed")
        };
        assert_eq!(results.len(), 1);
    }
}
