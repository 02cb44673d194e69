//! Argument definitions (clap). Raw flags only: commands turn them into settings.

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cli::collect_args::CollectArgs;
use crate::policy::RegoEngine;
use crate::report::OutputFormat;

/// A policy-as-code promotion gate: collect evidence, evaluate Rego and CEL policies per
/// stage, tell CI whether the artifact may be promoted.
///
/// Exit codes: 0 pass, 1 policy failure, 2 error (bad input, policy error, timeout).
#[derive(Debug, Parser)]
#[command(name = "stagegate", version, about, max_term_width = 100)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
    /// More log output on stderr (-v info, -vv debug); `STAGEGATE_LOG` sets a filter.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Memory limit while policies evaluate, e.g. `512MiB`, `2GiB`; past it the run fails
    /// (exit 2). Default: half of the physical memory, at most 4 GiB.
    #[arg(long, global = true, value_name = "SIZE", value_parser = crate::memory::parse_size)]
    pub max_memory: Option<u64>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate a stage's policies on an evidence document and report the decision.
    Evaluate(Box<EvaluateArgs>),
    /// Collect SBOMs, scans, test reports, attestations and approvals into one Evidence v1
    /// document.
    Collect(Box<CollectCommandArgs>),
    /// Scaffold `stagegate.yaml` (dev, staging, prod) and the starter policy library.
    Init(InitArgs),
    /// Print the JSON Schema of a stagegate document.
    Schema(SchemaArgs),
    /// Collect, evaluate and sign: the decision as a SLSA VSA and a decision predicate, in
    /// Sigstore bundles; checks the promotion chain (`requires`) and signed approvals.
    Gate(Box<crate::cli::gate::GateArgs>),
    /// Verify a signed stagegate result (or any key-signed bundle or DSSE envelope).
    Verify(crate::cli::verify::VerifyArgs),
    /// Attach a signed bundle to an image in its registry, as an OCI 1.1 referrer.
    Push(crate::cli::push::PushArgs),
    /// Run the Kubernetes admission webhook (HTTPS): pods run only with images that carry a
    /// verified, passing result for their namespace's stage.
    Serve(Box<crate::cli::serve::ServeArgs>),
    /// Sign an approval of an artifact's promotion to a stage.
    Approve(crate::cli::approve::ApproveArgs),
    /// Sign a predicate (e.g. SLSA provenance) about an artifact, as `cosign attest-blob`
    /// does: an in-toto statement in a Sigstore bundle v0.3.
    Attest(Box<crate::cli::attest::AttestArgs>),
    /// Sign a revocation of an artifact's result for a stage (and attach it with `--push`):
    /// `serve`, `verify` and the promotion chain then refuse it, with the reason.
    Revoke(Box<crate::cli::revoke::RevokeArgs>),
    /// The known-good digests of a stage from the audit trail, newest first, with their
    /// signed results (the rollback targets).
    History(crate::cli::history::HistoryArgs),
    /// Write a cosign-compatible key pair (`PREFIX.key`, encrypted, and `PREFIX.pub`).
    Keygen(crate::cli::keygen::KeygenArgs),
    /// Run the Rego `test_*` rules and CEL test cases of a policy library, with coverage.
    Test(crate::cli::test::TestArgs),
    /// The audit trail: verify its hash chain, report promotion metrics.
    Audit(crate::cli::audit::AuditArgs),
    /// Re-evaluate a signed decision at its recorded effective time and report whether the
    /// verdict and findings are identical; refuses when the policies or evidence differ.
    Replay(Box<crate::cli::replay::ReplayArgs>),
    /// Evaluate an old and a new policy tree on a directory of evidence documents and list
    /// every verdict and finding that changes (text, JSON, Markdown for a pull request).
    Impact(Box<crate::cli::impact::ImpactArgs>),
    /// Waiver files: sign one as a waiver set (for `require_signed_waivers` stages).
    Waiver(crate::cli::waiver::WaiverArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(crate::cli::completions::CompletionsArgs),
    /// Write the manual pages (roff), generated from this binary's options.
    Man(crate::cli::completions::ManArgs),
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub fn enabled(self, terminal: bool) -> bool {
        let no_color = std::env::var_os(super::EnvVars::NO_COLOR).is_some_and(|v| !v.is_empty());
        let forced =
            std::env::var(super::EnvVars::CLICOLOR_FORCE).is_ok_and(|v| !v.is_empty() && v != "0");
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && (terminal || forced),
        }
    }
}

