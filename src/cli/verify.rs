//! `stagegate verify`: check a bundle or DSSE envelope with a public key (`--key`) or a
//! certificate identity (`--certificate-identity[-regexp]`, keyless) and a verification
//! policy, exit 0 (accepted), 1 (rejected, with the precise reason) or 2 (error: an unreadable
//! file, a bad key or root, bad arguments).
//!
//! As `cosign verify-blob(-attestation)` and `gh attestation verify`: `--artifact FILE` is the
//! signed blob (message signatures) or the file whose digest must be a DSSE subject; keyless
//! and transparency-logged bundles are checked against `--trusted-root` (default: the Sigstore
//! public-good root embedded in stagegate).
//!
//! With `--stage`, the policy is that of a stagegate result: the subject's digest, the SLSA
//! VSA predicate type, `PASSED`, the stage's level, and, when asked, `--max-age` and
//! `--policy-digest`. Without it, any signed statement (or message signature) is checked for
//! `--subject` and `--predicate-type`; at least one rule is required.
//!
//! With `--stage`, revocations count too ([`crate::verify::revocation`]): those attached to
//! `--image`, or given with `--revocation FILE`, signed by a trusted key, for that stage and
//! digest. A revoked digest (or a result of a revoked promotion) is rejected, with the reason,
//! however fresh its result.

use std::path::PathBuf;

use clap::Args;
use miette::Report;

use crate::cli::args::parse_duration;
use crate::cli::diagnostic::limit_report;
use crate::cli::exit::ExitStatus;
use crate::cli::registry::verify_candidate;
use crate::cli::signing::load_trusted;
use crate::errors::error_chain;
use crate::limits::{Limits, read_limited};
use crate::verify::candidate::Candidate;
use crate::verify::policy::humanize;
use crate::verify::revocation::{Revoked, promotion_id, revocations};
use crate::verify::trust::load_root;
use crate::verify::{
    CheckedBundle, Matcher, Purpose, Rule, Trust, TrustedIdentity, VerificationPolicy, Verifier,
    purpose_of,
};

/// `stagegate verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The Sigstore bundle (v0.1–v0.3 JSON) or DSSE envelope to verify.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "image",
        conflicts_with = "image"
    )]
    pub bundle: Option<PathBuf>,
    /// Verify the attestations attached to this image in its registry (OCI referrers and
    /// cosign `.att` tags) instead of a file; one that passes is enough. The subject defaults
    /// to the image's digest.
    #[arg(long, value_name = "IMAGE@sha256:HEX")]
    pub image: Option<String>,
    /// Registry options for `--image`.
    #[command(flatten)]
    pub registry: crate::cli::registry::RegistryArgs,
    /// A trusted public key (PEM); repeatable, any one may have signed.
    #[arg(
        long,
        value_name = "PUB",
        required_unless_present_any = ["certificate_identity", "certificate_identity_regexp"],
        conflicts_with_all = ["certificate_identity", "certificate_identity_regexp"]
    )]
    pub key: Vec<PathBuf>,
    /// Keyless: the certificate identity (SAN: a workflow URI or an email) that must have
    /// signed.
    #[arg(
        long,
        value_name = "ID",
        conflicts_with = "certificate_identity_regexp"
    )]
    pub certificate_identity: Option<String>,
    /// Keyless: a regular expression the certificate identity must match (anchored).
    #[arg(long, value_name = "RE")]
    pub certificate_identity_regexp: Option<String>,
    /// Keyless: the OIDC issuer the certificate must name (default: any).
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "certificate_oidc_issuer_regexp"
    )]
    pub certificate_oidc_issuer: Option<String>,
    /// Keyless: a regular expression the OIDC issuer must match (anchored).
    #[arg(long, value_name = "RE")]
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// The Sigstore trusted root (`trusted_root.json`) for keyless and logged bundles; default:
    /// the Sigstore public-good root embedded in stagegate.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// The artifact: the signed blob, or the file whose sha256 must be a subject of the
    /// statement.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["subject", "image"])]
    pub artifact: Option<PathBuf>,
    /// The artifact's digest, `sha256:HEX` (or another algorithm the statement uses).
    #[arg(long, value_name = "ALG:HEX")]
    pub subject: Option<String>,
    /// The stage whose passing stagegate result is required (SLSA VSA, `PASSED`, the stage's
    /// level). Needs `--subject` (or `--image`).
    #[arg(long)]
    pub stage: Option<String>,
    /// Require this predicate type (default with `--stage`: the SLSA VSA v1).
    #[arg(long, value_name = "URI")]
    pub predicate_type: Option<String>,
    /// Reject results older than this (`90s`, `30m`, `24h`, `7d`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_age: Option<std::time::Duration>,
    /// Require the result to have been made with this policy set (`sha256:HEX`).
    #[arg(long, value_name = "sha256:HEX")]
    pub policy_digest: Option<String>,
    /// A signed revocation (`stagegate revoke`) to honour with `--stage`; repeatable. (With
    /// `--image`, those attached to the image are read too.)
    #[arg(long, value_name = "FILE", requires = "stage")]
    pub revocation: Vec<PathBuf>,
}

