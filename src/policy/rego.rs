//! Rego policies, evaluated by regorus with conftest's conventions.
//!
//! Every module of a stage is parsed once into one engine ([`RegoPolicies::load`]); each
//! evaluation clones that engine, sets `input`, pins `time.now_ns()` to the effective time and
//! evaluates every rule named `deny`, `violation`, `warn` or prefixed `deny_`, `violation_`,
//! `warn_`, in every package (conftest's `--all-namespaces`). A result is a string, an object
//! with `msg` (other fields become details), a set or array of those, or `true`.
//!
//! Fail closed: builtin errors are strict (a type error is an error, not an undefined rule
//! that would let a `deny` pass), and every engine error becomes [`PolicyError`].

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "line and column arithmetic on positions a parser reported inside the text"
)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value as Json};

use crate::decision::{Engine, Finding, RuleInfo, Severity, SourceLocation};
use crate::policy::RegoEngine;
use crate::policy::builtins::RegoOptions;
use crate::policy::error::{Located, PolicyError};
use crate::policy::files::PolicyFile;
use crate::policy::metadata::{RuleMetadata, metadata_above};
use crate::policy::parallel::evaluate_rules;
use crate::policy::rego_engine::{located_engine_error, new_engine, pin_now, time_limit};
use crate::policy::rego_vm::{CompiledRules, VmFailure};
use crate::policy::rule_bodies::{UNION_MODULE, original_name, split_bodies};
use crate::policy::rule_heads::{HeadKind, module_heads, rule_kind};

/// The parsed Rego modules of one stage and the rules a gate evaluates.
#[derive(Debug, Clone)]
pub struct RegoPolicies {
    engine: regorus::Engine,
    rules: Vec<RegoRule>,
    /// The same rules compiled for the VM, when the compiler accepts the policies.
    compiled: Option<CompiledRules>,
    /// Whether builtin errors are errors; when not, the silenced ones are reported.
    strict: bool,
}

/// One conftest-style rule (all definitions of one name in one package).
#[derive(Debug, Clone)]
struct RegoRule {
    info: RuleInfo,
    /// `data.<package>.<name>`.
    path: String,
    /// How its value is read: a set, a complete value or a partial object.
    kind: HeadKind,
}

/// What one Rego evaluation found.
#[derive(Debug, Default)]
pub struct RegoFindings {
    /// Findings of `deny*`/`violation*` rules.
    pub violations: Vec<Finding>,
    /// Findings of `warn*` rules, and the builtin errors a non-strict stage silenced.
    pub warnings: Vec<Finding>,
}

impl RegoPolicies {
    /// Parses every module (`files` paired with their text) and finds the gate's rules.
    pub fn load(
        files: &[(PolicyFile, Arc<str>)],
        data: &Json,
        options: &RegoOptions,
    ) -> Result<RegoPolicies, PolicyError> {
        let mut engine = new_engine(files, data, options)?;
        // Each body of a multi-body `deny`/`warn` becomes a rule of its own, so that a
        // finding names the file and line of the body that produced it.
        let split = split_bodies(&mut engine, files);
        let files = match &split {
            Some(split) => {
                engine = new_engine(split, data, options)?;
                split.as_slice()
            }
            None => files,
        };
        let rules = discover_rules(&mut engine, files)?;
        let paths: Vec<String> = rules.iter().map(|rule| rule.path.clone()).collect();
        let compiled = CompiledRules::compile(&engine, &paths);
        Ok(RegoPolicies {
            engine,
            rules,
            compiled,
            strict: options.strict_builtin_errors,
        })
    }

    /// The parsed modules, for [`crate::policy::reach`].
    pub(crate) fn modules(&self) -> crate::policy::reach::rego::Modules {
        self.engine.clone().get_modules().clone()
    }

