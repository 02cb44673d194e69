//! Scanner findings: one reader per scanner format, and the [`VulnSet`] that merges them.
//!
//! Each reader (`grype`, `trivy`, `sarif`, `openvex`, `cyclonedx_vex`) turns one document into
//! [`Vulnerability`] values with a normalised [`VulnSeverity`]; [`VulnSet`] deduplicates them
//! across scanners by (id or alias, package) and applies VEX statements by the same key, since a
//! VEX statement is read as a (usually suppressed) finding about the same (id, package).
//!
//! Merging two findings keeps the most severe known severity and the highest CVSS score, unions
//! aliases, fixed-in versions and sources, and keeps a suppression if either side has one.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use std::collections::HashMap;

use super::model::{VulnSeverity, Vulnerability};

pub mod cyclonedx_vex;
pub mod grype;
pub mod openvex;
pub mod sarif;
pub mod trivy;

/// Normalises a scanner's severity word. Case does not matter; `moderate` (GitHub) is medium;
/// `none` and `info` (CycloneDX ratings) are negligible; anything else is unknown.
pub fn severity_from_label(label: &str) -> VulnSeverity {
    match label.trim().to_ascii_lowercase().as_str() {
        "critical" => VulnSeverity::Critical,
        "high" | "important" => VulnSeverity::High,
        "medium" | "moderate" => VulnSeverity::Medium,
        "low" => VulnSeverity::Low,
        "negligible" | "none" | "info" | "informational" => VulnSeverity::Negligible,
        _ => VulnSeverity::Unknown,
    }
}

/// The CVSS v3 qualitative rating of a base score (CVSS v3.1 spec, section 5): 0.0 is none
/// (negligible), 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10.0 critical.
pub fn severity_from_score(score: f64) -> VulnSeverity {
    if !score.is_finite() || score < 0.0 {
        VulnSeverity::Unknown
    } else if score >= 9.0 {
        VulnSeverity::Critical
    } else if score >= 7.0 {
        VulnSeverity::High
    } else if score >= 4.0 {
        VulnSeverity::Medium
    } else if score > 0.0 {
        VulnSeverity::Low
    } else {
        VulnSeverity::Negligible
    }
}

/// How severe, for merging: higher is more severe, and unknown loses to any known severity.
fn rank(severity: VulnSeverity) -> u8 {
    match severity {
        VulnSeverity::Critical => 5,
        VulnSeverity::High => 4,
        VulnSeverity::Medium => 3,
        VulnSeverity::Low => 2,
        VulnSeverity::Negligible => 1,
        VulnSeverity::Unknown => 0,
    }
}

/// The more severe of two severities (unknown only when both are).
pub fn worst(a: VulnSeverity, b: VulnSeverity) -> VulnSeverity {
    if rank(b) > rank(a) { b } else { a }
}

