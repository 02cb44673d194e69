//! Pruned and whole documents give identical decisions: every evidence fixture under every
//! stage of the repository's `stagegate.yaml`, every input the Rego test suites hand their
//! rules (`with input as …`), evaluated as a gate by the suite's own policies (the starter
//! library, the fixture suites, the vendored conftest examples and Conforma library), every
//! CEL test case's evidence, and the conftest examples' documents.

use std::path::{Path, PathBuf};
use std::time::Duration;

use regorus::unstable::{Expr, Rule};

use crate::config::stages::{Config, ConfigPath};
use crate::document::read_document;
use crate::limits::Limits;
use crate::policy::builtins::RegoOptions;
use crate::policy::cel::{CelBindings, CelPolicy};
use crate::policy::files::PolicyFile;
use crate::policy::reach::{Reach, cel};
use crate::policy::{EvaluationContext, PolicyInput, PolicySet};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn context(stage: &str) -> EvaluationContext {
    EvaluationContext {
        stage: stage.to_owned(),
        now: chrono::DateTime::parse_from_rfc3339("2026-11-27T12:00:00Z")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default(),
        timeout: Duration::from_secs(60),
        rego_engine: Default::default(),
    }
}

/// The evaluation's rules and findings, or its error, as text.
fn outcome(set: &PolicySet, input: &PolicyInput, context: &EvaluationContext) -> String {
    match set.evaluate_here(input, context) {
        Ok(e) => format!("{:?}\n{:?}\n{:?}", e.rules, e.violations, e.warnings),
        Err(err) => format!("error: {err}"),
    }
}

/// Evaluates `input` pruned and whole; panics when the outcomes differ.
pub(crate) fn assert_same(
    set: &PolicySet,
    input: &PolicyInput,
    context: &EvaluationContext,
    what: &str,
) {
    let mut whole = set.clone();
    whole.set_pruning(false);
    let mut pruned = set.clone();
    pruned.set_pruning(true);
    let a = outcome(&whole, input, context);
    let b = outcome(&pruned, input, context);
    assert!(
        a == b,
        "{what}: pruned to `{}` the decision differs\nwhole:  {a}\npruned: {b}",
        set.reach()
    );
}

fn files_under(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.file_name().to_string_lossy().ends_with(suffix))
        .map(walkdir::DirEntry::into_path)
        .collect();
    found.sort();
    found
}

fn path(p: &Path) -> ConfigPath {
    ConfigPath {
        written: p.display().to_string(),
        resolved: p.to_owned(),
        line: 0,
        column: 0,
    }
}

#[test]
fn every_evidence_fixture_under_every_stage() {
    let limits = Limits::default();
    let config =
        Config::load(&repo().join("stagegate.yaml"), &limits).unwrap_or_else(|e| panic!("{e}"));
    let documents = files_under(&repo().join("testdata/evidence"), ".json");
    assert!(documents.len() > 20);
    for stage in &config.stages {
        let set = PolicySet::load_stage(stage, &config.base_dir, &limits)
            .unwrap_or_else(|e| panic!("{e}"));
        // The starter stages read neither `raw` nor `sources`: pruning does happen.
        assert!(!set.reach().is_whole(), "{}: {}", stage.name, set.reach());
        assert!(!set.reach().to_string().contains("raw"), "{}", set.reach());
        for document in &documents {
            let bytes = fs_err::read(document).unwrap_or_default();
            let input = PolicyInput::from_json_text(bytes);
            assert_same(
                &set,
                &input,
                &context(&stage.name),
                &format!("{} at {}", document.display(), stage.name),
            );
        }
    }
}

/// An engine holding every `.rego` file under `dir` (those regorus cannot parse left out) and
/// `data`.
fn test_engine(dirs: &[PathBuf], data: &[ConfigPath]) -> regorus::Engine {
    let limits = Limits::default();
    let mut engine = regorus::Engine::new();
    for file in dirs.iter().flat_map(|dir| files_under(dir, ".rego")) {
        let text = fs_err::read_to_string(&file).unwrap_or_default();
        // Conforma's recorded attestations hold strings longer than regorus's parser takes
        // outside `stagegate test`; the test that reads them goes with them.
        if file.to_string_lossy().contains("recorded_att") {
            continue;
        }
        let _ = engine.add_policy(file.display().to_string(), text);
    }
    for file in data {
        let document = read_document(&file.resolved, &limits).unwrap_or_else(|e| panic!("{e}"));
        let value = regorus::Value::from_json_str(&document.value.to_string())
            .unwrap_or(regorus::Value::Undefined);
        let _ = engine.add_data(value);
    }
    engine
}

