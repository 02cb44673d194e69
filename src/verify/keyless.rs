//! Keyless and transparency-logged bundles: the cryptography is `sigstore-verify`'s (the
//! Sigstore project's Rust verifier: Fulcio chain at the signing time, SCTs, Rekor v1 and v2
//! entries, RFC 3161 timestamps), against the trusted roots of a [`Trust`](super::Trust);
//! which certificate identities are trusted is decided here, in one place
//! ([`TrustedIdentity::check`]), on the identity, issuer and Fulcio CI claims of the verified
//! certificate.
//!
//! `sigstore-verify` runs with `any_identity()`: its own matcher is exact only, ours takes
//! exact values or anchored regular expressions for the SAN (URI or email) and the issuer,
//! plus the GitHub workflow claims cosign names `--certificate-github-workflow-*`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};
use sigstore_verify::trust_root::TrustedRoot;
use sigstore_verify::types::{Artifact, ArtifactDigest, DigestBytes, HashAlgorithm};
use sigstore_verify::{Policy, VerificationResult};

use crate::config::trust::Purpose;

/// The date of the Sigstore public-good trusted root embedded in this build (the newest
/// validity start among its keys and CAs, as shipped by `sigstore-trust-root` 0.15.1). A
/// root rotated after it needs `trust.roots` (or `--trusted-root`) with a newer file.
pub const PUBLIC_GOOD_ROOT_DATE: &str = "2025-09-23";

/// A trusted root (`trusted_root.json`: Fulcio CAs, Rekor and CT log keys, timestamp
/// authorities), prepared once for verification.
#[derive(Clone)]
pub struct SigstoreRoot {
    /// Where it came from (a file, or `sigstore public-good (embedded)`).
    pub name: String,
    verifier: Arc<sigstore_verify::Verifier>,
}

impl fmt::Debug for SigstoreRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigstoreRoot")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl SigstoreRoot {
    /// Reads a `trusted_root.json` and prepares it (a malformed or inconsistent root is an
    /// error: duplicate log ids, bad keys or certificates, bad validity windows).
    pub fn from_json(name: impl Into<String>, json: &str) -> Result<SigstoreRoot, String> {
        let root = TrustedRoot::from_json(json).map_err(|e| e.to_string())?;
        let verifier = sigstore_verify::Verifier::new(&root).map_err(|e| e.to_string())?;
        Ok(SigstoreRoot {
            name: name.into(),
            verifier: Arc::new(verifier),
        })
    }

    /// The Sigstore public-good instance's root, embedded in this build (prepared once per
    /// process).
    pub fn public_good() -> Result<SigstoreRoot, String> {
        static ROOT: OnceLock<Result<SigstoreRoot, String>> = OnceLock::new();
        ROOT.get_or_init(|| {
            SigstoreRoot::from_json(
                "the Sigstore public-good root (embedded)",
                sigstore_verify::trust_root::SIGSTORE_PRODUCTION_TRUSTED_ROOT,
            )
        })
        .clone()
    }

    /// GitHub's own Sigstore instance's root (artifact attestations of private repositories),
    /// embedded in this build.
    pub fn github() -> Result<SigstoreRoot, String> {
        SigstoreRoot::from_json(
            "GitHub's Sigstore root (embedded)",
            sigstore_verify::trust_root::SIGSTORE_GITHUB_TRUSTED_ROOT,
        )
    }

    /// Verifies `bundle` for `artifact` under `policy` with this root.
    pub(crate) fn verify(
        &self,
        artifact: &ArtifactInput<'_>,
        bundle: &sigstore_verify::types::Bundle,
        policy: &(impl Policy + ?Sized),
    ) -> Result<VerificationResult, String> {
        let artifact = artifact.to_artifact()?;
        self.verifier
            .verify(artifact, bundle, policy)
            .map_err(|e| e.to_string())
    }
}

/// What the signature is checked against: the artifact's bytes, or a digest of it.
#[derive(Debug, Clone)]
pub(crate) enum ArtifactInput<'a> {
    /// The signed blob, or the file a DSSE statement's subject digests.
    Blob(&'a [u8]),
    /// A digest (`sha256` or `sha512`), hex.
    Digest { algorithm: String, hex: String },
}

impl ArtifactInput<'_> {
    fn to_artifact(&self) -> Result<Artifact<'_>, String> {
        match self {
            ArtifactInput::Blob(bytes) => Ok(Artifact::from_blob(bytes)),
            ArtifactInput::Digest { algorithm, hex } => {
                let algorithm = match algorithm.as_str() {
                    "sha256" | "SHA2_256" => HashAlgorithm::Sha2256,
                    "sha512" | "SHA2_512" => HashAlgorithm::Sha2512,
                    other => return Err(format!("unsupported digest algorithm `{other}`")),
                };
                let bytes = hex::decode(hex).map_err(|e| format!("digest `{hex}`: {e}"))?;
                let digest = ArtifactDigest::new(algorithm, DigestBytes::new(bytes))
                    .map_err(|e| e.to_string())?;
                Ok(Artifact::from_digest(digest))
            }
        }
    }
}