    /// The value of `path` (a `data.…` reference) for `input`, or `None` when undefined:
    /// conftest's `exception` rules.
    pub fn value_of(
        &self,
        input: regorus::Value,
        path: &str,
        now_ns: i64,
        timeout: Duration,
    ) -> Result<Option<Json>, PolicyError> {
        let mut engine = self.engine.clone();
        engine.set_input(input);
        engine.set_execution_timer_config(time_limit(timeout));
        pin_now(&mut engine, now_ns)?;
        let error = |message: String| PolicyError::Evaluation {
            rule: path.to_owned(),
            error: Located::new(Path::new("<engine>"), 0, 0, message),
        };
        let results = engine
            .eval_query(path.to_owned(), false)
            .map_err(|err| error(err.to_string()))?;
        let value = results
            .result
            .first()
            .and_then(|r| r.expressions.first())
            .map(|e| e.value.clone());
        match value {
            None | Some(regorus::Value::Undefined) => Ok(None),
            Some(value) => serde_json::to_value(&value)
                .map(Some)
                .map_err(|err| error(err.to_string())),
        }
    }

    /// Keeps only the rules of the packages `keep` accepts (conftest's `--namespace`).
    pub fn retain_packages(&mut self, keep: &dyn Fn(&str) -> bool) {
        self.rules.retain(|rule| {
            let package = rule
                .path
                .strip_prefix("data.")
                .and_then(|p| p.rsplit_once('.'))
                .map_or("", |(package, _)| package);
            keep(package)
        });
        // The VM's compiled entry points were those of every rule.
        self.compiled = None;
    }

    /// The rules a gate evaluates, with their metadata.
    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().map(|r| &r.info)
    }

    /// Evaluates every rule against `input`, with `time.now_ns()` pinned to `now_ns`, on
    /// `threads` threads, with the interpreter or (when asked for and the rules compiled) the
    /// VM. When the VM fails, the interpreter evaluates again and its answer stands.
    pub fn evaluate(
        &self,
        input: regorus::Value,
        now_ns: i64,
        timeout: Duration,
        engine: RegoEngine,
        threads: usize,
    ) -> Result<RegoFindings, PolicyError> {
        let compiled = self.compiled.as_ref().filter(|_| engine == RegoEngine::Vm);
        let observed = (!self.strict).then(|| {
            let rules: Vec<(String, String)> = self
                .rules
                .iter()
                .map(|r| (r.info.id.clone(), r.path.clone()))
                .collect();
            crate::policy::builtin_errors::observe(
                &self.engine,
                &rules,
                input.clone(),
                now_ns,
                timeout,
            )
        });
        let values = match compiled {
            Some(compiled) => match compiled.run(&input, now_ns, timeout, threads) {
                Ok(values) => values,
                Err(VmFailure::Timeout) => {
                    return Err(PolicyError::Timeout {
                        seconds: timeout.as_secs_f64(),
                    });
                }
                Err(VmFailure::Error(error)) => {
                    tracing::debug!(%error, "the VM failed; evaluating with the interpreter");
                    self.interpret(input, now_ns, timeout, threads)?
                }
            },
            None => self.interpret(input, now_ns, timeout, threads)?,
        };
        let mut findings = RegoFindings::default();
        for (rule, value) in self.rules.iter().zip(values) {
            let json = serde_json::to_value(&value).map_err(|err| PolicyError::Evaluation {
                rule: rule.info.id.clone(),
                error: Located::new(Path::new("<engine>"), 0, 0, err.to_string()),
            })?;
            let target = if rule.info.warning {
                &mut findings.warnings
            } else {
                &mut findings.violations
            };
            if rule.kind == HeadKind::Object {
                object_results_to_findings(&rule.info, value_is_undefined(&value), json, target)?;
            } else {
                results_to_findings(&rule.info, value_is_undefined(&value), json, target)?;
            }
        }
        findings.warnings.extend(observed.into_iter().flatten());
        Ok(findings)
    }

    /// Every rule's value from the interpreter, in rule order, on `threads` threads (each
    /// with its own copy of the engine).
    fn interpret(
        &self,
        input: regorus::Value,
        now_ns: i64,
        timeout: Duration,
        threads: usize,
    ) -> Result<Vec<regorus::Value>, PolicyError> {
        let mut engine = self.engine.clone();
        engine.set_input(input);
        engine.set_execution_timer_config(time_limit(timeout));
        pin_now(&mut engine, now_ns)?;
        let threads = threads.clamp(1, self.rules.len().max(1));
        let workers = vec![engine; threads];
        evaluate_rules(
            self.rules.len(),
            workers,
            |engine, index| {
                let Some(rule) = self.rules.get(index) else {
                    return Ok(regorus::Value::Undefined);
                };
                engine
                    .eval_rule(rule.path.clone())
                    .map_err(|err| rule_error(rule, &err, timeout))
            },
            |message| PolicyError::Evaluation {
                rule: "<engine>".to_owned(),
                error: Located::new(Path::new("<engine>"), 0, 0, message),
            },
        )
    }
}

