//! `stagegate push --bundle FILE IMAGE@sha256:HEX`: attach a Sigstore bundle to an image as an
//! OCI 1.1 referrer (see [`crate::oci`]). Prints the referrer's digest on standard output.

use std::path::PathBuf;

use clap::Args;
use miette::Report;

use crate::cli::diagnostic::limit_report;
use crate::cli::exit::ExitStatus;
use crate::cli::registry::{RegistryArgs, block_on, pinned};
use crate::errors::error_chain;
use crate::limits::{Limits, read_limited};
use crate::oci::Discovery;
use crate::verify::candidate::claimed_predicate_type;

/// `stagegate push`.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// The Sigstore bundle to attach (as `gate --bundle-out` writes). Repeatable.
    #[arg(long, value_name = "FILE", required = true)]
    pub bundle: Vec<PathBuf>,
    /// The image, pinned by digest: `REGISTRY/NAME@sha256:HEX`.
    #[arg(value_name = "IMAGE@sha256:HEX")]
    pub image: String,
    /// Registry options.
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Runs `stagegate push`.
pub fn push(args: PushArgs) -> Result<ExitStatus, Report> {
    let image = pinned(&args.image)?;
    let bundles = args
        .bundle
        .iter()
        .map(|path| read_limited(path, &Limits::default()).map_err(|e| limit_report(&e)))
        .collect::<Result<Vec<_>, Report>>()?;
    let registry = args.registry.registry();
    for (path, bytes) in args.bundle.iter().zip(&bundles) {
        if crate::attest::bundle::SignedDocument::from_json(bytes).is_err() {
            return Err(miette::miette!(
                "`{}` is not a Sigstore bundle or DSSE envelope",
                path.display()
            ));
        }
        let predicate_type = claimed_predicate_type(bytes);
        let pushed = block_on(registry.push_bundle(&image, bytes, predicate_type.as_deref()))?
            .map_err(|e| {
                miette::miette!(
                    "cannot push `{}` to `{}`: {}",
                    path.display(),
                    image.display(),
                    error_chain(&e)
                )
            })?;
        let how = match pushed.discovery {
            Discovery::Listed => "listed by the registry",
            Discovery::TagSchema => "added to the referrers tag-schema index",
        };
        #[allow(clippy::print_stdout, clippy::print_stderr)]
        {
            println!(
                "{}@{}",
                image.reference.repository(),
                pushed.manifest_digest
            );
            eprintln!(
                "Pushed `{}` to `{}` as referrer {} ({how})",
                path.display(),
                image.display(),
                pushed.manifest_digest
            );
        }
    }
    Ok(ExitStatus::Success)
}
