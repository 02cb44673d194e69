//! `stagegate collect`: the files the pipeline's tools wrote, and with `--image` the verified
//! attestations attached to the image in its registry, turned into one Evidence v1 document,
//! written atomically (or to standard output). Every attestation is verified against the
//! `trust:` section of `stagegate.yaml` (when there is one) and recorded with its outcome.
//! Any bad input is exit 2 and no document at all.

use miette::Report;

use std::path::PathBuf;

use clap::Args;

use crate::cli::args::LimitArgs;
use crate::cli::collect_args::CollectArgs;
use crate::cli::diagnostic::{chain_report, evidence_report};
use crate::cli::exit::ExitStatus;
use crate::cli::output::{config_path, write_atomically_with};
use crate::cli::signing::load_trust;
use crate::config::stages::{CONFIG_FILE_NAME, Config};
use crate::evidence::{CollectRequest, Evidence, SubjectSpec, collect as collect_evidence};
use crate::limits::Limits;
use crate::verify::evidence::check_evidence;
use crate::verify::{Trust, Verifier};

/// `stagegate collect`.
#[derive(Debug, Args)]
pub struct CollectCommandArgs {
    /// The subject and evidence files.
    #[command(flatten)]
    pub collect: CollectArgs,
    /// Where to write the evidence document (atomically); standard output when absent.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The configuration whose `trust.keys` verify what `--image` carries [default:
    /// ./stagegate.yaml]; read only with `--image`.
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Limits on input size and nesting.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// The library request for `args`; with `--image`, the attestations attached to the image
/// that `verifier` verifies and that are about `image`'s digest are added (read from the
/// registry).
pub fn collect_request(
    args: &CollectArgs,
    limits: Limits,
    verifier: Option<&Verifier>,
) -> Result<CollectRequest, Report> {
    // `--image` is checked first: a tag gets the "not pinned by digest" hint, not a
    // subject-format error.
    let image = args
        .image
        .as_deref()
        .map(crate::cli::registry::pinned)
        .transpose()?;
    let mut request = args.to_request(limits).map_err(|e| evidence_report(&e))?;
    let Some(image) = image else {
        return Ok(request);
    };
    if let Some(subject) = &args.subject
        && let Ok(SubjectSpec::Reference { sha256, .. }) = subject.parse::<SubjectSpec>()
        && sha256 != image.hex()
    {
        return Err(miette::miette!(
            "`--subject` names sha256:{sha256} but `--image` is {}: they must be the same artifact",
            image.digest
        ));
    }
    let Some(verifier) = verifier.filter(|v| !v.trust().keys.is_empty()) else {
        return Err(miette::miette!(
            help = "list the public keys whose attestations to accept under `trust: {keys: [...]}` in `stagegate.yaml`",
            "`--image`: no key is trusted, so no attached attestation can be verified"
        ));
    };
    let registry = args.registry.registry();
    request.platform_manifests = Some(crate::cli::registry::platform_manifests(&registry, &image)?);
    request.registry = crate::cli::registry::verified_documents(&registry, &image, verifier)?;
    Ok(request)
}

/// The verifier for `config`'s `trust:` section; one that trusts nothing without a config.
pub fn verifier_for(config: Option<&Config>) -> Result<Verifier, Report> {
    let trust = match config {
        Some(config) => load_trust(&config.trust)?,
        None => Trust::default(),
    };
    Ok(Verifier::new(&trust))
}

/// Verifies the attestations of a collected document (no stage yet: `evaluate` and `gate`
/// verify again at theirs), warning about claims that do not hold.
pub fn verify_collected(
    evidence: &mut Evidence,
    verifier: &Verifier,
    limits: &Limits,
) -> Result<(), Report> {
    let checked =
        check_evidence(evidence, verifier, None, limits).map_err(|e| evidence_report(&e))?;
    for notice in &checked.notices {
        crate::cli::output::warn(notice);
    }
    checked.apply(evidence);
    Ok(())
}

/// Runs `stagegate collect`. The document is streamed to its file or standard output rather
/// than built in memory first (a 50,000-component SBOM makes an 80 MB document).
pub fn collect(args: CollectCommandArgs) -> Result<ExitStatus, Report> {
    let limits = args.limits.limits();
    // The trust config is needed for `--image`, and used when present to verify the
    // attestations collected; without one, nothing is verified.
    let config = match (&args.collect.image, &args.config) {
        (Some(_), _) | (_, Some(_)) => Some(config_path(args.config.as_deref())?),
        _ => Some(std::path::PathBuf::from(CONFIG_FILE_NAME)).filter(|p| p.exists()),
    }
    .map(|path| Config::load(&path, &limits).map_err(|e| crate::cli::diagnostic::config_report(&e)))
    .transpose()?;
    let verifier = verifier_for(config.as_ref())?;
    let request = collect_request(&args.collect, limits, Some(&verifier))?;
    let mut evidence = collect_evidence(&request).map_err(|e| evidence_report(&e))?;
    verify_collected(&mut evidence, &verifier, &limits)?;
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
