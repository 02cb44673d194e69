//! `stagegate audit report`: promotion metrics from the audit trail, as text, JSON or a
//! self-contained HTML page with inline SVG charts.
//!
//! The hash chain is verified in the same pass that reads the records: when it is broken the
//! report is still written, a warning names the first broken record, and the exit status is 1.

#![deny(clippy::arithmetic_side_effects)]

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use miette::Report;

use super::AuditDbArgs;
use crate::audit::metrics::PromotionMetrics;
use crate::audit::{AuditRecord, ChainVerifier, open};
use crate::cli::diagnostic::chain_report;
use crate::cli::exit::ExitStatus;
use crate::cli::output::{write_atomically, write_stdout};
use crate::report::audit::{render_html, render_json, render_text};

/// The formats of `audit report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditReportFormat {
    /// A summary for a terminal or CI log.
    Text,
    /// The metrics as JSON.
    Json,
    /// One self-contained HTML page with charts (inline SVG, no scripts, no network).
    Html,
}

/// `stagegate audit report`.
#[derive(Debug, Args)]
pub struct AuditReportArgs {
    /// The store.
    #[command(flatten)]
    pub db: AuditDbArgs,
    /// Only decisions evaluated within this long before now (`30d`, `12h`); all when omitted.
    #[arg(long, value_name = "DURATION", value_parser = crate::time::Duration::parse)]
    pub since: Option<crate::time::Duration>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = AuditReportFormat::Text)]
    pub format: AuditReportFormat,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The stage whose pass ends a promotion's lead time.
    #[arg(long, value_name = "STAGE", default_value = "prod")]
    pub production_stage: String,
    /// Flag waivers expiring within this long.
    #[arg(long, value_name = "DURATION", default_value = "14d", value_parser = crate::time::Duration::parse)]
    pub waiver_warning_window: crate::time::Duration,
    /// What "now" is (RFC 3339), for reproducible reports; default: the current time.
    #[arg(long, value_name = "TIME", value_parser = crate::cli::args::parse_time)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

/// Runs `stagegate audit report`.
pub fn report(args: AuditReportArgs, _color: bool) -> Result<ExitStatus, Report> {
    let location = args.db.location()?;
    if let Some(output) = &args.output {
        // The report must not replace the SQLite store it reads.
        let store = std::path::Path::new(location.strip_prefix("sqlite://").unwrap_or(&location));
        crate::fs::check_distinct(
            &[("`--output`".to_owned(), output.as_path())],
            &[("the audit store".to_owned(), store)],
        )
        .map_err(|e| chain_report(&e))?;
    }
    let now = args.now.unwrap_or_else(chrono::Utc::now);
    let since = args
        .since
        .map(|d| crate::decision::rfc3339(crate::time::earlier(now, d)));
    let mut store = open(&location).map_err(|e| chain_report(&e))?;
    let mut records = Vec::new();
    let mut unreadable = 0usize;
    // The chain is verified in the same pass that reads the records: a report over records
    // that may have been edited must say so (one scan, so the check costs only the hashing).
    let head = store.head().map_err(|e| chain_report(&e))?;
    let mut verifier = ChainVerifier::default();
    let mut broken = None;
    store
        .scan(None, &mut |stored| {
            if broken.is_none()
                && let Err(err) = verifier.next(&stored)
            {
                broken = Some(err);
            }
            match serde_json::from_str::<AuditRecord>(&stored.body) {
                Ok(record) => {
                    if since
                        .as_deref()
                        .is_none_or(|since| record.evaluated_at.as_str() >= since)
                    {
                        records.push(record);
                    }
                }
                Err(_) => unreadable = unreadable.saturating_add(1),
            }
            true
        })
        .map_err(|e| chain_report(&e))?;
    let broken = match broken {
        Some(err) => Some(err),
        None => verifier.finish(&head).err(),
    };
    if let Some(err) = &broken {
        crate::cli::output::warn(&format!(
            "the audit chain is broken at {err}: the figures below include records that may have been edited or miss deleted ones; run `stagegate audit verify`"
        ));
    }
    if unreadable > 0 {
        crate::cli::output::warn(&format!(
            "{unreadable} audit records could not be read and are not counted; run `stagegate audit verify`"
        ));
    }
    let window = args.waiver_warning_window.as_delta();
    let metrics = PromotionMetrics::compute(&records, since, now, &args.production_stage, window);
    let text = match args.format {
        AuditReportFormat::Text => render_text(&metrics),
        AuditReportFormat::Json => render_json(&metrics).map_err(|e| chain_report(&e))?,
        AuditReportFormat::Html => render_html(&metrics),
    };
    match &args.output {
        Some(path) => write_atomically(path, text.as_bytes())?,
        None => write_stdout(text.as_bytes())?,
    }
    Ok(if broken.is_some() {
        ExitStatus::PolicyFailure
    } else {
        ExitStatus::Success
    })
}
