//! The command line as clap parses it: the global flags and one variant per subcommand, each
//! holding the arguments its own file defines. Only `cli/mod.rs` reads it; no command imports
//! it, so the arrows run one way: the command line → each command → what the commands share.

use clap::{Parser, Subcommand, ValueEnum};

use crate::cli::collect::CollectCommandArgs;
use crate::cli::evaluate_args::EvaluateArgs;
use crate::cli::init::InitArgs;
use crate::cli::schema::SchemaArgs;
use crate::env::EnvVars;

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
        let no_color = std::env::var_os(EnvVars::NO_COLOR).is_some_and(|v| !v.is_empty());
        let forced =
            std::env::var(EnvVars::CLICOLOR_FORCE).is_ok_and(|v| !v.is_empty() && v != "0");
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && (terminal || forced),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
