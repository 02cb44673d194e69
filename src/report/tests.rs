//! Fixture decisions shared by the renderers' unit tests, and the snapshot tests that render
//! each fixture in every [`OutputFormat`] (`snapshots/*--format=<name>.snap`).
//!
//! The fixtures go through [`Decision::new`] like real decisions do, so they arrive sorted;
//! only the stagegate version is pinned, so a release does not churn the snapshots.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::{OutputFormat, RenderOptions, render};
use crate::decision::{
    AppliedWaiver, Decision, DecisionContext, Engine, Finding, RuleInfo, Severity, SourceLocation,
    WaivedFinding,
};
use crate::evidence::{Digest, Subject};

/// A message with every character some format must escape.
pub(super) const NASTY_MESSAGE: &str =
    "license <GPL-3.0> & \"AGPL\" isn't allowed\nsee: a,b 100% | done";

fn time(text: &str) -> DateTime<Utc> {
    text.parse().unwrap_or_default()
}

fn context(stage: &str) -> DecisionContext {
    DecisionContext {
        stage: stage.to_owned(),
        subject: Subject {
            name: "registry.example.com/shop/api".to_owned(),
            digest: Digest {
                sha256: "4f2a9c1e0b7d3a5f6e8c9b1d2a3f4e5c6b7a8d9e0f1a2b3c4d5e6f7a8b9c0d1e"
                    .to_owned(),
                other: BTreeMap::new(),
            },
        },
        promotion_id: "019a6b2e-7c4d-7e8f-9a0b-1c2d3e4f5a6b".to_owned(),
        evaluated_at: time("2026-11-03T09:15:00Z"),
        effective_time: time("2026-11-03T09:15:00Z"),
        policy_digest: "sha256:9d1c0e4b7a2f3e5d6c8b9a0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5"
            .to_owned(),
        evidence_digest: "sha256:5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"
            .to_owned(),
        fail_on_warn: false,
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn rule(
    id: &str,
    engine: Engine,
    source: Option<(&str, u32)>,
    severity: Severity,
    warning: bool,
) -> RuleInfo {
    RuleInfo {
        id: id.to_owned(),
        engine,
        source: source.map(|(file, line)| SourceLocation {
            file: file.to_owned(),
            line,
        }),
        title: None,
        description: None,
        severity,
        warning,
        metadata: Map::new(),
    }
}

fn finding(rule: &RuleInfo, message: &str) -> Finding {
    Finding {
        rule: rule.id.clone(),
        message: message.to_owned(),
        severity: rule.severity,
        source: rule.source.clone(),
        title: rule.title.clone(),
        details: Map::new(),
    }
}

/// The rules both fixtures evaluate, in no particular order ([`Decision::new`] sorts them).
fn rules() -> Vec<RuleInfo> {
    let mut vulns = rule(
        "supply.vulns.no_critical",
        Engine::Rego,
        Some(("policies/prod/vulns.rego", 12)),
        Severity::Critical,
        false,
    );
    vulns.title = Some("No critical vulnerabilities".to_owned());
    vulns.description =
        Some("Images with a critical CVE that has a fix must not reach production.".to_owned());
    vulns.metadata = object(json!({
        "custom": {"severity": "critical", "tags": ["vulnerabilities", "cve"]},
        "related_resources": [{"ref": "https://example.com/runbooks/cve"}]
    }));

    let mut licenses = rule(
        "supply.licenses.deny_copyleft",
        Engine::Rego,
        Some(("policies/prod/licenses.rego", 30)),
        Severity::High,
        false,
    );
    licenses.title = Some("No copyleft licenses".to_owned());

    let mut generator = rule(
        "supply.sbom.warn_old_generator",
        Engine::Rego,
        Some(("policies/prod/sbom.rego", 8)),
        Severity::Medium,
        true,
    );
    generator.title = Some("SBOM generator is current".to_owned());

    let mut tests = rule(
        "tests_passed",
        Engine::Cel,
        Some(("policies/prod/tests.cel.yaml", 7)),
        Severity::High,
        false,
    );
    tests.description = Some("Every test suite passed.".to_owned());

    let approvals = rule(
        "approvals_recorded",
        Engine::Cel,
        Some(("policies/prod/approvals.cel.yaml", 3)),
        Severity::Info,
        true,
    );
    vec![tests, vulns, approvals, generator, licenses]
}

fn find<'a>(rules: &'a [RuleInfo], id: &str) -> &'a RuleInfo {
    rules
        .iter()
        .find(|rule| rule.id == id)
        .unwrap_or_else(|| panic!("fixture rule {id}"))
}

/// A clean pass at `staging`: every rule evaluated, nothing found.
pub(super) fn passing() -> Decision {
    pin(Decision::new(context("staging"), rules(), vec![], vec![]))
}

