//! `stagegate collect` and `evaluate` with collect flags, on real files from the corpus.

use serde_json::Value;
use stagegate::oci::Pinned;

use crate::registry::{TestRegistry, client, promotion};
use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr};

const SUBJECT: &str = "registry.example.com/app@sha256:1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82";

#[test]
fn collect_writes_one_evidence_document() {
    let dir = Dir::new("collect");
    let output = dir
        .command()
        .args(["collect", "--subject", SUBJECT, "-o", "evidence.json"])
        .arg("--sbom")
        .arg(repo_file(
            "testdata/corpus/cyclonedx/cdx-1.5-syft-1.6.0.json",
        ))
        .arg("--scan")
        .arg(repo_file(
            "testdata/corpus/grype/grype-image-chainguard-ruby.json",
        ))
        .arg("--tests")
        .arg(repo_file(
            "testdata/corpus/junit/maven-surefire-StringUtilsTest.xml",
        ))
        .output()
        .expect("run");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let evidence: Value =
        serde_json::from_slice(&fs_err::read(dir.path().join("evidence.json")).expect("read"))
            .expect("json");
    assert_eq!(evidence["apiVersion"], "stagegate.dev/evidence/v1");
    assert_eq!(evidence["sources"].as_array().map(Vec::len), Some(3));
    assert_eq!(evidence["tests"]["total"], 5);
    assert_eq!(evidence["tests"]["failed"], 2);

    // The document it wrote is what `evaluate --evidence` reads.
    let output = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "dev",
            "--effective-time",
            EFFECTIVE_TIME,
        ])
        .arg("--config")
        .arg(repo_file("stagegate.yaml"))
        .args(["--evidence", "evidence.json"])
        .output()
        .expect("run");
    assert!(matches!(code(&output), 0 | 1), "{}", stderr(&output));
}

#[test]
fn evaluate_collects_and_saves_the_evidence() {
    let dir = Dir::new("evaluate-collect");
    let output = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "dev",
            "--format",
            "json",
            "--effective-time",
            EFFECTIVE_TIME,
        ])
        .arg("--config")
        .arg(repo_file("stagegate.yaml"))
        .args(["--subject", SUBJECT, "--save-evidence", "case.json"])
        .arg("--sbom")
        .arg(repo_file(
            "testdata/corpus/cyclonedx/cdx-1.5-syft-1.6.0.json",
        ))
        .output()
        .expect("run");
    assert!(matches!(code(&output), 0 | 1), "{}", stderr(&output));
    let decision: Value = serde_json::from_slice(&output.stdout).expect("decision");
    let saved = fs_err::read(dir.path().join("case.json")).expect("saved evidence");
    let digest = format!(
        "sha256:{}",
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&saved))
    );
    assert_eq!(
        decision["evidenceDigest"],
        digest.as_str(),
        "the decision is bound to the saved bytes"
    );
}

#[test]
fn broken_inputs_exit_2_with_nothing_written() {
    let dir = Dir::new("collect-broken");
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>\n<testsuite>&lol2;</testsuite>\n";
    let cases: [(&str, &str, String); 4] = [
        (
            "--sbom",
            "truncated.json",
            "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [".to_owned(),
        ),
        ("--tests", "bomb.xml", bomb.to_owned()),
        (
            "--sbom",
            "deep.json",
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        ),
        (
            "--scan",
            "unknown.json",
            "{\"hello\": \"world\"}".to_owned(),
        ),
    ];
    for (flag, name, contents) in cases {
        dir.write(name, contents);
        let output = dir
            .command()
            .args([
                "collect",
                "--subject",
                SUBJECT,
                "-o",
                "out.json",
                flag,
                name,
            ])
            .output()
            .expect("run");
        assert_eq!(code(&output), 2, "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(name),
            "{name}: the error names the file:\n{}",
            stderr(&output)
        );
        assert!(
            !dir.path().join("out.json").exists(),
            "{name}: no output written"
        );
    }
}

#[test]
fn an_sbom_signed_as_an_attestation_is_an_sbom() {
    let dir = Dir::new("sbom-attestation");
    let cdx: Value = serde_json::from_slice(
        &fs_err::read(repo_file(
            "testdata/corpus/cyclonedx/cdx-1.5-syft-1.6.0.json",
        ))
        .expect("read"),
    )
    .expect("json");
    let digest = SUBJECT
        .rsplit_once(":")
        .map(|(_, hex)| hex)
        .expect("digest");
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example.com/app", "digest": {"sha256": digest}}],
        "predicateType": "https://cyclonedx.org/bom",
        "predicate": cdx,
    });
    dir.write(
        "sbom.intoto.json",
        serde_json::to_vec(&statement).expect("serialize"),
    );
    let output = dir
        .command()
        .args([
            "collect",
            "--subject",
            SUBJECT,
            "--attestation",
            "sbom.intoto.json",
        ])
        .output()
        .expect("run");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let evidence: Value = serde_json::from_slice(&output.stdout).expect("evidence");
    assert_eq!(
        evidence["sbom"]["components"].as_array().map(Vec::len),
        Some(15)
    );
    assert_eq!(
        evidence["attestations"][0]["predicateType"],
        "https://cyclonedx.org/bom"
    );
}

