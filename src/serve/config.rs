//! The admission configuration `stagegate serve --config FILE` reads: which stage governs each
//! namespace, in which mode, the trusted keys, how old a result may be when a digest is
//! introduced and when it keeps running, the rollback window, the revoked digests and
//! promotions, the cache's lifetimes and whether tags may be resolved against the registry.
//!
//! ```yaml
//! trust:                            # the same section as in stagegate.yaml (keys only)
//!   keys:
//!     - {key: keys/gate.pub, for: [results], stages: [prod]}   # or a bare path
//! max_age: 7d                       # a digest introduced with an older result is refused
//! running_max_age: 365d             # optional bound for controller-made pods, same-image updates
//! rollback: {window: 90d}           # an image-changing workload UPDATE within it is a rollback
//! revoked:                          # withdrawn: every stage, or only `stages`
//!   - {digest: "sha256:HEX", reason: "CVE-2026-1234"}
//!   - {promotion_id: 0193..., reason: "gated with the leaked key", stages: [prod]}
//! resolve_tags: false               # true: resolve IMAGE:TAG to its digest (once per request)
//! unmapped_namespaces: deny         # or allow: namespaces not listed below
//! cache: {ttl: 5m, failure_ttl: 10s}
//! namespaces:
//!   prod: {stage: prod, rollback: {window: 30d}}   # overrides the global window
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
use crate::verify::revocation::Revoked;
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
    running_max_age: Option<String>,
    #[serde(default)]
    rollback: Option<RawRollback>,
    #[serde(default)]
    revoked: Vec<RawRevocation>,
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
    #[serde(default)]
    rollback: Option<RawRollback>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
struct RawRollback {
    window: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
struct RawRevocation {
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    promotion_id: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    stages: Option<Vec<String>>,
}

/// A revocation written in `admission.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigRevocation {
    /// What it withdraws.
    pub target: RevokedTarget,
    /// Why (shown in each denial).
    pub reason: String,
    /// The stages it applies to (`None`: every stage).
    pub stages: Option<Vec<String>>,
}

/// What a [`ConfigRevocation`] withdraws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevokedTarget {
    /// A digest (lowercase sha256 hex): whatever result it carries.
    Digest(String),
    /// The result of one promotion.
    Promotion(String),
}

impl ConfigRevocation {
    fn applies_to(&self, stage: &str) -> bool {
        self.stages
            .as_ref()
            .is_none_or(|stages| stages.iter().any(|s| s == stage))
    }
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
    /// The rollback window (the namespace's own, else the global one; `None`: no rollbacks).
    pub rollback_window: Option<Duration>,
}

/// The loaded admission policy: frozen once built; a reload builds a new one.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The verifier of `trust:` (the same section as in `stagegate.yaml`): results are
    /// accepted only from keys or certificate identities (keyless) trusted for `results` at
    /// the namespace's stage.
    pub verifier: Verifier,
    /// The largest age of the result of a digest being introduced.
    pub max_age: Duration,
    /// The largest age of the result of a digest already running (`None`: any age).
    pub running_max_age: Option<Duration>,
    /// The revocations written in the config.
    pub revoked: Vec<ConfigRevocation>,
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

/// A configuration or key file's text: a regular file only (a FIFO would block the webhook's
/// start or reload forever, issue #12), within the input size limit.
fn read_text(path: &Path) -> Result<String, ConfigError> {
    let read = |source| ConfigError::Read {
        path: path.to_owned(),
        source,
    };
    let bytes = crate::limits::read_limited(path, &crate::limits::Limits::default())
        .map_err(|err| read(std::io::Error::other(err)))?;
    String::from_utf8(bytes)
        .map_err(|err| read(std::io::Error::new(std::io::ErrorKind::InvalidData, err)))
}

