//! [`Trust`]: the keys and approvers of a `trust:` section, loaded once, each key with the
//! purposes and stages it is trusted for. Built from a checked
//! [`TrustConfig`](crate::config::trust::TrustConfig) (`stagegate.yaml` or `admission.yaml`)
//! by [`Trust::load`], or from keys given on the command line; the
//! [`Verifier`](super::Verifier) is built from it.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::keyless::{Matcher, SigstoreRoot, TrustedIdentity};
use crate::attest::keys::{KeyError, PublicKey};
use crate::config::trust::{Purpose, TrustConfig};

/// A key trusted to sign, with what for.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// A name for messages and evidence (the config's `name`, else the key file as written).
    pub name: String,
    /// The key.
    pub key: PublicKey,
    /// What it may sign (never empty for a key from a config).
    pub purposes: Vec<Purpose>,
    /// The stages it is trusted at; `None`: every stage.
    pub stages: Option<Vec<String>>,
    /// No longer trusted from this time on.
    pub not_after: Option<DateTime<Utc>>,
}

impl TrustedKey {
    /// A key trusted for every purpose at every stage: a key named on the command line
    /// (`verify --key`), where the user picked it for exactly this check.
    pub fn for_anything(name: impl Into<String>, key: PublicKey) -> TrustedKey {
        TrustedKey {
            name: name.into(),
            key,
            purposes: Purpose::ALL.to_vec(),
            stages: None,
            not_after: None,
        }
    }

    /// A key trusted for stage results only: the gate's own key when `trust.keys` lists none.
    pub fn for_results(name: impl Into<String>, key: PublicKey) -> TrustedKey {
        TrustedKey {
            name: name.into(),
            key,
            purposes: vec![Purpose::Results],
            stages: None,
            not_after: None,
        }
    }

    /// The purposes among `self.purposes` that vouch for a statement serving `kind`, at
    /// `stage` (any stage when `None`), at `now`. Empty: not trusted for it.
    pub fn grants(&self, kind: Purpose, stage: Option<&str>, now: DateTime<Utc>) -> Vec<Purpose> {
        if self.not_after.is_some_and(|end| now >= end) {
            return Vec::new();
        }
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

    /// Why this key does not vouch for `kind` at `stage` at `now`, for messages.
    pub(crate) fn refusal(&self, kind: Purpose, stage: Option<&str>, now: DateTime<Utc>) -> String {
        if let Some(end) = self.not_after.filter(|end| now >= *end) {
            return format!(
                "signed by `{}`, which is no longer trusted since {}",
                self.name,
                crate::time::format_rfc3339(end)
            );
        }
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

/// An approver whose signed approvals (and, with a waiver role, waiver sets) count.
#[derive(Debug, Clone)]
pub struct TrustedApprover {
    /// The approver's name.
    pub name: String,
    /// Their public key (key-signed approvals).
    pub key: Option<PublicKey>,
    /// Their certificate identity (keyless approvals).
    pub identity: Option<TrustedIdentity>,
    /// The roles granted.
    pub roles: Vec<String>,
}

/// Keys, identities, roots and approvers, loaded: what a [`Verifier`](super::Verifier) is
/// built from.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Keys, each with its purposes and stages.
    pub keys: Vec<TrustedKey>,
    /// Certificate identities (keyless signers), each with its purposes and stages.
    pub identities: Vec<TrustedIdentity>,
    /// The Sigstore trusted roots keyless and logged bundles are verified against; empty: the
    /// Sigstore public-good root embedded in this build.
    pub roots: Vec<SigstoreRoot>,
    /// Approvers.
    pub approvers: Vec<TrustedApprover>,
    /// Roles whose signatures make a waiver set count.
    pub waiver_roles: Vec<String>,
}

/// Why a `trust:` section cannot be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// A key file cannot be read (or is not a regular file).
    #[error("cannot read the key `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: crate::limits::LimitError,
    },
    /// A trusted root cannot be read or used.
    #[error("cannot load the trusted root `{path}`: {message}")]
    Root {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A regular expression of `trust.identities` does not compile.
    #[error("`trust.identities` `{name}`: bad regular expression: {message}")]
    Regexp {
        /// The identity's name.
        name: String,
        /// Why.
        message: String,
    },
    /// A key file is not a public key we can use.
    #[error("cannot load the key `{}`", path.display())]
    Key {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: KeyError,
    },
}

impl Trust {
    /// Loads every key and approver file of `config`.
    pub fn load(config: &TrustConfig) -> Result<Trust, TrustError> {
        let keys = config
            .keys
            .iter()
            .map(|entry| {
                Ok(TrustedKey {
                    name: entry.name.clone(),
                    key: read_key(&entry.path.resolved)?,
                    purposes: entry.purposes.clone(),
                    stages: entry.stages.clone(),
                    not_after: entry.not_after,
                })
            })
            .collect::<Result<Vec<_>, TrustError>>()?;
        let approvers = config
            .approvers
            .iter()
            .map(|entry| {
                Ok(TrustedApprover {
                    name: entry.name.clone(),
                    key: entry
                        .key
                        .as_ref()
                        .map(|path| read_key(&path.resolved))
                        .transpose()?,
                    identity: entry.identity.as_ref().map(|(subject, issuer)| {
                        TrustedIdentity::for_anything(
                            Matcher::Exact(subject.clone()),
                            Some(Matcher::Exact(issuer.clone())),
                        )
                    }),
                    roles: entry.roles.clone(),
                })
            })
            .collect::<Result<Vec<_>, TrustError>>()?;
        let identities = config
            .identities
            .iter()
            .map(|entry| {
                let matcher = |m: &crate::config::trust::MatchEntry| match m {
                    crate::config::trust::MatchEntry::Exact(v) => Ok(Matcher::Exact(v.clone())),
                    crate::config::trust::MatchEntry::Regexp(re) => {
                        Matcher::regexp(re).map_err(|e| TrustError::Regexp {
                            name: entry.name.clone(),
                            message: e.to_string(),
                        })
                    }
                };
                Ok(TrustedIdentity {
                    name: entry.name.clone(),
                    issuer: Some(matcher(&entry.issuer)?),
                    subject: matcher(&entry.subject)?,
                    github: entry.github.clone(),
                    purposes: entry.purposes.clone(),
                    stages: entry.stages.clone(),
                })
            })
            .collect::<Result<Vec<_>, TrustError>>()?;
        let roots = config
            .roots
            .iter()
            .map(|root| load_root(&root.resolved))
            .collect::<Result<Vec<_>, TrustError>>()?;
        Ok(Trust {
            keys,
            identities,
            roots,
            approvers,
            waiver_roles: config.waiver_roles.clone(),
        })
    }

