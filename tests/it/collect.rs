//! Collecting evidence (issue 3) through the library API, on every real file in
//! `testdata/corpus/` (copied from the shared corpus, see each folder's ATTRIBUTION.md).
//!
//! The figures asserted here were counted from the files themselves with Python/jq, not by
//! running stagegate: component counts, findings per severity, SARIF levels, test totals and
//! predicate types. Findings are counted after deduplication by (id, package) — the one place
//! where this differs from a raw count is noted (`trivy-repo-gomod-vex.json`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use stagegate::evidence::{
    CollectRequest, Evidence, EvidenceError, NO_SUBJECT, SUBJECT_MISMATCH,
    SUBJECT_PLATFORM_UNVERIFIED, SubjectSpec, VulnSeverity, collect,
};
use stagegate::limits::{LimitError, Limits};

use crate::util::{Dir, repo_file};

/// A subject that matches none of the corpus files.
const OTHER_DIGEST: &str = "0000000000000000000000000000000000000000000000000000000000000001";

fn corpus(relative: &str) -> PathBuf {
    repo_file(&format!("testdata/corpus/{relative}"))
}

fn subject() -> SubjectSpec {
    format!("example.com/app@sha256:{OTHER_DIGEST}")
        .parse()
        .expect("subject")
}

/// The corpus files of one folder, without the attribution file.
fn files(folder: &str) -> Vec<String> {
    let mut names: Vec<String> = fs_err::read_dir(corpus(folder))
        .expect("corpus folder")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name != "ATTRIBUTION.md" && !name.ends_with(".txt"))
        .collect();
    names.sort();
    names
}

/// What a file is given as.
#[derive(Debug, Clone, Copy)]
enum As {
    Sbom,
    Scan,
    Tests,
    Attestation,
}

fn collect_as(kind: As, path: &Path) -> Result<Evidence, EvidenceError> {
    let builder = CollectRequest::builder(subject()).collected_at("2026-11-27T12:00:00Z");
    let request = match kind {
        As::Sbom => builder.sbom(path),
        As::Scan => builder.scan(path),
        As::Tests => builder.tests(path),
        As::Attestation => builder.attestation(path),
    }
    .build();
    collect(&request)
}

fn collect_ok(kind: As, relative: &str) -> Evidence {
    let path = corpus(relative);
    collect_as(kind, &path).unwrap_or_else(|err| panic!("{relative}: {err:#}"))
}

/// Findings per severity: [critical, high, medium, low, negligible, unknown].
fn by_severity(evidence: &Evidence) -> [usize; 6] {
    let mut counts = [0; 6];
    for v in evidence.vulnerabilities.as_deref().unwrap_or_default() {
        let slot = match v.severity {
            VulnSeverity::Critical => 0,
            VulnSeverity::High => 1,
            VulnSeverity::Medium => 2,
            VulnSeverity::Low => 3,
            VulnSeverity::Negligible => 4,
            VulnSeverity::Unknown => 5,
        };
        counts[slot] += 1;
    }
    counts
}

fn suppressed(evidence: &Evidence) -> usize {
    evidence
        .vulnerabilities
        .iter()
        .flatten()
        .filter(|v| v.suppressed.is_some())
        .count()
}

#[test]
fn every_corpus_file_is_collected_with_its_source_and_raw_document() {
    let folders = [
        ("cyclonedx", As::Sbom),
        ("spdx", As::Sbom),
        ("grype", As::Scan),
        ("trivy", As::Scan),
        ("sarif", As::Scan),
        ("junit", As::Tests),
        ("slsa-provenance", As::Attestation),
        ("attestations", As::Attestation),
        ("sigstore", As::Attestation),
    ];
    let mut count = 0;
    for (folder, kind) in folders {
        for name in files(folder) {
            let relative = format!("{folder}/{name}");
            let evidence = collect_ok(kind, &relative);
            let bytes = fs_err::read(corpus(&relative)).expect("read");
            let source = &evidence.sources[0];
            assert_eq!(evidence.sources.len(), 1, "{relative}");
            assert_eq!(source.path, corpus(&relative).display().to_string());
            assert_eq!(
                source.sha256,
                hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
                "{relative}"
            );
            assert!(evidence.raw.contains_key("0"), "{relative}: raw kept");
            count += 1;
        }
    }
    // 8 CycloneDX + 6 SPDX + 4 Grype + 6 Trivy + 6 SARIF + 8 JUnit + 6 provenance
    // + 4 attestations + 7 Sigstore bundles. The public keys, trusted roots and signed text
    // artifacts of the corpus are verification material, not evidence.
    assert_eq!(count, 55);
}

