//! `stagegate audit verify`: walk the hash chain, exit 1 at the first broken record.

use clap::Args;
use miette::Report;

use super::AuditDbArgs;
use crate::audit::{open, verify_chain};
use crate::cli::diagnostic::chain_report;
use crate::cli::exit::ExitStatus;

/// `stagegate audit verify`.
#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// The store.
    #[command(flatten)]
    pub db: AuditDbArgs,
}

/// Runs `stagegate audit verify`.
pub fn verify(args: AuditVerifyArgs) -> Result<ExitStatus, Report> {
    let location = args.db.location()?;
    let mut store = open(&location).map_err(|e| chain_report(&e))?;
    let result = verify_chain(store.as_mut()).map_err(|e| chain_report(&e))?;
    #[allow(clippy::print_stderr)]
    match result {
        Ok(count) => {
            eprintln!("audit chain intact: {count} records");
            Ok(ExitStatus::Success)
        }
        Err(broken) => {
            eprintln!("error: audit chain broken at {broken}");
            eprintln!();
            eprintln!(
                "hint: records from {} on cannot be trusted; restore them from a backup",
                broken.seq
            );
            Ok(ExitStatus::PolicyFailure)
        }
    }
}
