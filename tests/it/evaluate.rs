//! `stagegate evaluate`: the shipped policies on the shipped fixtures, every output format,
//! conftest compatibility, and every kind of error ending in exit 2 with a file and line.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::{Dir, EFFECTIVE_TIME, code, filters, repo, repo_file, stderr, stdout};

/// Runs `evaluate --format json` on a fixture with the repository's `stagegate.yaml`.
fn evaluate_fixture(stage: &str, fixture: &str) -> (i32, Value) {
    let dir = Dir::new("fixture");
    let output = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            stage,
            "--format",
            "json",
            "--effective-time",
            EFFECTIVE_TIME,
        ])
        .arg("--config")
        .arg(repo_file("stagegate.yaml"))
        .arg("--evidence")
        .arg(repo_file(&format!("testdata/evidence/{fixture}")))
        .output()
        .expect("run stagegate");
    let decision = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "{fixture}: stdout is not a decision ({err}); stderr:\n{}",
            stderr(&output)
        )
    });
    (code(&output), decision)
}

fn rule_ids(decision: &Value, key: &str) -> BTreeSet<String> {
    decision[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn every_fixture_gives_its_expected_rule_ids() {
    let expected: Value = serde_json::from_slice(
        &fs_err::read(repo_file("testdata/evidence/expected.json")).expect("expected.json"),
    )
    .expect("expected.json parses");
    let stage = expected["stage"].as_str().expect("stage");
    let fixtures = expected["fixtures"].as_object().expect("fixtures");
    assert!(fixtures.len() >= 15, "every starter rule has a fixture");
    for (fixture, want) in fixtures {
        let (exit, decision) = evaluate_fixture(stage, fixture);
        let ids = |v: &Value| -> BTreeSet<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        assert_eq!(
            rule_ids(&decision, "violations"),
            ids(&want["violations"]),
            "{fixture}: violations"
        );
        assert_eq!(
            rule_ids(&decision, "warnings"),
            ids(&want["warnings"]),
            "{fixture}: warnings"
        );
        let want_exit = if ids(&want["violations"]).is_empty() {
            0
        } else {
            1
        };
        assert_eq!(exit, want_exit, "{fixture}: exit code");
        assert_eq!(
            decision["result"],
            if want_exit == 0 { "pass" } else { "fail" }
        );
    }
}

#[test]
fn decision_records_digests_and_ids() {
    let (exit, decision) = evaluate_fixture("prod", "good.json");
    assert_eq!(exit, 0);
    assert_eq!(decision["apiVersion"], "stagegate.dev/decision/v1");
    assert_eq!(decision["stage"], "prod");
    assert_eq!(decision["effectiveTime"], EFFECTIVE_TIME);
    let id = decision["promotionId"].as_str().expect("promotionId");
    assert_eq!(
        uuid::Uuid::parse_str(id).map(|u| u.get_version_num()).ok(),
        Some(7)
    );
    let bytes = fs_err::read(repo_file("testdata/evidence/good.json")).expect("read");
    let digest = format!(
        "sha256:{}",
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes))
    );
    assert_eq!(decision["evidenceDigest"], digest.as_str());
    let policy_digest = decision["policyDigest"].as_str().expect("policyDigest");
    assert!(policy_digest.starts_with("sha256:") && policy_digest.len() == 71);
    let rules = decision["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| r["engine"] == "rego"));
    assert!(rules.iter().any(|r| r["engine"] == "cel"));
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "stagegate.evidence.approvals.missing")
    );
}

#[test]
fn policy_digest_changes_with_a_policy_and_not_with_a_test() {
    let dir = Dir::new("digest");
    let copy = |from: &str, to: &str| {
        dir.write(to, fs_err::read(repo_file(from)).expect("read"));
    };
    copy("policies/baseline/tests.rego", "p/tests.rego");
    copy("policies/data.yaml", "data.yaml");
    dir.write(
        "stagegate.yaml",
        "stages:\n  s:\n    policies: [p]\n    data: [data.yaml]\n",
    );
    let digest = || {
        let output = dir
            .command()
            .args(["evaluate", "--stage", "s", "--format", "json", "--evidence"])
            .arg(repo_file("testdata/evidence/good.json"))
            .output()
            .expect("run");
        let decision: Value = serde_json::from_slice(&output.stdout).expect("json");
        decision["policyDigest"]
            .as_str()
            .expect("digest")
            .to_owned()
    };
    let first = digest();
    dir.write("p/tests_test.rego", "package x_test\n\ntest_t if true\n");
    assert_eq!(digest(), first, "test files are not part of the policy set");
    dir.write("p/extra.rego", "package extra\n\ndeny_never if false\n");
    assert_ne!(digest(), first, "a new policy changes the digest");
}

