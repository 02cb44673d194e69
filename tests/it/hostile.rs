//! Regressions for issue #12 (hostile input): each attack of the adversarial battery that
//! got through ends here in a clear error (exit 2) or a failed gate (exit 1), never a pass, a
//! crash or a hang. Files under `testdata/hostile/` (see its README).

use std::time::Duration;

use serde_json::Value;

use crate::util::{Dir, code, repo_file, stderr};

const SUBJECT: &str = "registry.example.com/app@sha256:1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82";

/// A hang guard, not a timing assertion: a run that blocks fails the test instead of CI.
const HANG: Duration = Duration::from_secs(120);

/// `evaluate --input <input>` with the policies (and data) of `testdata/hostile/<dir>`.
fn evaluate(
    dir: &Dir,
    policies: &str,
    data: Option<&str>,
    input: &std::path::Path,
) -> std::process::Output {
    let data = data.map_or_else(String::new, |d| {
        format!(
            "    data: [{}]\n",
            repo_file(&format!("testdata/hostile/{d}")).display()
        )
    });
    dir.write(
        "stagegate.yaml",
        format!(
            "stages:\n  s:\n    policies: [{}]\n{data}",
            repo_file(&format!("testdata/hostile/{policies}")).display()
        ),
    );
    dir.command()
        .args([
            "evaluate",
            "--stage",
            "s",
            "--max-memory",
            "256MiB",
            "--input",
        ])
        .arg(input)
        .timeout(HANG)
        .output()
        .expect("run stagegate")
}

/// Point 2: `deny[k] := v` fired beside `deny_other` and the gate passed.
#[test]
fn issue_12_partial_object_deny_fails_the_gate() {
    let dir = Dir::new("object-deny");
    let input = dir.write("in.json", "{}");
    let output = evaluate(&dir, "object-deny", None, &input);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("fires"), "{text}");
}

/// Point 2: a function named `deny` was skipped; it is refused at its line.
#[test]
fn issue_12_function_deny_is_refused_at_load() {
    let dir = Dir::new("function-deny");
    let input = dir.write("in.json", "{}");
    let output = evaluate(&dir, "function-deny", None, &input);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("p.rego:5:1"),
        "{}",
        stderr(&output)
    );
}

/// Point 8: `f(100000)` overflowed the stack (exit 134).
#[test]
fn issue_12_recursion_is_refused() {
    let dir = Dir::new("recursion");
    let input = dir.write("in.json", "{}");
    let output = evaluate(&dir, "recursion", None, &input);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is recursive"),
        "{}",
        stderr(&output)
    );
}

/// Point 8: 26 nested `[` took ~40 s to parse, outside `--timeout`.
#[test]
fn issue_12_exponential_nesting_is_refused() {
    let dir = Dir::new("nesting");
    let input = dir.write("in.json", "{}");
    let output = evaluate(&dir, "nesting", None, &input);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("p.rego:3:"), "{}", stderr(&output));
}

/// Point 8: a string-doubling rule reached 2.5 GB.
#[test]
fn issue_12_memory_is_limited() {
    let dir = Dir::new("memory");
    let input = dir.write("in.json", "{}");
    let output = evaluate(&dir, "memory", None, &input);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("memory limit of 256 MiB"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty());
}

/// Point 5: duplicate keys in `--input` JSON and in JSON data files were last-wins.
#[test]
fn issue_12_duplicate_json_keys_are_refused() {
    let dir = Dir::new("duplicate-keys");
    let output = evaluate(
        &dir,
        "object-deny",
        None,
        &repo_file("testdata/hostile/duplicate-keys.json"),
    );
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("duplicate key `kind`"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("duplicate-keys.json:3:"),
        "{}",
        stderr(&output)
    );

    let input = dir.write("in.json", r#"{"kind": "Job"}"#);
    let output = evaluate(&dir, "data-dup", Some("data-dup/data.json"), &input);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("duplicate key `banned`"),
        "{}",
        stderr(&output)
    );
}

/// Point 5: a repeated key in a field the typed readers ignore stayed in the raw document.
#[test]
fn issue_12_duplicate_keys_in_collected_and_evidence_documents_are_refused() {
    let dir = Dir::new("duplicate-keys-collect");
    let output = dir
        .command()
        .args([
            "collect",
            "--subject",
            SUBJECT,
            "-o",
            "evidence.json",
            "--sbom",
        ])
        .arg(repo_file("testdata/hostile/duplicate-keys-sbom.json"))
        .output()
        .expect("run");
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("duplicate key `x-team`"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("evidence.json").exists());

    let output = dir
        .command()
        .args(["evaluate", "--stage", "dev", "--evidence"])
        .arg(repo_file("testdata/hostile/duplicate-keys-evidence.json"))
        .arg("--config")
        .arg(repo_file("stagegate.yaml"))
        .output()
        .expect("run");
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("duplicate key `x-reviewed-by`"),
        "{}",
        stderr(&output)
    );
}

/// Point 11: a FIFO given as an input blocked forever.
#[cfg(unix)]
#[test]
fn issue_12_fifo_inputs_are_refused() {
    let dir = Dir::new("fifo");
    let fifo = dir.path().join("input.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let output = evaluate(&dir, "object-deny", None, &fifo);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("is a FIFO"), "{}", stderr(&output));

    let output = dir
        .command()
        .args([
            "collect",
            "--subject",
            SUBJECT,
            "-o",
            "evidence.json",
            "--sbom",
        ])
        .arg(&fifo)
        .timeout(HANG)
        .output()
        .expect("run");
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("is a FIFO"), "{}", stderr(&output));
    assert!(!dir.path().join("evidence.json").exists());
}

/// Point 7: `tests="10" failures="3"` around one passing case read as all green.
#[test]
fn issue_12_junit_counters_that_hide_failures_are_problems() {
    let dir = Dir::new("junit-counters");
    let output = dir
        .command()
        .args([
            "collect",
            "--subject",
            SUBJECT,
            "-o",
            "evidence.json",
            "--tests",
        ])
        .arg(repo_file("testdata/hostile/junit-hidden-failures.xml"))
        .output()
        .expect("run");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let evidence: Value =
        serde_json::from_slice(&fs_err::read(dir.path().join("evidence.json")).expect("read"))
            .expect("json");
    assert_eq!(evidence["tests"]["failed"], 3, "{evidence}");
    assert_eq!(evidence["tests"]["passed"], 0, "{evidence}");
    assert_eq!(
        evidence["problems"][0]["kind"], "test-count-mismatch",
        "{evidence}"
    );
}

/// Point 14: a minified document given to the wrong flag printed the whole line as the
/// snippet; a UTF-16 document gave no hint.
#[test]
fn issue_12_errors_in_minified_and_utf16_files_stay_readable() {
    let dir = Dir::new("minified");
    let output = dir
        .command()
        .args(["evaluate", "--stage", "dev", "--evidence"])
        .arg(repo_file("testdata/hostile/minified-sbom.json"))
        .arg("--config")
        .arg(repo_file("stagegate.yaml"))
        .output()
        .expect("run");
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let bytes = fs_err::metadata(repo_file("testdata/hostile/minified-sbom.json"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(bytes > 20_000);
    assert!(
        output.stderr.len() < 4_000,
        "{} bytes of stderr:\n{}",
        output.stderr.len(),
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("minified-sbom.json:1:"),
        "{}",
        stderr(&output)
    );

    let output = evaluate(
        &dir,
        "object-deny",
        None,
        &repo_file("testdata/hostile/utf16-input.json"),
    );
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("UTF-16"), "{}", stderr(&output));
}