impl Policy {
    /// Loads `path`.
    pub fn load(path: &Path) -> Result<Policy, ConfigError> {
        let text = read_text(path)?;
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
            let pem = read_text(&entry.path.resolved)?;
            hasher.update(pem.as_bytes());
            hasher.update(format!("{entry:?}").as_bytes());
        }
        let trust = Trust::load(&trust_config).map_err(|e| match e {
            TrustError::Read { path, source } => ConfigError::Read {
                path,
                source: std::io::Error::other(source),
            },
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
        let running_max_age = raw
            .running_max_age
            .as_ref()
            .map(|text| duration("running_max_age", Some(text), Duration::ZERO))
            .transpose()?;
        // A window is a duration, or `off` (no rollbacks: a namespace turning off the global
        // window); `0s` is refused, as every zero duration is.
        let window = |field: &str, text: &String| -> Result<Option<Duration>, ConfigError> {
            if text.trim() == "off" {
                return Ok(None);
            }
            duration(field, Some(text), Duration::ZERO).map(Some)
        };
        let global_window = match &raw.rollback {
            Some(r) => window("rollback.window", &r.window)?,
            None => None,
        };
        let revoked = raw
            .revoked
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                revocation(entry).map_err(|message| ConfigError::Invalid {
                    path: path.to_owned(),
                    message: format!("`revoked[{i}]`: {message}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
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
        let mut namespaces: BTreeMap<String, NamespaceRule> = BTreeMap::new();
        for (name, rule) in raw.namespaces {
            let rollback_window = match &rule.rollback {
                Some(r) => window(&format!("namespaces.{name}.rollback.window"), &r.window)?,
                None => global_window,
            };
            namespaces.insert(
                name,
                NamespaceRule {
                    stage: rule.stage,
                    mode: rule.mode,
                    rollback_window,
                },
            );
        }
        let unmapped = raw.unmapped_namespaces.unwrap_or_default();
        hasher.update(
            format!(
                "{max_age:?}|{running_max_age:?}|{}|{unmapped:?}|{namespaces:?}|{revoked:?}",
                raw.resolve_tags
            )
            .as_bytes(),
        );
        Ok(Policy {
            verifier: Verifier::new(&trust),
            max_age,
            running_max_age,
            revoked,
            resolve_tags: raw.resolve_tags,
            unmapped,
            ttl,
            failure_ttl,
            namespaces,
            digest: hex::encode(hasher.finalize()),
        })
    }
}

impl Policy {
    /// The config's revocations that apply to `sha256` (hex) in `stage`: the digest's own, and
    /// every revoked promotion of the stage (a result's promotion id is known only once it
    /// verifies).
    pub fn revoked(&self, stage: &str, sha256: &str) -> Revoked {
        let mut revoked = Revoked::default();
        for entry in self.revoked.iter().filter(|r| r.applies_to(stage)) {
            let reason = format!("revoked in the admission config: {}", entry.reason);
            match &entry.target {
                RevokedTarget::Digest(hex) if hex.eq_ignore_ascii_case(sha256) => {
                    revoked.digest.get_or_insert(reason);
                }
                RevokedTarget::Digest(_) => {}
                RevokedTarget::Promotion(id) => {
                    revoked.promotions.entry(id.clone()).or_insert(reason);
                }
            }
        }
        revoked
    }
}

fn revocation(raw: &RawRevocation) -> Result<ConfigRevocation, String> {
    let target = match (&raw.digest, &raw.promotion_id) {
        (Some(digest), None) => {
            let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
            let Ok(checked) = crate::digest::Sha256Digest::from_hex(&hex.to_ascii_lowercase())
            else {
                return Err(format!(
                    "`{digest}` is not a digest `sha256:HEX` (64 hex characters)"
                ));
            };
            RevokedTarget::Digest(checked.hex().to_owned())
        }
        (None, Some(id)) if !id.trim().is_empty() => RevokedTarget::Promotion(id.trim().to_owned()),
        _ => return Err("give exactly one of `digest` and `promotion_id`".to_owned()),
    };
    Ok(ConfigRevocation {
        target,
        reason: raw
            .reason
            .clone()
            .unwrap_or_else(|| "no reason given".to_owned()),
        stages: raw.stages.clone(),
    })
}

/// A duration, by the one rule of [`crate::time::Duration`] (positive: `0s` is refused, as
/// for the command-line flags).
fn parse_duration(text: &str) -> Result<Duration, String> {
    crate::time::Duration::parse(text)
        .map(crate::time::Duration::as_std)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str, extra: &str) -> Result<Policy, ConfigError> {
        let dir =
            std::env::temp_dir().join(format!("stagegate-admission-{name}-{}", std::process::id()));
        fs_err::create_dir_all(&dir).unwrap();
        let key = crate::attest::keys::SigningKey::generate_p256();
        fs_err::write(dir.join("gate.pub"), key.public_key().to_pem()).unwrap();
        let path = dir.join("admission.yaml");
        fs_err::write(
            &path,
            format!(
                "trust:\n  keys: [gate.pub]\nmax_age: 7d\n{extra}namespaces:\n  prod: {{stage: prod, rollback: {{window: 30d}}}}\n  dev: {{stage: dev}}\n"
            ),
        )
        .unwrap();
        Policy::load(&path)
    }

    #[test]
    fn pass() {
        let hex = "ab".repeat(32);
        let policy = load(
            "pass",
            &format!(
                "running_max_age: 365d\nrollback: {{window: 90d}}\nrevoked:\n  - {{digest: \"sha256:{hex}\", reason: CVE, stages: [prod]}}\n  - {{promotion_id: p-1}}\n"
            ),
        )
        .unwrap();
        assert_eq!(
            policy.running_max_age,
            Some(Duration::from_secs(365 * 86_400))
        );
        assert_eq!(
            policy.namespaces["prod"].rollback_window,
            Some(Duration::from_secs(30 * 86_400))
        );
        assert_eq!(
            policy.namespaces["dev"].rollback_window,
            Some(Duration::from_secs(90 * 86_400))
        );
        assert!(policy.revoked("prod", &hex).digest.is_some());
        assert!(policy.revoked("dev", &hex).digest.is_none());
        assert!(policy.revoked("dev", &hex).promotions.contains_key("p-1"));
        // Without `rollback`, no rollbacks.
        let plain = load("plain", "").unwrap();
        assert_eq!(plain.namespaces["dev"].rollback_window, None);
        assert_eq!(plain.running_max_age, None);
    }

    #[test]
    fn fail() {
        for (name, extra) in [
            ("digest", "revoked: [{digest: \"sha256:12\"}]\n"),
            (
                "both",
                "revoked: [{digest: \"sha256:12\", promotion_id: x}]\n",
            ),
            ("neither", "revoked: [{reason: x}]\n"),
            ("window", "rollback: {window: 9y}\n"),
            ("unknown", "rollback: {windows: 9d}\n"),
        ] {
            assert!(load(name, extra).is_err(), "{name}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        // One rule with the command line: zero is refused, huge values too (no panic).
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
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
