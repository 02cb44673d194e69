//! Stage 2: policies. A stage's Rego and CEL policies and data, loaded once into a
//! [`PolicySet`] and evaluated on an input document.
//!
//! [`config`] reads `stagegate.yaml`; [`files`] finds the policy files and computes the
//! policy digest; [`rego`] and [`cel`] hold the two engines; [`required`] makes the built-in
//! `require_evidence` checks. The result of [`PolicySet::evaluate`] is an [`Evaluation`] that
//! `decision` turns into a [`crate::decision::Decision`]. This module knows nothing of signing.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "capacity and width sums of lengths already in memory"
)]

mod builtin_errors;
pub mod builtins;
pub mod cel;
pub mod data;
pub mod error;
pub mod files;
mod input;
mod json_schema;
pub mod metadata;
pub mod nesting;
mod parallel;
pub mod reach;
mod recursion;
pub mod rego;
pub(crate) mod rego_engine;
mod rego_meta;
mod rego_vm;
pub mod required;
mod rule_bodies;
pub(crate) mod rule_heads;

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value as Json;

use crate::config::stages::{ConfigPath, Stage};
use crate::decision::{Finding, RuleInfo};
use crate::limits::{Limits, read_limited};
use crate::policy::cel::CelPolicy;
use crate::policy::error::Located;
use crate::policy::files::{PolicyFile, discover, display_name, policy_digest};
use crate::policy::rego::RegoPolicies;

pub use error::PolicyError;
pub use error::PolicyError as Error;
pub use input::PolicyInput;

/// The default evaluation time limit.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How many threads evaluate one stage's Rego rules: the machine's cores, up to four (a
/// stage has a few dozen rules; more threads would mostly recompute shared helper rules).
fn evaluation_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// A stage's policies, parsed once. Cheap to evaluate many times, from several threads.
#[derive(Debug, Clone)]
pub struct PolicySet {
    rego: Option<RegoPolicies>,
    cel: Vec<CelPolicy>,
    data: Arc<Json>,
    required: Vec<String>,
    digest: String,
    files: Vec<String>,
    /// What the policies and `required` can reach of the input ([`reach`]).
    reach: Arc<reach::Reach>,
    /// What the CEL files alone can reach: their one conversion of the input is cut to it
    /// (the Rego rules often read far more, e.g. every SBOM component).
    cel_reach: Arc<reach::Reach>,
    /// Whether the engines receive only [`PolicySet::reach`] of the input (the default).
    prune: bool,
}

/// Which regorus engine evaluates Rego.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RegoEngine {
    /// The interpreter: every error, wherever it happens, fails the evaluation.
    #[default]
    Interpreter,
    /// The compiled VM, when the rules compile: faster on large evidence (bench/RESULTS.md).
    /// Builtin errors still fail the evaluation, but other errors inside a rule body
    /// (arithmetic on the wrong types, conflicting values) make that body undefined, as in
    /// OPA without `--strict-builtin-errors`.
    Vm,
}

/// What is fixed for one evaluation besides the input.
#[derive(Debug, Clone)]
pub struct EvaluationContext {
    /// The stage name, bound as `stage` in CEL.
    pub stage: String,
    /// What policies see as now: `time.now_ns()` in Rego, `now` in CEL.
    pub now: chrono::DateTime<chrono::Utc>,
    /// The time limit for the whole evaluation.
    pub timeout: Duration,
    /// Which engine evaluates Rego.
    pub rego_engine: RegoEngine,
}

/// What the policies of a stage found.
#[derive(Debug, Default)]
pub struct Evaluation {
    /// Every rule evaluated.
    pub rules: Vec<RuleInfo>,
    /// Findings that fail the gate.
    pub violations: Vec<Finding>,
    /// Findings that do not.
    pub warnings: Vec<Finding>,
}

impl PolicySet {
    /// Loads the policies and data of a stage.
    pub fn load_stage(
        stage: &Stage,
        base_dir: &std::path::Path,
        limits: &Limits,
    ) -> Result<PolicySet, PolicyError> {
        PolicySet::load(
            &stage.policies,
            &stage.data,
            &stage.require_evidence,
            base_dir,
            limits,
            &stage.rego,
        )
    }