/// `--format FORMAT` or `--format FORMAT=PATH`, for any command's format enum (`evaluate`'s
/// [`OutputFormat`], `test`'s formats).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSpec<F = OutputFormat> {
    /// The format.
    pub format: F,
    /// Where to write it; standard output when absent.
    pub path: Option<PathBuf>,
}

impl<F: ValueEnum> FromStr for FormatSpec<F> {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, path) = match text.split_once('=') {
            Some((name, path)) if !path.is_empty() => (name, Some(PathBuf::from(path))),
            Some(_) => return Err(format!("`{text}`: the path after `=` is empty")),
            None => (text, None),
        };
        let format = F::from_str(name, true).map_err(|_| {
            let names: Vec<String> = F::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
                .collect();
            format!(
                "unknown format `{name}`; expected one of: {}",
                names.join(", ")
            )
        })?;
        Ok(FormatSpec { format, path })
    }
}

/// Limits on untrusted input.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// The largest input file accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::limits::Limits::default().max_file_bytes)]
    pub max_input_bytes: u64,
    /// The deepest nesting accepted in a JSON or YAML document.
    #[arg(long, value_name = "LEVELS", default_value_t = crate::limits::Limits::default().max_depth)]
    pub max_depth: usize,
}

impl LimitArgs {
    /// The limits these flags describe.
    pub fn limits(&self) -> crate::limits::Limits {
        crate::limits::Limits {
            max_file_bytes: self.max_input_bytes,
            max_depth: self.max_depth,
        }
    }
}

/// `stagegate evaluate --policy DIR --input FILE…`: an implicit stage, as `conftest test`.
#[derive(Debug, Clone, Default, Args)]
pub struct ConftestArgs {
    /// Rego (or CEL) policy files or directories, repeatable: evaluate them as one implicit
    /// stage without a `stagegate.yaml`, as `conftest test -p`.
    #[arg(long, short = 'p', value_name = "PATH", conflicts_with = "stage")]
    pub policy: Vec<PathBuf>,
    /// JSON or YAML data files merged into `data`, repeatable (with `--policy`).
    #[arg(long, value_name = "FILE", requires = "policy")]
    pub data: Vec<PathBuf>,
    /// Rego packages whose rules are evaluated, repeatable (with `--policy`; default `main`,
    /// as conftest).
    #[arg(long, value_name = "PACKAGE", requires = "policy")]
    pub namespace: Vec<String>,
    /// Evaluate the rules of every package (with `--policy`).
    #[arg(long, requires = "policy", conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// Give every input to the policies at once, as `[{path, contents}, …]` (with `--policy`).
    #[arg(long, requires = "policy")]
    pub combine: bool,
}

