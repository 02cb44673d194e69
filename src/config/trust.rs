//! The `trust:` section, shared by `stagegate.yaml` and `serve`'s `admission.yaml`: which keys
//! may sign what, who may approve, how old an earlier stage's result may be.
//!
//! ```yaml
//! trust:
//!   keys:
//!     - keys/gate.pub                                    # a path: results and any evidence statement
//!     - {key: keys/builder.pub, for: [provenance], name: ci-builder}
//!     - {key: keys/staging-gate.pub, for: [results], stages: [staging], not_after: 2027-06-30T00:00:00Z}
//!   roots: [sigstore/trusted_root.json]                   # default: Sigstore public-good, embedded
//!   identities:                                          # keyless signers (Fulcio certificates)
//!     - issuer: https://token.actions.githubusercontent.com  # or issuer_regexp
//!       subject_regexp: ^https://github\.com/acme/.+/\.github/workflows/release\.yml@refs/tags/v.*$
//!       github: {repository: acme/app, ref: refs/heads/main}   # Fulcio certificate claims
//!       for: [provenance]
//!   approvers:
//!     - {name: alice@example.com, key: keys/alice.pub, roles: [release-manager]}
//!   max_age: 7d
//!   waiver_roles: [release-manager]
//! ```
//!
//! A key is trusted only for the [`Purpose`]s it lists, and, when `stages` is given, only at
//! those stages: a builder's key cannot sign a stage result, a staging gate's key cannot sign
//! a prod result. A bare path is the form from before purposes existed and keeps its meaning:
//! stage results and any evidence statement ([`Purpose::Results`] and
//! [`Purpose::Attestations`]); it never covers approvals or waivers, which only
//! `approvers` (and `waiver_roles`) grant.
//!
//! This module only reads and checks what is written (paths exist, purposes and stages are
//! known, times parse); loading the keys is [`crate::verify::Trust`]'s job.

use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::ConfigPath;
use crate::time::{Duration, DurationAt};

/// What a trusted key may vouch for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Stage results: stagegate VSAs and decisions (the promotion chain, `verify --stage`,
    /// the admission webhook) and revocations of them.
    Results,
    /// SLSA provenance.
    Provenance,
    /// SBOMs signed as attestations (CycloneDX, SPDX).
    Sbom,
    /// Vulnerability scans and VEX signed as attestations.
    Vulnerabilities,
    /// Test results signed as attestations.
    Tests,
    /// Any in-toto statement given as evidence (every purpose above but `results`).
    Attestations,
}

impl Purpose {
    /// Every purpose, in the order they are documented.
    pub const ALL: [Purpose; 6] = [
        Purpose::Results,
        Purpose::Provenance,
        Purpose::Sbom,
        Purpose::Vulnerabilities,
        Purpose::Tests,
        Purpose::Attestations,
    ];

