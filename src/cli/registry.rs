//! Registry wiring shared by the commands that talk to a registry (`push`, `verify --image`,
//! `gate --push`, the promotion chain, `collect --image`): the `--insecure-registry` flag, the
//! [`Registry`] it builds, and a one-shot Tokio runtime, so that only these paths start one.

use clap::Args;
use miette::Report;

use crate::cli::diagnostic::chain_report;
use crate::evidence::RegistryDocument;
use crate::oci::{Attached, Pinned, Registry, parse_pinned};
use crate::verify::candidate::Candidate;
use crate::verify::policy::{Rule, VerificationPolicy};
use crate::verify::{CheckedBundle, Purpose, Verifier, VerifyError, purpose_of};

/// Registry options.
#[derive(Debug, Clone, Default, Args)]
pub struct RegistryArgs {
    /// Allow plain HTTP to this registry (`HOST[:PORT]`); loopback registries always may.
    /// Repeatable.
    #[arg(long, value_name = "HOST")]
    pub insecure_registry: Vec<String>,
}

impl RegistryArgs {
    /// The registry client these options describe (credentials from the environment and the
    /// Docker config).
    pub fn registry(&self) -> Registry {
        let mut builder = Registry::builder().timeout(std::time::Duration::from_secs(30));
        for host in &self.insecure_registry {
            builder = builder.insecure_registry(host.clone());
        }
        builder.build()
    }
}

/// Runs `future` on a current-thread runtime made for it.
pub fn block_on<T>(future: impl std::future::Future<Output = T>) -> Result<T, Report> {
    let runtime = crate::oci::runtime().map_err(|e| chain_report(&e))?;
    Ok(runtime.block_on(future))
}

/// Parses `IMAGE@sha256:HEX`, with a hint when a tag was given.
pub fn pinned(text: &str) -> Result<Pinned, Report> {
    parse_pinned(text).map_err(|e| {
        miette::miette!(
            help =
                "resolve the tag first, e.g. `crane digest IMAGE:TAG`, and pass `IMAGE@sha256:HEX`",
            "{}",
            crate::errors::error_chain(&e)
        )
    })
}

/// The attestations attached to `image`, as verification candidates. An image the registry
/// does not hold is an error, not an image with nothing attached.
pub fn attached_candidates(registry: &Registry, image: &Pinned) -> Result<Vec<Candidate>, Report> {
    let attached: Vec<Attached> = block_on(registry.attached(image))?.map_err(|e| {
        miette::miette!(
            "cannot list the attestations of `{}`: {}",
            image.display(),
            crate::errors::error_chain(&e)
        )
    })?;
    if attached.is_empty() {
        require_image(registry, image)?;
    }
    Ok(attached
        .into_iter()
        .map(|a| Candidate {
            path: a.source,
            bytes: a.bytes,
        })
        .collect())
}

/// The platform manifests of `image` (lowercase hex) when it is an image index, empty when it
/// is a single manifest: what a scan of the image may have examined instead of `image` itself.
pub fn platform_manifests(registry: &Registry, image: &Pinned) -> Result<Vec<String>, Report> {
    let digests = block_on(registry.platform_manifests(image))?.map_err(|e| {
        miette::miette!(
            "cannot read the manifest of `{}`: {}",
            image.display(),
            crate::errors::error_chain(&e)
        )
    })?;
    Ok(digests
        .iter()
        .map(|d| d.strip_prefix("sha256:").unwrap_or(d).to_owned())
        .collect())
}

/// An error unless the registry holds `image`'s manifest.
pub fn require_image(registry: &Registry, image: &Pinned) -> Result<(), Report> {
    let found = block_on(registry.has_manifest(image))?.map_err(|e| {
        miette::miette!(
            "cannot read `{}`: {}",
            image.display(),
            crate::errors::error_chain(&e)
        )
    })?;
    if found {
        return Ok(());
    }
    Err(miette::miette!(
        help =
            "check the repository and the digest, e.g. `skopeo inspect docker://IMAGE@sha256:HEX`",
        "`{}` is not in the registry: it has no manifest {}",
        image.display(),
        image.digest
    ))
}

