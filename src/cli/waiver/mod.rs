//! `stagegate waiver`: commands on waiver files. `sign` turns a YAML waiver file into a signed
//! waiver set, which a stage with `require_signed_waivers: true` accepts when the key belongs
//! to a `trust.approvers` entry holding a role in `trust.waiver_roles` (checked by
//! the gate at evaluation time, `crate::gate::waivers`, not here).

mod sign;

use clap::{Args, Subcommand};
use miette::Report;

use crate::cli::exit::ExitStatus;

/// `stagegate waiver`.
#[derive(Debug, Args)]
pub struct WaiverArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: WaiverCommand,
}

/// The `waiver` subcommands.
#[derive(Debug, Subcommand)]
pub enum WaiverCommand {
    /// Sign a YAML waiver file (`waivers:` and a list) as a waiver set: an in-toto Statement
    /// (`https://stagegate.dev/waiver/v1`) in a Sigstore bundle v0.3.
    Sign(sign::WaiverSignArgs),
}

/// Runs `stagegate waiver`.
pub fn waiver(args: WaiverArgs) -> Result<ExitStatus, Report> {
    match args.command {
        WaiverCommand::Sign(args) => sign::sign(args),
    }
}