/// The larger of two optional scores.
pub(crate) fn max_score(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// A purl reduced to what identifies the package: qualifiers (`?arch=...`) and subpath are
/// dropped, percent-escapes decoded, and the type lowercased, so that `pkg:deb/debian/bash@5.0-4?arch=amd64`
/// from one scanner meets `pkg:deb/debian/bash@5.0-4` from a VEX document.
pub fn purl_key(purl: &str) -> String {
    let end = purl.find(['?', '#']).unwrap_or(purl.len());
    let base = purl.get(..end).unwrap_or(purl);
    let decoded = percent_decode(base);
    match decoded.split_once('/') {
        Some((scheme_type, rest)) => format!("{}/{rest}", scheme_type.to_ascii_lowercase()),
        None => decoded,
    }
}

pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(byte);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What identifies "the same package" for deduplication.
fn package_key(vuln: &Vulnerability) -> String {
    if let Some(package) = &vuln.package {
        if let Some(purl) = package.purl.as_deref().filter(|p| !p.is_empty()) {
            return format!("purl:{}", purl_key(purl));
        }
        return format!(
            "pkg:{}@{}",
            package.name,
            package.version.as_deref().unwrap_or_default()
        );
    }
    // A finding with no package is kept; it only meets another at the same place, and one
    // with no place meets no other.
    // SARIF names the package only in its message, so the message's first line is part of
    // the place: Trivy reports two packages of one image at the same location.
    match &vuln.location {
        Some(location) => format!(
            "loc:{}:{}:{}",
            location.path,
            location.line.unwrap_or(0),
            vuln.title.as_deref().unwrap_or_default()
        ),
        None => String::new(),
    }
}

/// Findings from all scanners, deduplicated by (id or alias, package).
#[derive(Debug, Default)]
pub struct VulnSet {
    items: Vec<Vulnerability>,
    index: HashMap<(String, String), usize>,
}

impl VulnSet {
    /// Adds a finding, merging it into an earlier one with the same (id or alias, package).
    pub fn insert(&mut self, vuln: Vulnerability) {
        let package = package_key(&vuln);
        if package.is_empty() {
            // No package and no location: nothing says two such findings are the same one
            // (SARIF results of one rule without locations are distinct results).
            self.items.push(vuln);
            return;
        }
        let ids: Vec<String> = std::iter::once(&vuln.id)
            .chain(&vuln.aliases)
            .map(|id| id.to_ascii_uppercase())
            .collect();
        let existing = ids
            .iter()
            .find_map(|id| self.index.get(&(id.clone(), package.clone())).copied());
        let slot = match existing.and_then(|i| self.items.get_mut(i).map(|item| (i, item))) {
            Some((i, item)) => {
                merge(item, vuln);
                i
            }
            None => {
                self.items.push(vuln);
                self.items.len() - 1
            }
        };
        for id in ids {
            self.index.entry((id, package.clone())).or_insert(slot);
        }
    }

    /// The findings, sorted by id, then package, then location, so output is deterministic.
    pub fn into_sorted(self) -> Vec<Vulnerability> {
        let mut items = self.items;
        sort_findings(&mut items);
        items
    }
}

/// Sorts findings by id, then package, then location, so output is deterministic.
pub(crate) fn sort_findings(items: &mut [Vulnerability]) {
    items.sort_by_cached_key(|v| (v.id.clone(), package_key(v), v.category));
}

fn merge(into: &mut Vulnerability, from: Vulnerability) {
    // Prefer a CVE id as the primary one: most policies and exceptions name CVEs.
    let (primary, other) = if !into.id.starts_with("CVE-") && from.id.starts_with("CVE-") {
        (from.id, std::mem::take(&mut into.id))
    } else {
        (std::mem::take(&mut into.id), from.id)
    };
    into.id = primary;
    for alias in std::iter::once(other).chain(from.aliases) {
        if !alias.eq_ignore_ascii_case(&into.id) && !into.aliases.contains(&alias) {
            into.aliases.push(alias);
        }
    }
    into.aliases.retain(|a| !a.eq_ignore_ascii_case(&into.id));
    into.severity = worst(into.severity, from.severity);
    into.cvss = max_score(into.cvss, from.cvss);
    match (&mut into.package, from.package) {
        (Some(package), Some(incoming)) => {
            if package.purl.is_none() {
                package.purl = incoming.purl;
            }
            if package.version.is_none() {
                package.version = incoming.version;
            }
        }
        (slot @ None, incoming) => *slot = incoming,
        (Some(_), None) => {}
    }
    extend_unique(&mut into.fixed_in, from.fixed_in);
    extend_unique(&mut into.source, from.source);
    extend_unique(&mut into.source_indexes, from.source_indexes);
    if into.suppressed.is_none() {
        into.suppressed = from.suppressed;
    }
    if into.title.is_none() {
        into.title = from.title;
    }
    if into.location.is_none() {
        into.location = from.location;
    }
    if into.level.is_none() {
        into.level = from.level;
    }
}

/// Appends the items of `from` that `into` lacks.
pub(crate) fn extend_unique<T: PartialEq>(into: &mut Vec<T>, from: Vec<T>) {
    for item in from {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

/// Splits a list of versions written as one string (`"1.2.3, 1.3.0"`).
pub(crate) fn split_versions(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::model::{PackageRef, Suppression};

    fn finding(id: &str, purl: &str, severity: VulnSeverity, source: &str) -> Vulnerability {
        Vulnerability {
            id: id.to_owned(),
            severity,
            package: Some(PackageRef {
                name: "bash".to_owned(),
                version: Some("5.0-4".to_owned()),
                purl: Some(purl.to_owned()),
            }),
            source: vec![source.to_owned()],
            ..Vulnerability::default()
        }
    }

    #[test]
    fn severity_labels_and_scores() {
        assert_eq!(severity_from_label("CRITICAL"), VulnSeverity::Critical);
        assert_eq!(severity_from_label("Moderate"), VulnSeverity::Medium);
        assert_eq!(severity_from_label("none"), VulnSeverity::Negligible);
        assert_eq!(severity_from_label("whatever"), VulnSeverity::Unknown);
        assert_eq!(severity_from_score(9.8), VulnSeverity::Critical);
        assert_eq!(severity_from_score(7.0), VulnSeverity::High);
        assert_eq!(severity_from_score(3.9), VulnSeverity::Low);
        assert_eq!(severity_from_score(0.0), VulnSeverity::Negligible);
        assert_eq!(
            worst(VulnSeverity::Unknown, VulnSeverity::Low),
            VulnSeverity::Low
        );
    }

    #[test]
    fn purl_key_drops_qualifiers_and_decodes() {
        assert_eq!(
            purl_key("pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible?type=module"),
            "pkg:golang/github.com/docker/distribution@v2.7.1+incompatible"
        );
        assert_eq!(
            purl_key("pkg:DEB/debian/bash@5.0-4#sub"),
            "pkg:deb/debian/bash@5.0-4"
        );
    }

    #[test]
    fn dedupes_across_scanners_by_alias_and_purl() {
        let mut set = VulnSet::default();
        set.insert(finding(
            "CVE-2019-18276",
            "pkg:deb/debian/bash@5.0-4?arch=amd64",
            VulnSeverity::Low,
            "trivy",
        ));
        let mut ghsa = finding(
            "GHSA-xxxx",
            "pkg:deb/debian/bash@5.0-4",
            VulnSeverity::High,
            "grype",
        );
        ghsa.aliases = vec!["CVE-2019-18276".to_owned()];
        set.insert(ghsa);
        let mut vex = finding(
            "cve-2019-18276",
            "pkg:deb/debian/bash@5.0-4",
            VulnSeverity::Unknown,
            "openvex",
        );
        vex.suppressed = Some(Suppression {
            state: "not_affected".to_owned(),
            ..Suppression::default()
        });
        set.insert(vex);
        // A different package is a different finding.
        set.insert(finding(
            "CVE-2019-18276",
            "pkg:deb/debian/bash@5.1",
            VulnSeverity::Low,
            "trivy",
        ));
        let items = set.into_sorted();
        assert_eq!(items.len(), 2);
        let merged = &items[0];
        assert_eq!(merged.id, "CVE-2019-18276");
        assert_eq!(merged.aliases, ["GHSA-xxxx"]);
        assert_eq!(merged.severity, VulnSeverity::High);
        assert_eq!(merged.source, ["trivy", "grype", "openvex"]);
        assert!(merged.suppressed.is_some());
    }

    #[test]
    fn findings_without_package_are_kept_apart_by_location() {
        let mut set = VulnSet::default();
        for line in [1, 2] {
            set.insert(Vulnerability {
                id: "aws-access-key-id".to_owned(),
                location: Some(crate::evidence::model::FindingLocation {
                    path: "deploy.sh".to_owned(),
                    line: Some(line),
                }),
                ..Vulnerability::default()
            });
        }
        set.insert(Vulnerability {
            id: "aws-access-key-id".to_owned(),
            ..Vulnerability::default()
        });
        set.insert(Vulnerability {
            id: "aws-access-key-id".to_owned(),
            ..Vulnerability::default()
        });
        assert_eq!(set.into_sorted().len(), 4);
    }
}
