//! Rego on regorus's interpreter (the default) and on its compiled VM (`--rego-engine vm`)
//! must decide alike: the same findings, messages, details and sources on every shipped fixture,
//! on conftest policies, and on a document too large for the VM's default instruction limit.

use serde_json::Value;

use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr};

/// The decision of one run, without what differs between any two runs (ids and clocks).
fn decide(dir: &Dir, args: &[&str], engine: &str) -> (i32, Value) {
    let output = dir
        .command()
        .args([
            "evaluate",
            "--format",
            "json",
            "--effective-time",
            EFFECTIVE_TIME,
        ])
        .args(["--rego-engine", engine])
        .args(args)
        .output()
        .expect("run stagegate");
    let mut decision: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "{args:?} on {engine}: not a decision ({err}); stderr:\n{}",
            stderr(&output)
        )
    });
    if let Value::Object(fields) = &mut decision {
        fields.remove("promotionId");
        fields.remove("evaluatedAt");
    }
    (code(&output), decision)
}

fn assert_engines_agree(dir: &Dir, args: &[&str]) -> Value {
    let (vm_code, vm) = decide(dir, args, "vm");
    let (interpreter_code, interpreter) = decide(dir, args, "interpreter");
    assert_eq!(vm_code, interpreter_code, "exit codes differ for {args:?}");
    assert_eq!(vm, interpreter, "decisions differ for {args:?}");
    vm
}

#[test]
fn vm_and_interpreter_agree_on_every_fixture() {
    let dir = Dir::new("engines");
    let config = repo_file("stagegate.yaml");
    let config = config.to_str().expect("utf-8 path");
    let mut fixtures: Vec<_> = fs_err::read_dir(repo_file("testdata/evidence"))
        .expect("fixtures")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension().is_some_and(|e| e == "json")
                && path.file_name().is_some_and(|n| n != "expected.json")
        })
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 20, "{fixtures:?}");
    let mut failing = 0;
    for fixture in &fixtures {
        let fixture = fixture.to_str().expect("utf-8 path");
        for stage in ["staging", "prod"] {
            let decision = assert_engines_agree(
                &dir,
                &["--config", config, "--stage", stage, "--evidence", fixture],
            );
            failing += usize::from(decision["result"] == "fail");
        }
    }
    // The comparison means something only if the fixtures make rules fire.
    assert!(failing >= 15, "only {failing} failing decisions");
}

#[test]
fn vm_and_interpreter_agree_on_conftest_policies() {
    let dir = Dir::new("engines-conftest");
    dir.write(
        "stagegate.yaml",
        format!(
            "stages:\n  k8s:\n    policies: [{}]\n",
            repo_file("testdata/conftest").display()
        ),
    );
    for input in ["deployment.yaml", "deployment-ok.yaml"] {
        let input = repo_file(&format!("testdata/inputs/{input}"));
        assert_engines_agree(
            &dir,
            &["--stage", "k8s", "--input", input.to_str().expect("utf-8")],
        );
    }
}

#[test]
fn vm_and_interpreter_agree_on_ten_thousand_components() {
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
            if i % 1000 != 7 {
                c["purl"] = Value::String(format!("pkg:npm/component-{i}@1.0.{i}"));
            } else if let Value::Object(fields) = &mut c {
                fields.remove("purl");
            }
            if i % 2500 == 1 {
                c["licenses"] = serde_json::json!(["GPL-3.0-only OR MIT", "AGPL-3.0-only"]);
            }
            c
        })
        .collect();
    evidence["sbom"]["components"] = Value::Array(components);
    let dir = Dir::new("engines-large");
    dir.write("e.json", serde_json::to_vec(&evidence).expect("serialize"));
    let config = repo_file("stagegate.yaml");
    let decision = assert_engines_agree(
        &dir,
        &[
            "--config",
            config.to_str().expect("utf-8"),
            "--stage",
            "prod",
            "--evidence",
            "e.json",
        ],
    );
    let rules: Vec<&str> = decision["violations"]
        .as_array()
        .into_iter()
        .chain(decision["warnings"].as_array())
        .flatten()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"licenses.banned"), "{rules:?}");
    assert!(rules.contains(&"sbom.component_without_purl"), "{rules:?}");
}
