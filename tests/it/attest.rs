//! `keygen`, `gate`, `verify`, `approve` and the promotion chain (issue 4), on the real binary.
//!
//! A [`Promotion`] is a temporary directory with a `stagegate.yaml` for dev → staging → prod
//! (the starter policies, `trust:` naming the test keys in `testdata/keys/`), in which each
//! test runs gates and verifies what they sign. Negative verification cases start from a
//! bundle the gate signed and change one thing each.

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use stagegate::attest::dsse::Envelope;
use stagegate::attest::keys::SigningKey;
use stagegate::attest::vsa::VSA_PREDICATE_TYPE;

use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr};

const PASSWORD: &str = "stagegate-test";

/// The subject digest of `testdata/evidence/good.json`.
const GOOD: &str = "42b421093370e81c12e4f1bed9b9259346d7315a700e07f90a0cdd3e11b76471";

fn key(name: &str) -> PathBuf {
    repo_file(&format!("testdata/keys/{name}"))
}

struct Promotion {
    dir: Dir,
}

impl Promotion {
    fn new(name: &str) -> Promotion {
        let dir = Dir::new(name);
        let p = |rel: &str| repo_file(rel).display().to_string();
        let config = format!(
            r#"version: 1
stages:
  dev:
    policies: [{baseline}]
    data: [{data}]
  staging:
    policies: [{baseline}]
    data: [{data}]
    requires: [dev]
  prod:
    policies: [{baseline}, {release}]
    data: [{data}]
    requires: [staging]
trust:
  keys: [{gate}]
  approvers:
    - {{name: alice@example.com, key: {alice}, roles: [release-manager]}}
    - {{name: bob@example.com, key: {bob}, roles: [release-manager]}}
    - {{name: carol@example.com, key: {mallory_is_not_carol}, roles: [developer]}}
  max_age: 7d
"#,
            baseline = p("policies/baseline"),
            release = p("policies/release"),
            data = p("policies/data.yaml"),
            gate = key("gate.pub").display(),
            alice = key("alice.pub").display(),
            bob = key("bob.pub").display(),
            mallory_is_not_carol = key("other.pub").display(),
        );
        dir.write("stagegate.yaml", config);
        fs_err::create_dir_all(dir.path().join("chain")).unwrap();
        Promotion { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `stagegate gate --stage STAGE` on `good.json`, signing with `gate.key`, writing
    /// `STAGE.sigstore.json`; chain bundles from `chain/`.
    fn gate(&self, stage: &str, evidence: &Path, extra: &[&str]) -> Output {
        self.dir
            .command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args(["gate", "--stage", stage, "--effective-time", EFFECTIVE_TIME])
            // The fixtures are written for EFFECTIVE_TIME, days before the clock.
            .arg("--allow-effective-time")
            .arg("--evidence")
            .arg(evidence)
            .arg("--key")
            .arg(key("gate.key"))
            .args(["--bundle-out", &format!("{stage}.sigstore.json")])
            .args(["--chain-dir", "chain"])
            .args(extra)
            .output()
            .unwrap()
    }

    fn verify(&self, bundle: &Path, stage: &str, subject: &str, extra: &[&str]) -> Output {
        self.dir
            .command()
            .args(["verify", "--stage", stage])
            .args(["--subject", &format!("sha256:{subject}")])
            .arg("--bundle")
            .arg(bundle)
            .arg("--key")
            .arg(key("gate.pub"))
            .args(extra)
            .output()
            .unwrap()
    }

    /// Runs dev's gate and puts its VSA into `chain/`.
    fn pass_dev(&self) {
        let out = self.gate("dev", &good(), &[]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        fs_err::copy(
            self.path("dev.sigstore.json"),
            self.path("chain/dev.sigstore.json"),
        )
        .unwrap();
    }
}

fn good() -> PathBuf {
    repo_file("testdata/evidence/good.json")
}

pub(crate) fn payload(bundle: &Value) -> Value {
    let text = bundle["dsseEnvelope"]["payload"].as_str().unwrap();
    serde_json::from_slice(&STANDARD.decode(text).unwrap()).unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&fs_err::read(path).unwrap()).unwrap()
}

fn signing_key(name: &str) -> SigningKey {
    let text = fs_err::read_to_string(key(name)).unwrap();
    SigningKey::from_pem(&text, PASSWORD.as_bytes()).unwrap()
}

/// A bundle signed with `gate.key` over `statement` (or any payload type).
fn signed_bundle(payload_type: &str, statement: &Value) -> String {
    let key = signing_key("gate.key");
    let envelope = Envelope::sign(payload_type, serde_json::to_vec(statement).unwrap(), &key);
    stagegate::attest::bundle::Bundle::for_envelope(envelope, &key.public_key())
        .to_json()
        .unwrap()
}

#[test]
fn keygen_writes_cosign_format_keys() {
    let dir = Dir::new("keygen");
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", "pw")
        .args(["keygen", "--output-key-prefix", "ci"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let private = fs_err::read_to_string(dir.path().join("ci.key")).unwrap();
    assert!(private.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    assert!(
        fs_err::read_to_string(dir.path().join("ci.pub"))
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----\n")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs_err::metadata(dir.path().join("ci.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let key = SigningKey::from_pem(&private, b"pw").unwrap();
    assert!(!stderr(&out).contains(&private[40..80]));
    // COSIGN_PASSWORD works too; an existing key is not replaced without --force.
    let again = dir
        .command()
        .env("COSIGN_PASSWORD", "pw")
        .env_remove("STAGEGATE_PASSWORD")
        .args(["keygen", "--output-key-prefix", "ci"])
        .output()
        .unwrap();
    assert_eq!(code(&again), 2);
    assert!(stderr(&again).contains("already exists"));
    // Without a password and without a terminal: an error, no key.
    let none = dir
        .command()
        .env_remove("STAGEGATE_PASSWORD")
        .env_remove("COSIGN_PASSWORD")
        .args(["keygen", "--output-key-prefix", "other"])
        .output()
        .unwrap();
    assert_eq!(code(&none), 2);
    assert!(!dir.path().join("other.key").exists());
    // The key signs something the gate's verifier accepts.
    let signature = key.sign(b"m");
    key.public_key().verify(b"m", &signature).unwrap();
}

#[test]
fn gate_refuses_the_vm_and_signs_nothing() {
    let promotion = Promotion::new("gate-no-vm");
    let out = promotion.gate("dev", &good(), &["--rego-engine", "vm"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("interpreter only"),
        "{}",
        stderr(&out)
    );
    assert!(!promotion.path("dev.sigstore.json").exists());
}

#[test]
fn gate_signs_a_vsa_and_a_decision_that_verify() {
    let promotion = Promotion::new("gate-signs");
    let out = promotion.gate("dev", &good(), &["--format", "json=decision.json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let vsa_path = promotion.path("dev.sigstore.json");
    let bundle = read_json(&vsa_path);
    assert_eq!(
        bundle["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert!(bundle["verificationMaterial"]["publicKey"]["hint"].is_string());
    let statement = payload(&bundle);
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], VSA_PREDICATE_TYPE);
    assert_eq!(statement["subject"][0]["digest"]["sha256"], GOOD);
    let predicate = &statement["predicate"];
    assert_eq!(predicate["verificationResult"], "PASSED");
    assert_eq!(predicate["verifiedLevels"], json!(["STAGEGATE_STAGE_dev"]));
    let decision = read_json(&promotion.path("decision.json"));
    let policy_digest = decision["policyDigest"].as_str().unwrap();
    assert_eq!(
        format!(
            "sha256:{}",
            predicate["policy"]["digest"]["sha256"].as_str().unwrap()
        ),
        policy_digest
    );

    let decision_bundle = read_json(&promotion.path("dev.decision.sigstore.json"));
    let decision_statement = payload(&decision_bundle);
    assert_eq!(
        decision_statement["predicateType"],
        "https://stagegate.dev/decision/v1"
    );
    assert_eq!(decision_statement["predicate"]["result"], "pass");
    assert_eq!(
        decision_statement["predicate"]["promotionId"],
        decision["promotionId"]
    );
    assert!(decision_statement["predicate"]["sources"].is_array());

    let ok = promotion.verify(
        &vsa_path,
        "dev",
        GOOD,
        &["--max-age", "1h", "--policy-digest", policy_digest],
    );
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    assert!(stderr(&ok).contains("Verified:"));
    let pinned = promotion.verify(
        &vsa_path,
        "dev",
        GOOD,
        &["--policy-digest", &format!("sha256:{}", "0".repeat(64))],
    );
    assert_eq!(code(&pinned), 1);
    assert!(stderr(&pinned).contains("the policy digest is"));
}

#[test]
fn failing_gate_signs_nothing_unless_asked() {
    let promotion = Promotion::new("gate-fails");
    let failing = repo_file("testdata/evidence/fail-licenses.banned.json");
    let out = promotion.gate("dev", &failing, &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(!promotion.path("dev.sigstore.json").exists());
    assert!(!promotion.path("dev.decision.sigstore.json").exists());

    let out = promotion.gate("dev", &failing, &["--attest-failures"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let statement = payload(&read_json(&promotion.path("dev.sigstore.json")));
    assert_eq!(statement["predicate"]["verificationResult"], "FAILED");
    assert_eq!(statement["predicate"]["verifiedLevels"], json!([]));
    let subject = statement["subject"][0]["digest"]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let rejected = promotion.verify(&promotion.path("dev.sigstore.json"), "dev", &subject, &[]);
    assert_eq!(code(&rejected), 1);
}

#[test]
fn erroring_gate_signs_nothing() {
    let promotion = Promotion::new("gate-error");
    let broken = promotion.dir.write("broken.json", "{\"apiVersion\": ");
    let out = promotion.gate("dev", &broken, &["--attest-failures"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(!promotion.path("dev.sigstore.json").exists());
    // A wrong password is an error before anything is evaluated.
    let out = promotion
        .dir
        .command()
        .env("STAGEGATE_PASSWORD", "wrong")
        .args(["gate", "--stage", "dev", "--evidence"])
        .arg(good())
        .arg("--key")
        .arg(key("gate.key"))
        .args(["--bundle-out", "dev.sigstore.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("wrong password"), "{}", stderr(&out));
    assert!(!promotion.path("dev.sigstore.json").exists());
}

#[test]
fn chain_requires_a_verified_passing_result_of_the_earlier_stage() {
    let promotion = Promotion::new("chain");
    // No dev result at all.
    let out = promotion.gate("staging", &good(), &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("stagegate.chain.dev"), "{text}");
    assert!(!promotion.path("staging.sigstore.json").exists());

    // A dev result for the same digest: staging passes and lists it as an input.
    promotion.pass_dev();
    let out = promotion.gate("staging", &good(), &[]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    let statement = payload(&read_json(&promotion.path("staging.sigstore.json")));
    let inputs = statement["predicate"]["inputAttestations"].to_string();
    assert!(inputs.contains("chain/dev.sigstore.json"), "{inputs}");

    // prod needs staging, not dev: the dev result in chain/ does not count.
    let out = promotion.gate("prod", &good(), &[]);
    assert_eq!(code(&out), 1);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("stagegate.chain.staging"), "{text}");
}

#[test]
fn chain_rejects_other_digest_untrusted_key_and_failed_results() {
    let promotion = Promotion::new("chain-bad");
    // A dev VSA about another artifact, signed by the trusted key.
    let other = signed_bundle(
        "application/vnd.in-toto+json",
        &vsa(&"1".repeat(64), "dev", "PASSED", &now()),
    );
    promotion
        .dir
        .write("chain/other-digest.sigstore.json", other);
    // A dev VSA for the right digest signed by an untrusted key.
    let out = promotion
        .dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args([
            "gate",
            "--stage",
            "dev",
            "--effective-time",
            EFFECTIVE_TIME,
            "--allow-effective-time",
            "--evidence",
        ])
        .arg(good())
        .arg("--key")
        .arg(key("other.key"))
        .args(["--bundle-out", "chain/untrusted.sigstore.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // A FAILED dev VSA for the right digest, signed by the trusted key.
    let failed = signed_bundle(
        "application/vnd.in-toto+json",
        &vsa(GOOD, "dev", "FAILED", &now()),
    );
    promotion.dir.write("chain/failed.sigstore.json", failed);
    // An expired one.
    let old = signed_bundle(
        "application/vnd.in-toto+json",
        &vsa(GOOD, "dev", "PASSED", "2020-01-01T00:00:00Z"),
    );
    promotion.dir.write("chain/old.sigstore.json", old);

    let out = promotion.gate("staging", &good(), &[]);
    assert_eq!(code(&out), 1);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("stagegate.chain.dev"), "{text}");
    assert!(text.contains("signed by an untrusted key"), "{text}");
    assert!(text.contains("not a pass"), "{text}");
    assert!(text.contains("too old"), "{text}");
    assert!(text.contains("no subject has the digest"), "{text}");
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn vsa(subject: &str, stage: &str, result: &str, at: &str) -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example.com/shop/api", "digest": {"sha256": subject}}],
        "predicateType": VSA_PREDICATE_TYPE,
        "predicate": {
            "verifier": {"id": "https://stagegate.dev/verifier/v1"},
            "timeVerified": at,
            "resourceUri": format!("registry.example.com/shop/api@sha256:{subject}"),
            "policy": {"uri": "stagegate.yaml#stages.dev", "digest": {"sha256": "0".repeat(64)}},
            "verificationResult": result,
            "verifiedLevels": if result == "PASSED" { json!([format!("STAGEGATE_STAGE_{stage}")]) } else { json!([]) },
        }
    })
}

fn approve(promotion: &Promotion, signer: &str, stage: &str, role: &str, out: &str) {
    let output = promotion
        .dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["approve", "--stage", stage])
        .args([
            "--subject",
            &format!("registry.example.com/shop/api@sha256:{GOOD}"),
        ])
        .arg("--key")
        .arg(key(&format!("{signer}.key")))
        .args(["--role", role, "--comment", "CAB-1", "--output", out])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn only_trusted_approvals_for_this_stage_count() {
    let promotion = Promotion::new("approvals");
    promotion.pass_dev();
    let out = promotion.gate("staging", &good(), &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    fs_err::copy(
        promotion.path("staging.sigstore.json"),
        promotion.path("chain/staging.sigstore.json"),
    )
    .unwrap();

    // A document claiming two verified approvals that no signature backs: the gate does not
    // take its word for it.
    let forged = promotion.path("forged.json");
    fs_err::write(&forged, forged_approvals(&good())).unwrap();
    let out = promotion.gate("prod", &forged, &["--format", "json=decision.json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let decision = read_json(&promotion.path("decision.json"));
    assert!(decision["violations"].to_string().contains("approvals"));

    // alice + an untrusted key claiming release-manager + bob for staging + carol (a developer
    // by the trust config, though she claims release-manager): one verified release manager.
    approve(
        &promotion,
        "alice",
        "prod",
        "release-manager",
        "chain/alice.json",
    );
    approve(
        &promotion,
        "mallory",
        "prod",
        "release-manager",
        "chain/mallory.json",
    );
    approve(
        &promotion,
        "bob",
        "staging",
        "release-manager",
        "chain/bob-staging.json",
    );
    approve(
        &promotion,
        "other",
        "prod",
        "release-manager",
        "chain/carol.json",
    );
    let out = promotion.gate("prod", &forged, &["--format", "json=decision.json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let decision = read_json(&promotion.path("decision.json"));
    assert!(
        decision["violations"].to_string().contains("found 1"),
        "{decision}"
    );

    // bob for prod: two distinct verified release managers.
    approve(
        &promotion,
        "bob",
        "prod",
        "release-manager",
        "chain/bob.json",
    );
    let out = promotion.gate("prod", &forged, &["--format", "json=decision.json"]);
    assert_eq!(
        code(&out),
        0,
        "{}",
        read_json(&promotion.path("decision.json"))["violations"]
    );
    let statement = payload(&read_json(&promotion.path("prod.sigstore.json")));
    let inputs = statement["predicate"]["inputAttestations"].to_string();
    assert!(inputs.contains("chain/alice.json") && inputs.contains("chain/bob.json"));
    assert!(!inputs.contains("mallory"), "{inputs}");
    let decision_statement = payload(&read_json(&promotion.path("prod.decision.sigstore.json")));
    assert_eq!(decision_statement["predicate"]["result"], "pass");
}

/// Every way a bundle can be wrong, each with its own reason (exit 1), as one snapshot.
#[test]
fn verify_rejects_each_defect_with_its_reason() {
    let promotion = Promotion::new("verify-defects");
    promotion.pass_dev();
    let good_path = promotion.path("dev.sigstore.json");
    let good_text = fs_err::read_to_string(&good_path).unwrap();
    let good_bundle: Value = serde_json::from_str(&good_text).unwrap();
    let good_statement = payload(&good_bundle);

    let mut cases: Vec<(&str, String, Vec<&str>)> = Vec::new();
    let mut tampered_payload = good_bundle.clone();
    let mut statement = good_statement.clone();
    statement["predicate"]["verifiedLevels"] = json!(["STAGEGATE_STAGE_prod"]);
    tampered_payload["dsseEnvelope"]["payload"] =
        json!(STANDARD.encode(serde_json::to_vec(&statement).unwrap()));
    cases.push(("tampered payload", tampered_payload.to_string(), vec![]));

    let mut tampered_signature = good_bundle.clone();
    let mut sig = STANDARD
        .decode(
            tampered_signature["dsseEnvelope"]["signatures"][0]["sig"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let last = sig.len() - 1;
    sig[last] ^= 0x01;
    tampered_signature["dsseEnvelope"]["signatures"][0]["sig"] = json!(STANDARD.encode(sig));
    cases.push(("tampered signature", tampered_signature.to_string(), vec![]));

    cases.push(("wrong key", good_text.clone(), vec!["wrong-key"]));
    cases.push(("other digest", good_text.clone(), vec!["other-digest"]));
    cases.push(("other stage", good_text.clone(), vec!["other-stage"]));
    cases.push((
        "failed result",
        signed_bundle(
            "application/vnd.in-toto+json",
            &vsa(GOOD, "dev", "FAILED", &now()),
        ),
        vec![],
    ));
    cases.push((
        "too old",
        signed_bundle(
            "application/vnd.in-toto+json",
            &vsa(GOOD, "dev", "PASSED", "2020-01-01T00:00:00Z"),
        ),
        vec!["max-age"],
    ));
    cases.push((
        "wrong predicate type",
        fs_err::read_to_string(promotion.path("dev.decision.sigstore.json")).unwrap(),
        vec![],
    ));
    cases.push((
        "wrong payload type",
        signed_bundle("application/json", &good_statement),
        vec![],
    ));
    cases.push((
        "truncated bundle",
        good_text[..good_text.len() / 2].to_owned(),
        vec![],
    ));
    cases.push(("not JSON", "this is not a bundle\n".to_owned(), vec![]));
    let mut unsigned = good_bundle.clone();
    unsigned["dsseEnvelope"]["signatures"] = json!([]);
    cases.push(("no signatures", unsigned.to_string(), vec![]));

    let mut report = String::new();
    for (index, (name, text, flags)) in cases.iter().enumerate() {
        let path = promotion.dir.write(&format!("case-{index}.json"), text);
        let mut command = promotion.dir.command();
        command.args(["verify", "--bundle"]).arg(&path);
        let wrong_key = flags.contains(&"wrong-key");
        command
            .arg("--key")
            .arg(key(if wrong_key { "other.pub" } else { "gate.pub" }));
        let subject = if flags.contains(&"other-digest") {
            "0".repeat(64)
        } else {
            GOOD.to_owned()
        };
        command.args(["--subject", &format!("sha256:{subject}")]);
        let stage = if flags.contains(&"other-stage") {
            "prod"
        } else {
            "dev"
        };
        command.args(["--stage", stage]);
        if flags.contains(&"max-age") {
            command.args(["--max-age", "24h"]);
        }
        let out = command.output().unwrap();
        let message = stderr(&out)
            .replace(&path.display().to_string(), "CASE")
            .trim()
            .to_owned();
        report.push_str(&format!("{name}: exit {}\n  {message}\n", code(&out)));
    }
    insta::with_settings!({filters => vec![
        (r"key id [0-9a-f]{64}", "key id [HINT]"),
        (r"line \d+ column \d+", "line [L] column [C]"),
    ]}, {
        insta::assert_snapshot!(report);
    });
}

#[test]
fn verify_checks_the_corpus_plain_key_signatures() {
    let dir = Dir::new("verify-corpus");
    let corpus = |rel: &str| {
        if rel.starts_with("keys/") {
            repo_file(&format!("testdata/{rel}"))
        } else {
            repo_file(&format!("testdata/corpus/{rel}"))
        }
    };
    let a_txt = fs_err::read(corpus("sigstore/a.txt")).unwrap();
    let a_digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&a_txt));
    let cases: Vec<(&str, &str, Vec<String>)> = vec![
        (
            "sigstore/bundle-v0.3-msgsig-managed-key.sigstore.json",
            "keys/corpus/managed-key.pub.pem",
            vec!["--subject".into(), format!("sha256:{a_digest}")],
        ),
        (
            "sigstore/bundle-v0.1-dsse-npm-publish-plain-key.sigstore.json",
            "keys/corpus/npm-publish-key.pub.pem",
            vec!["--subject".into(), "sha512:76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751".into()],
        ),
        (
            "attestations/witness-dsse-attestation-collection-cdx-ed25519.json",
            "keys/corpus/witness-testpub-ed25519.pem",
            vec!["--predicate-type".into(), "https://witness.testifysec.com/attestation-collection/v0.1".into()],
        ),
        (
            "slsa-provenance/dsse-statement-v1-vsa-v1-plain-key.intoto.jsonl",
            "keys/corpus/vsa-signing-public-key.pem",
            vec![
                "--subject".into(),
                "gce_image_id:8970095005306000053".into(),
                "--predicate-type".into(),
                VSA_PREDICATE_TYPE.into(),
            ],
        ),
    ];
    for (bundle, public, flags) in &cases {
        let run = |key: &Path| {
            dir.command()
                .arg("verify")
                .arg("--bundle")
                .arg(corpus(bundle))
                .arg("--key")
                .arg(key)
                .args(flags)
                .output()
                .unwrap()
        };
        let out = run(&corpus(public));
        assert_eq!(code(&out), 0, "{bundle}: {}", stderr(&out));
        // Each against another corpus key: rejected.
        let other = if public.contains("managed") {
            "keys/corpus/npm-publish-key.pub.pem"
        } else {
            "keys/corpus/managed-key.pub.pem"
        };
        let out = run(&corpus(other));
        assert_eq!(code(&out), 1, "{bundle}: {}", stderr(&out));
    }
    // A keyless bundle, with only a key trusted: rejected (no certificate identity is trusted).
    let out = dir
        .command()
        .arg("verify")
        .arg("--bundle")
        .arg(corpus(
            "sigstore/bundle-v0.3-dsse-intoto-keyless.sigstore.json",
        ))
        .arg("--key")
        .arg(corpus("keys/corpus/managed-key.pub.pem"))
        .args(["--subject", &format!("sha256:{a_digest}")])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("keyless"));
}

#[test]
fn verify_errors_are_exit_2() {
    let dir = Dir::new("verify-errors");
    let missing = dir
        .command()
        .args([
            "verify",
            "--bundle",
            "missing.json",
            "--subject",
            &format!("sha256:{GOOD}"),
        ])
        .arg("--key")
        .arg(key("gate.pub"))
        .output()
        .unwrap();
    assert_eq!(code(&missing), 2);
    let bad_key = dir.write("bad.pub", "not a key");
    let out = dir
        .command()
        .args([
            "verify",
            "--bundle",
            "x.json",
            "--subject",
            &format!("sha256:{GOOD}"),
        ])
        .arg("--key")
        .arg(&bad_key)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    // No rule at all is refused: never "allow".
    let out = dir
        .command()
        .args(["verify", "--bundle", "x.json"])
        .arg("--key")
        .arg(key("gate.pub"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("at least one rule"),
        "{}",
        stderr(&out)
    );
}

/// Ed25519 keys sign and verify too.
#[test]
fn ed25519_key_signs_a_gate() {
    let promotion = Promotion::new("ed25519");
    let out = promotion
        .dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args([
            "gate",
            "--stage",
            "dev",
            "--effective-time",
            EFFECTIVE_TIME,
            "--allow-effective-time",
            "--evidence",
        ])
        .arg(good())
        .arg("--key")
        .arg(key("ed25519.key"))
        .args(["--bundle-out", "dev.sigstore.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = promotion
        .dir
        .command()
        .args([
            "verify",
            "--stage",
            "dev",
            "--subject",
            &format!("sha256:{GOOD}"),
        ])
        .args(["--bundle", "dev.sigstore.json"])
        .arg("--key")
        .arg(key("ed25519.pub"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// The cosign key in `testdata/keys` (written by cosign) signs a gate.
#[test]
fn a_key_cosign_wrote_signs_a_gate() {
    let promotion = Promotion::new("cosign-key");
    let out = promotion
        .dir
        .command()
        .env("STAGEGATE_PASSWORD", "")
        .args([
            "gate",
            "--stage",
            "dev",
            "--effective-time",
            EFFECTIVE_TIME,
            "--allow-effective-time",
            "--evidence",
        ])
        .arg(good())
        .arg("--key")
        .arg(key("cosign-generated-empty-password.key"))
        .args(["--bundle-out", "dev.sigstore.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// The independent verifiers of `tests/independent/` (sigstore-js and securesystemslib), or
/// `None` when they are not installed here. Under CI (`CI=true`) a missing tool fails the test:
/// `.ci/run` installs them, and a skipped check must never look like a pass there.
fn independent(tool: &str) -> Option<PathBuf> {
    let dir = repo_file("tests/independent");
    let ready = match tool {
        "node" => dir.join("node_modules/@sigstore/verify").is_dir(),
        _ => std::process::Command::new("python3")
            .args([
                "-c",
                "import in_toto.models.metadata, nacl.secret, cryptography",
            ])
            .output()
            .is_ok_and(|o| o.status.success()),
    };
    if ready {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "{tool} verifier not installed (see .ci/run); CI must not skip it"
    );
    eprintln!("skipped: the {tool} independent verifier is not installed (see .ci/run)");
    None
}

fn run_independent(dir: &Path, program: &str, args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out = std::process::Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Our bundles (ECDSA P-256 and Ed25519, VSA and decision), checked by sigstore-js and by
/// securesystemslib's DSSE `Envelope.verify`; a tampered one and a wrong key are refused.
#[test]
fn independent_verifiers_accept_our_bundles() {
    let node = independent("node");
    let python = independent("python");
    if node.is_none() && python.is_none() {
        return;
    }
    let promotion = Promotion::new("independent");
    let mut bundles = Vec::new();
    for (signer, public) in [("gate.key", "gate.pub"), ("ed25519.key", "ed25519.pub")] {
        let out = promotion
            .dir
            .command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args([
                "gate",
                "--stage",
                "dev",
                "--effective-time",
                EFFECTIVE_TIME,
                "--allow-effective-time",
                "--evidence",
            ])
            .arg(good())
            .arg("--key")
            .arg(key(signer))
            .args(["--bundle-out", &format!("{signer}.sigstore.json")])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        bundles.push((
            promotion.path(&format!("{signer}.sigstore.json")),
            key(public),
            true,
        ));
        bundles.push((
            promotion.path(&format!("{signer}.decision.sigstore.json")),
            key(public),
            true,
        ));
    }
    // Tampered payload and a wrong key: both must be refused.
    let mut tampered = read_json(&bundles[0].0);
    let mut statement = payload(&tampered);
    statement["predicate"]["verificationResult"] = json!("PASSED ");
    tampered["dsseEnvelope"]["payload"] =
        json!(STANDARD.encode(serde_json::to_vec(&statement).unwrap()));
    let tampered_path = promotion.dir.write("tampered.json", tampered.to_string());
    bundles.push((tampered_path, key("gate.pub"), false));
    bundles.push((bundles[0].0.clone(), key("other.pub"), false));

    for (bundle, public, accept) in &bundles {
        let args = [bundle.as_os_str(), public.as_os_str()];
        if let Some(dir) = &node {
            let (status, output) = run_independent(
                dir,
                "node",
                &[std::ffi::OsStr::new("verify.mjs"), args[0], args[1]],
            );
            assert_eq!(
                status == 0,
                *accept,
                "sigstore-js on {}: {output}",
                bundle.display()
            );
            if *accept {
                assert!(output.contains(GOOD), "{output}");
            }
        }
        if let Some(dir) = &python {
            let (status, output) = run_independent(
                dir,
                "python3",
                &[
                    std::ffi::OsStr::new("verify.py"),
                    std::ffi::OsStr::new("envelope"),
                    args[0],
                    args[1],
                ],
            );
            assert_eq!(
                status == 0,
                *accept,
                "securesystemslib on {}: {output}",
                bundle.display()
            );
        }
    }
}

/// A key `stagegate keygen` writes decrypts with hashlib.scrypt + PyNaCl and loads with
/// `cryptography`: the format is cosign's, not merely one we read back ourselves.
#[test]
fn keygen_output_decrypts_with_an_independent_implementation() {
    let Some(dir) = independent("python") else {
        return;
    };
    let keys = Dir::new("keygen-independent");
    for algorithm in ["ecdsa-p256", "ed25519"] {
        let out = keys
            .command()
            .env("STAGEGATE_PASSWORD", "correct horse")
            .args([
                "keygen",
                "--algorithm",
                algorithm,
                "--output-key-prefix",
                algorithm,
            ])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let private = keys.path().join(format!("{algorithm}.key"));
        let public = keys.path().join(format!("{algorithm}.pub"));
        let (status, output) = run_independent(
            &dir,
            "python3",
            &[
                std::ffi::OsStr::new("verify.py"),
                std::ffi::OsStr::new("cosign-key"),
                private.as_os_str(),
                std::ffi::OsStr::new("correct horse"),
                public.as_os_str(),
            ],
        );
        assert_eq!(status, 0, "{algorithm}: {output}");
    }
}

/// The shipped `stagegate.yaml`: earlier stages' results count when signed by the key it
/// trusts for `results` (the test gate key), and `good.json`'s signed approvals verify with
/// the approvers it lists.
#[test]
fn shipped_config_chains_dev_staging_prod_with_the_gate_key() {
    let dir = Dir::new("shipped-chain");
    fs_err::create_dir_all(dir.path().join("chain")).unwrap();
    let gate = |stage: &str, signer: &str| {
        dir.command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args(["gate", "--stage", stage, "--effective-time", EFFECTIVE_TIME])
            // The fixtures are written for EFFECTIVE_TIME, days before the clock.
            .arg("--allow-effective-time")
            .arg("--config")
            .arg(repo_file("stagegate.yaml"))
            .arg("--evidence")
            .arg(good())
            .arg("--key")
            .arg(key(signer))
            .args(["--bundle-out", &format!("chain/{stage}.sigstore.json")])
            .args(["--chain-dir", "chain"])
            .output()
            .unwrap()
    };
    let out = gate("prod", "gate.key");
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("stagegate.chain.staging"));
    for stage in ["dev", "staging", "prod"] {
        let out = gate(stage, "gate.key");
        assert_eq!(
            code(&out),
            0,
            "{stage}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // A staging result signed by a key that `trust.keys` does not list does not count.
    let out = gate("staging", "other.key");
    assert_eq!(code(&out), 0);
    let out = gate("prod", "gate.key");
    assert_eq!(code(&out), 1);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("signed by an untrusted key"), "{text}");
}

/// The SLSA v1 provenance predicate of a real GitHub Actions build (see testdata/attest/).
fn provenance_predicate() -> PathBuf {
    repo_file("testdata/attest/slsa-v1-gha.predicate.json")
}

// https://github.com/stagegate/stagegate/issues/11 (point 6): a builder without cosign signs its
// provenance with `stagegate attest`, and stagegate and two independent verifiers accept it.
#[test]
fn attest_signs_a_provenance_that_verifies() {
    let dir = Dir::new("attest-provenance");
    let subject = format!("ghcr.io/acme/app@sha256:{GOOD}");
    for (signer, public) in [("gate.key", "gate.pub"), ("ed25519.key", "ed25519.pub")] {
        let bundle = format!("{signer}.provenance.sigstore.json");
        let out = dir
            .command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args(["attest", "--predicate"])
            .arg(provenance_predicate())
            .args([
                "--type",
                "https://slsa.dev/provenance/v1",
                "--subject",
                &subject,
            ])
            .arg("--key")
            .arg(key(signer))
            .args(["--output", &bundle])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "the bundle went to the file");

        // The statement: our subject, the type, the predicate file's JSON as it was.
        let written = read_json(&dir.path().join(&bundle));
        assert_eq!(
            written["mediaType"],
            "application/vnd.dev.sigstore.bundle.v0.3+json"
        );
        let statement = payload(&written);
        assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
        assert_eq!(
            statement["subject"],
            json!([{"name": "ghcr.io/acme/app", "digest": {"sha256": GOOD}}])
        );
        assert_eq!(statement["predicateType"], "https://slsa.dev/provenance/v1");
        assert_eq!(statement["predicate"], read_json(&provenance_predicate()));

        // stagegate verifies it for this subject and type, and only with the signer's key.
        let verify = |public: &str, subject: &str, predicate_type: &str| {
            dir.command()
                .args(["verify", "--bundle", &bundle, "--key"])
                .arg(key(public))
                .args(["--subject", subject, "--predicate-type", predicate_type])
                .output()
                .unwrap()
        };
        let digest = format!("sha256:{GOOD}");
        let provenance = "https://slsa.dev/provenance/v1";
        let out = verify(public, &digest, provenance);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let other_digest = format!("sha256:{}", "b".repeat(64));
        for (public, subject, predicate_type) in [
            ("other.pub", digest.as_str(), provenance),
            (public, other_digest.as_str(), provenance),
            (public, digest.as_str(), "https://slsa.dev/provenance/v0.2"),
        ] {
            let out = verify(public, subject, predicate_type);
            assert_eq!(code(&out), 1, "{public} {subject} {predicate_type}");
        }

        // Two verifiers we did not write.
        let path = dir.path().join(&bundle);
        if let Some(node_dir) = independent("node") {
            let (status, output) = run_independent(
                &node_dir,
                "node",
                &[
                    std::ffi::OsStr::new("verify.mjs"),
                    path.as_os_str(),
                    key(public).as_os_str(),
                ],
            );
            assert_eq!(status, 0, "sigstore-js: {output}");
            assert!(
                output.contains(&format!("ok {provenance} {GOOD}")),
                "{output}"
            );
        }
        if let Some(python_dir) = independent("python") {
            let (status, output) = run_independent(
                &python_dir,
                "python3",
                &[
                    std::ffi::OsStr::new("verify.py"),
                    std::ffi::OsStr::new("envelope"),
                    path.as_os_str(),
                    key(public).as_os_str(),
                ],
            );
            assert_eq!(status, 0, "in-toto: {output}");
            assert!(
                output.contains(&format!("ok {provenance} {GOOD}")),
                "{output}"
            );
        }

        // `collect` reads it as the subject's provenance.
        let out = dir
            .command()
            .args(["collect", "--subject", &subject, "--attestation", &bundle])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let evidence: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(evidence["attestations"][0]["predicateType"], provenance);
        assert_eq!(evidence["attestations"][0]["envelope"], "sigstore-bundle");
        assert_eq!(evidence["problems"], json!([]));
    }
}

#[test]
fn attest_hashes_a_subject_file_and_writes_to_stdout() {
    let dir = Dir::new("attest-subject-file");
    let artifact = dir.write("app.tar", b"the artifact\n");
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["attest", "--predicate"])
        .arg(provenance_predicate())
        .args(["--type", "slsaprovenance1", "--subject-file"])
        .arg(&artifact)
        .arg("--key")
        .arg(key("gate.key"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let statement = payload(&serde_json::from_slice(&out.stdout).unwrap());
    let hex = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"the artifact\n"));
    assert_eq!(
        statement["subject"],
        json!([{"name": "app.tar", "digest": {"sha256": hex}}])
    );
    assert_eq!(statement["predicateType"], "https://slsa.dev/provenance/v1");
}

#[test]
fn attest_refuses_bad_input_and_writes_nothing() {
    let dir = Dir::new("attest-bad");
    let truncated = dir.write("truncated.json", "{\n  \"buildDefinition\": {\n");
    let array = dir.write("array.json", "[1, 2]\n");
    let subject = format!("ghcr.io/acme/app@sha256:{GOOD}");
    let attest = |predicate: &Path, predicate_type: &str, subject: &str, signer: &str| {
        dir.command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args(["attest", "--predicate"])
            .arg(predicate)
            .args(["--type", predicate_type, "--subject", subject, "--key"])
            .arg(key(signer))
            .args(["--output", "out.json"])
            .output()
            .unwrap()
    };
    let provenance = "https://slsa.dev/provenance/v1";
    let cases: [(Output, &str); 5] = [
        (
            attest(&truncated, provenance, &subject, "gate.key"),
            "truncated.json:3:1",
        ),
        (
            attest(&array, provenance, &subject, "gate.key"),
            "holds a JSON array, not an object",
        ),
        (
            attest(&provenance_predicate(), "provenance", &subject, "gate.key"),
            "neither a predicate type URI nor a known shorthand",
        ),
        (
            attest(
                &provenance_predicate(),
                provenance,
                "ghcr.io/acme/app:v1",
                "gate.key",
            ),
            "ghcr.io/acme/app:v1",
        ),
        (
            attest(&provenance_predicate(), provenance, &subject, "gate.pub"),
            "gate.pub",
        ),
    ];
    for (out, expected) in cases {
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{expected}: {}",
            stderr(&out)
        );
        assert!(!dir.path().join("out.json").exists(), "{expected}");
    }
}

/// `evidence` with its signed approvals removed (the bundles under `raw`, their sources'
/// link) but the `approvals` entries left claiming `verified: true`: a forged document.
pub fn forged_approvals(evidence: &std::path::Path) -> Vec<u8> {
    let mut doc = read_json(evidence);
    let approval_sources: Vec<String> = doc["sources"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, s)| s["kind"] == "approval")
        .map(|(i, _)| i.to_string())
        .collect();
    for index in &approval_sources {
        doc["raw"].as_object_mut().unwrap().remove(index);
    }
    doc["attestations"]
        .as_array_mut()
        .unwrap()
        .retain(|a| a["predicateType"] != "https://stagegate.dev/approval/v1");
    for approval in doc["approvals"].as_array_mut().unwrap() {
        approval.as_object_mut().unwrap().remove("source");
        assert_eq!(approval["verified"], true);
    }
    serde_json::to_vec_pretty(&doc).unwrap()
}

// https://github.com/stagegate/stagegate/issues/11 (points 2 and 6): a provenance that a builder
// signs with `stagegate attest`, with a key `stagegate.yaml` trusts for `provenance`, is
// collected as verified, with its signer; signed by a key trusted for something else, it is not.
#[test]
fn attested_provenance_is_verified_by_collect() {
    let dir = Dir::new("attest-collect");
    let subject = format!("ghcr.io/acme/app@sha256:{GOOD}");
    for signer in ["builder.key", "gate.key"] {
        let out = dir
            .command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args(["attest", "--predicate"])
            .arg(provenance_predicate())
            .args(["--type", "slsaprovenance1", "--subject", &subject, "--key"])
            .arg(key(signer))
            .args(["--output", &format!("{signer}.provenance.json")])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    dir.write(
        "stagegate.yaml",
        format!(
            "version: 1\nstages:\n  dev:\n    policies: [{baseline}]\ntrust:\n  keys:\n    - {{key: {builder}, for: [provenance], name: builder}}\n    - {{key: {gate}, for: [results]}}\n",
            baseline = repo_file("policies/baseline").display(),
            builder = key("builder.pub").display(),
            gate = key("gate.pub").display(),
        ),
    );
    let collect = |bundle: &str| {
        let out = dir
            .command()
            .args(["collect", "--subject", &subject, "--attestation", bundle])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let evidence: Value = serde_json::from_slice(&out.stdout).unwrap();
        evidence["attestations"][0].clone()
    };
    let trusted = collect("builder.key.provenance.json");
    assert_eq!(trusted["predicateType"], "https://slsa.dev/provenance/v1");
    assert_eq!(trusted["verified"], true, "{trusted:#}");
    assert_eq!(trusted["signer"]["name"], "builder", "{trusted:#}");
    let wrong_purpose = collect("gate.key.provenance.json");
    assert_eq!(wrong_purpose["verified"], false, "{wrong_purpose:#}");
}
