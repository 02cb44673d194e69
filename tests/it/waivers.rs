//! Waivers (issue 7): the waiver sets in `testdata/waivers/` on a failing fixture, through the
//! real binary. A matching waiver sets a finding aside; expired, stale, other-digest and
//! unsigned (at a signed-only stage) waivers do not, and say so on stderr; a waiver naming an
//! unknown rule is exit 2 at its file:line:col.

use crate::util::{Dir, EFFECTIVE_TIME, code, filters, repo_file, stderr, stdout};

const FIXTURE: &str = "testdata/evidence/fail-vulnerabilities.fixable_critical_high.json";

fn evaluate(test: &str, config: &str, stage: &str, extra: &[&str]) -> std::process::Output {
    let dir = Dir::new(test);
    dir.command()
        .current_dir(repo_file("."))
        .args([
            "evaluate",
            "--stage",
            stage,
            "--config",
            config,
            "--evidence",
            FIXTURE,
        ])
        .args(["--effective-time", EFFECTIVE_TIME])
        .args(extra)
        .output()
        .expect("run stagegate")
}

fn snapshot(name: &str, output: &std::process::Output) {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        code(output),
        stdout(output),
        stderr(output)
    );
    let owned = filters();
    let filters: Vec<(&str, &str)> = owned
        .iter()
        .map(|(from, to)| (from.as_str(), *to))
        .collect();
    insta::with_settings!({ filters => filters }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn waivers_set_matching_findings_aside_and_warn_about_the_rest() {
    let output = evaluate(
        "waivers_staging",
        "testdata/waivers/stagegate.yaml",
        "staging",
        &[],
    );
    snapshot("waivers_staging", &output);
    assert_eq!(code(&output), 0);
}

#[test]
fn waived_findings_are_in_the_json_decision() {
    let output = evaluate(
        "waivers_json",
        "testdata/waivers/stagegate.yaml",
        "staging",
        &["--format", "json"],
    );
    let decision: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(decision["result"], "pass");
    let ids: Vec<&str> = decision["waived"]
        .as_array()
        .expect("waived")
        .iter()
        .filter_map(|w| w["waiver"]["id"].as_str())
        .collect();
    assert_eq!(ids, ["W-cross-spawn-cel", "W-cross-spawn"]);
}

#[test]
fn signed_only_stage_ignores_unsigned_waivers() {
    let output = evaluate(
        "waivers_prod",
        "testdata/waivers/stagegate.yaml",
        "prod",
        &[],
    );
    snapshot("waivers_prod_unsigned", &output);
    assert_eq!(code(&output), 1);
}

#[test]
fn expiry_is_judged_at_the_effective_time() {
    // 2027-07-02: W-cross-spawn (through 2027-06-30) has expired, so the finding fails again.
    let dir = Dir::new("waivers_later");
    let output = dir
        .command()
        .current_dir(repo_file("."))
        .args(["evaluate", "--stage", "staging", "--config"])
        .args(["testdata/waivers/stagegate.yaml", "--evidence", FIXTURE])
        .args(["--effective-time", "2027-07-02T00:00:00Z"])
        .output()
        .expect("run stagegate");
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("waiver `W-cross-spawn` expired at 2027-07-01T00:00:00Z"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn waiver_for_an_unknown_rule_is_an_error_at_its_line() {
    let output = evaluate(
        "waivers_typo",
        "testdata/waivers/typo.stagegate.yaml",
        "staging",
        &["--color", "never"],
    );
    snapshot("waivers_typo", &output);
    assert_eq!(code(&output), 2);
}

/// A waiver set signed with `key` (a `testdata/keys` file), as a Sigstore bundle.
fn signed_waiver_set(key: &str, waivers: serde_json::Value) -> String {
    use stagegate::attest::keys::SigningKey;
    use stagegate::attest::statement::{ResourceDescriptor, Statement};
    let pem = fs_err::read_to_string(repo_file(&format!("testdata/keys/{key}"))).expect("key");
    let key = SigningKey::from_pem(&pem, b"stagegate-test").expect("decrypt key");
    let statement = Statement::new(
        ResourceDescriptor::sha256("waivers.yaml", &"0".repeat(64)),
        stagegate::config::waivers::WAIVER_PREDICATE_TYPE,
        serde_json::json!({ "waivers": waivers }),
    );
    stagegate::attest::sign_statement(&statement, &key)
        .and_then(|bundle| bundle.to_json())
        .expect("sign")
}

#[test]
fn signed_waivers_apply_at_a_signed_only_stage() {
    let dir = Dir::new("waivers_signed");
    let waivers = serde_json::json!([
        {"id": "W-signed", "rule": "vulnerabilities.fixable_critical_high",
         "finding": "CVE-2024-21538", "expires": "2027-06-30", "reason": "build-time only",
         "ticket": "SEC-101", "approved_by": "alice@example.com"},
        {"id": "W-signed-cel", "rule": "cel.vulnerabilities.no_fixable_critical_high",
         "expires": "2027-06-30", "reason": "same finding", "ticket": "SEC-101",
         "approved_by": "alice@example.com"}
    ]);
    dir.write(
        "alice.sigstore.json",
        signed_waiver_set("alice.key", waivers.clone()),
    );
    dir.write(
        "bob.sigstore.json",
        signed_waiver_set("bob.key", waivers.clone()),
    );
    let mut tampered: serde_json::Value =
        serde_json::from_str(&signed_waiver_set("alice.key", waivers)).expect("bundle");
    tampered["dsseEnvelope"]["signatures"][0]["sig"] = serde_json::json!("AAAA");
    dir.write("tampered.sigstore.json", tampered.to_string());
    let p = |rel: &str| repo_file(rel).display().to_string();
    let config = |files: &str| {
        format!(
            "version: 1\nstages:\n  prod:\n    policies: [{}, {}]\n    data: [{}]\n    require_signed_waivers: true\ntrust:\n  approvers:\n    - {{name: alice@example.com, key: {}, roles: [security-lead]}}\n    - {{name: bob@example.com, key: {}, roles: [developer]}}\n  waiver_roles: [security-lead]\nwaivers: [{files}]\n",
            p("policies/baseline"),
            p("testdata/waivers/security.cel.yaml"),
            p("policies/data.yaml"),
            p("testdata/keys/alice.pub"),
            p("testdata/keys/bob.pub"),
        )
    };
    let run = |files: &str| {
        dir.write("stagegate.yaml", config(files));
        dir.command()
            .args([
                "evaluate",
                "--stage",
                "prod",
                "--format",
                "json",
                "--evidence",
            ])
            .arg(repo_file(FIXTURE))
            .args(["--effective-time", EFFECTIVE_TIME])
            .output()
            .expect("run stagegate")
    };

    let out = run("alice.sigstore.json");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let signers: Vec<&str> = decision["waived"]
        .as_array()
        .expect("waived")
        .iter()
        .filter_map(|w| w["waiver"]["signedBy"].as_str())
        .collect();
    assert_eq!(signers, ["alice@example.com", "alice@example.com"]);

    // Signed, but by someone whose role may not waive: unsigned, so not applied.
    let out = run("bob.sigstore.json");
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("whose roles are not in `trust.waiver_roles`"),
        "{}",
        stderr(&out)
    );

    // A signature that does not verify: none of its waivers is read.
    let out = run("tampered.sigstore.json");
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("does not verify with any `trust.approvers` key"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn waiver_sign_writes_a_set_a_signed_only_stage_accepts() {
    let dir = Dir::new("waivers_sign_command");
    let p = |rel: &str| repo_file(rel).display().to_string();
    let stages = format!(
        "version: 1\nstages:\n  prod:\n    policies: [{}, {}]\n    data: [{}]\n    require_signed_waivers: true\ntrust:\n  approvers:\n    - {{name: alice@example.com, key: {}, roles: [security-lead]}}\n  waiver_roles: [security-lead]\n",
        p("policies/baseline"),
        p("testdata/waivers/security.cel.yaml"),
        p("policies/data.yaml"),
        p("testdata/keys/alice.pub"),
    );
    dir.write("stagegate.yaml", &stages);
    dir.write(
        "waivers.yaml",
        "waivers:\n  - id: W-signed\n    rule: vulnerabilities.fixable_critical_high\n    finding: CVE-2024-21538\n    expires: 2027-06-30\n    reason: build-time only\n    ticket: SEC-101\n    approved_by: alice@example.com\n  - id: W-signed-cel\n    rule: cel.vulnerabilities.no_fixable_critical_high\n    expires: 2027-06-30\n    reason: same finding\n    ticket: SEC-101\n    approved_by: alice@example.com\n",
    );
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", "stagegate-test")
        .args(["waiver", "sign", "waivers.yaml", "--key"])
        .arg(repo_file("testdata/keys/alice.key"))
        .args(["--output", "waivers.sigstore.json"])
        .output()
        .expect("run waiver sign");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("Signed 2 waiver(s) from `waivers.yaml`"),
        "{}",
        stderr(&out)
    );

    dir.write(
        "stagegate.yaml",
        format!("{stages}waivers: [waivers.sigstore.json]\n"),
    );
    let out = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "prod",
            "--format",
            "json",
            "--evidence",
        ])
        .arg(repo_file(FIXTURE))
        .args(["--effective-time", EFFECTIVE_TIME])
        .output()
        .expect("run stagegate");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let signers: Vec<&str> = decision["waived"]
        .as_array()
        .expect("waived")
        .iter()
        .filter_map(|w| w["waiver"]["signedBy"].as_str())
        .collect();
    assert_eq!(signers, ["alice@example.com", "alice@example.com"]);

    // A waiver without a ticket is refused before anything is signed.
    dir.write("stagegate.yaml", &stages);
    dir.write(
        "bad.yaml",
        "waivers:\n  - rule: licenses.banned\n    expires: 2027-01-01\n    reason: r\n    approved_by: a\n",
    );
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", "stagegate-test")
        .args(["waiver", "sign", "bad.yaml", "--key"])
        .arg(repo_file("testdata/keys/alice.key"))
        .args(["--output", "bad.sigstore.json"])
        .output()
        .expect("run waiver sign");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(!dir.path().join("bad.sigstore.json").exists());
}