#[test]
fn sboms_give_their_components() {
    // file, format, spec version, components (nested ones flattened), what it describes.
    let cases: &[(&str, &str, &str, usize, Option<&str>)] = &[
        (
            "cyclonedx/cdx-1.4-laravel-7.12.0-composer.json",
            "cyclonedx",
            "1.4",
            62,
            Some("cyclonedx-php-composer-demo"),
        ),
        (
            "cyclonedx/cdx-1.4-vex-cisa-case2.json",
            "cyclonedx",
            "1.4",
            0,
            Some("ABC"),
        ),
        (
            "cyclonedx/cdx-1.5-syft-1.6.0.json",
            "cyclonedx",
            "1.5",
            15,
            Some("alpine"),
        ),
        (
            "cyclonedx/cdx-1.5-trivy-image-centos-7.json",
            "cyclonedx",
            "1.5",
            3,
            Some("integration/testdata/fixtures/images/centos-7.tar.gz"),
        ),
        (
            "cyclonedx/cdx-1.6-spec-valid-bom.json",
            "cyclonedx",
            "1.6",
            3,
            Some("Acme Application"),
        ),
        (
            "cyclonedx/cdx-1.6-spec-valid-vulnerability.json",
            "cyclonedx",
            "1.6",
            1,
            None,
        ),
        (
            "cyclonedx/cdx-1.6-trivy-nested-packages.json",
            "cyclonedx",
            "1.6",
            6,
            Some("/test"),
        ),
        (
            "cyclonedx/cdx-1.7-grype-image-vulns.json",
            "cyclonedx",
            "1.7",
            2,
            Some("user-input"),
        ),
        (
            "spdx/spdx-2.3-examplemaven-enriched.json",
            "spdx",
            "SPDX-2.3",
            5,
            Some("examplemaven"),
        ),
        (
            "spdx/spdx-2.3-k8s-bom-tool.json",
            "spdx",
            "SPDX-2.3",
            3,
            Some("hello-server-src"),
        ),
        (
            "spdx/spdx-2.3-minimal-with-security-refs.json",
            "spdx",
            "SPDX-2.3",
            1,
            Some("tools-java"),
        ),
        (
            "spdx/spdx-2.3-npm-cli-wtf-frontend.json",
            "spdx",
            "SPDX-2.3",
            170,
            Some("wtf-frontend"),
        ),
        (
            "spdx/spdx-2.3-syft-1.6.0.json",
            "spdx",
            "SPDX-2.3",
            14,
            Some("alpine"),
        ),
        (
            "spdx/spdx-2.3-trivy-julia.json",
            "spdx",
            "SPDX-2.3",
            4,
            Some("testdata/fixtures/repo/julia"),
        ),
    ];
    let listed = files("cyclonedx").len() + files("spdx").len();
    assert_eq!(
        cases.len(),
        listed,
        "every SBOM in the corpus has its figures here"
    );
    for (file, format, version, components, describes) in cases {
        let evidence = collect_ok(As::Sbom, file);
        let sbom = evidence.sbom.as_ref().expect("sbom");
        assert_eq!(sbom.format, *format, "{file}");
        assert_eq!(sbom.spec_version.as_deref(), Some(*version), "{file}");
        assert_eq!(sbom.components.len(), *components, "{file}");
        assert_eq!(
            sbom.describes.first().map(|c| c.name.as_str()),
            *describes,
            "{file}"
        );
        assert_eq!(
            evidence.sources[0].format_version.as_deref(),
            Some(*version)
        );
    }
}

#[test]
fn sbom_purls_and_licenses_are_normalised() {
    let evidence = collect_ok(As::Sbom, "spdx/spdx-2.3-npm-cli-wtf-frontend.json");
    let sbom = evidence.sbom.expect("sbom");
    // All 170 non-root packages carry a PACKAGE-MANAGER purl.
    assert_eq!(
        sbom.components.iter().filter(|c| c.purl.is_some()).count(),
        170
    );

    let evidence = collect_ok(As::Sbom, "cyclonedx/cdx-1.6-spec-valid-bom.json");
    let licenses: Vec<String> = evidence
        .sbom
        .expect("sbom")
        .components
        .into_iter()
        .flat_map(|c| c.licenses)
        .collect();
    // The spec vector uses an expression, an id and a free-text name.
    assert!(
        licenses.contains(&"LicenseRef-Some-random-license".to_owned()),
        "{licenses:?}"
    );

    let evidence = collect_ok(As::Sbom, "cyclonedx/cdx-1.4-laravel-7.12.0-composer.json");
    let sbom = evidence.sbom.expect("sbom");
    assert_eq!(
        sbom.generator.as_deref(),
        Some("cyclonedx-php-composer in-dev")
    );
    assert!(sbom.components.iter().all(|c| c.purl.is_some()));
    assert!(sbom.components.iter().any(|c| c.licenses == ["MIT"]));
}

#[test]
fn scans_give_findings_per_severity() {
    // file, [critical, high, medium, low, negligible, unknown], suppressed.
    let cases: &[(&str, [usize; 6], usize)] = &[
        // GHSA-cfh5-3ghh-wfjx (alias CVE-2014-3577) and CVE-2014-3577, both on
        // httpclient@4.1.1: one finding, deduplicated by alias.
        (
            "grype/grype-image-anchore-test-images-ghsa.json",
            [0, 0, 1, 0, 0, 0],
            0,
        ),
        // GHSA-hv5j-3h9f-99c2 (alias CVE-2023-28755) and CVE-2023-28755 on uri@0.10.1 are
        // one finding; CVE-2023-28755 on ruby-3.0 is another.
        (
            "grype/grype-image-chainguard-ruby.json",
            [0, 2, 0, 0, 0, 0],
            0,
        ),
        (
            "grype/grype-image-keycloak-21.0.2.json",
            [0, 0, 0, 6, 0, 0],
            0,
        ),
        (
            "grype/grype-image-synthetic-presenter.json",
            [1, 0, 0, 1, 0, 0],
            0,
        ),
        ("trivy/trivy-image-alpine-310.json", [0, 0, 4, 0, 0, 0], 0),
        (
            "trivy/trivy-image-debian-buster.json",
            [1, 0, 0, 1, 0, 0],
            0,
        ),
        (
            "trivy/trivy-image-distroless-python27.json",
            [0, 0, 2, 2, 0, 0],
            0,
        ),
        (
            "trivy/trivy-image-spring4shell-jre11.json",
            [1, 0, 0, 0, 0, 0],
            0,
        ),
        // 4 vulnerabilities in three go.mod files, but GMS-2022-20 is the same package
        // (docker/distribution@v2.7.1+incompatible) in all three: 2 findings.
        ("trivy/trivy-repo-gomod-vex.json", [0, 0, 0, 0, 0, 2], 0),
        // Two secrets, no vulnerabilities.
        ("trivy/trivy-repo-secrets.json", [1, 1, 0, 0, 0, 0], 0),
        // SARIF: grype's security-severity 8.2 and 8.5 (CVSS bands), Trivy's MEDIUM tags,
        // and the spec samples' levels (error high, warning medium).
        ("sarif/grype-image.sarif.json", [0, 2, 0, 0, 0, 0], 0),
        (
            "sarif/trivy-image-alpine-310.sarif.json",
            [0, 0, 4, 0, 0, 0],
            0,
        ),
        ("sarif/spec-baseline.sarif.json", [0, 0, 4, 0, 0, 0], 1),
        (
            "sarif/spec-default-rule-configuration.sarif.json",
            [0, 1, 1, 0, 0, 0],
            0,
        ),
        ("sarif/spec-empty-log.sarif.json", [0; 6], 0),
        ("sarif/spec-suppressions.sarif.json", [0, 0, 9, 0, 0, 0], 5),
        // CycloneDX vulnerabilities with VEX analysis.
        (
            "cyclonedx/cdx-1.4-vex-cisa-case2.json",
            [0, 0, 0, 0, 19, 0],
            19,
        ),
        (
            "cyclonedx/cdx-1.6-spec-valid-vulnerability.json",
            [1, 0, 0, 0, 0, 0],
            1,
        ),
        ("cyclonedx/cdx-1.6-trivy-nested-packages.json", [0; 6], 0),
        (
            "cyclonedx/cdx-1.7-grype-image-vulns.json",
            [1, 0, 0, 1, 0, 0],
            0,
        ),
    ];
    let listed = files("grype").len() + files("trivy").len() + files("sarif").len();
    assert_eq!(
        cases.len(),
        listed + 4,
        "every scan in the corpus has its figures here"
    );
    for (file, severities, suppressed_count) in cases {
        let evidence = collect_ok(As::Scan, file);
        assert_eq!(by_severity(&evidence), *severities, "{file}");
        assert_eq!(suppressed(&evidence), *suppressed_count, "{file}");
    }
}