    /// The name written in the config and the evidence.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Results => "results",
            Purpose::Provenance => "provenance",
            Purpose::Sbom => "sbom",
            Purpose::Vulnerabilities => "vulnerabilities",
            Purpose::Tests => "tests",
            Purpose::Attestations => "attestations",
        }
    }

    /// Whether a key trusted for `self` vouches for a statement that serves `kind`:
    /// the same purpose, or `attestations` for any evidence statement (never for a result).
    pub fn covers(self, kind: Purpose) -> bool {
        self == kind || (self == Purpose::Attestations && kind != Purpose::Results)
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `trust:` as written (the same shape in `stagegate.yaml` and `admission.yaml`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct RawTrust {
    /// Sigstore trusted roots (`trusted_root.json`, relative to this file) that keyless and
    /// transparency-logged bundles are verified against. Default: the Sigstore public-good
    /// root embedded in stagegate. For GitHub's own instance (attestations of private
    /// repositories) give the output of `gh attestation trusted-root`; for a private
    /// deployment, its `trusted_root.json`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    roots: Vec<Spanned<String>>,
    /// Certificate identities (keyless signers: Fulcio certificates) trusted to sign, each
    /// for the purposes (and stages) it lists.
    #[serde(default)]
    #[schemars(with = "Vec<RawIdentity>")]
    identities: Vec<Spanned<RawIdentity>>,
    /// Public keys (PEM files, relative to this file): a path (trusted for `results` and
    /// `attestations`), or `{key, for, stages, name, not_after}` to scope a key.
    #[serde(default)]
    #[schemars(with = "Vec<RawKeySchema>")]
    keys: Vec<Spanned<RawKey>>,
    /// People whose signed approvals count, with the roles they hold. An approval's claimed
    /// role is never used: the role comes from here.
    #[serde(default)]
    #[schemars(with = "Vec<RawApprover>")]
    approvers: Vec<Spanned<RawApprover>>,
    /// How old an earlier stage's result may be (`90s`, `30m`, `24h`, `7d`); default `30d`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    max_age: Option<Spanned<String>>,
    /// Roles (granted in `approvers`) whose signatures make a waiver set count at a stage with
    /// `require_signed_waivers`. None: no signed waiver counts.
    #[serde(default)]
    waiver_roles: Vec<String>,
}

/// One `trust.keys` entry as written: a path, or a scoped key.
#[derive(Debug)]
enum RawKey {
    Path(String),
    Scoped(RawScopedKey),
}

/// The schema of a `trust.keys` entry.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum RawKeySchema {
    /// A public key file, trusted for `results` and `attestations` at every stage.
    Path(String),
    /// A key trusted for the listed purposes (and stages) only.
    Scoped(RawScopedKey),
}

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = RawKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the path of a public key, or `{key: PATH, for: [PURPOSE, ...]}`")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(RawKey::Path(value.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                RawScopedKey::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawKey::Scoped)
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// A scoped key as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
struct RawScopedKey {
    /// The public key file (PEM), relative to this file.
    key: String,
    /// What the key may sign: `results`, `provenance`, `sbom`, `vulnerabilities`, `tests`,
    /// `attestations` (any evidence statement). At least one.
    #[serde(rename = "for")]
    purposes: Vec<Purpose>,
    /// The stages it is trusted at (for `results`: the stage of the result it signs); every
    /// stage when omitted.
    #[serde(default)]
    stages: Option<Vec<String>>,
    /// A name for messages and the evidence's `signer.name` (default: the path).
    #[serde(default)]
    name: Option<String>,
    /// No longer trusted from this time on (RFC 3339), e.g. a rotated key.
    #[serde(default)]
    not_after: Option<String>,
}

/// A trusted certificate identity as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
struct RawIdentity {
    /// The OIDC issuer, exactly (e.g. `https://token.actions.githubusercontent.com`).
    #[serde(default)]
    issuer: Option<String>,
    /// The OIDC issuer as a regular expression (anchored: it must match the whole value).
    #[serde(default)]
    issuer_regexp: Option<String>,
    /// The certificate's identity (SAN: a URI such as a workflow, or an email), exactly.
    #[serde(default)]
    subject: Option<String>,
    /// The certificate's identity as a regular expression (anchored).
    #[serde(default)]
    subject_regexp: Option<String>,
    /// GitHub workflow claims Fulcio writes in the certificate, each required exactly.
    #[serde(default)]
    github: Option<RawGithubClaims>,
    /// What the identity may sign: `results`, `provenance`, `sbom`, `vulnerabilities`,
    /// `tests`, `attestations`. At least one.
    #[serde(rename = "for")]
    purposes: Vec<Purpose>,
    /// The stages it is trusted at; every stage when omitted.
    #[serde(default)]
    stages: Option<Vec<String>>,
    /// A name for messages and the evidence's `signer.name` (default: the subject).
    #[serde(default)]
    name: Option<String>,
}

/// GitHub workflow claims (cosign's `--certificate-github-workflow-*`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
struct RawGithubClaims {
    /// `owner/repository` the workflow ran in.
    #[serde(default)]
    repository: Option<String>,
    /// The git ref, e.g. `refs/heads/main` or `refs/tags/v1.2.0`.
    #[serde(default, rename = "ref")]
    git_ref: Option<String>,
    /// The commit sha.
    #[serde(default)]
    sha: Option<String>,
    /// The workflow's name.
    #[serde(default)]
    workflow: Option<String>,
    /// The triggering event, e.g. `push`, `release`.
    #[serde(default)]
    trigger: Option<String>,
    /// `github-hosted` (deny self-hosted runners) or `self-hosted`.
    #[serde(default)]
    runner_environment: Option<String>,
}

/// One trusted approver as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
struct RawApprover {
    /// The approver's name (e.g. an email), as it appears in `evidence.approvals`.
    name: String,
    /// Their public key (PEM file, relative to this file), for key-signed approvals.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    key: Option<Spanned<String>>,
    /// Their certificate identity (the SAN: an email or a URI), for keyless approvals; needs
    /// `issuer`. Give `key` or `identity`.
    #[serde(default)]
    identity: Option<String>,
    /// The OIDC issuer of `identity` (e.g. `https://accounts.google.com`).
    #[serde(default)]
    issuer: Option<String>,
    /// The roles they hold (e.g. `release-manager`).
    #[serde(default)]
    roles: Vec<String>,
}

/// A `trust.keys` entry, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntry {
    /// The name for messages and evidence: the written `name`, else the path as written.
    pub name: String,
    /// The key file.
    pub path: ConfigPath,
    /// What it may sign (never empty).
    pub purposes: Vec<Purpose>,
    /// The stages it is trusted at; `None`: all.
    pub stages: Option<Vec<String>>,
    /// No longer trusted from this time on.
    pub not_after: Option<DateTime<Utc>>,
}

