//! `stagegate init [DIR]`: a working gate in one command. Writes `stagegate.yaml` with dev,
//! staging and prod, and copies the starter policy library (with its tests) that is built
//! into the binary, so it works offline and matches this version of stagegate.

use std::path::Path;

use include_dir::{Dir, include_dir};
use miette::Report;

use crate::cli::args::InitArgs;
use crate::cli::exit::ExitStatus;
use crate::cli::output::write_atomically;
use crate::policy::config::CONFIG_FILE_NAME;

/// The starter policy library, as shipped in `policies/`.
static POLICIES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/policies");

/// The `stagegate.yaml` that `init` writes.
pub const STARTER_CONFIG: &str = include_str!("../../stagegate.yaml");

/// Runs `stagegate init`.
pub fn init(args: InitArgs) -> Result<ExitStatus, Report> {
    let mut files: Vec<(std::path::PathBuf, &[u8])> =
        vec![(args.dir.join(CONFIG_FILE_NAME), STARTER_CONFIG.as_bytes())];
    collect(&POLICIES, &args.dir.join("policies"), &mut files);
    if !args.force {
        let existing: Vec<String> = files
            .iter()
            .filter(|(path, _)| path.exists())
            .map(|(path, _)| format!("`{}`", path.display()))
            .collect();
        if !existing.is_empty() {
            return Err(miette::miette!(
                help = "pass `--force` to overwrite them",
                "refusing to overwrite existing files: {}",
                existing.join(", ")
            ));
        }
    }
    for (path, bytes) in &files {
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent).map_err(|e| miette::miette!("{e}"))?;
        }
        write_atomically(path, bytes)?;
    }
    let mut stderr = anstream::stderr();
    let _ = std::io::Write::write_fmt(
        &mut stderr,
        format_args!(
            "Wrote `{}` and {} policy files under `{}`.\nNext: stagegate evaluate --config {} --stage staging --evidence evidence.json\n",
            args.dir.join(CONFIG_FILE_NAME).display(),
            files.len() - 1,
            args.dir.join("policies").display(),
            args.dir.join(CONFIG_FILE_NAME).display(),
        ),
    );
    Ok(ExitStatus::Success)
}

fn collect<'a>(dir: &'a Dir<'a>, target: &Path, out: &mut Vec<(std::path::PathBuf, &'a [u8])>) {
    for file in dir.files() {
        out.push((
            target.join(file.path().strip_prefix(dir.path()).unwrap_or(file.path())),
            file.contents(),
        ));
    }
    for sub in dir.dirs() {
        let name = sub.path().strip_prefix(dir.path()).unwrap_or(sub.path());
        collect(sub, &target.join(name), out);
    }
}
