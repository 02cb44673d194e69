//! The CI integrations (issue 16): `action.yml`, the example workflows and the GitLab CI/CD
//! component are valid against the schemas GitHub and GitLab publish (as vendored by PyPI's
//! `check-jsonschema`, offline), and the component's job script runs as a GitLab job would:
//! inputs interpolated, `variables:` in the environment, `sh`, the reports it declares written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr, stdout};

const COMPONENT: &str = "templates/gate.yml";

/// How to run `check-jsonschema`: on PATH, else as `python3 -m check_jsonschema` (pip may
/// put its script where PATH does not look). Skipped (with a message) unless CI, where it
/// must be there.
fn check_jsonschema() -> Option<Vec<String>> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("check-jsonschema"))
            .find(|path| path.is_file())
    });
    let module = || {
        Command::new("python3")
            .args(["-m", "check_jsonschema", "--version"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let found = match on_path {
        Some(path) => Some(vec![path.display().to_string()]),
        None if module() => Some(vec![
            "python3".to_owned(),
            "-m".to_owned(),
            "check_jsonschema".to_owned(),
        ]),
        None => None,
    };
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "`check-jsonschema` is missing; `.ci/run` installs it (PyPI `check-jsonschema`)"
        );
        eprintln!("skipping: `check-jsonschema` is not installed (pip install check-jsonschema)");
    }
    found
}

fn validate(tool: &[String], schema: &str, files: &[PathBuf]) -> std::process::Output {
    let (program, args) = tool.split_first().expect("a program");
    Command::new(program)
        .args(args)
        .args(["--builtin-schema", schema])
        .args(files)
        .output()
        .unwrap()
}

/// The component's two YAML documents: the `spec:` header and the jobs.
fn component_documents() -> (String, String) {
    let text = fs_err::read_to_string(repo_file(COMPONENT)).unwrap();
    let (header, jobs) = text.split_once("\n---\n").expect("a `---` after `spec:`");
    (format!("{header}\n"), jobs.to_owned())
}

#[test]
fn action_workflows_and_component_match_the_vendored_schemas() {
    let Some(tool) = check_jsonschema() else {
        return;
    };
    let out = validate(&tool, "vendor.github-actions", &[repo_file("action.yml")]);
    assert_eq!(
        code(&out),
        0,
        "action.yml: {}{}",
        stdout(&out),
        stderr(&out)
    );

    let workflows: Vec<PathBuf> = fs_err::read_dir(repo_file("examples/github"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    assert!(workflows.len() >= 2, "{workflows:?}");
    let out = validate(&tool, "vendor.github-workflows", &workflows);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));

    // The schema reads one document: the header and the jobs are checked apart.
    let dir = Dir::new("ci-templates");
    let (header, jobs) = component_documents();
    let header = dir.write("spec.yml", header);
    let jobs = dir.write("jobs.yml", jobs);
    let example = repo_file("examples/gitlab/.gitlab-ci.yml");
    let out = validate(&tool, "vendor.gitlab-ci", &[header, jobs.clone(), example]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));

    // And the check can fail: a job whose `script` is a number is refused.
    let broken = fs_err::read_to_string(&jobs).unwrap().replacen(
        "  script:\n",
        "  script: 5\n  old_script:\n",
        1,
    );
    let broken = dir.write("broken.yml", broken);
    let out = validate(&tool, "vendor.gitlab-ci", &[broken]);
    assert_ne!(code(&out), 0, "{}", stdout(&out));
}