#[test]
fn sarif_levels_are_inherited_from_rules() {
    let cases: &[(&str, &[(&str, usize)])] = &[
        ("sarif/grype-image.sarif.json", &[("error", 1), ("note", 1)]),
        (
            "sarif/spec-default-rule-configuration.sarif.json",
            &[("error", 1), ("warning", 1)],
        ),
        ("sarif/spec-baseline.sarif.json", &[("warning", 4)]),
        ("sarif/trivy-image-alpine-310.sarif.json", &[("warning", 4)]),
    ];
    for (file, want) in cases {
        let evidence = collect_ok(As::Scan, file);
        let mut levels: BTreeMap<String, usize> = BTreeMap::new();
        for v in evidence.vulnerabilities.iter().flatten() {
            *levels.entry(v.level.clone().expect("level")).or_default() += 1;
        }
        let want: BTreeMap<String, usize> =
            want.iter().map(|(l, n)| ((*l).to_owned(), *n)).collect();
        assert_eq!(levels, want, "{file}");
    }
}

#[test]
fn scanner_details_are_kept() {
    let evidence = collect_ok(As::Scan, "trivy/trivy-image-debian-buster.json");
    let bash = evidence
        .vulnerabilities
        .iter()
        .flatten()
        .find(|v| v.id == "CVE-2019-18276")
        .expect("bash finding");
    assert_eq!(bash.cvss, Some(7.8));
    assert_eq!(
        bash.package.as_ref().and_then(|p| p.purl.as_deref()),
        Some("pkg:deb/debian/bash@5.0-4?arch=amd64&distro=debian-10.1")
    );

    let evidence = collect_ok(As::Scan, "trivy/trivy-repo-secrets.json");
    for v in evidence.vulnerabilities.iter().flatten() {
        assert_eq!(serde_json::to_value(v.category).unwrap(), "secret");
        assert!(v.package.is_none(), "a finding with no package is kept");
        assert_eq!(
            v.location.as_ref().map(|l| l.path.as_str()),
            Some("deploy.sh")
        );
    }

    let evidence = collect_ok(As::Scan, "grype/grype-image-synthetic-presenter.json");
    let critical = evidence
        .vulnerabilities
        .iter()
        .flatten()
        .find(|v| v.severity == VulnSeverity::Critical)
        .expect("critical");
    assert_eq!(critical.id, "CVE-1999-0002");
}

#[test]
fn findings_are_deduplicated_across_scanners() {
    // Grype's JSON and Grype's CycloneDX output for the same image: the same two findings.
    let request = CollectRequest::builder(subject())
        .scan(corpus("grype/grype-image-synthetic-presenter.json"))
        .scan(corpus("cyclonedx/cdx-1.7-grype-image-vulns.json"))
        .build();
    let evidence = collect(&request).expect("collect");
    let vulns = evidence.vulnerabilities.expect("vulnerabilities");
    assert_eq!(vulns.len(), 2);
    for v in &vulns {
        assert_eq!(v.source, ["grype", "cyclonedx"], "{}", v.id);
        assert_eq!(v.source_indexes, [0, 1]);
    }
}