/// A failure at `prod`: two rules with violations (one of them twice, with a message that
/// needs escaping everywhere), a built-in check that has no [`RuleInfo`] and no source, a
/// warning and an informational warning.
pub(super) fn failing() -> Decision {
    let rules = rules();
    let vulns = find(&rules, "supply.vulns.no_critical");
    let licenses = find(&rules, "supply.licenses.deny_copyleft");
    let generator = find(&rules, "supply.sbom.warn_old_generator");
    let approvals = find(&rules, "approvals_recorded");

    let mut cve = finding(
        vulns,
        "CVE-2026-0001 in openssl 3.0.1 is critical (fixed in 3.0.2)",
    );
    cve.details = object(json!({
        "cve": "CVE-2026-0001",
        "package": {"name": "openssl", "version": "3.0.1"},
        "fixedIn": ["3.0.2"]
    }));
    let violations = vec![
        finding(licenses, NASTY_MESSAGE),
        cve,
        finding(licenses, "libfoo 1.2 is GPL-2.0-only"),
        Finding {
            rule: "builtin.required_evidence".to_owned(),
            message: "evidence `approvals` is required at stage `prod` but was not collected"
                .to_owned(),
            severity: Severity::High,
            source: None,
            title: Some("Required evidence is present".to_owned()),
            details: Map::new(),
        },
    ];
    let warnings = vec![
        finding(
            generator,
            "SBOM was generated by syft 0.80.0, older than 1.0",
        ),
        finding(approvals, "approved by 1 reviewer (alice)"),
    ];
    pin(Decision::new(context("prod"), rules, violations, warnings))
}

/// A pass at `prod` because waivers set its findings aside: a critical CVE waived by an
/// inline waiver, and a warning waived by a signed one (its reason needs escaping).
pub(super) fn waived() -> Decision {
    let rules = rules();
    let vulns = find(&rules, "supply.vulns.no_critical");
    let generator = find(&rules, "supply.sbom.warn_old_generator");
    let mut cve = finding(
        vulns,
        "CVE-2026-0001 in openssl 3.0.1 is critical (fixed in 3.0.2)",
    );
    cve.details = object(json!({"cve": "CVE-2026-0001", "purl": "pkg:deb/debian/openssl@3.0.1"}));
    let waiver = |id: &str, line: u32, reason: &str, signed_by: Option<&str>| AppliedWaiver {
        id: id.to_owned(),
        reason: reason.to_owned(),
        ticket: "SEC-42".to_owned(),
        approved_by: "alice@example.com".to_owned(),
        expires: "2026-12-01T00:00:00Z".to_owned(),
        source: SourceLocation {
            file: "stagegate.yaml".to_owned(),
            line,
        },
        signed_by: signed_by.map(str::to_owned),
    };
    let waived = vec![
        WaivedFinding {
            finding: cve,
            warning: false,
            waiver: waiver(
                "W-openssl",
                31,
                "not reachable: TLS is terminated upstream",
                None,
            ),
        },
        WaivedFinding {
            finding: finding(
                generator,
                "SBOM was generated by syft 0.80.0, older than 1.0",
            ),
            warning: true,
            waiver: waiver("W-syft", 40, NASTY_MESSAGE, Some("security-lead")),
        },
    ];
    pin(Decision::with_waived(
        context("prod"),
        rules,
        vec![],
        vec![],
        waived,
    ))
}

fn pin(mut decision: Decision) -> Decision {
    decision.stagegate_version = "0.1.0".to_owned();
    decision
}

fn render_ok(decision: &Decision, format: OutputFormat, color: bool) -> String {
    render(decision, format, &RenderOptions { color })
        .unwrap_or_else(|error| panic!("render {format}: {error}"))
}

#[test]
fn snapshots_in_every_format() {
    let fixtures = [
        ("passing", passing()),
        ("failing", failing()),
        ("waived", waived()),
    ];
    for (name, decision) in &fixtures {
        for format in OutputFormat::ALL {
            let output = render_ok(decision, format, false);
            assert!(
                output.ends_with('\n'),
                "{name} {format} ends with a newline"
            );
            insta::assert_snapshot!(format!("{name}--format={format}"), output);
        }
    }
}

#[test]
fn snapshot_text_in_colour() {
    let output = render_ok(&failing(), OutputFormat::Text, true);
    insta::assert_snapshot!("failing--format=text--color", output);
}

#[test]
fn only_text_has_colour() {
    for decision in [passing(), failing()] {
        for format in OutputFormat::ALL {
            let plain = render_ok(&decision, format, false);
            assert!(!plain.contains('\u{1b}'), "{format} without colour");
            if format != OutputFormat::Text {
                assert_eq!(render_ok(&decision, format, true), plain, "{format}");
            }
        }
    }
}

#[test]
fn format_names_round_trip() {
    use clap::ValueEnum;
    for format in OutputFormat::ALL {
        assert_eq!(OutputFormat::from_str(format.as_str(), false), Ok(format));
        assert_eq!(format.to_string(), format.as_str());
        let value = format.to_possible_value();
        assert_eq!(value.as_ref().map(|v| v.get_name()), Some(format.as_str()));
        assert!(
            value
                .and_then(|v| v.get_help().map(|h| h.to_string()))
                .is_some()
        );
        assert_eq!(
            serde_json::to_value(format).ok(),
            Some(Value::String(format.as_str().to_owned()))
        );
    }
    assert_eq!(OutputFormat::value_variants(), OutputFormat::ALL);
    assert_eq!(
        OutputFormat::from_str("JUnit", true),
        Ok(OutputFormat::JUnit)
    );
    assert!(OutputFormat::from_str("xml", true).is_err());
}
