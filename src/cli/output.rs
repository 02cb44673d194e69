//! Where reports go: standard output, or files written by the one atomic writer
//! ([`crate::fs`]), all rendered before any is written so that an error leaves nothing
//! half-way.

use std::io::Write;
use std::path::{Path, PathBuf};

use miette::Report;

use crate::cli::args::FormatSpec;
use crate::cli::diagnostic::chain_report;
use crate::config::stages::CONFIG_FILE_NAME;
use crate::decision::Decision;
use crate::report::{OutputFormat, RenderOptions, render};

/// One line on standard error saying what a command did (wrote, signed, pushed): standard
/// output stays for the decision and other data.
pub fn status(message: &str) {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("{message}");
    }
}

/// The outputs of one run.
#[derive(Debug)]
pub struct Outputs {
    specs: Vec<FormatSpec>,
}

impl Outputs {
    /// Checks the requested outputs: at most one may go to standard output.
    pub fn new(specs: &[FormatSpec]) -> Result<Outputs, Report> {
        Ok(Outputs {
            specs: plan_outputs(specs, OutputFormat::Text)?,
        })
    }

    /// Renders the decision in every format, then writes them.
    pub fn emit(&self, decision: &Decision, color: bool) -> Result<(), Report> {
        write_rendered(&self.render(decision, color)?)
    }

    /// Renders the decision in every format, in memory: `(file, text)`, `None` for standard
    /// output.
    pub fn render(
        &self,
        decision: &Decision,
        color: bool,
    ) -> Result<Vec<(Option<PathBuf>, String)>, Report> {
        let mut rendered = Vec::new();
        for spec in &self.specs {
            let options = RenderOptions {
                color: color && spec.path.is_none(),
            };
            let text = render(decision, spec.format, &options).map_err(|e| chain_report(&e))?;
            rendered.push((spec.path.clone(), text));
        }
        Ok(rendered)
    }

    /// The files the outputs go to, each with the flag that names it (for
    /// [`crate::fs::check_distinct`]).
    pub fn files(&self) -> Vec<(String, &Path)> {
        self.specs
            .iter()
            .filter_map(|spec| {
                spec.path
                    .as_deref()
                    .map(|p| (format!("`--format …={}`", p.display()), p))
            })
            .collect()
    }
}

/// The outputs of a run: the requested ones, with `default` on standard output when every
/// requested one goes to a file; an error when more than one asks for standard output.
pub fn plan_outputs<F: Clone>(
    specs: &[FormatSpec<F>],
    default: F,
) -> Result<Vec<FormatSpec<F>>, Report> {
    let mut specs = specs.to_vec();
    if specs.iter().all(|s| s.path.is_some()) {
        specs.insert(
            0,
            FormatSpec {
                format: default,
                path: None,
            },
        );
    }
    if specs.iter().filter(|s| s.path.is_none()).count() > 1 {
        return Err(miette::miette!(
            help = "write the others to files with `--format FORMAT=PATH`",
            "only one `--format` can go to standard output"
        ));
    }
    Ok(specs)
}

/// Writes rendered outputs: the files all together ([`write_files_atomically`]), then the one
/// that goes to standard output ([`write_stdout`]).
pub fn write_rendered(rendered: &[(Option<PathBuf>, String)]) -> Result<(), Report> {
    let files: Vec<(&Path, &[u8])> = rendered
        .iter()
        .filter_map(|(path, text)| path.as_deref().map(|p| (p, text.as_bytes())))
        .collect();
    write_files_atomically(&files)?;
    for (_, text) in rendered.iter().filter(|(path, _)| path.is_none()) {
        write_stdout(text.as_bytes())?;
    }
    Ok(())
}

/// Writes to standard output; a closed pipe (`| head`) ends quietly.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Report> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(chain_report(&err)),
        _ => Ok(()),
    }
}

/// Writes a file atomically through [`crate::fs::write`] (a device or FIFO is written
/// through, a symlink's target replaced).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Report> {
    crate::fs::write(path, bytes).map_err(|e| chain_report(&e))
}