#[test]
fn openvex_suppresses_matching_findings_only() {
    let request = CollectRequest::builder(subject())
        .scan(corpus("trivy/trivy-repo-gomod-vex.json"))
        .scan(repo_file("testdata/collect/openvex-gomod.json"))
        .build();
    let evidence = collect(&request).expect("collect");
    assert_eq!(evidence.sources[1].format, "openvex");
    assert_eq!(
        evidence.sources[1].format_version.as_deref(),
        Some("v0.2.0")
    );
    let vulns = evidence.vulnerabilities.expect("vulnerabilities");
    assert_eq!(
        vulns.len(),
        2,
        "the VEX statements merged into Trivy's findings"
    );
    let text = vulns
        .iter()
        .find(|v| v.id == "CVE-2021-38561")
        .expect("x/text");
    let suppression = text.suppressed.as_ref().expect("not_affected suppresses");
    assert_eq!(suppression.state, "not_affected");
    assert_eq!(
        suppression.justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    let distribution = vulns
        .iter()
        .find(|v| v.id == "GMS-2022-20")
        .expect("distribution");
    assert!(
        distribution.suppressed.is_none(),
        "under_investigation does not suppress"
    );
    assert_eq!(distribution.source, ["trivy", "openvex"]);
}

/// Regression for issue #12 point 3: a `not_affected` statement about
/// an unrelated image suppressed the finding in ours.
#[test]
fn openvex_about_another_image_suppresses_nothing() {
    let request = CollectRequest::builder(subject())
        .scan(corpus("trivy/trivy-repo-gomod-vex.json"))
        .scan(repo_file("testdata/collect/openvex-other-image.json"))
        .build();
    let evidence = collect(&request).expect("collect");
    let vulns = evidence.vulnerabilities.expect("vulnerabilities");
    assert_eq!(vulns.len(), 2, "{vulns:?}");
    for vuln in &vulns {
        assert!(vuln.suppressed.is_none(), "{vuln:?}");
        assert_eq!(vuln.source, ["trivy"], "{vuln:?}");
    }
}

/// Regression for issue #12 point 3: CycloneDX VEX about another image suppressed ours too.
#[test]
fn cyclonedx_vex_about_another_image_suppresses_nothing() {
    let request = CollectRequest::builder(subject())
        .scan(corpus("trivy/trivy-repo-gomod-vex.json"))
        .scan(repo_file("testdata/collect/cyclonedx-vex-other-image.json"))
        .build();
    let evidence = collect(&request).expect("collect");
    let vulns = evidence.vulnerabilities.expect("vulnerabilities");
    let text = vulns
        .iter()
        .find(|v| v.id == "CVE-2021-38561")
        .expect("x/text");
    assert!(text.suppressed.is_none(), "{text:?}");
    // The Trivy report of a repository names no subject (`no-subject`, source 0); the VEX is
    // about another image.
    let problems: Vec<_> = evidence
        .problems
        .iter()
        .map(|p| (p.kind.as_str(), p.source))
        .collect();
    assert_eq!(
        problems,
        [(NO_SUBJECT, Some(0)), (SUBJECT_MISMATCH, Some(1))],
        "{:?}",
        evidence.problems
    );
}

#[test]
fn junit_dialects_give_test_totals() {
    // file, [total, passed, failed, errors, skipped, flaky], suites.
    let cases: &[(&str, [u64; 6], usize)] = &[
        ("junit/cargo-nextest.xml", [3, 2, 1, 0, 0, 0], 1),
        ("junit/go-junit-report-subtests.xml", [11, 6, 4, 0, 1, 0], 1),
        (
            "junit/jest-junit-empty-testsuite.xml",
            [0, 0, 0, 0, 0, 0],
            1,
        ),
        ("junit/jest-junit.xml", [6, 1, 4, 0, 1, 0], 2),
        (
            "junit/maven-surefire-StringUtilsTest.xml",
            [5, 2, 2, 0, 1, 0],
            1,
        ),
        (
            "junit/maven-surefire-flaky-reruns.xml",
            [1, 1, 0, 0, 0, 1],
            1,
        ),
        // The suite claims tests="15"; the report holds 10 test cases.
        ("junit/pytest-junitxml.xml", [10, 6, 2, 0, 2, 0], 1),
        ("junit/testng-junitreport-pulsar.xml", [2, 0, 1, 0, 1, 0], 1),
    ];
    assert_eq!(cases.len(), files("junit").len());
    for (file, figures, suites) in cases {
        let tests = collect_ok(As::Tests, file).tests.expect("tests");
        let got = [
            tests.total,
            tests.passed,
            tests.failed,
            tests.errors,
            tests.skipped,
            tests.flaky,
        ];
        assert_eq!(got, *figures, "{file}");
        assert_eq!(tests.suites.len(), *suites, "{file}");
    }
    let jest = collect_ok(As::Tests, "junit/jest-junit.xml")
        .tests
        .expect("tests");
    assert_eq!(jest.suites[1].name, "__tests__\\second.test.js");
    assert_eq!(jest.suites[1].failed, 1);
    let flaky = collect_ok(As::Tests, "junit/maven-surefire-flaky-reruns.xml")
        .tests
        .expect("tests");
    assert_eq!(flaky.suites[0].cases[0].name, "createWebhook");
    assert_eq!(flaky.suites[0].cases[0].status, "flaky");
}

#[test]
fn attestations_give_predicate_types() {
    const SLSA_V1: &str = "https://slsa.dev/provenance/v1";
    const MESSAGE: &str = "https://stagegate.dev/sigstore/message-signature/v1";
    // file, detected format and version, predicate types, envelope.
    type Case<'a> = (&'a str, &'a str, Option<&'a str>, &'a [&'a str], &'a str);
    let cases: &[Case] = &[
        (
            "attestations/bundle-v0.3-dsse-statement-v1-grype-scan.sigstore.json",
            "sigstore-bundle",
            Some("0.3"),
            &["https://predicates.policylabs.dev/grype/v1"],
            "sigstore-bundle",
        ),
        (
            "attestations/cosign-bundle-v0.3-dsse-oci-attestation.sigstore.json",
            "sigstore-bundle",
            Some("0.3"),
            &["https://cosign.sigstore.dev/attestation/v1"],
            "sigstore-bundle",
        ),
        (
            "attestations/cosign-classic-dsse-vuln-predicate-unverifiable.json",
            "dsse",
            None,
            &["https://cosign.sigstore.dev/attestation/vuln/v1"],
            "dsse",
        ),
        (
            "attestations/witness-dsse-attestation-collection-cdx-ed25519.json",
            "dsse",
            None,
            &["https://witness.testifysec.com/attestation-collection/v0.1"],
            "dsse",
        ),
        (
            "sigstore/bundle-v0.1-dsse-npm-publish-plain-key.sigstore.json",
            "sigstore-bundle",
            Some("0.1"),
            &["https://github.com/npm/attestation/tree/main/specs/publish/v0.1"],
            "sigstore-bundle",
        ),
        (
            "sigstore/bundle-v0.1-msgsig-keyless.sigstore.json",
            "sigstore-bundle",
            Some("0.1"),
            &[MESSAGE],
            "sigstore-bundle",
        ),
        (
            "sigstore/bundle-v0.2-dsse-intoto-custom-root.sigstore.json",
            "sigstore-bundle",
            Some("0.2"),
            &[SLSA_V1],
            "sigstore-bundle",
        ),
        (
            "sigstore/bundle-v0.2-msgsig-keyless.sigstore.json",
            "sigstore-bundle",
            Some("0.2"),
            &[MESSAGE],
            "sigstore-bundle",
        ),
        (
            "sigstore/bundle-v0.3-dsse-intoto-keyless.sigstore.json",
            "sigstore-bundle",
            Some("0.3"),
            &[SLSA_V1],
            "sigstore-bundle",
        ),
        (
            "sigstore/bundle-v0.3-msgsig-keyless.sigstore.json",
            "sigstore-bundle",
            Some("0.3"),
            &[MESSAGE],
            "sigstore-bundle",
        ),
        (
            "sigstore/bundle-v0.3-msgsig-managed-key.sigstore.json",
            "sigstore-bundle",
            Some("0.3"),
            &[MESSAGE],
            "sigstore-bundle",
        ),
        (
            "slsa-provenance/bundle-v0.1-dsse-statement-v1-slsa-v1-npm-sigstorejs.sigstore.json",
            "sigstore-bundle",
            Some("0.1"),
            &[SLSA_V1],
            "sigstore-bundle",
        ),
        (
            "slsa-provenance/bundle-v0.2-dsse-slsa-v1.0-gha-container-based.sigstore.json",
            "sigstore-bundle",
            Some("0.2"),
            &[SLSA_V1],
            "sigstore-bundle",
        ),
        (
            "slsa-provenance/dsse-statement-v0.1-slsa-v0.2-gha-generic-keyless.intoto.jsonl",
            "dsse",
            None,
            &["https://slsa.dev/provenance/v0.2"],
            "dsse",
        ),
        (
            "slsa-provenance/dsse-statement-v1-vsa-v1-plain-key.intoto.jsonl",
            "dsse",
            None,
            &["https://slsa.dev/verification_summary/v1"],
            "dsse",
        ),
        (
            "slsa-provenance/gcb-container-provenance-slsa-v0.1-kms-key.json",
            "gcb-provenance",
            None,
            &["https://slsa.dev/provenance/v0.1"],
            "dsse",
        ),
        (
            "slsa-provenance/statement-v0.1-slsa-v1-gha-unsigned.json",
            "in-toto",
            Some("v0.1"),
            &[SLSA_V1],
            "statement",
        ),
    ];
    let listed =
        files("attestations").len() + files("sigstore").len() + files("slsa-provenance").len();
    assert_eq!(cases.len(), listed);
    for (file, format, version, predicate_types, envelope) in cases {
        let evidence = collect_ok(As::Attestation, file);
        assert_eq!(evidence.sources[0].format, *format, "{file}");
        assert_eq!(
            evidence.sources[0].format_version.as_deref(),
            *version,
            "{file}"
        );
        let attestations = evidence.attestations.expect("attestations");
        let types: Vec<&str> = attestations
            .iter()
            .map(|a| a.predicate_type.as_str())
            .collect();
        assert_eq!(types, *predicate_types, "{file}");
        for attestation in &attestations {
            assert!(
                !attestation.verified,
                "{file}: nothing is verified while collecting"
            );
            assert_eq!(attestation.envelope, *envelope, "{file}");
            assert_eq!(attestation.source, Some(0));
        }
    }
    let witness = collect_ok(
        As::Attestation,
        "attestations/witness-dsse-attestation-collection-cdx-ed25519.json",
    );
    let witness = &witness.attestations.expect("attestations")[0];
    assert_eq!(witness.subjects.len(), 4);
    // Collecting records no signer: only the verifier names one, and only when it verified.
    assert_eq!(witness.signer, None);
}

