//! Waivers for `evaluate` and `gate`: reads the signed waiver sets `stagegate.yaml` points to
//! (verified by `verify` against the `trust.approvers` whose roles are in
//! `trust.waiver_roles`), applies every waiver with `policy::waivers::apply_waivers` at the
//! effective time, and prints the notices (expired, expiring, stale, unsigned) to stderr as
//! `warning:` lines. A waiver naming a rule the stage does not define is an error (exit 2).

use miette::Report;

use crate::cli::diagnostic::{chain_report, limit_report, policy_report};
use crate::cli::signing::load_trust;
use crate::decision::{Finding, RuleInfo};
use crate::evidence::Subject;
use crate::limits::{Limits, read_limited};
use crate::policy::config::{Config, Stage};
use crate::policy::waivers::{
    DEFAULT_WARNING_WINDOW, WAIVER_PREDICATE_TYPE, Waiver, WaiverOrigin, WaiverResult, WaiverScope,
    apply_waivers, waivers_from_predicate,
};
use crate::verify::policy::{Rule, VerificationPolicy};
use crate::verify::{CheckedBundle, Verifier, VerifyError};

/// Applies the config's waivers to a stage's findings at `now` (the effective time).
pub(crate) fn waive(
    config: &Config,
    stage: &Stage,
    subject: &Subject,
    now: chrono::DateTime<chrono::Utc>,
    rules: &[RuleInfo],
    violations: Vec<Finding>,
    warnings: Vec<Finding>,
) -> Result<WaiverResult, Report> {
    let warning_window = config
        .waiver_warning_window
        .map_or(DEFAULT_WARNING_WINDOW, |w| w.value.as_std());
    let mut waivers = config.waivers.clone();
    waivers.extend(signed_waivers(config)?);
    let result = apply_waivers(
        &waivers,
        &WaiverScope {
            stage: &stage.name,
            subject,
            now,
            warning_window,
            require_signed: stage.require_signed_waivers,
        },
        rules,
        violations,
        warnings,
    )
    .map_err(|e| policy_report(&e))?;
    for notice in &result.notices {
        warn(&notice.to_string());
    }
    Ok(result)
}

/// The waivers of every signed waiver set whose signature verifies with a trusted approver's
/// key. A set that does not verify is skipped with a warning: its content is never used.
fn signed_waivers(config: &Config) -> Result<Vec<Waiver>, Report> {
    if config.signed_waiver_files.is_empty() {
        return Ok(Vec::new());
    }
    let verifier = Verifier::new(&load_trust(&config.trust)?);
    let policy = VerificationPolicy::builder()
        .rule(Rule::PredicateType(WAIVER_PREDICATE_TYPE.to_owned()))
        .build()
        .map_err(|e| miette::miette!("{e}"))?;
    let stage_names: Vec<&str> = config.stages.iter().map(|s| s.name.as_str()).collect();
    let mut waivers = Vec::new();
    for file in &config.signed_waiver_files {
        let bytes =
            read_limited(&file.resolved, &Limits::default()).map_err(|e| limit_report(&e))?;
        let checked = CheckedBundle::from_json(&bytes)
            .map_err(VerifyError::from)
            .and_then(|bundle| verifier.verify_by_approver(&bundle, &policy));
        let (verified, may_waive) = match checked {
            Ok(checked) => checked,
            Err(err) => {
                warn(&format!(
                    "{}:{}:{}: signed waiver set `{}` does not verify with any `trust.approvers` key, so none of its waivers apply: {}",
                    config.path.display(),
                    file.line,
                    file.column,
                    file.written,
                    chain_report(&err)
                ));
                continue;
            }
        };
        let signer = verified.signer().name.clone();
        let Some(statement) = verified.into_statement() else {
            continue;
        };
        if !may_waive {
            warn(&format!(
                "signed waiver set `{}` is signed by `{signer}`, whose roles are not in `trust.waiver_roles`: its waivers count as unsigned",
                file.written
            ));
        }
        let origin = WaiverOrigin {
            path: &file.resolved,
            file: &file.written,
            signed_by: may_waive.then_some(signer.as_str()),
        };
        waivers.extend(
            waivers_from_predicate(&statement.predicate, &origin, &stage_names)
                .map_err(|e| policy_report(&e))?,
        );
    }
    Ok(waivers)
}

/// One `warning:` line on stderr.
pub(crate) fn warn(message: &str) {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("warning: {message}");
    }
}
