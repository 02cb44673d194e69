//! CycloneDX `vulnerabilities[]` (<https://cyclonedx.org/docs/1.7/json/#vulnerabilities>),
//! including VEX `analysis`: the scan part of a CycloneDX document, 1.4–1.7.
//!
//! Each vulnerability becomes one finding per `affects[].ref`. A ref is resolved against the
//! `bom-ref`s of `metadata.component` and all (nested) `components`; a ref that is itself a
//! purl is used as one; an unresolvable ref still gives a finding, named after the ref. A
//! vulnerability with no `affects` is kept, with no package.
//!
//! Read: `id`; `references[].id` as aliases; severity — the most severe `ratings[].severity`
//! (`none`/`info` are negligible), else the band of the highest CVSS score; CVSS — the highest
//! `ratings[].score` whose `method` is a CVSS one (`CVSSv2`, `CVSSv3`, `CVSSv31`, `CVSSv4`;
//! EPSS and `other` scores are not CVSS); fixed-in — `affects[].versions[]` with
//! `status: unaffected` and a single `version`. VEX `analysis.state` `not_affected`,
//! `resolved`, `resolved_with_pedigree` and `false_positive` suppress the finding, with
//! `analysis.justification` (or `detail`) kept; `exploitable` and `in_triage` do not.
//!
//! A document whose `metadata.component` claims digests none of which is the subject's is about
//! another artifact: its analysis suppresses nothing, and the evidence records a
//! `subject-mismatch` problem (issue #12: VEX for another product must not hide our findings).
//!
//! What we ignore (and why): version ranges (`vers:`) in `affects` (evaluating them needs each
//! ecosystem's version ordering, and the scanner already decided the package is affected),
//! advisories, CWEs, proof of concept, `analysis.response` — all stay in `raw`.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use super::{max_score, severity_from_label, severity_from_score, worst};
use crate::evidence::binding::SubjectClaim;
use crate::evidence::model::{PackageRef, Suppression, VulnSeverity, Vulnerability};
use crate::evidence::sbom::cyclonedx::{CdxComponent, Metadata, flatten};

/// The name written to [`Vulnerability::source`].
pub const SOURCE: &str = "cyclonedx";

/// A CycloneDX BOM, the parts the scan reader needs.
#[derive(Debug, Deserialize)]
pub(crate) struct Document<'a> {
    #[serde(borrow, default)]
    metadata: Option<Metadata<'a>>,
    #[serde(borrow, default)]
    components: Option<Vec<CdxComponent<'a>>>,
    #[serde(borrow, default)]
    pub vulnerabilities: Option<Vec<CdxVulnerability<'a>>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CdxVulnerability<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    references: Option<Vec<Reference<'a>>>,
    #[serde(borrow, default)]
    ratings: Option<Vec<Rating<'a>>>,
    #[serde(borrow, default)]
    affects: Option<Vec<Affects<'a>>>,
    #[serde(borrow, default)]
    analysis: Option<Analysis<'a>>,
    #[serde(borrow, default)]
    description: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Reference<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Rating<'a> {
    #[serde(default)]
    score: Option<f64>,
    #[serde(borrow, default)]
    severity: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Affects<'a> {
    #[serde(borrow, rename = "ref")]
    reference: Cow<'a, str>,
    #[serde(borrow, default)]
    versions: Option<Vec<AffectedVersion<'a>>>,
}

#[derive(Debug, Deserialize)]
struct AffectedVersion<'a> {
    #[serde(borrow, default)]
    version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    status: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Analysis<'a> {
    #[serde(borrow, default)]
    state: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    justification: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    detail: Option<Cow<'a, str>>,
}

/// What the BOM says it describes (`metadata.component`, as for an SBOM): what its VEX
/// analysis is about.
pub(crate) fn subject_claim(doc: &Document<'_>) -> SubjectClaim {
    doc.metadata
        .as_ref()
        .and_then(|m| m.component.as_ref())
        .map(crate::evidence::sbom::cyclonedx::subject_claim)
        .unwrap_or_default()
}

