//! Regression tests for <https://github.com/stagegate/stagegate/issues/12>, the output side:
//! no signed result after an error (point 1), malformed subjects (4), a bounded
//! `--effective-time` (6), huge durations (9), outputs that clobber (10) and the anchored
//! audit chain (13). The registry cases (points 1 and 12) are in `registry.rs`.

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr};

const PASSWORD: &str = "stagegate-test";
const GOOD: &str = "42b421093370e81c12e4f1bed9b9259346d7315a700e07f90a0cdd3e11b76471";

fn key(name: &str) -> PathBuf {
    repo_file(&format!("testdata/keys/{name}"))
}

/// A directory with a one-stage `stagegate.yaml` (the starter baseline policies).
fn setup(name: &str) -> Dir {
    let dir = Dir::new(name);
    let p = |rel: &str| repo_file(rel).display().to_string();
    dir.write(
        "stagegate.yaml",
        format!(
            "version: 1\nstages:\n  dev:\n    policies: [{}]\n    data: [{}]\n",
            p("policies/baseline"),
            p("policies/data.yaml"),
        ),
    );
    dir
}

/// `gate --stage dev --evidence EVIDENCE --key gate.key --bundle-out dev.sigstore.json`, at
/// the fixtures' effective time, plus `extra`.
fn gate(dir: &Dir, evidence: &Path, extra: &[&str]) -> Output {
    dir.command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["gate", "--stage", "dev", "--audit-db", "audit.db"])
        .args(["--effective-time", EFFECTIVE_TIME, "--allow-effective-time"])
        .arg("--evidence")
        .arg(evidence)
        .arg("--key")
        .arg(key("gate.key"))
        .args(["--bundle-out", "dev.sigstore.json"])
        .args(extra)
        .output()
        .unwrap()
}

fn good() -> PathBuf {
    repo_file("testdata/evidence/good.json")
}

fn predicate(path: &Path) -> Value {
    let bundle: Value = serde_json::from_slice(&fs_err::read(path).unwrap()).unwrap();
    let payload = STANDARD
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let statement: Value = serde_json::from_slice(&payload).unwrap();
    statement["predicate"].clone()
}

/// Files in the directory other than the config, the audit store and `keep`.
fn written(dir: &Dir, keep: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = fs_err::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n != "stagegate.yaml" && !n.starts_with("audit.db") && !keep.contains(&n.as_str())
        })
        .collect();
    names.sort();
    names
}

