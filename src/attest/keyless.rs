//! Keyless signing (`--keyless`): an ephemeral P-256 key, a Fulcio certificate binding it to
//! the CI job's OIDC identity ([`identity_token`](super::identity_token)), the DSSE signature
//! logged to Rekor, and a Sigstore bundle v0.3 holding the certificate and the log entry
//! (inclusion promise, inclusion proof and checkpoint). The protocol is `sigstore-sign`'s (the
//! Sigstore project's Rust signer, of the `sigstore-verify` family); this module chooses the
//! instance and turns its failures into errors that say which service failed.
//!
//! The instance: the Sigstore public-good one by default (its signing config as embedded in
//! `sigstore-trust-root`: Fulcio, Rekor v1 and the timestamp authority), or a signing config
//! file (`--signing-config`, Sigstore's `signingconfig.v0.2` JSON), or explicit
//! `--fulcio-url` and `--rekor-url` (a Rekor v1 log; `--timestamp-server-url` adds RFC 3161
//! timestamps).
//!
//! Nothing here decides that a signature is trusted: the caller checks the bundle it gets with
//! the [`Verifier`](crate::verify::Verifier) before writing it.

use std::path::PathBuf;
use std::time::Duration;

use sigstore_sign::{SigningContext, SigningServices, SigstoreInstance};

use super::identity_token::{ObtainedToken, TokenError, obtain};

/// How long one request to Fulcio, Rekor, the timestamp authority or the token endpoint may
/// take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Where to sign and with which identity token.
#[derive(Debug, Clone, Default)]
pub struct KeylessOptions {
    /// `--identity-token`: the token, or `@FILE`.
    pub identity_token: Option<String>,
    /// `--oidc-issuer`: the issuer the token must come from.
    pub oidc_issuer: Option<String>,
    /// `--fulcio-url`.
    pub fulcio_url: Option<String>,
    /// `--rekor-url` (Rekor v1 API).
    pub rekor_url: Option<String>,
    /// `--timestamp-server-url` (RFC 3161).
    pub timestamp_server_url: Option<String>,
    /// `--signing-config`: a Sigstore signing config file naming the services.
    pub signing_config: Option<PathBuf>,
}