#[test]
fn every_format_renders_the_same_decision() {
    let fixture = repo_file("testdata/evidence/fail-licenses.banned.json");
    for format in ["text", "json", "sarif", "junit", "github", "markdown"] {
        let dir = Dir::new("formats");
        let output = dir
            .command()
            .args([
                "evaluate",
                "--stage",
                "prod",
                "--effective-time",
                EFFECTIVE_TIME,
                "--format",
                format,
            ])
            .arg("--config")
            .arg(repo_file("stagegate.yaml"))
            .arg("--evidence")
            .arg(&fixture)
            .output()
            .expect("run");
        assert_eq!(code(&output), 1, "{format}: {}", stderr(&output));
        let owned = filters();
        let filters: Vec<(&str, &str)> = owned
            .iter()
            .map(|(from, to)| (from.as_str(), *to))
            .collect();
        insta::with_settings!({
            filters => filters,
            snapshot_suffix => format,
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!("evaluate_fail_licenses", stdout(&output));
        });
    }
}

#[test]
fn several_outputs_in_one_run_are_written_to_files() {
    let dir = Dir::new("outputs");
    let run = || {
        dir.command()
            .args([
                "evaluate",
                "--stage",
                "prod",
                "--effective-time",
                EFFECTIVE_TIME,
            ])
            .args([
                "--format",
                "sarif=out/report.sarif",
                "--format",
                "junit=out/report.xml",
                "--format",
                "json=decision.json",
            ])
            .arg("--config")
            .arg(repo_file("stagegate.yaml"))
            .arg("--evidence")
            .arg(repo_file("testdata/evidence/fail-tests.failed.json"))
            .output()
            .expect("run")
    };
    let output = run();
    // out/ does not exist: writing there fails before anything is written.
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        !dir.path().join("decision.json").exists(),
        "nothing is written half-way"
    );

    fs_err::create_dir_all(dir.path().join("out")).expect("mkdir");
    let output = run();
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stdout(&output).contains("FAIL"),
        "text goes to stdout when every format has a file"
    );
    let sarif: Value =
        serde_json::from_slice(&fs_err::read(dir.path().join("out/report.sarif")).expect("sarif"))
            .expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["ruleId"] == "tests.failed"));
    let junit = fs_err::read_to_string(dir.path().join("out/report.xml")).expect("junit");
    assert!(junit.contains("<testsuites") && junit.contains("tests.failed"));
    let decision: Value =
        serde_json::from_slice(&fs_err::read(dir.path().join("decision.json")).expect("json"))
            .expect("json");
    assert_eq!(decision["result"], "fail");
}

#[test]
fn only_one_format_may_use_stdout() {
    let dir = Dir::new("stdout");
    let output = dir
        .command()
        .args([
            "evaluate", "--stage", "prod", "--format", "json", "--format", "sarif",
        ])
        .arg("--config")
        .arg(repo_file("stagegate.yaml"))
        .arg("--evidence")
        .arg(repo_file("testdata/evidence/good.json"))
        .output()
        .expect("run");
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("only one `--format` can go to standard output"));
}

