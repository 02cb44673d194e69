//! OpenVEX (<https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md>), v0.0.x and v0.2.x.
//!
//! A statement is (products, vulnerability, status). Each product is matched against what is
//! being promoted ([`Target`]):
//!
//! - A product that **identifies the subject** — a `sha256` digest equal to the subject's (in
//!   a `pkg:oci`/`pkg:docker` purl's version or `checksum`/`digest` qualifier, an `@id` such
//!   as `registry/app@sha256:…`, or `hashes.sha-256`), or, for a product that carries no
//!   digest at all, an image purl or reference naming the subject's repository — applies to
//!   the findings in its `subcomponents`, or to every finding of the vulnerability in the
//!   subject when it lists none.
//! - A product with subcomponents that is **a component of the subject** (its purl is in the
//!   SBOM given with the scans) applies to the findings in those subcomponents.
//! - Any other product without subcomponents is **the package itself**: it applies to the
//!   findings in that package (`products: ["pkg:npm/z@1"]`, as vexctl writes them).
//! - Anything else — another image, another digest, a component the SBOM does not list — does
//!   not apply. A `not_affected` statement about an unrelated image never suppresses a finding
//!   in ours (issue #12).
//!
//! Time: a statement's time is its `last_updated`, else its `timestamp`, else the document's
//! `last_updated` or `timestamp`. The spec makes VEX a sequence of statements, each overriding
//! the earlier ones: for each finding, of the statements that apply to it, the latest wins
//! (later in the input on equal or missing times). Status `not_affected` and `fixed` suppress
//! the finding, with the `justification` (or `impact_statement`) kept; `affected` and
//! `under_investigation` leave it counted. A statement that matched no scanner finding is
//! kept as a finding of its own (suppressed or not), so the evidence still shows it.
//!
//! Both spellings are read: v0.0.x `vulnerability` as a string and `products` as a list of
//! strings, v0.2 both as objects.
//!
//! What we ignore (and why): `action_statement` and `author` (they do not change whether a
//! finding counts; they stay in `raw`); `cpe22`/`cpe23` identifiers (no scanner finding here
//! carries a CPE to match them with).

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::evidence::model::{
    Component as SbomComponent, PackageRef, Subject, Suppression, Vulnerability,
};

use super::purl_key;

/// The name written to [`Vulnerability::source`].
pub const SOURCE: &str = "openvex";

/// An OpenVEX document (only the parts we read).
#[derive(Debug, Deserialize)]
pub(crate) struct Document<'a> {
    #[serde(borrow, default)]
    statements: Option<Vec<Statement<'a>>>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    last_updated: Option<Cow<'a, str>>,
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
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    last_updated: Option<Cow<'a, str>>,
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
    hashes: Option<std::collections::BTreeMap<Cow<'a, str>, Cow<'a, str>>>,
    #[serde(borrow, default)]
    subcomponents: Vec<Component<'a>>,
}

#[derive(Debug, Deserialize)]
struct Identifiers<'a> {
    #[serde(borrow, default)]
    purl: Option<Cow<'a, str>>,
}

/// What a statement applies to, once its products are matched against the subject.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    /// Every finding of the vulnerability in the subject.
    Subject,
    /// The findings in one package.
    Package(PackageRef),
}

/// One statement as it applies here: the vulnerability, what it covers, and when it was made.
#[derive(Debug, Clone)]
pub(crate) struct VexStatement {
    id: String,
    aliases: Vec<String>,
    suppression: Option<Suppression>,
    time: Option<DateTime<Utc>>,
    /// Position in the input (document, then statement): the tie-breaker.
    order: (usize, usize),
    targets: Vec<Target>,
    source_index: usize,
}