/// An exact value or a regular expression, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchEntry {
    /// Exactly this.
    Exact(String),
    /// This regular expression (checked to compile), anchored when used.
    Regexp(String),
}

/// A `trust.identities` entry, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityEntry {
    /// The name for messages and evidence: the written `name`, else the subject.
    pub name: String,
    /// The OIDC issuer.
    pub issuer: MatchEntry,
    /// The certificate's SAN.
    pub subject: MatchEntry,
    /// GitHub claims required exactly (`repository`, `ref`, `sha`, `workflow`, `trigger`,
    /// `runner_environment`).
    pub github: std::collections::BTreeMap<String, String>,
    /// What it may sign (never empty).
    pub purposes: Vec<Purpose>,
    /// The stages it is trusted at; `None`: all.
    pub stages: Option<Vec<String>>,
}

/// A `trust.approvers` entry, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApproverEntry {
    /// The approver's name.
    pub name: String,
    /// Their public key file (key-signed approvals).
    pub key: Option<ConfigPath>,
    /// Their certificate identity and its OIDC issuer (keyless approvals).
    pub identity: Option<(String, String)>,
    /// The roles granted.
    pub roles: Vec<String>,
}

/// The `trust:` section, checked: paths exist, purposes and stages are known, times parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustConfig {
    /// Trusted keys with their scope.
    pub keys: Vec<KeyEntry>,
    /// Trusted certificate identities with their scope.
    pub identities: Vec<IdentityEntry>,
    /// Sigstore trusted roots; empty: the embedded public-good root.
    pub roots: Vec<ConfigPath>,
    /// Trusted approvers.
    pub approvers: Vec<ApproverEntry>,
    /// `max_age`, parsed at load, with where it was written.
    pub max_age: Option<DurationAt>,
    /// Roles allowed to sign waivers.
    pub waiver_roles: Vec<String>,
}

/// Why the `trust:` section cannot be used, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TrustConfigError {
    /// Line in the config file.
    pub line: u32,
    /// Column in the config file.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

