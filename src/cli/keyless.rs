//! `--keyless` for the signing commands (`gate`, `approve`, `waiver sign`, `revoke`, `attest`): the
//! options ([`KeylessArgs`], flattened into each command beside `--key`) and the one signer the
//! commands call ([`StatementSigner`]: a key, or keyless through
//! [`crate::attest::keyless`]).
//!
//! Fail closed: every keyless bundle is verified with the [`Verifier`] against the trusted root
//! (`--trusted-root`, else the gate's `trust.roots`, else the Sigstore public-good root) before
//! the command may write it, and its certificate must name the token's issuer. A bundle that
//! does not verify, a token error or an unreachable service is an error (exit 2) and nothing is
//! written.

use std::path::{Path, PathBuf};

use clap::Args;
use miette::Report;
use serde::Serialize;

use crate::attest::keyless::{KeylessOptions, KeylessSigner};
use crate::attest::keys::SigningKey;
use crate::attest::statement::Statement;
use crate::cli::diagnostic::chain_report;
use crate::errors::error_chain;
use crate::verify::keyless::SigstoreRoot;
use crate::verify::{
    CheckedBundle, Matcher, Rule, Trust, TrustedIdentity, VerificationPolicy, Verifier, purpose_of,
};

/// Keyless signing options (`--keyless` and the instance it signs with).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Keyless signing")]
pub struct KeylessArgs {
    /// Sign keyless instead of with `--key`: an OIDC identity token from the CI (GitHub Actions'
    /// `ACTIONS_ID_TOKEN_REQUEST_*`, GitLab's `SIGSTORE_ID_TOKEN`, or `--identity-token`), a
    /// Fulcio certificate for it, the signature logged to Rekor, all in the bundle.
    #[arg(long, conflicts_with = "key")]
    pub keyless: bool,
    /// The OIDC identity token, or `@FILE` to read it from a file (a value on the command line
    /// is visible to other local users: prefer `@FILE` or `SIGSTORE_ID_TOKEN`) [default:
    /// `SIGSTORE_ID_TOKEN`, then GitHub Actions' token endpoint, audience `sigstore`].
    #[arg(long, value_name = "TOKEN|@FILE", requires = "keyless")]
    pub identity_token: Option<String>,
    /// The issuer the identity token must come from (refused before anything is sent
    /// otherwise).
    #[arg(long, value_name = "URL", requires = "keyless")]
    pub oidc_issuer: Option<String>,
    /// Fulcio's URL [default: the Sigstore public-good instance's].
    #[arg(long, value_name = "URL", requires = "keyless")]
    pub fulcio_url: Option<String>,
    /// Rekor's URL (API v1) [default: the Sigstore public-good instance's].
    #[arg(long, value_name = "URL", requires = "keyless")]
    pub rekor_url: Option<String>,
    /// An RFC 3161 timestamp authority to timestamp the signature with [default: the
    /// public-good instance's, unless `--fulcio-url` or `--rekor-url` is given].
    #[arg(long, value_name = "URL", requires = "keyless")]
    pub timestamp_server_url: Option<String>,
    /// A Sigstore signing config (`signingconfig.v0.2` JSON) naming the services, for a
    /// private instance.
    #[arg(long, value_name = "FILE", requires = "keyless")]
    pub signing_config: Option<PathBuf>,
    /// The trusted root the signed bundle must verify against before it is written [default:
    /// `trust.roots` of the stage configuration (`gate`), else the Sigstore public-good root].
    #[arg(long, value_name = "FILE", requires = "keyless")]
    pub trusted_root: Option<PathBuf>,
}

impl KeylessArgs {
    fn options(&self) -> KeylessOptions {
        KeylessOptions {
            identity_token: self.identity_token.clone(),
            oidc_issuer: self.oidc_issuer.clone(),
            fulcio_url: self.fulcio_url.clone(),
            rekor_url: self.rekor_url.clone(),
            timestamp_server_url: self.timestamp_server_url.clone(),
            signing_config: self.signing_config.clone(),
        }
    }