/// Reads an OpenVEX document's statements as they apply to `subject`, whose components (from
/// the SBOMs given with the scans) are `components`.
pub(crate) fn statements(
    doc: Document<'_>,
    subject: &Subject,
    components: &[SbomComponent],
    source_index: usize,
) -> Vec<VexStatement> {
    let document_time = time(doc.last_updated.as_deref().or(doc.timestamp.as_deref()));
    let mut out = Vec::new();
    for (position, statement) in doc.statements.unwrap_or_default().into_iter().enumerate() {
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
        let suppression =
            matches!(statement.status.as_ref(), "not_affected" | "fixed").then(|| Suppression {
                state: statement.status.to_string(),
                justification: statement
                    .justification
                    .as_deref()
                    .or(statement.impact_statement.as_deref())
                    .map(str::to_owned),
                source: Some(SOURCE.to_owned()),
            });
        let mut targets = Vec::new();
        for product in statement.products.iter().flatten() {
            let named;
            let product = match product {
                Product::Object(component) => component,
                Product::Id(id) => {
                    named = Component {
                        id: Some(Cow::Borrowed(id.as_ref())),
                        identifiers: None,
                        hashes: None,
                        subcomponents: Vec::new(),
                    };
                    &named
                }
            };
            product_targets(product, subject, components, &mut targets);
        }
        if targets.is_empty() {
            tracing::debug!(vulnerability = %id, "an OpenVEX statement about another product does not apply");
            continue;
        }
        let statement_time = time(
            statement
                .last_updated
                .as_deref()
                .or(statement.timestamp.as_deref()),
        );
        out.push(VexStatement {
            id,
            aliases,
            suppression,
            time: statement_time.or(document_time),
            order: (source_index, position),
            targets,
            source_index,
        });
    }
    out
}

/// What one product of a statement covers here (see the module documentation).
fn product_targets(
    product: &Component<'_>,
    subject: &Subject,
    components: &[SbomComponent],
    out: &mut Vec<Target>,
) {
    if identifies_subject(product, subject) {
        if product.subcomponents.is_empty() {
            out.push(Target::Subject);
        } else {
            out.extend(
                product
                    .subcomponents
                    .iter()
                    .filter_map(component_package)
                    .map(Target::Package),
            );
        }
        return;
    }
    let Some(package) = component_package(product) else {
        return;
    };
    if product.subcomponents.is_empty() {
        out.push(Target::Package(package));
    } else if in_sbom(&package, components) {
        out.extend(
            product
                .subcomponents
                .iter()
                .filter_map(component_package)
                .map(Target::Package),
        );
    }
}

/// Whether a product names the artifact being promoted: by digest when it carries one, else
/// by repository name when it is an image purl or reference.
fn identifies_subject(product: &Component<'_>, subject: &Subject) -> bool {
    let purl = product.identifiers.as_ref().and_then(|i| i.purl.as_deref());
    let names: Vec<&str> = product.id.as_deref().into_iter().chain(purl).collect();
    let mut digests: Vec<String> = names.iter().filter_map(|name| sha256_in(name)).collect();
    for (algorithm, value) in product.hashes.iter().flatten() {
        if matches!(
            algorithm.to_ascii_lowercase().as_str(),
            "sha-256" | "sha256"
        ) {
            digests.push(value.to_ascii_lowercase());
        }
    }
    let want = subject.digest.sha256.to_ascii_lowercase();
    if !digests.is_empty() {
        return digests.contains(&want);
    }
    let repository = image_repository(&subject.name);
    !repository.is_empty() && names.iter().any(|name| names_repository(name, &repository))
}

/// The hex of a `sha256:<hex>` (or `sha256%3A<hex>`) inside an identifier.
fn sha256_in(name: &str) -> Option<String> {
    let decoded = super::percent_decode(name);
    let at = decoded.find("sha256:")?;
    let hex: String = decoded
        .get(at + "sha256:".len()..)?
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (hex.len() == 64).then(|| hex.to_ascii_lowercase())
}

/// `registry/team/app` from `registry/team/app:tag@sha256:…`, lowercased.
fn image_repository(reference: &str) -> String {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let without_tag = match without_digest
        .get(last_slash..)
        .and_then(|last| last.find(':'))
    {
        Some(colon) => without_digest
            .get(..last_slash + colon)
            .unwrap_or(without_digest),
        None => without_digest,
    };
    without_tag.to_ascii_lowercase()
}

