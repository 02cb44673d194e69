//! Finding a stage's policy files and computing the policy-set digest.
//!
//! A policy path is a `.rego` file, a CEL rule file (`*.cel.yaml`), or a directory searched
//! recursively (walkdir, sorted) for both. Test files (`*_test.rego`, `*.cel.test.yaml`) are
//! left to `stagegate test`: they neither run in a gate nor change the policy digest.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::config::ConfigPath;
pub use crate::config::policy_files::{is_cel_rules, is_cel_test, is_rego_test};
use crate::limits::LimitError;
use crate::location::Located;
use crate::policy::error::PolicyError;

/// The policy files of one stage, each with the name it is shown and digested under.
#[derive(Debug, Clone, Default)]
pub struct PolicyFiles {
    /// Rego modules, sorted by path.
    pub rego: Vec<PolicyFile>,
    /// CEL rule files, sorted by path.
    pub cel: Vec<PolicyFile>,
}

/// One policy or data file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyFile {
    /// The name shown in findings and digested: relative to the config's directory when the
    /// file is under it, with `/` separators.
    pub display: String,
    /// Where to read it.
    pub path: PathBuf,
}

/// Collects the policy files under the given paths.
pub fn discover(paths: &[ConfigPath], base_dir: &Path) -> Result<PolicyFiles, PolicyError> {
    let mut files = PolicyFiles::default();
    for entry in paths {
        if entry.resolved.is_dir() {
            let walker = walkdir::WalkDir::new(&entry.resolved)
                .follow_links(true)
                .sort_by_file_name();
            for item in walker {
                let item = item.map_err(|err| {
                    PolicyError::Input(LimitError::Io {
                        path: err
                            .path()
                            .map_or_else(|| entry.resolved.clone(), Path::to_path_buf),
                        source: err.into(),
                    })
                })?;
                if !item.file_type().is_file() {
                    continue;
                }
                let name = item.file_name().to_string_lossy();
                let file = PolicyFile {
                    display: display_name(item.path(), base_dir),
                    path: item.path().to_owned(),
                };
                if name.ends_with(".rego") && !is_rego_test(&name) {
                    files.rego.push(file);
                } else if is_cel_rules(&name) {
                    files.cel.push(file);
                }
            }
        } else {
            let name = entry
                .resolved
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let file = PolicyFile {
                display: display_name(&entry.resolved, base_dir),
                path: entry.resolved.clone(),
            };
            if name.ends_with(".rego") {
                files.rego.push(file);
            } else if is_cel_rules(&name) {
                files.cel.push(file);
            } else {
                return Err(PolicyError::Config(Located::new(
                    Path::new(&entry.written),
                    0,
                    0,
                    format!(
                        "`{}` is neither a directory, a `.rego` file nor a `.cel.yaml` rule file",
                        entry.written
                    ),
                )));
            }
        }
    }
    files.rego.sort();
    files.rego.dedup();
    files.cel.sort();
    files.cel.dedup();
    Ok(files)
}

/// The name of a file as findings show it: relative to `base_dir` when below it.
pub fn display_name(path: &Path, base_dir: &Path) -> String {
    let relative = path
        .strip_prefix(base_dir)
        .ok()
        .filter(|_| base_dir != Path::new("."))
        .unwrap_or(path);
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

/// `sha256:<hex>` of the policy set: the sha256 of a `sha256sum`-style manifest, one line
/// `<hex sha256 of the file>  <display name>` per policy and data file, sorted by name.
/// `(cd <config dir> && sha256sum <files…> | LC_ALL=C sort -k2 | sha256sum)` reproduces it.
pub fn policy_digest(files: &[(&str, &[u8])]) -> String {
    let mut lines: Vec<(String, &str)> = files
        .iter()
        .map(|(name, bytes)| (hex::encode(Sha256::digest(bytes)), *name))
        .collect();
    lines.sort_by(|a, b| a.1.cmp(b.1));
    let mut manifest = Sha256::new();
    for (hash, name) in lines {
        manifest.update(format!("{hash}  {name}\n"));
    }
    format!("sha256:{}", hex::encode(manifest.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_order_independent_and_content_bound() {
        let a = policy_digest(&[("a.rego", b"package a"), ("b.rego", b"package b")]);
        let b = policy_digest(&[("b.rego", b"package b"), ("a.rego", b"package a")]);
        let c = policy_digest(&[("a.rego", b"package a"), ("b.rego", b"package c")]);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn digest_matches_sha256sum_manifest() {
        // printf 'package a' > a.rego; sha256sum a.rego | sha256sum
        let digest = policy_digest(&[("a.rego", b"package a")]);
        let line = format!("{}  a.rego\n", hex::encode(Sha256::digest(b"package a")));
        assert_eq!(
            digest,
            format!("sha256:{}", hex::encode(Sha256::digest(line)))
        );
    }

    #[test]
    fn file_kinds() {
        assert!(is_cel_rules("security.cel.yaml"));
        assert!(!is_cel_rules("security.cel.test.yaml"));
        assert!(is_rego_test("vulns_test.rego"));
    }
}
