//! `stagegate replay` (issue 7, point 4): a decision `gate` signed is reproduced from the same
//! evidence and policies at its recorded effective time, and refused when either changed.

use std::path::Path;
use std::process::Output;

use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr, stdout};

const PASSWORD: &str = "stagegate-test";
const FIXTURE: &str = "testdata/evidence/warn-licenses.unknown.json";

/// Copies a directory tree (the starter policies) into the test directory.
pub fn copy_tree(from: &Path, to: &Path) {
    fs_err::create_dir_all(to).expect("create dir");
    for entry in fs_err::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs_err::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A test directory with its own copy of the starter policies and a one-stage config.
fn policy_dir(name: &str, fail_on_warn: bool) -> Dir {
    let dir = Dir::new(name);
    copy_tree(&repo_file("policies"), &dir.path().join("policies"));
    dir.write(
        "stagegate.yaml",
        format!(
            "version: 1\nstages:\n  dev:\n    policies: [policies/baseline]\n    data: [policies/data.yaml]\n    fail_on_warn: {fail_on_warn}\n"
        ),
    );
    dir
}

fn gate(dir: &Dir) {
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["gate", "--stage", "dev", "--audit-db", "audit.db"])
        .args([
            "--allow-effective-time",
            "--effective-time",
            EFFECTIVE_TIME,
            "--evidence",
        ])
        .arg(repo_file(FIXTURE))
        .arg("--key")
        .arg(repo_file("testdata/keys/gate.key"))
        .args(["--bundle-out", "dev.sigstore.json"])
        .output()
        .expect("run gate");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

fn replay(dir: &Dir, evidence: &str, extra: &[&str]) -> Output {
    dir.command()
        .args([
            "replay",
            "--bundle",
            "dev.decision.sigstore.json",
            "--evidence",
        ])
        .arg(repo_file(evidence))
        .arg("--key")
        .arg(repo_file("testdata/keys/gate.pub"))
        .args(extra)
        .output()
        .expect("run replay")
}

#[test]
fn replay_of_a_signed_decision_matches() {
    let dir = policy_dir("replay-matches", false);
    gate(&dir);
    let out = replay(&dir, FIXTURE, &["--policies", "."]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).starts_with("IDENTICAL"), "{}", stdout(&out));

    let out = replay(&dir, FIXTURE, &["--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["identical"], true);
    assert_eq!(report["signatureChecked"], true);
    assert_eq!(report["before"], "pass");
    assert_eq!(report["added"], serde_json::json!([]));
}

#[test]
fn replay_refuses_an_edited_policy_file() {
    let dir = policy_dir("replay-edited-policy", false);
    gate(&dir);
    let file = dir.path().join("policies/baseline/licenses.rego");
    let mut text = fs_err::read_to_string(&file).expect("read policy");
    text.push_str("\n# an innocent-looking comment\n");
    fs_err::write(&file, text).expect("write policy");
    let out = replay(&dir, FIXTURE, &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out).replace('\n', " ");
    assert!(err.contains("refusing to replay"), "{err}");
    assert!(err.contains("the policies of stage `dev`"), "{err}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn replay_refuses_other_evidence() {
    let dir = policy_dir("replay-other-evidence", false);
    gate(&dir);
    let out = replay(&dir, "testdata/evidence/good.json", &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out).replace('\n', " ");
    assert!(err.contains("refusing to replay"), "{err}");
    assert!(err.contains("has digest"), "{err}");
}

#[test]
fn replay_reports_a_different_verdict() {
    // The stage's `fail_on_warn` lives in stagegate.yaml, outside the policy digest: turning it
    // on makes the recorded warning fail the replay.
    let dir = policy_dir("replay-different", false);
    gate(&dir);
    dir.write(
        "stagegate.yaml",
        "version: 1\nstages:\n  dev:\n    policies: [policies/baseline]\n    data: [policies/data.yaml]\n    fail_on_warn: true\n",
    );
    let out = replay(&dir, FIXTURE, &[]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("verdict: recorded pass, replayed fail"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn replay_refuses_a_bundle_signed_by_another_key() {
    let dir = policy_dir("replay-wrong-key", false);
    gate(&dir);
    let out = dir
        .command()
        .args([
            "replay",
            "--bundle",
            "dev.decision.sigstore.json",
            "--evidence",
        ])
        .arg(repo_file(FIXTURE))
        .arg("--key")
        .arg(repo_file("testdata/keys/alice.pub"))
        .output()
        .expect("run replay");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("does not verify"), "{}", stderr(&out));
}
