//! CEL rule files (`*.cel.yaml`), shaped like a Kubernetes ValidatingAdmissionPolicy spec.
//!
//! ```yaml
//! variables:
//!   - name: fixable
//!     expression: "evidence.vulnerabilities.filter(v, size(v.fixedIn) > 0)"
//! validations:
//!   - id: vulnerabilities.no_fixable
//!     expression: "size(variables.fixable) == 0"
//!     messageExpression: "'fixable: ' + string(size(variables.fixable))"
//!     severity: high        # `warning` makes it a warning
//! ```
//!
//! Expressions are compiled once at load; a compile error names the file and the line and
//! column inside it. At evaluation the names `evidence`, `data`, `stage`, `now` and
//! `variables` are bound; variables are evaluated in order, each seeing the earlier ones. A
//! validation that is `false` is a finding; anything but a bool, and every runtime error
//! (`no such key` included), fails the gate with the validation's file and line.
//!
//! JSON numbers are bound as CEL `int` when integral (the `cel` crate would make them `uint`,
//! so `x + 1` or `size(l) > 0` comparisons would fail), `double` otherwise.
//!
//! Cost: the evidence and data documents are converted into the interpreter's values once per
//! evaluation ([`CelBindings`]), borrowing every string from the caller's `serde_json::Value`,
//! and every CEL file of the stage shares that conversion. Lists and maps are shared, not
//! copied, when bound to a name, to a comprehension's loop variable or to a `variables.*` entry
//! (the vendored `cel` crate, `vendor/cel/PATCHES.md`), so binding costs nothing and `filter`,
//! `map`, `exists` and `all` cost one step per element whatever the elements hold. Variables
//! keep the interpreter's values between expressions instead of round-tripping through
//! `cel::Value`.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "line and column arithmetic on positions a parser reported inside the text"
)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelTimestamp,
    CelUInt,
};
use cel::common::value::Val;
use cel::{Context, Env, Program, Value as Cel};
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use serde_saphyr::Spanned;

use crate::decision::{Engine, Finding, RuleInfo, Severity, SourceLocation};
use crate::policy::error::{Located, PolicyError};
use crate::policy::files::PolicyFile;
use crate::policy::input::PolicyInput;
use crate::policy::parallel::THREAD_STACK;

/// A CEL rule file as written: the spec's fields at the top level, or a whole Kubernetes
/// `ValidatingAdmissionPolicy` document whose `spec` holds them (its admission-only fields,
/// such as `matchConstraints` and `failurePolicy`, are accepted and ignored).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawCelFile {
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    metadata: Option<RawObjectMeta>,
    #[serde(default)]
    spec: Option<RawSpec>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    match_conditions: Vec<RawVariable>,
    #[serde(default)]
    variables: Vec<RawVariable>,
    #[serde(default)]
    validations: Vec<RawValidation>,
}

/// The part of Kubernetes `ObjectMeta` we read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawObjectMeta {
    #[serde(default)]
    name: Option<String>,
}

/// A `ValidatingAdmissionPolicy` spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawSpec {
    #[serde(default)]
    match_conditions: Vec<RawVariable>,
    #[serde(default)]
    variables: Vec<RawVariable>,
    #[serde(default)]
    validations: Vec<RawValidation>,
    #[serde(default)]
    failure_policy: Option<serde_json::Value>,
    #[serde(default)]
    match_constraints: Option<serde_json::Value>,
    #[serde(default)]
    param_kind: Option<serde_json::Value>,
    #[serde(default)]
    audit_annotations: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawVariable {
    name: String,
    expression: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawValidation {
    #[serde(default)]
    id: Option<Spanned<String>>,
    expression: Spanned<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    message_expression: Option<Spanned<String>>,
    #[serde(default)]
    severity: Option<Spanned<String>>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// A compiled expression and where it is written.
#[derive(Debug, Clone)]
struct Compiled {
    program: Arc<Program>,
    source: String,
    line: u32,
}

impl Compiled {
    /// Whether the expression reads the top-level name `name`.
    fn reads(&self, name: &str) -> bool {
        self.program.references().has_variable(name)
    }
}

#[derive(Debug, Clone)]
struct Variable {
    name: String,
    expr: Compiled,
}

#[derive(Debug, Clone)]
struct Validation {
    info: RuleInfo,
    expr: Compiled,
    message: Option<String>,
    message_expr: Option<Compiled>,
    reason: Option<String>,
}

/// The CEL environment the expressions were compiled with, shared by their evaluations.
#[derive(Clone)]
struct SharedEnv(Arc<Env>);

impl std::fmt::Debug for SharedEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Env")
    }
}

