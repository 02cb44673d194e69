//! The GitHub Action's logic, `scripts/action.sh` (issue 16), run as the runner runs a
//! composite step: the inputs as the `STAGEGATE_INPUT_*` variables `action.yml` sets, a
//! `GITHUB_OUTPUT` and a `GITHUB_STEP_SUMMARY` file, `RUNNER_TEMP`; on a project made by
//! `stagegate init`, signing with the test key.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr, stdout};

const PASSWORD: &str = "stagegate-test";

/// A runner's view: the project, its output and summary files, its temporary directory.
struct Runner {
    dir: Dir,
}

impl Runner {
    fn new(name: &str) -> Runner {
        let dir = Dir::new(name);
        let out = dir.command().arg("init").output().unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        fs_err::create_dir_all(dir.path().join("runner-temp")).unwrap();
        fs_err::copy(
            repo_file("testdata/evidence/fail-licenses.banned.json"),
            dir.path().join("evidence/banned.json"),
        )
        .unwrap();
        Runner { dir }
    }

    /// Runs the action's script with these inputs (`with:` names, as in a workflow).
    fn run(&self, inputs: &[(&str, &str)]) -> Output {
        self.run_with(inputs, &[])
    }

    /// [`Self::run`], with more of the runner's environment (e.g. the OIDC token request
    /// variables a job with `id-token: write` gets).
    fn run_with(&self, inputs: &[(&str, &str)], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new("bash");
        command
            .arg(repo_file("scripts/action.sh"))
            .current_dir(self.dir.path())
            .env("STAGEGATE_BIN", env!("CARGO_BIN_EXE_stagegate"))
            .env("GITHUB_OUTPUT", self.dir.path().join("github-output"))
            .env(
                "GITHUB_STEP_SUMMARY",
                self.dir.path().join("step-summary.md"),
            )
            .env("RUNNER_TEMP", self.dir.path().join("runner-temp"))
            .env("NO_COLOR", "1")
            .env_remove("STAGEGATE_LOG")
            .env_remove("STAGEGATE_PASSWORD")
            .env_remove("COSIGN_PASSWORD")
            .env_remove("SIGSTORE_ID_TOKEN")
            .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
            .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
        command.envs(env.iter().copied());
        for (name, value) in inputs {
            let variable = format!(
                "STAGEGATE_INPUT_{}",
                name.to_ascii_uppercase().replace('-', "_")
            );
            command.env(variable, value);
        }
        command.output().unwrap()
    }