/// The jobs document with every `$[[ inputs.NAME ]]` replaced: `given`, else the spec's
/// default (GitLab's interpolation, on the text).
fn interpolate(given: &[(&str, &str)]) -> Value {
    let (header, jobs) = component_documents();
    let spec: Value = serde_saphyr::from_str(&header).unwrap();
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    for (name, input) in spec["spec"]["inputs"].as_object().unwrap() {
        if let Some(default) = input.get("default") {
            let text = match default {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            values.insert(name.clone(), text);
        }
    }
    for (name, value) in given {
        values.insert((*name).to_owned(), (*value).to_owned());
    }
    let mut text = jobs;
    while let Some(start) = text.find("$[[ inputs.") {
        let end = text[start..].find(" ]]").map(|e| start + e + 3).unwrap();
        let name = &text[start + 11..end - 3];
        let value = values
            .get(name)
            .unwrap_or_else(|| panic!("input `{name}` has no value and no default"))
            .clone();
        text.replace_range(start..end, &value);
    }
    serde_saphyr::from_str(&text).unwrap()
}

/// Runs the one job's script with `sh` in `dir`, as the runner would.
fn run_job(dir: &Dir, job: &Value) -> std::process::Output {
    run_job_with(dir, job, &[])
}

/// [`run_job`], with more of the runner's environment (the job's `id_tokens`).
fn run_job_with(dir: &Dir, job: &Value, env: &[(&str, &str)]) -> std::process::Output {
    let script: Vec<&str> = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_stagegate")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(script.join("\n"))
        .current_dir(dir.path())
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("STAGEGATE_PASSWORD", "stagegate-test")
        .env_remove("STAGEGATE_LOG")
        .env_remove("SIGSTORE_ID_TOKEN")
        .envs(env.iter().copied());
    for (name, value) in job["variables"].as_object().unwrap() {
        command.env(name, value.as_str().unwrap_or_default());
    }
    command.output().unwrap()
}

#[test]
fn gitlab_component_job_writes_the_reports_it_declares() {
    let dir = Dir::new("gitlab-job");
    let out = dir.command().arg("init").output().unwrap();
    assert_eq!(code(&out), 0);
    let jobs = interpolate(&[
        ("promotion-stage", "dev"),
        ("evidence", "evidence/example.json"),
        ("effective-time", EFFECTIVE_TIME),
        ("allow-effective-time", "true"),
        (
            "key",
            &repo_file("testdata/keys/gate.key").display().to_string(),
        ),
    ]);
    let (name, job) = jobs.as_object().unwrap().iter().next().unwrap();
    assert_eq!(name, "stagegate-dev");
    assert_eq!(job["stage"], "test");
    assert_eq!(job["image"]["entrypoint"], serde_json::json!([""]));
    let out = run_job(&dir, job);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("stage dev passed"),
        "{}",
        stdout(&out)
    );

    // Every report and artifact the job declares exists.
    let reports = &job["artifacts"]["reports"];
    let junit = reports["junit"].as_str().unwrap();
    let quality = reports["codequality"].as_str().unwrap();
    assert!(
        fs_err::read_to_string(dir.path().join(junit))
            .unwrap()
            .contains("<testsuite")
    );
    let issues: Value =
        serde_json::from_slice(&fs_err::read(dir.path().join(quality)).unwrap()).unwrap();
    assert!(issues.is_array());
    for artifact in job["artifacts"]["paths"].as_array().unwrap() {
        let pattern = artifact.as_str().unwrap();
        let found = match pattern.split_once('*') {
            Some((prefix, suffix)) => fs_err::read_dir(dir.path()).unwrap().any(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                name.starts_with(prefix) && name.ends_with(suffix)
            }),
            None => dir.path().join(pattern).is_file(),
        };
        assert!(found, "artifact `{pattern}` was not written");
    }

    // A policy failure: the code quality report lists the findings, the job fails, unless
    // `fail-on-policy: false`.
    fs_err::copy(
        repo_file("testdata/evidence/fail-licenses.banned.json"),
        dir.path().join("evidence/banned.json"),
    )
    .unwrap();
    let failing = [
        ("promotion-stage", "dev"),
        ("evidence", "evidence/banned.json"),
        ("effective-time", EFFECTIVE_TIME),
    ];
    let jobs = interpolate(&failing);
    let job = jobs.as_object().unwrap().values().next().unwrap();
    let out = run_job(&dir, job);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let issues: Value =
        serde_json::from_slice(&fs_err::read(dir.path().join(quality)).unwrap()).unwrap();
    assert!(
        issues
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["check_name"] == "licenses.banned"),
        "{issues}"
    );
    let mut lenient = failing.to_vec();
    lenient.push(("fail-on-policy", "false"));
    let jobs = interpolate(&lenient);
    let job = jobs.as_object().unwrap().values().next().unwrap();
    assert_eq!(code(&run_job(&dir, job)), 0);

    // An error fails the job whatever `fail-on-policy` says.
    let mut broken = lenient.clone();
    broken.push(("config", "missing.yaml"));
    let jobs = interpolate(&broken);
    let job = jobs.as_object().unwrap().values().next().unwrap();
    assert_eq!(code(&run_job(&dir, job)), 2);
}

/// `keyless: true`: the job declares `SIGSTORE_ID_TOKEN` with audience `sigstore` under
/// `id_tokens`, and its script signs keyless with it (through the local Sigstore stand-ins);
/// the VSA verifies for the token's identity.
#[test]
fn gitlab_component_job_signs_keyless_with_its_id_token() {
    use crate::sigstore_standins::{IDENTITY, ISSUER, Standins, WORKFLOW_REF};
    let dir = Dir::new("gitlab-keyless");
    let out = dir.command().arg("init").output().unwrap();
    assert_eq!(code(&out), 0);
    let standins = Standins::start();
    let root = standins.write_trusted_root(dir.path());
    let fulcio = standins.fulcio_url();
    let rekor = standins.rekor_url();
    let jobs = interpolate(&[
        ("promotion-stage", "dev"),
        ("evidence", "evidence/example.json"),
        ("effective-time", EFFECTIVE_TIME),
        ("allow-effective-time", "true"),
        ("keyless", "true"),
        ("fulcio-url", &fulcio),
        ("rekor-url", &rekor),
        ("trusted-root", "trusted_root.json"),
    ]);
    let (_, job) = jobs.as_object().unwrap().iter().next().unwrap();
    assert_eq!(job["id_tokens"]["SIGSTORE_ID_TOKEN"]["aud"], "sigstore");
    let token = standins.token(WORKFLOW_REF);
    let out = run_job_with(&dir, job, &[("SIGSTORE_ID_TOKEN", &token)]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(!stdout(&out).contains(&token) && !stderr(&out).contains(&token));
    let bundle = dir.path().join("stagegate-dev.sigstore.json");
    let decision: Value =
        serde_json::from_slice(&fs_err::read(dir.path().join("stagegate-decision.json")).unwrap())
            .unwrap();
    let subject = format!(
        "sha256:{}",
        decision["subject"]["digest"]["sha256"].as_str().unwrap()
    );
    let out = dir
        .command()
        .args([
            "verify",
            "--stage",
            "dev",
            "--subject",
            &subject,
            "--bundle",
        ])
        .arg(&bundle)
        .arg("--trusted-root")
        .arg(&root)
        .args(["--certificate-identity", IDENTITY])
        .args(["--certificate-oidc-issuer", ISSUER])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // `keyless` and `key` together: refused before anything runs.
    let jobs = interpolate(&[
        ("promotion-stage", "dev"),
        ("evidence", "evidence/example.json"),
        ("keyless", "true"),
        ("key", "cosign.key"),
    ]);
    let (_, job) = jobs.as_object().unwrap().iter().next().unwrap();
    let out = run_job_with(&dir, job, &[("SIGSTORE_ID_TOKEN", &token)]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("not both"), "{}", stderr(&out));
}
