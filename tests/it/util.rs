//! Helpers for driving the real `stagegate` binary in a fresh temporary directory.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The repository root (where `stagegate.yaml`, `policies/` and `testdata/` live).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under the repository root.
pub fn repo_file(relative: &str) -> PathBuf {
    repo().join(relative)
}

/// The effective time the shipped fixtures are written for.
pub const EFFECTIVE_TIME: &str = "2026-11-27T12:00:00Z";

/// A temporary directory named after the test, with helpers to write files into it.
pub struct Dir {
    temp: tempfile::TempDir,
}

impl Dir {
    /// A new empty directory.
    pub fn new(name: &str) -> Dir {
        let temp = tempfile::Builder::new()
            .prefix(&format!("stagegate-{name}-"))
            .tempdir()
            .expect("create temp dir");
        Dir { temp }
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// Writes a file (creating parent directories) and returns its path.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.temp.path().join(relative);
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent).expect("create parent");
        }
        fs_err::write(&path, contents).expect("write file");
        path
    }

    /// A `stagegate` command running in this directory.
    pub fn command(&self) -> Command {
        let mut command = Command::cargo_bin("stagegate").expect("binary");
        command
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env_remove("STAGEGATE_LOG");
        command
    }
}

/// The exit code of a finished command.
pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Insta filters that hide what changes from run to run.
pub fn filters() -> Vec<(String, &'static str)> {
    let version = env!("CARGO_PKG_VERSION").replace('.', r"\.");
    let mut filters = vec![(format!(r#""{version}""#), r#""[VERSION]""#)];
    filters.extend(
        [
            (
                r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}",
                "[UUIDv7]",
            ),
            (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", "[TIME]"),
            (r#""evaluatedAt": "[^"]+""#, r#""evaluatedAt": "[TIME]""#),
            (
                r#""stagegateVersion": "[^"]+""#,
                r#""stagegateVersion": "[VERSION]""#,
            ),
            (r#"evaluatedAt=[^ ,"]+"#, "evaluatedAt=[TIME]"),
            (r"evaluated at \S+", "evaluated at [TIME]"),
            (r#"time="[0-9.]+""#, r#"time="[DURATION]""#),
        ]
        .map(|(from, to)| (from.to_owned(), to)),
    );
    filters
}
