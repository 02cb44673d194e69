//! `stagegate audit`: the audit trail's commands (`verify`, `report`), and the append that
//! `gate` and `evaluate --audit` make after deciding.
//!
//! The store is `--audit-db` (or `STAGEGATE_AUDIT_DB`): `postgres://…`, or a SQLite file;
//! by default `.stagegate/audit.db` beside `stagegate.yaml`.

mod report;
mod verify;

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use miette::Report;

use crate::audit::{AuditRecord, ChainHead, Sealer, open};
use crate::cli::diagnostic::chain_report;
use crate::cli::exit::ExitStatus;
use crate::cli::output::config_path;

/// The default SQLite store, relative to the directory of `stagegate.yaml`.
pub const DEFAULT_AUDIT_DB: &str = ".stagegate/audit.db";

/// `stagegate audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// What to do with the audit trail.
    #[command(subcommand)]
    pub command: AuditCommand,
}

/// The `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain: exit 0 when intact, 1 naming the first edited or missing record.
    Verify(verify::AuditVerifyArgs),
    /// Promotion metrics from the audit trail: success rate, lead time, approval latency,
    /// provenance completeness, violations, waivers.
    Report(report::AuditReportArgs),
}

/// Where the store is.
#[derive(Debug, Clone, Args)]
pub struct AuditDbArgs {
    /// The audit store: `postgres://USER:PASSWORD@HOST/DB`, or a SQLite file [default:
    /// `.stagegate/audit.db` beside `stagegate.yaml`].
    #[arg(long, value_name = "URL|FILE", env = crate::env::EnvVars::STAGEGATE_AUDIT_DB)]
    pub audit_db: Option<String>,
    /// The stage configuration that locates the default store [default: ./stagegate.yaml].
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl AuditDbArgs {
    /// The store's location: the flag, else the default beside the config.
    pub fn location(&self) -> Result<String, Report> {
        location(self.audit_db.as_deref(), self.config.as_deref())
    }
}

/// `--audit-db`, else `.stagegate/audit.db` beside the config file.
pub(crate) fn location(audit_db: Option<&str>, config: Option<&Path>) -> Result<String, Report> {
    if let Some(db) = audit_db {
        return Ok(db.to_owned());
    }
    let config = config_path(config)?;
    let dir = config
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok(dir.join(DEFAULT_AUDIT_DB).display().to_string())
}

/// Runs `stagegate audit`.
pub fn audit(args: AuditArgs, color: bool) -> Result<ExitStatus, Report> {
    match args.command {
        AuditCommand::Verify(args) => verify::verify(args),
        AuditCommand::Report(args) => report::report(args, color),
    }
}

/// Appends the record of a decision. An append that fails is an error (exit 2): a promotion
/// nobody can account for must not go ahead.
pub(crate) fn append(
    location: &str,
    decided: &stagegate::Decided,
    command: &str,
    signer_key_id: Option<String>,
    started: std::time::Instant,
) -> Result<(), Report> {
    let record = AuditRecord::of(
        &decided.decision,
        command,
        &decided.approvals,
        &decided.attestations,
        signer_key_id,
        started.elapsed(),
    );
    let mut store = open(location).map_err(|e| chain_report(&e))?;
    let stored = store.append(&record).map_err(|e| chain_report(&e))?;
    tracing::info!("audit record {} appended to `{location}`", stored.seq);
    Ok(())
}

/// A signing gate's append: the record and the new head sealed with the gate's key (unsealed
/// when it signs keyless: there is no key of its own to seal with), and
/// `sign` called with the new head inside the transaction (the gate signs its decision, which
/// names that head, there). When `sign` fails nothing is appended and its error is returned.
pub(crate) fn append_sealed<T>(
    location: &str,
    record: &AuditRecord,
    sealer: Option<&dyn Sealer>,
    sign: impl FnOnce(&ChainHead) -> Result<T, Report>,
) -> Result<T, Report> {
    let mut store = open(location).map_err(|e| chain_report(&e))?;
    let mut sign = Some(sign);
    let mut signed: Option<Result<T, Report>> = None;
    let appended = store.append_sealed(record, sealer, &mut |head| {
        let result = match sign.take() {
            Some(sign) => sign(head),
            None => Err(miette::miette!("the decision was signed twice")),
        };
        let failed = result.is_err();
        signed = Some(result);
        if failed {
            Err("signing the decision failed".into())
        } else {
            Ok(())
        }
    });
    match (appended, signed) {
        (Ok(stored), Some(Ok(value))) => {
            tracing::info!(
                "audit record {} appended to `{location}`{}",
                stored.seq,
                if sealer.is_some() { ", sealed" } else { "" }
            );
            Ok(value)
        }
        (_, Some(Err(report))) => Err(report),
        (Err(err), _) => Err(chain_report(&err)),
        (Ok(_), None) => Err(miette::miette!(
            "the audit store did not ask for the signature"
        )),
    }
}
