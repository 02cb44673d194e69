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

/// A passing evidence document for the starter policies (`testdata/evidence/good.json`),
/// written as `evidence/example.json` so the first `evaluate` works in a new project.
const EXAMPLE_EVIDENCE: &str = include_str!("../../testdata/evidence/good.json");

/// Where the config's `# yaml-language-server: $schema=` header points, relative to it.
const CONFIG_SCHEMA_PATH: &str = "schemas/stagegate.schema.json";

/// Runs `stagegate init`.
pub fn init(args: InitArgs) -> Result<ExitStatus, Report> {
    // The config's header names its schema for editors: write the schema it names.
    let schema = crate::cli::schema::schema_text(crate::cli::args::SchemaKind::Config);
    let mut files: Vec<(std::path::PathBuf, &[u8])> = vec![
        (args.dir.join(CONFIG_FILE_NAME), STARTER_CONFIG.as_bytes()),
        (args.dir.join(CONFIG_SCHEMA_PATH), schema.as_bytes()),
        (
            args.dir.join("evidence/example.json"),
            EXAMPLE_EVIDENCE.as_bytes(),
        ),
    ];
    let extra_files = files.len();
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
            "Wrote `{}`, its schema `{}`, an example evidence document `{}` and {} policy files under `{}`.\nNext: stagegate evaluate --config {} --stage dev --evidence {} --effective-time 2026-11-27T12:00:00Z\n",
            args.dir.join(CONFIG_FILE_NAME).display(),
            args.dir.join(CONFIG_SCHEMA_PATH).display(),
            args.dir.join("evidence/example.json").display(),
            files.len() - extra_files,
            args.dir.join("policies").display(),
            args.dir.join(CONFIG_FILE_NAME).display(),
            args.dir.join("evidence/example.json").display(),
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
