//! The sigstore-conformance bundle-verify suite (vendored in `testdata/sigstore-conformance/`)
//! through `stagegate verify`: every case must be decided right, offline. A `_fail` case must
//! not verify: a rejection (exit 1), or exit 2 when the case's own trusted root is unusable
//! (an input of the command, not the bundle under test); never a pass, never a crash.

use std::path::Path;

use crate::util::{Dir, code, repo_file, stderr};

const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

fn read_trimmed(path: &Path) -> Option<String> {
    fs_err::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_owned())
}

#[test]
fn bundle_verify_suite() {
    let suite = repo_file("testdata/sigstore-conformance/bundle-verify");
    let dir = Dir::new("conformance");
    let mut cases: Vec<_> = fs_err::read_dir(&suite)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 70, "the vendored suite has 70 cases");
    let mut wrong = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let must_fail = name.ends_with("_fail");
        let artifact = if case.join("artifact").exists() {
            case.join("artifact")
        } else {
            suite.join("a.txt")
        };
        let mut command = dir.command();
        command
            .arg("verify")
            .arg("--bundle")
            .arg(case.join("bundle.sigstore.json"))
            .arg("--artifact")
            .arg(&artifact);
        if case.join("key.pub").exists() {
            command.arg("--key").arg(case.join("key.pub"));
        } else {
            let identity =
                read_trimmed(&case.join("identity")).unwrap_or_else(|| DEFAULT_IDENTITY.to_owned());
            let issuer =
                read_trimmed(&case.join("issuer")).unwrap_or_else(|| DEFAULT_ISSUER.to_owned());
            command
                .arg("--certificate-identity")
                .arg(identity)
                .arg("--certificate-oidc-issuer")
                .arg(issuer);
        }
        if case.join("trusted_root.json").exists() {
            command
                .arg("--trusted-root")
                .arg(case.join("trusted_root.json"));
        }
        let output = command.output().unwrap();
        let status = code(&output);
        let err = stderr(&output);
        let right = if must_fail {
            (status == 1 || status == 2) && !err.contains("panicked")
        } else {
            status == 0
        };
        if !right {
            wrong.push(format!("{name}: exit {status}: {}", err.trim()));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases decided wrong:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}