    /// Loads the policies and data of a stage on a worker thread, within `timeout`: parsing
    /// is bounded ([`nesting`]), but a large policy tree from a pull request (`impact --new`)
    /// must not hold a gate past its deadline either (issue #12). Past it, the result is
    /// [`PolicyError::LoadTimeout`].
    pub fn load_stage_within(
        stage: &Stage,
        base_dir: &std::path::Path,
        limits: &Limits,
        timeout: Duration,
    ) -> Result<PolicySet, PolicyError> {
        let (sender, receiver) = mpsc::channel();
        let (stage, base_dir, limits) = (stage.clone(), base_dir.to_owned(), *limits);
        let spawned = std::thread::Builder::new()
            .name("stagegate-load".to_owned())
            .stack_size(64 * 1024 * 1024)
            .spawn(move || {
                let _ = sender.send(PolicySet::load_stage(&stage, &base_dir, &limits));
            });
        if let Err(err) = spawned {
            return Err(PolicyError::Rego(Located::new(
                std::path::Path::new("<engine>"),
                0,
                0,
                err.to_string(),
            )));
        }
        match receiver.recv_timeout(timeout) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(PolicyError::LoadTimeout {
                seconds: timeout.as_secs_f64(),
            }),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(PolicyError::Rego(Located::new(
                std::path::Path::new("<engine>"),
                0,
                0,
                "loading the policies stopped without a result (it panicked)",
            ))),
        }
    }

    /// Loads policies and data from explicit paths.
    pub fn load(
        policies: &[ConfigPath],
        data_files: &[ConfigPath],
        required: &[String],
        base_dir: &std::path::Path,
        limits: &Limits,
        rego_options: &crate::config::rego::RegoOptions,
    ) -> Result<PolicySet, PolicyError> {
        let found = discover(policies, base_dir)?;
        let mut digested: Vec<(String, Vec<u8>)> = Vec::new();
        let mut read = |file: &PolicyFile| -> Result<Arc<str>, PolicyError> {
            let bytes = read_limited(&file.path, limits)?;
            let text = String::from_utf8(bytes.clone()).map_err(|err| {
                PolicyError::Rego(Located::at_offset(
                    &file.path,
                    &bytes,
                    err.utf8_error().valid_up_to(),
                    "the file is not valid UTF-8",
                ))
            })?;
            digested.push((file.display.clone(), bytes));
            Ok(Arc::from(text))
        };
        let mut rego_sources = Vec::new();
        for file in &found.rego {
            rego_sources.push((file.clone(), read(file)?));
        }
        let mut cel = Vec::new();
        for file in &found.cel {
            let text = read(file)?;
            cel.push(CelPolicy::load(file, &text)?);
        }
        let data::LoadedData {
            value: data,
            files: data_bytes,
        } = data::load_data(data_files, limits)?;
        for (path, bytes) in data_bytes {
            digested.push((display_name(&path, base_dir), bytes));
        }
        let rego = if rego_sources.is_empty() {
            None
        } else {
            Some(RegoPolicies::load(&rego_sources, &data, rego_options)?)
        };
        let refs: Vec<(&str, &[u8])> = digested
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let digest = policy_digest(&refs);
        let mut files: Vec<String> = digested.into_iter().map(|(n, _)| n).collect();
        files.sort();
        let modules = rego.as_ref().map(RegoPolicies::modules);
        let reach = reach::Reach::of_policies(
            modules.as_ref(),
            cel.iter().map(CelPolicy::expressions),
            required,
        );
        tracing::debug!(%reach, "what the policies can reach of the input");
        let cel_reach =
            reach::Reach::of_policies(None, cel.iter().map(CelPolicy::expressions), &[]);
        Ok(PolicySet {
            rego,
            cel,
            data: Arc::new(data),
            required: required.to_vec(),
            digest,
            files,
            reach: Arc::new(reach),
            cel_reach: Arc::new(cel_reach),
            prune: true,
        })
    }

    /// Builds a policy set from sources in memory, for embedders: `(name, text)` pairs, a CEL
    /// rule file when the name ends in `.cel.yaml`, else a Rego module; `data` is Rego's and
    /// CEL's `data` document (`null` for none). The digest covers the names and texts as for
    /// files (data given here is not digested).
    pub fn from_sources(sources: &[(&str, &str)], data: Json) -> Result<PolicySet, PolicyError> {
        let data = match data {
            Json::Null => Json::Object(Default::default()),
            data => data,
        };
        let mut rego_sources = Vec::new();
        let mut cel = Vec::new();
        let mut digested: Vec<(&str, &[u8])> = Vec::new();
        for (name, text) in sources {
            let file = PolicyFile {
                display: (*name).to_owned(),
                path: std::path::PathBuf::from(name),
            };
            digested.push((name, text.as_bytes()));
            if crate::config::policy_files::is_cel_rules(name) {
                cel.push(CelPolicy::load(&file, text)?);
            } else {
                rego_sources.push((file, Arc::<str>::from(*text)));
            }
        }
        let rego = if rego_sources.is_empty() {
            None
        } else {
            Some(RegoPolicies::load(
                &rego_sources,
                &data,
                &crate::config::rego::RegoOptions::default(),
            )?)
        };
        let mut files: Vec<String> = sources.iter().map(|(n, _)| (*n).to_owned()).collect();
        files.sort();
        let modules = rego.as_ref().map(RegoPolicies::modules);
        let reach = reach::Reach::of_policies(
            modules.as_ref(),
            cel.iter().map(CelPolicy::expressions),
            &[],
        );
        let cel_reach =
            reach::Reach::of_policies(None, cel.iter().map(CelPolicy::expressions), &[]);
        Ok(PolicySet {
            rego,
            cel,
            data: Arc::new(data),
            required: Vec::new(),
            digest: policy_digest(&digested),
            files,
            reach: Arc::new(reach),
            cel_reach: Arc::new(cel_reach),
            prune: true,
        })
    }

    /// The value of a Rego reference (`data.main.exception`) for `input` at `now`, or `None`
    /// when undefined or when the set has no Rego.
    pub fn rego_value(
        &self,
        input: &PolicyInput,
        path: &str,
        context: &EvaluationContext,
    ) -> Result<Option<Json>, PolicyError> {
        let Some(rego) = &self.rego else {
            return Ok(None);
        };
        let now_ns = context.now.timestamp_nanos_opt().unwrap_or(i64::MAX);
        rego.value_of(input.rego()?, path, now_ns, context.timeout)
    }

    /// Keeps only the Rego rules of the packages `keep` accepts (conftest's `--namespace`).
    pub fn retain_packages(&mut self, keep: &dyn Fn(&str) -> bool) {
        if let Some(rego) = &mut self.rego {
            rego.retain_packages(keep);
        }
    }

    /// What the stage's policies and `require_evidence` checks can reach of the input.
    pub fn reach(&self) -> &reach::Reach {
        &self.reach
    }

    /// Whether the stage has Rego policies.
    pub fn has_rego(&self) -> bool {
        self.rego.is_some()
    }

    /// The reach the engines are handed when it is not the whole input: what a reader of
    /// the input may cut the document to ahead ([`PolicyInput::from_json_text_pruned`]).
    pub fn pruning_reach(&self) -> Option<&reach::Reach> {
        (self.prune && !self.reach.is_whole()).then_some(&self.reach)
    }

    /// Whether [`PolicySet::evaluate`] hands the engines only [`PolicySet::reach`] of the
    /// input (on by default; `--no-prune` turns it off).
    pub fn set_pruning(&mut self, prune: bool) {
        self.prune = prune;
    }

    /// `sha256:<hex>` over the sorted policy and data files and their names.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The policy and data files, by the names they are digested under.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// The merged data document.
    pub fn data(&self) -> &Json {
        &self.data
    }

    /// Evaluates every policy on `input`. Runs on a worker thread so that the time limit
    /// holds even for an engine stuck in a long loop: past it, the result is
    /// [`PolicyError::Timeout`], never a pass.
    pub fn evaluate(
        &self,
        input: &PolicyInput,
        context: &EvaluationContext,
    ) -> Result<Evaluation, PolicyError> {
        let (sender, receiver) = mpsc::channel();
        let this = self.clone();
        let input = input.clone();
        let worker_context = context.clone();
        let spawned = std::thread::Builder::new()
            .name("stagegate-eval".to_owned())
            .stack_size(64 * 1024 * 1024)
            .spawn(move || {
                let _enforced = crate::memory::Evaluating::start();
                let _ = sender.send(this.evaluate_here(&input, &worker_context));
            });
        if let Err(err) = spawned {
            return Err(PolicyError::Evaluation {
                rule: "<engine>".to_owned(),
                error: Located::new(std::path::Path::new("<engine>"), 0, 0, err.to_string()),
            });
        }
        match receiver.recv_timeout(context.timeout + Duration::from_millis(250)) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(PolicyError::Timeout {
                seconds: context.timeout.as_secs_f64(),
            }),
            // The worker ended without an answer: the engine panicked. Still a failed gate.
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(PolicyError::Evaluation {
                rule: "<engine>".to_owned(),
                error: Located::new(
                    std::path::Path::new("<engine>"),
                    0,
                    0,
                    "the policy engine stopped without a result (it panicked)",
                ),
            }),
        }
    }

    /// Evaluates on the calling thread (the time limit is then only regorus's own); the CEL files
    /// run beside the Rego rules on a thread of their own.
    pub fn evaluate_here(
        &self,
        input: &PolicyInput,
        context: &EvaluationContext,
    ) -> Result<Evaluation, PolicyError> {
        let (pruned, cel_pruned);
        let (input, cel_input) = if self.prune {
            // One pass over the whole text for what any policy reaches; the CEL files' own
            // (often much smaller) part is cut from that.
            pruned = input.pruned(&self.reach);
            // Without Rego the CEL files' reach is the stage's (`require_evidence` aside): the
            // one pruned document serves both, parsed once.
            cel_pruned = if self.cel.is_empty() || self.rego.is_none() {
                pruned.clone()
            } else {
                pruned.pruned(&self.cel_reach)
            };
            (&pruned, &cel_pruned)
        } else {
            (input, input)
        };
        // The CEL files run on another thread meanwhile, on one conversion of the input.
        let (mut evaluation, found) = cel::evaluate_beside(
            &self.cel,
            cel_input,
            &self.data,
            (&context.stage, context.now),
            || self.evaluate_rego(input, context),
        )?;
        for (policy, found) in self.cel.iter().zip(found) {
            evaluation.rules.extend(policy.rules().cloned());
            evaluation.violations.extend(found.violations);
            evaluation.warnings.extend(found.warnings);
        }
        Ok(evaluation)
    }

    /// The `require_evidence` checks and the Rego rules.
    fn evaluate_rego(
        &self,
        input: &PolicyInput,
        context: &EvaluationContext,
    ) -> Result<Evaluation, PolicyError> {
        let mut evaluation = Evaluation::default();
        if let Some(rego) = &self.rego {
            let value = input.rego()?;
            tracing::debug!("the input is ready for Rego");
            let (rules, violations) = required::check(&self.required, &value);
            evaluation.rules.extend(rules);
            evaluation.violations.extend(violations);
            let now_ns = context.now.timestamp_nanos_opt().unwrap_or(i64::MAX);
            let found = rego.evaluate(
                value,
                now_ns,
                context.timeout,
                context.rego_engine,
                evaluation_threads(),
            )?;
            tracing::debug!("evaluated the Rego rules");
            evaluation.rules.extend(rego.rules().cloned());
            evaluation.violations.extend(found.violations);
            evaluation.warnings.extend(found.warnings);
        } else if !self.required.is_empty() {
            let (rules, violations) = required::check(&self.required, input.json()?);
            evaluation.rules.extend(rules);
            evaluation.violations.extend(violations);
        }
        Ok(evaluation)
    }
}