/// Whether a digest-less product identifier names `repository`: an image reference equal to
/// it, a `pkg:oci` purl whose `repository_url` is it (or, without one, whose name is its last
/// segment), or a `pkg:docker` purl whose path ends it.
fn names_repository(name: &str, repository: &str) -> bool {
    let Some(rest) = name.strip_prefix("pkg:") else {
        return image_repository(name) == repository;
    };
    let (kind, rest) = rest.split_once('/').unwrap_or((rest, ""));
    let (path, qualifiers) = rest.split_once('?').unwrap_or((rest, ""));
    let path = super::percent_decode(path.split('@').next().unwrap_or(path)).to_ascii_lowercase();
    let last = repository.rsplit('/').next().unwrap_or(repository);
    match kind.to_ascii_lowercase().as_str() {
        "oci" => {
            let url = qualifiers
                .split('&')
                .find_map(|q| q.strip_prefix("repository_url="))
                .map(|url| super::percent_decode(url).to_ascii_lowercase());
            match url {
                Some(url) => url == repository,
                None => path == last,
            }
        }
        "docker" => repository == path || repository.ends_with(&format!("/{path}")),
        _ => false,
    }
}

/// Whether the SBOM lists `package` (by purl; a product purl without a version matches any
/// version).
fn in_sbom(package: &PackageRef, components: &[SbomComponent]) -> bool {
    let Some(purl) = package.purl.as_deref() else {
        return false;
    };
    let want = purl_key(purl);
    components
        .iter()
        .filter_map(|c| c.purl.as_deref())
        .any(|have| {
            let have = purl_key(have);
            have == want
                || (package.version.is_none() && have.split('@').next() == Some(want.as_str()))
        })
}

fn time(text: Option<&str>) -> Option<DateTime<Utc>> {
    crate::time::parse_rfc3339(text?).ok()
}

/// Applies the statements to the scanners' findings: for each finding, the latest statement
/// that covers it decides whether it is suppressed. Statements that cover no finding become
/// findings of their own (one per package, or one without a package for the whole subject).
pub(crate) fn apply(findings: &mut Vec<Vulnerability>, statements: &[VexStatement]) {
    let mut used = vec![false; statements.len()];
    for finding in findings.iter_mut() {
        let mut latest: Option<&VexStatement> = None;
        for (index, statement) in statements.iter().enumerate() {
            let applies = same_vulnerability(statement, finding)
                && statement
                    .targets
                    .iter()
                    .any(|target| covers(target, finding));
            if !applies {
                continue;
            }
            // Overridden or not, it met its finding: it is not a finding of its own.
            if let Some(flag) = used.get_mut(index) {
                *flag = true;
            }
            if latest.is_none_or(|current| later(statement, current).is_ge()) {
                latest = Some(statement);
            }
        }
        let Some(statement) = latest else {
            continue;
        };
        if let Some(suppression) = &statement.suppression {
            finding.suppressed = Some(suppression.clone());
        } else if finding
            .suppressed
            .as_ref()
            .is_some_and(|s| s.source.as_deref() == Some(SOURCE))
        {
            finding.suppressed = None;
        }
        super::extend_unique(&mut finding.source, vec![SOURCE.to_owned()]);
        super::extend_unique(&mut finding.source_indexes, vec![statement.source_index]);
    }
    // Statements that met no scanner finding: the latest per (vulnerability, target) stays
    // visible as a finding of its own.
    let mut own: Vec<(&VexStatement, &Target)> = Vec::new();
    for (statement, _) in statements.iter().zip(&used).filter(|(_, used)| !**used) {
        for target in &statement.targets {
            let same = own.iter_mut().find(|(other, other_target)| {
                other.id.eq_ignore_ascii_case(&statement.id) && *other_target == target
            });
            match same {
                Some(slot) if later(statement, slot.0).is_gt() => *slot = (statement, target),
                Some(_) => {}
                None => own.push((statement, target)),
            }
        }
    }
    for (statement, target) in own {
        findings.push(Vulnerability {
            id: statement.id.clone(),
            aliases: statement.aliases.clone(),
            package: match target {
                Target::Subject => None,
                Target::Package(package) => Some(package.clone()),
            },
            suppressed: statement.suppression.clone(),
            source: vec![SOURCE.to_owned()],
            source_indexes: vec![statement.source_index],
            ..Vulnerability::default()
        });
    }
}

