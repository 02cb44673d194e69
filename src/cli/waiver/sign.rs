//! `stagegate waiver sign`: sign a YAML waiver file as a waiver set.
//!
//! The file is checked first, with the same types and stage names `stagegate.yaml` uses (a
//! waiver without `expires`, `reason`, `ticket` or `approved_by`, or naming an unknown stage,
//! is an error pointing at its line), so that nothing malformed is ever signed. The predicate
//! is `{"waivers": [...]}` as written; the statement's subject is the file (its name and
//! sha256).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use miette::Report;
use sha2::{Digest, Sha256};

use crate::attest::statement::{ResourceDescriptor, Statement};
use crate::cli::diagnostic::{chain_report, config_report, document_report};
use crate::cli::exit::ExitStatus;
use crate::cli::keyless::StatementSigner;
use crate::cli::output::{config_path, write_atomically};
use crate::config::stages::Config;
use crate::config::waivers::{WAIVER_PREDICATE_TYPE, WaiverOrigin, read_waiver_file};
use crate::document::read_document;
use crate::limits::Limits;

/// `stagegate waiver sign`.
#[derive(Debug, Args)]
pub struct WaiverSignArgs {
    /// The YAML waiver file (`waivers:` and a list, each waiver as in `stagegate.yaml`).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The approver's private key (cosign format; the password from `STAGEGATE_PASSWORD`,
    /// `COSIGN_PASSWORD` or a prompt).
    #[arg(long, value_name = "FILE", required_unless_present = "keyless")]
    pub key: Option<PathBuf>,
    /// Keyless signing: the approver is the certificate's identity.
    #[command(flatten)]
    pub keyless: crate::cli::keyless::KeylessArgs,
    /// The stage configuration whose stage names the waivers may use [default:
    /// ./stagegate.yaml].
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where to write the bundle (atomically); standard output when absent.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs `stagegate waiver sign`.
pub fn sign(args: WaiverSignArgs) -> Result<ExitStatus, Report> {
    if let Some(output) = &args.output {
        // Signing a waiver file onto itself would replace the file it signs.
        let mut inputs = vec![("the waiver file".to_owned(), args.file.as_path())];
        inputs.extend(args.key.as_deref().map(|k| ("`--key`".to_owned(), k)));
        inputs.extend(args.keyless.inputs());
        crate::fs::check_distinct(&[("`--output`".to_owned(), output.as_path())], &inputs)
            .map_err(|e| chain_report(&e))?;
    }
    let limits = Limits::default();
    let config_file = config_path(args.config.as_deref())?;
    // Only the stage names: the config may already name the signed set this command is
    // about to write, and loading it whole would refuse the missing file.
    let names = Config::stage_names(&config_file, &limits).map_err(|e| config_report(&e))?;
    let stages: Vec<&str> = names.iter().map(String::as_str).collect();
    let document = read_document(&args.file, &limits).map_err(|e| document_report(&e))?;
    let text = String::from_utf8_lossy(&document.bytes);
    let file = args.file.display().to_string();
    let origin = WaiverOrigin {
        path: &args.file,
        file: &file,
        signed_by: None,
    };
    let checked = read_waiver_file(&text, &origin, &stages).map_err(|e| config_report(&e))?;
    let waivers = document
        .value
        .get("waivers")
        .cloned()
        .unwrap_or(serde_json::Value::Array(Vec::new()));
    let name = args
        .file
        .file_name()
        .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
    let statement = Statement::new(
        ResourceDescriptor::sha256(&name, &hex::encode(Sha256::digest(&document.bytes))),
        WAIVER_PREDICATE_TYPE,
        serde_json::json!({ "waivers": waivers }),
    );
    let signer = StatementSigner::from_args(args.key.as_deref(), &args.keyless, &[])?;
    let json = signer.sign(&statement)?;
    match &args.output {
        Some(path) => write_atomically(path, json.as_bytes())?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(json.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| chain_report(&e))?;
        }
    }
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "Signed {} waiver(s) from `{file}` with {}",
            checked.len(),
            signer.describe()
        );
    }
    Ok(ExitStatus::Success)
}