/// An exact value or an anchored regular expression.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Equal to this.
    Exact(String),
    /// Matches this expression in full (it is anchored: `^(?:RE)$`).
    Regexp(regex::Regex),
}

impl Matcher {
    /// An anchored regular expression (`^(?:pattern)$`).
    pub fn regexp(pattern: &str) -> Result<Matcher, regex::Error> {
        regex::Regex::new(&format!("^(?:{pattern})$")).map(Matcher::Regexp)
    }

    /// Whether `value` matches.
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Matcher::Exact(expected) => expected == value,
            Matcher::Regexp(re) => re.is_match(value),
        }
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matcher::Exact(value) => write!(f, "`{value}`"),
            Matcher::Regexp(re) => write!(f, "/{}/", re.as_str()),
        }
    }
}

/// The GitHub workflow claims an identity may pin (cosign's
/// `--certificate-github-workflow-*` names), in the order they are documented.
pub const GITHUB_CLAIMS: [&str; 6] = [
    "repository",
    "ref",
    "sha",
    "workflow",
    "trigger",
    "runner_environment",
];

/// A certificate identity trusted to sign, with what for.
#[derive(Debug, Clone)]
pub struct TrustedIdentity {
    /// A name for messages and evidence (the config's `name`, else the subject as written).
    pub name: String,
    /// The OIDC issuer; `None`: any issuer (only from the command line).
    pub issuer: Option<Matcher>,
    /// The certificate's SAN (URI or email).
    pub subject: Matcher,
    /// GitHub workflow claims that must hold exactly ([`GITHUB_CLAIMS`] names).
    pub github: BTreeMap<String, String>,
    /// What it may sign.
    pub purposes: Vec<Purpose>,
    /// The stages it is trusted at; `None`: every stage.
    pub stages: Option<Vec<String>>,
}

impl TrustedIdentity {
    /// An identity trusted for every purpose at every stage (`verify
    /// --certificate-identity`).
    pub fn for_anything(subject: Matcher, issuer: Option<Matcher>) -> TrustedIdentity {
        TrustedIdentity {
            name: subject.to_string(),
            issuer,
            subject,
            github: BTreeMap::new(),
            purposes: Purpose::ALL.to_vec(),
            stages: None,
        }
    }

    /// The purposes among `self.purposes` that vouch for a statement serving `kind` at
    /// `stage` (any stage when `None`). Empty: not trusted for it.
    pub fn grants(&self, kind: Purpose, stage: Option<&str>) -> Vec<Purpose> {
        let at_stage = match (&self.stages, stage) {
            (Some(stages), Some(stage)) => stages.iter().any(|s| s == stage),
            _ => true,
        };
        if !at_stage {
            return Vec::new();
        }
        self.purposes
            .iter()
            .copied()
            .filter(|p| p.covers(kind))
            .collect()
    }