impl RawTrust {
    /// Whether `approvers`, `max_age` or `waiver_roles` is written: `admission.yaml` reads
    /// only `keys`, and refuses the rest rather than ignore it.
    pub fn gate_only_fields(&self) -> Option<&'static str> {
        if !self.approvers.is_empty() {
            Some("approvers")
        } else if self.max_age.is_some() {
            Some("max_age")
        } else if !self.waiver_roles.is_empty() {
            Some("waiver_roles")
        } else {
            None
        }
    }

    /// Checks the section: every key and approver file exists under `base_dir`, every scoped
    /// key names a purpose, every stage is one of `stages` (when given), `not_after` parses.
    pub fn check(
        self,
        base_dir: &Path,
        stages: Option<&[&str]>,
    ) -> Result<TrustConfig, TrustConfigError> {
        let mut keys = Vec::with_capacity(self.keys.len());
        for entry in self.keys {
            let (line, column) = (
                entry.referenced.line() as u32,
                entry.referenced.column() as u32,
            );
            let fail = |message: String| TrustConfigError {
                line,
                column,
                message,
            };
            keys.push(match entry.value {
                RawKey::Path(path) => KeyEntry {
                    name: path.clone(),
                    path: config_path(base_dir, path, line, column, "trusted key")?,
                    purposes: vec![Purpose::Results, Purpose::Attestations],
                    stages: None,
                    not_after: None,
                },
                RawKey::Scoped(scoped) => {
                    if scoped.purposes.is_empty() {
                        return Err(fail(format!(
                            "trusted key `{}` lists no purpose in `for`; give one or more of: {}",
                            scoped.key,
                            Purpose::ALL.map(Purpose::as_str).join(", ")
                        )));
                    }
                    if let (Some(listed), Some(known)) = (&scoped.stages, stages) {
                        if listed.is_empty() {
                            return Err(fail(format!(
                                "trusted key `{}` lists no stage in `stages`; omit `stages` to trust it at every stage",
                                scoped.key
                            )));
                        }
                        if let Some(unknown) = listed.iter().find(|s| !known.contains(&s.as_str()))
                        {
                            return Err(fail(format!(
                                "trusted key `{}` names the unknown stage `{unknown}`; stages are: {}",
                                scoped.key,
                                known.join(", ")
                            )));
                        }
                    }
                    let not_after = scoped
                        .not_after
                        .as_deref()
                        .map(|text| {
                            crate::time::parse_rfc3339(text)
                                .map_err(|err| {
                                    fail(format!(
                                        "`not_after` of trusted key `{}`: {err}",
                                        scoped.key
                                    ))
                                })
                        })
                        .transpose()?;
                    let mut purposes = scoped.purposes;
                    purposes.sort();
                    purposes.dedup();
                    KeyEntry {
                        name: scoped.name.unwrap_or_else(|| scoped.key.clone()),
                        path: config_path(base_dir, scoped.key, line, column, "trusted key")?,
                        purposes,
                        stages: scoped.stages,
                        not_after,
                    }
                }
            });
        }
        let mut identities = Vec::with_capacity(self.identities.len());
        for entry in self.identities {
            let (line, column) = (
                entry.referenced.line() as u32,
                entry.referenced.column() as u32,
            );
            identities.push(check_identity(entry.value, stages).map_err(|message| {
                TrustConfigError {
                    line,
                    column,
                    message,
                }
            })?);
        }
        let roots = self
            .roots
            .into_iter()
            .map(|root| {
                let (line, column) = (
                    root.referenced.line() as u32,
                    root.referenced.column() as u32,
                );
                config_path(base_dir, root.value, line, column, "trusted root")
            })
            .collect::<Result<Vec<_>, TrustConfigError>>()?;
        let approvers = self
            .approvers
            .into_iter()
            .map(|entry| {
                let (entry_line, entry_column) = (
                    entry.referenced.line() as u32,
                    entry.referenced.column() as u32,
                );
                let a = entry.value;
                let key = match a.key {
                    Some(key) => {
                        let (line, column) = (
                            key.referenced.line() as u32,
                            key.referenced.column() as u32,
                        );
                        Some(config_path(base_dir, key.value, line, column, "approver key")?)
                    }
                    None => None,
                };
                let fail = |message: String| TrustConfigError {
                    line: entry_line,
                    column: entry_column,
                    message,
                };
                let identity = match (a.identity, a.issuer) {
                    (Some(identity), Some(issuer)) => Some((identity, issuer)),
                    (Some(_), None) => {
                        return Err(fail(format!(
                            "approver `{}`: `identity` needs `issuer` (the OIDC issuer of the certificate)",
                            a.name
                        )));
                    }
                    (None, Some(_)) => {
                        return Err(fail(format!(
                            "approver `{}`: `issuer` without `identity`",
                            a.name
                        )));
                    }
                    (None, None) => None,
                };
                if key.is_some() == identity.is_some() {
                    return Err(fail(format!(
                        "approver `{}`: give `key` (a public key) or `identity` (keyless), exactly one",
                        a.name
                    )));
                }
                Ok(ApproverEntry {
                    name: a.name,
                    key,
                    identity,
                    roles: a.roles,
                })
            })
            .collect::<Result<Vec<_>, TrustConfigError>>()?;
        let max_age = self
            .max_age
            .map(|m| {
                let (line, column) = (m.referenced.line() as u32, m.referenced.column() as u32);
                Duration::parse(&m.value)
                    .map(|value| DurationAt {
                        value,
                        line,
                        column,
                    })
                    .map_err(|err| TrustConfigError {
                        line,
                        column,
                        message: format!("`trust.max_age`: {err}"),
                    })
            })
            .transpose()?;
        Ok(TrustConfig {
            keys,
            identities,
            roots,
            approvers,
            max_age,
            waiver_roles: self.waiver_roles,
        })
    }
}

