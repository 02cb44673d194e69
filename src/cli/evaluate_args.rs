//! `stagegate evaluate`'s arguments, which `gate` flattens into its own: the stage, the
//! input, the outputs, and conftest's way of naming policies without a `stagegate.yaml`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::args::{FormatSpec, LimitArgs, parse_duration, parse_time};
use crate::cli::collect_args::CollectArgs;
use crate::env::EnvVars;
use crate::policy::RegoEngine;

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
    #[arg(long, value_name = "URL|FILE", env = EnvVars::STAGEGATE_AUDIT_DB)]
    pub audit_db: Option<String>,
    /// Evidence files to collect instead of `--evidence` (as `stagegate collect`).
    #[command(flatten)]
    pub collect: CollectArgs,
    /// Limits on input size and nesting.
    #[command(flatten)]
    pub limits: LimitArgs,
}