/// An interpreter error as a policy error: a timeout, or an error at the place it names.
fn rule_error(rule: &RegoRule, err: &anyhow::Error, timeout: Duration) -> PolicyError {
    let text = err.to_string();
    if text.contains("execution exceeded") || text.contains("time limit") {
        return PolicyError::Timeout {
            seconds: timeout.as_secs_f64(),
        };
    }
    PolicyError::Evaluation {
        rule: rule.info.id.clone(),
        error: located_engine_error(
            Path::new(
                rule.info
                    .source
                    .as_ref()
                    .map_or("<policy>", |s| s.file.as_str()),
            ),
            err,
        ),
    }
}

fn value_is_undefined(value: &regorus::Value) -> bool {
    matches!(value, regorus::Value::Undefined)
}

/// Turns a rule's value into findings, following conftest's result shapes.
fn results_to_findings(
    info: &RuleInfo,
    undefined: bool,
    value: Json,
    out: &mut Vec<Finding>,
) -> Result<(), PolicyError> {
    if undefined {
        return Ok(());
    }
    match value {
        Json::Null | Json::Bool(false) => Ok(()),
        Json::Bool(true) => {
            out.push(finding(
                info,
                info.title.clone().unwrap_or_else(|| info.id.clone()),
                Map::new(),
            ));
            Ok(())
        }
        Json::Array(items) => {
            for item in items {
                out.push(one_result(info, item)?);
            }
            Ok(())
        }
        Json::Object(ref fields) if !fields.contains_key("msg") => {
            // A partial object rule (`deny[key] := value`): each value is a result.
            for (_, item) in fields.clone() {
                out.push(one_result(info, item)?);
            }
            Ok(())
        }
        other => {
            out.push(one_result(info, other)?);
            Ok(())
        }
    }
}

/// Turns a partial object rule's value (`deny[key] := value`) into findings: each value is a
/// result as [`results_to_findings`] reads it, and a value `true` (`deny[msg] if …` in Rego
/// v1, which OPA reads as `deny[msg] := true`) is a finding whose message is its key.
fn object_results_to_findings(
    info: &RuleInfo,
    undefined: bool,
    value: Json,
    out: &mut Vec<Finding>,
) -> Result<(), PolicyError> {
    if undefined {
        return Ok(());
    }
    let Json::Object(entries) = value else {
        return results_to_findings(info, false, value, out);
    };
    for (key, item) in entries {
        match item {
            Json::Bool(true) => out.push(finding(info, key, Map::new())),
            Json::Null | Json::Bool(false) => {}
            Json::Array(items) => {
                for item in items {
                    out.push(one_result(info, item)?);
                }
            }
            other => out.push(one_result(info, other)?),
        }
    }
    Ok(())
}

fn one_result(info: &RuleInfo, item: Json) -> Result<Finding, PolicyError> {
    let bad = |what: &str| PolicyError::Evaluation {
        rule: info.id.clone(),
        error: Located::new(
            Path::new(info.source.as_ref().map_or("<policy>", |s| s.file.as_str())),
            info.source.as_ref().map_or(0, |s| s.line),
            1,
            format!("a result must be a string or an object with a string `msg`; got {what}"),
        ),
    };
    match item {
        Json::String(message) => Ok(finding(info, message, Map::new())),
        Json::Object(mut fields) => match fields.remove("msg") {
            Some(Json::String(message)) => {
                let mut result = finding(info, message, Map::new());
                if let Some(severity) = fields
                    .get("severity")
                    .and_then(Json::as_str)
                    .and_then(Severity::parse)
                {
                    result.severity = severity;
                }
                result.details = fields;
                Ok(result)
            }
            Some(other) => Err(bad(&format!("`msg: {other}`"))),
            None => Err(bad("an object without `msg`")),
        },
        other => Err(bad(&other.to_string())),
    }
}