/// One compiled CEL rule file.
#[derive(Debug, Clone)]
pub struct CelPolicy {
    file: PolicyFile,
    env: SharedEnv,
    match_conditions: Vec<Variable>,
    variables: Vec<Variable>,
    validations: Vec<Validation>,
}

/// What one CEL evaluation found.
#[derive(Debug, Default)]
pub struct CelFindings {
    /// Validations that were false.
    pub violations: Vec<Finding>,
    /// Validations with `severity: warning` that were false.
    pub warnings: Vec<Finding>,
    /// For coverage: each validation's id and whether it held.
    pub outcomes: Vec<(String, bool)>,
}

/// The values bound for one evaluation, converted once and shared by every CEL file of the
/// stage. They borrow the documents' strings (`'v` is the life of the `serde_json` values they
/// come from); binding them in a file's evaluation shares them, it copies nothing.
#[derive(Debug, Clone)]
pub struct CelBindings<'v> {
    evidence: Box<dyn Val + 'v>,
    data: Box<dyn Val + 'v>,
    stage: Box<dyn Val + 'v>,
    now: Box<dyn Val + 'v>,
}

impl<'v> CelBindings<'v> {
    /// Converts the evidence and data documents (as the caller hands them over: possibly
    /// already pruned to the fields the policies read) and the stage and time into CEL values.
    pub fn new(
        evidence: &'v Json,
        data: &'v Json,
        stage: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        CelBindings {
            evidence: json_to_val(evidence),
            data: json_to_val(data),
            stage: Box::new(CelString::from(stage.to_owned())),
            now: Box::new(CelTimestamp::from(now.fixed_offset())),
        }
    }
}

/// Evaluates a stage's CEL files on another thread while `other` (the stage's Rego rules) runs
/// on this one: the `serde_json` form of the input is built there (unless it exists), converted
/// once ([`CelBindings`]) and shared by every file. `other`'s error comes first, then the first
/// CEL file's error in file order: the answer a single thread doing `other`, then each file in
/// order, gives. Without CEL files `other` runs alone; if no thread can be started, the files
/// run after it on this thread.
pub(crate) fn evaluate_beside<T>(
    policies: &[CelPolicy],
    input: &PolicyInput,
    data: &Json,
    (stage, now): (&str, chrono::DateTime<chrono::Utc>),
    other: impl FnOnce() -> Result<T, PolicyError>,
) -> Result<(T, Vec<CelFindings>), PolicyError> {
    let evaluate = || -> Result<Vec<CelFindings>, PolicyError> {
        let bindings = CelBindings::new(input.json()?, data, stage, now);
        policies
            .iter()
            .map(|policy| policy.evaluate(&bindings))
            .collect()
    };
    if policies.is_empty() {
        return Ok((other()?, Vec::new()));
    }
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("stagegate-cel".to_owned())
            .stack_size(THREAD_STACK)
            .spawn_scoped(scope, evaluate);
        let first = other()?;
        let found = match spawned {
            Ok(handle) => handle.join().map_err(|_| PolicyError::Evaluation {
                rule: "<engine>".to_owned(),
                error: Located::new(
                    Path::new("<engine>"),
                    0,
                    0,
                    "the CEL evaluation stopped without a result (it panicked)",
                ),
            })??,
            Err(_) => evaluate()?,
        };
        Ok((first, found))
    })
}

fn environment() -> Arc<Env> {
    let mut env = Env::stdlib();
    // The extension sets are part of cel-go's standard environment that Kubernetes exposes.
    let _ = env.add_extension(cel::extensions::strings);
    let _ = env.add_extension(cel::extensions::lists);
    let _ = env.add_extension(cel::extensions::math);
    Arc::new(env)
}