/// The trust the arguments name: `--key`s, or one certificate identity (trusted for anything:
/// the user picked it for exactly this check), with `--trusted-root`.
fn trust(args: &VerifyArgs) -> Result<Trust, Report> {
    let mut trust = Trust::with_keys(load_trusted(&args.key)?);
    let regexp = |flag: &str, re: &str| {
        Matcher::regexp(re)
            .map_err(|e| miette::miette!("`{flag}`: `{re}` is not a regular expression: {e}"))
    };
    let subject = match (
        &args.certificate_identity,
        &args.certificate_identity_regexp,
    ) {
        (Some(id), _) => Some(Matcher::Exact(id.clone())),
        (None, Some(re)) => Some(regexp("--certificate-identity-regexp", re)?),
        (None, None) => None,
    };
    let issuer = match (
        &args.certificate_oidc_issuer,
        &args.certificate_oidc_issuer_regexp,
    ) {
        (Some(url), _) => Some(Matcher::Exact(url.clone())),
        (None, Some(re)) => Some(regexp("--certificate-oidc-issuer-regexp", re)?),
        (None, None) => None,
    };
    if let Some(subject) = subject {
        trust
            .identities
            .push(TrustedIdentity::for_anything(subject, issuer));
    } else if issuer.is_some() {
        return Err(miette::miette!(
            "`--certificate-oidc-issuer` needs `--certificate-identity` or `--certificate-identity-regexp`"
        ));
    }
    if let Some(path) = &args.trusted_root {
        trust
            .roots
            .push(load_root(path).map_err(|e| crate::cli::diagnostic::chain_report(&e))?);
    }
    Ok(trust)
}