/// The `with input as …` values of the test rules in the files under `dir`, evaluated in
/// their module's package (with its imports), so that they may name the package's rules and
/// data; values that name a rule body's local variables are left out.
fn test_inputs(engine: &mut regorus::Engine, dir: &Path) -> Vec<serde_json::Value> {
    let dir = dir.display().to_string();
    let mut wrappers = Vec::new();
    for module in engine.get_modules().clone() {
        let file = module.package.span.source.file().clone();
        if !file.starts_with(&dir) || !file.ends_with("_test.rego") {
            continue;
        }
        let package = module.package.refr.span().text().to_owned();
        let imports: Vec<String> = module
            .imports
            .iter()
            .map(|i| i.span.text().to_owned())
            .collect();
        for rule in &module.policy {
            let Rule::Spec { bodies, .. } = rule.as_ref() else {
                continue;
            };
            for body in bodies {
                for stmt in &body.query.stmts {
                    for modifier in &stmt.with_mods {
                        let is_input = matches!(modifier.refr.as_ref(), Expr::Var { value, .. }
                            if value.as_string().is_ok_and(|s| s.as_ref() == "input"));
                        // The modifier's own span: an object's span in regorus's AST ends
                        // at its last field.
                        let value = modifier.span.text().split_once(" as ").map(|(_, v)| v);
                        if let (true, Some(value)) = (is_input, value) {
                            let name = format!("stagegate_reach_input_{}", wrappers.len());
                            let text = format!(
                                "package {package}\n{}\n{name} := {}\n",
                                imports.join("\n"),
                                value
                            );
                            wrappers.push((format!("data.{package}.{name}"), text));
                        }
                    }
                }
            }
        }
    }
    let mut inputs = Vec::new();
    for (i, (rule, text)) in wrappers.into_iter().enumerate() {
        let mut engine = engine.clone();
        if engine
            .add_policy(format!("stagegate-reach-{i}.rego"), text)
            .is_err()
        {
            continue;
        }
        let Ok(value) = engine.eval_rule(rule) else {
            continue;
        };
        if !matches!(value, regorus::Value::Undefined)
            && let Ok(json) = serde_json::to_value(&value)
        {
            inputs.push(json);
        }
    }
    inputs
}

