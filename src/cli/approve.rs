//! `stagegate approve`: sign an approval of one artifact's promotion to one stage, as an
//! in-toto Statement with the stagegate approval predicate in a Sigstore bundle v0.3. The gate
//! counts it only if the key is listed under `trust.approvers` in `stagegate.yaml`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use miette::Report;

use crate::attest::approval::{APPROVAL_PREDICATE_TYPE, ApprovalPredicate};
use crate::attest::statement::{ResourceDescriptor, Statement};
use crate::cli::diagnostic::chain_report;
use crate::cli::exit::ExitStatus;
use crate::cli::keyless::StatementSigner;
use crate::cli::output::write_atomically;
use crate::config::stages::{Config, unknown_stage_help};

/// `stagegate approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The stage the promotion is approved for.
    #[arg(long, short)]
    pub stage: String,
    /// The artifact: `sha256:HEX` or `NAME@sha256:HEX`.
    #[arg(long, value_name = "[NAME@]sha256:HEX")]
    pub subject: String,
    /// The approver's private key (cosign format).
    #[arg(long, value_name = "FILE", required_unless_present = "keyless")]
    pub key: Option<PathBuf>,
    /// Keyless signing: the approver is the certificate's identity (`trust.approvers`
    /// `identity:`).
    #[command(flatten)]
    pub keyless: crate::cli::keyless::KeylessArgs,
    /// Who approves (informational: the gate names the approver from its trust config).
    #[arg(long)]
    pub approver: Option<String>,
    /// The role claimed (informational: the gate takes roles from its trust config).
    #[arg(long)]
    pub role: Option<String>,
    /// Free text: a change ticket, a reason.
    #[arg(long)]
    pub comment: Option<String>,
    /// Where to write the bundle (atomically); standard output when absent.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The stage configuration `--stage` must be a stage of [default: ./stagegate.yaml, when
    /// there is one].
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Sign for a stage the configuration does not define (an approval for a gate configured
    /// elsewhere).
    #[arg(long)]
    pub allow_unknown_stage: bool,
}

/// Refuses a `--stage` that `stagegate.yaml` (given, or found in the current directory) does
/// not define, with the closest name; without a config nothing can be checked.
fn check_stage(args: &ApproveArgs) -> Result<(), Report> {
    if args.allow_unknown_stage {
        return Ok(());
    }
    let path = match &args.config {
        Some(path) => path.clone(),
        None => {
            let default = PathBuf::from(crate::config::stages::CONFIG_FILE_NAME);
            if !default.is_file() {
                return Ok(());
            }
            default
        }
    };
    let names = Config::stage_names(&path, &crate::limits::Limits::default())
        .map_err(|e| crate::cli::diagnostic::config_report(&e))?;
    if names.contains(&args.stage) {
        return Ok(());
    }
    Err(miette::miette!(
        help = format!(
            "{}; `--allow-unknown-stage` signs for a stage configured elsewhere",
            unknown_stage_help(&args.stage, &names)
        ),
        "`{}` defines no stage `{}`: nothing signed",
        path.display(),
        args.stage
    ))
}

/// Runs `stagegate approve`.
pub fn approve(args: ApproveArgs) -> Result<ExitStatus, Report> {
    // `sha256:HEX` or `NAME@sha256:HEX`, split at the only `@` (`a@sha256:B@sha256:A` is
    // refused, not split on the last digest), 64 lowercase hex digits.
    let parsed = if args.subject.starts_with("sha256:") {
        crate::digest::Sha256Digest::from_prefixed(&args.subject).map(|d| ("", d))
    } else {
        crate::digest::split_reference(&args.subject)
    };
    check_stage(&args)?;
    let (name, digest) = parsed.map_err(|e| {
        miette::miette!(
            help = "give `sha256:HEX` or `NAME@sha256:HEX` (64 lowercase hex digits)",
            "`--subject`: {e}"
        )
    })?;
    let hex = digest.hex();
    if let Some(output) = &args.output {
        let mut inputs = args.keyless.inputs();
        inputs.extend(args.key.as_deref().map(|k| ("`--key`".to_owned(), k)));
        crate::fs::check_distinct(&[("`--output`".to_owned(), output.as_path())], &inputs)
            .map_err(|e| chain_report(&e))?;
    }
    let signer = StatementSigner::from_args(args.key.as_deref(), &args.keyless, &[])?;
    let statement = Statement::new(
        ResourceDescriptor::sha256(if name.is_empty() { "_" } else { name }, hex),
        APPROVAL_PREDICATE_TYPE,
        ApprovalPredicate {
            stage: args.stage,
            approved_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            approver: args.approver,
            role: args.role,
            comment: args.comment,
        },
    );
    let json = signer.sign(&statement)?;
    let stage = statement.predicate.stage.clone();
    match &args.output {
        Some(path) => {
            write_atomically(path, json.as_bytes())?;
            crate::cli::output::status(&format!(
                "Approved `{}` for `{stage}` with {}: wrote `{}`",
                args.subject,
                signer.describe(),
                path.display()
            ));
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(json.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| chain_report(&e))?;
        }
    }
    Ok(ExitStatus::Success)
}