fn finding(info: &RuleInfo, message: String, details: Map<String, Json>) -> Finding {
    Finding {
        rule: info.id.clone(),
        message,
        severity: info.severity,
        source: info.source.clone(),
        title: info.title.clone(),
        details,
    }
}

/// Finds the conftest-style rules in the parsed modules, with their METADATA.
fn discover_rules(
    engine: &mut regorus::Engine,
    files: &[(PolicyFile, Arc<str>)],
) -> Result<Vec<RegoRule>, PolicyError> {
    let mut rules: Vec<RegoRule> = Vec::new();
    for (module, (file, text)) in module_heads(engine).into_iter().zip(files) {
        if file.display == UNION_MODULE {
            continue;
        }
        let package = module.package;
        for head in module.heads {
            let path = format!("data.{package}.{}", head.name);
            let name = original_name(head.name.as_str());
            let Some(warning) = rule_kind(name) else {
                continue;
            };
            let line = head.line;
            let refuse = |what: &str| {
                let column = text.get(..head.start).map_or(1, |before| {
                    before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1
                });
                PolicyError::Rego(
                    Located::new(
                        &file.path,
                        line,
                        u32::try_from(column).unwrap_or(1),
                        format!("`{name}` is named like a finding rule but is {what}; the gate cannot evaluate it"),
                    )
                    .with_help(
                        "write `deny contains msg if …`, `deny := value if …` or `deny[key] := value if …`, or rename the rule",
                    ),
                )
            };
            match head.kind {
                HeadKind::Function => return Err(refuse("a function")),
                HeadKind::Nested => {
                    return Err(refuse("a rule whose head goes deeper than one key"));
                }
                HeadKind::Set | HeadKind::Complete | HeadKind::Object => {}
            }
            let metadata = metadata_above(&file.path, text, line)?;
            if let Some(existing) = rules.iter_mut().find(|r| r.path == path) {
                if existing.kind != head.kind {
                    return Err(refuse(
                        "defined with heads of different kinds in one package",
                    ));
                }
                // Another definition of the same rule: it shares the first one's id; take its
                // METADATA only if the first had none.
                if existing.info.title.is_none()
                    && let Some(meta) = metadata
                {
                    apply_metadata(&mut existing.info, meta, &package, name);
                }
                continue;
            }
            let mut info = RuleInfo {
                id: format!("{package}.{name}"),
                engine: Engine::Rego,
                source: Some(SourceLocation {
                    file: file.display.clone(),
                    line,
                }),
                title: None,
                description: None,
                severity: if warning {
                    Severity::Medium
                } else {
                    Severity::High
                },
                warning,
                metadata: Map::new(),
            };
            if let Some(meta) = metadata {
                apply_metadata(&mut info, meta, &package, name);
            }
            rules.push(RegoRule {
                info,
                path,
                kind: head.kind,
            });
        }
    }
    Ok(rules)
}