/// Point 1: the second rename failing (`--decision-bundle-out` is a directory) leaves neither
/// bundle nor report behind.
#[test]
fn a_failed_write_leaves_no_signed_result() {
    let dir = setup("fail-write");
    fs_err::create_dir(dir.path().join("taken")).unwrap();
    let out = gate(
        &dir,
        &good(),
        &["--decision-bundle-out", "taken", "--format", "json=r.json"],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(written(&dir, &["taken"]), Vec::<String>::new());

    // Evidence the gate collected and saved goes too.
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["gate", "--stage", "dev", "--audit-db", "audit.db"])
        .args([
            "--subject",
            &format!("registry.example.com/shop/api@sha256:{GOOD}"),
        ])
        .arg("--sbom")
        .arg(repo_file(
            "testdata/corpus/cyclonedx/cdx-1.6-spec-valid-bom.json",
        ))
        .arg("--key")
        .arg(key("gate.key"))
        .args([
            "--bundle-out",
            "dev.sigstore.json",
            "--decision-bundle-out",
            "taken",
        ])
        .args(["--save-evidence", "saved.json", "--attest-failures"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(written(&dir, &["taken"]), Vec::<String>::new());

    // A file that was there before is put back as it was.
    dir.write("dev.sigstore.json", "old");
    let out = gate(&dir, &good(), &["--decision-bundle-out", "taken"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(
        fs_err::read_to_string(dir.path().join("dev.sigstore.json")).unwrap(),
        "old"
    );
}

/// Point 4: a malformed subject digest, a name naming another digest, and a reference with
/// two digests are refused; nothing is signed.
#[test]
fn malformed_subjects_are_not_signed() {
    let dir = setup("bad-subject");
    let mut evidence: Value = serde_json::from_slice(&fs_err::read(good()).unwrap()).unwrap();
    let other = "b".repeat(64);
    for (name, digest) in [
        ("registry.example.com/shop/api", "42b4".to_owned()),
        ("registry.example.com/shop/api", GOOD.to_uppercase()),
        (
            "registry.example.com/shop/api",
            format!("{}zz", &GOOD[..62]),
        ),
        (
            &format!("registry.example.com/evil@sha256:{other}") as &str,
            GOOD.to_owned(),
        ),
    ] {
        evidence["subject"] = json!({"name": name, "digest": {"sha256": digest}});
        let path = dir.write("e.json", serde_json::to_vec(&evidence).unwrap());
        let out = gate(&dir, &path, &[]);
        assert_eq!(code(&out), 2, "{name} {digest}: {}", stderr(&out));
        assert!(stderr(&out).contains("subject"), "{}", stderr(&out));
        assert!(!dir.path().join("dev.sigstore.json").exists());
    }
    // The name may carry the subject's own digest; the VSA then names it once.
    evidence["subject"] = json!({
        "name": format!("registry.example.com/shop/api@sha256:{GOOD}"),
        "digest": {"sha256": GOOD}
    });
    let path = dir.write("e.json", serde_json::to_vec(&evidence).unwrap());
    let out = gate(&dir, &path, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        predicate(&dir.path().join("dev.sigstore.json"))["resourceUri"],
        json!(format!("registry.example.com/shop/api@sha256:{GOOD}"))
    );

    // `--subject 'a@sha256:B@sha256:A'` is refused, by collect and by approve.
    let twice = format!("a@sha256:{other}@sha256:{GOOD}");
    let out = dir
        .command()
        .args(["collect", "--subject", &twice, "--approval"])
        .arg(repo_file("testdata/collect/approvals.yaml"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["approve", "--stage", "dev", "--subject", &twice, "--key"])
        .arg(key("alice.key"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

/// Point 6: a signing gate refuses an effective time far from the clock, unless told, and
/// then records it in the signed decision.
#[test]
fn effective_time_is_bounded_for_signing() {
    let dir = setup("effective-time");
    let run = |time: &str, extra: &[&str]| {
        dir.command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args(["gate", "--stage", "dev", "--audit-db", "audit.db"])
            .args(["--effective-time", time, "--evidence"])
            .arg(good())
            .arg("--key")
            .arg(key("gate.key"))
            .args(["--bundle-out", "dev.sigstore.json"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run("1970-01-01T00:00:00Z", &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("max-clock-skew"), "{}", stderr(&out));
    assert!(!dir.path().join("dev.sigstore.json").exists());
    assert!(
        !dir.path().join("audit.db").exists(),
        "refused before anything"
    );

    let out = run(EFFECTIVE_TIME, &["--allow-effective-time"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let decision = predicate(&dir.path().join("dev.decision.sigstore.json"));
    assert_eq!(
        decision["effectiveTimeOverride"]["effectiveTime"],
        json!(EFFECTIVE_TIME)
    );
    assert_eq!(decision["effectiveTimeOverride"]["overridden"], json!(true));

    // Within the skew: signed, nothing to record.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let out = run(&now, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let decision = predicate(&dir.path().join("dev.decision.sigstore.json"));
    assert!(decision.get("effectiveTimeOverride").is_none());
}

/// Point 9: huge durations are clear errors (exit 2), never a panic (exit 101).
#[test]
fn huge_durations_are_errors_not_panics() {
    let dir = setup("durations");
    let bundle = dir.write("b.json", "{}");
    for args in [
        vec![
            "verify",
            "--bundle",
            "b.json",
            "--max-age",
            "99999999999999999999d",
        ],
        vec![
            "evaluate",
            "--stage",
            "dev",
            "--timeout",
            "18446744073709551615s",
        ],
        vec!["audit", "report", "--since", "300000000d"],
        vec![
            "audit",
            "report",
            "--waiver-warning-window",
            "99999999999999999999d",
        ],
        vec!["evaluate", "--stage", "dev", "--timeout", "0s"],
    ] {
        let out = dir.command().args(&args).output().unwrap();
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
    let _ = bundle;
    let base = fs_err::read_to_string(dir.path().join("stagegate.yaml")).unwrap();
    for extra in [
        "trust:\n  max_age: 99999999999999999999d\n",
        "waiver_warning_window: 18446744073709551615s\n",
        "trust:\n  max_age: 0s\n",
    ] {
        dir.write("stagegate.yaml", format!("{base}{extra}"));
        let out = dir
            .command()
            .args(["evaluate", "--stage", "dev", "--evidence"])
            .arg(good())
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{extra}: {}", stderr(&out));
        assert!(stderr(&out).contains("stagegate.yaml"), "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

/// Point 10: a device is written through (as root, a rename would have replaced /dev/null
/// with a regular file), a symlink's target is replaced and the link kept, a FIFO without a
/// reader is an error and not a hang.
#[cfg(unix)]
#[test]
fn outputs_never_replace_devices_fifos_or_symlinks() {
    use std::os::unix::fs::FileTypeExt;
    let dir = setup("special-outputs");
    let out = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "dev",
            "--format",
            "json=/dev/null",
            "--evidence",
        ])
        .arg(good())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        fs_err::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device(),
        "/dev/null is no longer a device"
    );

    std::os::unix::fs::symlink("real.json", dir.path().join("link.json")).unwrap();
    let out = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "dev",
            "--format",
            "json=link.json",
            "--evidence",
        ])
        .arg(good())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        fs_err::symlink_metadata(dir.path().join("link.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let report: Value =
        serde_json::from_slice(&fs_err::read(dir.path().join("real.json")).unwrap()).unwrap();
    assert_eq!(report["result"], "pass");

    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let out = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "dev",
            "--format",
            "json=fifo",
            "--evidence",
        ])
        .arg(good())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("no reader"), "{}", stderr(&out));
    assert!(fs_err::metadata(&fifo).unwrap().file_type().is_fifo());
}

/// Point 10: outputs colliding with each other or with an input are refused before anything
/// is written or signed.
#[test]
fn colliding_outputs_are_refused() {
    let dir = setup("collisions");
    let evidence = dir.write("evidence.json", fs_err::read(good()).unwrap());
    for extra in [
        vec!["--decision-bundle-out", "dev.sigstore.json"],
        vec!["--format", "json=dev.sigstore.json"],
        vec!["--format", "json=dev.decision.sigstore.json"],
        vec!["--format", "json=./evidence.json"],
        vec!["--format", "json=a.json", "--format", "sarif=a.json"],
    ] {
        let out = gate(&dir, &evidence, &extra);
        assert_eq!(code(&out), 2, "{extra:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("same file"), "{}", stderr(&out));
        assert_eq!(written(&dir, &["evidence.json"]), Vec::<String>::new());
        assert_eq!(
            fs_err::read(&evidence).unwrap(),
            fs_err::read(good()).unwrap()
        );
    }
    let out = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "dev",
            "--format",
            "json=evidence.json",
            "--evidence",
        ])
        .arg(&evidence)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(
        fs_err::read(&evidence).unwrap(),
        fs_err::read(good()).unwrap()
    );

    // An approval written over the key that signs it.
    let signer = dir.write("alice.key", fs_err::read(key("alice.key")).unwrap());
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args([
            "approve",
            "--stage",
            "dev",
            "--subject",
            &format!("sha256:{GOOD}"),
        ])
        .args(["--key", "alice.key", "--output", "./alice.key"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(
        fs_err::read(&signer).unwrap(),
        fs_err::read(key("alice.key")).unwrap()
    );
}

fn audit_verify(dir: &Dir, extra: &[&str]) -> Output {
    dir.command()
        .args(["audit", "verify", "--audit-db", "audit.db"])
        .args(extra)
        .output()
        .unwrap()
}

/// Point 13: a signing gate seals its record and the chain head; `audit verify --key` finds
/// what the hash chain alone does not.
#[test]
fn audit_chain_is_anchored_by_the_gate_key() {
    let dir = setup("audit-anchor");
    let db = dir.path().join("audit.db");
    let sql = |statement: &str| {
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch(statement)
            .unwrap();
    };
    let two = dir.path().join("two.db");
    for n in 1..=3 {
        let out = gate(&dir, &good(), &[]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        if n == 2 {
            // A copy of the store as it was after two gates.
            sql(&format!("VACUUM INTO '{}'", two.display()));
        }
    }
    let pubkey = key("gate.pub").display().to_string();
    let keyed = ["--key", pubkey.as_str()];
    let out = audit_verify(&dir, &keyed);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The signed decision names the head right after its record.
    let decision = predicate(&dir.path().join("dev.decision.sigstore.json"));
    assert_eq!(decision["auditHead"]["seq"], json!(3));
    fs_err::copy(
        dir.path().join("dev.decision.sigstore.json"),
        dir.path().join("checkpoint.json"),
    )
    .unwrap();
    let backup = dir.path().join("backup.db");
    sql(&format!("VACUUM INTO '{}'", backup.display()));
    let restore = || fs_err::copy(&backup, &db).unwrap();

    // Delete the last record and move the head back (with the last record's own seal).
    sql("DELETE FROM audit_records WHERE seq = 3;
         UPDATE audit_head SET seq = 2,
           hash = (SELECT hash FROM audit_records WHERE seq = 2),
           signer = (SELECT signer FROM audit_records WHERE seq = 2),
           signature = (SELECT signature FROM audit_records WHERE seq = 2);");
    assert_eq!(
        code(&audit_verify(&dir, &[])),
        0,
        "the hash chain alone is fooled"
    );
    let out = audit_verify(&dir, &keyed);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("head"), "{}", stderr(&out));
    restore();

    // Edit the last record and recompute its hash and the head's.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (prev, body): (String, String) = conn
        .query_row(
            "SELECT prev_hash, record FROM audit_records WHERE seq = 3",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let edited = body.replace("\"pass\"", "\"fail\"");
    let hash = stagegate::audit::chain_hash(3, &prev, &edited);
    conn.execute(
        "UPDATE audit_records SET record = ?1, hash = ?2 WHERE seq = 3",
        rusqlite::params![edited, hash],
    )
    .unwrap();
    conn.execute("UPDATE audit_head SET hash = ?1", rusqlite::params![hash])
        .unwrap();
    drop(conn);
    assert_eq!(
        code(&audit_verify(&dir, &[])),
        0,
        "the hash chain alone is fooled"
    );
    let out = audit_verify(&dir, &keyed);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("signature"), "{}", stderr(&out));
    restore();

    // Delete every row.
    sql("DELETE FROM audit_records; DELETE FROM audit_head;");
    assert_eq!(
        code(&audit_verify(&dir, &[])),
        0,
        "the hash chain alone is fooled"
    );
    assert_eq!(code(&audit_verify(&dir, &keyed)), 1);
    restore();

    // An unsigned record (`evaluate --audit`): exit 1 under `--key`, unless allowed.
    let out = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "dev",
            "--audit",
            "--audit-db",
            "audit.db",
        ])
        .args(["--effective-time", EFFECTIVE_TIME, "--evidence"])
        .arg(good())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = audit_verify(&dir, &keyed);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("not signed"), "{}", stderr(&out));
    let out = audit_verify(&dir, &["--key", &pubkey, "--allow-unsigned"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("1 unsigned"), "{}", stderr(&out));
    // Another key does not vouch for the gate's seals.
    let other = key("other.pub").display().to_string();
    assert_eq!(code(&audit_verify(&dir, &["--key", &other])), 1);

    // The checkpoint, a decision signed with record 3, is reached by the store as it is.
    let out = audit_verify(
        &dir,
        &[
            "--key",
            &pubkey,
            "--allow-unsigned",
            "--checkpoint",
            "checkpoint.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The store put back from its copy after two gates: valid on its own, every record and
    // the head signed; the checkpoint finds the lost tail.
    fs_err::copy(&two, &db).unwrap();
    let out = audit_verify(&dir, &keyed);
    assert_eq!(
        code(&out),
        0,
        "an old copy is valid on its own: {}",
        stderr(&out)
    );
    let out = audit_verify(&dir, &["--key", &pubkey, "--checkpoint", "checkpoint.json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("checkpoint"), "{}", stderr(&out));
}