/// `stagegate evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The stage whose policies to evaluate (not with `--policy`, which makes one).
    #[arg(long, short, default_value = "", hide_default_value = true)]
    pub stage: String,
    /// The stage configuration [default: ./stagegate.yaml].
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// An Evidence v1 document (`-` for standard input), as `stagegate collect` writes.
    #[arg(long, value_name = "FILE", conflicts_with = "input")]
    pub evidence: Option<PathBuf>,
    /// Any JSON or YAML document, given to policies unvalidated as `input` (CEL: `evidence`),
    /// as conftest does. With `--policy`, repeatable, and each document of a multi-document
    /// YAML file is evaluated on its own.
    #[arg(long, value_name = "FILE", num_args = 1.., action = clap::ArgAction::Append)]
    pub input: Vec<PathBuf>,
    /// conftest's way: policies and data named on the command line, no `stagegate.yaml`.
    #[command(flatten)]
    pub conftest: ConftestArgs,
    /// Output format, repeatable: `text` (default), `json`, `sarif`, `junit`, `github`,
    /// `markdown`, `codequality` (GitLab); `FORMAT=PATH` writes that format to a file (atomically).
    #[arg(long, short, value_name = "FORMAT[=PATH]")]
    pub format: Vec<FormatSpec>,
    /// Count warnings as failures.
    #[arg(long)]
    pub fail_on_warn: bool,
    /// Time limit for evaluating all policies, e.g. `30s`, `2m`.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// What policies see as now (RFC 3339), for reproducible runs; default: the current time.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub effective_time: Option<chrono::DateTime<chrono::Utc>>,
    /// The Rego engine: `interpreter` (any error fails the evaluation), or `vm`, regorus's
    /// compiled VM, faster on large evidence but, like OPA without `--strict-builtin-errors`,
    /// it reads an error inside a rule body other than a builtin's as undefined (so `gate`,
    /// which signs, refuses it).
    #[arg(long, value_name = "ENGINE", value_enum, default_value_t = RegoEngine::Interpreter)]
    pub rego_engine: RegoEngine,
    /// Hand the policy engines the whole document, not only the parts the stage's policies can
    /// reach (README, "Speed, and the Rego engine"): for comparing, or to rule pruning out.
    #[arg(long)]
    pub no_prune: bool,
    /// Write the Evidence document as evaluated (collected, or `--evidence` with its
    /// verification outcomes recorded) to this file too: the document `replay` needs.
    #[arg(long, value_name = "FILE")]
    pub save_evidence: Option<PathBuf>,
    /// Append the decision to the audit trail (`gate` always does).
    #[arg(long)]
    pub audit: bool,
    /// The audit store: `postgres://USER:PASSWORD@HOST/DB`, or a SQLite file [default:
    /// `.stagegate/audit.db` beside `stagegate.yaml`].
    #[arg(long, value_name = "URL|FILE", env = crate::cli::EnvVars::STAGEGATE_AUDIT_DB)]
    pub audit_db: Option<String>,
    /// Evidence files to collect instead of `--evidence` (as `stagegate collect`).
    #[command(flatten)]
    pub collect: CollectArgs,
    /// Limits on input size and nesting.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// `stagegate collect`.
#[derive(Debug, Args)]
pub struct CollectCommandArgs {
    /// The subject and evidence files.
    #[command(flatten)]
    pub collect: CollectArgs,
    /// Where to write the evidence document (atomically); standard output when absent.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The configuration whose `trust.keys` verify what `--image` carries [default:
    /// ./stagegate.yaml]; read only with `--image`.
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Limits on input size and nesting.
    #[command(flatten)]
    pub limits: LimitArgs,
}

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

/// `stagegate schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema.
    #[arg(value_enum)]
    pub which: SchemaKind,
}

/// The published schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// `stagegate.yaml`.
    Config,
    /// The Evidence v1 document.
    Evidence,
    /// The Decision v1 document.
    Decision,
}

/// Parses a duration flag (`90s`, `30m`, `24h`, `7d`, `500ms`, a number of seconds) with the
/// one rule of [`crate::time::Duration`]: positive, at most 100 years, never a panic.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    crate::time::Duration::parse(text)
        .map(crate::time::Duration::as_std)
        .map_err(|e| e.to_string())
}

/// Parses an RFC 3339 time.
pub fn parse_time(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    crate::time::parse_rfc3339(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("90s"),
            Ok(std::time::Duration::from_secs(90))
        );
        assert_eq!(
            parse_duration("30m"),
            Ok(std::time::Duration::from_secs(1800))
        );
        assert_eq!(
            parse_duration("7d"),
            Ok(std::time::Duration::from_secs(604_800))
        );
        assert!(parse_duration("7y").is_err());
        assert!(parse_duration("0s").is_err());
        // https://github.com/stagegate/stagegate/issues/12 (point 9): no panic on huge values.
        assert!(parse_duration("99999999999999999999d").is_err());
        assert!(parse_duration("18446744073709551615s").is_err());
    }

    #[test]
    fn format_specs() {
        let spec: Result<FormatSpec, _> = "sarif=out.sarif".parse();
        assert_eq!(
            spec,
            Ok(FormatSpec {
                format: OutputFormat::Sarif,
                path: Some(PathBuf::from("out.sarif"))
            })
        );
        assert!("yaml".parse::<FormatSpec>().is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
