//! Policy libraries written for OPA: Conforma's suite (vendored under `testdata/conforma`),
//! custom builtins, `rego.metadata.chain()`, builtin-error semantics.

use serde_json::Value;

use crate::util::{Dir, code, repo_file, stderr, stdout};

/// The vendored Conforma suite loads as it is and at least the recorded number of its tests
/// pass (a fall is a regression; a rise is recorded by raising `EXPECTED_MIN_PASSED`).
#[test]
fn conforma_suite_passes_at_least_the_recorded_count() {
    let root = repo_file("testdata/conforma");
    let minimum: u64 = fs_err::read_to_string(root.join("EXPECTED_MIN_PASSED"))
        .expect("EXPECTED_MIN_PASSED")
        .trim()
        .parse()
        .expect("a number");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stagegate"))
        .current_dir(&root)
        .args([
            "test",
            "policy",
            "checks",
            "--data",
            "example/data/rule_data.yml",
            "--format",
            "json",
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    // Some tests fail or error (exit 1 or 2), but the suite must load and report.
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {}", stderr(&output)));
    let summary = &report["summary"];
    let passed = summary["passed"].as_u64().expect("passed");
    let total = summary["total"].as_u64().expect("total");
    assert!(total >= 990, "the suite has ~996 tests, found {total}");
    assert!(
        passed >= minimum,
        "{passed} of {total} Conforma tests pass, fewer than the recorded {minimum}: {summary}"
    );
}

#[test]
fn custom_builtins_are_mocked_in_tests_and_fail_unmocked_in_a_gate() {
    let dir = Dir::new("custom-builtins");
    dir.write(
        "policy/p.rego",
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tblob := ec.oci.blob(input.ref)\n\tblob != \"ok\"\n\tmsg := sprintf(\"blob is %s\", [blob])\n}\n\ndeny contains \"acme says no\" if acme.lookup(input.ref) == \"no\"\n",
    );
    dir.write(
        "policy/p_test.rego",
        "package main_test\n\nimport rego.v1\n\nimport data.main\n\ntest_mocked if {\n\tmain.deny == {\"blob is bad\"} with input.ref as \"r\" with ec.oci.blob as \"bad\" with acme.lookup as \"yes\"\n}\n\nmock_blob(_) := \"ok\"\n\ntest_mocked_by_function if {\n\tcount(main.deny) == 0 with input.ref as \"r\" with ec.oci.blob as mock_blob with acme.lookup as \"yes\"\n}\n",
    );
    dir.write(
        "stagegate.yaml",
        "stages:\n  s:\n    policies: [policy]\n    rego:\n      builtins:\n        - name: acme.lookup\n          arity: 1\n",
    );
    dir.write("input.json", r#"{"ref": "r"}"#);
    let tests = dir.command().args(["test"]).output().expect("run");
    assert_eq!(code(&tests), 0, "{}{}", stdout(&tests), stderr(&tests));
    assert!(stdout(&tests).contains("PASS: 2/2"), "{}", stdout(&tests));
    let gate = dir
        .command()
        .args(["evaluate", "--stage", "s", "--input", "input.json"])
        .output()
        .expect("run");
    assert_eq!(code(&gate), 2, "{}", stdout(&gate));
    assert!(
        stderr(&gate).contains("ec.oci.blob"),
        "the error names the builtin: {}",
        stderr(&gate)
    );
}

#[test]
fn purl_and_metadata_chain_are_supplied() {
    let dir = Dir::new("purl-chain");
    dir.write(
        "p.rego",
        "# METADATA\n# title: Package\npackage p\n\nimport rego.v1\n\n# METADATA\n# title: No oci\n# custom:\n#   short_name: no_oci\ndeny contains result if {\n\tparsed := ec.purl.parse(input.purl)\n\tparsed.type == \"oci\"\n\tresult := {\"code\": rego.metadata.chain()[0].annotations.custom.short_name, \"msg\": parsed.name, \"pkg\": rego.metadata.chain()[1].annotations.title}\n}\n",
    );
    dir.write(
        "p_test.rego",
        "package p_test\n\nimport rego.v1\n\nimport data.p\n\ntest_chain if {\n\tp.deny == {{\"code\": \"no_oci\", \"msg\": \"app\", \"pkg\": \"Package\"}} with input.purl as \"pkg:oci/app@sha256:abc\"\n}\n\ntest_invalid_is_undefined if {\n\tcount(p.deny) == 0 with input.purl as \"not a purl\"\n}\n\ntest_valid if {\n\tec.purl.is_valid(\"pkg:rpm/redhat/bash@5.1\")\n\tnot ec.purl.is_valid(\"bash\")\n}\n",
    );
    let tests = dir.command().args(["test", "."]).output().expect("run");
    assert_eq!(code(&tests), 0, "{}{}", stdout(&tests), stderr(&tests));
}

#[test]
fn builtin_errors_are_undefined_in_tests_unless_strict() {
    let dir = Dir::new("builtin-errors");
    dir.write(
        "p_test.rego",
        "package p_test\n\nimport rego.v1\n\nle(a, b) if to_number(a) <= to_number(b)\n\nle(a, b) if { not to_number(a); a <= b }\n\ntest_lenient if le(\"a\", \"b\")\n",
    );
    let lenient = dir.command().args(["test", "."]).output().expect("run");
    assert_eq!(code(&lenient), 0, "{}", stdout(&lenient));
    let strict = dir
        .command()
        .args(["test", ".", "--strict-builtin-errors"])
        .output()
        .expect("run");
    assert_eq!(code(&strict), 2, "{}", stdout(&strict));
}

#[test]
fn a_lenient_stage_reports_the_builtin_errors_it_silenced() {
    let dir = Dir::new("lenient-stage");
    dir.write(
        "policy/p.rego",
        "package main\n\nimport rego.v1\n\ndeny contains \"too many\" if {\n\tto_number(input.count) > 10\n}\n",
    );
    let config = |strict: bool| {
        format!(
            "stages:\n  s:\n    policies: [policy]\n    rego:\n      strict_builtin_errors: {strict}\n"
        )
    };
    dir.write("input.json", r#"{"count": "many"}"#);
    dir.write("stagegate.yaml", config(false));
    let lenient = dir
        .command()
        .args([
            "evaluate",
            "--stage",
            "s",
            "--input",
            "input.json",
            "--format",
            "json",
        ])
        .output()
        .expect("run");
    assert_eq!(
        code(&lenient),
        0,
        "{}{}",
        stdout(&lenient),
        stderr(&lenient)
    );
    let decision: Value = serde_json::from_slice(&lenient.stdout).expect("json");
    let warning = &decision["warnings"][0];
    assert_eq!(
        warning["rule"], "stagegate.rego.builtin_error",
        "{decision}"
    );
    assert_eq!(warning["details"]["rule"], "main.deny");
    assert!(
        warning["source"]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("p.rego")),
        "{warning}"
    );
    assert_eq!(warning["source"]["line"], 6);
    dir.write("stagegate.yaml", config(true));
    let strict = dir
        .command()
        .args(["evaluate", "--stage", "s", "--input", "input.json"])
        .output()
        .expect("run");
    assert_eq!(code(&strict), 2, "{}", stdout(&strict));
}

/// Runs `stagegate evaluate` from the vendored conftest examples' folder.
fn conftest(args: &[&str]) -> (i32, Value) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stagegate"))
        .current_dir(repo_file("testdata/conftest-examples/examples"))
        .arg("evaluate")
        .args(args)
        .args(["--format", "json"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    let decision = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("no decision ({e}): {}", stderr(&output)));
    (code(&output), decision)
}

fn messages(decision: &Value, key: &str) -> Vec<String> {
    decision[key]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|f| {
                    let finding = if key == "waived" { &f["finding"] } else { f };
                    format!(
                        "{}#{} {}",
                        finding["details"]["input"].as_str().unwrap_or(""),
                        finding["details"]["document"],
                        finding["message"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn conftest_examples_run_without_a_config() {
    // `conftest test -p examples/kubernetes/policy examples/kubernetes/service.yaml`: a warning.
    let (exit, decision) = conftest(&[
        "-p",
        "kubernetes/policy",
        "--input",
        "kubernetes/service.yaml",
    ]);
    assert_eq!(exit, 0, "{decision}");
    assert_eq!(decision["warnings"].as_array().map(Vec::len), Some(1));
    assert_eq!(decision["stage"], "conftest");

    // Several inputs, one of them multi-document: each document on its own, one decision.
    let (exit, decision) = conftest(&[
        "-p",
        "kubernetes/policy",
        "--input",
        "kubernetes/deployment+service.yaml",
        "kubernetes/service.yaml",
    ]);
    assert_eq!(exit, 1, "{decision}");
    let violations = messages(&decision, "violations");
    assert!(
        violations.contains(
            &"kubernetes/deployment+service.yaml#0 Found deployment hello-kubernetes but deployments are not allowed".to_owned()
        ),
        "{violations:?}"
    );
    let warnings = messages(&decision, "warnings");
    assert!(
        warnings.contains(
            &"kubernetes/deployment+service.yaml#1 Found service hello-kubernetes but services are not allowed".to_owned()
        ),
        "{warnings:?}"
    );
    assert!(
        warnings.contains(
            &"kubernetes/service.yaml#null Found service hello-kubernetes but services are not allowed".to_owned()
        ),
        "{warnings:?}"
    );

    // Each finding names the body that produced it, across the files defining `deny`.
    let (_, decision) = conftest(&[
        "-p",
        "kubernetes/policy",
        "--input",
        "kubernetes/deployment.yaml",
    ]);
    let labels = decision["violations"]
        .as_array()
        .and_then(|list| {
            list.iter().find(|f| {
                f["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("recommended labels"))
            })
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(labels["rule"], "main.deny", "{decision}");
    assert_eq!(labels["source"]["file"], "kubernetes/policy/labels.rego");
    assert_eq!(labels["source"]["line"], 17);
    let selectors = decision["violations"]
        .as_array()
        .and_then(|list| {
            list.iter().find(|f| {
                f["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("pod selectors"))
            })
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(selectors["source"]["line"], 20, "{decision}");

    // Only package `main` by default; a namespace with no rule is an error, as nothing was checked.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stagegate"))
        .current_dir(repo_file("testdata/conftest-examples/examples"))
        .args([
            "evaluate",
            "-p",
            "kubernetes/policy",
            "--namespace",
            "notpresent",
            "--input",
            "kubernetes/deployment.yaml",
        ])
        .output()
        .expect("run");
    assert_eq!(code(&output), 2, "{}", stdout(&output));
}

#[test]
fn conftest_exceptions_are_reported_like_waivers() {
    // conftest: "2 tests, 0 passed, 0 warnings, 1 failure, 1 exception", exit 1.
    let (exit, decision) = conftest(&[
        "-p",
        "exceptions/policy",
        "--input",
        "exceptions/deployments.yaml",
    ]);
    assert_eq!(exit, 1, "{decision}");
    assert_eq!(
        messages(&decision, "violations"),
        [
            "exceptions/deployments.yaml#0 Containers must not run as root in Deployment cannot-run-as-root"
        ]
    );
    assert_eq!(
        messages(&decision, "waived"),
        [
            "exceptions/deployments.yaml#1 Containers must not run as root in Deployment can-run-as-root"
        ]
    );
    assert_eq!(decision["waived"][0]["waiver"]["id"], "data.main.exception");
}

#[test]
fn combine_gives_every_document_at_once() {
    let dir = Dir::new("combine");
    dir.write(
        "policy/p.rego",
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tcount(input) != 3\n\tmsg := sprintf(\"%d documents\", [count(input)])\n}\n\ndeny contains \"no path\" if {\n\tsome doc in input\n\tnot doc.path\n}\n",
    );
    dir.write("a.yaml", "kind: A\n---\nkind: B\n");
    dir.write("b.json", r#"{"kind": "C"}"#);
    let output = dir
        .command()
        .args([
            "evaluate",
            "-p",
            "policy",
            "--combine",
            "--input",
            "a.yaml",
            "b.json",
        ])
        .output()
        .expect("run");
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
}

#[test]
fn parse_combined_config_files_works_in_tests() {
    // conftest's examples/kubernetes/combine tests, run from their folder as conftest does.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stagegate"))
        .current_dir(repo_file(
            "testdata/conftest-examples/examples/kubernetes/combine",
        ))
        .args(["test", "."])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("PASS: 2/2"), "{}", stdout(&output));
}

/// Runs `stagegate test .` on a folder of Rego files; all its tests must pass.
fn rego_tests_pass(name: &str, files: &[(&str, &str)]) {
    let dir = Dir::new(name);
    for (path, text) in files {
        dir.write(path, *text);
    }
    let output = dir.command().args(["test", "."]).output().expect("run");
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
}

/// vendor/regorus patch 7: a `with` value that reads a rule is evaluated before the
/// overrides apply (Conforma: `with input.image.config.Labels as {olm.manifestv1: …}`).
#[test]
fn a_with_value_reading_a_rule_leaves_the_rule_defined() {
    rego_tests_pass(
        "with-value-rule",
        &[
            ("a.rego", "package a\n\nimport rego.v1\n\nk := \"key\"\n"),
            (
                "t_test.rego",
                "package t_test\n\nimport rego.v1\n\nimport data.a\n\nn := a.k\n\nlabels := input.labels[a.k]\n\ntest_rule_read_by_the_value if {\n\tn == \"key\" with input.x as a.k\n}\n\ntest_value_as_key if {\n\tlabels == \"v\" with input.labels as {a.k: \"v\"} with input.other as data.a.k\n}\n",
            ),
        ],
    );
}

/// vendor/regorus patch 8: a format verb without an argument is written as Go writes it
/// (Conforma's `result_helper(chain, [])` with a `'%s'` failure message, then replaced).
#[test]
fn sprintf_writes_a_missing_argument_as_go_does() {
    rego_tests_pass(
        "sprintf-missing",
        &[(
            "t_test.rego",
            "package t_test\n\nimport rego.v1\n\ntest_missing if {\n\tsprintf(\"%s and %d\", [\"a\"]) == \"a and %!d(MISSING)\"\n\tsprintf(\"%s\", []) == \"%!s(MISSING)\"\n}\n",
        )],
    );
}

/// vendor/regorus patches 9 and 10: Go's precision after a width or flag (`%0.4d`), and `%q`
/// of an integer (a character literal) or of a composite value (its text, quoted).
#[test]
fn sprintf_reads_precision_and_quotes_any_value_as_go_does() {
    rego_tests_pass(
        "sprintf-go",
        &[(
            "t_test.rego",
            "package t_test\n\nimport rego.v1\n\ntest_precision if {\n\tsprintf(\"CVE-%s-%0.4d\", [\"x\", 7]) == \"CVE-x-0007\"\n\tsprintf(\"%.2f\", [1.5]) == \"1.50\"\n}\n\ntest_quoted_integer if {\n\tsprintf(\"%q\", [1]) == `'\\x01'`\n\tsprintf(\"%q\", [42]) == `'*'`\n}\n\ntest_quoted_value if {\n\tsprintf(\"%q\", [{}]) == `\"{}\"`\n\tsprintf(\"%q\", [null]) == `\"null\"`\n\tsprintf(\"%q\", [[1, \"a\"]]) == `\"[1, \\\"a\\\"]\"`\n}\n",
        )],
    );
}

/// vendor/regorus patch 11: `walk(x)` without an output argument yields each
/// `[path, value]` pair (Conforma's OLM policy: `some node in walk(manifest)`).
#[test]
fn walk_with_one_argument_yields_every_pair() {
    rego_tests_pass(
        "walk-one-arg",
        &[(
            "t_test.rego",
            "package t_test\n\nimport rego.v1\n\ntest_pairs if {\n\t[p | p := walk({\"a\": 1})] == [[[], {\"a\": 1}], [[\"a\"], 1]]\n}\n\ntest_some_in if {\n\t{x | some x in walk({\"a\": 1})} == {[], {\"a\": 1}, [\"a\"], 1}\n}\n\ntest_output_argument_still_matches if {\n\t[v | walk({\"a\": 1}, [[\"a\"], v])] == [1]\n}\n",
        )],
    );
}

/// vendor/regorus patch 12: a function defined in two files of one package (Conforma's
/// `lib/sbom/maven_test.rego` and `rpm_test.rego` both define `_cyclonedx_sbom`) runs each
/// definition in its own module; regorus used the first file's binding plans for both.
#[test]
fn a_function_defined_in_two_files_of_a_package_runs_in_each() {
    rego_tests_pass(
        "function-two-files",
        &[
            (
                "a_test.rego",
                "package t_test\n\nimport rego.v1\n\ntest_a if {\n\tm := [1]\n\tf(m) == {\"c\": [1]}\n}\n\nf(x) := {\"c\": x}\n",
            ),
            (
                "b_test.rego",
                "package t_test\n\nimport rego.v1\n\ntest_b if {\n\tlots := [{\"k\": [1, 2, 3]}, {\"k\": [4, 5, 6]}]\n\tcount(lots) == 2\n\tm := [2]\n\tf(m) == {\"c\": [2]}\n}\n\nf(x) := {\"c\": x}\n",
            ),
        ],
    );
}

/// vendor/regorus patch 13: Go's `time.Parse` takes `01`/`02`/`04`/`05` as exactly two
/// digits (Conforma's schedule policy refuses a `disallowed_dates` entry `2023-1-01`).
#[test]
fn time_parse_ns_reads_fixed_width_fields_as_go_does() {
    rego_tests_pass(
        "time-parse-strict",
        &[(
            "t_test.rego",
            "package t_test\n\nimport rego.v1\n\ntest_fixed_width if {\n\ttime.parse_ns(\"2006-01-02\", \"2023-01-01\") == 1672531200000000000\n\tnot time.parse_ns(\"2006-01-02\", \"2023-1-01\")\n\tnot time.parse_ns(\"2006-01-02\", \"2023-01-1\")\n\tnot time.parse_ns(\"2006-01-02\", \"23-01-01\")\n}\n\ntest_other_layouts_still_parse if {\n\ttime.parse_ns(\"2006-01-02T15:04:05Z07:00\", \"2023-01-01T09:05:00Z\") == 1672563900000000000\n\ttime.parse_ns(\"Jan 2, 2006\", \"Feb 3, 2013\") == 1359849600000000000\n\ttime.parse_ns(\"2006-1-2\", \"2023-1-1\") == 1672531200000000000\n}\n",
        )],
    );
}

/// vendor/regorus patch 14: OPA assigns the calls among a negated expression's operands
/// before it, so an undefined one fails the body (Conforma's build_labels:
/// `not build_label in object.keys(tekton.task_labels(input))` for a task without labels).
#[test]
fn an_undefined_call_under_not_fails_the_body_as_in_opa() {
    rego_tests_pass(
        "not-operand-call",
        &[(
            "t_test.rego",
            "package t_test\n\nimport rego.v1\n\nlabels(x) := x.metadata.labels\n\nmissing contains \"b\" if {\n\tnot \"b\" in object.keys(labels(input))\n}\n\ntest_undefined_operand_fails_the_body if {\n\tcount(missing) == 0 with input as {\"metadata\": {}}\n}\n\ntest_defined_operand_is_negated if {\n\tmissing == {\"b\"} with input as {\"metadata\": {\"labels\": {\"a\": 1}}}\n}\n\ntest_a_negated_call_is_still_negated if {\n\tnot labels({})\n\tnot to_number(\"x\")\n}\n",
        )],
    );
}

/// vendor/regorus patch 15: a v0 set rule or function with several bodies and no `else`
/// (gatekeeper-library's `noupdateserviceaccount`: `violation[…] { … } { … }` and
/// `get_service_account(obj) = spec { … } { … }`) loads, and every body yields the head.
#[test]
fn v0_rules_with_several_bodies_load_and_yield_their_head() {
    rego_tests_pass(
        "v0-bodies",
        &[(
            "p_test.rego",
            "package p\n\nkind_of(obj) = k {\n  obj.kind == \"Pod\"\n  k := obj.spec.sa\n} {\n  obj.kind == \"Job\"\n  k := obj.spec.template.sa\n}\n\nviolation[{\"msg\": msg}] {\n  input.a\n  msg := \"a\"\n} {\n  input.b\n  msg := \"b\"\n}\n\ntest_bodies {\n  kind_of({\"kind\": \"Pod\", \"spec\": {\"sa\": \"x\"}}) == \"x\"\n  kind_of({\"kind\": \"Job\", \"spec\": {\"template\": {\"sa\": \"y\"}}}) == \"y\"\n  violation == {{\"msg\": \"a\"}, {\"msg\": \"b\"}} with input as {\"a\": true, \"b\": true}\n}\n",
        )],
    );
}

/// vendor/regorus patch 16: a line starting with `(` after a reference is a new expression,
/// not a call (gatekeeper-library's `horizontalpodautoscaler`).
#[test]
fn a_parenthesis_on_a_new_line_is_not_a_call() {
    rego_tests_pass(
        "paren-newline",
        &[(
            "p_test.rego",
            "package p\n\nspread_ok(hpa) {\n    input.spread\n    (hpa.max - hpa.min) >= input.spread\n}\n\ntest_spread {\n    spread_ok({\"max\": 5, \"min\": 1}) with input as {\"spread\": 2}\n    not spread_ok({\"max\": 2, \"min\": 1}) with input as {\"spread\": 2}\n}\n",
        )],
    );
}