    /// The files these options read (for the commands' "an output must not replace an input"
    /// check).
    pub fn inputs(&self) -> Vec<(String, &Path)> {
        let mut inputs = Vec::new();
        if let Some(path) = self
            .identity_token
            .as_deref()
            .and_then(|t| t.strip_prefix('@'))
        {
            inputs.push(("`--identity-token`".to_owned(), Path::new(path)));
        }
        if let Some(path) = &self.signing_config {
            inputs.push(("`--signing-config`".to_owned(), path.as_path()));
        }
        if let Some(path) = &self.trusted_root {
            inputs.push(("`--trusted-root`".to_owned(), path.as_path()));
        }
        inputs
    }
}

/// What signs a command's statements: a private key, or a keyless session.
#[derive(Debug)]
pub enum StatementSigner {
    /// A private key (`--key`).
    Key(SigningKey),
    /// Keyless (`--keyless`).
    Keyless(KeylessSession),
}

/// A keyless signer and the verifier its bundles are checked with before they are written.
#[derive(Debug)]
pub struct KeylessSession {
    signer: Box<KeylessSigner>,
    verifier: Verifier,
    /// The certificate identity of the last bundle signed (verified).
    identity: std::cell::RefCell<Option<String>>,
}

impl StatementSigner {
    /// The signer the command line asks for: `--key FILE` (loaded, asking for its password), or
    /// `--keyless` (the identity token obtained now). `roots`: the trusted roots to check
    /// keyless bundles against when `--trusted-root` is not given (empty: the public-good one).
    pub fn from_args(
        key: Option<&Path>,
        keyless: &KeylessArgs,
        roots: &[SigstoreRoot],
    ) -> Result<StatementSigner, Report> {
        match (key, keyless.keyless) {
            (Some(path), false) => Ok(StatementSigner::Key(crate::cli::signing::load_signing_key(
                path,
            )?)),
            (None, true) => {
                let roots = match &keyless.trusted_root {
                    Some(path) => {
                        vec![crate::verify::trust::load_root(path).map_err(|e| chain_report(&e))?]
                    }
                    None => roots.to_vec(),
                };
                let signer = KeylessSigner::new(&keyless.options())
                    .map_err(|e| miette::miette!("nothing signed: {}", error_chain(&e)))?;
                // Any identity: this check is that the services returned a bundle that verifies
                // (chain, SCT, log entry); whose identity counts is the reader's trust config.
                let trust = Trust {
                    identities: vec![TrustedIdentity::for_anything(
                        Matcher::Regexp(
                            regex::Regex::new(".*").map_err(|e| miette::miette!("{e}"))?,
                        ),
                        Some(Matcher::Exact(signer.issuer().to_owned())),
                    )],
                    roots,
                    ..Trust::default()
                };
                Ok(StatementSigner::Keyless(KeylessSession {
                    signer: Box::new(signer),
                    verifier: Verifier::new(&trust),
                    identity: std::cell::RefCell::new(None),
                }))
            }
            (Some(_), true) => Err(miette::miette!("give `--key` or `--keyless`, not both")),
            (None, false) => Err(miette::miette!(
                help = "`--key FILE` signs with a private key; `--keyless` signs with the CI's OIDC identity (Fulcio and Rekor)",
                "no signer: give `--key` or `--keyless`"
            )),
        }
    }

    /// The private key, when signing with one.
    pub fn key(&self) -> Option<&SigningKey> {
        match self {
            StatementSigner::Key(key) => Some(key),
            StatementSigner::Keyless(_) => None,
        }
    }