/// Runs `stagegate verify`.
pub fn verify(mut args: VerifyArgs) -> Result<ExitStatus, Report> {
    if let Some(image) = &args.image {
        let image = crate::cli::registry::pinned(image)?;
        args.subject.get_or_insert_with(|| image.digest.clone());
        let policy = policy(&args, None)?;
        let verifier = Verifier::new(&trust(&args)?);
        let registry = args.registry.registry();
        let mut candidates = crate::cli::registry::attached_candidates(&registry, &image)?;
        if let Some(stage) = &args.stage {
            candidates.extend(revocation_files(&args.revocation)?);
            match withdrawn(&candidates, stage, image.hex(), &verifier, &policy) {
                Withdrawn::Digest(reason) => {
                    #[allow(clippy::print_stderr)]
                    {
                        eprintln!("Rejected: `{}`: {reason}", image.display());
                    }
                    return Ok(ExitStatus::PolicyFailure);
                }
                Withdrawn::Results(paths) => candidates.retain(|c| !paths.contains(&c.path)),
                Withdrawn::Nothing => {}
            }
        }
        return Ok(crate::cli::registry::report_attached(
            &image,
            &candidates,
            &verifier,
            args.stage.as_deref(),
            &policy,
        ));
    }
    let artifact = match &args.artifact {
        Some(path) => Some(fs_err::read(path).map_err(|e| miette::miette!("{e}"))?),
        None => None,
    };
    let policy = policy(&args, artifact.as_deref())?;
    let verifier = Verifier::new(&trust(&args)?);
    let Some(path) = &args.bundle else {
        return Err(miette::miette!(
            "give `--bundle FILE` or `--image IMAGE@sha256:HEX`"
        ));
    };
    let bytes = read_limited(path, &Limits::default()).map_err(|e| limit_report(&e))?;
    let bundle = path.display();
    if let (Some(stage), Some(subject)) = (&args.stage, &args.subject) {
        let (_, hex) = parse_subject(subject)?;
        let mut candidates = revocation_files(&args.revocation)?;
        candidates.push(Candidate {
            path: path.display().to_string(),
            bytes: bytes.clone(),
        });
        match withdrawn(&candidates, stage, &hex, &verifier, &policy) {
            Withdrawn::Digest(reason) => {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("Rejected: `{bundle}`: {reason}");
                }
                return Ok(ExitStatus::PolicyFailure);
            }
            Withdrawn::Results(paths) if !paths.is_empty() => {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("Rejected: `{bundle}`: its promotion is revoked");
                }
                return Ok(ExitStatus::PolicyFailure);
            }
            _ => {}
        }
    }
    let outcome = match &artifact {
        None => verify_candidate(&verifier, &bytes, args.stage.as_deref(), &policy),
        Some(blob) => CheckedBundle::from_json(&bytes)
            .map_err(crate::verify::VerifyError::from)
            .and_then(|document| {
                let kind = match args.stage {
                    Some(_) => Purpose::Results,
                    None => document
                        .claimed_predicate_type()
                        .map_or(Purpose::Attestations, purpose_of),
                };
                verifier.verify_artifact(&document, blob, kind, args.stage.as_deref(), &policy)
            }),
    };
    #[allow(clippy::print_stderr)]
    match outcome {
        Ok(verified) => {
            let what = match verified.statement() {
                Some(statement) => format!("a `{}` statement", statement.predicate_type),
                None => "an artifact signature".to_owned(),
            };
            let mut checks = vec!["signature".to_owned()];
            checks.extend(policy.rules().iter().map(describe));
            let signer = match &verified.signer().certificate {
                Some(certificate) => format!(
                    "`{}` (keyless, issuer `{}`)",
                    certificate.subject,
                    certificate.issuer.as_deref().unwrap_or("none")
                ),
                None => format!("`{}`", verified.signer().name),
            };
            eprintln!(
                "Verified: `{bundle}` is {what} signed by {signer} ({})",
                checks.join(", ")
            );
            Ok(ExitStatus::Success)
        }
        Err(err) => {
            eprintln!("Rejected: `{bundle}`: {}", error_chain(&err));
            Ok(ExitStatus::PolicyFailure)
        }
    }
}

fn policy(args: &VerifyArgs, artifact: Option<&[u8]>) -> Result<VerificationPolicy, Report> {
    if args.stage.is_some() && args.subject.is_none() && args.artifact.is_none() {
        return Err(miette::miette!(
            "`--stage` needs `--subject ALG:HEX` (or `--artifact FILE`, or `--image IMAGE@sha256:HEX`)"
        ));
    }
    let now = chrono::Utc::now();
    let subject = match (&args.subject, artifact) {
        (Some(text), _) => Some(parse_subject(text)?),
        (None, Some(bytes)) => Some((
            "sha256".to_owned(),
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes)),
        )),
        (None, None) => None,
    };
    let mut builder = VerificationPolicy::builder();
    if let Some((algorithm, value)) = &subject {
        builder = builder.rule(Rule::Subject {
            algorithm: algorithm.clone(),
            value: value.clone(),
        });
    }
    let predicate_type = args.predicate_type.clone().or_else(|| {
        args.stage
            .as_ref()
            .map(|_| crate::attest::vsa::VSA_PREDICATE_TYPE.to_owned())
    });
    if let Some(uri) = predicate_type {
        builder = builder.rule(Rule::PredicateType(uri));
    }
    if let Some(stage) = &args.stage {
        builder = builder.rule(Rule::Passed).rule(Rule::Stage(stage.clone()));
    }
    if let Some(max) = args.max_age {
        builder = builder.rule(Rule::MaxAge { max, now });
    }
    if let Some(digest) = &args.policy_digest {
        parse_subject(digest)?;
        builder = builder.rule(Rule::PolicyDigest(digest.clone()));
    }
    builder.build().map_err(|e| {
        miette::miette!(
            help = "give `--artifact FILE`, `--subject sha256:HEX`, `--stage STAGE` or `--predicate-type URI`",
            "{e}"
        )
    })
}

