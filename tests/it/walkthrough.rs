//! The README's walkthrough ("Walkthrough: an honest promotion"), run as written: the shell
//! block is read from README.md and run with bash, `stagegate` on the PATH, in a fresh
//! directory beside a link to `testdata/`. Every command must succeed; then the evidence is
//! forged in the two ways the README names, and the staging gate must fail.

use std::process::Command;

use crate::util::{Dir, code, repo_file, stderr, stdout};

/// The first ```sh block after the walkthrough's heading.
fn walkthrough_script() -> String {
    let readme = fs_err::read_to_string(repo_file("README.md")).unwrap();
    let section = readme
        .split("### Walkthrough: an honest promotion")
        .nth(1)
        .expect("the README has the walkthrough");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("a sh block");
    block.to_owned()
}

fn bash(dir: &std::path::Path, script: &str) -> std::process::Output {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_stagegate"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("STAGEGATE_PASSWORD")
        .env_remove("COSIGN_PASSWORD")
        .output()
        .unwrap()
}

#[test]
fn readme_walkthrough_promotes_honestly_and_refuses_forgeries() {
    let dir = Dir::new("walkthrough");
    std::os::unix::fs::symlink(repo_file("testdata"), dir.path().join("testdata")).unwrap();
    let script = walkthrough_script();
    let out = bash(dir.path(), &script);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let demo = dir.path().join("demo");
    for file in [
        "chain/dev.sigstore.json",
        "chain/staging.sigstore.json",
        "prod.sigstore.json",
        "prod.decision.sigstore.json",
        "prod-evidence.json",
    ] {
        assert!(demo.join(file).exists(), "{file}");
    }
    // The prod decision replays.
    let out = bash(
        &demo,
        "stagegate replay --bundle prod.decision.sigstore.json --evidence prod-evidence.json --key keys/gate.pub",
    );
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));

    // Provenance signed with the gate's key (trusted for results only): staging fails.
    let out = bash(
        &demo,
        "export STAGEGATE_PASSWORD=demo IMAGE=registry.example.com/demo/alpine@sha256:1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82
         stagegate attest --predicate provenance.json --type https://slsa.dev/provenance/v1 \
           --subject $IMAGE --key keys/gate.key --output wrong.sigstore.json
         stagegate collect --subject $IMAGE \
           --sbom ../testdata/walkthrough/sbom.cdx.json --scan ../testdata/walkthrough/grype.json \
           --tests ../testdata/walkthrough/junit.xml --attestation wrong.sigstore.json --output wrong.json
         stagegate evaluate --stage staging --evidence wrong.json",
    );
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("stagegate.evidence.provenance.missing"));

    // The same document, edited to claim `verified: true`: still not verified.
    let out = bash(
        &demo,
        "sed '0,/\"verified\": false/s//\"verified\": true/' wrong.json > forged.json
         grep -q '\"verified\": true' forged.json
         stagegate evaluate --stage staging --evidence forged.json",
    );
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("claims `verified: true`"),
        "{}",
        stderr(&out)
    );
}
