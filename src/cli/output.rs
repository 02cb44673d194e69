//! Where reports go: standard output, or files written atomically (a temporary file in the
//! same directory, then a rename), all rendered before any is written so that an error
//! leaves nothing half-way.

use std::io::Write;
use std::path::{Path, PathBuf};

use miette::Report;

use crate::cli::args::FormatSpec;
use crate::cli::diagnostic::chain_report;
use crate::decision::Decision;
use crate::policy::config::CONFIG_FILE_NAME;
use crate::report::{OutputFormat, RenderOptions, render};

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
        let mut rendered = Vec::new();
        for spec in &self.specs {
            let options = RenderOptions {
                color: color && spec.path.is_none(),
            };
            let text = render(decision, spec.format, &options).map_err(|e| chain_report(&e))?;
            rendered.push((spec.path.clone(), text));
        }
        for (path, text) in rendered {
            match path {
                Some(path) => write_atomically(&path, text.as_bytes())?,
                None => {
                    let mut stdout = std::io::stdout().lock();
                    if let Err(err) = stdout
                        .write_all(text.as_bytes())
                        .and_then(|()| stdout.flush())
                    {
                        if err.kind() != std::io::ErrorKind::BrokenPipe {
                            return Err(chain_report(&err));
                        }
                    }
                }
            }
        }
        Ok(())
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

/// Writes a file through a temporary file in the same directory and a rename, so a reader
/// never sees half a file. No fsync: these are reports and evidence, not a database, and
/// syncing an 80 MB evidence document costs more than collecting it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Report> {
    write_atomically_with(path, |file| file.write_all(bytes))
}

/// Like [`write_atomically`], with the content streamed by `write` (no copy in memory).
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Report> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |err: std::io::Error| miette::miette!("cannot write `{}`: {err}", path.display());
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    {
        let mut buffered = std::io::BufWriter::new(temp.as_file_mut());
        write(&mut buffered).map_err(fail)?;
        buffered.flush().map_err(fail)?;
    }
    // Reports and evidence are not secrets: readable like any file the user writes (a
    // temporary file starts as 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(fail)?;
    }
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
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
