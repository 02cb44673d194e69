//! The OIDC identity token a keyless signature is bound to, as a CI job has one:
//!
//! 1. `--identity-token VALUE` or `--identity-token @FILE` (as cosign's `--identity-token`);
//! 2. `SIGSTORE_ID_TOKEN` (GitLab CI's `id_tokens:` with `aud: sigstore`, and cosign's
//!    convention elsewhere);
//! 3. GitHub Actions: `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=sigstore` with
//!    `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN` (the job needs `permissions:
//!    id-token: write`), answering `{"value": "<JWT>"}`.
//!
//! The token is a bearer credential: it lives in a [`sigstore_sign::oidc::IdentityToken`]
//! (zeroized, redacted `Debug`), and no message or log line here ever carries it. Its claims
//! are read without checking its signature (Fulcio authenticates it); they are used only to
//! refuse an expired token or one from another issuer than `--oidc-issuer` early, and to name
//! the signer in messages.

use std::path::Path;

use sigstore_sign::oidc::IdentityToken;

/// The variable GitLab CI (and cosign) read an identity token from.
pub const SIGSTORE_ID_TOKEN: &str = "SIGSTORE_ID_TOKEN";
/// GitHub Actions' token endpoint.
pub const ACTIONS_ID_TOKEN_REQUEST_URL: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
/// GitHub Actions' bearer token for its token endpoint.
pub const ACTIONS_ID_TOKEN_REQUEST_TOKEN: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
/// The audience Fulcio expects.
pub const SIGSTORE_AUDIENCE: &str = "sigstore";

/// The largest token file read (a JWT is a few KiB).
const MAX_TOKEN_BYTES: u64 = 64 * 1024;

/// Why no usable identity token was obtained. No variant carries the token.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// No source offered a token.
    #[error(
        "no OIDC identity token: give `--identity-token`, set `{SIGSTORE_ID_TOKEN}`, or run in GitHub Actions with `permissions: id-token: write`"
    )]
    Missing,
    /// `ACTIONS_ID_TOKEN_REQUEST_URL` without `ACTIONS_ID_TOKEN_REQUEST_TOKEN` or the reverse.
    #[error(
        "`{present}` is set but `{missing}` is not: the GitHub Actions job needs `permissions: id-token: write`"
    )]
    GithubIncomplete {
        /// The variable that is set.
        present: &'static str,
        /// The one that is missing.
        missing: &'static str,
    },
    /// The token file cannot be read.
    #[error("cannot read the identity token file `{}`", path.display())]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: crate::limits::LimitError,
    },
    /// The token endpoint could not be reached or answered badly.
    #[error("the GitHub Actions token endpoint: {0}")]
    Endpoint(String),
    /// Not a JWT we can read the claims of.
    #[error("the identity token from {origin} is not a JWT: {message}")]
    Malformed {
        /// Where it came from.
        origin: &'static str,
        /// Why (never the token).
        message: String,
    },
    /// Expired.
    #[error("the identity token from {origin} expired at {expired}")]
    Expired {
        /// Where it came from.
        origin: &'static str,
        /// When.
        expired: String,
    },
    /// Issued by another issuer than `--oidc-issuer`.
    #[error(
        "the identity token from {origin} was issued by `{actual}`, not `{expected}` (`--oidc-issuer`)"
    )]
    Issuer {
        /// Where it came from.
        origin: &'static str,
        /// Its `iss`.
        actual: String,
        /// The one required.
        expected: String,
    },
}

/// A token and where it came from (for messages: `--identity-token`, `SIGSTORE_ID_TOKEN`,
/// `GitHub Actions`).
#[derive(Debug)]
pub struct ObtainedToken {
    /// The token (redacted in `Debug`).
    pub token: IdentityToken,
    /// Its source.
    pub origin: &'static str,
}

/// Finds the identity token: `given` (`--identity-token`: a value, or `@FILE`), else
/// `SIGSTORE_ID_TOKEN`, else GitHub Actions' endpoint (asked through `http`). Refuses an
/// expired token, and one not issued by `issuer` when given.
pub async fn obtain(
    given: Option<&str>,
    issuer: Option<&str>,
    http: &reqwest::Client,
) -> Result<ObtainedToken, TokenError> {
    let (raw, origin) = raw_token(given, http).await?;
    let token = IdentityToken::from_jwt(raw.trim()).map_err(|e| TokenError::Malformed {
        origin,
        message: e.to_string(),
    })?;
    if token.is_expired() {
        return Err(TokenError::Expired {
            origin,
            expired: token.expiration().to_string(),
        });
    }
    if let Some(expected) = issuer
        && token.issuer() != expected
    {
        return Err(TokenError::Issuer {
            origin,
            actual: token.issuer().to_owned(),
            expected: expected.to_owned(),
        });
    }
    tracing::info!(
        "identity token from {origin}, issued by `{}`",
        token.issuer()
    );
    Ok(ObtainedToken { token, origin })
}

