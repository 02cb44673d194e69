//! Grype JSON (`grype -o json`): `matches[]` and, when present, `ignoredMatches[]`.
//!
//! Enforced / read: `vulnerability.id`, `.severity`, `.cvss[].metrics.baseScore` (the highest;
//! the related vulnerabilities' scores when the match has none), `.fix.versions`,
//! `relatedVulnerabilities[].id` as aliases, `artifact.{name, version, purl}`.
//! `ignoredMatches[]` (ignore rules and VEX applied by Grype) are kept as suppressed findings,
//! with the rule's `vex-status` (or `ignored`) as state and `vex-justification` or `reason` as
//! justification.
//!
//! The subject ([`subject_claim`]): `source.target` of an `image` source — `manifestDigest` as
//! the manifest examined, `repoDigests` and a `userInput` pinned by digest as what the scan was
//! pointed at (an index for multi-platform images) — and the sha256 `digests` of a `file`
//! source. Never `imageID`: that is the config's digest, not the manifest's.
//!
//! What we ignore (and why): match details, locations, CPEs, EPSS and risk scores — they do not
//! change which vulnerability affects which package; they remain in `raw`.

use std::borrow::Cow;

use serde::Deserialize;

use super::{max_score, severity_from_label, split_versions};
use crate::evidence::binding::SubjectClaim;
use crate::evidence::model::{PackageRef, Suppression, Vulnerability};

/// The name written to [`Vulnerability::source`].
pub const SOURCE: &str = "grype";

/// Grype's JSON document (only the parts we read).
#[derive(Debug, Deserialize)]
pub(crate) struct Document<'a> {
    #[serde(borrow, default)]
    matches: Option<Vec<Match<'a>>>,
    #[serde(borrow, default, rename = "ignoredMatches")]
    ignored_matches: Option<Vec<IgnoredMatch<'a>>>,
    #[serde(borrow, default)]
    source: Option<Source<'a>>,
}

/// What was scanned: `{type: image|directory|file, target}`.
#[derive(Debug, Deserialize)]
struct Source<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Option<Cow<'a, str>>,
    /// An object for images and files, a path string for directories.
    #[serde(default)]
    target: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Match<'a> {
    #[serde(borrow)]
    vulnerability: Advisory<'a>,
    #[serde(borrow, default, rename = "relatedVulnerabilities")]
    related: Option<Vec<Advisory<'a>>>,
    #[serde(borrow, default)]
    artifact: Option<Artifact<'a>>,
}

#[derive(Debug, Deserialize)]
struct IgnoredMatch<'a> {
    #[serde(borrow)]
    vulnerability: Advisory<'a>,
    #[serde(borrow, default, rename = "relatedVulnerabilities")]
    related: Option<Vec<Advisory<'a>>>,
    #[serde(borrow, default)]
    artifact: Option<Artifact<'a>>,
    #[serde(borrow, default, rename = "appliedIgnoreRules")]
    applied_ignore_rules: Option<Vec<IgnoreRule<'a>>>,
}

#[derive(Debug, Deserialize)]
struct Advisory<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default)]
    severity: Option<Cow<'a, str>>,
    #[serde(default)]
    cvss: Option<Vec<Cvss>>,
    #[serde(borrow, default)]
    fix: Option<Fix<'a>>,
}

#[derive(Debug, Deserialize)]
struct Cvss {
    #[serde(default)]
    metrics: Option<Metrics>,
}

#[derive(Debug, Deserialize)]
struct Metrics {
    #[serde(default, rename = "baseScore")]
    base_score: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct Fix<'a> {
    #[serde(borrow, default)]
    versions: Option<Vec<Cow<'a, str>>>,
}

#[derive(Debug, Deserialize)]
struct Artifact<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    purl: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct IgnoreRule<'a> {
    #[serde(borrow, default, rename = "vex-status")]
    vex_status: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "vex-justification")]
    vex_justification: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reason: Option<Cow<'a, str>>,
}

/// What the scan says it is about (see the module documentation).
pub(crate) fn subject_claim(doc: &Document<'_>) -> SubjectClaim {
    let mut claim = SubjectClaim::default();
    let Some(source) = &doc.source else {
        return claim;
    };
    let Some(target) = source
        .target
        .as_ref()
        .and_then(serde_json::Value::as_object)
    else {
        return claim;
    };
    let text = |key: &str| target.get(key).and_then(serde_json::Value::as_str);
    match source.kind.as_deref() {
        Some("image") => {
            if let Some(digest) = text("manifestDigest") {
                claim.examined_in(digest);
            }
            for reference in target
                .get("repoDigests")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(serde_json::Value::as_str)
            {
                claim.referenced_in(reference);
            }
            if let Some(input) = text("userInput") {
                claim.referenced_in(input);
            }
        }
        Some("file") => {
            for digest in target
                .get("digests")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter(|d| {
                    d.get("algorithm").and_then(serde_json::Value::as_str) == Some("sha256")
                })
                .filter_map(|d| d.get("value").and_then(serde_json::Value::as_str))
            {
                claim.examined_hex(digest);
            }
        }
        _ => {}
    }
    claim
}

