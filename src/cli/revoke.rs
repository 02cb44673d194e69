//! `stagegate revoke`: sign a revocation of an artifact's result for one stage, as an in-toto
//! Statement with the stagegate revocation predicate
//! (`https://stagegate.dev/revocation/v1`) in a Sigstore bundle v0.3, written to a file or
//! standard output, and with `--image … --push` attached to the image as an OCI referrer.
//!
//! It counts (in `serve`, `verify --stage` and the promotion chain) only when the key is one
//! trusted for the stage's results: sign it with the gate key (or a key listed beside it), or
//! `--keyless` as an identity trusted for the stage's `results`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use miette::Report;

use crate::attest::revocation::{REVOCATION_PREDICATE_TYPE, RevocationPredicate};
use crate::attest::statement::{ResourceDescriptor, Statement};
use crate::cli::diagnostic::chain_report;
use crate::cli::exit::ExitStatus;
use crate::cli::keyless::StatementSigner;
use crate::cli::output::write_atomically;
use crate::cli::registry::{RegistryArgs, pinned, push_signed};

/// `stagegate revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The stage the artifact is withdrawn from.
    #[arg(long, short)]
    pub stage: String,
    /// The artifact: `sha256:HEX` or `NAME@sha256:HEX` [default: `--image`'s digest].
    #[arg(
        long,
        value_name = "[NAME@]sha256:HEX",
        required_unless_present = "image"
    )]
    pub subject: Option<String>,
    /// Why (every denial the revocation causes quotes it).
    #[arg(long)]
    pub reason: String,
    /// Withdraw only the result of this promotion (as `stagegate history` lists it); without
    /// it the digest is withdrawn from the stage whatever result it carries.
    #[arg(long, value_name = "ID")]
    pub promotion_id: Option<String>,
    /// Who revokes (informational).
    #[arg(long)]
    pub revoker: Option<String>,
    /// The private key (cosign format): one trusted for the stage's results (or `--keyless`).
    #[arg(long, value_name = "FILE", required_unless_present = "keyless")]
    pub key: Option<PathBuf>,
    /// Keyless signing: counted when the certificate's identity is trusted for the stage's
    /// `results`.
    #[command(flatten)]
    pub keyless: crate::cli::keyless::KeylessArgs,
    /// Where to write the bundle (atomically); standard output when absent.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The image, pinned by digest: `REGISTRY/NAME@sha256:HEX` (the subject when
    /// `--subject` is absent).
    #[arg(long, value_name = "IMAGE@sha256:HEX")]
    pub image: Option<String>,
    /// Attach the revocation to `--image` as an OCI referrer (after writing it).
    #[arg(long, requires = "image")]
    pub push: bool,
    /// Registry options.
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Runs `stagegate revoke`.
pub fn revoke(args: RevokeArgs) -> Result<ExitStatus, Report> {
    let image = args.image.as_deref().map(pinned).transpose()?;
    let subject = match (&args.subject, &image) {
        (Some(subject), _) => subject.clone(),
        (None, Some(image)) => image.display(),
        (None, None) => return Err(miette::miette!("give `--subject` or `--image`")),
    };
    let (name, hex) = parse_subject(&subject)?;
    if let Some(image) = &image
        && !image.hex().eq_ignore_ascii_case(hex)
    {
        return Err(miette::miette!(
            "`--image` `{}` is not the subject sha256:{hex}",
            image.display()
        ));
    }
    if args.reason.trim().is_empty() {
        return Err(miette::miette!(
            "`--reason` is empty: say why it is revoked"
        ));
    }
    if let Some(output) = &args.output {
        let mut inputs = args.keyless.inputs();
        inputs.extend(args.key.as_deref().map(|k| ("`--key`".to_owned(), k)));
        crate::fs::check_distinct(&[("`--output`".to_owned(), output.as_path())], &inputs)
            .map_err(|e| chain_report(&e))?;
    }
    let signer = StatementSigner::from_args(args.key.as_deref(), &args.keyless, &[])?;
    let statement = Statement::new(
        ResourceDescriptor::sha256(if name.is_empty() { "_" } else { name }, hex),
        REVOCATION_PREDICATE_TYPE,
        RevocationPredicate {
            stage: args.stage.clone(),
            reason: args.reason.clone(),
            revoked_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            promotion_id: args.promotion_id.clone(),
            revoker: args.revoker.clone(),
        },
    );
    let json = signer.sign(&statement)?;
    match &args.output {
        Some(path) => write_atomically(path, json.as_bytes())?,
        None if args.push => {}
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(json.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| chain_report(&e))?;
        }
    }
    if let (true, Some(image)) = (args.push, &image) {
        let registry = args.registry.registry();
        push_signed(
            &registry,
            image,
            hex,
            &[(json.as_bytes(), REVOCATION_PREDICATE_TYPE)],
        )?;
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "Revoked `{}` for stage `{}` and attached the revocation to `{}`",
                subject,
                args.stage,
                image.display()
            );
        }
    }
    Ok(ExitStatus::Success)
}

/// `(name, hex)` of `sha256:HEX` or `NAME@sha256:HEX`.
fn parse_subject(text: &str) -> Result<(&str, &str), Report> {
    match text.rsplit_once("sha256:") {
        Some((prefix, hex)) if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
            Ok((prefix.strip_suffix('@').unwrap_or(prefix), hex))
        }
        _ => Err(miette::miette!(
            "`{text}` is not `sha256:HEX` or `NAME@sha256:HEX` (64 hex characters)"
        )),
    }
}
