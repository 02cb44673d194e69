//! `stagegate schema config|evidence|decision`: the JSON Schemas published under `schemas/`,
//! generated from the types that read and write those documents.

use std::io::Write;

use miette::Report;

use crate::cli::args::{SchemaArgs, SchemaKind};
use crate::cli::exit::ExitStatus;

/// The schema text for one document kind, as checked in under `schemas/`.
pub fn schema_text(which: SchemaKind) -> String {
    let schema = match which {
        SchemaKind::Config => crate::policy::config::config_schema(),
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