    /// Whether `certificate` is this identity: `Err` says which part differs.
    pub fn check(&self, certificate: &CertificateIdentity) -> Result<(), String> {
        if !self.subject.matches(&certificate.subject) {
            return Err(format!(
                "identity `{}` does not match {}",
                certificate.subject, self.subject
            ));
        }
        if let Some(issuer) = &self.issuer {
            let Some(actual) = certificate.issuer.as_deref() else {
                return Err("the certificate names no OIDC issuer".to_owned());
            };
            if !issuer.matches(actual) {
                return Err(format!("issuer `{actual}` does not match {issuer}"));
            }
        }
        for (claim, expected) in &self.github {
            match certificate.claims.get(claim) {
                Some(actual) if actual == expected => {}
                Some(actual) => {
                    return Err(format!(
                        "GitHub claim `{claim}` is `{actual}`, not `{expected}`"
                    ));
                }
                None => {
                    return Err(format!(
                        "the certificate has no GitHub claim `{claim}` (`{expected}` required)"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Why this identity does not vouch for `kind` at `stage`, for messages.
    pub(crate) fn refusal(&self, kind: Purpose, stage: Option<&str>) -> String {
        let purposes: Vec<&str> = self.purposes.iter().map(|p| p.as_str()).collect();
        match (&self.stages, stage) {
            (Some(stages), Some(stage)) if !stages.iter().any(|s| s == stage) => format!(
                "signed by `{}`, which is trusted at stage(s) {} only, not at `{stage}`",
                self.name,
                stages.join(", ")
            ),
            _ => format!(
                "signed by `{}`, which is trusted for {} only, not for {kind}",
                self.name,
                purposes.join(", ")
            ),
        }
    }
}

/// The identity of a verified Fulcio certificate: what a keyless signer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateIdentity {
    /// The SAN (URI or email).
    pub subject: String,
    /// The OIDC issuer.
    pub issuer: Option<String>,
    /// The Fulcio CI claims present: the GitHub workflow ones under [`GITHUB_CLAIMS`] names,
    /// and `build_signer_uri`, `build_config_uri`, `run_invocation_uri`,
    /// `source_repository_uri`, `repository_visibility`, `deployment_environment`.
    pub claims: BTreeMap<String, String>,
    /// The hex sha256 of the certificate's public key (SubjectPublicKeyInfo).
    pub key_id: String,
}

impl CertificateIdentity {
    /// Reads the verified result; `None` when it carries no verified certificate identity.
    pub(crate) fn of(result: &VerificationResult) -> Option<CertificateIdentity> {
        if !result.certificate_verified() {
            return None;
        }
        let certificate = result.certificate()?;
        let subject = result.identity()?.as_str().to_owned();
        let ci = &certificate.ci_claims;
        let old = &ci.deprecated_github;
        let repository = old.workflow_repository.clone().or_else(|| {
            ci.source_repository_uri
                .as_deref()
                .and_then(|uri| uri.strip_prefix("https://github.com/"))
                .map(str::to_owned)
        });
        let mut claims = BTreeMap::new();
        let mut put = |name: &str, value: Option<String>| {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                claims.insert(name.to_owned(), value);
            }
        };
        put("repository", repository);
        put(
            "ref",
            old.workflow_ref
                .clone()
                .or_else(|| ci.source_repository_ref.clone()),
        );
        put(
            "sha",
            old.workflow_sha
                .clone()
                .or_else(|| ci.source_repository_digest.clone()),
        );
        put("workflow", old.workflow_name.clone());
        put(
            "trigger",
            ci.build_trigger
                .clone()
                .or_else(|| old.workflow_trigger.clone()),
        );
        put("runner_environment", ci.runner_environment.clone());
        put("build_signer_uri", ci.build_signer_uri.clone());
        put("build_config_uri", ci.build_config_uri.clone());
        put("run_invocation_uri", ci.run_invocation_uri.clone());
        put("source_repository_uri", ci.source_repository_uri.clone());
        put(
            "repository_visibility",
            ci.source_repository_visibility_at_signing.clone(),
        );
        put("deployment_environment", ci.deployment_environment.clone());
        Some(CertificateIdentity {
            subject,
            issuer: result.issuer().map(str::to_owned),
            claims,
            key_id: hex::encode(Sha256::digest(certificate.public_key.as_bytes())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate(subject: &str, issuer: &str, claims: &[(&str, &str)]) -> CertificateIdentity {
        CertificateIdentity {
            subject: subject.into(),
            issuer: Some(issuer.into()),
            claims: claims
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            key_id: String::new(),
        }
    }

    const GH: &str = "https://token.actions.githubusercontent.com";
    const WF: &str = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.0";

    #[test]
    fn pass() {
        let identity = TrustedIdentity {
            github: [("repository".to_owned(), "acme/app".to_owned())].into(),
            ..TrustedIdentity::for_anything(
                Matcher::regexp(
                    r"https://github\.com/acme/.+/\.github/workflows/release\.yml@refs/tags/v.*",
                )
                .unwrap(),
                Some(Matcher::Exact(GH.into())),
            )
        };
        identity
            .check(&certificate(WF, GH, &[("repository", "acme/app")]))
            .unwrap();
        let email = TrustedIdentity::for_anything(Matcher::Exact("a@example.com".into()), None);
        email
            .check(&certificate(
                "a@example.com",
                "https://accounts.google.com",
                &[],
            ))
            .unwrap();
    }

    #[test]
    fn fail() {
        let identity = TrustedIdentity {
            github: [("ref".to_owned(), "refs/heads/main".to_owned())].into(),
            ..TrustedIdentity::for_anything(
                Matcher::regexp(r"https://github\.com/acme/.*").unwrap(),
                Some(Matcher::regexp(r"https://token\.actions\.githubusercontent\.com").unwrap()),
            )
        };
        let cases = [
            // Anchored: a prefix elsewhere in the value does not match.
            (
                certificate(
                    "https://evil.example/https://github.com/acme/x",
                    GH,
                    &[("ref", "refs/heads/main")],
                ),
                "does not match",
            ),
            (
                certificate(WF, "https://token.actions.githubusercontent.com.evil", &[]),
                "issuer",
            ),
            (
                certificate(WF, GH, &[("ref", "refs/heads/dev")]),
                "not `refs/heads/main`",
            ),
            (certificate(WF, GH, &[]), "no GitHub claim `ref`"),
        ];
        for (cert, expected) in cases {
            let err = identity.check(&cert).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
        assert!(Matcher::regexp("(").is_err());
    }

    /// The Verifier's dispatch on a real keyless bundle (npm provenance, public-good root).
    mod dispatch {
        use super::super::super::policy::{Rule, VerificationPolicy};
        use super::super::super::{
            CheckedBundle, SignatureErrorKind, Trust, TrustedApprover, Verifier, VerifyError,
        };
        use super::*;

        const IDENTITY: &str =
            "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";

        fn npm() -> CheckedBundle {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
                "testdata/corpus/slsa-provenance/bundle-v0.1-dsse-statement-v1-slsa-v1-npm-sigstorejs.sigstore.json",
            );
            CheckedBundle::from_json(&fs_err::read(path).unwrap()).unwrap()
        }

        fn identity(purposes: Vec<Purpose>, stages: Option<Vec<String>>) -> TrustedIdentity {
            TrustedIdentity {
                name: "sigstore-js".into(),
                purposes,
                stages,
                ..TrustedIdentity::for_anything(
                    Matcher::Exact(IDENTITY.into()),
                    Some(Matcher::Exact(GH.into())),
                )
            }
        }

        fn verifier(identities: Vec<TrustedIdentity>) -> Verifier {
            Verifier::new(&Trust {
                identities,
                ..Trust::default()
            })
        }

        fn provenance() -> VerificationPolicy {
            VerificationPolicy::builder()
                .rule(Rule::PredicateType("https://slsa.dev/provenance/v1".into()))
                .build()
                .unwrap()
        }

        #[test]
        fn scoped_by_purpose_and_stage() {
            let document = npm();
            assert!(document.is_keyless());
            let verified = verifier(vec![identity(vec![Purpose::Provenance], None)])
                .verify_evidence(&document, Some("prod"))
                .unwrap();
            let signer = verified.signer();
            assert_eq!(signer.name, "sigstore-js");
            assert_eq!(signer.purposes, [Purpose::Provenance]);
            let certificate = signer.certificate.as_ref().unwrap();
            assert_eq!(certificate.subject, IDENTITY);
            assert_eq!(certificate.claims["workflow"], "Release");
            // An identity trusted for results verifies a result it signed (the chain).
            verifier(vec![identity(vec![Purpose::Results], None)])
                .verify(&document, Purpose::Results, Some("prod"), &provenance())
                .unwrap();
            // Not for this purpose, not at this stage, nobody, somebody else.
            let refusals = [
                (
                    verifier(vec![identity(vec![Purpose::Provenance], None)]).verify(
                        &document,
                        Purpose::Results,
                        Some("prod"),
                        &provenance(),
                    ),
                    "trusted for provenance only, not for results",
                ),
                (
                    verifier(vec![identity(
                        vec![Purpose::Provenance],
                        Some(vec!["dev".into()]),
                    )])
                    .verify_evidence(&document, Some("prod")),
                    "not at `prod`",
                ),
                (
                    verifier(Vec::new()).verify_evidence(&document, None),
                    "no certificate identity is trusted",
                ),
                (
                    verifier(vec![TrustedIdentity::for_anything(
                        Matcher::Exact("alice@example.com".into()),
                        None,
                    )])
                    .verify_evidence(&document, None),
                    "untrusted identity",
                ),
            ];
            for (outcome, expected) in refusals {
                let err = outcome.unwrap_err();
                assert!(
                    matches!(err, VerifyError::Signature(_)),
                    "{expected}: {err}"
                );
                assert!(err.to_string().contains(expected), "{err}");
            }
        }

        #[test]
        fn keyless_approver() {
            let document = npm();
            let approver = |subject: &str| TrustedApprover {
                name: "release-bot".into(),
                key: None,
                identity: Some(TrustedIdentity::for_anything(
                    Matcher::Exact(subject.into()),
                    Some(Matcher::Exact(GH.into())),
                )),
                roles: vec!["release-manager".into()],
            };
            let trust = |subject: &str| Trust {
                approvers: vec![approver(subject)],
                waiver_roles: vec!["release-manager".into()],
                ..Trust::default()
            };
            let (verified, may_waive) = Verifier::new(&trust(IDENTITY))
                .verify_by_approver(&document, &provenance())
                .unwrap();
            assert_eq!(verified.signer().name, "release-bot");
            assert!(may_waive);
            let err = Verifier::new(&trust("alice@example.com"))
                .verify_by_approver(&document, &provenance())
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    VerifyError::Signature(SignatureErrorKind::UntrustedIdentity { .. })
                ),
                "{err}"
            );
        }
    }
}
