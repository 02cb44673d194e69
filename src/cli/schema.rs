//! `stagegate schema config|evidence|decision`: the JSON Schemas published under `schemas/`,
//! generated from the types that read and write those documents.

use std::io::Write;

use miette::Report;

use crate::cli::exit::ExitStatus;
use clap::{Args, ValueEnum};

/// `stagegate schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema.
    #[arg(value_enum)]
    pub which: SchemaKind,
}

/// The published schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// `stagegate.yaml`.
    Config,
    /// The Evidence v1 document.
    Evidence,
    /// The Decision v1 document.
    Decision,
}

/// The schema text for one document kind, as checked in under `schemas/`.
pub fn schema_text(which: SchemaKind) -> String {
    let schema = match which {
        SchemaKind::Config => crate::config::stages::config_schema(),
        SchemaKind::Evidence => {
            let mut schema = schemars::schema_for!(crate::evidence::Evidence);
            schema.insert(
                "$id".into(),
                "https://stagegate.dev/schemas/evidence.v1.schema.json".into(),
            );
            schema
        }
        SchemaKind::Decision => {
            let mut schema = schemars::schema_for!(crate::decision::Decision);
            schema.insert(
                "$id".into(),
                "https://stagegate.dev/schemas/decision.v1.schema.json".into(),
            );
            schema
        }
    };
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Runs `stagegate schema`.
pub fn schema(args: SchemaArgs) -> Result<ExitStatus, Report> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(schema_text(args.which).as_bytes())
        .map_err(|e| miette::miette!("{e}"))?;
    Ok(ExitStatus::Success)
}
