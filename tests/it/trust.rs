//! Trust that holds (issue 11): an attestation counts only when stagegate verified it, with a
//! key trusted for what it is; a `verified` written into a document is never believed; a
//! builder's key cannot sign a stage result.

use std::path::PathBuf;

use serde_json::{Value, json};
use stagegate::attest::keys::SigningKey;
use stagegate::attest::sign_statement;
use stagegate::attest::statement::{ResourceDescriptor, Statement};

use crate::util::{Dir, code, repo_file, stderr, stdout};

const PASSWORD: &str = "stagegate-test";
const DIGEST: &str = "1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82";
const NAME: &str = "registry.example.com/demo/alpine";

const CONFIG: &str = "\
stages:
  staging:
    require_evidence: [provenance]
  prod:
    requires: [staging]
    require_evidence: [sbom]
trust:
  keys:
    - {key: keys/builder.pub, for: [provenance], name: ci-builder}
    - {key: keys/gate.pub, for: [results], name: gate}
";

fn signing_key(name: &str) -> SigningKey {
    let text = fs_err::read_to_string(repo_file(&format!("testdata/keys/{name}.key"))).unwrap();
    SigningKey::from_pem(&text, PASSWORD.as_bytes()).unwrap()
}

/// A project with [`CONFIG`] and the public keys it names.
fn project(name: &str) -> Dir {
    let dir = Dir::new(name);
    dir.write("stagegate.yaml", CONFIG);
    for key in ["builder", "gate"] {
        dir.write(
            &format!("keys/{key}.pub"),
            fs_err::read(repo_file(&format!("testdata/keys/{key}.pub"))).unwrap(),
        );
    }
    dir
}

/// An SLSA v1 provenance about the subject, signed by `signer`, as a bundle or bare DSSE.
fn provenance(dir: &Dir, signer: &str, bare: bool) -> PathBuf {
    let statement = Statement::new(
        ResourceDescriptor::sha256(NAME, DIGEST),
        "https://slsa.dev/provenance/v1",
        json!({"buildDefinition": {"buildType": "https://example.com/build/v1", "externalParameters": {}},
               "runDetails": {"builder": {"id": "https://ci.example.com/builders/hermetic@v1"}}}),
    );
    let bundle = sign_statement(&statement, &signing_key(signer))
        .unwrap()
        .to_json()
        .unwrap();
    let (file, text) = if bare {
        let value: Value = serde_json::from_str(&bundle).unwrap();
        (
            format!("{signer}.dsse.json"),
            value["dsseEnvelope"].to_string(),
        )
    } else {
        (format!("{signer}.sigstore.json"), bundle)
    };
    dir.write(&file, text)
}