async fn raw_token(
    given: Option<&str>,
    http: &reqwest::Client,
) -> Result<(zeroize::Zeroizing<String>, &'static str), TokenError> {
    if let Some(given) = given {
        return match given.strip_prefix('@') {
            Some(path) => Ok((read_file(Path::new(path))?, "`--identity-token` file")),
            None => Ok((
                zeroize::Zeroizing::new(given.to_owned()),
                "`--identity-token`",
            )),
        };
    }
    if let Ok(value) = std::env::var(SIGSTORE_ID_TOKEN)
        && !value.trim().is_empty()
    {
        return Ok((zeroize::Zeroizing::new(value), "`SIGSTORE_ID_TOKEN`"));
    }
    let url = std::env::var(ACTIONS_ID_TOKEN_REQUEST_URL).ok();
    let bearer = std::env::var(ACTIONS_ID_TOKEN_REQUEST_TOKEN)
        .ok()
        .map(zeroize::Zeroizing::new);
    match (url, bearer) {
        (Some(url), Some(bearer)) => Ok((github(&url, &bearer, http).await?, "GitHub Actions")),
        (Some(_), None) => Err(TokenError::GithubIncomplete {
            present: ACTIONS_ID_TOKEN_REQUEST_URL,
            missing: ACTIONS_ID_TOKEN_REQUEST_TOKEN,
        }),
        (None, Some(_)) => Err(TokenError::GithubIncomplete {
            present: ACTIONS_ID_TOKEN_REQUEST_TOKEN,
            missing: ACTIONS_ID_TOKEN_REQUEST_URL,
        }),
        (None, None) => Err(TokenError::Missing),
    }
}

fn read_file(path: &Path) -> Result<zeroize::Zeroizing<String>, TokenError> {
    let limits = crate::limits::Limits {
        max_file_bytes: MAX_TOKEN_BYTES,
        ..crate::limits::Limits::default()
    };
    let bytes = zeroize::Zeroizing::new(crate::limits::read_limited(path, &limits).map_err(
        |source| TokenError::File {
            path: path.to_owned(),
            source,
        },
    )?);
    Ok(zeroize::Zeroizing::new(
        String::from_utf8_lossy(&bytes).into_owned(),
    ))
}

/// Asks GitHub Actions' endpoint for a token with audience `sigstore`.
async fn github(
    url: &str,
    bearer: &str,
    http: &reqwest::Client,
) -> Result<zeroize::Zeroizing<String>, TokenError> {
    #[derive(serde::Deserialize)]
    struct Answer {
        value: Option<String>,
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    let request_url = format!("{url}{separator}audience={SIGSTORE_AUDIENCE}");
    let response = http
        .get(&request_url)
        .header("Authorization", format!("bearer {bearer}"))
        .header("Accept", "application/json; api-version=2.0")
        .send()
        .await
        .map_err(|e| TokenError::Endpoint(format!("cannot reach it: {}", without_url(&e))))?;
    let status = response.status();
    if !status.is_success() {
        return Err(TokenError::Endpoint(format!(
            "it answered HTTP {status} (does the job have `permissions: id-token: write`?)"
        )));
    }
    let body = zeroize::Zeroizing::new(
        response
            .bytes()
            .await
            .map_err(|e| TokenError::Endpoint(format!("reading its answer: {}", without_url(&e))))?
            .to_vec(),
    );
    let answer: Answer = serde_json::from_slice(&body).map_err(|_| {
        TokenError::Endpoint("its answer is not JSON of the form {\"value\": TOKEN}".to_owned())
    })?;
    answer
        .value
        .filter(|v| !v.is_empty())
        .map(zeroize::Zeroizing::new)
        .ok_or_else(|| TokenError::Endpoint("its answer holds no `value`".to_owned()))
}

/// A reqwest error without its URL (the endpoint URL is harmless, but short messages read
/// better and nothing of the request leaks).
fn without_url(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    if let Some(url) = err.url() {
        text = text.replace(&format!(" ({url})"), "");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn jwt(claims: &str) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", b64(r#"{"alg":"none"}"#), b64(claims))
    }

    fn http() -> reqwest::Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::new()
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn given_value_and_checks() {
        let http = http();
        let good = jwt(r#"{"iss":"https://issuer.test","sub":"me","exp":9999999999}"#);
        let token = run(obtain(Some(&good), Some("https://issuer.test"), &http)).unwrap();
        assert_eq!(token.origin, "`--identity-token`");
        assert_eq!(token.token.subject(), "me");
        assert!(!format!("{token:?}").contains(&good));

        let err = run(obtain(Some(&good), Some("https://other.test"), &http)).unwrap_err();
        assert!(matches!(err, TokenError::Issuer { .. }), "{err}");
        assert!(!err.to_string().contains(&good));

        let expired = jwt(r#"{"iss":"https://issuer.test","sub":"me","exp":1000}"#);
        let err = run(obtain(Some(&expired), None, &http)).unwrap_err();
        assert!(matches!(err, TokenError::Expired { .. }), "{err}");

        let err = run(obtain(Some("not-a-jwt"), None, &http)).unwrap_err();
        assert!(matches!(err, TokenError::Malformed { .. }), "{err}");
        assert!(!err.to_string().contains("not-a-jwt"));
    }

    #[test]
    fn token_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        let good = jwt(r#"{"iss":"https://issuer.test","sub":"me","exp":9999999999}"#);
        fs_err::write(&path, format!("{good}\n")).unwrap();
        let http = http();
        let arg = format!("@{}", path.display());
        let token = run(obtain(Some(&arg), None, &http)).unwrap();
        assert_eq!(token.token.issuer(), "https://issuer.test");
        let missing = format!("@{}", dir.path().join("none").display());
        assert!(matches!(
            run(obtain(Some(&missing), None, &http)),
            Err(TokenError::File { .. })
        ));
    }
}
