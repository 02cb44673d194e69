//! Finding test files: every `.rego` module (policies and tests alike, since tests import the
//! policies they test), every CEL rule file, and every CEL test file under the given paths.
//!
//! A directory is walked recursively (walkdir, sorted, following links). A file is taken by
//! its name: `X.rego`, `X.cel.yaml` (its `X.cel.test.yaml` beside it comes along), or
//! `X.cel.test.yaml` (its `X.cel.yaml` comes along). Anything else given by name is an
//! error, as is a path that does not exist.

use std::path::{Path, PathBuf};

use crate::limits::LimitError;
use crate::policy::error::{Located, PolicyError};
use crate::policy::files::{PolicyFile, display_name, is_cel_rules, is_cel_test};
use crate::testing::TestError;

/// The files of one test run, each list sorted and without duplicates.
#[derive(Debug, Clone, Default)]
pub struct TestFiles {
    /// Every Rego module: policies and `_test.rego` files.
    pub rego: Vec<PolicyFile>,
    /// CEL rule files (`*.cel.yaml`).
    pub cel_rules: Vec<PolicyFile>,
    /// CEL test files (`*.cel.test.yaml`).
    pub cel_tests: Vec<PolicyFile>,
}

/// The CEL rule file a test file tests: `X.cel.test.yaml` → `X.cel.yaml` (or `.yml`).
pub fn rules_file_for(test: &Path) -> Option<PathBuf> {
    let name = test.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".cel.test.yaml")
        .or_else(|| name.strip_suffix(".cel.test.yml"))?;
    let yaml = test.with_file_name(format!("{stem}.cel.yaml"));
    let yml = test.with_file_name(format!("{stem}.cel.yml"));
    Some(if !yaml.exists() && yml.exists() {
        yml
    } else {
        yaml
    })
}

/// The test file beside a CEL rule file, when there is one.
fn test_file_for(rules: &Path) -> Option<PathBuf> {
    let name = rules.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".cel.yaml")
        .or_else(|| name.strip_suffix(".cel.yml"))?;
    ["yaml", "yml"]
        .iter()
        .map(|ext| rules.with_file_name(format!("{stem}.cel.test.{ext}")))
        .find(|p| p.is_file())
}

/// Finds the test files under `paths`; names are shown relative to `base_dir`.
pub fn discover_tests(paths: &[PathBuf], base_dir: &Path) -> Result<TestFiles, TestError> {
    let mut files = TestFiles::default();
    let file = |path: &Path| PolicyFile {
        display: display_name(path, base_dir),
        path: path.to_owned(),
    };
    for path in paths {
        if !path.exists() {
            return Err(TestError::MissingPath { path: path.clone() });
        }
        if path.is_dir() {
            let walker = walkdir::WalkDir::new(path)
                .follow_links(true)
                .sort_by_file_name();
            for item in walker {
                let item = item.map_err(|err| {
                    PolicyError::Input(LimitError::Io {
                        path: err.path().map_or_else(|| path.clone(), Path::to_path_buf),
                        source: err.into(),
                    })
                })?;
                if !item.file_type().is_file() {
                    continue;
                }
                let name = item.file_name().to_string_lossy();
                if name.ends_with(".rego") {
                    files.rego.push(file(item.path()));
                } else if is_cel_rules(&name) {
                    files.cel_rules.push(file(item.path()));
                } else if is_cel_test(&name) {
                    files.cel_tests.push(file(item.path()));
                }
            }
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.ends_with(".rego") {
            files.rego.push(file(path));
        } else if is_cel_rules(&name) {
            files.cel_rules.push(file(path));
            if let Some(test) = test_file_for(path) {
                files.cel_tests.push(file(&test));
            }
        } else if is_cel_test(&name) {
            files.cel_tests.push(file(path));
            if let Some(rules) = rules_file_for(path).filter(|p| p.is_file()) {
                files.cel_rules.push(file(&rules));
            }
        } else {
            return Err(TestError::Policy(PolicyError::Config(Located::new(
                path,
                0,
                0,
                format!(
                    "`{}` is neither a directory, a `.rego` file, a `.cel.yaml` rule file nor a `.cel.test.yaml` test file",
                    path.display()
                ),
            ))));
        }
    }
    for list in [&mut files.rego, &mut files.cel_rules, &mut files.cel_tests] {
        list.sort_by(|a, b| a.path.cmp(&b.path));
        list.dedup_by(|a, b| a.path == b.path);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_files_map_to_rule_files() {
        assert_eq!(
            rules_file_for(Path::new("p/security.cel.test.yaml")),
            Some(PathBuf::from("p/security.cel.yaml"))
        );
        assert_eq!(rules_file_for(Path::new("p/security.cel.yaml")), None);
    }

    #[test]
    fn missing_paths_are_errors() {
        let result = discover_tests(&[PathBuf::from("no/such/dir")], Path::new("."));
        assert!(matches!(result, Err(TestError::MissingPath { .. })));
    }
}