impl CelPolicy {
    /// Parses a rule file and compiles every expression in it.
    pub fn load(file: &PolicyFile, text: &str) -> Result<CelPolicy, PolicyError> {
        let raw: RawCelFile = serde_saphyr::from_str(text).map_err(|err| {
            let (line, column) = err
                .location()
                .map_or((0, 0), |loc| (loc.line() as u32, loc.column() as u32));
            PolicyError::Cel(Located::new(
                &file.path,
                line,
                column,
                crate::document::syntax_message(&err),
            ))
        })?;
        let _ = (&raw.description, &raw.api_version);
        if let Some(kind) = raw
            .kind
            .as_deref()
            .filter(|k| *k != "ValidatingAdmissionPolicy")
        {
            return Err(PolicyError::Cel(Located::new(
                &file.path,
                1,
                1,
                format!(
                    "`kind: {kind}` is not a rule file; expected a ValidatingAdmissionPolicy or bare `validations`"
                ),
            )));
        }
        let policy_name = raw
            .metadata
            .as_ref()
            .and_then(|m| m.name.clone())
            .or_else(|| raw.name.clone())
            .unwrap_or_else(|| {
                file.display
                    .rsplit('/')
                    .next()
                    .unwrap_or(&file.display)
                    .trim_end_matches(".yaml")
                    .trim_end_matches(".yml")
                    .trim_end_matches(".cel")
                    .to_owned()
            });
        let (match_conditions, raw_variables, raw_validations) = match raw.spec {
            Some(spec) => {
                let _ = (
                    &spec.failure_policy,
                    &spec.match_constraints,
                    &spec.param_kind,
                    &spec.audit_annotations,
                );
                let mut conditions = raw.match_conditions;
                conditions.extend(spec.match_conditions);
                let mut variables = raw.variables;
                variables.extend(spec.variables);
                let mut validations = raw.validations;
                validations.extend(spec.validations);
                (conditions, variables, validations)
            }
            None => (raw.match_conditions, raw.variables, raw.validations),
        };
        let env = environment();
        let lines: Vec<&str> = text.lines().collect();
        let compile = |expr: &Spanned<String>| compile_at(&env, &file.path, &lines, expr);
        let compile_all = |raw: &[RawVariable]| -> Result<Vec<Variable>, PolicyError> {
            raw.iter()
                .map(|variable| {
                    Ok(Variable {
                        name: variable.name.clone(),
                        expr: compile(&variable.expression)?,
                    })
                })
                .collect()
        };
        let match_conditions = compile_all(&match_conditions)?;
        let variables = compile_all(&raw_variables)?;
        let mut validations: Vec<Validation> = Vec::new();
        for (index, validation) in raw_validations.iter().enumerate() {
            // Kubernetes validations have no id: name them after the policy and position.
            let (id, id_at) = match &validation.id {
                Some(id) => (id.value.clone(), id.referenced),
                None => (
                    format!("{policy_name}.{index}"),
                    validation.expression.referenced,
                ),
            };
            if validations.iter().any(|v| v.info.id == id) {
                return Err(PolicyError::Cel(Located::new(
                    &file.path,
                    id_at.line() as u32,
                    id_at.column() as u32,
                    format!("validation id `{id}` is used twice"),
                )));
            }
            let (severity, warning) = match &validation.severity {
                None => (Severity::High, false),
                Some(s) if s.value.eq_ignore_ascii_case("warning") => (Severity::Medium, true),
                Some(s) => (
                    Severity::parse(&s.value).ok_or_else(|| {
                        PolicyError::Cel(Located::new(
                            &file.path,
                            s.referenced.line() as u32,
                            s.referenced.column() as u32,
                            format!(
                                "`severity: {}` is not a severity; use critical, high, medium, low, info or warning",
                                s.value
                            ),
                        ))
                    })?,
                    false,
                ),
            };
            let expr = compile(&validation.expression)?;
            let message_expr = validation
                .message_expression
                .as_ref()
                .map(compile)
                .transpose()?;
            let mut metadata = Map::new();
            if let Some(reason) = &validation.reason {
                metadata.insert("reason".to_owned(), Json::String(reason.clone()));
            }
            validations.push(Validation {
                info: RuleInfo {
                    id,
                    engine: Engine::Cel,
                    source: Some(SourceLocation {
                        file: file.display.clone(),
                        line: id_at.line() as u32,
                    }),
                    title: validation.title.clone(),
                    description: validation.description.clone(),
                    severity,
                    warning,
                    metadata,
                },
                expr,
                message: validation.message.clone(),
                message_expr,
                reason: validation.reason.clone(),
            });
        }
        Ok(CelPolicy {
            file: file.clone(),
            env: SharedEnv(env),
            match_conditions,
            variables,
            validations,
        })
    }

