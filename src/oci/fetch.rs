//! The read path: `GET` of referrers, manifests and blobs over one pooled HTTP client, with
//! what was learnt about each registry remembered.
//!
//! Why not oci-client for reads: it probes `GET /v2/` before every request to a registry that
//! asks for no token (an anonymous one never caches a token), and `Client::auth` re-runs the
//! token exchange on every call, so each read cost two to three round trips. The admission
//! webhook checks images on every cache miss, and the registry's own throughput was the limit
//! (bench/SERVE.md). Here each read is one round trip once the registry is known:
//!
//! - auth follows the distribution token flow
//!   (<https://distribution.github.io/distribution/spec/auth/token/>): a request goes out with
//!   the remembered `Authorization` for (registry, repository), or none; on a 401 the
//!   `WWW-Authenticate` challenge is answered (`Bearer realm=…,service=…` → a pull token from the
//!   realm, with the Basic credentials if any; `Basic` → the credentials), remembered, and the
//!   request retried once;
//! - whether the registry serves the referrers API (a 404 on
//!   `GET /v2/<name>/referrers/<digest>` means it does not) is remembered per registry.
//!
//! What we ignore (and why): token expiry (`expires_in`): an expired token gets a 401 and is
//! renewed by the same retry; pagination of the referrers API (as in [`super`]).

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use base64::Engine as _;
use oci_client::secrets::RegistryAuth;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue, WWW_AUTHENTICATE};

use super::{MAX_BLOB_BYTES, OciError};

/// What is remembered about one registry.
#[derive(Debug, Default)]
struct Known {
    /// The referrers API answered 404.
    no_referrers_api: bool,
    /// The `Authorization` value that worked, per repository.
    authorization: HashMap<String, HeaderValue>,
}

/// A pooled reader shared by every registry host.
#[derive(Debug)]
pub(crate) struct Reader {
    http: reqwest::Client,
    known: RwLock<HashMap<String, Known>>,
}

/// One read: where, what, and as whom.
pub(crate) struct Get<'a> {
    /// `http` or `https`.
    pub scheme: &'a str,
    /// Host and port.
    pub registry: &'a str,
    /// The repository.
    pub repository: &'a str,
    /// The path after `/v2/<repository>/`.
    pub path: String,
    /// The `Accept` header.
    pub accept: &'a str,
    /// The credentials for the registry.
    pub auth: &'a RegistryAuth,
    /// For messages.
    pub what: String,
}

