//! CycloneDX JSON 1.4–1.7 (<https://cyclonedx.org/docs/1.7/json/>), the SBOM part.
//!
//! Read: `components[]`, nested `components` flattened depth-first (parents before children);
//! for each, `name`, `version`, `purl`, `type`, and `licenses[]` — `license.id` and
//! `expression` as written (SPDX ids and expressions), `license.name` as an SPDX
//! `LicenseRef-` (see [`super::license_ref`]). The components nested under
//! `metadata.component.components` (the parts of the described artifact, which some tools list
//! only there) are components too, after the top-level ones; one with a `bom-ref` already seen
//! is not repeated. `metadata.component` becomes
//! [`crate::evidence::Sbom::describes`], and its digests — `hashes[]` with `alg: SHA-256`, a
//! `sha256:` digest in its purl, its `version` when it is a container (syft writes the manifest
//! digest there), Trivy's `aquasecurity:trivy:RepoDigest` property — are compared with the
//! subject. `metadata.tools` (the 1.4 list or the 1.5+ object) names the generator.
//!
//! 1.7 is accepted on purpose: current Grype and Trivy write it, and what it changed in the
//! fields above is additive.
//!
//! What we ignore (and why): `group` (the purl carries it; names stay as the tool wrote them),
//! services, dependencies, compositions, formulation, and everything else — none of it is
//! normalised, all of it stays in `raw`. Vulnerabilities are read only when the document is
//! given as a scan (see [`crate::evidence::vulns::cyclonedx_vex`]).

use std::borrow::Cow;

use serde::Deserialize;

use super::{SbomPart, license_ref};
use crate::evidence::binding::SubjectClaim;
use crate::evidence::model::Component;

/// A CycloneDX BOM, the parts the SBOM reader needs.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document<'a> {
    #[serde(borrow)]
    spec_version: Cow<'a, str>,
    #[serde(borrow, default)]
    metadata: Option<Metadata<'a>>,
    #[serde(borrow, default)]
    components: Option<Vec<CdxComponent<'a>>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Metadata<'a> {
    #[serde(borrow, default)]
    pub component: Option<CdxComponent<'a>>,
    #[serde(borrow, default)]
    tools: Option<Tools<'a>>,
}

/// `metadata.tools`: a list of tools (1.4) or `{components, services}` (1.5+).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Tools<'a> {
    Legacy(#[serde(borrow)] Vec<Tool<'a>>),
    Modern {
        #[serde(borrow, default)]
        components: Vec<Tool<'a>>,
        #[serde(borrow, default)]
        services: Vec<Tool<'a>>,
    },
    /// Anything else: the generator is not worth refusing a document over.
    Other(serde::de::IgnoredAny),
}

#[derive(Debug, Deserialize)]
struct Tool<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    version: Option<Cow<'a, str>>,
}

/// One CycloneDX component, as written (shared with the VEX reader, which needs `bom-ref`).
#[derive(Debug, Deserialize)]
pub(crate) struct CdxComponent<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub purl: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "bom-ref")]
    pub bom_ref: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    licenses: Option<Vec<LicenseChoice<'a>>>,
    #[serde(borrow, default)]
    hashes: Option<Vec<Hash<'a>>>,
    #[serde(borrow, default)]
    properties: Option<Vec<Property<'a>>>,
    #[serde(borrow, default)]
    pub components: Option<Vec<CdxComponent<'a>>>,
}

#[derive(Debug, Deserialize)]
struct LicenseChoice<'a> {
    #[serde(borrow, default)]
    license: Option<License<'a>>,
    #[serde(borrow, default)]
    expression: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct License<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct Hash<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(borrow)]
    content: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
struct Property<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    value: Option<Cow<'a, str>>,
}

/// Turns a CycloneDX BOM into the SBOM part of the evidence.
pub(crate) fn read(doc: Document<'_>) -> SbomPart {
    let mut components = Vec::new();
    let mut refs = std::collections::HashSet::new();
    flatten(doc.components.unwrap_or_default(), &mut |c| {
        if let Some(bom_ref) = &c.bom_ref {
            refs.insert(bom_ref.to_string());
        }
        components.push(component(&c));
    });
    let (describes, subject, generator) = match doc.metadata {
        Some(mut metadata) => {
            let generator = metadata.tools.and_then(generator);
            // An AGPL library listed only under the described artifact is still in it
            // (issue #12).
            let parts = metadata
                .component
                .as_mut()
                .and_then(|subject| subject.components.take());
            flatten(parts.unwrap_or_default(), &mut |c| {
                let seen = c
                    .bom_ref
                    .as_ref()
                    .is_some_and(|bom_ref| !refs.insert(bom_ref.to_string()));
                if !seen {
                    components.push(component(&c));
                }
            });
            match metadata.component {
                Some(subject) => (
                    vec![component(&subject)],
                    subject_claim(&subject),
                    generator,
                ),
                None => (Vec::new(), SubjectClaim::default(), generator),
            }
        }
        None => (Vec::new(), SubjectClaim::default(), None),
    };
    SbomPart {
        format: "cyclonedx",
        spec_version: doc.spec_version.into_owned(),
        generator,
        components,
        describes,
        subject,
    }
}