fn collect(dir: &Dir, attestation: &std::path::Path) -> Value {
    let out = dir
        .command()
        .args(["collect", "--subject", &format!("{NAME}@sha256:{DIGEST}")])
        .arg("--attestation")
        .arg(attestation)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn evaluate_staging(dir: &Dir, evidence: &std::path::Path) -> std::process::Output {
    dir.command()
        .args(["evaluate", "--stage", "staging", "--evidence"])
        .arg(evidence)
        .output()
        .unwrap()
}

#[test]
fn provenance_counts_only_from_a_key_trusted_for_provenance() {
    let dir = project("trust-provenance");
    for bare in [false, true] {
        // Trusted for provenance: verified, and the stage passes.
        let evidence = collect(&dir, &provenance(&dir, "builder", bare));
        let attestation = &evidence["attestations"][0];
        assert_eq!(attestation["verified"], true, "{attestation}");
        assert_eq!(attestation["signer"]["name"], "ci-builder");
        assert_eq!(attestation["signer"]["kind"], "key");
        assert_eq!(attestation["trustedFor"], json!(["provenance"]));
        let path = dir.write("evidence.json", evidence.to_string());
        let out = evaluate_staging(&dir, &path);
        assert_eq!(code(&out), 0, "bare {bare}: {}", stdout(&out));

        // Untrusted, and trusted for another purpose (the gate's key): not verified, each
        // with its reason, and `require_evidence: [provenance]` fails.
        for (signer, reason) in [
            ("other", "signed by an untrusted key"),
            (
                "gate",
                "signed by `gate`, which is trusted for results only, not for provenance",
            ),
        ] {
            let evidence = collect(&dir, &provenance(&dir, signer, bare));
            let attestation = &evidence["attestations"][0];
            assert_eq!(attestation["verified"], false, "{signer}");
            assert!(attestation.get("signer").is_none(), "{attestation}");
            let rejection = attestation["rejection"].as_str().unwrap();
            assert!(rejection.contains(reason), "{signer}: {rejection}");
            let path = dir.write("evidence.json", evidence.to_string());
            let out = evaluate_staging(&dir, &path);
            assert_eq!(code(&out), 1, "{signer}");
            assert!(
                stdout(&out).contains("no verified SLSA provenance"),
                "{}",
                stdout(&out)
            );
        }
    }
}

#[test]
fn a_forged_verified_claim_is_not_believed_and_nothing_is_signed() {
    let dir = project("trust-forged");
    let mut evidence = collect(&dir, &provenance(&dir, "other", false));
    // Edit the document the way an attacker would.
    evidence["attestations"][0]["verified"] = json!(true);
    evidence["attestations"][0]["trustedFor"] = json!(["provenance"]);
    evidence["attestations"][0]["signer"] = json!({"kind": "key", "name": "ci-builder"});
    evidence["attestations"][0]
        .as_object_mut()
        .unwrap()
        .remove("rejection");
    let forged = dir.write("forged.json", evidence.to_string());

    let out = evaluate_staging(&dir, &forged);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("claims `verified: true`"),
        "{}",
        stderr(&out)
    );

    // The evidence the decision is bound to says what the Verifier found; every other member
    // (the signed document under `raw` included) is as written.
    let out = dir
        .command()
        .args(["evaluate", "--stage", "staging", "--evidence"])
        .arg(&forged)
        .args(["--save-evidence", "saved.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let saved: Value =
        serde_json::from_slice(&fs_err::read(dir.path().join("saved.json")).unwrap()).unwrap();
    assert_eq!(saved["attestations"][0]["verified"], false, "{saved}");
    assert!(saved["attestations"][0]["rejection"].is_string(), "{saved}");
    let mut unchanged = evidence.clone();
    let mut read_back = saved.clone();
    for document in [&mut unchanged, &mut read_back] {
        document.as_object_mut().unwrap().remove("attestations");
    }
    assert_eq!(read_back, unchanged);

    // Saved or not (when not, the raw documents nothing reads are let go once checked, and the
    // document is read again for the outcomes), the decision is bound to the same bytes.
    let digest = |save: bool| {
        let mut command = dir.command();
        command
            .args([
                "evaluate",
                "--stage",
                "staging",
                "--format",
                "json",
                "--evidence",
            ])
            .arg(&forged);
        if save {
            command.args(["--save-evidence", "saved-again.json"]);
        }
        let out = command.output().unwrap();
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        let decision: Value = serde_json::from_slice(&out.stdout).unwrap();
        decision["evidenceDigest"].as_str().unwrap().to_owned()
    };
    let saved_bytes = fs_err::read(dir.path().join("saved.json")).unwrap();
    let expected = format!(
        "sha256:{}",
        stagegate::digest::Sha256Digest::of(&saved_bytes).into_hex()
    );
    assert_eq!(digest(false), expected);
    assert_eq!(digest(true), expected);
    // From standard input, which cannot be read again: kept whole.
    let out = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "staging",
            "--format",
            "json",
            "--evidence",
            "-",
        ])
        .write_stdin(fs_err::read(&forged).unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let decision: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decision["evidenceDigest"], expected.as_str());

    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["gate", "--stage", "staging", "--evidence"])
        .arg(&forged)
        .arg("--key")
        .arg(repo_file("testdata/keys/gate.key"))
        .args(["--bundle-out", "staging.sigstore.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(!dir.path().join("staging.sigstore.json").exists());
    assert!(!dir.path().join("staging.decision.sigstore.json").exists());

    // A statement pasted into `attestations` with no signed document under `raw`.
    let mut evidence = collect(&dir, &provenance(&dir, "builder", false));
    let mut pasted = evidence["attestations"][0].clone();
    pasted.as_object_mut().unwrap().remove("source");
    evidence["attestations"] = json!([pasted]);
    evidence["raw"] = json!({});
    let pasted = dir.write("pasted.json", evidence.to_string());
    let out = evaluate_staging(&dir, &pasted);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
}

#[test]
fn a_stage_result_signed_by_a_builder_key_does_not_count() {
    let dir = project("trust-chain");
    let evidence = collect(&dir, &provenance(&dir, "builder", false));
    let mut with_sbom = evidence.clone();
    with_sbom["sbom"] = json!({"format": "cyclonedx", "components": [{"name": "a", "version": "1", "purl": "pkg:npm/a@1", "licenses": ["MIT"]}]});
    let path = dir.write("evidence.json", with_sbom.to_string());
    let gate = |stage: &str, key: &str, out: &str| {
        dir.command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args(["gate", "--stage", stage, "--evidence"])
            .arg(&path)
            .arg("--key")
            .arg(repo_file(&format!("testdata/keys/{key}.key")))
            .args(["--bundle-out", out, "--chain-dir", "chain"])
            .output()
            .unwrap()
    };
    fs_err::create_dir_all(dir.path().join("chain")).unwrap();
    // The builder signs a staging result: it verifies as a signature, but the key is trusted
    // for provenance only.
    let out = gate("staging", "builder", "chain/staging.sigstore.json");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = gate("prod", "gate", "prod.sigstore.json");
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out)
            .contains("`ci-builder`, which is trusted for provenance only, not for results"),
        "{}",
        stdout(&out)
    );
    // Signed by the gate key, trusted for results: it counts, and the signed decision lists
    // the attestation it relied on, verified, with its signer.
    let out = gate("staging", "gate", "chain/staging.sigstore.json");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = gate("prod", "gate", "prod.sigstore.json");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let bundle: Value = serde_json::from_slice(
        &fs_err::read(dir.path().join("prod.decision.sigstore.json")).unwrap(),
    )
    .unwrap();
    let statement = crate::attest::payload(&bundle);
    let relied = &statement["predicate"]["attestations"][0];
    assert_eq!(relied["verified"], true, "{relied}");
    assert_eq!(relied["signer"]["name"], "ci-builder");
    assert_eq!(relied["trustedFor"], json!(["provenance"]));
}
