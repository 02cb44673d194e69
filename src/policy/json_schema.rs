//! `json.match_schema` and `json.verify_schema` as OPA has them, replacing regorus's through
//! the extension API (an extension is looked up before a builtin).
//!
//! OPA: `json.match_schema(document, schema)` is `[true, []]` or `[false, errors]`, each error
//! `{error, type, field, desc}` worded as gojsonschema words it (`a: Invalid type. Expected:
//! number, given: string`, `(Root): Additional property b is not allowed`); a string document
//! or schema is JSON text. regorus 0.14 returns one error string and validates a string
//! document as a string, so libraries that read the errors (Conforma's `lib.json`) fail.
//! The common keywords are worded as gojsonschema does; the rest use the jsonschema crate's
//! own message. Nothing is fetched: a `$ref` to a remote schema (CycloneDX's refer to
//! `spdx.schema.json` and `jsf-0.82.schema.json`) reads as the empty schema, which accepts
//! anything, where gojsonschema would fetch it. Compiled schemas are kept (by the schema's
//! text), since policies pass the same large schema for every document.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use regorus::Value;
use serde_json::{Value as Json, json};

/// Compiled validators by the schema's JSON text.
type Cache = Arc<Mutex<HashMap<String, Arc<jsonschema::Validator>>>>;

/// Adds `json.match_schema` and `json.verify_schema`.
/// With `strict` false, an error (a document that is not JSON, an invalid schema) makes
/// the call undefined, as OPA's builtin errors are by default.
pub(crate) fn add_match_schema(engine: &mut regorus::Engine, strict: bool) -> anyhow::Result<()> {
    let cache: Cache = Arc::default();
    let verify_cache = Arc::clone(&cache);
    engine.add_extension(
        "json.match_schema".to_owned(),
        2,
        Box::new(move |args: Vec<Value>| match match_schema(&args, &cache) {
            Err(_) if !strict => Ok(Value::Undefined),
            other => other,
        }),
    )?;
    engine.add_extension(
        "json.verify_schema".to_owned(),
        1,
        Box::new(move |args: Vec<Value>| Ok(verify_schema(&args, &verify_cache))),
    )
}

/// `json.verify_schema(schema)`: `[true, null]`, or `[false, error]` as OPA words the errors
/// it words itself (a schema that is neither JSON text nor an object: `jsonschema: wrong
/// type, expected string or object`); others are the jsonschema crate's message.
fn verify_schema(args: &[Value], cache: &Cache) -> Value {
    let refused = |message: String| Value::from(json!([false, message]));
    let schema = match args.first() {
        Some(Value::String(text)) => match serde_json::from_str::<Json>(text) {
            Ok(schema) => schema,
            Err(err) => return refused(format!("jsonschema: {err}")),
        },
        Some(object @ Value::Object(_)) => match serde_json::to_value(object) {
            Ok(schema) => schema,
            Err(err) => return refused(format!("jsonschema: {err}")),
        },
        _ => return refused("jsonschema: wrong type, expected string or object".to_owned()),
    };
    match validator(&schema, cache) {
        Ok(_) => Value::from(json!([true, null])),
        Err(err) => refused(err.to_string()),
    }
}

/// Answers every remote `$ref` with the empty schema: nothing is fetched.
struct NoFetch;

impl jsonschema::Retrieve for NoFetch {
    fn retrieve(
        &self,
        _uri: &jsonschema::Uri<String>,
    ) -> Result<Json, Box<dyn std::error::Error + Send + Sync>> {
        Ok(json!({}))
    }
}

/// Removes every `$ref` that leaves the document (not `#…`): it reads as the empty schema.
fn drop_remote_refs(schema: &mut Json) {
    match schema {
        Json::Object(map) => {
            if map
                .get("$ref")
                .and_then(Json::as_str)
                .is_some_and(|r| !r.starts_with('#'))
            {
                map.remove("$ref");
            }
            map.values_mut().for_each(drop_remote_refs);
        }
        Json::Array(items) => items.iter_mut().for_each(drop_remote_refs),
        _ => {}
    }
}

