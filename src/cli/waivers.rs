//! Waivers for `evaluate` and `gate`: reads the signed waiver sets `stagegate.yaml` points to
//! (verified by `verify` against the `trust.approvers` whose roles are in
//! `trust.waiver_roles`), applies every waiver with `policy::waivers::apply_waivers` at the
//! effective time, and prints the notices (expired, expiring, stale, unsigned) to stderr as
//! `warning:` lines. A waiver naming a rule the stage does not define is an error (exit 2).

use miette::Report;

use crate::cli::diagnostic::{chain_report, limit_report, policy_report};
use crate::cli::signing::load_public_key;
use crate::decision::{Finding, RuleInfo};
use crate::evidence::Subject;
use crate::limits::{Limits, read_limited};
use crate::policy::config::{Config, Stage};
use crate::policy::waivers::{
    DEFAULT_WARNING_WINDOW, WAIVER_PREDICATE_TYPE, Waiver, WaiverOrigin, WaiverResult, WaiverScope,
    apply_waivers, waivers_from_predicate,
};
use crate::verify::policy::{Rule, VerificationPolicy};
use crate::verify::{TrustedKey, verify};

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
    let mut approvers = Vec::new();
    for approver in &config.trust.approvers {
        approvers.push((
            TrustedKey {
                name: approver.name.clone(),
                key: load_public_key(&approver.key.resolved)?,
            },
            approver
                .roles
                .iter()
                .any(|role| config.trust.waiver_roles.contains(role)),
        ));
    }
    let trusted: Vec<TrustedKey> = approvers.iter().map(|(key, _)| key.clone()).collect();
    let policy = VerificationPolicy::builder()
        .rule(Rule::PredicateType(WAIVER_PREDICATE_TYPE.to_owned()))
        .build()
        .map_err(|e| miette::miette!("{e}"))?;
    let stage_names: Vec<&str> = config.stages.iter().map(|s| s.name.as_str()).collect();
    let mut waivers = Vec::new();
    for file in &config.signed_waiver_files {
        let bytes =
            read_limited(&file.resolved, &Limits::default()).map_err(|e| limit_report(&e))?;
        let verified = match verify(&bytes, &trusted, &policy) {
            Ok(verified) => verified,
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
        let Some(statement) = verified.statement else {
            continue;
        };
        let may_waive = approvers
            .iter()
            .any(|(key, allowed)| key.name == verified.signer && *allowed);
        if !may_waive {
            warn(&format!(
                "signed waiver set `{}` is signed by `{}`, whose roles are not in `trust.waiver_roles`: its waivers count as unsigned",
                file.written, verified.signer
            ));
        }
        let origin = WaiverOrigin {
            path: &file.resolved,
            file: &file.written,
            signed_by: may_waive.then_some(verified.signer.as_str()),
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
