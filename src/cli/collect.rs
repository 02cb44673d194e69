//! `stagegate collect`: the files the pipeline's tools wrote, turned into one Evidence v1
//! document, written atomically (or to standard output). Any bad input is exit 2 and no
//! document at all.

use miette::Report;

use crate::cli::args::CollectCommandArgs;
use crate::cli::collect_args::CollectArgs;
use crate::cli::diagnostic::{chain_report, evidence_report};
use crate::cli::exit::ExitStatus;
use crate::cli::output::write_atomically_with;
use crate::evidence::{Evidence, collect as collect_evidence};
use crate::limits::Limits;

/// Collects evidence and serialises it.
pub fn collect_bytes(args: &CollectArgs, limits: Limits) -> Result<(Evidence, Vec<u8>), Report> {
    let request = args.to_request(limits).map_err(|e| evidence_report(&e))?;
    let evidence = collect_evidence(&request).map_err(|e| evidence_report(&e))?;
    let bytes = evidence.to_json_bytes().map_err(|e| evidence_report(&e))?;
    Ok((evidence, bytes))
}

/// Runs `stagegate collect`. The document is streamed to its file or standard output rather
/// than built in memory first (a 50,000-component SBOM makes an 80 MB document).
pub fn collect(args: CollectCommandArgs) -> Result<ExitStatus, Report> {
    let request = args
        .collect
        .to_request(args.limits.limits())
        .map_err(|e| evidence_report(&e))?;
    let evidence = collect_evidence(&request).map_err(|e| evidence_report(&e))?;
    tracing::info!(sources = evidence.sources.len(), "collected evidence");
    match &args.output {
        Some(path) => write_atomically_with(path, |file| {
            evidence.write_json(file).map_err(std::io::Error::other)
        })?,
        None => {
            let stdout = std::io::BufWriter::new(std::io::stdout().lock());
            if let Err(err) = evidence.write_json(stdout) {
                let broken_pipe = std::error::Error::source(&err)
                    .and_then(|e| e.downcast_ref::<serde_json::Error>())
                    .and_then(|e| e.io_error_kind())
                    == Some(std::io::ErrorKind::BrokenPipe);
                if !broken_pipe {
                    return Err(chain_report(&err));
                }
            }
        }
    }
    Ok(ExitStatus::Success)
}
