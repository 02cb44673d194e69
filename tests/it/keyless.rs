//! Keyless bundles (Fulcio certificates, Rekor entries) from real pipelines, verified offline
//! against the embedded Sigstore public-good root: `stagegate verify` with certificate
//! identities, and `collect` marking a keyless provenance verified only for a trusted identity.

use serde_json::Value;

use crate::util::{Dir, code, repo_file, stderr};

const NPM: &str = "testdata/corpus/slsa-provenance/bundle-v0.1-dsse-statement-v1-slsa-v1-npm-sigstorejs.sigstore.json";
const NPM_IDENTITY: &str =
    "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";
const NPM_SUBJECT: &str = "sha512:46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c";
const SLSA_GENERATOR: &str =
    "testdata/corpus/slsa-provenance/bundle-v0.2-dsse-slsa-v1.0-gha-container-based.sigstore.json";
const GRYPE_EMAIL: &str =
    "testdata/corpus/attestations/bundle-v0.3-dsse-statement-v1-grype-scan.sigstore.json";
const GH: &str = "https://token.actions.githubusercontent.com";

fn verify(dir: &Dir, bundle: &str, args: &[&str]) -> (i32, String) {
    let output = dir
        .command()
        .arg("verify")
        .arg("--bundle")
        .arg(repo_file(bundle))
        .args(args)
        .output()
        .unwrap();
    (code(&output), stderr(&output))
}

#[test]
fn verify_accepts_trusted_identities() {
    let dir = Dir::new("keyless-verify-pass");
    let cases: [(&str, Vec<&str>); 4] = [
        (
            NPM,
            vec![
                "--certificate-identity",
                NPM_IDENTITY,
                "--certificate-oidc-issuer",
                GH,
                "--subject",
                NPM_SUBJECT,
            ],
        ),
        (
            NPM,
            vec![
                "--certificate-identity-regexp",
                r"https://github\.com/sigstore/.+/\.github/workflows/release\.yml@refs/heads/main",
                "--certificate-oidc-issuer-regexp",
                r"https://token\.actions\.githubusercontent\.com",
                "--predicate-type",
                "https://slsa.dev/provenance/v1",
            ],
        ),
        (
            SLSA_GENERATOR,
            vec![
                "--certificate-identity-regexp",
                r"https://github\.com/slsa-framework/slsa-github-generator/\.github/workflows/builder_container-based_slsa3\.yml@refs/tags/v2\.1\.0",
                "--certificate-oidc-issuer",
                GH,
                "--predicate-type",
                "https://slsa.dev/provenance/v1",
            ],
        ),
        (
            GRYPE_EMAIL,
            vec![
                "--certificate-identity",
                "puerco@carabiner.dev",
                "--certificate-oidc-issuer",
                "https://accounts.google.com",
                "--predicate-type",
                "https://predicates.policylabs.dev/grype/v1",
            ],
        ),
    ];
    for (bundle, args) in cases {
        let (status, err) = verify(&dir, bundle, &args);
        assert_eq!(status, 0, "{bundle} {args:?}: {err}");
        assert!(err.contains("(keyless, issuer"), "{err}");
    }
}

