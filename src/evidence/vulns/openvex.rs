//! OpenVEX (<https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md>), v0.0.x and v0.2.x.
//!
//! Each statement becomes one finding per affected package: the product's subcomponents when it
//! lists any, else the product itself. The package is the `identifiers.purl` or an `@id` that is
//! a purl. Status `not_affected` and `fixed` make the finding suppressed, with the
//! `justification` (or `impact_statement`) kept; `affected` and `under_investigation` make an
//! ordinary finding (the author says the product may be vulnerable). Through
//! [`super::VulnSet`] a statement merges with a scanner's finding for the same (id or alias,
//! package), which is how VEX is applied.
//!
//! Both spellings are read: v0.0.x `vulnerability` as a string and `products` as a list of
//! strings, v0.2 both as objects.
//!
//! The subject ([`subject_claim`]): a digest in a product's `@id` or `identifiers.purl` (an
//! image's `pkg:oci/app@sha256%3AHEX`); a document whose products name none is about no
//! particular artifact.
//!
//! What we ignore (and why): `action_statement`, timestamps and `author` (they do not change
//! whether a finding counts; they stay in `raw`). A newer statement does not override an older
//! one about the same finding: the first suppression read wins.

use std::borrow::Cow;

use serde::Deserialize;

use crate::evidence::binding::SubjectClaim;
use crate::evidence::model::{PackageRef, Suppression, Vulnerability};

/// The name written to [`Vulnerability::source`].
pub const SOURCE: &str = "openvex";

/// An OpenVEX document (only the parts we read).
#[derive(Debug, Deserialize)]
pub(crate) struct Document<'a> {
    #[serde(borrow, default)]
    statements: Option<Vec<Statement<'a>>>,
}

#[derive(Debug, Deserialize)]
struct Statement<'a> {
    #[serde(borrow)]
    vulnerability: VulnerabilityRef<'a>,
    #[serde(borrow, default)]
    products: Option<Vec<Product<'a>>>,
    #[serde(borrow)]
    status: Cow<'a, str>,
    #[serde(borrow, default)]
    justification: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    impact_statement: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum VulnerabilityRef<'a> {
    Name(#[serde(borrow)] Cow<'a, str>),
    Object {
        #[serde(borrow, default)]
        name: Option<Cow<'a, str>>,
        #[serde(borrow, default, rename = "@id")]
        id: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        aliases: Vec<Cow<'a, str>>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Product<'a> {
    Id(#[serde(borrow)] Cow<'a, str>),
    Object(#[serde(borrow)] Component<'a>),
}

#[derive(Debug, Deserialize)]
struct Component<'a> {
    #[serde(borrow, default, rename = "@id")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    identifiers: Option<Identifiers<'a>>,
    #[serde(borrow, default)]
    subcomponents: Vec<Component<'a>>,
}

#[derive(Debug, Deserialize)]
struct Identifiers<'a> {
    #[serde(borrow, default)]
    purl: Option<Cow<'a, str>>,
}

/// The artifacts the document's products name by digest.
pub(crate) fn subject_claim(doc: &Document<'_>) -> SubjectClaim {
    let mut claim = SubjectClaim::default();
    let products = doc
        .statements
        .iter()
        .flatten()
        .flat_map(|s| s.products.iter().flatten());
    for product in products {
        match product {
            Product::Id(id) => claim.referenced_in(id),
            Product::Object(component) => {
                let names = component
                    .id
                    .iter()
                    .chain(component.identifiers.as_ref().and_then(|i| i.purl.as_ref()));
                for name in names {
                    claim.referenced_in(name);
                }
            }
        }
    }
    claim
}

/// Turns an OpenVEX document into findings (mostly suppressed ones).
pub(crate) fn findings(doc: Document<'_>, source_index: usize) -> Vec<Vulnerability> {
    let mut out = Vec::new();
    for statement in doc.statements.unwrap_or_default() {
        let (id, aliases) = match &statement.vulnerability {
            VulnerabilityRef::Name(name) => (name.to_string(), Vec::new()),
            VulnerabilityRef::Object { name, id, aliases } => (
                name.as_deref()
                    .or(id.as_deref())
                    .unwrap_or_default()
                    .to_owned(),
                aliases.iter().map(|a| a.to_string()).collect(),
            ),
        };
        let suppressed =
            matches!(statement.status.as_ref(), "not_affected" | "fixed").then(|| Suppression {
                state: statement.status.to_string(),
                justification: statement
                    .justification
                    .as_deref()
                    .or(statement.impact_statement.as_deref())
                    .map(str::to_owned),
                source: Some(SOURCE.to_owned()),
            });
        let mut packages: Vec<Option<PackageRef>> = Vec::new();
        for product in statement.products.iter().flatten() {
            match product {
                Product::Id(id) => packages.push(package(Some(id), None)),
                Product::Object(component) if component.subcomponents.is_empty() => {
                    packages.push(component_package(component));
                }
                Product::Object(component) => {
                    packages.extend(component.subcomponents.iter().map(component_package))
                }
            }
        }
        if packages.is_empty() {
            packages.push(None);
        }
        for package in packages {
            out.push(Vulnerability {
                id: id.clone(),
                aliases: aliases.clone(),
                package,
                suppressed: suppressed.clone(),
                source: vec![SOURCE.to_owned()],
                source_indexes: vec![source_index],
                ..Vulnerability::default()
            });
        }
    }
    out
}

fn component_package(component: &Component<'_>) -> Option<PackageRef> {
    package(
        component.id.as_deref(),
        component
            .identifiers
            .as_ref()
            .and_then(|i| i.purl.as_deref()),
    )
}

/// A package from an `@id` and a purl: the purl when there is one (or the `@id` is one).
fn package(id: Option<&str>, purl: Option<&str>) -> Option<PackageRef> {
    let purl = purl.or(id.filter(|i| i.starts_with("pkg:")))?;
    let name_version = purl
        .split(['?', '#'])
        .next()
        .unwrap_or(purl)
        .rsplit('/')
        .next()
        .unwrap_or(purl);
    let (name, version) = match name_version.split_once('@') {
        Some((name, version)) => (name, Some(version.to_owned())),
        None => (name_version, None),
    };
    Some(PackageRef {
        name: name.to_owned(),
        version,
        purl: Some(purl.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_v0_2_and_v0_0_statements() {
        let text = r#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[
          {"vulnerability":{"name":"CVE-1","aliases":["GHSA-1"]},
           "products":[{"@id":"pkg:oci/app@sha256%3Aab",
             "subcomponents":[{"@id":"pkg:golang/x@v1.0.0"},{"identifiers":{"purl":"pkg:golang/y@v2"}}]}],
           "status":"not_affected","justification":"vulnerable_code_not_present"},
          {"vulnerability":"CVE-2","products":["pkg:npm/z@1"],"status":"affected"}]}"#;
        let doc: Document<'_> = serde_json::from_str(text).unwrap();
        let found = findings(doc, 1);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].package.as_ref().unwrap().name, "x");
        assert_eq!(
            found[1].package.as_ref().unwrap().version.as_deref(),
            Some("v2")
        );
        assert_eq!(
            found[0]
                .suppressed
                .as_ref()
                .unwrap()
                .justification
                .as_deref(),
            Some("vulnerable_code_not_present")
        );
        assert!(found[2].suppressed.is_none());
        assert_eq!(found[0].aliases, ["GHSA-1"]);
    }
}