/// `ALG:HEX` (a `NAME@` prefix is allowed and dropped; one `@` only). The value is checked
/// by [`crate::digest::check`]: lowercase hex, of the algorithm's length when known.
fn parse_subject(text: &str) -> Result<(String, String), Report> {
    let digest = match text.split_once('@') {
        Some((_, digest)) if digest.contains('@') => {
            return Err(miette::miette!(
                "`{text}` names more than one digest; give one `[NAME@]ALG:HEX`"
            ));
        }
        Some((_, digest)) => digest,
        None => text,
    };
    match digest.split_once(':') {
        Some((algorithm, value)) if !algorithm.is_empty() => {
            crate::digest::check(algorithm, value).map_err(|e| miette::miette!("`{text}`: {e}"))?;
            Ok((algorithm.to_owned(), value.to_owned()))
        }
        _ => Err(miette::miette!(
            help = "for example `sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`",
            "`{text}` is not a digest `ALG:HEX`"
        )),
    }
}

/// What the verified revocations among the candidates withdraw.
enum Withdrawn {
    /// Nothing.
    Nothing,
    /// The digest, with the reason.
    Digest(String),
    /// The candidates (by path) whose results belong to revoked promotions.
    Results(Vec<String>),
}

fn withdrawn(
    candidates: &[Candidate],
    stage: &str,
    sha256: &str,
    verifier: &Verifier,
    policy: &VerificationPolicy,
) -> Withdrawn {
    let (found, rejected) = revocations(candidates, stage, sha256, verifier);
    for (path, reason) in rejected {
        tracing::warn!("revocation `{path}` does not count: {reason}");
    }
    let revoked = Revoked::of(&found);
    if revoked.is_empty() {
        return Withdrawn::Nothing;
    }
    if let Some(reason) = revoked.reason(None) {
        return Withdrawn::Digest(reason.to_owned());
    }
    let mut paths = Vec::new();
    for candidate in candidates {
        if let Ok(verified) = verify_candidate(verifier, &candidate.bytes, Some(stage), policy)
            && let Some(reason) = verified
                .statement()
                .and_then(|s| revoked.reason(promotion_id(s)))
        {
            tracing::warn!("`{}` does not count: {reason}", candidate.path);
            paths.push(candidate.path.clone());
        }
    }
    Withdrawn::Results(paths)
}

fn revocation_files(paths: &[PathBuf]) -> Result<Vec<Candidate>, Report> {
    paths
        .iter()
        .map(|path| {
            let bytes = read_limited(path, &Limits::default()).map_err(|e| limit_report(&e))?;
            Ok(Candidate {
                path: path.display().to_string(),
                bytes,
            })
        })
        .collect()
}

fn describe(rule: &Rule) -> String {
    match rule {
        Rule::Subject { algorithm, value } => format!("subject {algorithm}:{value}"),
        Rule::PredicateType(uri) => format!("predicate type {uri}"),
        Rule::Stage(stage) => format!("stage `{stage}`"),
        Rule::Passed => "passed".to_owned(),
        Rule::MaxAge { max, .. } => format!("younger than {}", humanize(*max)),
        Rule::PolicyDigest(digest) => format!("policy {digest}"),
    }
}
