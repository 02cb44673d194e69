//! `stagegate test` on the fixture suite in `testdata/policy-tests/` (known counts, see its
//! README) and on the starter library in `policies/`.

use std::path::Path;

use crate::util::{Dir, code, filters, repo, stdout};

/// Runs `stagegate test ARGS…` from the repository root.
fn run_in_repo(name: &str, args: &[&str]) -> std::process::Output {
    let dir = Dir::new(name);
    let mut command = dir.command();
    command.current_dir(repo()).arg("test").args(args);
    command.output().expect("run stagegate")
}

fn snapshot_filters() -> Vec<(String, &'static str)> {
    let mut filters = filters();
    filters.push((r"\(\d+(\.\d+)?(µs|ms|s)\)".to_owned(), "([DURATION])"));
    filters
}

#[test]
fn fixture_suite_counts_and_exit_code() {
    let output = run_in_repo(
        "fixture-counts",
        &[
            "testdata/policy-tests",
            "--strict-builtin-errors",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&output), 2, "a test errors: exit 2");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert_eq!(
        report["summary"],
        serde_json::json!({"total": 21, "passed": 14, "failed": 4, "errored": 2, "skipped": 1})
    );
    assert_eq!(report["outcome"], "errored");
}

#[test]
fn failures_without_errors_exit_1() {
    let output = run_in_repo(
        "fixture-failures",
        &[
            "testdata/policy-tests",
            "--strict-builtin-errors",
            "--run",
            "test_fails_when",
        ],
    );
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("PASS: 0/3  FAIL: 3/3"));
}

#[test]
fn passing_subset_exits_0() {
    let output = run_in_repo(
        "fixture-pass",
        &[
            "testdata/policy-tests",
            "--strict-builtin-errors",
            "--run",
            "mock",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("PASS: 6/6"), "{}", stdout(&output));
}

#[test]
fn fixture_suite_text() {
    let output = run_in_repo(
        "fixture-text",
        &["testdata/policy-tests", "--strict-builtin-errors", "-v"],
    );
    let owned = snapshot_filters();
    let filters: Vec<(&str, &str)> = owned
        .iter()
        .map(|(from, to)| (from.as_str(), *to))
        .collect();
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!(
            "test_cmd--verbose",
            format!("exit code: {}\n----- stdout -----\n{}", code(&output), stdout(&output))
        );
    });
}

#[test]
fn junit_file_parses_back() {
    let dir = Dir::new("fixture-junit");
    let junit = dir.path().join("report.xml");
    let output = run_in_repo(
        "fixture-junit-run",
        &[
            "testdata/policy-tests",
            "--strict-builtin-errors",
            "--format",
            &format!("junit={}", junit.display()),
        ],
    );
    assert_eq!(code(&output), 2);
    let xml = fs_err::read_to_string(&junit).expect("JUnit file");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
    let mut files = std::collections::BTreeSet::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testcase" => {
                        cases += 1;
                        let file = e
                            .try_get_attribute("file")
                            .expect("attribute")
                            .expect("file attribute");
                        files.insert(String::from_utf8_lossy(&file.value).into_owned());
                    }
                    b"failure" => failures += 1,
                    b"error" => errors += 1,
                    b"skipped" => skipped += 1,
                    _ => {}
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!((cases, failures, errors, skipped), (21, 4, 2, 1));
    assert!(files.contains("testdata/policy-tests/rego/shop_test.rego"));
    assert!(files.contains("testdata/policy-tests/cel/gate.cel.test.yaml"));
}

#[test]
fn coverage_lists_uncovered_lines() {
    let output = run_in_repo(
        "fixture-coverage",
        &[
            "testdata/policy-tests",
            "--strict-builtin-errors",
            "--run",
            "mock|too|not_admin|outside|gate",
            "--threshold",
            "90",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        code(&output),
        2,
        "the CEL case `missing key errors` still runs"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let rego = &report["coverage"]["rego"];
    assert_eq!(rego[0]["file"], "testdata/policy-tests/rego/shop.rego");
    assert_eq!(rego[0]["notCovered"], serde_json::json!([30, 31, 32]));
    assert_eq!(report["coverage"]["belowThreshold"], true);
    let cel = report["coverage"]["cel"].as_array().expect("CEL coverage");
    let untested = cel
        .iter()
        .find(|v| v["id"] == "fixture.untested")
        .expect("untested validation");
    assert_eq!(
        (&untested["held"], &untested["failed"]),
        (&false.into(), &false.into())
    );
}

#[test]
fn threshold_failure_lists_uncovered_lines_and_exits_1() {
    let output = run_in_repo(
        "fixture-threshold",
        &[
            "testdata/policy-tests/rego",
            "--run",
            "mock",
            "--threshold",
            "100",
        ],
    );
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("testdata/policy-tests/rego/shop.rego: lines "),
        "{}",
        stdout(&output)
    );
}

#[test]
fn starter_library_passes_with_full_coverage() {
    let output = run_in_repo(
        "starter-coverage",
        &["policies", "--coverage", "--threshold", "100"],
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
}

#[test]
fn parse_errors_exit_2_with_a_location() {
    let dir = Dir::new("parse-error");
    dir.write("broken.rego", "package broken\n\ntest_x if {\n\t1 +\n}\n");
    let output = dir.command().args(["test", "."]).output().expect("run");
    assert_eq!(code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.rego:"), "{stderr}");
}

#[test]
fn missing_paths_and_fixtures_exit_2() {
    let dir = Dir::new("missing");
    let output = dir.command().args(["test", "nope"]).output().expect("run");
    assert_eq!(code(&output), 2);
    dir.write(
        "g.cel.yaml",
        "validations:\n  - id: x\n    expression: \"true\"\n",
    );
    dir.write(
        "g.cel.test.yaml",
        "cases:\n  - name: a\n    evidence: missing.json\n    expect: pass\n",
    );
    let output = dir.command().args(["test", "."]).output().expect("run");
    assert_eq!(code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing.json"), "{stderr}");
}

#[test]
fn captured_evidence_is_a_cel_case() {
    // The capture workflow: `stagegate collect … -o case.json`, then a case names the file.
    let dir = Dir::new("capture");
    let evidence = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/evidence/good.json");
    fs_err::copy(&evidence, dir.path().join("case.json")).expect("copy evidence");
    fs_err::copy(
        repo().join("policies/security.cel.yaml"),
        dir.path().join("security.cel.yaml"),
    )
    .expect("copy rules");
    dir.write(
        "security.cel.test.yaml",
        "cases:\n  - name: captured good evidence passes\n    stage: staging\n    evidence: case.json\n    expect: pass\n",
    );
    let output = dir.command().args(["test", "."]).output().expect("run");
    assert_eq!(code(&output), 0, "{}", stdout(&output));
}

#[test]
fn fail_on_empty_fails_when_no_test_runs() {
    let args = ["policies", "--run", "no_such_test_name"];
    assert_eq!(
        code(&run_in_repo("empty-run", &args)),
        0,
        "as opa test: passes by default"
    );
    let strict = [&args[..], &["--fail-on-empty"]].concat();
    assert_eq!(code(&run_in_repo("empty-run-strict", &strict)), 1);
}
