//! `stagegate impact` (issue 7, point 5): two copies of the starter policies, one with a rule
//! changed, evaluated on shipped evidence fixtures.

use std::process::Output;

use crate::replay::copy_tree;
use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr, stdout};

const FIXTURES: &[&str] = &[
    "good.json",
    "warn-licenses.unknown.json",
    "fail-licenses.banned.json",
];

/// `old/` and `new/` (each the starter policies and `stagegate.yaml`) and `evidence/`; `change`
/// edits `new/policies/baseline/licenses.rego`.
fn setup(name: &str, change: impl Fn(String) -> String) -> Dir {
    let dir = Dir::new(name);
    for side in ["old", "new"] {
        copy_tree(
            &repo_file("policies"),
            &dir.path().join(side).join("policies"),
        );
        fs_err::copy(
            repo_file("stagegate.yaml"),
            dir.path().join(side).join("stagegate.yaml"),
        )
        .expect("copy config");
        // The keys its `trust:` section names.
        copy_tree(
            &repo_file("testdata/keys"),
            &dir.path().join(side).join("testdata/keys"),
        );
    }
    for fixture in FIXTURES {
        let bytes =
            fs_err::read(repo_file(&format!("testdata/evidence/{fixture}"))).expect("read fixture");
        dir.write(&format!("evidence/{fixture}"), bytes);
    }
    let rule = dir.path().join("new/policies/baseline/licenses.rego");
    let text = fs_err::read_to_string(&rule).expect("read rule");
    fs_err::write(&rule, change(text)).expect("write rule");
    dir
}

fn impact(dir: &Dir, extra: &[&str]) -> Output {
    dir.command()
        .args(["impact", "--old", "old", "--new", "new/stagegate.yaml"])
        .args(["--evidence-dir", "evidence", "--stage", "dev"])
        .args(["--effective-time", EFFECTIVE_TIME])
        .args(extra)
        .output()
        .expect("run impact")
}

/// The unknown-license warning becomes a violation.
fn warn_to_deny(text: String) -> String {
    text.replace("warn_unknown contains", "deny_unknown contains")
}

#[test]
fn impact_lists_a_promotion_that_would_now_fail() {
    let dir = setup("impact-newly-fails", warn_to_deny);
    let out = impact(&dir, &[]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("1 of 3 promotion(s) change"), "{text}");
    assert!(
        text.contains("warn-licenses.unknown.json at `dev`: pass → fail"),
        "{text}"
    );
    assert!(
        text.contains("- warning `licenses.unknown` [low]"),
        "{text}"
    );
    assert!(
        text.contains("+ violation `licenses.unknown` [low]"),
        "{text}"
    );

    let out = impact(&dir, &["--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["evaluated"], 3);
    assert_eq!(report["unchanged"], 2);
    assert_eq!(report["newlyFailing"], 1);
    let change = &report["changes"][0];
    assert_eq!(change["evidence"], "warn-licenses.unknown.json");
    assert_eq!(
        (&change["before"], &change["after"]),
        (&"pass".into(), &"fail".into())
    );
    assert_eq!(change["added"][0]["kind"], "violation");
    assert_eq!(change["removed"][0]["kind"], "warning");

    let out = impact(&dir, &["--format", "markdown"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let markdown = stdout(&out);
    assert!(
        markdown.starts_with("### :x: stagegate policy impact"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| `warn-licenses.unknown.json` | `dev` | pass → fail | 1 | 1 |"),
        "{markdown}"
    );
    assert!(markdown.contains("<details>"), "{markdown}");
}

#[test]
fn impact_of_a_relaxed_rule_is_not_a_failure() {
    // The banned-license rule no longer fires: a fail → pass is listed, and exits 0.
    let dir = setup("impact-newly-passes", |text| {
        text.replace("deny_banned contains", "banned_ignored contains")
    });
    let out = impact(&dir, &["--format", "json"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["newlyFailing"], 0);
    assert_eq!(report["newlyPassing"], 1, "{report:#}");
}

#[test]
fn impact_without_changes_exits_zero() {
    let dir = setup("impact-unchanged", |text| text);
    let out = impact(&dir, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("0 of 3 promotion(s) change"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn impact_with_a_broken_new_policy_is_an_error() {
    let dir = setup("impact-broken", |text| {
        format!("{text}\ndeny_x contains msg if {{\n")
    });
    let out = impact(&dir, &[]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("with the new policies"),
        "{}",
        stderr(&out)
    );
}
