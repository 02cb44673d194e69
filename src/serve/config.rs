//! The admission configuration `stagegate serve --config FILE` reads: which stage governs each
//! namespace, in which mode, the trusted keys, the maximum age of a result, the cache's
//! lifetimes and whether tags may be resolved against the registry.
//!
//! ```yaml
//! trust:                            # the same section as in stagegate.yaml (keys only)
//!   keys:
//!     - {key: keys/gate.pub, for: [results], stages: [prod]}   # or a bare path
//! max_age: 7d                       # a result older than this is refused
//! resolve_tags: false               # true: resolve IMAGE:TAG to its digest (once per request)
//! unmapped_namespaces: deny         # or allow: namespaces not listed below
//! cache: {ttl: 5m, failure_ttl: 10s}
//! namespaces:
//!   prod: {stage: prod}
//!   staging: {stage: staging, mode: audit}   # audit: warnings instead of denials
//! ```
//!
//! Loaded into a [`Policy`], which also carries the digest of the trust material (the key
//! files' bytes and every setting), so that a cache entry made under other keys is never used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::config::trust::{Purpose, RawTrust};
use crate::verify::{Trust, TrustError, Verifier};

/// Why the admission configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The YAML does not parse or has unknown keys.
    #[error("`{path}` is not a valid admission configuration")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: Box<serde_saphyr::Error>,
    },
    /// A key file cannot be loaded.
    #[error("cannot load the trusted key `{path}`")]
    Key {
        /// The key file.
        path: PathBuf,
        /// Why.
        #[source]
        source: crate::attest::keys::KeyError,
    },
    /// A bad value.
    #[error("`{path}`: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
struct RawConfig {
    trust: RawTrust,
    #[serde(default)]
    max_age: Option<String>,
    #[serde(default)]
    resolve_tags: bool,
    #[serde(default)]
    unmapped_namespaces: Option<Unmapped>,
    #[serde(default)]
    cache: Option<RawCache>,
    namespaces: BTreeMap<String, RawNamespace>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
struct RawCache {
    #[serde(default)]
    ttl: Option<String>,
    #[serde(default)]
    failure_ttl: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
struct RawNamespace {
    stage: String,
    #[serde(default)]
    mode: Mode,
}

/// What to do with a namespace the config does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Unmapped {
    /// Deny every pod with images (fail closed; the default).
    #[default]
    Deny,
    /// Allow: the namespace is not governed.
    Allow,
}

/// How a namespace's findings are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Deny a request with any rejected image.
    #[default]
    Enforce,
    /// Allow, with the findings as `warnings`.
    Audit,
}

/// A namespace's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceRule {
    /// The stage whose passing result each image needs.
    pub stage: String,
    /// Enforce or audit.
    pub mode: Mode,
}

/// The loaded admission policy: frozen once built; a reload builds a new one.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The verifier of `trust:` (the same section as in `stagegate.yaml`): results are
    /// accepted only from keys or certificate identities (keyless) trusted for `results` at
    /// the namespace's stage.
    pub verifier: Verifier,
    /// The largest age of a result.
    pub max_age: Duration,
    /// Resolve tags against the registry instead of denying them.
    pub resolve_tags: bool,
    /// Namespaces not listed.
    pub unmapped: Unmapped,
    /// How long a success is cached.
    pub ttl: Duration,
    /// How long a failure is cached.
    pub failure_ttl: Duration,
    /// Namespace → rule.
    pub namespaces: BTreeMap<String, NamespaceRule>,
    /// sha256 of the key bytes and every setting: part of each cache key.
    pub digest: String,
}