#[test]
fn subject_digests_are_compared() {
    // syft writes the image's manifest digest as the container's version (CycloneDX) and as
    // the root package's checksum (SPDX).
    let syft_digest = "1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82";
    for file in [
        "cyclonedx/cdx-1.5-syft-1.6.0.json",
        "spdx/spdx-2.3-syft-1.6.0.json",
    ] {
        let mismatch = collect_ok(As::Sbom, file);
        assert_eq!(mismatch.problems.len(), 1, "{file}");
        assert_eq!(mismatch.problems[0].kind, SUBJECT_MISMATCH);
        assert_eq!(mismatch.problems[0].source, Some(0));
        assert!(mismatch.problems[0].message.contains(syft_digest));

        let request = CollectRequest::builder(
            format!("alpine@sha256:{syft_digest}")
                .parse()
                .expect("subject"),
        )
        .sbom(corpus(file))
        .build();
        assert!(
            collect(&request).expect("collect").problems.is_empty(),
            "{file}"
        );
    }
    // An SBOM that claims no digest is not a mismatch, but it is not bound either.
    let unbound = collect_ok(As::Sbom, "cyclonedx/cdx-1.4-laravel-7.12.0-composer.json");
    assert_eq!(kinds(&unbound), [NO_SUBJECT]);

    // The sigstore-conformance bundles are about `a.txt`: hash the file as the subject.
    let request = CollectRequest::builder(SubjectSpec::File(corpus("sigstore/a.txt")))
        .attestation(corpus("sigstore/bundle-v0.3-msgsig-keyless.sigstore.json"))
        .attestation(corpus(
            "sigstore/bundle-v0.3-dsse-intoto-keyless.sigstore.json",
        ))
        .attestation(corpus(
            "slsa-provenance/statement-v0.1-slsa-v1-gha-unsigned.json",
        ))
        .build();
    let evidence = collect(&request).expect("collect");
    assert_eq!(evidence.subject.name, "a.txt");
    assert_eq!(evidence.problems.len(), 1);
    assert_eq!(evidence.problems[0].source, Some(2));
}

/// The kinds of the evidence's problems, in order.
fn kinds(evidence: &Evidence) -> Vec<&str> {
    evidence.problems.iter().map(|p| p.kind.as_str()).collect()
}