#[test]
fn conftest_policies_run_unmodified() {
    let dir = Dir::new("conftest");
    dir.write(
        "stagegate.yaml",
        format!(
            "stages:\n  k8s:\n    policies: [{}]\n",
            repo_file("testdata/conftest").display()
        ),
    );
    let run = |input: &str| {
        dir.command()
            .args(["evaluate", "--stage", "k8s", "--format", "json", "--input"])
            .arg(repo_file(input))
            .output()
            .expect("run")
    };
    let bad = run("testdata/inputs/deployment.yaml");
    assert_eq!(code(&bad), 1, "{}", stderr(&bad));
    let decision: Value = serde_json::from_slice(&bad.stdout).expect("json");
    let messages: Vec<&str> = decision["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(!messages.is_empty());
    assert!(
        decision["violations"][0]["rule"]
            .as_str()
            .is_some_and(|r| r.starts_with("main."))
    );
    let good = run("testdata/inputs/deployment-ok.yaml");
    assert_eq!(code(&good), 0, "{}", stdout(&good));
}

#[test]
fn warnings_fail_only_with_fail_on_warn() {
    let fixture = repo_file("testdata/evidence/warn-sbom.component_without_purl.json");
    let run = |extra: &[&str]| {
        Dir::new("warn")
            .command()
            .args([
                "evaluate",
                "--stage",
                "prod",
                "--effective-time",
                EFFECTIVE_TIME,
            ])
            .args(extra)
            .arg("--config")
            .arg(repo_file("stagegate.yaml"))
            .arg("--evidence")
            .arg(&fixture)
            .output()
            .expect("run")
    };
    assert_eq!(code(&run(&[])), 0);
    assert_eq!(code(&run(&["--fail-on-warn"])), 1);
}

#[test]
fn required_evidence_missing_is_a_violation() {
    let dir = Dir::new("required");
    dir.write(
        "stagegate.yaml",
        "stages:\n  prod:\n    require_evidence: [sbom, vulnerabilities, tests, approvals]\n",
    );
    dir.write(
        "e.json",
        r#"{"apiVersion": "stagegate.dev/evidence/v1", "subject": {"name": "x", "digest": {"sha256": "0000000000000000000000000000000000000000000000000000000000000000"}}, "vulnerabilities": []}"#,
    );
    let output = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "prod",
            "--format",
            "json",
            "--evidence",
            "e.json",
        ])
        .output()
        .expect("run");
    assert_eq!(code(&output), 1);
    let decision: Value = serde_json::from_slice(&output.stdout).expect("json");
    let ids = rule_ids(&decision, "violations");
    let want: BTreeSet<String> = [
        "stagegate.evidence.approvals.missing",
        "stagegate.evidence.sbom.missing",
        "stagegate.evidence.tests.missing",
    ]
    .map(String::from)
    .into();
    assert_eq!(ids, want);
}

#[test]
fn ten_thousand_components_evaluate_with_every_starter_policy() {
    let good: Value = serde_json::from_slice(
        &fs_err::read(repo_file("testdata/evidence/good.json")).expect("read"),
    )
    .expect("json");
    let mut evidence = good.clone();
    let template = good["sbom"]["components"][0].clone();
    let components: Vec<Value> = (0..10_000)
        .map(|i| {
            let mut c = template.clone();
            c["name"] = Value::String(format!("component-{i}"));
            c["purl"] = Value::String(format!("pkg:npm/component-{i}@1.0.{i}"));
            c
        })
        .collect();
    evidence["sbom"]["components"] = Value::Array(components);
    evidence["sbom"]["components"][4242]["licenses"] = serde_json::json!(["AGPL-3.0-only"]);
    let dir = Dir::new("large");
    dir.write("e.json", serde_json::to_vec(&evidence).expect("serialize"));
    let output = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "prod",
            "--format",
            "json",
            "--effective-time",
            EFFECTIVE_TIME,
            "--evidence",
            "e.json",
        ])
        .arg("--config")
        .arg(repo_file("stagegate.yaml"))
        .output()
        .expect("run");
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let decision: Value = serde_json::from_slice(&output.stdout).expect("json");
    let violations = decision["violations"].as_array().expect("violations");
    assert!(
        violations.iter().any(|v| v["rule"] == "licenses.banned"
            && v["message"]
                .as_str()
                .is_some_and(|m| m.contains("component-4242"))),
        "{violations:?}"
    );
}

