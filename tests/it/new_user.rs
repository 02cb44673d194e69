//! The rough edges a new user hit, each re-tried as they did
//! (<https://github.com/stagegate/stagegate/issues/16>): commands that said nothing about what
//! they wrote or where they listen, stage typos, waiver files, key halves, tags, `init`'s
//! dangling references, two log styles, and CI paths in signed results.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr, stdout};

const PASSWORD: &str = "stagegate-test";
const SUBJECT: &str = "sha256:42b421093370e81c12e4f1bed9b9259346d7315a700e07f90a0cdd3e11b76471";

fn key(name: &str) -> PathBuf {
    repo_file(&format!("testdata/keys/{name}"))
}

/// A project made by `stagegate init`.
fn project(name: &str) -> Dir {
    let dir = Dir::new(name);
    let out = dir.command().arg("init").output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    dir
}

/// The predicate of a signed bundle.
fn predicate(path: &std::path::Path) -> Value {
    let bundle: Value = serde_json::from_slice(&fs_err::read(path).unwrap()).unwrap();
    let payload = STANDARD
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let statement: Value = serde_json::from_slice(&payload).unwrap();
    statement["predicate"].clone()
}

#[test]
fn issue_16_init_writes_what_its_files_refer_to() {
    let dir = project("new-user-init");
    let err = stderr(&dir.command().arg("init").arg("--force").output().unwrap());
    assert!(err.contains("schemas/stagegate.schema.json"), "{err}");
    // The config's header names a schema: it exists, and is the one `schema config` prints.
    let config = fs_err::read_to_string(dir.path().join("stagegate.yaml")).unwrap();
    let header = config.lines().next().unwrap();
    let schema_path = header
        .strip_prefix("# yaml-language-server: $schema=")
        .unwrap();
    let written = fs_err::read_to_string(dir.path().join(schema_path)).unwrap();
    let printed = stdout(&dir.command().args(["schema", "config"]).output().unwrap());
    assert_eq!(written, printed);
    // The policies' README points at an example that exists. It passes dev; staging and prod
    // need verified provenance (and prod approvals), which a project trusting no key yet
    // cannot have: they fail closed.
    let readme = fs_err::read_to_string(dir.path().join("policies/README.md")).unwrap();
    assert!(readme.contains("evidence/example.json"), "{readme}");
    for (stage, expected) in [("dev", 0), ("staging", 1), ("prod", 1)] {
        let out = dir
            .command()
            .args([
                "evaluate",
                "--stage",
                stage,
                "--evidence",
                "evidence/example.json",
            ])
            .args(["--effective-time", EFFECTIVE_TIME])
            .output()
            .unwrap();
        assert_eq!(code(&out), expected, "{stage}: {}", stdout(&out));
        if expected == 1 {
            assert!(
                stdout(&out).contains("provenance.missing"),
                "{}",
                stdout(&out)
            );
        }
    }
}