impl Policy {
    /// Loads `path`.
    pub fn load(path: &Path) -> Result<Policy, ConfigError> {
        let text = fs_err::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut raw: RawConfig =
            serde_saphyr::from_str(&text).map_err(|source| ConfigError::Parse {
                path: path.to_owned(),
                source: Box::new(source),
            })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut hasher = Sha256::new();
        if let Some(field) = raw.trust.gate_only_fields() {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                message: format!(
                    "`trust.{field}` is read by `gate`, not by `serve`: admission checks stage results against `trust.keys`, `trust.identities` and `trust.roots` (and the top-level `max_age`)"
                ),
            });
        }
        let trust_config = std::mem::take(&mut raw.trust)
            .check(dir, None)
            .map_err(|e| ConfigError::Invalid {
                path: path.to_owned(),
                message: format!("line {}: {}", e.line, e.message),
            })?;
        if !trust_config
            .keys
            .iter()
            .any(|k| k.purposes.contains(&Purpose::Results))
            && !trust_config
                .identities
                .iter()
                .any(|i| i.purposes.contains(&Purpose::Results))
        {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                message: "`trust.keys` and `trust.identities` have nothing trusted for `results`: nothing could ever verify"
                    .to_owned(),
            });
        }
        for entry in &trust_config.identities {
            hasher.update(format!("{entry:?}").as_bytes());
        }
        for root in &trust_config.roots {
            let json = fs_err::read(&root.resolved).map_err(|source| ConfigError::Read {
                path: root.resolved.clone(),
                source,
            })?;
            hasher.update(&json);
        }
        for entry in &trust_config.keys {
            let pem = fs_err::read(&entry.path.resolved).map_err(|source| ConfigError::Read {
                path: entry.path.resolved.clone(),
                source,
            })?;
            hasher.update(&pem);
            hasher.update(format!("{entry:?}").as_bytes());
        }
        let trust = Trust::load(&trust_config).map_err(|e| match e {
            TrustError::Read { path, source } => ConfigError::Read { path, source },
            TrustError::Key { path, source } => ConfigError::Key { path, source },
            other => ConfigError::Invalid {
                path: path.to_owned(),
                message: other.to_string(),
            },
        })?;
        let duration = |field: &str, text: Option<&String>, default: Duration| match text {
            None => Ok(default),
            Some(text) => parse_duration(text).map_err(|message| ConfigError::Invalid {
                path: path.to_owned(),
                message: format!("`{field}`: {message}"),
            }),
        };
        let max_age = duration(
            "max_age",
            raw.max_age.as_ref(),
            Duration::from_secs(30 * 86_400),
        )?;
        let cache = raw.cache.as_ref();
        let ttl = duration(
            "cache.ttl",
            cache.and_then(|c| c.ttl.as_ref()),
            Duration::from_secs(300),
        )?;
        let failure_ttl = duration(
            "cache.failure_ttl",
            cache.and_then(|c| c.failure_ttl.as_ref()),
            Duration::from_secs(10),
        )?;
        let namespaces: BTreeMap<String, NamespaceRule> = raw
            .namespaces
            .into_iter()
            .map(|(name, rule)| {
                (
                    name,
                    NamespaceRule {
                        stage: rule.stage,
                        mode: rule.mode,
                    },
                )
            })
            .collect();
        let unmapped = raw.unmapped_namespaces.unwrap_or_default();
        hasher.update(
            format!(
                "{max_age:?}|{}|{unmapped:?}|{namespaces:?}",
                raw.resolve_tags
            )
            .as_bytes(),
        );
        Ok(Policy {
            verifier: Verifier::new(&trust),
            max_age,
            resolve_tags: raw.resolve_tags,
            unmapped,
            ttl,
            failure_ttl,
            namespaces,
            digest: hex::encode(hasher.finalize()),
        })
    }
}

/// `90s`, `30m`, `24h`, `7d`, `500ms`, or seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 90s, 30m, 24h or 7d"))?;
    let millis = match unit {
        "" | "s" => value.saturating_mul(1000),
        "ms" => value,
        "m" => value.saturating_mul(60_000),
        "h" => value.saturating_mul(3_600_000),
        "d" => value.saturating_mul(86_400_000),
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}`; use ms, s, m, h or d"
            ));
        }
    };
    Ok(Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert!(parse_duration("7y").is_err());
    }

    #[test]
    fn keyless_trust() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "testdata/sigstore-conformance/bundle-verify/intoto-with-custom-trust-root/trusted_root.json",
        );
        fs_err::copy(root, dir.path().join("root.json")).unwrap();
        let config = |trust: &str| {
            let path = dir.path().join("admission.yaml");
            fs_err::write(
                &path,
                format!("trust:\n{trust}namespaces:\n  dev: {{stage: dev}}\n"),
            )
            .unwrap();
            Policy::load(&path)
        };
        // Identities trusted for results are enough; the roots are loaded and part of the
        // cache key.
        let policy = config(
            "  roots: [root.json]\n  identities:\n    - {issuer: https://token.actions.githubusercontent.com, subject_regexp: 'https://github\\.com/acme/.*', for: [results]}\n",
        )
        .unwrap();
        assert_eq!(policy.verifier.trust().identities.len(), 1);
        assert_eq!(policy.verifier.trust().roots.len(), 1);
        let other = config(
            "  identities:\n    - {issuer: https://token.actions.githubusercontent.com, subject_regexp: 'https://github\\.com/acme/.*', for: [results]}\n",
        )
        .unwrap();
        assert_ne!(policy.digest, other.digest);
        // Identities for provenance only: nothing could verify a result.
        let err = config(
            "  identities:\n    - {issuer: https://token.actions.githubusercontent.com, subject: x, for: [provenance]}\n",
        )
        .err()
        .unwrap();
        assert!(
            err.to_string().contains("nothing trusted for `results`")
                || format!("{err:?}").contains("nothing trusted for `results`"),
            "{err:?}"
        );
    }
}