    /// Every compiled expression, for [`crate::policy::reach`]: the variables by name, in
    /// order, then the match conditions, validations and message expressions.
    pub(crate) fn expressions(&self) -> crate::policy::reach::cel::Expressions<'_> {
        let others = self.match_conditions.iter().map(|v| &v.expr);
        let validations = self
            .validations
            .iter()
            .flat_map(|v| std::iter::once(&v.expr).chain(v.message_expr.as_ref()));
        crate::policy::reach::cel::Expressions {
            variables: self
                .variables
                .iter()
                .map(|v| (v.name.as_str(), &*v.expr.program))
                .collect(),
            others: others.chain(validations).map(|c| &*c.program).collect(),
        }
    }

    /// The validations of this file, with their metadata.
    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.validations.iter().map(|v| &v.info)
    }

    /// Evaluates every validation.
    pub fn evaluate(&self, bindings: &CelBindings<'_>) -> Result<CelFindings, PolicyError> {
        let mut context = Context::with_env(Arc::clone(&self.env.0));
        // Binding shares the converted values (no copy); still, bind only the names this file
        // reads, as before.
        let expressions = || {
            self.match_conditions
                .iter()
                .chain(&self.variables)
                .map(|v| &v.expr)
                .chain(
                    self.validations
                        .iter()
                        .flat_map(|v| std::iter::once(&v.expr).chain(v.message_expr.as_ref())),
                )
        };
        let reads = |name: &str| expressions().any(|expr| expr.reads(name));
        if reads("evidence") {
            context.add_variable_as_val("evidence", bindings.evidence.clone());
        }
        // `object` as in a ValidatingAdmissionPolicy, so such expressions read the evidence.
        if reads("object") {
            context.add_variable_as_val("object", bindings.evidence.clone());
        }
        if reads("data") {
            context.add_variable_as_val("data", bindings.data.clone());
        }
        context.add_variable_as_val("stage", bindings.stage.clone());
        context.add_variable_as_val("now", bindings.now.clone());
        let mut findings = CelFindings::default();
        // As in Kubernetes: match conditions come first; when one is false the policy does
        // not apply and nothing else is evaluated.
        for condition in &self.match_conditions {
            let name = format!("matchConditions.{}", condition.name);
            let value = self.run(&context, &condition.expr, &name)?;
            match value.downcast_ref::<CelBool>().map(|b| *b.inner()) {
                Some(true) => {}
                Some(false) => return Ok(findings),
                None => {
                    return Err(self.error(
                        &name,
                        &condition.expr,
                        format!(
                            "a match condition must evaluate to a bool, got {}",
                            type_of(value.as_ref())
                        ),
                    ));
                }
            }
        }
        // Each variable sees the ones before it; the `variables` map is rebuilt only when the
        // next expression reads it.
        let mut values: HashMap<CelMapKey<'_>, Box<dyn Val + '_>> = HashMap::new();
        let mut bound: Option<usize> = None;
        for variable in &self.variables {
            if variable.expr.reads("variables") && bound != Some(values.len()) {
                // Cloning a value shares its lists and maps: this costs one step per variable.
                context.add_variable_as_val("variables", Box::new(CelMap::from(values.clone())));
                bound = Some(values.len());
            }
            let value = self.run(
                &context,
                &variable.expr,
                &format!("variables.{}", variable.name),
            )?;
            values.insert(
                CelMapKey::String(CelString::from(variable.name.clone())),
                value,
            );
        }
        context.add_variable_as_val("variables", Box::new(CelMap::from(values)));
        for validation in &self.validations {
            let id = &validation.info.id;
            let value = self.run(&context, &validation.expr, id)?;
            let held = match value.downcast_ref::<CelBool>() {
                Some(held) => *held.inner(),
                None => {
                    return Err(self.error(
                        id,
                        &validation.expr,
                        format!(
                            "a validation must evaluate to a bool, got {}",
                            type_of(value.as_ref())
                        ),
                    ));
                }
            };
            findings.outcomes.push((id.clone(), held));
            if held {
                continue;
            }
            let message = match &validation.message_expr {
                Some(expr) => {
                    let value = self.run(&context, expr, id)?;
                    match value.downcast_ref::<CelString>() {
                        Some(text) => text.inner().to_owned(),
                        None => {
                            return Err(self.error(
                                id,
                                expr,
                                format!(
                                    "messageExpression must evaluate to a string, got {}",
                                    type_of(value.as_ref())
                                ),
                            ));
                        }
                    }
                }
                None => validation.message.clone().unwrap_or_else(|| {
                    format!("failed expression: {}", validation.expr.source.trim())
                }),
            };
            let mut details = Map::new();
            if let Some(reason) = &validation.reason {
                details.insert("reason".to_owned(), Json::String(reason.clone()));
            }
            let finding = Finding {
                rule: id.clone(),
                message,
                severity: validation.info.severity,
                source: validation.info.source.clone(),
                title: validation.info.title.clone(),
                details,
            };
            if validation.info.warning {
                findings.warnings.push(finding);
            } else {
                findings.violations.push(finding);
            }
        }
        Ok(findings)
    }

    /// Evaluates one expression to the interpreter's own value (not converted to `cel::Value`:
    /// a variable holding a list of findings stays shared, not copied).
    fn run<'v>(
        &self,
        context: &Context<'_, 'v>,
        expr: &Compiled,
        rule: &str,
    ) -> Result<Box<dyn Val + 'v>, PolicyError> {
        Cel::resolve_val(expr.program.expression(), context)
            .map(|value| value.into_owned())
            .map_err(|err| self.error(rule, expr, err.to_string()))
    }

    fn error(&self, rule: &str, expr: &Compiled, message: String) -> PolicyError {
        PolicyError::Evaluation {
            rule: rule.to_owned(),
            error: Located::new(&self.file.path, expr.line, 0, message),
        }
    }
}

