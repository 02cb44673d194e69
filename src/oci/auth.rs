//! Registry credentials: `STAGEGATE_REGISTRY_USERNAME` / `STAGEGATE_REGISTRY_PASSWORD` first,
//! then the Docker config (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), as
//! `docker login`, cosign and skopeo write it.
//!
//! What is read: `auths.<host>.auth` (base64 `user:password`), `auths.<host>.username` and
//! `password`, `identitytoken` (as a bearer token), and `credHelpers.<host>` / `credsStore`
//! (the `docker-credential-<name> get` protocol). Hosts match with or without a scheme, and
//! Docker Hub under its legacy key `https://index.docker.io/v1/`.
//!
//! What we ignore (and why): a credential helper that fails or is missing is logged at debug
//! level and the request goes on with the next source, ending anonymous, because public
//! images must stay readable on machines with a broken helper; the registry then answers 401
//! for private ones, which is an error.
//! Secrets never reach a log line.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::Engine;
use oci_client::secrets::RegistryAuth;
use serde::Deserialize;

use crate::env::EnvVars;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, DockerAuth>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct DockerAuth {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperReply {
    username: String,
    secret: String,
}

/// Where credentials come from, read once.
#[derive(Debug, Default)]
pub struct Credentials {
    env: Option<(String, String)>,
    config: DockerConfig,
}

impl Credentials {
    /// Reads the environment and the Docker config; a missing config is no credentials, a
    /// malformed one is logged and ignored.
    pub fn from_env() -> Self {
        let env = match (
            std::env::var(EnvVars::STAGEGATE_REGISTRY_USERNAME),
            std::env::var(EnvVars::STAGEGATE_REGISTRY_PASSWORD),
        ) {
            (Ok(user), Ok(password)) if !user.is_empty() => Some((user, password)),
            _ => None,
        };
        let path = std::env::var_os(EnvVars::DOCKER_CONFIG)
            .map(|dir| PathBuf::from(dir).join("config.json"))
            .or_else(|| {
                std::env::var_os(EnvVars::HOME)
                    .map(|h| PathBuf::from(h).join(".docker/config.json"))
            });
        let config = match path {
            Some(path) if path.is_file() => match fs_err::read(&path) {
                Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|err| {
                    tracing::warn!("ignoring `{}`: {err}", path.display());
                    DockerConfig::default()
                }),
                Err(err) => {
                    tracing::warn!("ignoring the Docker config: {err}");
                    DockerConfig::default()
                }
            },
            _ => DockerConfig::default(),
        };
        Credentials { env, config }
    }

    /// No credentials at all (tests, anonymous registries).
    pub fn anonymous() -> Self {
        Credentials::default()
    }

    /// The credentials for `registry` (a host with an optional port).
    pub fn for_registry(&self, registry: &str) -> RegistryAuth {
        if let Some((user, password)) = &self.env {
            return RegistryAuth::Basic(user.clone(), password.clone());
        }
        let keys = candidate_keys(registry);
        if let Some(helper) = keys
            .iter()
            .find_map(|k| self.config.cred_helpers.get(k))
            .or(self.config.creds_store.as_ref())
            && let Some(auth) = run_helper(helper, registry)
        {
            return auth;
        }
        for key in &keys {
            if let Some(entry) = self.config.auths.get(key)
                && let Some(auth) = entry.to_auth()
            {
                return auth;
            }
        }
        RegistryAuth::Anonymous
    }
}

impl DockerAuth {
    fn to_auth(&self) -> Option<RegistryAuth> {
        if let Some(token) = &self.identitytoken {
            return Some(RegistryAuth::Bearer(token.clone()));
        }
        if let (Some(user), Some(password)) = (&self.username, &self.password) {
            return Some(RegistryAuth::Basic(user.clone(), password.clone()));
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(self.auth.as_deref()?.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (user, password) = text.split_once(':')?;
        Some(RegistryAuth::Basic(user.to_owned(), password.to_owned()))
    }
}

/// The keys a registry may be stored under in `auths`.
fn candidate_keys(registry: &str) -> Vec<String> {
    let mut keys = vec![
        registry.to_owned(),
        format!("https://{registry}"),
        format!("http://{registry}"),
    ];
    if matches!(
        registry,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    ) {
        keys.push("https://index.docker.io/v1/".to_owned());
        keys.push("index.docker.io".to_owned());
        keys.push("docker.io".to_owned());
    }
    keys
}

/// `docker-credential-<helper> get`, with the server on standard input.
fn run_helper(helper: &str, registry: &str) -> Option<RegistryAuth> {
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| tracing::debug!("`{program}`: {err}"))
        .ok()?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(registry.as_bytes());
    }
    let output = child.wait_with_output().ok()?;
    if !output.status.success() {
        tracing::debug!("`{program} get` found no credentials for `{registry}`");
        return None;
    }
    let reply: HelperReply = serde_json::from_slice(&output.stdout).ok()?;
    if reply.username == "<token>" {
        Some(RegistryAuth::Bearer(reply.secret))
    } else {
        Some(RegistryAuth::Basic(reply.username, reply.secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_auth_field() {
        let config: DockerConfig = serde_json::from_str(
            r#"{"auths":{"https://registry.example":{"auth":"dXNlcjpwYXNz"}}}"#,
        )
        .unwrap();
        let credentials = Credentials { env: None, config };
        match credentials.for_registry("registry.example") {
            RegistryAuth::Basic(user, password) => {
                assert_eq!((user.as_str(), password.as_str()), ("user", "pass"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            credentials.for_registry("other.example"),
            RegistryAuth::Anonymous
        ));
    }
}