/// Turns the `vulnerabilities` of a CycloneDX document into findings; the caller has checked
/// that the array is present.
pub(crate) fn findings(doc: Document<'_>, source_index: usize) -> Vec<Vulnerability> {
    let mut packages: HashMap<String, PackageRef> = HashMap::new();
    let mut remember = |c: &CdxComponent<'_>| {
        if let Some(bom_ref) = &c.bom_ref {
            packages.insert(
                bom_ref.to_string(),
                PackageRef {
                    name: c.name.as_deref().unwrap_or_default().to_owned(),
                    version: c.version.as_deref().map(str::to_owned),
                    purl: c
                        .purl
                        .as_deref()
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned),
                },
            );
        }
    };
    if let Some(subject) = doc.metadata.as_ref().and_then(|m| m.component.as_ref()) {
        remember(subject);
    }
    flatten(doc.components.unwrap_or_default(), &mut |c| remember(&c));

    let mut out = Vec::new();
    for vuln in doc.vulnerabilities.unwrap_or_default() {
        let template = finding(&vuln, source_index);
        let affects = vuln.affects.unwrap_or_default();
        if affects.is_empty() {
            out.push(template);
            continue;
        }
        for affected in affects {
            let mut finding = template.clone();
            finding.package = Some(match packages.get(affected.reference.as_ref()) {
                Some(package) => package.clone(),
                None if affected.reference.starts_with("pkg:") => PackageRef {
                    name: affected.reference.to_string(),
                    version: None,
                    purl: Some(affected.reference.to_string()),
                },
                None => PackageRef {
                    name: affected.reference.to_string(),
                    version: None,
                    purl: None,
                },
            });
            finding.fixed_in = affected
                .versions
                .iter()
                .flatten()
                .filter(|v| v.status.as_deref() == Some("unaffected"))
                .filter_map(|v| v.version.as_deref().map(str::to_owned))
                .collect();
            out.push(finding);
        }
    }
    out
}

fn finding(vuln: &CdxVulnerability<'_>, source_index: usize) -> Vulnerability {
    let id = vuln.id.as_deref().unwrap_or_default().to_owned();
    let mut aliases: Vec<String> = Vec::new();
    for reference in vuln.references.iter().flatten() {
        if let Some(alias) = reference.id.as_deref()
            && alias != id
            && !aliases.iter().any(|a| a == alias)
        {
            aliases.push(alias.to_owned());
        }
    }
    let ratings = vuln.ratings.as_deref().unwrap_or_default();
    let cvss = ratings
        .iter()
        .filter(|r| {
            r.method
                .as_deref()
                .is_some_and(|m| m.to_ascii_uppercase().starts_with("CVSS"))
        })
        .filter_map(|r| r.score)
        .fold(None, |best, s| max_score(best, Some(s)));
    let labelled = ratings
        .iter()
        .filter_map(|r| r.severity.as_deref())
        .map(severity_from_label)
        .fold(VulnSeverity::Unknown, worst);
    let severity = match (labelled, cvss) {
        (VulnSeverity::Unknown, Some(score)) => severity_from_score(score),
        (labelled, _) => labelled,
    };
    let suppressed = vuln.analysis.as_ref().and_then(|analysis| {
        let state = analysis.state.as_deref()?;
        matches!(
            state,
            "not_affected" | "resolved" | "resolved_with_pedigree" | "false_positive"
        )
        .then(|| Suppression {
            state: state.to_owned(),
            justification: analysis
                .justification
                .as_deref()
                .or(analysis.detail.as_deref())
                .map(str::to_owned),
            source: Some("cyclonedx analysis".to_owned()),
        })
    });
    Vulnerability {
        id,
        aliases,
        severity,
        cvss,
        suppressed,
        title: vuln
            .description
            .as_deref()
            .and_then(|d| d.lines().next())
            .map(str::to_owned),
        source: vec![SOURCE.to_owned()],
        source_indexes: vec![source_index],
        ..Vulnerability::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_refs_and_applies_analysis() {
        let text = r#"{"bomFormat":"CycloneDX","specVersion":"1.6",
          "metadata":{"component":{"bom-ref":"product-ABC","name":"ABC","version":"4.2"}},
          "components":[{"bom-ref":"c1","name":"lib","version":"1","purl":"pkg:npm/lib@1"}],
          "vulnerabilities":[
            {"id":"CVE-1","ratings":[{"severity":"none","score":0,"method":"CVSSv31"}],
             "affects":[{"ref":"product-ABC"}],
             "analysis":{"state":"not_affected","justification":"code_not_reachable"}},
            {"id":"CVE-2","ratings":[{"score":9.1,"method":"CVSSv3"},{"score":0.5,"method":"other"}],
             "references":[{"id":"GHSA-2"}],
             "affects":[{"ref":"c1","versions":[{"version":"2","status":"unaffected"}]},{"ref":"pkg:npm/other@3"}]},
            {"id":"CVE-3","analysis":{"state":"exploitable"}}]}"#;
        let doc: Document<'_> = serde_json::from_str(text).unwrap();
        let found = findings(doc, 0);
        assert_eq!(found.len(), 4);
        assert_eq!(found[0].package.as_ref().unwrap().name, "ABC");
        assert_eq!(found[0].severity, VulnSeverity::Negligible);
        assert_eq!(
            found[0]
                .suppressed
                .as_ref()
                .unwrap()
                .justification
                .as_deref(),
            Some("code_not_reachable")
        );
        assert_eq!(found[1].severity, VulnSeverity::Critical);
        assert_eq!(found[1].cvss, Some(9.1));
        assert_eq!(found[1].fixed_in, ["2"]);
        assert_eq!(found[1].aliases, ["GHSA-2"]);
        assert_eq!(
            found[2].package.as_ref().unwrap().purl.as_deref(),
            Some("pkg:npm/other@3")
        );
        assert!(found[3].package.is_none() && found[3].suppressed.is_none());
    }
}