/// Collects one scan about `subject` (hex), with the registry's platform manifests when given.
fn scan_about(relative: &str, subject: &str, platforms: Option<&[&str]>) -> Evidence {
    let mut builder = CollectRequest::builder(
        format!("example.com/app@sha256:{subject}")
            .parse()
            .expect("subject"),
    )
    .scan(corpus(relative));
    if let Some(platforms) = platforms {
        builder = builder.platform_manifests(platforms.iter().map(|p| (*p).to_owned()).collect());
    }
    collect(&builder.build()).unwrap_or_else(|err| panic!("{relative}: {err:#}"))
}

// https://github.com/stagegate/stagegate/issues/11 (point 4): scans are bound to the subject.
#[test]
fn scans_are_bound_to_the_subject() {
    // Grype's real reports: (file, manifestDigest, the repo digest it was pulled by, imageID).
    // In each, the repo digest is a multi-platform index and the manifest one of its platforms.
    for (file, manifest, index, config) in [
        (
            "grype/grype-image-keycloak-21.0.2.json",
            "d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e",
            "347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50",
            "8cf8fd2be2ded92962d52adff75ad06a4c30f69c66facbdf223364c6c9e33b8c",
        ),
        (
            "grype/grype-image-chainguard-ruby.json",
            "86abe662dfa3746038eea6b0db91092b0767d78b8b8938a343d614cd1579adc2",
            "3c9afb4f188827ea1062ec3b8acea32893236a0d7df31e0498df93486cff0978",
            "2f88265cfbc43ca35cd327347a9f59375b9f29ef998b8a54a882e31111266640",
        ),
        (
            "grype/grype-image-anchore-test-images-ghsa.json",
            "1212e7636ec0b1a7b90eb354e761e67163c2256de127036f086876e190631b43",
            "10008791acbc5866de04108746a02a0c4029ce3a4400a9b3dad45d7f2245f9da",
            "e1a0913e5e6eb346f15791e9627842ae80b14564f9c7a4f2e0910a9433673d8b",
        ),
    ] {
        // The manifest scanned is the subject.
        assert_eq!(
            kinds(&scan_about(file, manifest, None)),
            Vec::<&str>::new(),
            "{file}"
        );
        // The subject is the index: the scanner's word that it picked one of its platforms
        // is recorded, not believed...
        let evidence = scan_about(file, index, None);
        assert_eq!(kinds(&evidence), [SUBJECT_PLATFORM_UNVERIFIED], "{file}");
        assert!(evidence.problems[0].message.contains(manifest), "{file}");
        assert_eq!(evidence.problems[0].source, Some(0));
        // ...and the registry's listing settles it, either way.
        let listed = scan_about(file, index, Some(&[manifest, OTHER_DIGEST]));
        assert_eq!(kinds(&listed), Vec::<&str>::new(), "{file}");
        let unlisted = scan_about(file, index, Some(&[OTHER_DIGEST]));
        assert_eq!(kinds(&unlisted), [SUBJECT_MISMATCH], "{file}");
        // The image config's digest is never taken for the image's.
        assert_eq!(
            kinds(&scan_about(file, config, None)),
            [SUBJECT_MISMATCH],
            "{file}"
        );
        // A scan of another image.
        let other = scan_about(file, OTHER_DIGEST, None);
        assert_eq!(kinds(&other), [SUBJECT_MISMATCH], "{file}");
        assert!(other.problems[0].message.contains(manifest), "{file}");
        // The findings are kept either way: the policy decides.
        assert!(
            !other.vulnerabilities.expect("findings").is_empty(),
            "{file}"
        );
    }
    // Grype's JSON presenter golden: a manifest digest and no repo digest.
    let synthetic = "grype/grype-image-synthetic-presenter.json";
    let manifest = "ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5";
    assert!(scan_about(synthetic, manifest, None).problems.is_empty());
    assert_eq!(
        kinds(&scan_about(synthetic, OTHER_DIGEST, None)),
        [SUBJECT_MISMATCH]
    );
    // Grype's CycloneDX output of the same image names the same manifest.
    let cyclonedx = "cyclonedx/cdx-1.7-grype-image-vulns.json";
    assert!(scan_about(cyclonedx, manifest, None).problems.is_empty());
    assert_eq!(
        kinds(&scan_about(cyclonedx, OTHER_DIGEST, None)),
        [SUBJECT_MISMATCH]
    );

    // Reports that name no digest of what they examined: Trivy of an image archive and of a
    // repository, SARIF from Grype (the image only in messages) and the SARIF spec samples,
    // JUnit reports.
    for file in [
        "trivy/trivy-image-alpine-310.json",
        "trivy/trivy-repo-secrets.json",
        "sarif/grype-image.sarif.json",
        "sarif/trivy-image-alpine-310.sarif.json",
        "sarif/spec-baseline.sarif.json",
    ] {
        assert_eq!(
            kinds(&scan_about(file, OTHER_DIGEST, None)),
            [NO_SUBJECT],
            "{file}"
        );
    }
    for file in files("junit") {
        let evidence = collect_ok(As::Tests, &format!("junit/{file}"));
        assert_eq!(kinds(&evidence), [NO_SUBJECT], "{file}");
        assert!(evidence.problems[0].message.starts_with("test report `"));
    }
}

