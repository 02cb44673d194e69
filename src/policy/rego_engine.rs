//! The regorus engine as every Rego evaluation uses it: gates, the VM, the builtin-error
//! probe and `stagegate test` all build their engine here ([`new_engine`]), with the same
//! strict builtin errors, policy length limits, time limit ([`time_limit`]) and pinned
//! `time.now_ns()` ([`pin_now`]), and read regorus's errors the same way
//! ([`located_engine_error`]).

use std::num::{NonZeroU32, NonZeroUsize};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use regorus::utils::limits::{ExecutionTimerConfig, PolicyLengthConfig};
use serde_json::Value as Json;

use crate::policy::builtins::{RegoOptions, add_builtins};
use crate::policy::error::{Located, PolicyError};
use crate::policy::files::PolicyFile;
use crate::policy::rego_meta::rewrite_metadata_calls;

/// regorus's time limit for `limit`, checked every 1,000 units of work (often enough to stop
/// within milliseconds, rarely enough to cost nothing). Shared by the interpreter, the VM and
/// the test runner.
pub(crate) fn time_limit(limit: Duration) -> ExecutionTimerConfig {
    ExecutionTimerConfig {
        limit,
        check_interval: NonZeroU32::MIN.saturating_add(999),
    }
}

/// Adds one module, in Rego v1 unless it only parses as v0.
///
/// Policies written before OPA 1.0 (gatekeeper-library, older conftest policies) use v0 syntax
/// (`deny[msg] { … }`). A module that fails to parse as v1 but parses as v0 is read as v0, as
/// `opa --v0-compatible` would read it; a module that parses as neither reports the error of
/// the parse that got further.
fn add_module(
    engine: &mut regorus::Engine,
    file: &PolicyFile,
    text: &Arc<str>,
) -> Result<(), PolicyError> {
    crate::policy::nesting::check_nesting(&file.path, text)?;
    let v1_error = match engine.add_policy(file.display.clone(), text.to_string()) {
        Ok(_) => return Ok(()),
        Err(err) => err,
    };
    engine.set_rego_v0(true);
    let v0 = engine.add_policy(file.display.clone(), text.to_string());
    engine.set_rego_v0(false);
    match v0 {
        Ok(_) => {
            tracing::debug!(file = %file.display, "read as Rego v0");
            Ok(())
        }
        // Report the parse that got further: that is the syntax the author wrote in.
        Err(v0_error) => {
            let v1 = located_engine_error(&file.path, &v1_error);
            let v0 = located_engine_error(&file.path, &v0_error);
            Err(PolicyError::Rego(
                if (v0.line, v0.column) > (v1.line, v1.column) {
                    v0.with_help("read as Rego v0, since it does not parse as v1")
                } else {
                    v1
                },
            ))
        }
    }
}

/// An engine as gates and tests use it: strict builtin errors, every module parsed once (each
/// under its display name), and `data` added. Shared with [`crate::testing`].
pub(crate) fn new_engine(
    files: &[(PolicyFile, Arc<str>)],
    data: &Json,
    options: &RegoOptions,
) -> Result<regorus::Engine, PolicyError> {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(options.strict_builtin_errors);
    engine.set_policy_length_config(policy_length());
    let extension_error = |err: anyhow::Error| PolicyError::Evaluation {
        rule: "<builtins>".to_owned(),
        error: Located::new(Path::new("<engine>"), 0, 0, err.to_string()),
    };
    add_builtins(&mut engine, options).map_err(extension_error)?;
    let (files, metadata) = rewrite_metadata_calls(files);
    if !metadata.is_empty() {
        metadata.install(&mut engine).map_err(extension_error)?;
    }
    for (file, text) in &files {
        add_module(&mut engine, file, text)?;
    }
    let data_value = regorus::Value::from_json_str(&data.to_string())
        .map_err(|err| PolicyError::Data(Located::new(Path::new("data"), 0, 0, err.to_string())))?;
    engine
        .add_data(data_value)
        .map_err(|err| PolicyError::Data(Located::new(Path::new("data"), 0, 0, err.to_string())))?;
    crate::policy::recursion::refuse_recursive_functions(&mut engine, &files)?;
    prepare(&mut engine, &files)?;
    Ok(engine)
}

/// regorus's limits on a policy file, raised to stagegate's own input limits (a file is read
/// through [`crate::limits::read_limited`] first): generated modules (Conforma's SBOM schemas,
/// recorded test data) have lines far longer than regorus's default 1,024 columns.
pub(crate) fn policy_length() -> PolicyLengthConfig {
    let max = crate::limits::Limits::default().max_file_bytes;
    let bytes = usize::try_from(max).unwrap_or(usize::MAX);
    PolicyLengthConfig {
        max_col: NonZeroU32::new(u32::try_from(max).unwrap_or(u32::MAX)).unwrap_or(NonZeroU32::MAX),
        max_file_bytes: NonZeroUsize::new(bytes).unwrap_or(NonZeroUsize::MAX),
        max_lines: NonZeroUsize::new(bytes).unwrap_or(NonZeroUsize::MAX),
    }
}

/// Has regorus analyse and schedule the modules now. It does that on an engine's first
/// evaluation, and every evaluation works on a clone of this engine: unprepared, each clone
/// (one per evaluation, one per thread) did the work again, 5–10 ms for the starter library.
/// An error found here (an unsafe variable, say) is a policy error at its file and line.
fn prepare(
    engine: &mut regorus::Engine,
    files: &[(PolicyFile, Arc<str>)],
) -> Result<(), PolicyError> {
    match engine.eval_query("true".to_owned(), false) {
        Ok(_) => Ok(()),
        Err(err) => {
            let mut located = located_engine_error(Path::new("<policy>"), &err);
            let text = err.to_string();
            let named = files.iter().find(|(file, _)| {
                text.lines().any(|line| {
                    line.trim_start()
                        .strip_prefix("--> ")
                        .is_some_and(|at| at.starts_with(&format!("{}:", file.display)))
                })
            });
            if let Some((file, _)) = named {
                located.path = file.path.clone();
            }
            Err(PolicyError::Rego(located))
        }
    }
}

/// Pins `time.now_ns()` to `now_ns` (an extension shadows the builtin; a `with time.now_ns as
/// …` in a test still takes precedence, regorus checks `with` overrides first).
pub(crate) fn pin_now(engine: &mut regorus::Engine, now_ns: i64) -> Result<(), PolicyError> {
    engine
        .add_extension(
            "time.now_ns".to_owned(),
            0,
            Box::new(move |_| Ok(regorus::Value::from(now_ns))),
        )
        .map_err(|err| PolicyError::Evaluation {
            rule: "time.now_ns".to_owned(),
            error: Located::new(Path::new("<engine>"), 0, 0, err.to_string()),
        })
}

/// Reads `--> file:line:col` and the `error: ...` line out of a regorus error message.
pub(crate) fn located_engine_error(fallback: &Path, err: &anyhow::Error) -> Located {
    let text = err.to_string();
    let mut located = Located::new(fallback, 0, 0, text.trim().to_owned());
    for line in text.lines() {
        if let Some(at) = line.trim_start().strip_prefix("--> ") {
            let mut parts = at.rsplitn(3, ':');
            let column = parts.next().and_then(|c| c.trim().parse().ok());
            let row = parts.next().and_then(|l| l.trim().parse().ok());
            if let (Some(column), Some(row)) = (column, row) {
                located.line = row;
                located.column = column;
            }
        }
        if let Some(message) = line.trim_start().strip_prefix("error: ") {
            located.message = message.to_owned();
        }
    }
    located
}