    /// Signs `statement` and returns the bundle's JSON. Keyless: the bundle has been verified
    /// against the trusted root, for this statement, with a certificate from the token's
    /// issuer.
    pub fn sign<P: Serialize>(&self, statement: &Statement<P>) -> Result<String, Report> {
        match self {
            StatementSigner::Key(key) => crate::attest::sign_statement(statement, key)
                .and_then(|b| b.to_json())
                .map_err(|e| chain_report(&e)),
            StatementSigner::Keyless(session) => session.sign(statement),
        }
    }

    /// Who signs, for messages: `key HINT`, or `keyless identity `SAN` (issuer `ISS`)` once a
    /// bundle was signed.
    pub fn describe(&self) -> String {
        match self {
            StatementSigner::Key(key) => format!("key {}", key.public_key().hint()),
            StatementSigner::Keyless(session) => match &*session.identity.borrow() {
                Some(identity) => format!(
                    "keyless identity `{identity}` (issuer `{}`)",
                    session.signer.issuer()
                ),
                None => format!("keyless (issuer `{}`)", session.signer.issuer()),
            },
        }
    }

    /// The signer as the audit record names it: the key's hint, or `keyless:ISSUER`.
    pub fn audit_id(&self) -> String {
        match self {
            StatementSigner::Key(key) => key.public_key().hint(),
            StatementSigner::Keyless(session) => format!("keyless:{}", session.signer.issuer()),
        }
    }
}

impl KeylessSession {
    fn sign<P: Serialize>(&self, statement: &Statement<P>) -> Result<String, Report> {
        let payload = serde_json::to_vec(statement).map_err(|e| chain_report(&e))?;
        let json = self
            .signer
            .sign_statement(&payload)
            .map_err(|e| miette::miette!("nothing signed: {}", error_chain(&e)))?;
        let refused = |why: String| {
            miette::miette!(
                help = "a private Sigstore instance needs its root: `--trusted-root FILE` (or `trust.roots` in stagegate.yaml)",
                "nothing written: the bundle Fulcio ({}) and Rekor ({}) returned does not verify: {why}",
                self.signer.fulcio_url(),
                self.signer.rekor_url()
            )
        };
        let document =
            CheckedBundle::from_json(json.as_bytes()).map_err(|e| refused(e.to_string()))?;
        let policy = VerificationPolicy::builder()
            .rule(Rule::PredicateType(statement.predicate_type.clone()))
            .build()
            .map_err(|e| refused(e.to_string()))?;
        let verified = self
            .verifier
            .verify(
                &document,
                purpose_of(&statement.predicate_type),
                None,
                &policy,
            )
            .map_err(|e| refused(error_chain(&e)))?;
        let signed_payload = match crate::attest::bundle::Bundle::from_json(json.as_bytes()) {
            Ok(crate::attest::bundle::Bundle {
                content: crate::attest::bundle::BundleContent::Dsse(envelope),
                ..
            }) => Some(envelope.payload),
            _ => None,
        };
        if signed_payload.as_deref() != Some(payload.as_slice()) {
            return Err(refused(
                "the signed statement is not the one sent".to_owned(),
            ));
        }
        let identity = verified
            .signer()
            .certificate
            .as_ref()
            .map(|c| c.subject.clone());
        tracing::info!(
            "signed keyless as {} (token from {})",
            identity.as_deref().unwrap_or("?"),
            self.signer.token_origin()
        );
        *self.identity.borrow_mut() = identity;
        Ok(json)
    }
}

/// The gate's signer: as [`StatementSigner::from_args`], keyless bundles checked against the
/// configuration's `trust.roots` when `--trusted-root` is not given (loaded only then).
pub fn gate_signer(
    key: Option<&Path>,
    keyless: &KeylessArgs,
    config: &crate::config::Config,
) -> Result<StatementSigner, Report> {
    let roots = if keyless.keyless && keyless.trusted_root.is_none() {
        config
            .trust
            .roots
            .iter()
            .map(|root| crate::verify::trust::load_root(&root.resolved))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| chain_report(&e))?
    } else {
        Vec::new()
    };
    StatementSigner::from_args(key, keyless, &roots)
}
