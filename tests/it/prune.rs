//! Input pruning (`policy/reach`): on collected evidence (with `raw`), the decision is the same
//! pruned and with `--no-prune`, at every stage of the starter library and for a policy that
//! reads `raw` itself.

use serde_json::Value;

use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr};

const SUBJECT: &str = "registry.example.com/app@sha256:1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82";

/// Collects a real SBOM, scan and test report into `evidence.json` in `dir`.
fn collect(dir: &Dir) {
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
}

/// The decision of `evaluate --format json` without the fields that differ run to run.
fn decide(dir: &Dir, config: &str, stage: &str, extra: &[&str]) -> (i32, Value) {
    let output = dir
        .command()
        .args(["evaluate", "--stage", stage, "--format", "json"])
        .args([
            "--effective-time",
            EFFECTIVE_TIME,
            "--evidence",
            "evidence.json",
        ])
        .args(["--config", config])
        .args(extra)
        .output()
        .expect("run");
    let mut decision: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
    if let Some(object) = decision.as_object_mut() {
        object.remove("promotionId");
        object.remove("evaluatedAt");
    }
    (code(&output), decision)
}

#[test]
fn collected_evidence_gives_the_same_decision_pruned_and_whole() {
    let dir = Dir::new("prune");
    collect(&dir);
    let config = repo_file("stagegate.yaml").display().to_string();
    for stage in ["dev", "staging", "prod"] {
        let pruned = decide(&dir, &config, stage, &[]);
        let whole = decide(&dir, &config, stage, &["--no-prune"]);
        assert_eq!(pruned, whole, "{stage}");
        assert!(matches!(pruned.0, 0 | 1), "{stage}: {:?}", pruned.1);
        assert!(
            pruned.1["violations"]
                .as_array()
                .is_some_and(|v| !v.is_empty())
        );
    }
}

#[test]
fn a_policy_reading_raw_still_sees_it() {
    let dir = Dir::new("prune-raw");
    collect(&dir);
    dir.write(
        "raw/raw.rego",
        r#"package raw

# Reads the original SBOM under `raw`, by a field of each document.
deny contains msg if {
	some doc in input.raw
	doc.bomFormat == "CycloneDX"
	msg := sprintf("raw CycloneDX %s with %d components", [doc.specVersion, count(doc.components)])
}
"#,
    );
    dir.write(
        "walk/walk.rego",
        r#"package walk

# Walks the whole document: nothing may be pruned.
deny contains msg if {
	paths := [p | walk(input, [p, v]); v == "CycloneDX"]
	count(paths) > 0
	msg := sprintf("%d CycloneDX markers", [count(paths)])
}
"#,
    );
    dir.write(
        "stagegate.yaml",
        "version: 1\nstages:\n  raw:\n    policies: [raw]\n  walk:\n    policies: [walk]\n",
    );
    for (stage, expected) in [
        ("raw", "raw CycloneDX 1.5 with "),
        ("walk", " CycloneDX markers"),
    ] {
        let pruned = decide(&dir, "stagegate.yaml", stage, &[]);
        let whole = decide(&dir, "stagegate.yaml", stage, &["--no-prune"]);
        assert_eq!(pruned, whole, "{stage}");
        assert_eq!(pruned.0, 1, "{:?}", pruned.1);
        let messages: Vec<&str> = pruned.1["violations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["message"].as_str())
            .collect();
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{stage}: {messages:?}"
        );
    }
}

/// The engines get a part of the document, but the whole of it is checked as every JSON
/// input is: a repeated key, a number out of range or a lone surrogate deep in a `raw`
/// document (which no policy reaches) still refuses the evidence, naming its line.
#[test]
fn what_is_left_out_is_still_checked() {
    let dir = Dir::new("prune-checked");
    collect(&dir);
    let text = fs_err::read_to_string(dir.path().join("evidence.json")).expect("read");
    let raw = text.find("\"raw\"").expect("a raw member");
    let components = raw + text[raw..].find("\"components\"").expect("the raw SBOM");
    let line = text[..components].lines().count();
    let config = repo_file("stagegate.yaml").display().to_string();
    for (planted, message) in [
        (r#""planted": 1, "planted": 2, "#, "duplicate key `planted`"),
        (r#""planted": 1e999, "#, "number out of range"),
        (r#""planted": "\ud800", "#, "surrogate"),
    ] {
        let mut hostile = text.clone();
        hostile.insert_str(components, planted);
        dir.write("evidence.json", &hostile);
        for extra in [&[][..], &["--no-prune"]] {
            let output = dir
                .command()
                .args(["evaluate", "--stage", "prod", "--evidence", "evidence.json"])
                .args(["--config", &config])
                .args(extra)
                .output()
                .expect("run");
            let err = stderr(&output);
            assert_eq!(code(&output), 2, "{planted} {extra:?}: {err}");
            assert!(err.contains(message), "{planted}: {err}");
            let at = format!("evidence.json:{line}:");
            assert!(err.contains(&at), "{planted}: {at}: {err}");
        }
    }
}

/// A document whose `raw` documents are let go once checked (no policy reaches them) reports a
/// contract error after `raw` at its place in the whole document, as when it is kept whole.
#[test]
fn a_contract_error_after_raw_points_into_the_whole_document() {
    let dir = Dir::new("prune-error");
    collect(&dir);
    let text = fs_err::read_to_string(dir.path().join("evidence.json")).expect("read");
    let evidence: Value = serde_json::from_str(&text).expect("JSON");
    // The subject, last (after `raw`), is not an object.
    let mut reordered = serde_json::Map::new();
    for (key, value) in evidence.as_object().expect("an object") {
        if key != "subject" {
            reordered.insert(key.clone(), value.clone());
        }
    }
    reordered.insert("subject".to_owned(), Value::from(5));
    let written = serde_json::to_string_pretty(&reordered).expect("encode");
    let raw = written.find("\"raw\"").expect("raw");
    let subject = written.find("\"subject\"").expect("subject");
    assert!(raw < subject);
    let line = written[..subject].lines().count();
    dir.write("evidence.json", &written);
    let config = repo_file("stagegate.yaml").display().to_string();
    let errors: Vec<String> = [&[][..], &["--no-prune"], &["--save-evidence", "saved.json"]]
        .into_iter()
        .map(|extra| {
            let output = dir
                .command()
                .args(["evaluate", "--stage", "prod", "--evidence", "evidence.json"])
                .args(["--config", &config])
                .args(extra)
                .output()
                .expect("run");
            assert_eq!(code(&output), 2, "{extra:?}: {}", stderr(&output));
            stderr(&output)
        })
        .collect();
    let at = format!("evidence.json:{line}:");
    assert!(errors[0].contains(&at), "{at}: {}", errors[0]);
    assert!(errors[0].contains("invalid type"), "{}", errors[0]);
    assert_eq!(errors[0], errors[1]);
    assert_eq!(errors[0], errors[2]);
}