/// Compiles one expression; a parse error is placed at its line and column in the file.
fn compile_at(
    env: &Env,
    path: &Path,
    lines: &[&str],
    expr: &Spanned<String>,
) -> Result<Compiled, PolicyError> {
    let line = expr.referenced.line() as u32;
    let column = expr.referenced.column() as u32;
    match env.compile(&expr.value) {
        Ok(program) => Ok(Compiled {
            program: Arc::new(program),
            source: expr.value.clone(),
            line,
        }),
        Err(errors) => {
            let first = errors.errors.first();
            let (expr_line, expr_column) =
                first.map_or((1, 1), |e| (e.pos.0.max(1) as u32, e.pos.1.max(1) as u32));
            let message = first.map_or_else(|| errors.to_string(), |e| e.msg.clone());
            let (file_line, file_column) =
                position_in_file(lines, line, column, expr_line, expr_column);
            Err(PolicyError::Cel(
                Located::new(path, file_line, file_column, message).with_help(format!(
                    "in the expression at line {line}, its line {expr_line}, column {expr_column}"
                )),
            ))
        }
    }
}

/// Maps a position inside an expression to the file: plain and quoted scalars start at the
/// value's column; block scalars (`|`, `>`) start on the next line at its indentation.
fn position_in_file(
    lines: &[&str],
    line: u32,
    column: u32,
    expr_line: u32,
    expr_column: u32,
) -> (u32, u32) {
    let text = lines
        .get(line.saturating_sub(1) as usize)
        .copied()
        .unwrap_or_default();
    let rest: String = text
        .chars()
        .skip(column.saturating_sub(1) as usize)
        .collect();
    if rest.starts_with('|') || rest.starts_with('>') {
        let content_line = line + expr_line;
        let indent = lines
            .get(content_line.saturating_sub(1) as usize)
            .map_or(0, |l| l.len() - l.trim_start().len()) as u32;
        (content_line, indent + expr_column)
    } else if rest.starts_with('"') || rest.starts_with('\'') {
        if expr_line == 1 {
            (line, column + expr_column)
        } else {
            (line + expr_line - 1, expr_column)
        }
    } else if expr_line == 1 {
        (line, column + expr_column - 1)
    } else {
        (line + expr_line - 1, expr_column)
    }
}

/// The name of a value's type in an error message, as `cel::Value::type_of` spells it
/// (`Int`, `String`, `Map` ...), or the CEL type name for a value that has no `cel::Value` form.
fn type_of(value: &dyn Val) -> String {
    match Cel::try_from(value) {
        Ok(value) => format!("{:?}", value.type_of()),
        Err(_) => value.get_type().name().to_owned(),
    }
}

/// Converts JSON into CEL values, integral numbers as `int`. Strings and keys borrow from
/// `value`; each array and object is built once (and shared from then on).
pub fn json_to_val(value: &Json) -> Box<dyn Val + '_> {
    match value {
        Json::Null => Box::new(CelNull),
        Json::Bool(b) => Box::new(CelBool::from(*b)),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Box::new(CelInt::from(i)),
            (None, Some(u)) => Box::new(CelUInt::from(u)),
            _ => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        Json::String(s) => Box::new(CelString::from(s.as_str())),
        Json::Array(items) => Box::new(CelList::from(
            items.iter().map(json_to_val).collect::<Vec<_>>(),
        )),
        Json::Object(fields) => Box::new(CelMap::from(
            fields
                .iter()
                .map(|(k, v)| {
                    (
                        CelMapKey::String(CelString::from(k.as_str())),
                        json_to_val(v),
                    )
                })
                .collect::<HashMap<_, _>>(),
        )),
    }
}

