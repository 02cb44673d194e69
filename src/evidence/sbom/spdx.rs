//! SPDX 2.2/2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>), packages only.
//!
//! Read: `packages[]` — `name`, `versionInfo`, the purl from `externalRefs[]` with
//! `referenceType: purl` (category `PACKAGE-MANAGER`, also spelled `PACKAGE_MANAGER`),
//! `licenseConcluded`, falling back to `licenseDeclared` when it is `NOASSERTION` or absent
//! (both are SPDX expressions already; `NONE` means no license), `primaryPackagePurpose`
//! lowercased as the type. Packages the document describes (`documentDescribes`, or a
//! `DESCRIBES` relationship from the document) become [`crate::evidence::Sbom::describes`]
//! rather than components — as CycloneDX's `metadata.component` does — and their `SHA256`
//! checksums and purl digests are compared with the subject. `creationInfo.creators` names the
//! generator (the first `Tool:`).
//!
//! What we ignore (and why): `files[]` and `snippets[]` (they are not packages; syft lists
//! every file of an image), other relationships, annotations, and
//! `hasExtractedLicensingInfos` (the `LicenseRef-` texts) — all stay in `raw`.

use std::borrow::Cow;
use std::collections::HashSet;

use serde::Deserialize;

use super::SbomPart;
use crate::evidence::binding::SubjectClaim;
use crate::evidence::model::Component;

/// An SPDX document (only the parts we read).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document<'a> {
    #[serde(borrow)]
    spdx_version: Cow<'a, str>,
    #[serde(borrow, default, rename = "SPDXID")]
    spdx_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    creation_info: Option<CreationInfo<'a>>,
    #[serde(borrow, default)]
    packages: Option<Vec<Package<'a>>>,
    #[serde(borrow, default)]
    document_describes: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    relationships: Option<Vec<Relationship<'a>>>,
}

#[derive(Debug, Deserialize)]
struct CreationInfo<'a> {
    #[serde(borrow, default)]
    creators: Vec<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Package<'a> {
    #[serde(borrow, default, rename = "SPDXID")]
    spdx_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    version_info: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    license_concluded: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    license_declared: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    external_refs: Option<Vec<ExternalRef<'a>>>,
    #[serde(borrow, default)]
    checksums: Option<Vec<Checksum<'a>>>,
    #[serde(borrow, default)]
    primary_package_purpose: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef<'a> {
    #[serde(borrow, default)]
    reference_category: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reference_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reference_locator: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Checksum<'a> {
    #[serde(borrow)]
    algorithm: Cow<'a, str>,
    #[serde(borrow)]
    checksum_value: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Relationship<'a> {
    #[serde(borrow, default)]
    spdx_element_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    relationship_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    related_spdx_element: Option<Cow<'a, str>>,
}

/// Turns an SPDX document into the SBOM part of the evidence.
pub(crate) fn read(doc: Document<'_>) -> SbomPart {
    let document_id = doc.spdx_id.as_deref().unwrap_or("SPDXRef-DOCUMENT");
    let mut described: HashSet<&str> = doc
        .document_describes
        .iter()
        .flatten()
        .map(|id| id.as_ref())
        .collect();
    for relationship in doc.relationships.iter().flatten() {
        if relationship.relationship_type.as_deref() == Some("DESCRIBES")
            && relationship.spdx_element_id.as_deref() == Some(document_id)
            && let Some(related) = relationship.related_spdx_element.as_deref()
        {
            described.insert(related);
        }
    }
    let mut components = Vec::new();
    let mut describes = Vec::new();
    let mut subject = SubjectClaim::default();
    for package in doc.packages.iter().flatten() {
        let converted = component(package);
        if package
            .spdx_id
            .as_deref()
            .is_some_and(|id| described.contains(id))
        {
            for checksum in package.checksums.iter().flatten() {
                if checksum.algorithm.eq_ignore_ascii_case("SHA256") {
                    subject.examined_hex(&checksum.checksum_value);
                }
            }
            if let Some(purl) = converted.purl.as_deref() {
                subject.examined_in(purl);
            }
            describes.push(converted);
        } else {
            components.push(converted);
        }
    }
    let generator = doc.creation_info.and_then(|info| {
        info.creators
            .iter()
            .find_map(|c| c.strip_prefix("Tool:").map(|t| t.trim().to_owned()))
    });
    SbomPart {
        format: "spdx",
        spec_version: doc.spdx_version.into_owned(),
        generator,
        components,
        describes,
        subject,
    }
}

fn component(package: &Package<'_>) -> Component {
    let purl = package
        .external_refs
        .iter()
        .flatten()
        .find(|r| {
            r.reference_type.as_deref() == Some("purl")
                && r.reference_category
                    .as_deref()
                    .is_none_or(|c| c.replace('_', "-") == "PACKAGE-MANAGER")
        })
        .and_then(|r| r.reference_locator.as_deref())
        .map(str::to_owned);
    let is_expression =
        |l: &&Cow<'_, str>| !l.is_empty() && l.as_ref() != "NOASSERTION" && l.as_ref() != "NONE";
    let license = package
        .license_concluded
        .as_ref()
        .filter(|l| l.as_ref() != "NOASSERTION")
        .or(package.license_declared.as_ref())
        .filter(is_expression);
    Component {
        name: package.name.as_deref().unwrap_or_default().to_owned(),
        version: package.version_info.as_deref().map(str::to_owned),
        purl,
        licenses: license.map(|l| vec![l.to_string()]).unwrap_or_default(),
        kind: package
            .primary_package_purpose
            .as_deref()
            .map(|p| p.to_ascii_lowercase().replace('_', "-")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn described_packages_are_not_components() {
        let hex = "c".repeat(64);
        let text = format!(
            r#"{{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT",
            "creationInfo":{{"creators":["Organization: x","Tool: syft-1.6.0"]}},
            "packages":[
              {{"SPDXID":"SPDXRef-root","name":"img","checksums":[{{"algorithm":"SHA256","checksumValue":"{hex}"}}]}},
              {{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1","licenseConcluded":"NOASSERTION",
                "licenseDeclared":"MIT OR Apache-2.0","primaryPackagePurpose":"LIBRARY",
                "externalRefs":[{{"referenceCategory":"PACKAGE_MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/a@1"}}]}},
              {{"SPDXID":"SPDXRef-b","name":"b","licenseConcluded":"NONE"}}],
            "relationships":[{{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-root"}}]}}"#
        );
        let doc: Document<'_> = serde_json::from_str(&text).unwrap();
        let part = read(doc);
        assert_eq!(part.components.len(), 2);
        assert_eq!(part.describes[0].name, "img");
        assert_eq!(part.subject.examined, [hex]);
        let a = &part.components[0];
        assert_eq!(a.licenses, ["MIT OR Apache-2.0"]);
        assert_eq!(a.purl.as_deref(), Some("pkg:npm/a@1"));
        assert_eq!(a.kind.as_deref(), Some("library"));
        assert!(part.components[1].licenses.is_empty());
        assert_eq!(part.generator.as_deref(), Some("syft-1.6.0"));
    }
}
