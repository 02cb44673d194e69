//! The builtin errors a stage with `rego: {strict_builtin_errors: false}` silenced.
//!
//! With OPA's semantics a builtin error (`to_number("x")`) makes its expression undefined, so a
//! `deny` whose body hit one quietly does not fire. To keep that visible, after such a stage
//! is evaluated every rule is evaluated once more with strict builtin errors, on a copy of the
//! engine; each rule that errors there is counted, and the first [`SHOWN`] are reported as
//! warnings with the file and line of the error.
//!
//! What cannot be observed: only the first error of each rule is seen (evaluation stops
//! there); an error inside an implemented extension (`ec.purl.parse` of an invalid purl,
//! `json.match_schema` of a bad schema) is undefined on both passes; and an error in a rule
//! that is not a gate rule shows only through the gate rule that reads it.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value as Json};

use crate::decision::{Finding, Severity, SourceLocation};
use crate::policy::rego_engine::{located_engine_error, pin_now, time_limit};

/// How many silenced builtin errors are reported one by one.
pub const SHOWN: usize = 5;

/// The rule id of the warnings this reports.
pub const RULE_ID: &str = "stagegate.rego.builtin_error";

/// Evaluates `rules` (`(rule id, data path)`) again with strict builtin errors; returns the
/// warnings for the rules that error (the first [`SHOWN`], and one with the count).
pub(crate) fn observe(
    engine: &regorus::Engine,
    rules: &[(String, String)],
    input: regorus::Value,
    now_ns: i64,
    timeout: Duration,
) -> Vec<Finding> {
    let mut engine = engine.clone();
    engine.set_strict_builtin_errors(true);
    engine.set_input(input);
    engine.set_execution_timer_config(time_limit(timeout));
    if pin_now(&mut engine, now_ns).is_err() {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut count = 0usize;
    for (id, path) in rules {
        let Err(err) = engine.eval_rule(path.clone()) else {
            continue;
        };
        count += 1;
        if found.len() < SHOWN {
            let located = located_engine_error(Path::new("<policy>"), &err);
            let mut details = Map::new();
            details.insert("rule".into(), Json::from(id.clone()));
            found.push(Finding {
                rule: RULE_ID.to_owned(),
                message: format!(
                    "a builtin error made part of `{id}` undefined (strict_builtin_errors: false): {}",
                    located.message
                ),
                severity: Severity::Info,
                source: at(&err),
                title: Some("Builtin error silenced".to_owned()),
                details,
            });
        }
    }
    if count > SHOWN {
        let mut details = Map::new();
        details.insert("count".into(), Json::from(count));
        found.push(Finding {
            rule: RULE_ID.to_owned(),
            message: format!(
                "{count} rules hit a silenced builtin error; the first {SHOWN} are shown"
            ),
            severity: Severity::Info,
            source: None,
            title: Some("Builtin errors silenced".to_owned()),
            details,
        });
    }
    found
}

/// The `file:line` a regorus error names.
fn at(err: &anyhow::Error) -> Option<SourceLocation> {
    let text = err.to_string();
    text.lines().find_map(|line| {
        let at = line.trim_start().strip_prefix("--> ")?;
        let mut parts = at.rsplitn(3, ':');
        let _column = parts.next()?;
        let line = parts.next()?.trim().parse().ok()?;
        let file = parts.next()?.trim().to_owned();
        Some(SourceLocation { file, line })
    })
}
