//! `stagegate collect`: the files the pipeline's tools wrote, turned into one Evidence v1
//! document, written atomically (or to standard output). Any bad input is exit 2 and no
//! document at all.

use std::io::Write;

use miette::Report;

use crate::cli::args::CollectCommandArgs;
use crate::cli::collect_args::CollectArgs;
use crate::cli::diagnostic::{chain_report, evidence_report};
use crate::cli::exit::ExitStatus;
use crate::cli::output::write_atomically;
use crate::evidence::{Evidence, collect as collect_evidence};
use crate::limits::Limits;

/// Collects evidence and serialises it.
pub fn collect_bytes(args: &CollectArgs, limits: Limits) -> Result<(Evidence, Vec<u8>), Report> {
    let request = args.to_request(limits).map_err(|e| evidence_report(&e))?;
    let evidence = collect_evidence(&request).map_err(|e| evidence_report(&e))?;
    let bytes = evidence.to_json_bytes().map_err(|e| evidence_report(&e))?;
    Ok((evidence, bytes))
}

/// Runs `stagegate collect`.
pub fn collect(args: CollectCommandArgs) -> Result<ExitStatus, Report> {
    let (evidence, bytes) = collect_bytes(&args.collect, args.limits.limits())?;
    tracing::info!(sources = evidence.sources.len(), "collected evidence");
    match &args.output {
        Some(path) => write_atomically(path, &bytes)?,
        None => {
            let mut stdout = std::io::stdout().lock();
            if let Err(err) = stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
                if err.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(chain_report(&err));
                }
            }
        }
    }
    Ok(ExitStatus::Success)
}