/// Checks one `trust.identities` entry: one issuer and one subject (exact or regexp, the
/// regexps compile), a purpose, known stages.
fn check_identity(raw: RawIdentity, stages: Option<&[&str]>) -> Result<IdentityEntry, String> {
    let pick = |exact: Option<String>, regexp: Option<String>, what: &str| match (exact, regexp) {
        (Some(value), None) => Ok(MatchEntry::Exact(value)),
        (None, Some(re)) => regex::Regex::new(&re)
            .map(|_| MatchEntry::Regexp(re.clone()))
            .map_err(|e| {
                format!("trusted identity: `{what}_regexp` `{re}` is not a regular expression: {e}")
            }),
        (Some(_), Some(_)) => Err(format!(
            "trusted identity: give `{what}` or `{what}_regexp`, not both"
        )),
        (None, None) => Err(format!(
            "trusted identity: `{what}` (or `{what}_regexp`) is required"
        )),
    };
    let subject = pick(raw.subject, raw.subject_regexp, "subject")?;
    let issuer = pick(raw.issuer, raw.issuer_regexp, "issuer")?;
    let name = raw.name.unwrap_or_else(|| match &subject {
        MatchEntry::Exact(v) | MatchEntry::Regexp(v) => v.clone(),
    });
    if raw.purposes.is_empty() {
        return Err(format!(
            "trusted identity `{name}` lists no purpose in `for`; give one or more of: {}",
            Purpose::ALL.map(Purpose::as_str).join(", ")
        ));
    }
    if let (Some(listed), Some(known)) = (&raw.stages, stages) {
        if listed.is_empty() {
            return Err(format!(
                "trusted identity `{name}` lists no stage in `stages`; omit `stages` to trust it at every stage"
            ));
        }
        if let Some(unknown) = listed.iter().find(|s| !known.contains(&s.as_str())) {
            return Err(format!(
                "trusted identity `{name}` names the unknown stage `{unknown}`; stages are: {}",
                known.join(", ")
            ));
        }
    }
    let mut github = std::collections::BTreeMap::new();
    if let Some(claims) = raw.github {
        for (claim, value) in [
            ("repository", claims.repository),
            ("ref", claims.git_ref),
            ("sha", claims.sha),
            ("workflow", claims.workflow),
            ("trigger", claims.trigger),
            ("runner_environment", claims.runner_environment),
        ] {
            if let Some(value) = value {
                github.insert(claim.to_owned(), value);
            }
        }
    }
    let mut purposes = raw.purposes;
    purposes.sort();
    purposes.dedup();
    Ok(IdentityEntry {
        name,
        issuer,
        subject,
        github,
        purposes,
        stages: raw.stages,
    })
}