#[test]
fn issue_16_stage_typos_get_a_suggestion_and_approve_checks_its_stage() {
    let dir = project("new-user-stages");
    let out = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "stagign",
            "--evidence",
            "evidence/example.json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean `staging`?"),
        "{}",
        stderr(&out)
    );

    let approve = |extra: &[&str]| {
        dir.command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args(["approve", "--subject", SUBJECT, "--key"])
            .arg(key("alice.key"))
            .args(extra)
            .output()
            .unwrap()
    };
    let out = approve(&["--stage", "prdo", "--output", "prdo.json"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("defines no stage `prdo`"), "{err}");
    assert!(err.contains("did you mean `prod`?"), "{err}");
    assert!(err.contains("--allow-unknown-stage"), "{err}");
    assert!(!dir.path().join("prdo.json").exists(), "nothing signed");

    let out = approve(&["--stage", "prod", "--output", "prod.json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("wrote `prod.json`"),
        "{}",
        stderr(&out)
    );
    // Approving for a gate configured elsewhere.
    let out = approve(&["--stage", "qa", "--allow-unknown-stage", "-o", "qa.json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(predicate(&dir.path().join("qa.json"))["stage"], "qa");
    // A config given explicitly is checked too; no config found: nothing to check against.
    let elsewhere = Dir::new("new-user-stages-noconfig");
    let out = elsewhere
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["approve", "--stage", "qa", "--subject", SUBJECT, "--key"])
        .arg(key("alice.key"))
        .arg("--config")
        .arg(dir.path().join("stagegate.yaml"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = elsewhere
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["approve", "--stage", "qa", "--subject", SUBJECT, "--key"])
        .arg(key("alice.key"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn issue_16_waiver_sign_writes_the_set_the_config_names() {
    let dir = project("new-user-waiver");
    // The config already lists the signed set `waiver sign` is about to write.
    let mut config = fs_err::read_to_string(dir.path().join("stagegate.yaml")).unwrap();
    config.push_str("waivers: [waivers/prod.sigstore.json]\n");
    dir.write("stagegate.yaml", config);
    dir.write(
        "waivers/prod.yaml",
        "waivers:\n  - rule: vulnerabilities.fixable_critical_high\n    expires: 2026-12-31\n    reason: build-time only\n    ticket: SEC-1\n    approved_by: alice@example.com\n",
    );
    let sign = |file: &str| {
        dir.command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args(["waiver", "sign", file, "--key"])
            .arg(key("alice.key"))
            .args(["--output", "waivers/prod.sigstore.json"])
            .output()
            .unwrap()
    };
    let out = sign("waivers/prod.yaml");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(dir.path().join("waivers/prod.sigstore.json").is_file());

    // Every missing field in one error, pointing at the waiver that lacks them.
    dir.write(
        "waivers/incomplete.yaml",
        "waivers:\n  - rule: vulnerabilities.fixable_critical_high\n    expires: 2026-12-31\n    reason: fine\n  - rule: licenses.banned\n    expires: 2026-12-31\n",
    );
    let out = sign("waivers/incomplete.yaml");
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("incomplete.yaml:2:5: waiver `waivers/incomplete.yaml:2`: missing `ticket`, `approved_by`"),
        "{err}"
    );
    assert!(
        err.contains("every waiver needs `rule`, `expires`, `reason`, `ticket`, `approved_by`"),
        "{err}"
    );
    // An empty field is named as empty, beside the missing ones.
    dir.write(
        "waivers/empty.yaml",
        "waivers:\n  - id: W-1\n    rule: vulnerabilities.fixable_critical_high\n    expires: 2026-12-31\n    reason: \"\"\n",
    );
    let err = stderr(&sign("waivers/empty.yaml"));
    assert!(
        err.contains(
            "empty.yaml:2:5: waiver `W-1`: missing `ticket`, `approved_by`; empty `reason`"
        ),
        "{err}"
    );
}

#[test]
fn issue_16_key_halves_are_named() {
    let dir = project("new-user-keys");
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args([
            "gate",
            "--stage",
            "dev",
            "--evidence",
            "evidence/example.json",
        ])
        .args(["--bundle-out", "dev.sigstore.json", "--key"])
        .arg(key("gate.pub"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("this is a public key"), "{err}");
    assert!(err.contains("signing needs the private key"), "{err}");
    assert!(!err.contains("found a `PUBLIC KEY` block"), "{err}");

    let out = dir
        .command()
        .args(["verify", "--stage", "dev", "--subject", SUBJECT])
        .args(["--bundle", "nothing.json", "--key"])
        .arg(key("gate.key"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("this is a private key"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn issue_16_collect_image_with_a_tag_gets_the_digest_hint() {
    let dir = project("new-user-tag");
    let out = dir
        .command()
        .args(["collect", "--image", "registry.example.com/repo:v1"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("not pinned by digest"), "{err}");
    assert!(err.contains("crane digest"), "{err}");
}

#[test]
fn issue_16_gate_says_what_it_wrote_and_records_no_ci_paths() {
    let dir = project("new-user-gate");
    // An approval kept in the project and one in a CI scratch directory outside it.
    let scratch = Dir::new("new-user-gate-ci-scratch");
    for (place, name) in [
        (dir.path(), "approvals/alice.json"),
        (scratch.path(), "bob.json"),
    ] {
        let path = place.join(name);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        let out = dir
            .command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args(["approve", "--stage", "dev", "--subject", SUBJECT, "--key"])
            .arg(key("alice.key"))
            // Two different documents (the same bytes would be one input).
            .args(["--comment", name])
            .arg("--output")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let mut config = fs_err::read_to_string(dir.path().join("stagegate.yaml")).unwrap();
    config.push_str(&format!(
        "trust:\n  approvers:\n    - {{name: alice@example.com, key: {}, roles: [release-manager]}}\n",
        key("alice.pub").display()
    ));
    dir.write("stagegate.yaml", config);
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args([
            "gate",
            "--stage",
            "dev",
            "--evidence",
            "evidence/example.json",
        ])
        .args(["--effective-time", EFFECTIVE_TIME, "--allow-effective-time"])
        .args(["--bundle-out", "dev.sigstore.json", "--format", "json"])
        .args(["--chain-dir", "approvals", "--chain-dir"])
        .arg(scratch.path())
        .arg("--key")
        .arg(key("gate.key"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // stdout holds the decision only; stderr says what was signed and written.
    let decision: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decision["stage"], "dev");
    let err = stderr(&out);
    assert!(
        err.contains(
            "wrote `dev.sigstore.json` (SLSA VSA) and `dev.decision.sigstore.json` (decision)"
        ),
        "{err}"
    );
    let vsa = predicate(&dir.path().join("dev.sigstore.json"));
    let uris: Vec<&str> = vsa["inputAttestations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["uri"].as_str().unwrap())
        .collect();
    assert!(uris.contains(&"approvals/alice.json"), "{uris:?}");
    assert!(uris.contains(&"bob.json"), "{uris:?}");
    assert!(uris.iter().all(|u| !u.starts_with('/')), "{uris:?}");
    assert_eq!(vsa["policy"]["uri"], "stagegate.yaml#stages.dev");

    // A failing gate says that nothing was signed.
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args([
            "gate",
            "--stage",
            "prod",
            "--evidence",
            "evidence/example.json",
        ])
        .args(["--effective-time", EFFECTIVE_TIME, "--allow-effective-time"])
        .args(["--bundle-out", "prod.sigstore.json", "--key"])
        .arg(key("gate.key"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("Nothing signed"), "{}", stderr(&out));
}

#[test]
fn issue_16_one_warning_style_and_test_v_keeps_the_log_quiet() {
    let dir = project("new-user-logs");
    let approval = dir.path().join("approvals/alice.json");
    fs_err::create_dir_all(dir.path().join("approvals")).unwrap();
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["approve", "--stage", "dev", "--subject", SUBJECT, "--key"])
        .arg(key("alice.key"))
        .arg("--output")
        .arg(&approval)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    // A waiver warning (`warning: file:line:col`) and a log warning in the same run.
    let mut config = fs_err::read_to_string(dir.path().join("stagegate.yaml")).unwrap();
    config.push_str("waivers:\n  - rule: sbom.missing\n    stages: [dev]\n    expires: 2026-11-01\n    reason: r\n    ticket: T-1\n    approved_by: a\n");
    dir.write("stagegate.yaml", config);
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args([
            "gate",
            "--stage",
            "dev",
            "--evidence",
            "evidence/example.json",
        ])
        .args(["--effective-time", EFFECTIVE_TIME, "--allow-effective-time"])
        .args([
            "--bundle-out",
            "dev.sigstore.json",
            "--chain-dir",
            "approvals",
        ])
        .arg("--key")
        .arg(key("gate.key"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: signed approvals are not checked"),
        "{err}"
    );
    assert!(err.contains("warning: stagegate.yaml:"), "{err}");
    assert!(!err.contains(" WARN "), "{err}");

    // `test -v` lists every test; it does not turn on the info log.
    let out = dir
        .command()
        .args(["test", "policies", "-v"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("PASS  "), "{}", stdout(&out));
    assert!(!stderr(&out).contains(" INFO "), "{}", stderr(&out));
    // `-vv` does.
    let out = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "dev",
            "--evidence",
            "evidence/example.json",
        ])
        .args(["--effective-time", EFFECTIVE_TIME, "-v"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    assert!(stderr(&out).contains(" INFO "), "{}", stderr(&out));
}

#[test]
fn issue_16_serve_says_where_it_listens() {
    let dir = Dir::new("new-user-serve");
    crate::serve::make_tls(&dir);
    dir.write(
        "admission.yaml",
        format!(
            "trust:\n  keys: [{}]\nnamespaces:\n  prod: {{stage: prod}}\n",
            key("gate.pub").display()
        ),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stagegate"))
        .current_dir(dir.path())
        .args(["serve", "--config", "admission.yaml"])
        .args(["--tls-cert", "tls/tls.crt", "--tls-key", "tls/tls.key"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env_remove("STAGEGATE_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut said = None;
    while Instant::now() < deadline {
        match lines.next() {
            Some(Ok(line)) if line.contains("listening on") => {
                said = Some(line);
                break;
            }
            Some(Ok(_)) => {}
            _ => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let line = said.expect("serve printed where it listens");
    assert!(
        line.contains(&format!("listening on https://127.0.0.1:{port}")),
        "{line}"
    );
}
