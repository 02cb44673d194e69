//! `stagegate collect`: the files the pipeline's tools wrote, and with `--image` the verified
//! attestations attached to the image in its registry, turned into one Evidence v1 document, written atomically (or to standard output). Any bad input is exit 2 and no
//! document at all.

use miette::Report;

use crate::cli::args::CollectCommandArgs;
use crate::cli::collect_args::CollectArgs;
use crate::cli::diagnostic::{chain_report, evidence_report, policy_report};
use crate::cli::exit::ExitStatus;
use crate::cli::output::{config_path, write_atomically_with};
use crate::cli::signing::load_public_key;
use crate::evidence::{CollectRequest, Evidence, SubjectSpec, collect as collect_evidence};
use crate::limits::Limits;
use crate::policy::config::Config;
use crate::verify::TrustedKey;

/// The library request for `args`; with `--image`, the attestations attached to the image
/// that verify against `config`'s `trust.keys` are added (they are read from the registry).
pub fn collect_request(
    args: &CollectArgs,
    limits: Limits,
    config: Option<&Config>,
) -> Result<CollectRequest, Report> {
    let mut request = args.to_request(limits).map_err(|e| evidence_report(&e))?;
    let Some(image) = &args.image else {
        return Ok(request);
    };
    let image = crate::cli::registry::pinned(image)?;
    if let Some(subject) = &args.subject
        && let Ok(SubjectSpec::Reference { sha256, .. }) = subject.parse::<SubjectSpec>()
        && sha256 != image.hex()
    {
        return Err(miette::miette!(
            "`--subject` names sha256:{sha256} but `--image` is {}: they must be the same artifact",
            image.digest
        ));
    }
    let Some(config) = config else {
        return Err(miette::miette!(
            "`--image` needs the trusted keys of `stagegate.yaml` (`trust.keys`)"
        ));
    };
    let keys = trusted_keys(config)?;
    let registry = args.registry.registry();
    request.platform_manifests = Some(crate::cli::registry::platform_manifests(&registry, &image)?);
    request.registry = crate::cli::registry::verified_documents(&registry, &image, &keys)?;
    Ok(request)
}

/// The keys of `config`'s `trust.keys`; none is an error.
pub fn trusted_keys(config: &Config) -> Result<Vec<TrustedKey>, Report> {
    let keys = config
        .trust
        .keys
        .iter()
        .map(|path| {
            Ok(TrustedKey {
                name: path.written.clone(),
                key: load_public_key(&path.resolved)?,
            })
        })
        .collect::<Result<Vec<_>, Report>>()?;
    if keys.is_empty() {
        return Err(miette::miette!(
            help = "list the public keys whose attestations to accept under `trust: {keys: [...]}`",
            "`--image`: `stagegate.yaml` trusts no key, so no attached attestation can be verified"
        ));
    }
    Ok(keys)
}

/// Collects evidence and serialises it.
pub fn collect_bytes(
    args: &CollectArgs,
    limits: Limits,
    config: Option<&Config>,
) -> Result<(Evidence, Vec<u8>), Report> {
    let request = collect_request(args, limits, config)?;
    let evidence = collect_evidence(&request).map_err(|e| evidence_report(&e))?;
    let bytes = evidence.to_json_bytes().map_err(|e| evidence_report(&e))?;
    Ok((evidence, bytes))
}

/// Runs `stagegate collect`. The document is streamed to its file or standard output rather
/// than built in memory first (a 50,000-component SBOM makes an 80 MB document).
pub fn collect(args: CollectCommandArgs) -> Result<ExitStatus, Report> {
    let limits = args.limits.limits();
    let config = match &args.collect.image {
        Some(_) => {
            let path = config_path(args.config.as_deref())?;
            Some(Config::load(&path, &limits).map_err(|e| policy_report(&e))?)
        }
        None => None,
    };
    let request = collect_request(&args.collect, limits, config.as_ref())?;
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