/// Visits every component of a tree, parents before children, without recursion.
pub(crate) fn flatten<'a>(roots: Vec<CdxComponent<'a>>, visit: &mut impl FnMut(CdxComponent<'a>)) {
    let mut stack: Vec<CdxComponent<'a>> = roots.into_iter().rev().collect();
    while let Some(mut next) = stack.pop() {
        if let Some(children) = next.components.take() {
            stack.extend(children.into_iter().rev());
        }
        visit(next);
    }
}

fn component(c: &CdxComponent<'_>) -> Component {
    let licenses = c
        .licenses
        .iter()
        .flatten()
        .filter_map(|choice| match (&choice.expression, &choice.license) {
            (Some(expression), _) => Some(expression.to_string()),
            (None, Some(License { id: Some(id), .. })) => Some(id.to_string()),
            (
                None,
                Some(License {
                    name: Some(name), ..
                }),
            ) => Some(license_ref(name)),
            _ => None,
        })
        .collect();
    Component {
        name: c.name.as_deref().unwrap_or_default().to_owned(),
        version: c.version.as_deref().map(str::to_owned),
        purl: c
            .purl
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
        licenses,
        kind: c.kind.as_deref().map(str::to_owned),
    }
}

/// What a BOM says it describes, from `metadata.component`: its SHA-256 `hashes`, a digest in
/// its `purl` and, for a `container`, in its `version` (syft and Grype write the manifest digest
/// there) as examined; Trivy's `aquasecurity:trivy:RepoDigest` properties as referenced (the
/// registry digest the image was pulled by, an index for multi-platform images).
pub(crate) fn subject_claim(subject: &CdxComponent<'_>) -> SubjectClaim {
    let mut claim = SubjectClaim::default();
    for hash in subject.hashes.iter().flatten() {
        if hash.alg.eq_ignore_ascii_case("SHA-256") {
            claim.examined_hex(&hash.content);
        }
    }
    let is_container = subject.kind.as_deref() == Some("container");
    let examined = subject
        .purl
        .iter()
        .chain(subject.version.iter().filter(|_| is_container));
    for text in examined {
        claim.examined_in(text);
    }
    let repo_digests = subject
        .properties
        .iter()
        .flatten()
        .filter(|p| p.name.as_deref() == Some("aquasecurity:trivy:RepoDigest"))
        .filter_map(|p| p.value.as_ref());
    for text in repo_digests {
        claim.referenced_in(text);
    }
    claim
}

fn generator(tools: Tools<'_>) -> Option<String> {
    let tool = match tools {
        Tools::Legacy(list) => list.into_iter().next(),
        Tools::Modern {
            components,
            services,
        } => components.into_iter().chain(services).next(),
        Tools::Other(_) => None,
    }?;
    let name = tool.name?;
    Some(match tool.version {
        Some(version) => format!("{name} {version}"),
        None => name.into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_nested_components_and_normalises_licenses() {
        let hex = "b".repeat(64);
        let text = format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"1.6",
            "metadata":{{"tools":{{"components":[{{"name":"syft","version":"1.6.0"}}]}},
              "component":{{"type":"container","name":"app","version":"sha256:{hex}"}}}},
            "components":[{{"type":"library","name":"a","licenses":[{{"license":{{"id":"MIT"}}}}],
              "components":[{{"name":"a1","licenses":[{{"expression":"MIT OR Apache-2.0"}}],
                "components":[{{"name":"a11"}}]}}]}},
              {{"name":"b","purl":"","licenses":[{{"license":{{"name":"My License"}}}}]}}]}}"#
        );
        let doc: Document<'_> = serde_json::from_str(&text).unwrap();
        let part = read(doc);
        let names: Vec<_> = part.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "a1", "a11", "b"]);
        assert_eq!(part.components[0].licenses, ["MIT"]);
        assert_eq!(part.components[1].licenses, ["MIT OR Apache-2.0"]);
        assert_eq!(part.components[3].licenses, ["LicenseRef-My-License"]);
        assert_eq!(part.components[3].purl, None);
        assert_eq!(part.generator.as_deref(), Some("syft 1.6.0"));
        assert_eq!(part.subject.examined, [hex]);
        assert_eq!(part.describes[0].name, "app");
    }

    /// Regression for issue #12 point 7: components under `metadata.component.components`
    /// were not collected, so an AGPL library listed there went unseen.
    #[test]
    fn components_of_the_described_artifact_are_components() {
        let text = r#"{"bomFormat":"CycloneDX","specVersion":"1.6",
            "metadata":{"component":{"type":"application","name":"app","components":[
              {"bom-ref":"x","name":"agpl-lib","licenses":[{"license":{"id":"AGPL-3.0-only"}}],
               "components":[{"name":"inner"}]},
              {"bom-ref":"a","name":"a-again"}]}},
            "components":[{"bom-ref":"a","name":"a"}]}"#;
        let doc: Document<'_> = serde_json::from_str(text).unwrap();
        let part = read(doc);
        let names: Vec<_> = part.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "agpl-lib", "inner"]);
        assert_eq!(part.components[1].licenses, ["AGPL-3.0-only"]);
        assert_eq!(part.describes[0].name, "app");
    }
}
