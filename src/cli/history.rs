//! `stagegate history --stage S [--subject NAME]`: the known-good digests of a stage from the
//! audit trail (newest first, each with its signed, passing results), for the operator who
//! needs the last good release to roll back to. Exit 0 with a list, 1 when the trail names
//! none (or its hash chain is broken), 2 on an error.

use clap::{Args, ValueEnum};
use miette::Report;

use crate::audit::history::{KnownGood, known_good};
use crate::audit::open;
use crate::cli::audit::AuditDbArgs;
use crate::cli::diagnostic::chain_report;
use crate::cli::exit::ExitStatus;

/// The formats of `history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    /// One block per digest.
    Text,
    /// A JSON array of `{name, digest, results[]}`.
    Json,
}

/// `stagegate history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The stage.
    #[arg(long, short)]
    pub stage: String,
    /// Only this artifact: `NAME` (the registry host may be left out), `sha256:HEX` or
    /// `NAME@sha256:HEX`.
    #[arg(long, value_name = "NAME")]
    pub subject: Option<String>,
    /// At most this many digests.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,
    /// The store.
    #[command(flatten)]
    pub db: AuditDbArgs,
}

/// Runs `stagegate history`.
pub fn history(args: HistoryArgs) -> Result<ExitStatus, Report> {
    let location = args.db.location()?;
    let mut store = open(&location).map_err(|e| chain_report(&e))?;
    let found = known_good(store.as_mut(), &args.stage, args.subject.as_deref())
        .map_err(|e| chain_report(&e))?;
    let mut found = match found {
        Ok(found) => found,
        Err(broken) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("error: audit chain broken at {broken}: no history read from it");
            }
            return Ok(ExitStatus::PolicyFailure);
        }
    };
    if let Some(limit) = args.limit {
        found.truncate(limit);
    }
    let text = match args.format {
        HistoryFormat::Json => {
            let mut json = serde_json::to_string_pretty(&found).map_err(|e| chain_report(&e))?;
            json.push('\n');
            json
        }
        HistoryFormat::Text => render(&args.stage, &found),
    };
    #[allow(clippy::print_stdout)]
    {
        print!("{text}");
    }
    Ok(if found.is_empty() {
        ExitStatus::PolicyFailure
    } else {
        ExitStatus::Success
    })
}

fn render(stage: &str, found: &[KnownGood]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if found.is_empty() {
        let _ = writeln!(
            out,
            "No signed, passing `{stage}` result in the audit trail."
        );
        return out;
    }
    let _ = writeln!(
        out,
        "Known-good digests of `{stage}` (newest first): {}",
        found.len()
    );
    for known in found {
        let _ = writeln!(out, "\n{}@{}", known.name, known.digest);
        for result in &known.results {
            let _ = writeln!(
                out,
                "  {}  promotion {}  signed by key {}  policy {}  (record {})",
                result.evaluated_at,
                result.promotion_id,
                result.signer_key_id,
                result.policy_digest,
                result.seq
            );
        }
    }
    out
}