/// Why keyless signing failed. No variant carries the identity token.
#[derive(Debug, thiserror::Error)]
pub enum KeylessError {
    /// No usable identity token.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The instance's services cannot be determined.
    #[error("the signing services: {0}")]
    Services(String),
    /// A signing config file cannot be read.
    #[error("cannot read the signing config `{}`: {message}", path.display())]
    SigningConfig {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The HTTP client or the runtime cannot be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Setup(String),
    /// Fulcio refused or could not be reached.
    #[error("Fulcio at {url} issued no certificate: {message}")]
    Fulcio {
        /// The Fulcio URL.
        url: String,
        /// Why.
        message: String,
    },
    /// Rekor refused or could not be reached.
    #[error("Rekor at {url} did not log the signature: {message}")]
    Rekor {
        /// The Rekor URL.
        url: String,
        /// Why.
        message: String,
    },
    /// The timestamp authority refused or could not be reached.
    #[error("the timestamp authority at {url} issued no timestamp: {message}")]
    Timestamp {
        /// Its URL.
        url: String,
        /// Why.
        message: String,
    },
    /// Anything else `sigstore-sign` reports (a bad statement, a crypto failure).
    #[error("keyless signing failed: {0}")]
    Other(String),
}

/// A keyless signer: the token, the services, and a runtime to talk to them. Each
/// [`KeylessSigner::sign_statement`] gets a fresh key and certificate.
pub struct KeylessSigner {
    runtime: tokio::runtime::Runtime,
    signer: sigstore_sign::Signer,
    services: SigningServices,
    token_origin: &'static str,
    issuer: String,
    subject: String,
}

impl std::fmt::Debug for KeylessSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeylessSigner")
            .field("fulcio", &self.services.fulcio_url())
            .field("rekor", &self.services.rekor_url())
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl KeylessSigner {
    /// Chooses the services and obtains the identity token (nothing is signed or sent to
    /// Fulcio or Rekor yet).
    pub fn new(options: &KeylessOptions) -> Result<KeylessSigner, KeylessError> {
        let services = services(options)?;
        services
            .validate()
            .map_err(|e| KeylessError::Services(e.to_string()))?;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("stagegate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| KeylessError::Setup(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| KeylessError::Setup(e.to_string()))?;
        let ObtainedToken { token, origin } = runtime.block_on(obtain(
            options.identity_token.as_deref(),
            options.oidc_issuer.as_deref(),
            &http,
        ))?;
        let issuer = token.issuer().to_owned();
        let subject = token.identity().to_owned();
        let signer = SigningContext::new(services.clone())
            .with_http_client(http)
            .signer(token);
        Ok(KeylessSigner {
            runtime,
            signer,
            services,
            token_origin: origin,
            issuer,
            subject,
        })
    }

    /// The token's issuer (`iss`, unverified: Fulcio checks it).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The token's email or subject (unverified; the certificate's SAN is what counts).
    pub fn token_subject(&self) -> &str {
        &self.subject
    }

    /// Where the token came from.
    pub fn token_origin(&self) -> &'static str {
        self.token_origin
    }

    /// The Fulcio URL.
    pub fn fulcio_url(&self) -> &str {
        self.services.fulcio_url()
    }

    /// The Rekor URL.
    pub fn rekor_url(&self) -> &str {
        self.services.rekor_url()
    }

    /// Signs an in-toto statement (its exact JSON bytes) in a DSSE envelope with a fresh
    /// certificate, logs it, and returns the bundle v0.3 JSON (pretty, ending with a newline).
    pub fn sign_statement(&self, statement_json: &[u8]) -> Result<String, KeylessError> {
        let bundle = self
            .runtime
            .block_on(self.signer.sign_raw_statement(statement_json))
            .map_err(|e| self.service_error(e))?;
        let mut json = bundle
            .to_json_pretty()
            .map_err(|e| KeylessError::Other(e.to_string()))?;
        json.push('\n');
        Ok(json)
    }

    fn service_error(&self, err: sigstore_sign::Error) -> KeylessError {
        use sigstore_sign::Error;
        match err {
            Error::Fulcio(e) => KeylessError::Fulcio {
                url: self.services.fulcio_url().to_owned(),
                message: e.to_string(),
            },
            Error::Rekor(e) => KeylessError::Rekor {
                url: self.services.rekor_url().to_owned(),
                message: e.to_string(),
            },
            Error::Tsa(e) => KeylessError::Timestamp {
                url: self.services.tsa_url().unwrap_or_default().to_owned(),
                message: e.to_string(),
            },
            Error::Config(e) => KeylessError::Services(e.to_string()),
            other => KeylessError::Other(other.to_string()),
        }
    }
}

/// The services of `options`: explicit URLs, else a signing config file, else the
/// public-good instance's embedded signing config. Explicit URLs replace that instance's.
fn services(options: &KeylessOptions) -> Result<SigningServices, KeylessError> {
    let base = match &options.signing_config {
        Some(path) => {
            let bytes = crate::limits::read_limited(path, &crate::limits::Limits::default())
                .map_err(|e| KeylessError::SigningConfig {
                    path: path.clone(),
                    message: crate::errors::error_chain(&e),
                })?;
            let config = sigstore_sign::trust_root::SigningConfig::from_json(
                &String::from_utf8_lossy(&bytes),
            )
            .map_err(|e| KeylessError::SigningConfig {
                path: path.clone(),
                message: e.to_string(),
            })?;
            SigningServices::from_signing_config(&config).map_err(|e| {
                KeylessError::SigningConfig {
                    path: path.clone(),
                    message: e.to_string(),
                }
            })?
        }
        None => SigningServices::from_embedded(SigstoreInstance::PublicGood)
            .map_err(|e| KeylessError::Services(e.to_string()))?,
    };
    let explicit = options.fulcio_url.is_some() || options.rekor_url.is_some();
    let mut services = if explicit {
        // Explicit services: Rekor v1, and a timestamp authority only when named.
        SigningServices::new(
            options
                .fulcio_url
                .clone()
                .unwrap_or_else(|| base.fulcio_url().to_owned()),
            options
                .rekor_url
                .clone()
                .unwrap_or_else(|| base.rekor_url().to_owned()),
        )
    } else {
        base
    };
    if let Some(tsa) = &options.timestamp_server_url {
        services = services.with_tsa_url(tsa.clone());
    }
    for url in [services.fulcio_url(), services.rekor_url()]
        .into_iter()
        .chain(services.tsa_url())
    {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(KeylessError::Services(format!(
                "`{url}` is not an http(s) URL"
            )));
        }
    }
    Ok(services)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_public_good() {
        let s = services(&KeylessOptions::default()).unwrap();
        assert_eq!(s.fulcio_url(), "https://fulcio.sigstore.dev");
        assert_eq!(s.rekor_url(), "https://rekor.sigstore.dev");
        assert!(s.tsa_url().is_some());
    }

    #[test]
    fn explicit_urls() {
        let s = services(&KeylessOptions {
            fulcio_url: Some("http://127.0.0.1:1".into()),
            rekor_url: Some("http://127.0.0.1:2".into()),
            ..KeylessOptions::default()
        })
        .unwrap();
        assert_eq!(s.fulcio_url(), "http://127.0.0.1:1");
        assert_eq!(s.rekor_url(), "http://127.0.0.1:2");
        assert_eq!(s.tsa_url(), None);
        let bad = services(&KeylessOptions {
            fulcio_url: Some("ftp://x".into()),
            rekor_url: Some("http://127.0.0.1:2".into()),
            ..KeylessOptions::default()
        });
        assert!(matches!(bad, Err(KeylessError::Services(_))));
    }

    #[test]
    fn unreachable_fulcio_is_a_fulcio_error() {
        use base64::Engine;
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"iss":"https://issuer.test","sub":"me","exp":9999999999}"#);
        let signer = KeylessSigner::new(&KeylessOptions {
            identity_token: Some(format!("e30.{claims}.sig")),
            fulcio_url: Some("http://127.0.0.1:1".into()),
            rekor_url: Some("http://127.0.0.1:1".into()),
            ..KeylessOptions::default()
        })
        .unwrap();
        let statement = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}],"predicateType":"x","predicate":{}}"#;
        let err = signer.sign_statement(statement).unwrap_err();
        assert!(matches!(err, KeylessError::Fulcio { .. }), "{err}");
        assert!(!err.to_string().contains(&claims));
    }
}
