//! The shared conversion decides as the per-file conversion did.
//!
//! [`reference`] is the evaluation as it was before the conversion was shared: each file
//! converts the JSON into `cel::Value`s (`old_json_to_cel`), binds them (a deep copy into the
//! interpreter's values) and reads every result back as a `cel::Value`. Every CEL rule file of
//! the repository is evaluated both ways on every evidence fixture (and on an empty document,
//! for the error paths), and the outcomes, messages and errors must be the same.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use cel::objects::{Key, Map as OldMap};
use cel::{Context, Value as Cel};
use serde_json::Value as Json;

use super::{CelBindings, CelPolicy, json_to_val};
use crate::policy::error::PolicyError;
use crate::policy::files::PolicyFile;

/// The conversion as it was: `cel::Value`s, integral numbers as `int`.
fn old_json_to_cel(value: &Json) -> Cel {
    match value {
        Json::Null => Cel::Null,
        Json::Bool(b) => Cel::Bool(*b),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Cel::Int(i),
            (None, Some(u)) => Cel::UInt(u),
            _ => Cel::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Cel::String(Arc::new(s.clone())),
        Json::Array(items) => Cel::List(Arc::new(items.iter().map(old_json_to_cel).collect())),
        Json::Object(fields) => {
            let map: HashMap<Key, Cel> = fields
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), old_json_to_cel(v)))
                .collect();
            Cel::Map(OldMap::from(map))
        }
    }
}

/// What one evaluation gave: each validation's outcome and, when false, its message.
type Outcome = Result<Vec<(String, bool, Option<String>)>, String>;

/// The evaluation before the conversion was shared (the removed code, kept as the reference).
fn reference(
    policy: &CelPolicy,
    evidence: &Json,
    data: &Json,
    stage: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Outcome {
    let error = |err: PolicyError| Err(err.to_string());
    let mut context = Context::with_env(Arc::clone(&policy.env.0));
    let reads = |name: &str| {
        policy
            .match_conditions
            .iter()
            .chain(&policy.variables)
            .map(|v| &v.expr)
            .chain(
                policy
                    .validations
                    .iter()
                    .flat_map(|v| std::iter::once(&v.expr).chain(v.message_expr.as_ref())),
            )
            .any(|expr| expr.reads(name))
    };
    if reads("evidence") {
        context.add_variable_from_value("evidence", old_json_to_cel(evidence));
    }
    if reads("object") {
        context.add_variable_from_value("object", old_json_to_cel(evidence));
    }
    if reads("data") {
        context.add_variable_from_value("data", old_json_to_cel(data));
    }
    context.add_variable_from_value("stage", Cel::String(Arc::new(stage.to_owned())));
    context.add_variable_from_value("now", Cel::Timestamp(now.fixed_offset()));
    let run = |context: &Context, expr: &super::Compiled, rule: &str| {
        expr.program
            .execute(context)
            .map_err(|err| policy.error(rule, expr, err.to_string()))
    };
    let mut outcomes = Vec::new();
    for condition in &policy.match_conditions {
        match run(&context, &condition.expr, "condition") {
            Ok(Cel::Bool(true)) => {}
            Ok(Cel::Bool(false)) => return Ok(outcomes),
            Ok(other) => return Err(format!("match condition {:?}", other.type_of())),
            Err(err) => return error(err),
        }
    }
    let mut values: HashMap<Key, Cel> = HashMap::new();
    let mut bound: Option<usize> = None;
    for variable in &policy.variables {
        if variable.expr.reads("variables") && bound != Some(values.len()) {
            context.add_variable_from_value("variables", Cel::Map(OldMap::from(values.clone())));
            bound = Some(values.len());
        }
        let name = format!("variables.{}", variable.name);
        match run(&context, &variable.expr, &name) {
            Ok(value) => {
                values.insert(Key::String(Arc::new(variable.name.clone())), value);
            }
            Err(err) => return error(err),
        }
    }
    context.add_variable_from_value("variables", Cel::Map(OldMap::from(values)));
    for validation in &policy.validations {
        let id = &validation.info.id;
        let held = match run(&context, &validation.expr, id) {
            Ok(Cel::Bool(held)) => held,
            Ok(other) => return Err(format!("validation {:?}", other.type_of())),
            Err(err) => return error(err),
        };
        let message = if held {
            None
        } else {
            Some(match &validation.message_expr {
                Some(expr) => match run(&context, expr, id) {
                    Ok(Cel::String(text)) => text.to_string(),
                    Ok(other) => return Err(format!("message {:?}", other.type_of())),
                    Err(err) => return error(err),
                },
                None => validation.message.clone().unwrap_or_else(|| {
                    format!("failed expression: {}", validation.expr.source.trim())
                }),
            })
        };
        outcomes.push((id.clone(), held, message));
    }
    Ok(outcomes)
}

/// The same, through [`CelPolicy::evaluate`] and the shared conversion.
fn shared(policy: &CelPolicy, bindings: &CelBindings<'_>) -> Outcome {
    let found = policy.evaluate(bindings).map_err(|err| err.to_string())?;
    let messages: BTreeMap<&str, &str> = found
        .violations
        .iter()
        .chain(&found.warnings)
        .map(|f| (f.rule.as_str(), f.message.as_str()))
        .collect();
    Ok(found
        .outcomes
        .iter()
        .map(|(id, held)| {
            let message = (!held).then(|| messages.get(id.as_str()).map(|m| (*m).to_owned()));
            (id.clone(), *held, message.flatten())
        })
        .collect())
}

fn read(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    fs_err::read_to_string(root.join(path)).unwrap_or_else(|err| panic!("{err}"))
}

const RULE_FILES: &[&str] = &[
    "policies/security.cel.yaml",
    "policies/release.cel.yaml",
    "bench/same-rules/same.cel.yaml",
    "testdata/policy-tests/cel/gate.cel.yaml",
    "testdata/policy-tests/cel/untested.cel.yaml",
    "testdata/waivers/security.cel.yaml",
    "deploy/image-gate/image.cel.yaml",
];

#[test]
fn every_rule_file_decides_as_before_on_every_fixture() {
    let data: Json =
        serde_saphyr::from_str(&read("policies/data.yaml")).unwrap_or_else(|err| panic!("{err}"));
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T12:00:00Z")
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|err| panic!("{err}"));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut fixtures: Vec<(String, Json)> = fs_err::read_dir(root.join("testdata/evidence"))
        .unwrap_or_else(|err| panic!("{err}"))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension().is_some_and(|e| e == "json")
                && path.file_name().is_some_and(|n| n != "expected.json")
        })
        .map(|path| {
            let text = fs_err::read_to_string(&path).unwrap_or_else(|err| panic!("{err}"));
            let json = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{err}"));
            (path.display().to_string(), json)
        })
        .collect();
    assert!(fixtures.len() > 20, "{} fixtures", fixtures.len());
    fixtures.push(("{}".to_owned(), serde_json::json!({})));
    let mut compared = 0;
    let mut failed_somewhere = 0;
    for rules in RULE_FILES {
        let file = PolicyFile {
            display: (*rules).to_owned(),
            path: (*rules).into(),
        };
        let policy = CelPolicy::load(&file, &read(rules)).unwrap_or_else(|err| panic!("{err}"));
        for (name, evidence) in &fixtures {
            for stage in ["prod", "staging"] {
                let bindings = CelBindings::new(evidence, &data, stage, now);
                let before = reference(&policy, evidence, &data, stage, now);
                let after = shared(&policy, &bindings);
                assert_eq!(after, before, "{rules} on {name} at {stage}");
                compared += 1;
                if after
                    .as_ref()
                    .is_ok_and(|o| o.iter().any(|(_, held, _)| !held))
                {
                    failed_somewhere += 1;
                }
            }
        }
    }
    // The comparison covers false validations (messages), not only passes.
    assert!(failed_somewhere > 10, "{failed_somewhere} of {compared}");
}