// https://github.com/stagegate/stagegate/issues/11 (point 4): a Trivy report, a SARIF log and
// a JUnit report that name the image they are about.
#[test]
fn trivy_sarif_and_junit_name_their_subject() {
    let dir = Dir::new("bound-reports");
    let index = "ab".repeat(32);
    let reference = format!("ghcr.io/acme/app@sha256:{index}");
    let config = "961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4";
    // The corpus's Trivy reports are of image archives; as of the same image pulled from a
    // registry by digest, Trivy writes the reference and its repo digest.
    let trivy = fs_err::read_to_string(corpus("trivy/trivy-image-alpine-310.json"))
        .expect("read")
        .replacen(
            "\"ArtifactName\": \"testdata/fixtures/images/alpine-310.tar.gz\"",
            &format!("\"ArtifactName\": \"{reference}\""),
            1,
        )
        .replacen(
            "\"RepoTags\": [",
            &format!("\"RepoDigests\": [\"{reference}\"],\n    \"RepoTags\": ["),
            1,
        );
    assert!(trivy.contains(&format!("\"RepoDigests\": [\"{reference}\"]")));
    let sarif = fs_err::read_to_string(corpus("sarif/trivy-image-alpine-310.sarif.json"))
        .expect("read")
        .replacen(
            "\"imageName\": \"testdata/fixtures/images/alpine-310.tar.gz\"",
            &format!("\"imageName\": \"{reference}\""),
            1,
        )
        .replacen(
            "\"repoDigests\": null",
            &format!("\"repoDigests\": [\"{reference}\"]"),
            1,
        );
    assert!(sarif.contains(&format!("\"repoDigests\": [\"{reference}\"]")));
    let junit = fs_err::read_to_string(corpus("junit/pytest-junitxml.xml"))
        .expect("read")
        .replacen(
            "<property name=\"custom_prop\" value=\"custom_val\"/>",
            &format!("<property name=\"image\" value=\"{reference}\"/>"),
            1,
        );
    assert!(junit.contains(&reference));
    let files = [
        dir.write("trivy.json", &trivy),
        dir.write("trivy.sarif", &sarif),
        dir.write("junit.xml", &junit),
    ];
    let about = |subject: &str| {
        let spec: SubjectSpec = format!("ghcr.io/acme/app@sha256:{subject}")
            .parse()
            .expect("subject");
        let request = CollectRequest::builder(spec)
            .scan(&files[0])
            .scan(&files[1])
            .tests(&files[2])
            .build();
        collect(&request).expect("collect")
    };
    assert!(about(&index).problems.is_empty());
    let other = about(OTHER_DIGEST);
    assert_eq!(
        kinds(&other),
        [SUBJECT_MISMATCH, SUBJECT_MISMATCH, SUBJECT_MISMATCH]
    );
    let sources: Vec<_> = other.problems.iter().map(|p| p.source).collect();
    assert_eq!(sources, [Some(0), Some(1), Some(2)]);
    assert!(other.problems[2].message.starts_with("test report `"));
    // Trivy's `ImageID` is the config's digest: never the image's.
    assert_eq!(kinds(&about(config)).len(), 3);
}

#[test]
fn everything_together_and_back() {
    let request = CollectRequest::builder(subject())
        .sbom(corpus("cyclonedx/cdx-1.5-trivy-image-centos-7.json"))
        .scan(corpus("trivy/trivy-image-alpine-310.json"))
        .scan(corpus("sarif/spec-suppressions.sarif.json"))
        .tests(corpus("junit/jest-junit.xml"))
        .tests(corpus("junit/pytest-junitxml.xml"))
        .attestation(corpus(
            "slsa-provenance/dsse-statement-v1-vsa-v1-plain-key.intoto.jsonl",
        ))
        .approval(repo_file("testdata/collect/approvals.yaml"))
        .collected_at("2026-11-27T12:00:00Z")
        .build();
    let evidence = collect(&request).expect("collect");
    let kinds: Vec<&str> = evidence.sources.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "sbom",
            "scan",
            "scan",
            "tests",
            "tests",
            "attestation",
            "approval"
        ]
    );
    assert_eq!(evidence.vulnerabilities.as_ref().map(Vec::len), Some(4 + 9));
    let tests = evidence.tests.as_ref().expect("tests");
    assert_eq!((tests.total, tests.failed, tests.suites.len()), (16, 6, 3));
    assert_eq!(tests.suites[2].source, Some(4));
    let approvals = evidence.approvals.as_ref().expect("approvals");
    assert_eq!(approvals.len(), 2);
    assert!(approvals.iter().all(|a| !a.verified && a.source == Some(6)));
    assert_eq!(evidence.raw.len(), 7);
    // XML and YAML inputs are kept as text.
    assert!(evidence.raw["3"].get().starts_with("\"<?xml"));

    // The document survives a round trip, the way `evaluate --evidence` reads it back.
    let bytes = evidence.to_json_bytes().expect("serialise");
    let value: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(value["apiVersion"], "stagegate.dev/evidence/v1");
    assert_eq!(
        value["raw"]["1"]["SchemaVersion"], 2,
        "raw documents are JSON, not strings"
    );
    let back: Evidence = serde::Deserialize::deserialize(&value).expect("read back");
    assert_eq!(back, evidence);
}

/// Broken inputs: each one an error naming the file, never a panic or a partial document.
mod broken {
    use super::*;

    fn broken(kind: As, dir: &Dir, name: &str, contents: impl AsRef<[u8]>) -> EvidenceError {
        let path = dir.write(name, contents);
        let err = collect_as(kind, &path).expect_err(name);
        assert_eq!(err.path(), Some(path.as_path()), "{name}: {err}");
        assert!(err.to_string().contains(name), "{name}: {err}");
        err
    }

    fn corpus_text(relative: &str) -> String {
        fs_err::read_to_string(corpus(relative)).expect("read")
    }

    #[test]
    fn truncated_json_has_a_position() {
        let dir = Dir::new("truncated");
        let text = corpus_text("grype/grype-image-keycloak-21.0.2.json");
        let cut = text.get(..text.len() / 2).expect("half");
        let err = broken(As::Scan, &dir, "grype.json", cut);
        let location = err.location().expect("line and column");
        assert!(location.line > 1, "{err}");
    }

