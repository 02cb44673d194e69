//! The audit trail (issue 7): `gate` and `evaluate --audit` append hash-chained records;
//! `audit verify` finds edits and deletions; `audit report` renders the metrics. The
//! PostgreSQL store runs against a private PostgreSQL cluster the test starts (Debian's
//! `postgresql`), with several gate processes appending at once.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr, stdout};

const PASSWORD: &str = "stagegate-test";

fn config(dir: &Dir) -> PathBuf {
    let p = |rel: &str| repo_file(rel).display().to_string();
    dir.write(
        "stagegate.yaml",
        format!(
            "version: 1\nstages:\n  dev:\n    policies: [{}]\n    data: [{}]\n  prod:\n    policies: [{}]\n    data: [{}]\n",
            p("policies/baseline"),
            p("policies/data.yaml"),
            p("policies/baseline"),
            p("policies/data.yaml"),
        ),
    )
}

fn evaluate(dir: &Dir, db: &str, stage: &str, fixture: &str) -> Output {
    dir.command()
        .args(["evaluate", "--stage", stage, "--audit", "--audit-db", db])
        .args(["--effective-time", EFFECTIVE_TIME, "--evidence"])
        .arg(repo_file(&format!("testdata/evidence/{fixture}")))
        .output()
        .expect("run stagegate")
}

fn gate(dir: &Dir, db: &str, out: &str) -> Command {
    // A std command (not assert_cmd's), so several can run at once.
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("stagegate"));
    command
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("STAGEGATE_LOG")
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["gate", "--stage", "dev", "--audit-db", db])
        .args([
            "--allow-effective-time",
            "--effective-time",
            EFFECTIVE_TIME,
            "--evidence",
        ])
        .arg(repo_file("testdata/evidence/good.json"))
        .arg("--key")
        .arg(repo_file("testdata/keys/gate.key"))
        .args(["--bundle-out", out]);
    command
}

fn audit(dir: &Dir, args: &[&str]) -> Output {
    dir.command()
        .arg("audit")
        .args(args)
        .output()
        .expect("run stagegate")
}

