//! Keyless signing (issue 13 point 5) through local stand-ins for Fulcio, Rekor and the OIDC
//! issuer ([`crate::sigstore_standins`]): `gate`, `approve`, `waiver sign` and `revoke` with
//! `--keyless` on the real binary, the results verified by our verifier (`verify` with
//! `--trusted-root` and `--certificate-identity`, the promotion chain, keyless approvals) and
//! by sigstore-js with the same trusted root; tampering, a wrong identity, and every way the
//! token or the services can fail, each leaving nothing signed behind.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::sigstore_standins::{Fault, IDENTITY, ISSUER, Standins, WORKFLOW_REF};
use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr};

/// The subject digest of `testdata/evidence/good.json`.
const GOOD: &str = "42b421093370e81c12e4f1bed9b9259346d7315a700e07f90a0cdd3e11b76471";

const ALICE_REF: &str = "acme/approvals/.github/workflows/approve.yml@refs/heads/alice";
const BOB_REF: &str = "acme/approvals/.github/workflows/approve.yml@refs/heads/bob";

struct Setup {
    dir: Dir,
    standins: Standins,
    root: PathBuf,
}

impl Setup {
    fn new(name: &str) -> Setup {
        let dir = Dir::new(name);
        let standins = Standins::start();
        let root = standins.write_trusted_root(dir.path());
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
  roots: [trusted_root.json]
  identities:
    - name: release-workflow
      issuer: {ISSUER}
      subject_regexp: ^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/heads/main$
      github: {{repository: acme/app, ref: refs/heads/main, runner_environment: github-hosted}}
      for: [results]
  approvers:
    - {{name: alice@example.com, identity: "https://github.com/{ALICE_REF}", issuer: "{ISSUER}", roles: [release-manager]}}
    - {{name: bob@example.com, identity: "https://github.com/{BOB_REF}", issuer: "{ISSUER}", roles: [release-manager]}}
  max_age: 7d
"#,
            baseline = p("policies/baseline"),
            release = p("policies/release"),
            data = p("policies/data.yaml"),
        );
        dir.write("stagegate.yaml", config);
        fs_err::create_dir_all(dir.path().join("chain")).unwrap();
        Setup {
            dir,
            standins,
            root,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// A command with no ambient token, pointed at the stand-ins.
    fn command(&self) -> Command {
        let mut command = self.dir.command();
        command
            .env_remove("SIGSTORE_ID_TOKEN")
            .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
            .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
            .env_remove("STAGEGATE_PASSWORD");
        command
    }

    fn services(&self) -> Vec<String> {
        vec![
            "--keyless".into(),
            "--fulcio-url".into(),
            self.standins.fulcio_url(),
            "--rekor-url".into(),
            self.standins.rekor_url(),
        ]
    }

    /// As a GitHub Actions job with `id-token: write`.
    fn github(&self, command: &mut Command) {
        command
            .env("ACTIONS_ID_TOKEN_REQUEST_URL", self.standins.token_url())
            .env(
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                &self.standins.request_token,
            );
    }

    fn gate(&self, stage: &str, evidence: &Path, extra: &[&str]) -> Output {
        let mut command = self.command();
        self.github(&mut command);
        command
            .args(["gate", "--stage", stage, "--effective-time", EFFECTIVE_TIME])
            .arg("--allow-effective-time")
            .arg("--evidence")
            .arg(evidence)
            .args(self.services())
            .args(["--bundle-out", &format!("{stage}.sigstore.json")])
            .args(["--chain-dir", "chain"])
            .args(extra)
            .output()
            .unwrap()
    }

    fn verify(&self, bundle: &Path, identity: &str, extra: &[&str]) -> Output {
        self.command()
            .arg("verify")
            .arg("--bundle")
            .arg(bundle)
            .arg("--trusted-root")
            .arg(&self.root)
            .args(["--certificate-identity", identity])
            .args(["--certificate-oidc-issuer", ISSUER])
            .args(extra)
            .output()
            .unwrap()
    }

    fn approve(&self, workflow_ref: &str, stage: &str, out: &str) -> Output {
        // GitLab's way: the token in `SIGSTORE_ID_TOKEN`.
        self.command()
            .env("SIGSTORE_ID_TOKEN", self.standins.token(workflow_ref))
            .args(["approve", "--stage", stage])
            .args([
                "--subject",
                &format!("registry.example.com/shop/api@sha256:{GOOD}"),
            ])
            .args(self.services())
            .arg("--trusted-root")
            .arg(&self.root)
            .args(["--role", "release-manager", "--output", out])
            .output()
            .unwrap()
    }
}

fn good() -> PathBuf {
    repo_file("testdata/evidence/good.json")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&fs_err::read(path).unwrap()).unwrap()
}