fn config_path(
    base_dir: &Path,
    written: String,
    line: u32,
    column: u32,
    what: &str,
) -> Result<ConfigPath, TrustConfigError> {
    let resolved = base_dir.join(&written);
    if !resolved.exists() {
        return Err(TrustConfigError {
            line,
            column,
            message: format!(
                "{what} `{written}` does not exist (looked for `{}`)",
                resolved.display()
            ),
        });
    }
    Ok(ConfigPath {
        written,
        resolved,
        line,
        column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(yaml: &str, dir: &Path) -> Result<TrustConfig, TrustConfigError> {
        let raw: RawTrust = serde_saphyr::from_str(yaml).unwrap();
        raw.check(dir, Some(&["dev", "staging", "prod"]))
    }

    #[test]
    fn purposes_cover() {
        assert!(Purpose::Attestations.covers(Purpose::Provenance));
        assert!(Purpose::Provenance.covers(Purpose::Provenance));
        assert!(!Purpose::Attestations.covers(Purpose::Results));
        assert!(!Purpose::Provenance.covers(Purpose::Results));
        assert!(!Purpose::Results.covers(Purpose::Provenance));
    }

    #[test]
    fn pass() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("a.pub"), "x").unwrap();
        let trust = check(
            "keys:\n  - a.pub\n  - {key: a.pub, for: [provenance, sbom], stages: [staging], name: builder, not_after: 2027-01-01T00:00:00Z}\n",
            dir.path(),
        )
        .unwrap();
        assert_eq!(
            trust.keys[0].purposes,
            [Purpose::Results, Purpose::Attestations]
        );
        assert_eq!(trust.keys[0].name, "a.pub");
        assert_eq!(trust.keys[1].name, "builder");
        assert_eq!(trust.keys[1].purposes, [Purpose::Provenance, Purpose::Sbom]);
        assert_eq!(
            trust.keys[1].stages.as_deref(),
            Some(&["staging".to_owned()][..])
        );
        assert!(trust.keys[1].not_after.is_some());
    }

    #[test]
    fn fail() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("a.pub"), "x").unwrap();
        let cases = [
            ("keys:\n  - {key: a.pub, for: []}\n", "lists no purpose"),
            (
                "keys:\n  - {key: a.pub, for: [results], stages: [qa]}\n",
                "unknown stage `qa`",
            ),
            (
                "keys:\n  - {key: a.pub, for: [results], not_after: soon}\n",
                "RFC 3339",
            ),
            ("keys:\n  - missing.pub\n", "does not exist"),
            ("keys: []\nmax_age: 99999999999999999999d\n", "max_age"),
        ];
        for (yaml, expected) in cases {
            let err = check(yaml, dir.path()).unwrap_err();
            assert!(err.message.contains(expected), "{yaml}: {err}");
            assert_eq!(err.line, 2, "{yaml}");
        }
        for yaml in [
            "keys:\n  - {key: a.pub, for: [approvals]}\n",
            "keys:\n  - {key: a.pub}\n",
            "keys:\n  - {key: a.pub, for: [results], typo: 1}\n",
        ] {
            assert!(serde_saphyr::from_str::<RawTrust>(yaml).is_err(), "{yaml}");
        }
    }

    #[test]
    fn identities_and_roots() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("root.json"), "{}").unwrap();
        let trust = check(
            "roots: [root.json]\nidentities:\n  - issuer: https://token.actions.githubusercontent.com\n    subject_regexp: ^https://github\\.com/acme/.+$\n    github: {repository: acme/app, ref: refs/heads/main, runner_environment: github-hosted}\n    for: [provenance, provenance]\n    stages: [prod]\n  - {issuer_regexp: 'https://accounts\\.google\\.com', subject: a@example.com, for: [results], name: alice}\napprovers:\n  - {name: bob, identity: bob@example.com, issuer: https://accounts.google.com, roles: [release-manager]}\n",
            dir.path(),
        )
        .unwrap();
        assert_eq!(trust.roots.len(), 1);
        let first = &trust.identities[0];
        assert_eq!(first.purposes, [Purpose::Provenance]);
        assert_eq!(
            first.subject,
            MatchEntry::Regexp("^https://github\\.com/acme/.+$".into())
        );
        assert_eq!(first.github.len(), 3);
        assert_eq!(first.github["ref"], "refs/heads/main");
        assert_eq!(first.name, "^https://github\\.com/acme/.+$");
        assert_eq!(trust.identities[1].name, "alice");
        assert_eq!(
            trust.approvers[0].identity,
            Some((
                "bob@example.com".into(),
                "https://accounts.google.com".into()
            ))
        );
        assert!(trust.approvers[0].key.is_none());
    }

    #[test]
    fn identities_fail() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("a.pub"), "x").unwrap();
        let cases = [
            (
                "identities:\n  - {subject: a@x, for: [results]}\n",
                "`issuer` (or `issuer_regexp`) is required",
            ),
            (
                "identities:\n  - {issuer: i, subject: a, subject_regexp: b, for: [results]}\n",
                "not both",
            ),
            (
                "identities:\n  - {issuer: i, subject_regexp: '(', for: [results]}\n",
                "not a regular expression",
            ),
            (
                "identities:\n  - {issuer: i, subject: a, for: []}\n",
                "lists no purpose",
            ),
            (
                "identities:\n  - {issuer: i, subject: a, for: [results], stages: [qa]}\n",
                "unknown stage `qa`",
            ),
            ("roots:\n  - missing.json\n", "does not exist"),
            (
                "approvers:\n  - {name: a, key: a.pub, identity: a@x, issuer: i}\n",
                "exactly one",
            ),
            (
                "approvers:\n  - {name: a, identity: a@x}\n",
                "needs `issuer`",
            ),
        ];
        for (yaml, expected) in cases {
            let err = check(yaml, dir.path()).unwrap_err();
            assert!(err.message.contains(expected), "{yaml}: {err}");
            assert_eq!(err.line, 2, "{yaml}");
        }
        for yaml in [
            "identities:\n  - {issuer: i, subject: a, for: [results], github: {branch: main}}\n",
            "identities:\n  - {issuer: i, subject: a}\n",
        ] {
            assert!(serde_saphyr::from_str::<RawTrust>(yaml).is_err(), "{yaml}");
        }
    }
}