fn validator(schema: &Json, cache: &Cache) -> anyhow::Result<Arc<jsonschema::Validator>> {
    let key = schema.to_string();
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(found);
    }
    let mut local = schema.clone();
    drop_remote_refs(&mut local);
    let compiled = jsonschema::options()
        .with_retriever(NoFetch)
        .build(&local)
        .map_err(|err| anyhow::anyhow!("json.match_schema: invalid schema: {err}"))?;
    let compiled = Arc::new(compiled);
    if let Ok(mut cache) = cache.lock()
        && cache.len() < 64
    {
        cache.insert(key, Arc::clone(&compiled));
    }
    Ok(compiled)
}

fn json_arg(value: Option<&Value>, what: &str) -> anyhow::Result<Json> {
    match value {
        Some(Value::String(text)) => serde_json::from_str(text)
            .map_err(|err| anyhow::anyhow!("json.match_schema: {what} is not JSON: {err}")),
        Some(other) => Ok(serde_json::to_value(other)?),
        None => anyhow::bail!("json.match_schema: missing {what}"),
    }
}

fn match_schema(args: &[Value], cache: &Cache) -> anyhow::Result<Value> {
    let document = json_arg(args.first(), "the document")?;
    let schema = json_arg(args.get(1), "the schema")?;
    let validator = validator(&schema, cache)?;
    let mut errors: Vec<Json> = Vec::new();
    for error in validator.iter_errors(&document) {
        push_errors(&error, &mut errors);
    }
    Ok(Value::from(json!([errors.is_empty(), errors])))
}

fn type_name(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn quoted_list(options: &Json) -> String {
    match options {
        Json::Array(items) => items
            .iter()
            .map(Json::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The errors gojsonschema reports for one of the jsonschema crate's: `anyOf` and a `oneOf`
/// that nothing matched add the errors of the best-matching branch (as gojsonschema merges
/// them); `uniqueItems` is one error per repeated item, naming the indexes of the pair; an
/// `additionalProperties` error is one error per property.
fn push_errors(error: &jsonschema::ValidationError<'_>, out: &mut Vec<Json>) {
    let field = field_of(error);
    match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            out.push(error_json(error, &field));
            if let Some(best) = best_branch(error, context) {
                for nested in best {
                    push_errors(nested, out);
                }
            }
        }
        ValidationErrorKind::UniqueItems => {
            for (i, j) in repeated_items(error.instance()) {
                let desc = format!("array items[{i},{j}] must be unique");
                out.push(described(&field, "unique", desc));
            }
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for property in unexpected {
                let desc = format!("Additional property {property} is not allowed");
                out.push(described(&field, "additional_property_not_allowed", desc));
            }
        }
        _ => out.push(error_json(error, &field)),
    }
}

/// The branch of an `anyOf`/`oneOf` gojsonschema reports: the one with the best score, the
/// first on a tie. gojsonschema scores a branch by the checks it passed less twice its
/// errors; here a branch whose `type` does not match the value scores lowest (gojsonschema
/// stops there), others by their number of errors.
fn best_branch<'e>(
    error: &jsonschema::ValidationError<'_>,
    branches: &'e [Vec<jsonschema::ValidationError<'static>>],
) -> Option<&'e Vec<jsonschema::ValidationError<'static>>> {
    let here = error.instance_path().as_str().to_owned();
    let score = |errors: &Vec<jsonschema::ValidationError<'static>>| -> i64 {
        let mismatched = errors.iter().any(|e| {
            matches!(e.kind(), ValidationErrorKind::Type { .. })
                && e.instance_path().as_str() == here
        });
        let count = i64::try_from(errors.len()).unwrap_or(i64::MAX / 4);
        if mismatched { -2 } else { 1_000 - 2 * count }
    };
    let mut best: Option<(&Vec<jsonschema::ValidationError<'static>>, i64)> = None;
    for branch in branches {
        let s = score(branch);
        if best.is_none_or(|(_, top)| s > top) {
            best = Some((branch, s));
        }
    }
    best.map(|(branch, _)| branch)
}