#[cfg(test)]
mod equivalence;

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> PolicyFile {
        PolicyFile {
            display: "s.cel.yaml".to_owned(),
            path: "s.cel.yaml".into(),
        }
    }

    /// Evaluates `policy` on `evidence` with `data` `{"max": 1}` at stage prod.
    fn evaluate(policy: &CelPolicy, evidence: Json) -> Result<CelFindings, PolicyError> {
        let data = serde_json::json!({"max": 1});
        policy.evaluate(&CelBindings::new(
            &evidence,
            &data,
            "prod",
            chrono::Utc::now(),
        ))
    }

    const RULES: &str = r#"variables:
  - name: failing
    expression: "evidence.tests.failed + evidence.tests.errors"
validations:
  - id: tests.none_failed
    expression: "variables.failing == 0"
    messageExpression: "string(variables.failing) + ' tests failed'"
  - id: tests.few
    expression: "evidence.tests.total <= data.max"
    message: too many tests
    severity: warning
"#;

    #[test]
    fn false_validations_are_findings() {
        let policy = CelPolicy::load(&file(), RULES);
        let Ok(policy) = policy else {
            panic!("{policy:?}")
        };
        let evidence = serde_json::json!({"tests": {"failed": 2, "errors": 1, "total": 3}});
        let findings = evaluate(&policy, evidence);
        let Ok(findings) = findings else {
            panic!("{findings:?}")
        };
        assert_eq!(findings.violations[0].message, "3 tests failed");
        assert_eq!(findings.warnings[0].rule, "tests.few");
    }

    #[test]
    fn variables_keep_their_cel_type() {
        // Variables stay interpreter values between expressions: a type value is still a type
        // (through `cel::Value` it had become the string "int").
        let text = "variables:\n  - name: t\n    expression: \"type(1)\"\nvalidations:\n  - id: x\n    expression: \"variables.t == int\"\n";
        let Ok(policy) = CelPolicy::load(&file(), text) else {
            panic!("load")
        };
        let found = evaluate(&policy, serde_json::json!({}));
        assert!(found.is_ok_and(|f| f.outcomes == vec![("x".to_owned(), true)]));
    }

    #[test]
    fn missing_keys_fail_closed() {
        let Ok(policy) = CelPolicy::load(&file(), RULES) else {
            panic!()
        };
        let result = evaluate(&policy, serde_json::json!({}));
        assert!(matches!(result, Err(PolicyError::Evaluation { .. })));
    }

    #[test]
    fn compile_errors_point_into_the_file() {
        let text = "validations:\n  - id: x\n    expression: \"size(evidence.a) >\"\n";
        match CelPolicy::load(&file(), text) {
            Err(PolicyError::Cel(located)) => {
                assert_eq!(located.line, 3);
                assert!(located.column > 17, "{located}");
            }
            other => panic!("expected a CEL error, got {other:?}"),
        }
    }

    #[test]
    fn whole_validating_admission_policies_load() {
        let text = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: tests-pass\nspec:\n  failurePolicy: Fail\n  matchConditions:\n    - name: has-tests\n      expression: \"has(object.tests)\"\n  validations:\n    - expression: \"object.tests.failed == 0\"\n      message: tests failed\n      reason: Invalid\n";
        let Ok(policy) = CelPolicy::load(&file(), text) else {
            panic!("load")
        };
        let failing = evaluate(&policy, serde_json::json!({"tests": {"failed": 1}}));
        let Ok(failing) = failing else {
            panic!("evaluate")
        };
        assert_eq!(failing.violations[0].rule, "tests-pass.0");
        assert_eq!(failing.violations[0].details["reason"], "Invalid");
        let skipped = evaluate(&policy, serde_json::json!({}));
        assert!(skipped.is_ok_and(|f| f.violations.is_empty() && f.outcomes.is_empty()));
    }

    #[test]
    fn unknown_keys_are_errors() {
        let text = "validations:\n  - id: x\n    expresion: \"true\"\n";
        assert!(matches!(
            CelPolicy::load(&file(), text),
            Err(PolicyError::Cel(_))
        ));
    }
}