/// Evaluates the gate made of `policies` (and `data`) on every input that the test rules
/// under `tests` hand their rules; returns how many inputs were compared.
fn suite(engine: &mut regorus::Engine, policies: &[&str], data: &[&str], tests: &str) -> usize {
    let limits = Limits::default();
    let policies: Vec<ConfigPath> = policies.iter().map(|p| path(&repo().join(p))).collect();
    let data: Vec<ConfigPath> = data.iter().map(|p| path(&repo().join(p))).collect();
    let set = PolicySet::load(
        &policies,
        &data,
        &[],
        &repo(),
        &limits,
        &RegoOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{tests}: {e}"));
    let inputs = test_inputs(engine, &repo().join(tests));
    for (i, input) in inputs.iter().enumerate() {
        let input = PolicyInput::from_json_text(serde_json::to_vec(input).unwrap_or_default());
        assert_same(
            &set,
            &input,
            &context("prod"),
            &format!("{tests}: input {i}"),
        );
    }
    inputs.len()
}

#[test]
fn the_starter_library_on_its_tests_inputs() {
    let data = [path(&repo().join("policies/data.yaml"))];
    let mut engine = test_engine(&[repo().join("policies")], &data);
    let compared = suite(
        &mut engine,
        &[
            "policies/baseline",
            "policies/supply-chain",
            "policies/release",
        ],
        &["policies/data.yaml"],
        "policies",
    );
    assert!(compared > 40, "{compared}");
}

#[test]
fn the_fixture_suite_on_its_tests_inputs() {
    let mut engine = test_engine(&[repo().join("testdata/policy-tests/rego")], &[]);
    let compared = suite(
        &mut engine,
        &["testdata/policy-tests/rego"],
        &[],
        "testdata/policy-tests/rego",
    );
    assert!(compared > 5, "{compared}");
}

/// Each Conforma release package with its tests, as a gate with the library beside it (the
/// whole `release` folder at once does not load: `<stagegate: rule bodies>` fails to parse).
#[test]
fn the_conforma_library_on_its_tests_inputs() {
    let root = repo().join("testdata/conforma/policy");
    let mut compared = 0;
    for entry in fs_err::read_dir(root.join("release"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let dir = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if !dir.is_dir() || name == "lib" {
            continue;
        }
        let libs = [root.join("lib"), root.join("release/lib")];
        let mut engine = test_engine(&[dir.clone(), libs[0].clone(), libs[1].clone()], &[]);
        let package = format!("testdata/conforma/policy/release/{name}");
        let policies = [
            package.as_str(),
            "testdata/conforma/policy/lib",
            "testdata/conforma/policy/release/lib",
        ];
        compared += suite(&mut engine, &policies, &[], &package);
    }
    assert!(compared > 20, "{compared}");
}

#[test]
fn the_conftest_examples_as_gates() {
    let limits = Limits::default();
    let examples = repo().join("testdata/conftest-examples/examples");
    let mut compared = 0;
    for example in ["kubernetes", "exceptions"] {
        let dir = examples.join(example);
        let set = PolicySet::load(
            &[path(&dir.join("policy"))],
            &[],
            &[],
            &dir,
            &limits,
            &RegoOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for file in files_under(&dir, ".yaml") {
            let Ok(document) = read_document(&file, &limits) else {
                continue;
            };
            let input = PolicyInput::from_json(document.value);
            assert_same(&set, &input, &context("prod"), &file.display().to_string());
            compared += 1;
        }
    }
    assert!(compared >= 4, "{compared}");
}

/// Every case of every CEL test file: the rule file's reach, applied to the case's evidence.
#[test]
fn every_cel_test_case() {
    let limits = Limits::default();
    let mut compared = 0;
    for tests in [
        files_under(&repo().join("policies"), ".cel.test.yaml"),
        files_under(&repo().join("testdata/policy-tests/cel"), ".cel.test.yaml"),
    ]
    .concat()
    {
        let rules = PathBuf::from(
            tests
                .to_string_lossy()
                .replace(".cel.test.yaml", ".cel.yaml"),
        );
        let text = fs_err::read_to_string(&rules).unwrap_or_default();
        let file = PolicyFile {
            path: rules.clone(),
            display: rules.display().to_string(),
        };
        let policy = CelPolicy::load(&file, &text).unwrap_or_else(|e| panic!("{e}"));
        let reach: Reach = cel::reach(&policy.expressions());
        let cases = read_document(&tests, &limits).unwrap_or_else(|e| panic!("{e}"));
        let Some(cases) = cases.value.get("cases").and_then(|c| c.as_array()) else {
            continue;
        };
        for case in cases {
            let evidence = match case.get("evidence") {
                Some(serde_json::Value::String(name)) => {
                    let at = tests.parent().unwrap_or(Path::new(".")).join(name);
                    read_document(&at, &limits)
                        .map(|d| d.value)
                        .unwrap_or_default()
                }
                Some(inline) => inline.clone(),
                None => continue,
            };
            let data = case
                .get("data")
                .cloned()
                .unwrap_or_else(|| serde_json::json!({}));
            let stage = case
                .get("stage")
                .and_then(|s| s.as_str())
                .unwrap_or_default();
            let now = context(stage).now;
            let run = |evidence: &serde_json::Value| match policy
                .evaluate(&CelBindings::new(evidence, &data, stage, now))
            {
                Ok(found) => format!("{:?}\n{:?}", found.violations, found.warnings),
                Err(err) => format!("error: {err}"),
            };
            assert_eq!(
                run(&evidence),
                run(&reach.prune(&evidence)),
                "{}: pruned to `{reach}`",
                tests.display()
            );
            compared += 1;
        }
    }
    assert!(compared > 10, "{compared}");
}