#[test]
fn init_scaffolds_a_working_gate() {
    let dir = Dir::new("init");
    let output = dir
        .command()
        .args(["init", "project"])
        .output()
        .expect("run");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let config = dir.path().join("project/stagegate.yaml");
    assert!(config.exists());
    let run = |stage: &str, fixture: &str| {
        dir.command()
            .args([
                "evaluate",
                "--stage",
                stage,
                "--effective-time",
                EFFECTIVE_TIME,
                "--config",
            ])
            .arg(&config)
            .arg("--evidence")
            .arg(repo_file(&format!("testdata/evidence/{fixture}")))
            .output()
            .expect("run")
    };
    // Until the project trusts keys, nothing is verified: dev passes, while staging and prod,
    // which require verified provenance (and prod approvals), fail closed.
    assert_eq!(code(&run("dev", "good.json")), 0);
    for stage in ["staging", "prod"] {
        let out = run(stage, "good.json");
        assert_eq!(code(&out), 1, "{stage}");
        assert!(
            stdout(&out).contains("stagegate.evidence.provenance.missing"),
            "{}",
            stdout(&out)
        );
    }
    // Trusting the builder and the approvers who signed the fixture: every stage passes.
    let keys = repo_file("testdata/keys");
    let text = fs_err::read_to_string(&config).unwrap();
    fs_err::write(
        &config,
        format!(
            "{text}trust:\n  keys:\n    - {{key: {k}/builder.pub, for: [provenance]}}\n  approvers:\n    - {{name: alice@example.com, key: {k}/alice.pub, roles: [release-manager]}}\n    - {{name: bob@example.com, key: {k}/bob.pub, roles: [release-manager]}}\n",
            k = keys.display()
        ),
    )
    .unwrap();
    for stage in ["dev", "staging", "prod"] {
        let out = run(stage, "good.json");
        assert_eq!(code(&out), 0, "{stage}: {}", stdout(&out));
    }
    assert_eq!(code(&run("prod", "fail-licenses.banned.json")), 1);

    // https://github.com/stagegate/stagegate/issues/11 (point 6): each check runs once. Every
    // failing fixture breaks one rule, and the scaffolded prod stage (every starter policy,
    // Rego and CEL) reports it under one rule, not once per language.
    let mut fixtures: Vec<String> = fs_err::read_dir(repo_file("testdata/evidence"))
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("fail-"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() > 15);
    for fixture in &fixtures {
        let output = dir
            .command()
            .args(["evaluate", "--stage", "prod", "--format", "json"])
            .args(["--effective-time", EFFECTIVE_TIME, "--config"])
            .arg(&config)
            .arg("--evidence")
            .arg(repo_file(&format!("testdata/evidence/{fixture}")))
            .output()
            .expect("run");
        assert_eq!(code(&output), 1, "{fixture}: {}", stderr(&output));
        let decision: Value = serde_json::from_slice(&output.stdout).expect("decision");
        let rules: BTreeSet<&str> = decision["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .filter_map(|v| v["rule"].as_str())
            .filter(|rule| !rule.starts_with("stagegate.evidence."))
            .collect();
        assert_eq!(rules.len(), 1, "{fixture}: {rules:?}");
    }
    let again = dir
        .command()
        .args(["init", "project"])
        .output()
        .expect("run");
    assert_eq!(code(&again), 2, "init refuses to overwrite");
}

/// One broken thing per case: each must exit 2 and name the file (and line where it has one).
#[test]
fn errors_exit_2_and_name_the_file_and_line() {
    struct Case {
        name: &'static str,
        files: &'static [(&'static str, &'static str)],
        args: &'static [&'static str],
        expect: &'static str,
    }
    const GOOD_CONFIG: (&str, &str) = ("stagegate.yaml", "stages:\n  s:\n    policies: [p]\n");
    const EMPTY: (&str, &str) = ("in.json", "{}\n");
    let cases = [
        Case {
            name: "rego syntax error",
            files: &[
                GOOD_CONFIG,
                EMPTY,
                (
                    "p/bad.rego",
                    "package main\n\ndeny contains msg if {\n  msg := \n}\n",
                ),
            ],
            args: &["--input", "in.json"],
            expect: "p/bad.rego:4:",
        },
        Case {
            name: "unknown builtin",
            files: &[
                GOOD_CONFIG,
                EMPTY,
                (
                    "p/x.rego",
                    "package main\n\ndeny contains 1 if nosuch.fn(1)\n",
                ),
            ],
            args: &["--input", "in.json"],
            expect: "x.rego:3:",
        },
        Case {
            name: "rego type error",
            files: &[
                GOOD_CONFIG,
                ("in.json", "{\"n\": \"text\"}"),
                (
                    "p/x.rego",
                    "package main\n\ndeny contains msg if {\n  x := input.n + 1\n  msg := sprintf(\"%v\", [x])\n}\n",
                ),
            ],
            args: &["--input", "in.json"],
            expect: "x.rego:4:",
        },
        Case {
            name: "cel compile error",
            files: &[
                (
                    "stagegate.yaml",
                    "stages:\n  s:\n    policies: [r.cel.yaml]\n",
                ),
                EMPTY,
                (
                    "r.cel.yaml",
                    "validations:\n  - id: x\n    expression: \"size(evidence.a) >\"\n",
                ),
            ],
            args: &["--input", "in.json"],
            expect: "r.cel.yaml:3:",
        },
        Case {
            name: "cel no such key",
            files: &[
                (
                    "stagegate.yaml",
                    "stages:\n  s:\n    policies: [r.cel.yaml]\n",
                ),
                EMPTY,
                (
                    "r.cel.yaml",
                    "validations:\n  - id: x\n    expression: \"evidence.tests.failed == 0\"\n",
                ),
            ],
            args: &["--input", "in.json"],
            expect: "r.cel.yaml:3",
        },
        Case {
            name: "malformed evidence",
            files: &[
                GOOD_CONFIG,
                ("p/ok.rego", "package ok\n"),
                (
                    "e.json",
                    "{\"apiVersion\": \"stagegate.dev/evidence/v1\",\n  \"subject\": [\n",
                ),
            ],
            args: &["--evidence", "e.json"],
            expect: "e.json:3:",
        },
        Case {
            name: "evidence of the wrong shape",
            files: &[
                GOOD_CONFIG,
                ("p/ok.rego", "package ok\n"),
                (
                    "e.json",
                    "{\"apiVersion\": \"stagegate.dev/evidence/v1\",\n  \"subject\": {\"name\": 1}}\n",
                ),
            ],
            args: &["--evidence", "e.json"],
            expect: "e.json:2:",
        },
        Case {
            name: "nesting too deep",
            files: &[GOOD_CONFIG, ("p/ok.rego", "package ok\n")],
            args: &["--input", "deep.json"],
            expect: "deep.json",
        },
        Case {
            name: "unknown key in config",
            files: &[
                ("stagegate.yaml", "stages:\n  s:\n    polices: [p]\n"),
                EMPTY,
            ],
            args: &["--input", "in.json"],
            expect: "stagegate.yaml:3:5",
        },
        Case {
            name: "unknown stage in requires",
            files: &[
                ("stagegate.yaml", "stages:\n  s:\n    requires: [qa]\n"),
                EMPTY,
            ],
            args: &["--input", "in.json"],
            expect: "stagegate.yaml:3:16",
        },
        Case {
            name: "requires cycle",
            files: &[
                (
                    "stagegate.yaml",
                    "stages:\n  a:\n    requires: [s]\n  s:\n    requires: [a]\n",
                ),
                EMPTY,
            ],
            args: &["--input", "in.json"],
            expect: "cycle",
        },
        Case {
            name: "missing policy path",
            files: &[
                ("stagegate.yaml", "stages:\n  s:\n    policies: [nowhere]\n"),
                EMPTY,
            ],
            args: &["--input", "in.json"],
            expect: "stagegate.yaml:3:16",
        },
        Case {
            name: "policy directory without a policy",
            files: &[
                GOOD_CONFIG,
                EMPTY,
                ("p/only_test.rego", "package x_test\n\ntest_t if true\n"),
            ],
            args: &["--input", "in.json"],
            expect: "stagegate.yaml:3:16",
        },
        Case {
            name: "stage that checks nothing",
            files: &[("stagegate.yaml", "stages:\n  s: {}\n"), EMPTY],
            args: &["--input", "in.json"],
            expect: "evaluated no rule",
        },
        Case {
            name: "unknown --stage",
            files: &[("stagegate.yaml", "stages:\n  dev: {}\n"), EMPTY],
            args: &["--input", "in.json"],
            expect: "unknown stage `s`",
        },
        Case {
            name: "timeout",
            files: &[
                GOOD_CONFIG,
                EMPTY,
                (
                    "p/slow.rego",
                    "package slow\n\ndeny contains n if {\n  some n in numbers.range(1, 100000000)\n  n < 0\n}\n",
                ),
            ],
            args: &["--input", "in.json", "--timeout", "1s"],
            expect: "time limit",
        },
    ];
    for case in cases {
        let dir = Dir::new("errors");
        for (path, contents) in case.files {
            dir.write(path, contents);
        }
        dir.write(
            "deep.json",
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        );
        let output = dir
            .command()
            .args(["evaluate", "--stage", "s", "--format", "json=decision.json"])
            .args(case.args)
            .output()
            .expect("run");
        let err = stderr(&output);
        assert_eq!(code(&output), 2, "{}: exit code; stderr:\n{err}", case.name);
        assert!(
            err.contains(case.expect),
            "{}: stderr lacks `{}`:\n{err}",
            case.name,
            case.expect
        );
        assert!(
            !dir.path().join("decision.json").exists(),
            "{}: nothing written",
            case.name
        );
    }
}

#[test]
fn schemas_are_current() {
    for (kind, file) in [
        ("config", "schemas/stagegate.schema.json"),
        ("evidence", "schemas/evidence.v1.schema.json"),
        ("decision", "schemas/decision.v1.schema.json"),
    ] {
        let output = Dir::new("schema")
            .command()
            .args(["schema", kind])
            .output()
            .expect("run");
        assert_eq!(code(&output), 0);
        let path = repo().join(file);
        if std::env::var_os("STAGEGATE_UPDATE_SCHEMAS").is_some() {
            fs_err::write(&path, &output.stdout).expect("write schema");
        }
        let checked_in = fs_err::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            checked_in,
            stdout(&output),
            "{file} is stale: run `STAGEGATE_UPDATE_SCHEMAS=1 cargo test schemas_are_current`"
        );
    }
}