    /// The step outputs written so far (the last value of each name).
    fn outputs(&self) -> BTreeMap<String, String> {
        let text =
            fs_err::read_to_string(self.dir.path().join("github-output")).unwrap_or_default();
        text.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn summary(&self) -> String {
        fs_err::read_to_string(self.dir.path().join("step-summary.md")).unwrap_or_default()
    }

    fn path(&self, relative: &str) -> std::path::PathBuf {
        self.dir.path().join(relative)
    }
}

#[test]
fn action_signs_a_pass_with_a_summary_outputs_and_sarif() {
    let runner = Runner::new("action-pass");
    let key_pem = fs_err::read_to_string(repo_file("testdata/keys/gate.key")).unwrap();
    let out = runner.run(&[
        ("stage", "dev"),
        ("evidence", "evidence/example.json"),
        ("effective-time", EFFECTIVE_TIME),
        ("allow-effective-time", "true"),
        ("key-pem", &key_pem),
        ("password", PASSWORD),
        ("sarif", "stagegate.sarif"),
        ("junit", "stagegate-junit.xml"),
    ]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let outputs = runner.outputs();
    assert_eq!(outputs["result"], "pass");
    assert_eq!(outputs["exit-code"], "0");
    assert_eq!(outputs["bundle"], "stagegate-dev.sigstore.json");
    assert_eq!(
        outputs["decision-bundle"],
        "stagegate-dev.decision.sigstore.json"
    );
    assert_eq!(outputs["sarif"], "stagegate.sarif");
    assert_eq!(outputs["junit"], "stagegate-junit.xml");
    for file in [
        "stagegate-dev.sigstore.json",
        "stagegate-dev.decision.sigstore.json",
        "stagegate-junit.xml",
    ] {
        assert!(runner.path(file).is_file(), "{file}");
    }
    let decision: Value =
        serde_json::from_slice(&fs_err::read(&outputs["decision"]).unwrap()).unwrap();
    assert_eq!(decision["result"], "pass");
    assert!(
        Path::new(&outputs["decision"]).starts_with(runner.path("runner-temp")),
        "the decision lives in RUNNER_TEMP"
    );
    let sarif: Value =
        serde_json::from_slice(&fs_err::read(runner.path("stagegate.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // The summary: the Markdown decision, then what was signed.
    let summary = runner.summary();
    assert!(summary.contains("dev"), "{summary}");
    assert!(
        summary.contains("Signed: `stagegate-dev.sigstore.json`"),
        "{summary}"
    );
    // Annotations on standard output, in a log group; the key file is gone.
    let log = stdout(&out);
    assert!(log.contains("::group::stagegate gate --stage dev"), "{log}");
    assert!(
        log.contains("::notice::stagegate: stage `dev` PASS"),
        "{log}"
    );
    let leftovers: Vec<_> = fs_err::read_dir(runner.path("runner-temp"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("stagegate-key"))
        .collect();
    assert!(leftovers.is_empty(), "the key file was not removed");
    // The signed result verifies.
    let subject = decision["subject"]["digest"]["sha256"].as_str().unwrap();
    let out = runner
        .dir
        .command()
        .args([
            "verify",
            "--stage",
            "dev",
            "--bundle",
            "stagegate-dev.sigstore.json",
        ])
        .args(["--subject", &format!("sha256:{subject}"), "--key"])
        .arg(repo_file("testdata/keys/gate.pub"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn action_annotates_a_policy_failure_and_can_leave_the_step_green() {
    let runner = Runner::new("action-fail");
    let inputs = [
        ("stage", "dev"),
        ("evidence", "evidence/banned.json"),
        ("effective-time", EFFECTIVE_TIME),
    ];
    let out = runner.run(&inputs);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let outputs = runner.outputs();
    assert_eq!(outputs["result"], "fail");
    assert_eq!(outputs["exit-code"], "1");
    assert_eq!(outputs["bundle"], "");
    let log = stdout(&out);
    assert!(
        log.contains("::error file=policies/baseline/licenses.rego,line="),
        "{log}"
    );
    assert!(
        runner.summary().contains("licenses.banned"),
        "{}",
        runner.summary()
    );

    let mut lenient = inputs.to_vec();
    lenient.push(("fail-on-policy", "false"));
    lenient.push(("annotations", "false"));
    let out = runner.run(&lenient);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(runner.outputs()["result"], "fail");
    let log = stdout(&out);
    assert!(!log.contains("::error file="), "{log}");
    assert!(log.contains("not failing the step"), "{log}");
}

#[test]
fn action_errors_fail_the_step_and_say_so() {
    let runner = Runner::new("action-error");
    let out = runner.run(&[("stage", "dev"), ("evidence", "evidence/missing.json")]);
    assert_eq!(code(&out), 2);
    assert_eq!(runner.outputs()["result"], "error");
    assert_eq!(runner.outputs()["exit-code"], "2");
    assert!(
        runner
            .summary()
            .contains("## stagegate: error at stage `dev`"),
        "{}",
        runner.summary()
    );
    assert!(stdout(&out).contains("::error title=stagegate::"));

    // Inputs that cannot work together are refused before anything runs.
    for (inputs, message) in [
        (
            vec![("stage", "dev"), ("push", "true")],
            "`push: true` needs a signer",
        ),
        (
            vec![("stage", "dev"), ("summary", "maybe")],
            "must be true or false",
        ),
        (vec![("stage", "")], "the `stage` input is required"),
    ] {
        let out = runner.run(&inputs);
        assert_eq!(code(&out), 2, "{inputs:?}");
        assert!(
            stderr(&out).contains(message),
            "{inputs:?}: {}",
            stderr(&out)
        );
    }
    // A stage typo reaches stagegate, which suggests the right one.
    let out = runner.run(&[("stage", "dve"), ("evidence", "evidence/example.json")]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean `dev`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn action_collects_files_given_one_per_line() {
    let runner = Runner::new("action-collect");
    // A path with a space, given with blanks and a CRLF around it, as YAML block text may be.
    fs_err::copy(
        repo_file("testdata/corpus/cyclonedx/cdx-1.5-syft-1.6.0.json"),
        runner.path("sbom one.cdx.json"),
    )
    .unwrap();
    let out = runner.run(&[
        ("stage", "dev"),
        (
            "subject",
            "registry.example.com/shop/api@sha256:4f2a9c1e0b7d3a5f6e8c9b1d2a3f4e5c6b7a8d9e0f1a2b3c4d5e6f7a8b9c0d1e",
        ),
        ("sbom", "\n  sbom one.cdx.json  \r\n\n"),
        ("effective-time", EFFECTIVE_TIME),
    ]);
    assert!(code(&out) < 2, "{}\n{}", stdout(&out), stderr(&out));
    let decision: Value =
        serde_json::from_slice(&fs_err::read(&runner.outputs()["decision"]).unwrap()).unwrap();
    assert_eq!(decision["subject"]["name"], "registry.example.com/shop/api");
}

/// `keyless: true` in a job with `id-token: write`: the script passes `--keyless` and the
/// instance inputs, stagegate fetches the job's token from the (stand-in) Actions endpoint,
/// and the VSA it writes is a keyless bundle that `verify` accepts for the workflow's
/// identity. `keyless` with a key, or the instance inputs without `keyless`, are refused.
#[test]
fn action_signs_keyless_with_the_jobs_oidc_token() {
    use crate::sigstore_standins::{IDENTITY, ISSUER, Standins};
    let runner = Runner::new("action-keyless");
    let standins = Standins::start();
    let root = standins.write_trusted_root(runner.dir.path());
    let fulcio = standins.fulcio_url();
    let rekor = standins.rekor_url();
    let token_url = standins.token_url();
    let inputs = [
        ("stage", "dev"),
        ("evidence", "evidence/example.json"),
        ("effective-time", EFFECTIVE_TIME),
        ("allow-effective-time", "true"),
        ("keyless", "true"),
        ("fulcio-url", fulcio.as_str()),
        ("rekor-url", rekor.as_str()),
        ("trusted-root", "trusted_root.json"),
    ];
    let env = [
        ("ACTIONS_ID_TOKEN_REQUEST_URL", token_url.as_str()),
        (
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            standins.request_token.as_str(),
        ),
    ];
    let out = runner.run_with(&inputs, &env);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(!stdout(&out).contains(&standins.request_token));
    assert!(!stderr(&out).contains(&standins.request_token));
    let outputs = runner.outputs();
    assert_eq!(outputs["result"], "pass");
    assert_eq!(outputs["bundle"], "stagegate-dev.sigstore.json");
    let bundle: Value =
        serde_json::from_slice(&fs_err::read(runner.path(&outputs["bundle"])).unwrap()).unwrap();
    assert!(bundle["verificationMaterial"]["certificate"].is_object());
    assert!(bundle["verificationMaterial"]["tlogEntries"][0].is_object());
    let decision: Value =
        serde_json::from_slice(&fs_err::read(&outputs["decision"]).unwrap()).unwrap();
    let subject = format!(
        "sha256:{}",
        decision["subject"]["digest"]["sha256"].as_str().unwrap()
    );
    let verify = runner
        .dir
        .command()
        .args(["verify", "--subject", &subject])
        .arg("--bundle")
        .arg(runner.path(&outputs["bundle"]))
        .arg("--trusted-root")
        .arg(&root)
        .args(["--certificate-identity", IDENTITY])
        .args(["--certificate-oidc-issuer", ISSUER])
        .args(["--stage", "dev"])
        .output()
        .unwrap();
    assert_eq!(code(&verify), 0, "{}", stderr(&verify));

    // Without the token variables: an error, nothing signed.
    let out = runner.run_with(
        &[
            ("stage", "dev"),
            ("evidence", "evidence/example.json"),
            ("effective-time", EFFECTIVE_TIME),
            ("allow-effective-time", "true"),
            ("keyless", "true"),
            ("fulcio-url", fulcio.as_str()),
            ("rekor-url", rekor.as_str()),
            ("bundle-out", "again.sigstore.json"),
        ],
        &[],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no OIDC identity token"),
        "{}",
        stderr(&out)
    );
    assert!(!runner.path("again.sigstore.json").exists());

    for (inputs, message) in [
        (
            vec![("stage", "dev"), ("keyless", "true"), ("key", "cosign.key")],
            "not both",
        ),
        (
            vec![("stage", "dev"), ("fulcio-url", "https://fulcio.example")],
            "is for `keyless: true`",
        ),
    ] {
        let out = runner.run(&inputs);
        assert_eq!(code(&out), 2, "{inputs:?}");
        assert!(
            stderr(&out).contains(message),
            "{inputs:?}: {}",
            stderr(&out)
        );
    }
}
