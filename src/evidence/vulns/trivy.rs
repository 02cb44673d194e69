//! Trivy JSON (`trivy ... -f json`, `SchemaVersion: 2`).
//!
//! Read from every `Results[]` entry (a result without `Vulnerabilities` is fine):
//! - `Vulnerabilities[]`: `VulnerabilityID`, `VendorIDs` as aliases, `PkgName`,
//!   `InstalledVersion`, `PkgIdentifier.PURL`, `Severity`, the highest `V40Score`/`V3Score`
//!   across `CVSS` sources (`V2Score` only when no newer score is given), `FixedVersion` (a
//!   comma-separated list), `Title`.
//! - `Secrets[]` as findings of category `secret`, with `RuleID` as id and `Target`:`StartLine`
//!   as location (no package).
//! - `Misconfigurations[]` with `Status: FAIL` as findings of category `misconfiguration`.
//! - `ModifiedFindings[]` (written with `--show-suppressed` when a VEX document or ignore file
//!   suppressed a finding) as suppressed findings, with Trivy's status and statement.
//!
//! The subject ([`subject_claim`]): the digests of `Metadata.RepoDigests` and of an
//! `ArtifactName` (or `Metadata.Reference`) pinned by digest, all what the scan was pointed at
//! (for a multi-platform image, the index). Trivy records no manifest digest; its
//! `Metadata.ImageID` is the config's digest and `ArtifactID` a cache key, and neither is
//! compared. A scan of an image archive, a file system or a repository names no digest.
//!
//! What we ignore (and why): Trivy's `Status` (`fixed` there means "a fix exists", not "not
//! affected"); misconfiguration checks that passed (they are not findings); layers, references,
//! dates and code snippets (in `raw`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;

use super::{max_score, severity_from_label, split_versions};
use crate::evidence::binding::SubjectClaim;
use crate::evidence::model::{
    FindingCategory, FindingLocation, PackageRef, Suppression, Vulnerability,
};

/// The name written to [`Vulnerability::source`].
pub const SOURCE: &str = "trivy";

/// Trivy's JSON report (only the parts we read).
#[derive(Debug, Deserialize)]
pub(crate) struct Document<'a> {
    #[serde(borrow, default, rename = "Results")]
    results: Option<Vec<TrivyResult<'a>>>,
    #[serde(borrow, default, rename = "ArtifactName")]
    artifact_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "Metadata")]
    metadata: Option<ReportMetadata<'a>>,
}

#[derive(Debug, Deserialize)]
struct ReportMetadata<'a> {
    #[serde(borrow, default, rename = "RepoDigests")]
    repo_digests: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default, rename = "Reference")]
    reference: Option<Cow<'a, str>>,
}

