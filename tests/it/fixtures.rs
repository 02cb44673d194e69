//! Regenerates the signed parts of `testdata/evidence/*.json` (run on purpose, not by default):
//!
//!     cargo test --test it fixtures::regenerate -- --ignored --exact
//!
//! Each fixture's provenance becomes a Sigstore bundle signed by the builder key
//! (`testdata/keys/builder.key`; an attestation written `verified: false` is signed by
//! `mallory.key`, whom nothing trusts), and each approval written `verified: true` a signed
//! approval by the approver's key. The bundles go under `raw` with their `sources` entries,
//! and the outcomes are recorded by the verifier with the repository's `stagegate.yaml` at
//! stage `prod`, exactly as `stagegate evaluate` records them. ECDSA signing is deterministic
//! (RFC 6979), so running it twice changes nothing.

use std::path::Path;

use serde_json::{Value, json};
use stagegate::attest::approval::APPROVAL_PREDICATE_TYPE;
use stagegate::attest::keys::SigningKey;
use stagegate::attest::sign_statement;
use stagegate::attest::statement::{ResourceDescriptor, Statement};
use stagegate::config::stages::Config;
use stagegate::evidence::{Evidence, Source};
use stagegate::limits::Limits;
use stagegate::verify::Verifier;
use stagegate::verify::evidence::check_evidence;

use crate::util::repo;

fn key(name: &str) -> SigningKey {
    let text =
        fs_err::read_to_string(repo().join("testdata/keys").join(format!("{name}.key"))).unwrap();
    SigningKey::from_pem(&text, b"stagegate-test").unwrap()
}

fn bundle(statement: &Statement, key: &SigningKey) -> String {
    sign_statement(statement, key).unwrap().to_json().unwrap()
}

fn source(kind: &str, path: &str, text: &str) -> Source {
    use sha2::Digest;
    Source {
        kind: kind.into(),
        path: path.into(),
        format: "sigstore-bundle".into(),
        format_version: Some("0.3".into()),
        sha256: hex::encode(sha2::Sha256::digest(text.as_bytes())),
    }
}

fn regenerate_one(path: &Path, verifier: &Verifier) {
    let mut doc: Value = serde_json::from_slice(&fs_err::read(path).unwrap()).unwrap();
    let subject = doc["subject"].clone();
    let name = subject["name"].as_str().unwrap().to_owned();
    let digest = subject["digest"]["sha256"].as_str().unwrap().to_owned();
    let mut sources: Vec<Source> = serde_json::from_value(doc["sources"].clone()).unwrap();
    sources.retain(|s| ["sbom", "scan", "tests"].contains(&s.kind.as_str()));
    let mut raw = serde_json::Map::new();
    let mut attestations = Vec::new();
    for (i, attestation) in doc["attestations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        // Approval statements are derived from the approvals below.
        .filter(|a| a["predicateType"] != APPROVAL_PREDICATE_TYPE)
        .enumerate()
    {
        let subjects: Vec<ResourceDescriptor> =
            serde_json::from_value(attestation["subjects"].clone()).unwrap();
        let statement = Statement {
            subject: subjects,
            ..Statement::new(
                ResourceDescriptor::sha256(&name, &digest),
                attestation["predicateType"].as_str().unwrap(),
                attestation["predicate"].clone(),
            )
        };
        let (signer, file) = if attestation["verified"] == json!(true) {
            ("builder", format!("out/provenance-{i}.sigstore.json"))
        } else {
            ("mallory", format!("laptop/provenance-{i}.sigstore.json"))
        };
        let text = bundle(&statement, &key(signer));
        raw.insert(
            sources.len().to_string(),
            serde_json::from_str(&text).unwrap(),
        );
        sources.push(source("attestation", &file, &text));
        attestations.push(attestation);
    }
    let mut approvals = Vec::new();
    for approval in doc["approvals"].as_array().cloned().unwrap_or_default() {
        if approval["verified"] != json!(true) {
            approvals.push(approval);
            continue;
        }
        let approver = approval["approver"].as_str().unwrap().to_lowercase();
        let person = approver.split('@').next().unwrap().to_owned();
        let mut predicate = json!({
            "stage": approval["stage"], "approvedAt": approval["at"],
            "approver": approval["approver"], "role": approval["role"],
        });
        if let Some(comment) = approval.get("comment") {
            predicate["comment"] = comment.clone();
        }
        let statement = Statement::new(
            ResourceDescriptor::sha256(&name, &digest),
            APPROVAL_PREDICATE_TYPE,
            predicate,
        );
        let text = bundle(&statement, &key(&person));
        raw.insert(
            sources.len().to_string(),
            serde_json::from_str(&text).unwrap(),
        );
        sources.push(source(
            "approval",
            &format!("approvals/{person}-{}.sigstore.json", approvals.len()),
            &text,
        ));
    }
    doc["sources"] = serde_json::to_value(&sources).unwrap();
    doc["raw"] = Value::Object(raw);
    doc["attestations"] = Value::Array(attestations);
    doc["approvals"] = Value::Array(approvals);
    let mut evidence: Evidence = serde_json::from_value(doc).unwrap();
    // Every bundle's statements, as `collect` would read them; then the verifier's outcomes.
    evidence.attestations = Some(
        stagegate::evidence::signed::signed_attestations(&evidence, &Limits::default())
            .unwrap()
            .into_iter()
            .map(|s| s.attestation)
            .collect(),
    );
    let checked = check_evidence(&evidence, verifier, Some("prod"), &Limits::default()).unwrap();
    checked.apply(&mut evidence);
    fs_err::write(path, evidence.to_json_bytes().unwrap()).unwrap();
}

#[test]
#[ignore = "rewrites testdata/evidence: run on purpose"]
fn regenerate() {
    let config = Config::load(&repo().join("stagegate.yaml"), &Limits::default()).unwrap();
    let trust = stagegate::verify::Trust::load(&config.trust).unwrap();
    let verifier = Verifier::new(&trust);
    for entry in fs_err::read_dir(repo().join("testdata/evidence")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".json") && name != "expected.json" {
            regenerate_one(&path, &verifier);
        }
    }
}