#[test]
fn sqlite_chain_verifies_and_edits_and_deletions_fail() {
    let dir = Dir::new("audit_sqlite");
    config(&dir);
    let db = dir.path().join("audit.db").display().to_string();
    for fixture in [
        "good.json",
        "fail-licenses.banned.json",
        "good.json",
        "good.json",
    ] {
        let out = evaluate(&dir, &db, "prod", fixture);
        assert!(matches!(code(&out), 0 | 1), "{}", stderr(&out));
    }
    let out = gate(&dir, &db, "dev.sigstore.json").output().expect("gate");
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let out = audit(&dir, &["verify", "--audit-db", &db]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), "audit chain intact: 5 records\n");

    // The gate's record names its signing key.
    let raw = rusqlite::Connection::open(&db).expect("open");
    let body: String = raw
        .query_row("SELECT record FROM audit_records WHERE seq = 5", [], |r| {
            r.get(0)
        })
        .expect("record 5");
    let record: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(record["command"], "gate");
    assert!(
        record["signerKeyId"]
            .as_str()
            .is_some_and(|k| !k.is_empty())
    );

    // Turning the failure into a pass by hand is found.
    raw.execute(
        "UPDATE audit_records SET record = replace(record, '\"fail\"', '\"pass\"') WHERE seq = 2",
        [],
    )
    .expect("edit");
    let out = audit(&dir, &["verify", "--audit-db", &db]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).starts_with(
            "error: audit chain broken at record 2: its content does not match its hash (edited)\n"
        ),
        "{}",
        stderr(&out)
    );

    // `audit report` verifies the chain too: it still reports, warns and exits 1.
    let out = audit(&dir, &["report", "--audit-db", &db]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "the audit chain is broken at record 2: its content does not match its hash (edited)"
        ),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).starts_with("Promotion report"),
        "{}",
        stdout(&out)
    );

    // So is a deleted record (after undoing the edit by restoring from a copy of the chain).
    let dir2 = Dir::new("audit_sqlite_delete");
    config(&dir2);
    let db2 = dir2.path().join("audit.db").display().to_string();
    for _ in 0..3 {
        evaluate(&dir2, &db2, "prod", "good.json");
    }
    rusqlite::Connection::open(&db2)
        .expect("open")
        .execute("DELETE FROM audit_records WHERE seq = 2", [])
        .expect("delete");
    let out = audit(&dir2, &["verify", "--audit-db", &db2]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("record 2: missing: the next record present is 3 (deleted)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn report_in_every_format() {
    let dir = Dir::new("audit_report");
    config(&dir);
    let db = dir.path().join("audit.db").display().to_string();
    for (stage, fixture) in [
        ("dev", "good.json"),
        ("prod", "fail-licenses.banned.json"),
        ("prod", "good.json"),
    ] {
        evaluate(&dir, &db, stage, fixture);
    }
    let now = ["--now", "2026-11-28T00:00:00Z"];
    let out = audit(
        &dir,
        &[&["report", "--audit-db", &db, "--format", "json"][..], &now].concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let metrics: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(metrics["decisions"], 3);
    assert_eq!(metrics["topRules"][0]["rule"], "licenses.banned");
    assert_eq!(metrics["leadTime"]["count"], 1);

    let out = audit(&dir, &[&["report", "--audit-db", &db][..], &now].concat());
    assert!(
        stdout(&out).contains("Success rate             66.7%"),
        "{}",
        stdout(&out)
    );

    let html = dir.path().join("report.html");
    let out = audit(
        &dir,
        &[
            &[
                "report",
                "--audit-db",
                &db,
                "--format",
                "html",
                "--output",
                &html.display().to_string(),
            ][..],
            &now,
        ]
        .concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = fs_err::read_to_string(&html).expect("html");
    assert_eq!(text.matches("<svg").count(), 3);
    assert!(!text.contains("<script"));
}

/// A private PostgreSQL cluster in a temporary directory, on a free port, stopped on drop.
struct Postgres {
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl Postgres {
    /// Starts one, or `None` when PostgreSQL is not installed (an error under `CI=true`).
    fn start() -> Option<Postgres> {
        let bin = [
            "/usr/lib/postgresql/15/bin",
            "/usr/lib/postgresql/16/bin",
            "/usr/lib/postgresql/17/bin",
        ]
        .into_iter()
        .map(PathBuf::from)
        .find(|d| d.join("initdb").exists());
        let Some(bin) = bin else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "PostgreSQL is not installed (apt-get install -y postgresql)"
            );
            eprintln!("skipping: PostgreSQL is not installed");
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("stagegate-pg-")
            .tempdir()
            .expect("temp dir");
        // initdb refuses to run as root: run the cluster as `postgres` then.
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown the cluster directory to postgres");
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let pg = Postgres {
            dir,
            port,
            as_postgres,
        };
        let data = pg.dir.path().join("data");
        let out = pg.run(
            &bin.join("initdb"),
            &[
                "-D",
                &data.display().to_string(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            pg.port,
            pg.dir.path().display()
        );
        let log = pg.dir.path().join("log").display().to_string();
        let out = pg.run(
            &bin.join("pg_ctl"),
            &[
                "-D",
                &data.display().to_string(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stderr),
            fs_err::read_to_string(&log).unwrap_or_default()
        );
        Some(pg)
    }

    fn run(&self, program: &Path, args: &[&str]) -> Output {
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        command
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("run PostgreSQL tool")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data").display().to_string();
        for bin in [
            "/usr/lib/postgresql/15/bin/pg_ctl",
            "/usr/lib/postgresql/16/bin/pg_ctl",
            "/usr/lib/postgresql/17/bin/pg_ctl",
        ] {
            if Path::new(bin).exists() {
                let _ = self.run(Path::new(bin), &["-D", &data, "-m", "immediate", "stop"]);
                break;
            }
        }
    }
}

#[test]
fn postgres_concurrent_gates_keep_one_valid_chain() {
    let Some(pg) = Postgres::start() else {
        return;
    };
    let dir = Dir::new("audit_postgres");
    config(&dir);
    let url = pg.url();
    // Several gate processes at once, twice over: every record lands, the chain stays valid.
    for round in 0..2 {
        let children: Vec<_> = (0..4)
            .map(|i| {
                gate(&dir, &url, &format!("dev-{round}-{i}.sigstore.json"))
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn gate")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("gate");
            assert_eq!(code(&out), 0, "{}", stderr(&out));
        }
    }
    let out = audit(&dir, &["verify", "--audit-db", &url]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), "audit chain intact: 8 records\n");
    // https://github.com/stagegate/stagegate/issues/12 (point 13): concurrent gates seal every
    // record and the head in PostgreSQL too.
    let gate_pub = repo_file("testdata/keys/gate.pub").display().to_string();
    let keyed = ["verify", "--audit-db", &url, "--key", &gate_pub];
    let out = audit(&dir, &keyed);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    // Moving the head back onto record 7 (with its own seal) fools the hash chain, not the key.
    client
        .batch_execute(
            "BEGIN;
             CREATE TEMP TABLE saved AS SELECT * FROM audit_records WHERE seq = 8;
             DELETE FROM audit_records WHERE seq = 8;
             UPDATE audit_head SET seq = 7,
               hash = (SELECT hash FROM audit_records WHERE seq = 7),
               signer = (SELECT signer FROM audit_records WHERE seq = 7),
               signature = (SELECT signature FROM audit_records WHERE seq = 7);
             COMMIT;",
        )
        .expect("rewind");
    let out = audit(&dir, &["verify", "--audit-db", &url]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = audit(&dir, &keyed);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("head"), "{}", stderr(&out));
    client
        .batch_execute(
            "INSERT INTO audit_records SELECT * FROM saved;
             UPDATE audit_head SET seq = 8, hash = (SELECT hash FROM saved)",
        )
        .expect("restore");
    client
        .execute("DELETE FROM audit_records WHERE seq = 8", &[])
        .expect("delete");
    let out = audit(&dir, &["verify", "--audit-db", &url]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("record 8: missing: the chain head says the last record is 8"),
        "{}",
        stderr(&out)
    );
}

/// `stagegate history` (issue 17): the known-good digests of a stage, newest first, each with
/// its signed results; failed and unsigned results are not known-good.
#[test]
fn history_lists_known_good_digests_newest_first() {
    let dir = Dir::new("audit_history");
    config(&dir);
    let db = dir.path().join("audit.db").display().to_string();
    let good: serde_json::Value = serde_json::from_slice(
        &fs_err::read(repo_file("testdata/evidence/good.json")).expect("read"),
    )
    .expect("json");
    let digests = ["a".repeat(64), "b".repeat(64), "a".repeat(64)];
    for (i, digest) in digests.iter().enumerate() {
        let mut evidence = good.clone();
        evidence["subject"]["digest"]["sha256"] = serde_json::json!(digest);
        let file = format!("evidence-{i}.json");
        dir.write(&file, serde_json::to_vec(&evidence).expect("json"));
        let out = dir
            .command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args([
                "gate",
                "--stage",
                "dev",
                "--audit-db",
                &db,
                "--evidence",
                &file,
            ])
            .arg("--key")
            .arg(repo_file("testdata/keys/gate.key"))
            .args(["--bundle-out", &format!("dev-{i}.sigstore.json")])
            .output()
            .expect("gate");
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    // A failing gate and an unsigned evaluation are not known-good.
    let out = evaluate(&dir, &db, "dev", "fail-licenses.banned.json");
    assert_eq!(code(&out), 1, "{}", stderr(&out));

    let history = |args: &[&str]| {
        dir.command()
            .args(["history", "--audit-db", &db])
            .args(args)
            .output()
            .expect("run stagegate")
    };
    let out = history(&["--stage", "dev", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let listed: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let listed = listed.as_array().expect("array");
    assert_eq!(listed.len(), 2, "{listed:?}");
    // `a` was gated last: first, with both its signed results.
    assert_eq!(listed[0]["digest"], format!("sha256:{}", "a".repeat(64)));
    assert_eq!(listed[0]["results"].as_array().map(Vec::len), Some(2));
    assert_eq!(listed[1]["digest"], format!("sha256:{}", "b".repeat(64)));
    let newest = &listed[0]["results"][0];
    assert!(
        newest["promotionId"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(
        newest["signerKeyId"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(newest["seq"].as_u64() > listed[0]["results"][1]["seq"].as_u64());

    let out = history(&[
        "--stage",
        "dev",
        "--subject",
        &format!("sha256:{}", "b".repeat(64)),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains(&"b".repeat(64)), "{}", stdout(&out));
    assert!(!stdout(&out).contains(&"a".repeat(64)), "{}", stdout(&out));
    // Nothing passed `prod`: exit 1.
    let out = history(&["--stage", "prod"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
}