    #[test]
    fn unknown_spec_versions_are_named() {
        let dir = Dir::new("versions");
        let text = corpus_text("cyclonedx/cdx-1.7-grype-image-vulns.json");
        let newer = text.replacen("\"specVersion\": \"1.7\"", "\"specVersion\": \"1.8\"", 1);
        assert_ne!(newer, text);
        let err = broken(As::Sbom, &dir, "bom.json", newer);
        assert!(
            matches!(err, EvidenceError::UnsupportedVersion { ref version, .. } if version == "1.8")
        );
        assert!(err.to_string().contains("`1.8`"));
        let older = text.replacen("\"specVersion\": \"1.7\"", "\"specVersion\": \"1.3\"", 1);
        broken(As::Sbom, &dir, "old.json", older);
        let sarif =
            corpus_text("sarif/spec-empty-log.sarif.json").replacen("2.1.0\"", "2.0.0\"", 1);
        let err = broken(As::Scan, &dir, "old.sarif", sarif);
        assert!(
            matches!(err, EvidenceError::UnsupportedVersion { .. }),
            "{err}"
        );
        let trivy = corpus_text("trivy/trivy-image-alpine-310.json").replacen(
            "\"SchemaVersion\": 2",
            "\"SchemaVersion\": 3",
            1,
        );
        let err = broken(As::Scan, &dir, "trivy.json", trivy);
        assert!(
            matches!(err, EvidenceError::UnsupportedVersion { .. }),
            "{err}"
        );
    }

    #[test]
    fn wrong_formats_are_refused() {
        let dir = Dir::new("wrong");
        let sarif = corpus_text("sarif/grype-image.sarif.json");
        let err = broken(As::Sbom, &dir, "scan.sarif", &sarif);
        assert!(
            matches!(
                err,
                EvidenceError::WrongKind {
                    format: "sarif",
                    ..
                }
            ),
            "{err}"
        );
        let err = broken(As::Sbom, &dir, "image.png", b"\x89PNG\r\n\x1a\n\0\0");
        assert!(matches!(err, EvidenceError::UnknownFormat { .. }), "{err}");
        let err = broken(As::Tests, &dir, "report.json", &sarif);
        assert!(matches!(err, EvidenceError::WrongKind { .. }), "{err}");
        let err = broken(As::Scan, &dir, "notes.json", r#"{"hello": "world"}"#);
        assert!(matches!(err, EvidenceError::UnknownFormat { .. }), "{err}");
        // An SBOM given as a scan would read as "nothing found".
        let sbom = corpus_text("cyclonedx/cdx-1.5-syft-1.6.0.json");
        let err = broken(As::Scan, &dir, "sbom.json", sbom);
        assert!(
            matches!(err, EvidenceError::NoVulnerabilities { .. }),
            "{err}"
        );
        // A trusted root is verification material, not an attestation.
        let root = r#"{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", "tlogs": []}"#;
        let err = broken(As::Attestation, &dir, "trusted_root.json", root);
        assert!(matches!(err, EvidenceError::UnknownFormat { .. }), "{err}");
        let err = broken(As::Tests, &dir, "page.xml", "<html><body/></html>");
        assert!(matches!(err, EvidenceError::UnknownFormat { .. }), "{err}");
        broken(As::Sbom, &dir, "empty.json", "");
    }

    #[test]
    fn xml_entities_are_never_expanded() {
        let dir = Dir::new("xml");
        let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<testsuite name="&lol2;"/>"#;
        let err = broken(As::Tests, &dir, "bomb.xml", bomb);
        assert!(
            matches!(
                err,
                EvidenceError::XmlDoctype {
                    line: 2,
                    column: 1,
                    ..
                }
            ),
            "{err}"
        );
        let external = "<?xml version=\"1.0\"?>\n<!DOCTYPE t [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<testsuite name=\"&xxe;\"/>";
        let err = broken(As::Tests, &dir, "xxe.xml", external);
        assert!(matches!(err, EvidenceError::XmlDoctype { .. }), "{err}");
        let undeclared = "<testsuites>\n  <testsuite name=\"&xxe;\"/>\n</testsuites>";
        let err = broken(As::Tests, &dir, "undeclared.xml", undeclared);
        assert!(
            matches!(err, EvidenceError::XmlEntity { line: 2, .. }),
            "{err}"
        );
        let text = corpus_text("junit/jest-junit.xml");
        let err = broken(
            As::Tests,
            &dir,
            "cut.xml",
            text.get(..text.len() / 2).expect("half"),
        );
        assert!(matches!(err, EvidenceError::Xml { .. }), "{err}");
    }

    #[test]
    fn deep_nesting_and_size_are_limited() {
        let dir = Dir::new("limits");
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = broken(As::Sbom, &dir, "deep.json", &deep);
        assert!(
            matches!(err, EvidenceError::Limit(LimitError::TooDeep { .. })),
            "{err}"
        );
        let deep_xml = format!("<testsuites>{}", "<x>".repeat(10_000));
        let err = broken(As::Tests, &dir, "deep.xml", deep_xml);
        assert!(
            matches!(err, EvidenceError::Limit(LimitError::TooDeep { .. })),
            "{err}"
        );

        let path = corpus("spdx/spdx-2.3-npm-cli-wtf-frontend.json");
        let request = CollectRequest::builder(subject())
            .sbom(&path)
            .limits(Limits {
                max_file_bytes: 100_000,
                ..Limits::default()
            })
            .build();
        let err = collect(&request).expect_err("too large");
        assert!(
            matches!(err, EvidenceError::Limit(LimitError::TooLarge { .. })),
            "{err}"
        );
        assert_eq!(err.path(), Some(path.as_path()));
    }

    #[test]
    fn bad_approvals_and_subjects() {
        let dir = Dir::new("approvals");
        let path = dir.write(
            "approvals.yaml",
            "approvals:\n  - approver: a\n    stage: prod\n    at: soon\n",
        );
        let request = CollectRequest::builder(subject()).approval(&path).build();
        let err = collect(&request).expect_err("bad time");
        assert!(matches!(err, EvidenceError::ApprovalTime { .. }), "{err}");
        assert!(matches!(
            "app@sha256:1234".parse::<SubjectSpec>(),
            Err(EvidenceError::InvalidSubject { .. })
        ));
        let request =
            CollectRequest::builder(SubjectSpec::File(dir.path().join("missing"))).build();
        assert!(matches!(
            collect(&request),
            Err(EvidenceError::Limit(LimitError::Io { .. }))
        ));
    }
}