/// The kinds of the `problems[]` of the evidence `collect` wrote to standard output.
fn problem_kinds(output: &std::process::Output) -> Vec<String> {
    let evidence: Value = serde_json::from_slice(&output.stdout).expect("evidence");
    evidence["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["kind"].as_str().expect("kind").to_owned())
        .collect()
}

// https://github.com/stagegate/stagegate/issues/11 (point 4): a scan of one platform of a
// multi-platform subject matches only once the registry lists that platform.
#[test]
fn scans_of_a_platform_manifest_are_checked_in_the_registry() {
    let Some(registry) = TestRegistry::start("collect-platforms") else {
        return;
    };
    let (index, platforms, attestation) = registry.push_index("shop/multi", "v1", "multi");
    let listed = stagegate::oci::runtime()
        .expect("runtime")
        .block_on(client().platform_manifests(&index))
        .expect("platform manifests");
    let digests: Vec<&str> = platforms.iter().map(|p| p.digest.as_str()).collect();
    assert_eq!(
        listed, digests,
        "BuildKit's attestation manifest is no platform"
    );
    assert!(
        stagegate::oci::runtime()
            .expect("runtime")
            .block_on(client().platform_manifests(&platforms[0]))
            .expect("a manifest")
            .is_empty()
    );

    // The real Grype report of keycloak (pulled by its index, the amd64 manifest scanned),
    // moved onto our image: `repoDigests` and `userInput` name our index, `manifestDigest`
    // the manifest scanned.
    let dir = promotion("collect-platforms", &index);
    let keycloak = fs_err::read_to_string(repo_file(
        "testdata/corpus/grype/grype-image-keycloak-21.0.2.json",
    ))
    .expect("read");
    let scan_of = |name: &str, examined: &Pinned| {
        let text = keycloak
            .replace(
                "sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50",
                &index.digest,
            )
            .replace(
                "sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e",
                &examined.digest,
            );
        assert_ne!(text, keycloak);
        dir.write(name, text);
    };
    scan_of("amd64.json", &platforms[0]);
    scan_of("attestation.json", &attestation);
    let other = repo_file("testdata/corpus/grype/grype-image-keycloak-21.0.2.json");
    let collect = |target: &[&str], scan: &str| {
        let output = dir
            .command()
            .arg("collect")
            .args(target)
            .args(["--scan", scan])
            .output()
            .expect("run");
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        output
    };
    let subject = ["--subject", &index.display()];
    let image = ["--image", &index.display()];

    // Without the registry: the scanner's word is recorded, not believed.
    let out = collect(&subject, "amd64.json");
    assert_eq!(problem_kinds(&out), ["subject-platform-unverified"]);
    // With it: a listed platform matches...
    assert!(problem_kinds(&collect(&image, "amd64.json")).is_empty());
    // ...and an unlisted manifest (the attestation entry) does not.
    let out = collect(&image, "attestation.json");
    assert_eq!(problem_kinds(&out), ["subject-mismatch"]);
    let evidence: Value = serde_json::from_slice(&out.stdout).expect("evidence");
    let message = evidence["problems"][0]["message"]
        .as_str()
        .expect("message");
    assert!(message.contains("2 platform manifests"), "{message}");
    // A scan of another image is flagged either way.
    let other = other.display().to_string();
    assert_eq!(
        problem_kinds(&collect(&subject, &other)),
        ["subject-mismatch"]
    );
    assert_eq!(
        problem_kinds(&collect(&image, &other)),
        ["subject-mismatch"]
    );
}

// https://github.com/stagegate/stagegate/issues/11 (point 6): syft lists the image's
// distribution as an `operating-system` component, with no purl and no license; it is not a
// package, and the starter policies do not flag it as one.
#[test]
fn syft_operating_system_component_is_not_flagged_as_a_package() {
    let dir = Dir::new("syft-os");
    let output = dir
        .command()
        .args(["evaluate", "--stage", "dev", "--format", "json"])
        .args(["--effective-time", EFFECTIVE_TIME, "--config"])
        .arg(repo_file("stagegate.yaml"))
        .args(["--subject", SUBJECT, "--save-evidence", "evidence.json"])
        .arg("--sbom")
        .arg(repo_file(
            "testdata/corpus/cyclonedx/cdx-1.5-syft-1.6.0.json",
        ))
        .output()
        .expect("run");
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let evidence: Value =
        serde_json::from_slice(&fs_err::read(dir.path().join("evidence.json")).expect("read"))
            .expect("evidence");
    let components = evidence["sbom"]["components"]
        .as_array()
        .expect("components");
    assert!(components.iter().any(|c| c["type"] == "operating-system"
        && c["name"] == "alpine"
        && c.get("purl").is_none()
        && c["licenses"] == serde_json::json!([])));
    let decision: Value = serde_json::from_slice(&output.stdout).expect("decision");
    let warned: Vec<&str> = decision["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["rule"].as_str())
        .collect();
    assert!(
        !warned.contains(&"sbom.component_without_purl") && !warned.contains(&"licenses.unknown"),
        "{warned:?}"
    );
}