#[test]
fn verify_rejects_untrusted_identities_and_tampering() {
    let dir = Dir::new("keyless-verify-fail");
    let provenance = ["--predicate-type", "https://slsa.dev/provenance/v1"];
    let with = |extra: &[&'static str]| {
        let mut args = extra.to_vec();
        args.extend(provenance);
        args
    };
    let cases = [
        // Another workflow of the same repository.
        (
            with(&[
                "--certificate-identity",
                "https://github.com/sigstore/sigstore-js/.github/workflows/ci.yml@refs/heads/main",
            ]),
            "untrusted identity",
        ),
        // Regular expressions are anchored: a fragment does not match.
        (
            with(&["--certificate-identity-regexp", "sigstore-js"]),
            "does not match",
        ),
        // The right identity from another issuer.
        (
            with(&[
                "--certificate-identity",
                NPM_IDENTITY,
                "--certificate-oidc-issuer",
                "https://accounts.google.com",
            ]),
            "issuer `https://token.actions.githubusercontent.com` does not match",
        ),
        // Another artifact.
        (
            vec![
                "--certificate-identity",
                NPM_IDENTITY,
                "--subject",
                "sha512:00d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c",
            ],
            "no subject has the digest",
        ),
    ];
    for (args, expected) in cases {
        let (status, err) = verify(&dir, NPM, &args);
        assert_eq!(status, 1, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    // A tampered payload: the signature (and the log entry) no longer match.
    let mut bundle: Value = serde_json::from_slice(&fs_err::read(repo_file(NPM)).unwrap()).unwrap();
    let payload = bundle["dsseEnvelope"]["payload"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut decoded = base64_decode(&payload);
    let text = String::from_utf8(decoded.clone()).unwrap();
    decoded = text
        .replace("sigstore@2.0.0", "sigstore@9.9.9")
        .into_bytes();
    bundle["dsseEnvelope"]["payload"] = Value::String(base64_encode(&decoded));
    dir.write("tampered.json", serde_json::to_vec(&bundle).unwrap());
    let output = dir
        .command()
        .args([
            "verify",
            "--bundle",
            "tampered.json",
            "--certificate-identity",
        ])
        .arg(NPM_IDENTITY)
        .args(provenance)
        .output()
        .unwrap();
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the Sigstore bundle does not verify"),
        "{}",
        stderr(&output)
    );
    // A root that is not the one the bundle chains to.
    let other_root = repo_file(
        "testdata/sigstore-conformance/bundle-verify/intoto-with-custom-trust-root/trusted_root.json",
    );
    let output = dir
        .command()
        .args(["verify", "--bundle"])
        .arg(repo_file(NPM))
        .arg("--certificate-identity")
        .arg(NPM_IDENTITY)
        .arg("--trusted-root")
        .arg(other_root)
        .args(provenance)
        .output()
        .unwrap();
    assert_eq!(code(&output), 1, "{}", stderr(&output));
}

#[test]
fn verify_usage_errors_exit_2() {
    let dir = Dir::new("keyless-verify-usage");
    dir.write("bad-root.json", "{\"mediaType\": 1");
    dir.write("key.pub", "not a key");
    let cases: [&[&str]; 5] = [
        // Neither a key nor an identity.
        &["--predicate-type", "x"],
        // Both.
        &[
            "--key",
            "key.pub",
            "--certificate-identity",
            "a@b",
            "--predicate-type",
            "x",
        ],
        // A regular expression that does not compile.
        &[
            "--certificate-identity-regexp",
            "(",
            "--predicate-type",
            "x",
        ],
        // An unusable trusted root.
        &[
            "--certificate-identity",
            "a@b",
            "--trusted-root",
            "bad-root.json",
            "--predicate-type",
            "x",
        ],
        // An issuer alone is no identity.
        &["--certificate-oidc-issuer", GH, "--predicate-type", "x"],
    ];
    for args in cases {
        let (status, err) = verify(&dir, NPM, args);
        assert_eq!(status, 2, "{args:?}: {err}");
    }
}

fn collect(dir: &Dir, identity: &str) -> Value {
    dir.write(
        "stagegate.yaml",
        format!(
            "version: 1\nstages:\n  prod:\n    policies: [{}]\ntrust:\n  identities:\n{identity}",
            repo_file("policies/baseline").display()
        ),
    );
    let output = dir
        .command()
        .args([
            "collect",
            "--config",
            "stagegate.yaml",
            "--subject",
            "app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "--attestation",
        ])
        .arg(repo_file(NPM))
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let evidence: Value = serde_json::from_slice(&output.stdout).unwrap();
    evidence["attestations"][0].clone()
}

#[test]
fn collect_marks_keyless_provenance_verified_only_for_a_trusted_identity() {
    let dir = Dir::new("keyless-collect");
    let trusted = collect(
        &dir,
        "    - issuer: https://token.actions.githubusercontent.com\n      subject_regexp: https://github\\.com/sigstore/sigstore-js/\\.github/workflows/release\\.yml@refs/heads/main\n      github: {repository: sigstore/sigstore-js, ref: refs/heads/main, runner_environment: github-hosted}\n      for: [provenance]\n      name: sigstore-js-release\n",
    );
    assert_eq!(trusted["verified"], true, "{trusted:#}");
    let signer = &trusted["signer"];
    assert_eq!(signer["kind"], "keyless");
    assert_eq!(signer["name"], "sigstore-js-release");
    assert_eq!(signer["identity"], NPM_IDENTITY);
    assert_eq!(signer["issuer"], GH);
    assert_eq!(signer["claims"]["repository"], "sigstore/sigstore-js");
    assert_eq!(
        signer["claims"]["sha"],
        "f0b49a04e5a62250e0f60fb128004a73110fe311"
    );
    assert_eq!(signer["claims"]["trigger"], "push");
    assert_eq!(trusted["trustedFor"], serde_json::json!(["provenance"]));

    let cases = [
        // The identity, but trusted for SBOMs only.
        (
            "    - {issuer: https://token.actions.githubusercontent.com, subject: 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main', for: [sbom], name: sbom-only}\n",
            "`sbom-only`, which is trusted for sbom only, not for provenance",
        ),
        // Another ref than the certificate's.
        (
            "    - {issuer: https://token.actions.githubusercontent.com, subject_regexp: '.*', github: {ref: refs/tags/v2.0.0}, for: [provenance]}\n",
            "GitHub claim `ref` is `refs/heads/main`, not `refs/tags/v2.0.0`",
        ),
        // Self-hosted runners only.
        (
            "    - {issuer: https://token.actions.githubusercontent.com, subject_regexp: '.*', github: {runner_environment: self-hosted}, for: [provenance]}\n",
            "`runner_environment` is `github-hosted`",
        ),
        // Another issuer.
        (
            "    - {issuer: https://accounts.google.com, subject_regexp: '.*', for: [provenance]}\n",
            "issuer",
        ),
    ];
    for (identity, expected) in cases {
        let attestation = collect(&dir, identity);
        assert_eq!(attestation["verified"], false, "{identity}");
        assert!(attestation.get("signer").is_none() || attestation["signer"].is_null());
        let rejection = attestation["rejection"].as_str().unwrap_or_default();
        assert!(rejection.contains(expected), "{identity}: {rejection}");
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