fn payload(bundle: &Value) -> Value {
    let text = bundle["dsseEnvelope"]["payload"].as_str().unwrap();
    serde_json::from_slice(&STANDARD.decode(text).unwrap()).unwrap()
}

/// sigstore-js (`tests/independent/verify-keyless.mjs`), or `None` when it is not installed
/// here; under CI (`CI=true`) a missing one fails.
fn sigstore_js() -> Option<PathBuf> {
    let dir = repo_file("tests/independent");
    if dir.join("node_modules/@sigstore/verify").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "sigstore-js not installed (see .ci/run); CI must not skip it"
    );
    eprintln!("skipped: sigstore-js is not installed (see .ci/run)");
    None
}

fn sigstore_js_verify(dir: &Path, bundle: &Path, root: &Path, identity: &str) -> (bool, String) {
    let out = std::process::Command::new("node")
        .current_dir(dir)
        .arg("verify-keyless.mjs")
        .arg(bundle)
        .arg(root)
        .arg(identity)
        .arg(ISSUER)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// dev and staging gated keyless from "GitHub Actions": bundle v0.3 with a Fulcio certificate
/// and a Rekor entry; verified by `verify` (with and without `--stage`) and sigstore-js; dev's
/// result accepted by staging's promotion chain through `trust.identities`; a wrong identity
/// and a tampered bundle rejected by both verifiers.
#[test]
fn gate_keyless_round_trip() {
    let setup = Setup::new("keyless-gate");
    let out = setup.gate("dev", &good(), &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let log = stderr(&out);
    assert!(
        log.contains(&format!("keyless identity `{IDENTITY}`")),
        "{log}"
    );
    assert!(!log.contains(&setup.standins.request_token), "{log}");
    let dev = setup.path("dev.sigstore.json");
    let bundle = read_json(&dev);
    assert_eq!(
        bundle["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert!(bundle["verificationMaterial"]["certificate"]["rawBytes"].is_string());
    let entry = &bundle["verificationMaterial"]["tlogEntries"][0];
    assert_eq!(
        entry["kindVersion"],
        json!({"kind": "dsse", "version": "0.0.1"})
    );
    assert!(entry["inclusionPromise"]["signedEntryTimestamp"].is_string());
    assert!(
        entry["inclusionProof"]["checkpoint"]["envelope"]
            .as_str()
            .unwrap()
            .contains('\u{2014}')
    );
    assert!(
        !entry["inclusionProof"]["hashes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let decision = setup.path("dev.decision.sigstore.json");
    assert!(read_json(&decision)["verificationMaterial"]["tlogEntries"][0].is_object());

    // Our verifier: the identity, the stage.
    let out = setup.verify(
        &dev,
        IDENTITY,
        &["--stage", "dev", "--subject", &format!("sha256:{GOOD}")],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = setup.verify(
        &decision,
        IDENTITY,
        &["--subject", &format!("sha256:{GOOD}")],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Another identity: rejected.
    let other = "https://github.com/acme/app/.github/workflows/other.yml@refs/heads/main";
    let out = setup.verify(
        &dev,
        other,
        &["--stage", "dev", "--subject", &format!("sha256:{GOOD}")],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // Tampered: the result changed after signing.
    let mut tampered = bundle.clone();
    let mut statement = payload(&tampered);
    statement["predicate"]["verificationResult"] = json!("PASSED ");
    tampered["dsseEnvelope"]["payload"] =
        json!(STANDARD.encode(serde_json::to_vec(&statement).unwrap()));
    let tampered_path = setup.dir.write("tampered.json", tampered.to_string());
    let out = setup.verify(
        &tampered_path,
        IDENTITY,
        &["--subject", &format!("sha256:{GOOD}")],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));

    // sigstore-js agrees, with the same trusted root.
    if let Some(js) = sigstore_js() {
        for path in [&dev, &decision] {
            let (ok, output) = sigstore_js_verify(&js, path, &setup.root, IDENTITY);
            assert!(ok, "sigstore-js on {}: {output}", path.display());
            assert!(
                output.contains(GOOD) && output.contains(IDENTITY),
                "{output}"
            );
            eprintln!("sigstore-js: {output}");
        }
        let (ok, output) = sigstore_js_verify(&js, &dev, &setup.root, other);
        assert!(!ok, "sigstore-js accepted another identity: {output}");
        let (ok, output) = sigstore_js_verify(&js, &tampered_path, &setup.root, IDENTITY);
        assert!(!ok, "sigstore-js accepted a tampered bundle: {output}");
        eprintln!("sigstore-js on the tampered bundle: {output}");
    }

    // The promotion chain: staging requires dev; dev's keyless result counts through
    // `trust.identities` (the token this time from `--identity-token @FILE`).
    let out = setup.gate("staging", &good(), &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    fs_err::copy(&dev, setup.path("chain/dev.sigstore.json")).unwrap();
    setup.dir.write("token", setup.standins.token(WORKFLOW_REF));
    let out = setup
        .command()
        .args([
            "gate",
            "--stage",
            "staging",
            "--effective-time",
            EFFECTIVE_TIME,
        ])
        .arg("--allow-effective-time")
        .arg("--evidence")
        .arg(good())
        .args(setup.services())
        .args(["--identity-token", "@token", "--oidc-issuer", ISSUER])
        .args([
            "--bundle-out",
            "staging.sigstore.json",
            "--chain-dir",
            "chain",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let statement = payload(&read_json(&setup.path("staging.sigstore.json")));
    assert!(
        statement["predicate"]["inputAttestations"]
            .to_string()
            .contains("chain/dev.sigstore.json"),
        "{statement}"
    );
}

/// Keyless approvals count for the approver their certificate identity maps to
/// (`trust.approvers` `identity:`); a keyless waiver set and a keyless revocation verify, and
/// the revocation is honoured by `verify --stage`.
#[test]
fn approve_waiver_and_revoke_keyless() {
    let setup = Setup::new("keyless-approve");
    // dev and staging results for the chain.
    for stage in ["dev", "staging"] {
        let out = setup.gate(stage, &good(), &[]);
        assert_eq!(code(&out), 0, "{stage}: {}", stderr(&out));
        fs_err::copy(
            setup.path(&format!("{stage}.sigstore.json")),
            setup.path(&format!("chain/{stage}.sigstore.json")),
        )
        .unwrap();
    }
    let forged = setup.path("forged.json");
    fs_err::write(&forged, crate::attest::forged_approvals(&good())).unwrap();
    let out = setup.approve(ALICE_REF, "prod", "chain/alice.json");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "keyless identity `https://github.com/{ALICE_REF}`"
        )),
        "{}",
        stderr(&out)
    );
    // One release manager is not enough.
    let out = setup.gate("prod", &forged, &["--format", "json=decision.json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // An identity no approver has: it does not count either.
    let out = setup.approve(WORKFLOW_REF, "prod", "chain/release-workflow.json");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = setup.gate("prod", &forged, &["--format", "json=decision.json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let out = setup.approve(BOB_REF, "prod", "chain/bob.json");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = setup.gate("prod", &forged, &["--format", "json=decision.json"]);
    assert_eq!(
        code(&out),
        0,
        "{}\n{}",
        stderr(&out),
        read_json(&setup.path("decision.json"))["violations"]
    );
    let statement = payload(&read_json(&setup.path("prod.sigstore.json")));
    let inputs = statement["predicate"]["inputAttestations"].to_string();
    assert!(
        inputs.contains("chain/alice.json") && inputs.contains("chain/bob.json"),
        "{inputs}"
    );
    assert!(!inputs.contains("release-workflow"), "{inputs}");

    // A keyless waiver set.
    setup.dir.write(
        "waivers.yaml",
        "waivers:\n  - rule: baseline.vulnerabilities\n    expires: 2099-01-01\n    reason: fixed upstream\n    ticket: SEC-1\n    approved_by: alice@example.com\n",
    );
    let out = setup
        .command()
        .env("SIGSTORE_ID_TOKEN", setup.standins.token(ALICE_REF))
        .args([
            "waiver",
            "sign",
            "waivers.yaml",
            "--output",
            "waivers.sigstore.json",
        ])
        .args(setup.services())
        .args(["--trusted-root", "trusted_root.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let alice = format!("https://github.com/{ALICE_REF}");
    let out = setup.verify(
        &setup.path("waivers.sigstore.json"),
        &alice,
        &[
            "--predicate-type",
            stagegate::config::waivers::WAIVER_PREDICATE_TYPE,
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // A keyless revocation of prod's result, signed by the release workflow.
    let mut revoke = setup.command();
    setup.github(&mut revoke);
    let out = revoke
        .args([
            "revoke",
            "--stage",
            "prod",
            "--subject",
            &format!("sha256:{GOOD}"),
        ])
        .args(["--reason", "CVE-2026-0001", "--output", "revocation.json"])
        .args(setup.services())
        .args(["--trusted-root", "trusted_root.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let prod = setup.path("prod.sigstore.json");
    let stage = ["--stage", "prod", "--subject", &format!("sha256:{GOOD}")];
    let out = setup.verify(&prod, IDENTITY, &stage);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut revoked = stage.to_vec();
    revoked.extend(["--revocation", "revocation.json"]);
    let out = setup.verify(&prod, IDENTITY, &revoked);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("CVE-2026-0001"), "{}", stderr(&out));

    if let Some(js) = sigstore_js() {
        for (path, identity) in [
            (setup.path("chain/alice.json"), alice.as_str()),
            (setup.path("revocation.json"), IDENTITY),
            (prod.clone(), IDENTITY),
        ] {
            let (ok, output) = sigstore_js_verify(&js, &path, &setup.root, identity);
            assert!(ok, "sigstore-js on {}: {output}", path.display());
        }
    }
}

/// No token, a token refused, an unreachable or failing service, a bundle that does not
/// verify: exit 2, a clear error, nothing written, the token never printed.
#[test]
fn keyless_fails_closed() {
    let setup = Setup::new("keyless-fail");
    let token = setup.standins.token(WORKFLOW_REF);
    let approve = |configure: &dyn Fn(&mut Command), extra: &[&str]| {
        let mut command = setup.command();
        configure(&mut command);
        let out = command
            .args([
                "approve",
                "--stage",
                "prod",
                "--subject",
                &format!("sha256:{GOOD}"),
            ])
            .args(["--output", "approval.json"])
            .args(extra)
            .output()
            .unwrap();
        assert!(!setup.path("approval.json").exists(), "{}", stderr(&out));
        let log = stderr(&out);
        assert!(!log.contains(&token) && !log.contains(&setup.standins.request_token));
        (code(&out), log)
    };
    let services = setup.services();
    let services: Vec<&str> = services.iter().map(String::as_str).collect();
    let with_token = |c: &mut Command| {
        c.env("SIGSTORE_ID_TOKEN", &token);
    };

    let (status, log) = approve(&|_| {}, &services);
    assert_eq!(status, 2, "{log}");
    assert!(log.contains("no OIDC identity token"), "{log}");

    let (status, log) = approve(
        &|c| {
            c.env("ACTIONS_ID_TOKEN_REQUEST_URL", setup.standins.token_url());
        },
        &services,
    );
    assert_eq!(status, 2, "{log}");
    assert!(log.contains("id-token: write"), "{log}");

    setup.standins.set_fault(Fault::TokenForbidden);
    let (status, log) = approve(&|c| setup.github(c), &services);
    assert_eq!(status, 2, "{log}");
    assert!(log.contains("403"), "{log}");
    setup.standins.set_fault(Fault::None);

    let (status, log) = approve(
        &with_token,
        &[
            &services[..],
            &["--oidc-issuer", "https://accounts.google.com"],
        ]
        .concat(),
    );
    assert_eq!(status, 2, "{log}");
    assert!(log.contains("not `https://accounts.google.com`"), "{log}");

    let forged = setup.standins.forged_token();
    let (status, log) = approve(
        &|c| {
            c.env("SIGSTORE_ID_TOKEN", &forged);
        },
        &services,
    );
    assert_eq!(status, 2, "{log}");
    assert!(log.contains("Fulcio") && log.contains("401"), "{log}");
    assert!(!log.contains(&forged));

    for (fault, expected) in [
        (Fault::FulcioDown, "Fulcio"),
        (Fault::FulcioRefuses, "Fulcio"),
        (Fault::RekorDown, "Rekor"),
        (Fault::RekorWrongKey, "does not verify"),
    ] {
        setup.standins.set_fault(fault);
        let (status, log) = approve(&with_token, &services);
        assert_eq!(status, 2, "{fault:?}: {log}");
        assert!(log.contains(expected), "{fault:?}: {log}");
    }
    setup.standins.set_fault(Fault::None);

    // Nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let (status, log) = approve(
        &with_token,
        &["--keyless", "--fulcio-url", &dead, "--rekor-url", &dead],
    );
    assert_eq!(status, 2, "{log}");
    assert!(log.contains("Fulcio at"), "{log}");

    // Signed by the stand-ins, checked against the public-good root: refused, not written.
    let (status, log) = approve(
        &with_token,
        &[&services[..], &["--trusted-root", "/nonexistent/root.json"]].concat(),
    );
    assert_eq!(status, 2, "{log}");
    let (status, log) = approve(&with_token, &services);
    assert_eq!(status, 2, "without the stand-ins' root: {log}");
    assert!(log.contains("does not verify"), "{log}");

    // And with the root: signed.
    let mut command = setup.command();
    with_token(&mut command);
    let out = command
        .args([
            "approve",
            "--stage",
            "prod",
            "--subject",
            &format!("sha256:{GOOD}"),
        ])
        .args(["--output", "approval.json", "--trusted-root"])
        .arg(&setup.root)
        .args(&services)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // `--key` and `--keyless` together, or neither: usage errors.
    let out = setup
        .command()
        .args([
            "approve",
            "--stage",
            "prod",
            "--subject",
            &format!("sha256:{GOOD}"),
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = setup
        .command()
        .args([
            "approve",
            "--stage",
            "prod",
            "--subject",
            &format!("sha256:{GOOD}"),
        ])
        .args(["--keyless", "--key", "x.key"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));

    // A failing gate run leaves no bundle either.
    setup.standins.set_fault(Fault::RekorDown);
    let out = setup.gate("dev", &good(), &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(!setup.path("dev.sigstore.json").exists());
    assert!(!setup.path("dev.decision.sigstore.json").exists());
}

/// A keyless result pushed beside the image (`gate --keyless --push`) admits the image in
/// `serve` when the admission config trusts the workflow's identity with the stand-ins' root,
/// and is denied when it trusts another identity.
#[test]
fn serve_admits_an_image_with_a_keyless_result() {
    use crate::registry::{TestRegistry, promotion};
    use crate::serve::{Webhook, review};
    let Some(registry) = TestRegistry::start("keyless-serve") else {
        return;
    };
    let image = registry.push_image("shop/api", "v1", "keyless-serve");
    let dir = promotion("keyless-serve-gate", &image);
    let standins = Standins::start();
    let root = standins.write_trusted_root(dir.path());
    let out = dir
        .command()
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        .env("SIGSTORE_ID_TOKEN", standins.token(WORKFLOW_REF))
        .args(["gate", "--stage", "dev", "--effective-time", EFFECTIVE_TIME])
        .arg("--allow-effective-time")
        .args([
            "--evidence",
            "evidence.json",
            "--bundle-out",
            "dev.sigstore.json",
        ])
        .args(["--image", &image.display(), "--push"])
        .args(["--keyless", "--fulcio-url", &standins.fulcio_url()])
        .args(["--rekor-url", &standins.rekor_url(), "--trusted-root"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let admission = |subject: &str| {
        let dir = Dir::new("keyless-serve");
        fs_err::copy(&root, dir.path().join("trusted_root.json")).unwrap();
        dir.write(
            "admission.yaml",
            format!(
                "trust:\n  roots: [trusted_root.json]\n  identities:\n    - {{name: release, issuer: '{ISSUER}', subject: '{subject}', for: [results]}}\nmax_age: 3650d\nnamespaces:\n  dev: {{stage: dev}}\n"
            ),
        );
        dir
    };
    let spec = json!({"containers": [{"name": "app", "image": image.display()}]});
    let trusted = admission(IDENTITY);
    let webhook = Webhook::start(&trusted, &[]);
    let answer = webhook.review(&review("Pod", "dev", spec.clone()));
    assert_eq!(answer["allowed"], true, "{answer}");
    drop(webhook);

    let other =
        admission("https://github.com/acme/app/.github/workflows/other.yml@refs/heads/main");
    let webhook = Webhook::start(&other, &[]);
    let answer = webhook.review(&review("Pod", "dev", spec));
    assert_eq!(answer["allowed"], false, "{answer}");
}

/// A build job signs its provenance keyless (`attest --keyless`): `verify` accepts it for the
/// job's identity with the provenance predicate type, and refuses it for another identity.
#[test]
fn attest_keyless_provenance() {
    let setup = Setup::new("keyless-attest");
    setup.dir.write("app.tar.gz", b"the artifact");
    setup.dir.write(
        "provenance.json",
        r#"{"buildDefinition": {"buildType": "https://actions.github.io/buildtypes/workflow/v1"}, "runDetails": {"builder": {"id": "https://github.com/actions/runner"}}}"#,
    );
    let mut command = setup.command();
    setup.github(&mut command);
    let out = command
        .args([
            "attest",
            "--predicate",
            "provenance.json",
            "--type",
            "slsaprovenance1",
        ])
        .args([
            "--subject-file",
            "app.tar.gz",
            "--output",
            "provenance.sigstore.json",
        ])
        .args(setup.services())
        .args(["--trusted-root", "trusted_root.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let bundle = setup.path("provenance.sigstore.json");
    let provenance = ["--predicate-type", "https://slsa.dev/provenance/v1"];
    let out = setup.verify(&bundle, IDENTITY, &provenance);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = setup.verify(
        &bundle,
        "https://github.com/acme/app/.github/workflows/other.yml@refs/heads/main",
        &provenance,
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    if let Some(js) = sigstore_js() {
        let (ok, output) = sigstore_js_verify(&js, &bundle, &setup.root, IDENTITY);
        assert!(ok, "sigstore-js: {output}");
    }
}

/// A waiver set signed keyless by an approver holding a waiver role applies at a stage with
/// `require_signed_waivers: true`; the same set signed by an identity no approver has does
/// not.
#[test]
fn gate_applies_a_keyless_signed_waiver_set() {
    let setup = Setup::new("keyless-waivers");
    let config = fs_err::read_to_string(setup.path("stagegate.yaml")).unwrap();
    let config = config
        .replacen("  dev:\n", "  dev:\n    require_signed_waivers: true\n", 1)
        .replacen("trust:\n", "trust:\n  waiver_roles: [release-manager]\n", 1)
        + "waivers: [waivers.sigstore.json]\n";
    setup.dir.write("stagegate.yaml", config);
    setup.dir.write(
        "waivers.yaml",
        "waivers:\n  - rule: licenses.banned\n    stages: [dev]\n    expires: 2099-01-01\n    reason: relicensed upstream\n    ticket: LEGAL-7\n    approved_by: alice@example.com\n",
    );
    let banned = repo_file("testdata/evidence/fail-licenses.banned.json");
    let sign = |workflow_ref: &str| {
        let out = setup
            .command()
            .env("SIGSTORE_ID_TOKEN", setup.standins.token(workflow_ref))
            .args([
                "waiver",
                "sign",
                "waivers.yaml",
                "--output",
                "waivers.sigstore.json",
            ])
            .args(setup.services())
            .args(["--trusted-root", "trusted_root.json"])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    };

    // Signed by the release workflow, which is no approver: the waiver does not apply.
    sign(WORKFLOW_REF);
    let out = setup.gate("dev", &banned, &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(!setup.path("dev.sigstore.json").exists());

    // Signed by alice (an approver with the waiver role): waived, the gate passes.
    sign(ALICE_REF);
    let out = setup.gate("dev", &banned, &["--format", "json=decision.json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let decision = read_json(&setup.path("decision.json"));
    assert!(
        decision["waived"].to_string().contains("licenses.banned"),
        "{decision}"
    );
}
