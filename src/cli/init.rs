//! `stagegate init [DIR]`: a working gate in one command. Writes `stagegate.yaml` with dev,
//! staging and prod, and copies the starter policy library (with its tests) that is built
//! into the binary, so it works offline and matches this version of stagegate.

use std::path::Path;

use include_dir::{Dir, include_dir};
use miette::Report;

use crate::cli::exit::ExitStatus;
use crate::cli::output::write_atomically;
use crate::config::stages::CONFIG_FILE_NAME;
use clap::Args;
use std::path::PathBuf;

/// `stagegate init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to scaffold into (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}

/// The starter policy library, as shipped in `policies/`.
static POLICIES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/policies");

/// The repository's `stagegate.yaml`: `init` writes its stages, and, in place of its `trust:`
/// section (which names the repository's test keys), [`STARTER_TRUST`].
pub const STARTER_CONFIG: &str = include_str!("../../stagegate.yaml");

/// Where the repository's `trust:` section starts in [`STARTER_CONFIG`].
const TRUST_MARKER: &str = "# Who may sign what";

/// The `trust:` section `init` writes: commented out, since the keys are the project's own to
/// make (`stagegate keygen`); until then nothing is verified, so the stages that require
/// provenance or approvals fail closed.
const STARTER_TRUST: &str = "\
# Who may sign what (README: \"Trust\"). Until keys are listed, no attestation or approval is
# verified, so staging and prod (which require verified provenance and approvals) fail closed.
# Make the keys with `stagegate keygen --output-key-prefix keys/NAME`, then uncomment:
#
# trust:
#   keys:
#     - {key: keys/builder.pub, for: [provenance], name: ci-builder}   # the build's signer
#     - {key: keys/gate.pub, for: [results], name: gate}               # this gate's key
#   approvers:
#     - {name: alice@example.com, key: keys/alice.pub, roles: [release-manager]}
#     - {name: bob@example.com, key: keys/bob.pub, roles: [release-manager]}
";

/// The `stagegate.yaml` `init` writes.
pub fn starter_config() -> String {
    let stages = STARTER_CONFIG
        .split(TRUST_MARKER)
        .next()
        .unwrap_or(STARTER_CONFIG);
    format!("{stages}{STARTER_TRUST}")
}

/// A passing evidence document for the starter policies (`testdata/evidence/good.json`),
/// written as `evidence/example.json` so the first `evaluate` works in a new project.
const EXAMPLE_EVIDENCE: &str = include_str!("../../testdata/evidence/good.json");

/// Where the config's `# yaml-language-server: $schema=` header points, relative to it.
const CONFIG_SCHEMA_PATH: &str = "schemas/stagegate.schema.json";

/// Runs `stagegate init`.
pub fn init(args: InitArgs) -> Result<ExitStatus, Report> {
    // The config's header names its schema for editors: write the schema it names.
    let schema = crate::cli::schema::schema_text(crate::cli::schema::SchemaKind::Config);
    let config = starter_config();
    let mut files: Vec<(std::path::PathBuf, &[u8])> = vec![
        (args.dir.join(CONFIG_FILE_NAME), config.as_bytes()),
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