/// What the scan says it is about (see the module documentation).
pub(crate) fn subject_claim(doc: &Document<'_>) -> SubjectClaim {
    let mut claim = SubjectClaim::default();
    let digests = doc.metadata.as_ref().and_then(|m| m.repo_digests.as_ref());
    for reference in digests.into_iter().flatten() {
        claim.referenced_in(reference);
    }
    let reference = doc.metadata.as_ref().and_then(|m| m.reference.as_ref());
    for name in doc.artifact_name.iter().chain(reference) {
        claim.referenced_in(name);
    }
    claim
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyResult<'a> {
    #[serde(borrow, default)]
    target: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    vulnerabilities: Option<Vec<TrivyVuln<'a>>>,
    #[serde(borrow, default)]
    secrets: Option<Vec<Secret<'a>>>,
    #[serde(borrow, default)]
    misconfigurations: Option<Vec<Misconfiguration<'a>>>,
    #[serde(borrow, default)]
    modified_findings: Option<Vec<ModifiedFinding<'a>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyVuln<'a> {
    #[serde(borrow, rename = "VulnerabilityID")]
    vulnerability_id: Cow<'a, str>,
    #[serde(borrow, default, rename = "VendorIDs")]
    vendor_ids: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    pkg_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    installed_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pkg_identifier: Option<PkgIdentifier<'a>>,
    #[serde(borrow, default)]
    fixed_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    severity: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "CVSS")]
    cvss: Option<BTreeMap<Cow<'a, str>, CvssScores>>,
    #[serde(borrow, default)]
    title: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct PkgIdentifier<'a> {
    #[serde(borrow, default, rename = "PURL")]
    purl: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct CvssScores {
    #[serde(default, rename = "V2Score")]
    v2: Option<f64>,
    #[serde(default, rename = "V3Score")]
    v3: Option<f64>,
    #[serde(default, rename = "V40Score")]
    v40: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Secret<'a> {
    #[serde(borrow, rename = "RuleID")]
    rule_id: Cow<'a, str>,
    #[serde(borrow, default)]
    severity: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    title: Option<Cow<'a, str>>,
    #[serde(default)]
    start_line: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Misconfiguration<'a> {
    #[serde(borrow, default, rename = "ID")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "AVDID")]
    avd_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    severity: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    status: Option<Cow<'a, str>>,
    #[serde(default)]
    cause_metadata: Option<CauseMetadata>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CauseMetadata {
    #[serde(default)]
    start_line: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ModifiedFinding<'a> {
    #[serde(borrow, default, rename = "Type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    status: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    statement: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    finding: Option<TrivyVulnOrOther<'a>>,
}

/// A modified finding is a vulnerability, secret, ... — we read only vulnerabilities, and
/// anything else is skipped here but stays in `raw`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TrivyVulnOrOther<'a> {
    Vuln(#[serde(borrow)] Box<TrivyVuln<'a>>),
    Other(serde::de::IgnoredAny),
}

/// Turns a Trivy report into findings.
pub(crate) fn findings(doc: Document<'_>, source_index: usize) -> Vec<Vulnerability> {
    let mut out = Vec::new();
    for result in doc.results.unwrap_or_default() {
        let target = result.target.as_deref().unwrap_or_default().to_owned();
        for vuln in result.vulnerabilities.unwrap_or_default() {
            out.push(vulnerability(vuln, source_index));
        }
        for secret in result.secrets.unwrap_or_default() {
            out.push(Vulnerability {
                id: secret.rule_id.into_owned(),
                severity: severity_from_label(secret.severity.as_deref().unwrap_or_default()),
                category: FindingCategory::Secret,
                title: secret.title.map(Cow::into_owned),
                location: Some(FindingLocation {
                    path: target.clone(),
                    line: secret.start_line,
                }),
                source: vec![SOURCE.to_owned()],
                source_indexes: vec![source_index],
                ..Vulnerability::default()
            });
        }
        for misconfig in result.misconfigurations.unwrap_or_default() {
            if misconfig
                .status
                .as_deref()
                .is_some_and(|s| !s.eq_ignore_ascii_case("fail"))
            {
                continue;
            }
            out.push(Vulnerability {
                id: misconfig
                    .avd_id
                    .or(misconfig.id)
                    .map(Cow::into_owned)
                    .unwrap_or_default(),
                severity: severity_from_label(misconfig.severity.as_deref().unwrap_or_default()),
                category: FindingCategory::Misconfiguration,
                title: misconfig.title.map(Cow::into_owned),
                location: Some(FindingLocation {
                    path: target.clone(),
                    line: misconfig.cause_metadata.and_then(|c| c.start_line),
                }),
                source: vec![SOURCE.to_owned()],
                source_indexes: vec![source_index],
                ..Vulnerability::default()
            });
        }
        for modified in result.modified_findings.unwrap_or_default() {
            let is_vuln = modified
                .kind
                .as_deref()
                .is_none_or(|k| k.eq_ignore_ascii_case("vulnerability"));
            if let (true, Some(TrivyVulnOrOther::Vuln(vuln))) = (is_vuln, modified.finding) {
                let mut finding = vulnerability(*vuln, source_index);
                finding.suppressed = Some(Suppression {
                    state: modified.status.as_deref().unwrap_or("ignored").to_owned(),
                    justification: modified.statement.map(Cow::into_owned),
                    source: modified.source.map(Cow::into_owned),
                });
                out.push(finding);
            }
        }
    }
    out
}

fn vulnerability(vuln: TrivyVuln<'_>, source_index: usize) -> Vulnerability {
    let scores = vuln.cvss.as_ref().into_iter().flat_map(BTreeMap::values);
    let newest = scores
        .clone()
        .flat_map(|s| [s.v40, s.v3])
        .fold(None, max_score);
    let cvss = newest.or_else(|| scores.map(|s| s.v2).fold(None, max_score));
    let id = vuln.vulnerability_id.into_owned();
    let aliases = vuln
        .vendor_ids
        .unwrap_or_default()
        .into_iter()
        .filter(|a| *a != id)
        .map(Cow::into_owned)
        .collect();
    let purl = vuln
        .pkg_identifier
        .and_then(|p| p.purl)
        .filter(|p| !p.is_empty());
    Vulnerability {
        severity: severity_from_label(vuln.severity.as_deref().unwrap_or_default()),
        id,
        aliases,
        cvss,
        package: vuln.pkg_name.map(|name| PackageRef {
            name: name.into_owned(),
            version: vuln.installed_version.map(Cow::into_owned),
            purl: purl.map(Cow::into_owned),
        }),
        fixed_in: vuln
            .fixed_version
            .as_deref()
            .map(split_versions)
            .unwrap_or_default(),
        title: vuln.title.map(Cow::into_owned),
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
    fn reads_vulns_secrets_and_modified_findings() {
        let text = r#"{"SchemaVersion":2,"Results":[
          {"Target":"os","Class":"os-pkgs"},
          {"Target":"go.mod","Vulnerabilities":[{"VulnerabilityID":"CVE-1","PkgName":"x",
            "InstalledVersion":"1","FixedVersion":"1.1, 2.0","Severity":"HIGH",
            "CVSS":{"nvd":{"V2Score":9.0,"V3Score":7.5},"redhat":{"V3Score":8.1}}}],
           "ModifiedFindings":[{"Type":"vulnerability","Status":"not_affected",
            "Statement":"vulnerable_code_not_in_execute_path","Source":"vex.json",
            "Finding":{"VulnerabilityID":"CVE-2","PkgName":"y","Severity":"LOW"}}]},
          {"Target":"deploy.sh","Class":"secret","Secrets":[{"RuleID":"aws-access-key-id",
            "Severity":"CRITICAL","Title":"AWS","StartLine":3}]}]}"#;
        let doc: Document<'_> = serde_json::from_str(text).unwrap();
        let found = findings(doc, 0);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].cvss, Some(8.1));
        assert_eq!(found[0].fixed_in, ["1.1", "2.0"]);
        assert_eq!(found[1].suppressed.as_ref().unwrap().state, "not_affected");
        assert_eq!(found[2].category, FindingCategory::Secret);
        assert_eq!(found[2].severity, VulnSeverity::Critical);
        assert_eq!(found[2].location.as_ref().unwrap().line, Some(3));
    }

    #[test]
    fn the_subject_is_the_repo_digests_and_a_pinned_artifact_name() {
        // An image archive: a path, a tag and the config digest, but no manifest digest.
        let text = include_str!("../../../testdata/corpus/trivy/trivy-image-alpine-310.json");
        assert!(subject_claim(&serde_json::from_str(text).unwrap()).is_empty());

        let (index, config) = ("a".repeat(64), "c".repeat(64));
        let text = format!(
            r#"{{"SchemaVersion":2,"ArtifactName":"ghcr.io/acme/app@sha256:{index}",
            "ArtifactType":"container_image","Metadata":{{"ImageID":"sha256:{config}",
            "RepoDigests":["ghcr.io/acme/app@sha256:{index}"]}},"Results":[]}}"#
        );
        let claim = subject_claim(&serde_json::from_str(&text).unwrap());
        assert_eq!(claim.referenced, [index]);
        assert!(claim.examined.is_empty());
    }
}