/// The attestations attached to `image` that `verifier` verifies as evidence (each signed
/// by a key trusted for what it is) and that are about `image`'s digest, for
/// `collect --image`. Anyone who can push to the registry can attach a document, so those
/// that do not verify are skipped with a warning rather than collected.
pub fn verified_documents(
    registry: &Registry,
    image: &Pinned,
    verifier: &Verifier,
) -> Result<Vec<RegistryDocument>, Report> {
    let attached: Vec<Attached> = block_on(registry.attached(image))?.map_err(|e| {
        miette::miette!(
            "cannot list the attestations of `{}`: {}",
            image.display(),
            crate::errors::error_chain(&e)
        )
    })?;
    let policy = VerificationPolicy::builder()
        .rule(Rule::Subject {
            algorithm: "sha256".to_owned(),
            value: image.hex().to_owned(),
        })
        .build()
        .map_err(|e| chain_report(&e))?;
    let mut out = Vec::new();
    for document in attached {
        let outcome = CheckedBundle::from_json(&document.bytes)
            .map_err(VerifyError::from)
            .and_then(|bundle| {
                let verified = verifier.verify_evidence(&bundle, None)?;
                if let Some(statement) = verified.statement() {
                    policy.check_statement(statement)?;
                }
                Ok(verified)
            });
        match outcome {
            Ok(verified) => {
                tracing::info!(
                    "`{}`: verified, signed by `{}`",
                    document.source,
                    verified.signer().name
                );
                out.push(RegistryDocument {
                    source: document.source,
                    bytes: document.bytes,
                });
            }
            Err(err) => tracing::warn!(
                "skipping `{}` ({}): {}",
                document.source,
                document.kind,
                crate::errors::error_chain(&err)
            ),
        }
    }
    Ok(out)
}

/// Verifies each attached candidate with `verifier` (for `stage`'s results when given, else
/// for what each statement is); success when one passes. Reports each on standard error.
pub fn report_attached(
    image: &Pinned,
    candidates: &[Candidate],
    verifier: &Verifier,
    stage: Option<&str>,
    policy: &crate::verify::VerificationPolicy,
) -> crate::cli::exit::ExitStatus {
    use crate::errors::error_chain;
    let mut reasons = Vec::new();
    for candidate in candidates {
        match verify_candidate(verifier, &candidate.bytes, stage, policy) {
            Ok(verified) => {
                let what = verified
                    .statement()
                    .map_or("an artifact signature".to_owned(), |s| {
                        format!("a `{}` statement", s.predicate_type)
                    });
                #[allow(clippy::print_stderr)]
                {
                    eprintln!(
                        "Verified: `{}` has {what} signed by `{}` (from `{}`)",
                        image.display(),
                        verified.signer().name,
                        candidate.path
                    );
                }
                return crate::cli::exit::ExitStatus::Success;
            }
            Err(err) => reasons.push(format!("`{}`: {}", candidate.path, error_chain(&err))),
        }
    }
    #[allow(clippy::print_stderr)]
    {
        if candidates.is_empty() {
            eprintln!(
                "Rejected: `{}` has no attestations attached (no referrers, no `.att` tag)",
                image.display()
            );
        } else {
            eprintln!(
                "Rejected: none of the {} attestation(s) attached to `{}` verifies: {}",
                candidates.len(),
                image.display(),
                reasons.join("; ")
            );
        }
    }
    crate::cli::exit::ExitStatus::PolicyFailure
}

/// Verifies one document as a stage result (with `stage`) or as what its predicate type says.
pub fn verify_candidate(
    verifier: &Verifier,
    bytes: &[u8],
    stage: Option<&str>,
    policy: &crate::verify::VerificationPolicy,
) -> Result<crate::verify::Verified, VerifyError> {
    let bundle = CheckedBundle::from_json(bytes)?;
    let kind = match stage {
        Some(_) => Purpose::Results,
        None => bundle
            .claimed_predicate_type()
            .map_or(Purpose::Attestations, purpose_of),
    };
    verifier.verify(&bundle, kind, stage, policy)
}

/// Pushes signed bundles (with their predicate types) to `image`, after checking that the
/// image is the signed subject.
pub fn push_signed(
    registry: &Registry,
    image: &Pinned,
    subject_sha256: &str,
    bundles: &[(&[u8], &str)],
) -> Result<(), Report> {
    if image.hex() != subject_sha256 {
        return Err(miette::miette!(
            help = "`--image` must be the artifact the evidence describes",
            "`{}` is not the subject sha256:{subject_sha256}; nothing pushed",
            image.display()
        ));
    }
    for (bytes, predicate_type) in bundles {
        let pushed =
            block_on(registry.push_bundle(image, bytes, Some(predicate_type)))?.map_err(|e| {
                miette::miette!(
                    "cannot push to `{}`: {}",
                    image.display(),
                    crate::errors::error_chain(&e)
                )
            })?;
        crate::cli::output::status(&format!(
            "Pushed a `{predicate_type}` bundle to `{}` as referrer {}",
            image.display(),
            pushed.manifest_digest
        ));
    }
    Ok(())
}
