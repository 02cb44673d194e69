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