/// Which of two statements is the later: by time when both have one, else by position.
fn later(a: &VexStatement, b: &VexStatement) -> std::cmp::Ordering {
    match (a.time, b.time) {
        (Some(x), Some(y)) if x != y => x.cmp(&y),
        _ => a.order.cmp(&b.order),
    }
}

fn same_vulnerability(statement: &VexStatement, finding: &Vulnerability) -> bool {
    let ids = || std::iter::once(&statement.id).chain(&statement.aliases);
    std::iter::once(&finding.id)
        .chain(&finding.aliases)
        .any(|have| ids().any(|want| want.eq_ignore_ascii_case(have)))
}

fn covers(target: &Target, finding: &Vulnerability) -> bool {
    match target {
        Target::Subject => true,
        Target::Package(package) => finding
            .package
            .as_ref()
            .is_some_and(|have| same_package(package, have)),
    }
}

/// The same package: equal purls (qualifiers aside), else equal name and version.
fn same_package(want: &PackageRef, have: &PackageRef) -> bool {
    match (want.purl.as_deref(), have.purl.as_deref()) {
        (Some(a), Some(b)) => purl_key(a) == purl_key(b),
        _ => want.name == have.name && want.version == have.version,
    }
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
    use crate::evidence::model::Digest;

    const OURS: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const THEIRS: &str = "2222222222222222222222222222222222222222222222222222222222222222";

    fn subject() -> Subject {
        Subject {
            name: "registry.example.com/team/app".to_owned(),
            digest: Digest {
                sha256: OURS.to_owned(),
                other: Default::default(),
            },
        }
    }

    fn scanner_finding(id: &str, purl: &str) -> Vulnerability {
        Vulnerability {
            id: id.to_owned(),
            package: package(None, Some(purl)),
            source: vec!["grype".to_owned()],
            ..Vulnerability::default()
        }
    }

    fn read(text: &str, components: &[SbomComponent]) -> Vec<VexStatement> {
        let doc: Document<'_> = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
        statements(doc, &subject(), components, 1)
    }

    #[test]
    fn reads_v0_2_and_v0_0_statements() {
        let text = format!(
            r#"{{"@context":"https://openvex.dev/ns/v0.2.0","statements":[
          {{"vulnerability":{{"name":"CVE-1","aliases":["GHSA-1"]}},
           "products":[{{"@id":"pkg:oci/app@sha256%3A{OURS}",
             "subcomponents":[{{"@id":"pkg:golang/x@v1.0.0"}},{{"identifiers":{{"purl":"pkg:golang/y@v2"}}}}]}}],
           "status":"not_affected","justification":"vulnerable_code_not_present"}},
          {{"vulnerability":"CVE-2","products":["pkg:npm/z@1"],"status":"affected"}}]}}"#
        );
        let mut found = Vec::new();
        apply(&mut found, &read(&text, &[]));
        assert_eq!(found.len(), 3);
        assert_eq!(
            found[0].package.as_ref().map(|p| p.name.as_str()),
            Some("x")
        );
        assert_eq!(
            found[1].package.as_ref().and_then(|p| p.version.as_deref()),
            Some("v2")
        );
        assert_eq!(
            found[0]
                .suppressed
                .as_ref()
                .and_then(|s| s.justification.as_deref()),
            Some("vulnerable_code_not_present")
        );
        assert!(found[2].suppressed.is_none());
        assert_eq!(found[0].aliases, ["GHSA-1"]);
    }

    /// Regression for issue #12 point 3: a `not_affected` statement about an unrelated image
    /// suppressed the finding in ours.
    #[test]
    fn statements_about_other_products_do_not_apply() {
        let text = format!(
            r#"{{"statements":[
          {{"vulnerability":{{"name":"CVE-1"}},
            "products":[{{"@id":"pkg:oci/app@sha256%3A{THEIRS}","subcomponents":[{{"@id":"pkg:npm/x@1"}}]}}],
            "status":"not_affected","justification":"component_not_present"}},
          {{"vulnerability":{{"name":"CVE-1"}},
            "products":[{{"@id":"registry.example.com/other@sha256:{THEIRS}"}}],
            "status":"not_affected"}},
          {{"vulnerability":{{"name":"CVE-1"}},
            "products":[{{"@id":"pkg:oci/other","identifiers":{{"purl":"pkg:oci/other"}}}}],
            "status":"not_affected"}},
          {{"vulnerability":{{"name":"CVE-1"}},
            "products":[{{"@id":"pkg:npm/parent@2","subcomponents":[{{"@id":"pkg:npm/x@1"}}]}}],
            "status":"not_affected"}}]}}"#
        );
        let statements = read(&text, &[]);
        let mut found = vec![scanner_finding("CVE-1", "pkg:npm/x@1")];
        apply(&mut found, &statements);
        assert!(found[0].suppressed.is_none(), "{found:?}");
        // The same parent listed in the SBOM makes its subcomponent statement apply.
        let parent = SbomComponent {
            name: "parent".to_owned(),
            purl: Some("pkg:npm/parent@2".to_owned()),
            ..SbomComponent::default()
        };
        let mut found = vec![scanner_finding("CVE-1", "pkg:npm/x@1")];
        apply(&mut found, &read(&text, &[parent]));
        assert!(found[0].suppressed.is_some());
    }

    #[test]
    fn statements_about_the_subject_match_by_digest_hash_or_repository() {
        for product in [
            format!(
                r#"{{"@id":"pkg:oci/app@sha256%3A{OURS}?repository_url=registry.example.com/team/app"}}"#
            ),
            format!(r#"{{"@id":"registry.example.com/team/app@sha256:{OURS}"}}"#),
            format!(r#"{{"@id":"https://example.com/vex/app","hashes":{{"sha-256":"{OURS}"}}}}"#),
            r#"{"@id":"pkg:oci/app?repository_url=registry.example.com%2Fteam%2Fapp"}"#.to_owned(),
            r#"{"@id":"registry.example.com/team/app:v1"}"#.to_owned(),
        ] {
            let text = format!(
                r#"{{"statements":[{{"vulnerability":"CVE-1","products":[{product}],"status":"fixed"}}]}}"#
            );
            let mut found = vec![scanner_finding("CVE-1", "pkg:npm/x@1")];
            apply(&mut found, &read(&text, &[]));
            assert_eq!(found.len(), 1, "{product}");
            assert_eq!(
                found[0].suppressed.as_ref().map(|s| s.state.as_str()),
                Some("fixed"),
                "{product}"
            );
        }
    }

    #[test]
    fn the_latest_statement_wins() {
        let text = format!(
            r#"{{"timestamp":"2026-01-01T00:00:00Z","statements":[
          {{"vulnerability":"CVE-1","products":["pkg:oci/app@sha256%3A{OURS}"],"status":"affected",
            "timestamp":"2026-03-01T00:00:00Z"}},
          {{"vulnerability":"CVE-1","products":["pkg:npm/x@1"],"status":"not_affected",
            "justification":"inline_mitigations_already_exist","timestamp":"2026-02-01T00:00:00Z"}},
          {{"vulnerability":"CVE-2","products":["pkg:npm/x@1"],"status":"not_affected",
            "timestamp":"2026-02-01T00:00:00Z"}},
          {{"vulnerability":"CVE-2","products":["pkg:npm/x@1"],"status":"under_investigation",
            "last_updated":"2026-04-01T00:00:00Z"}},
          {{"vulnerability":"CVE-3","products":["pkg:npm/x@1"],"status":"affected"}},
          {{"vulnerability":"CVE-3","products":["pkg:npm/x@1"],"status":"not_affected"}}]}}"#
        );
        let mut found = vec![
            scanner_finding("CVE-1", "pkg:npm/x@1"),
            scanner_finding("CVE-2", "pkg:npm/x@1"),
            scanner_finding("CVE-3", "pkg:npm/x@1"),
        ];
        apply(&mut found, &read(&text, &[]));
        assert_eq!(found.len(), 3);
        assert!(
            found[0].suppressed.is_none(),
            "affected in March beats February's not_affected"
        );
        assert!(
            found[1].suppressed.is_none(),
            "under_investigation updated later"
        );
        assert!(
            found[2].suppressed.is_some(),
            "same time: the later statement"
        );
    }
}