    /// Trust in exactly these keys (no approvers).
    pub fn with_keys(keys: Vec<TrustedKey>) -> Trust {
        Trust {
            keys,
            ..Trust::default()
        }
    }

    /// The roots to verify keyless and logged bundles against: the configured ones, else the
    /// embedded Sigstore public-good root.
    pub fn sigstore_roots(&self) -> Result<Vec<SigstoreRoot>, String> {
        if self.roots.is_empty() {
            Ok(vec![SigstoreRoot::public_good()?])
        } else {
            Ok(self.roots.clone())
        }
    }

    /// Whether any key is trusted for stage results.
    pub fn has_results_keys(&self) -> bool {
        self.keys
            .iter()
            .any(|k| k.purposes.contains(&Purpose::Results))
    }
}

/// Reads and prepares a `trusted_root.json` (`trust.roots`, `--trusted-root`): a regular file
/// only, within the input size limit.
pub fn load_root(path: &std::path::Path) -> Result<SigstoreRoot, TrustError> {
    let bytes =
        crate::limits::read_limited(path, &crate::limits::Limits::default()).map_err(|source| {
            TrustError::Read {
                path: path.to_owned(),
                source,
            }
        })?;
    let text = String::from_utf8_lossy(&bytes);
    SigstoreRoot::from_json(path.display().to_string(), &text).map_err(|message| TrustError::Root {
        path: path.to_owned(),
        message,
    })
}

/// Reads a public key file: a regular file only, within the input size limit.
fn read_key(path: &std::path::Path) -> Result<PublicKey, TrustError> {
    let read = |source| TrustError::Read {
        path: path.to_owned(),
        source,
    };
    let bytes =
        crate::limits::read_limited(path, &crate::limits::Limits::default()).map_err(read)?;
    let text = String::from_utf8_lossy(&bytes);
    PublicKey::from_pem(&text).map_err(|source| TrustError::Key {
        path: path.to_owned(),
        source,
    })
}