impl Reader {
    pub(crate) fn new(timeout: Option<Duration>) -> Result<Reader, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true);
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout).connect_timeout(timeout);
        }
        Ok(Reader {
            http: builder.build()?,
            known: RwLock::new(HashMap::new()),
        })
    }

    /// Whether `registry` is known to have no referrers API.
    pub(crate) fn lacks_referrers_api(&self, registry: &str) -> bool {
        self.known
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(registry)
            .is_some_and(|k| k.no_referrers_api)
    }

    /// Remembers that `registry` has no referrers API.
    pub(crate) fn mark_no_referrers_api(&self, registry: &str) {
        self.known
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(registry.to_owned())
            .or_default()
            .no_referrers_api = true;
    }

    fn remembered(&self, registry: &str, repository: &str) -> Option<HeaderValue> {
        self.known
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(registry)
            .and_then(|k| k.authorization.get(repository).cloned())
    }

    fn remember(&self, registry: &str, repository: &str, value: HeaderValue) {
        self.known
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(registry.to_owned())
            .or_default()
            .authorization
            .insert(repository.to_owned(), value);
    }

    /// The body of `get`, or `None` on a 404. Refuses a body over [`MAX_BLOB_BYTES`].
    pub(crate) async fn get(&self, get: &Get<'_>) -> Result<Option<Vec<u8>>, OciError> {
        let url = format!(
            "{}://{}/v2/{}/{}",
            get.scheme, get.registry, get.repository, get.path
        );
        let http_error = |source| OciError::Http {
            reference: get.what.clone(),
            source,
        };
        let mut authorization = self.remembered(get.registry, get.repository);
        if authorization.is_none()
            && let RegistryAuth::Bearer(token) = get.auth
        {
            authorization = HeaderValue::from_str(&format!("Bearer {token}")).ok();
        }
        let mut retried = false;
        loop {
            let mut request = self.http.get(&url).header(ACCEPT, get.accept);
            if let Some(value) = &authorization {
                request = request.header(AUTHORIZATION, value.clone());
            }
            let response = request.send().await.map_err(http_error)?;
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && !retried {
                retried = true;
                let challenge = response
                    .headers()
                    .get(WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                match self.answer(&challenge, get).await? {
                    Some(value) => {
                        self.remember(get.registry, get.repository, value.clone());
                        authorization = Some(value);
                        continue;
                    }
                    None => {
                        return Err(OciError::Status {
                            reference: get.what.clone(),
                            status: status.as_u16(),
                        });
                    }
                }
            }
            if status == StatusCode::NOT_FOUND {
                return Ok(None);
            }
            if !status.is_success() {
                return Err(OciError::Status {
                    reference: get.what.clone(),
                    status: status.as_u16(),
                });
            }
            if let Some(size) = response.content_length().filter(|n| *n > MAX_BLOB_BYTES) {
                return Err(OciError::TooLarge {
                    reference: get.what.clone(),
                    size,
                });
            }
            let bytes = response.bytes().await.map_err(http_error)?;
            if bytes.len() as u64 > MAX_BLOB_BYTES {
                return Err(OciError::TooLarge {
                    reference: get.what.clone(),
                    size: bytes.len() as u64,
                });
            }
            return Ok(Some(bytes.to_vec()));
        }
    }

    /// The `Authorization` value answering `challenge`, or `None` when we have nothing to answer.
    async fn answer(
        &self,
        challenge: &str,
        get: &Get<'_>,
    ) -> Result<Option<HeaderValue>, OciError> {
        let basic = match get.auth {
            RegistryAuth::Basic(user, password) => Some((user.clone(), password.clone())),
            _ => None,
        };
        let (scheme, params) = challenge.split_once(' ').unwrap_or((challenge, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            return Ok(basic.and_then(|(user, password)| basic_header(&user, &password)));
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Ok(None);
        }
        let params = challenge_params(params);
        let Some(realm) = params.get("realm") else {
            return Ok(None);
        };
        let scope = format!("repository:{}:pull", get.repository);
        let mut query = vec![("scope", scope.as_str())];
        if let Some(service) = params.get("service") {
            query.push(("service", service.as_str()));
        }
        let url =
            reqwest::Url::parse_with_params(realm, &query).map_err(|e| OciError::Content {
                reference: get.what.clone(),
                what: format!("the token realm `{realm}` is not a URL: {e}"),
            })?;
        let mut request = self.http.get(url);
        if let Some((user, password)) = &basic {
            request = request.basic_auth(user, Some(password));
        }
        let http_error = |source| OciError::Http {
            reference: get.what.clone(),
            source,
        };
        let response = request.send().await.map_err(http_error)?;
        if !response.status().is_success() {
            return Err(OciError::Status {
                reference: format!("{} (token from `{realm}`)", get.what),
                status: response.status().as_u16(),
            });
        }
        let body = response.bytes().await.map_err(http_error)?;
        #[derive(serde::Deserialize)]
        struct TokenResponse {
            token: Option<String>,
            access_token: Option<String>,
        }
        let token: TokenResponse =
            serde_json::from_slice(&body).map_err(|e| OciError::Content {
                reference: get.what.clone(),
                what: format!("the token response does not parse: {e}"),
            })?;
        Ok(token
            .token
            .or(token.access_token)
            .and_then(|t| HeaderValue::from_str(&format!("Bearer {t}")).ok()))
    }
}

fn basic_header(user: &str, password: &str) -> Option<HeaderValue> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    HeaderValue::from_str(&format!("Basic {encoded}")).ok()
}

/// `realm="…",service="…"` → a map.
fn challenge_params(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut rest = text.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            (
                quoted.get(..end).unwrap_or(""),
                quoted.get(end + 1..).unwrap_or(""),
            )
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (
                after.get(..end).unwrap_or(""),
                after.get(end..).unwrap_or(""),
            )
        };
        out.insert(key, value.to_owned());
        rest = next.trim_start_matches(',').trim();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_challenges() {
        let params = challenge_params(
            r#"realm="https://auth.example/token",service="registry.example",scope="repository:a:pull""#,
        );
        assert_eq!(params["realm"], "https://auth.example/token");
        assert_eq!(params["service"], "registry.example");
        assert_eq!(params["scope"], "repository:a:pull");
    }
}