fn apply_metadata(info: &mut RuleInfo, meta: RuleMetadata, package: &str, name: &str) {
    info.id = meta
        .short_name
        .unwrap_or_else(|| format!("{package}.{name}"));
    info.title = meta.title;
    info.description = meta.description;
    if let Some(severity) = meta.severity {
        info.severity = severity;
    }
    info.metadata = meta.other;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<RegoPolicies, PolicyError> {
        let file = PolicyFile {
            display: "p.rego".to_owned(),
            path: "p.rego".into(),
        };
        RegoPolicies::load(
            &[(file, Arc::from(text))],
            &serde_json::json!({}),
            &RegoOptions::default(),
        )
    }

    /// Each engine on one thread and on two: every test runs on each.
    const ENGINES: [(RegoEngine, usize); 4] = [
        (RegoEngine::Interpreter, 1),
        (RegoEngine::Interpreter, 2),
        (RegoEngine::Vm, 1),
        (RegoEngine::Vm, 2),
    ];

    const SECONDS: Duration = Duration::from_secs(5);

    #[test]
    fn conftest_rule_names() {
        assert_eq!(rule_kind("deny"), Some(false));
        assert_eq!(rule_kind("violation_x"), Some(false));
        assert_eq!(rule_kind("warn_no_purl"), Some(true));
        assert_eq!(rule_kind("denylist"), None);
        assert_eq!(rule_kind("deny_"), None);
        assert_eq!(rule_kind("allow"), None);
    }

    #[test]
    fn strings_objects_and_booleans_become_findings() {
        let policies = load(
            "package main\n\ndeny contains \"a\" if true\ndeny_obj contains {\"msg\": \"b\", \"cve\": \"CVE-1\"} if true\nwarn_flag if true\ndeny_never if false\n",
        );
        let policies = policies.map_err(|e| e.to_string());
        let Ok(policies) = policies else {
            panic!("load failed: {policies:?}")
        };
        assert!(
            policies.compiled.is_some(),
            "these rules compile for the VM"
        );
        for engine in ENGINES {
            let findings =
                policies.evaluate(regorus::Value::new_object(), 0, SECONDS, engine.0, engine.1);
            let Ok(findings) = findings else {
                panic!("evaluation failed on {engine:?}")
            };
            let messages: Vec<_> = findings
                .violations
                .iter()
                .map(|f| f.message.as_str())
                .collect();
            assert_eq!(messages, ["a", "b"], "{engine:?}");
            assert_eq!(findings.violations[1].details["cve"], "CVE-1");
            assert_eq!(findings.warnings[0].rule, "main.warn_flag");
        }
    }

    /// Regression for issue #12 point 2: a finding rule of another shape than a set or a
    /// complete value was skipped, so the gate passed with it firing.
    #[test]
    fn partial_object_finding_rules_are_evaluated() {
        let policies = load(
            "package main\n\ndeny_other contains \"never\" if false\n\ndeny[k] := v if {\n  k := \"a\"\n  v := \"object value\"\n}\n\nviolation[k] := {\"msg\": \"gk\", \"k\": k} if k := \"b\"\n\ndeny_v1[msg] if msg := \"key as message\"\n",
        );
        let Ok(policies) = policies else {
            panic!("load failed: {policies:?}")
        };
        for engine in ENGINES {
            let findings =
                policies.evaluate(regorus::Value::new_object(), 0, SECONDS, engine.0, engine.1);
            let Ok(findings) = findings else {
                panic!("evaluation failed on {engine:?}")
            };
            let mut messages: Vec<_> = findings
                .violations
                .iter()
                .map(|f| f.message.as_str())
                .collect();
            messages.sort_unstable();
            assert_eq!(
                messages,
                ["gk", "key as message", "object value"],
                "{engine:?}"
            );
        }
    }

    /// Regression for issue #12 point 2: a function or a deeper head named like a finding
    /// rule is refused at load, at its line, never skipped.
    #[test]
    fn finding_rules_that_cannot_be_evaluated_are_refused() {
        for (text, line) in [
            (
                "package main\n\ndeny_other contains \"x\" if false\n\ndeny(x) := true if x > 1\n",
                5,
            ),
            ("package main\n\n\nwarn_x.a.b := \"m\"\n", 4),
            ("package main\n\nviolation.a contains \"m\"\n", 3),
        ] {
            match load(text) {
                Err(PolicyError::Rego(located)) => {
                    assert_eq!(located.line, line, "{located}");
                    assert_eq!(located.path, Path::new("p.rego"));
                }
                other => panic!("expected a load error for {text:?}, got {other:?}"),
            }
        }
    }

    #[test]
    fn syntax_errors_have_a_position() {
        match load("package main\n\ndeny contains msg if {\n  msg := \n}\n") {
            Err(PolicyError::Rego(located)) => assert!(located.line >= 4, "{located}"),
            other => panic!("expected a Rego error, got {other:?}"),
        }
    }

    #[test]
    fn v0_modules_are_read_as_v0() {
        let policies =
            load("package main\n\ndeny[msg] {\n  input.kind == \"Pod\"\n  msg := \"no pods\"\n}\n");
        let Ok(policies) = policies else {
            panic!("a v0 module loads")
        };
        let input =
            regorus::Value::from_json_str(r#"{"kind": "Pod"}"#).unwrap_or(regorus::Value::Null);
        for engine in ENGINES {
            let findings = policies.evaluate(input.clone(), 0, SECONDS, engine.0, engine.1);
            assert_eq!(
                findings
                    .ok()
                    .map(|f| f.violations[0].message.clone())
                    .as_deref(),
                Some("no pods"),
                "{engine:?}"
            );
        }
    }

    #[test]
    fn builtin_errors_fail_closed() {
        let policies = load(
            "package main\n\ndeny contains msg if {\n  msg := sprintf(\"%s\", \"not an array\")\n}\n",
        );
        let Ok(policies) = policies else {
            panic!("load failed")
        };
        for engine in ENGINES {
            let result =
                policies.evaluate(regorus::Value::new_object(), 0, SECONDS, engine.0, engine.1);
            // The VM's failure is re-evaluated by the interpreter, whose error has the place.
            match result {
                Err(PolicyError::Evaluation { error, .. }) => {
                    assert_eq!(
                        (error.line, error.path.as_path()),
                        (4, Path::new("p.rego")),
                        "{engine:?}"
                    )
                }
                other => panic!("expected an evaluation error on {engine:?}, got {other:?}"),
            }
        }
    }

    #[test]
    fn now_is_pinned() {
        let policies =
            load("package main\n\ndeny contains sprintf(\"%d\", [time.now_ns()]) if true\n");
        let Ok(policies) = policies else {
            panic!("load failed")
        };
        for engine in ENGINES {
            let findings = policies.evaluate(
                regorus::Value::new_object(),
                42,
                SECONDS,
                engine.0,
                engine.1,
            );
            assert_eq!(
                findings
                    .ok()
                    .map(|f| f.violations[0].message.clone())
                    .as_deref(),
                Some("42"),
                "{engine:?}"
            );
        }
    }

    #[test]
    fn builtin_errors_in_helpers_and_comprehensions_fail_closed() {
        // On the VM a failing body would read as undefined: the deny would not fire.
        let policies = load(
            "package main\n\nnumbers := [to_number(x) | some x in input.items]\n\ndeny contains \"too many\" if count(numbers) > 100\n",
        );
        let Ok(policies) = policies else {
            panic!("load failed")
        };
        let input = regorus::Value::from_json_str(r#"{"items": ["1", "two"]}"#)
            .unwrap_or(regorus::Value::Null);
        for engine in ENGINES {
            let result = policies.evaluate(input.clone(), 0, SECONDS, engine.0, engine.1);
            assert!(
                matches!(result, Err(PolicyError::Evaluation { .. })),
                "{engine:?}: {result:?}"
            );
        }
    }

    #[test]
    fn rules_the_vm_cannot_compile_run_on_the_interpreter() {
        // The compiler does not take `with` yet; the policy must still work.
        let policies = load(
            "package main\n\nkind := input.kind\n\ndeny contains \"mocked\" if {\n  kind == \"Pod\" with input as {\"kind\": \"Pod\"}\n}\n",
        );
        let Ok(policies) = policies else {
            panic!("load failed")
        };
        assert!(policies.compiled.is_none());
        let findings =
            policies.evaluate(regorus::Value::new_object(), 0, SECONDS, RegoEngine::Vm, 2);
        assert_eq!(findings.map(|f| f.violations.len()).ok(), Some(1));
    }

    #[test]
    fn the_time_limit_holds_on_the_vm() {
        let policies = load(
            "package main\n\ndeny contains x if {\n  some x in numbers.range(1, 100000000)\n  x < 0\n}\n",
        );
        let Ok(policies) = policies else {
            panic!("load failed")
        };
        assert!(policies.compiled.is_some());
        let result = policies.evaluate(
            regorus::Value::new_object(),
            0,
            Duration::from_millis(50),
            RegoEngine::Vm,
            1,
        );
        assert!(
            matches!(result, Err(PolicyError::Timeout { .. })),
            "{result:?}"
        );
    }
}