/// Writes several files so that either all of them appear or none does
/// ([`crate::fs::write_all`]).
pub fn write_files_atomically(files: &[(&Path, &[u8])]) -> Result<(), Report> {
    crate::fs::write_all(files)
        .map(crate::fs::Committed::keep)
        .map_err(|e| chain_report(&e))
}

/// Like [`write_atomically`], with the content streamed by `write` (no copy in memory).
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Report> {
    crate::fs::write_with(path, write).map_err(|e| chain_report(&e))
}

/// The config file to use: `--config`, else `./stagegate.yaml`.
pub fn config_path(given: Option<&Path>) -> Result<PathBuf, Report> {
    match given {
        Some(path) => Ok(path.to_owned()),
        None => {
            let default = PathBuf::from(CONFIG_FILE_NAME);
            if default.exists() {
                Ok(default)
            } else {
                Err(miette::miette!(
                    help = "run `stagegate init` to create one, or pass `--config FILE`",
                    "no `{CONFIG_FILE_NAME}` in the current directory"
                ))
            }
        }
    }
}

/// A file path as a signed result records it: relative to the project (the directory of
/// `config`, the `stagegate.yaml`) when the file lies inside it, else the file's name alone
/// (its digest, recorded beside it, identifies it). What is not an existing file (a registry
/// reference such as `registry/repo@sha256:…`) stays as written.
pub fn project_relative(path: &str, config: &Path) -> String {
    let file = Path::new(path);
    if !file.is_file() {
        return path.to_owned();
    }
    let absolute = |p: &Path| {
        fs_err::canonicalize(p)
            .ok()
            .or_else(|| std::path::absolute(p).ok())
    };
    let project = config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let (Some(file), Some(project)) = (absolute(file), absolute(project))
        && let Ok(inside) = file.strip_prefix(&project)
    {
        return inside
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
    }
    file.file_name()
        .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned())
}

/// Every `*.json` file directly in `dir` (not recursive), sorted by path: the bundles of a
/// `--chain-dir`, the documents of `impact --evidence-dir`.
pub(crate) fn json_files(dir: &Path) -> Result<Vec<PathBuf>, Report> {
    let mut found = Vec::new();
    for entry in fs_err::read_dir(dir).map_err(|e| chain_report(&e))? {
        let path = entry.map_err(|e| chain_report(&e))?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "json") {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// One `warning:` line on stderr.
pub(crate) fn warn(message: &str) {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("warning: {message}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_paths_are_relative_to_the_project() {
        let project = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let config = project.path().join("stagegate.yaml");
        let inside = project.path().join("attestations/prov.intoto.json");
        let elsewhere = outside.path().join("ci/approval.sigstore.json");
        for file in [&config, &inside, &elsewhere] {
            if let Some(dir) = file.parent() {
                fs_err::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
            }
            fs_err::write(file, "{}").unwrap_or_else(|e| panic!("{e}"));
        }
        let text = |p: &Path| p.display().to_string();
        assert_eq!(
            project_relative(&text(&inside), &config),
            "attestations/prov.intoto.json"
        );
        assert_eq!(
            project_relative(&text(&elsewhere), &config),
            "approval.sigstore.json"
        );
        assert_eq!(project_relative(&text(&config), &config), "stagegate.yaml");
        assert_eq!(
            project_relative("127.0.0.1:5000/shop/api@sha256:ab", &config),
            "127.0.0.1:5000/shop/api@sha256:ab"
        );
    }

    #[test]
    fn files_appear_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let first = dir.path().join("first.json");
        let missing = dir.path().join("no-such-dir/second.xml");
        let result = write_files_atomically(&[(&first, b"1"), (&missing, b"2")]);
        assert!(result.is_err());
        assert!(!first.exists(), "the first file waits for the second");

        let second = dir.path().join("second.xml");
        assert!(write_files_atomically(&[(&first, b"1"), (&second, b"2")]).is_ok());
        assert_eq!(fs_err::read(&first).ok().as_deref(), Some(&b"1"[..]));
        assert_eq!(fs_err::read(&second).ok().as_deref(), Some(&b"2"[..]));
    }
}