/// A canonical text of a `cel::Value`, numeric types and map keys included (`PartialEq`
/// of `cel::Value` says `1 == 1u`, and map order is unspecified).
fn shape(value: &Cel) -> String {
    match value {
        Cel::List(items) => format!(
            "[{}]",
            items.iter().map(shape).collect::<Vec<_>>().join(",")
        ),
        Cel::Map(map) => {
            let entries: BTreeMap<String, String> = map
                .map
                .iter()
                .map(|(k, v)| (format!("{k:?}"), shape(v)))
                .collect();
            format!("{entries:?}")
        }
        other => format!("{other:?}"),
    }
}

/// A small deterministic generator of JSON documents (numbers of every kind, nesting,
/// repeated shapes), for the conversion property below.
fn document(seed: &mut u64, depth: u32) -> Json {
    let mut next = || {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *seed >> 33
    };
    let pick = next() % if depth == 0 { 6 } else { 8 };
    match pick {
        0 => Json::Null,
        1 => Json::Bool(next() % 2 == 0),
        2 => Json::from(next() as i64 - (1 << 30)),
        3 => Json::from(u64::MAX - next()),
        4 => Json::from((next() as f64) / 7.0),
        5 => Json::String(format!("s{}", next() % 100)),
        6 => Json::Array((0..next() % 5).map(|_| document(seed, depth - 1)).collect()),
        _ => Json::Object(
            (0..next() % 5)
                .map(|i| (format!("k{i}"), document(seed, depth - 1)))
                .collect(),
        ),
    }
}

#[test]
fn the_shared_conversion_gives_the_same_values() {
    let mut seed = 42;
    for _ in 0..500 {
        let doc = document(&mut seed, 4);
        let converted = json_to_val(&doc);
        let back = Cel::try_from(converted.as_ref()).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(shape(&back), shape(&old_json_to_cel(&doc)), "{doc}");
    }
}

#[test]
fn binding_shares_instead_of_copying() {
    // 2,000 components, each read by three comprehensions and bound in two files: the shared
    // values are the same allocation wherever they are reached from.
    let components: Vec<Json> = (0..2000)
        .map(|i| serde_json::json!({"name": format!("c{i}"), "licenses": ["MIT"]}))
        .collect();
    let evidence = serde_json::json!({"sbom": {"components": components}});
    let data = serde_json::json!({});
    let bindings = CelBindings::new(&evidence, &data, "prod", chrono::Utc::now());
    let copy = bindings.evidence.clone();
    let (Some(a), Some(b)) = (
        bindings
            .evidence
            .downcast_ref::<cel::common::types::CelMap>(),
        copy.downcast_ref::<cel::common::types::CelMap>(),
    ) else {
        panic!("the evidence is a map")
    };
    assert!(
        std::ptr::eq(a.inner(), b.inner()),
        "a clone shares the entries"
    );
    let text = "variables:\n  - name: all\n    expression: \"evidence.sbom.components.filter(c, c.licenses.exists(l, l == 'MIT'))\"\nvalidations:\n  - id: x\n    expression: \"size(variables.all) == 2000 && variables.all.all(c, c.name.startsWith('c'))\"\n";
    let file = PolicyFile {
        display: "x.cel.yaml".to_owned(),
        path: "x.cel.yaml".into(),
    };
    let policy = CelPolicy::load(&file, text).unwrap_or_else(|err| panic!("{err}"));
    for _ in 0..2 {
        let found = policy
            .evaluate(&bindings)
            .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(found.outcomes, vec![("x".to_owned(), true)]);
    }
}