/// Turns a Grype document into findings.
pub(crate) fn findings(doc: Document<'_>, source_index: usize) -> Vec<Vulnerability> {
    let matches = doc.matches.unwrap_or_default();
    let mut out = Vec::with_capacity(matches.len());
    for m in matches {
        out.push(finding(
            m.vulnerability,
            m.related,
            m.artifact,
            source_index,
        ));
    }
    for m in doc.ignored_matches.unwrap_or_default() {
        let rule = m
            .applied_ignore_rules
            .unwrap_or_default()
            .into_iter()
            .next();
        let mut vuln = finding(m.vulnerability, m.related, m.artifact, source_index);
        vuln.suppressed = Some(Suppression {
            state: rule
                .as_ref()
                .and_then(|r| r.vex_status.as_deref())
                .unwrap_or("ignored")
                .to_owned(),
            justification: rule
                .as_ref()
                .and_then(|r| r.vex_justification.as_deref().or(r.reason.as_deref()))
                .map(str::to_owned),
            source: Some("grype ignore rule".to_owned()),
        });
        out.push(vuln);
    }
    out
}

fn best_score(cvss: Option<&Vec<Cvss>>) -> Option<f64> {
    cvss.into_iter()
        .flatten()
        .filter_map(|c| c.metrics.as_ref()?.base_score)
        .fold(None, |best, score| max_score(best, Some(score)))
}

fn finding(
    vulnerability: Advisory<'_>,
    related: Option<Vec<Advisory<'_>>>,
    artifact: Option<Artifact<'_>>,
    source_index: usize,
) -> Vulnerability {
    let related = related.unwrap_or_default();
    let cvss = best_score(vulnerability.cvss.as_ref()).or_else(|| {
        related
            .iter()
            .filter_map(|r| best_score(r.cvss.as_ref()))
            .fold(None, |best, score| max_score(best, Some(score)))
    });
    let fixed_in = vulnerability
        .fix
        .and_then(|f| f.versions)
        .unwrap_or_default()
        .iter()
        .flat_map(|v| split_versions(v))
        .collect();
    let id = vulnerability.id.into_owned();
    let mut aliases: Vec<String> = Vec::new();
    for r in related {
        if r.id != id && !aliases.iter().any(|a| *a == r.id) {
            aliases.push(r.id.into_owned());
        }
    }
    Vulnerability {
        severity: severity_from_label(vulnerability.severity.as_deref().unwrap_or_default()),
        id,
        aliases,
        cvss,
        package: artifact.map(|a| PackageRef {
            name: a.name.into_owned(),
            version: a.version.filter(|v| !v.is_empty()).map(Cow::into_owned),
            purl: a.purl.filter(|p| !p.is_empty()).map(Cow::into_owned),
        }),
        fixed_in,
        source: vec![SOURCE.to_owned()],
        source_indexes: vec![source_index],
        ..Vulnerability::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::model::VulnSeverity;

    #[test]
    fn reads_matches_and_ignored_matches() {
        let text = r#"{"matches":[{"vulnerability":{"id":"GHSA-1","severity":"High",
            "cvss":[],"fix":{"versions":["1.2.3"],"state":"fixed"}},
            "relatedVulnerabilities":[{"id":"CVE-1","cvss":[{"metrics":{"baseScore":7.5}}]}],
            "artifact":{"name":"x","version":"1.0","purl":""}}],
            "ignoredMatches":[{"vulnerability":{"id":"CVE-2","severity":"Critical"},
            "artifact":{"name":"y","version":"2"},
            "appliedIgnoreRules":[{"vex-status":"not_affected","vex-justification":"vulnerable_code_not_present"}]}]}"#;
        let doc: Document<'_> = serde_json::from_str(text).unwrap();
        let found = findings(doc, 3);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].aliases, ["CVE-1"]);
        assert_eq!(found[0].cvss, Some(7.5));
        assert_eq!(found[0].severity, VulnSeverity::High);
        assert_eq!(found[0].fixed_in, ["1.2.3"]);
        assert_eq!(found[0].package.as_ref().unwrap().purl, None);
        let suppressed = found[1].suppressed.as_ref().unwrap();
        assert_eq!(suppressed.state, "not_affected");
        assert_eq!(found[1].source_indexes, [3]);
    }

    #[test]
    fn the_subject_is_the_manifest_and_the_repo_digests() {
        // keycloak:21.0.2 is multi-platform: `repoDigests` (and the pinned `userInput`) name the
        // index, `manifestDigest` the platform manifest scanned, `imageID` the config.
        let text = include_str!("../../../testdata/corpus/grype/grype-image-keycloak-21.0.2.json");
        let claim = subject_claim(&serde_json::from_str(text).unwrap());
        assert_eq!(
            claim.examined,
            ["d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e"]
        );
        assert_eq!(
            claim.referenced,
            ["347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50"]
        );

        let file = r#"{"matches":[],"source":{"type":"file","target":{"path":"app.tar",
            "digests":[{"algorithm":"sha1","value":"aa"},{"algorithm":"sha256","value":"ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"}]}}}"#;
        let claim = subject_claim(&serde_json::from_str(file).unwrap());
        assert_eq!(claim.examined, ["ab".repeat(32)]);

        let directory = r#"{"matches":[],"source":{"type":"directory","target":"/src"}}"#;
        assert!(subject_claim(&serde_json::from_str(directory).unwrap()).is_empty());
        assert!(subject_claim(&serde_json::from_str(r#"{"matches":[]}"#).unwrap()).is_empty());
    }
}