/// The pairs gojsonschema reports for `uniqueItems`: for each item equal to an earlier one,
/// the index of the last earlier equal item and its own.
fn repeated_items(instance: &Json) -> Vec<(usize, usize)> {
    let Json::Array(items) = instance else {
        return Vec::new();
    };
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut pairs = Vec::new();
    for (j, item) in items.iter().enumerate() {
        let key = item.to_string();
        if let Some(i) = seen.insert(key, j) {
            pairs.push((i, j));
        }
    }
    pairs
}

/// gojsonschema's field: the instance path joined with dots, `(root)` for the document.
fn field_of(error: &jsonschema::ValidationError<'_>) -> String {
    let segments: Vec<String> = error
        .instance_path()
        .iter()
        .map(|s| s.to_string())
        .collect();
    if segments.is_empty() {
        "(root)".to_owned()
    } else {
        segments.join(".")
    }
}

/// One error object as OPA returns it.
fn described(field: &str, kind: &str, desc: String) -> Json {
    let shown = if field == "(root)" { "(Root)" } else { field };
    json!({
        "error": format!("{shown}: {desc}"),
        "type": kind,
        "field": field,
        "desc": desc,
    })
}

/// One error as gojsonschema reports it through OPA.
fn error_json(error: &jsonschema::ValidationError<'_>, field: &str) -> Json {
    let instance = error.instance();
    let (kind, desc) = match error.kind() {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            };
            (
                "invalid_type",
                format!(
                    "Invalid type. Expected: {expected}, given: {}",
                    type_name(instance)
                ),
            )
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => (
            "additional_property_not_allowed",
            format!(
                "Additional property {} is not allowed",
                unexpected.join(", ")
            ),
        ),
        ValidationErrorKind::Required { property } => (
            "required",
            format!("{} is required", property.as_str().unwrap_or_default()),
        ),
        ValidationErrorKind::Enum { options } => (
            "enum",
            format!(
                "{field} must be one of the following: {}",
                quoted_list(options)
            ),
        ),
        ValidationErrorKind::Constant { expected_value } => {
            ("const", format!("{field} does not match: {expected_value}"))
        }
        ValidationErrorKind::Pattern { pattern } => {
            ("pattern", format!("Does not match pattern '{pattern}'"))
        }
        ValidationErrorKind::Format { format } => {
            ("format", format!("Does not match format '{format}'"))
        }
        ValidationErrorKind::MinItems { limit } => (
            "array_min_items",
            format!("Array must have at least {limit} items"),
        ),
        ValidationErrorKind::MaxItems { limit } => (
            "array_max_items",
            format!("Array must have at most {limit} items"),
        ),
        ValidationErrorKind::MinLength { limit } => (
            "string_gte",
            format!("String length must be greater than or equal to {limit}"),
        ),
        ValidationErrorKind::MaxLength { limit } => (
            "string_lte",
            format!("String length must be less than or equal to {limit}"),
        ),
        ValidationErrorKind::Minimum { limit } => (
            "number_gte",
            format!("Must be greater than or equal to {limit}"),
        ),
        ValidationErrorKind::Maximum { limit } => (
            "number_lte",
            format!("Must be less than or equal to {limit}"),
        ),
        ValidationErrorKind::AnyOf { .. } => (
            "number_any_of",
            "Must validate at least one schema (anyOf)".to_owned(),
        ),
        ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. } => (
            "number_one_of",
            "Must validate one and only one schema (oneOf)".to_owned(),
        ),
        ValidationErrorKind::UniqueItems => ("unique", "array items must be unique".to_owned()),
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            ("number_gt", format!("Must be greater than {limit}"))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            ("number_lt", format!("Must be less than {limit}"))
        }
        ValidationErrorKind::MinProperties { limit } => (
            "array_min_properties",
            format!("Must have at least {limit} properties"),
        ),
        ValidationErrorKind::MaxProperties { limit } => (
            "array_max_properties",
            format!("Must have at most {limit} properties"),
        ),
        ValidationErrorKind::Contains => (
            "contains",
            "At least one of the items must match".to_owned(),
        ),
        ValidationErrorKind::Not { .. } => (
            "number_not",
            "Must not validate the schema (not)".to_owned(),
        ),
        _ => ("other", error.to_string()),
    };
    described(field, kind, desc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_worded_as_opa_words_them() {
        let schema = Value::from(json!({
            "type": "object",
            "properties": {"a": {"type": "number"}},
            "additionalProperties": false
        }));
        let cache = Cache::default();
        let result = match_schema(
            &[Value::from(r#"{"a": "x", "b": 1}"#), schema.clone()],
            &cache,
        );
        let json = result.ok().and_then(|v| serde_json::to_value(&v).ok());
        let Some(json) = json else {
            panic!("match_schema failed")
        };
        assert_eq!(json[0], false);
        let errors: Vec<&str> = json[1]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["error"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            errors.contains(&"a: Invalid type. Expected: number, given: string"),
            "{errors:?}"
        );
        assert!(
            errors.contains(&"(Root): Additional property b is not allowed"),
            "{errors:?}"
        );
        let ok = match_schema(&[Value::from(json!({"a": 1})), schema], &cache);
        let ok = ok.ok().and_then(|v| serde_json::to_value(&v).ok());
        assert_eq!(ok, Some(json!([true, []])));
    }

    fn errors_of(document: Json, schema: Json) -> Vec<String> {
        let cache = Cache::default();
        let result = match_schema(&[Value::from(document), Value::from(schema)], &cache);
        let json = result.ok().and_then(|v| serde_json::to_value(&v).ok());
        let Some(json) = json else {
            panic!("match_schema failed")
        };
        let mut errors: Vec<String> = json[1]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["error"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        errors.sort();
        errors
    }

    #[test]
    fn verify_schema_words_a_wrong_type_as_opa() {
        let cache = Cache::default();
        let verdict = |schema: Value| serde_json::to_value(verify_schema(&[schema], &cache)).ok();
        assert_eq!(
            verdict(Value::from(json!(["something"]))),
            Some(json!([
                false,
                "jsonschema: wrong type, expected string or object"
            ]))
        );
        assert_eq!(
            verdict(Value::from(json!({"type": "object"}))),
            Some(json!([true, null]))
        );
        assert_eq!(
            verdict(Value::from(r#"{"type": "string"}"#)),
            Some(json!([true, null]))
        );
        let invalid = verdict(Value::from(json!({"type": 12})));
        assert_eq!(invalid.map(|v| v[0].clone()), Some(json!(false)));
    }

    #[test]
    fn repeated_items_name_their_indexes() {
        let schema = json!({"type": "array", "uniqueItems": true});
        assert_eq!(
            errors_of(json!([1, "foo", "foo", "foo"]), schema),
            [
                "(Root): array items[1,2] must be unique",
                "(Root): array items[2,3] must be unique"
            ]
        );
    }

    #[test]
    fn any_of_reports_the_best_branch_as_gojsonschema_does() {
        let schema = json!({"type": "array", "items": {"anyOf": [
            {"type": "object", "properties": {"value": {"type": "string"}},
             "additionalProperties": false, "required": ["value"]},
            {"type": "string"}
        ]}});
        assert_eq!(
            errors_of(json!([["spam"], {"spam": 1, "other": 2}]), schema),
            [
                "0: Invalid type. Expected: object, given: array",
                "0: Must validate at least one schema (anyOf)",
                "1: Additional property other is not allowed",
                "1: Additional property spam is not allowed",
                "1: Must validate at least one schema (anyOf)",
                "1: value is required",
            ]
        );
    }
}
