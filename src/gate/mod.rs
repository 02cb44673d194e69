//! The gate: one stage's configuration, policies, data and trust prepared once
//! ([`PreparedStage`]), then evaluated on any number of documents ([`PreparedStage::evaluate`]).
//!
//! One evaluation is the whole pipeline of a promotion decision, in order: load the input and
//! verify what it says about itself ([`input`]) → evaluate the stage's Rego and CEL policies and
//! its `require_evidence` → the promotion chain ([`chain`]) → fail closed when nothing was
//! checked → waivers ([`waivers`]) → a [`Decision`]. `evaluate`, `gate`, `replay` and `impact`
//! all go through it; signing the decision is the caller's (`crate::attest`).
//!
//! ```
//! use std::path::Path;
//! use std::sync::Arc;
//!
//! use stagegate::{Config, GateRequest, Input, PolicySet, PreparedStage, StageOptions};
//!
//! let config = Config::parse(Path::new("stagegate.yaml"), "stages:\n  prod: {}\n")?;
//! let policies = PolicySet::from_sources(
//!     &[(
//!         "no_criticals.rego",
//!         r#"package gate
//! deny contains msg if {
//!     some v in input.vulnerabilities
//!     v.severity == "critical"
//!     msg := sprintf("%s is critical", [v.id])
//! }"#,
//!     )],
//!     serde_json::Value::Null,
//! )?;
//! let stage = PreparedStage::with_policies(Arc::new(config), "prod", policies, &StageOptions::default())?;
//! let evidence = br#"{
//!   "apiVersion": "stagegate.dev/evidence/v1",
//!   "subject": {"name": "registry.example/app", "digest": {"sha256": "0000000000000000000000000000000000000000000000000000000000000000"}},
//!   "collectedAt": "2026-12-01T00:00:00Z",
//!   "sources": [],
//!   "vulnerabilities": [{"id": "CVE-2026-0001", "severity": "critical", "package": {"name": "openssl"}}]
//! }"#;
//! let decided = stage.evaluate(&GateRequest::new(Input::Evidence {
//!     name: "evidence.json".into(),
//!     bytes: evidence.as_slice().into(),
//! }))?;
//! assert!(!decided.decision.passed());
//! assert_eq!(decided.decision.violations[0].message, "CVE-2026-0001 is critical");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod chain;
mod error;
pub mod input;
pub(crate) mod members;
pub mod waivers;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::waivers::Waiver;
use crate::config::{Config, Stage};
use crate::decision::{Decision, DecisionContext};
use crate::evidence::{Approval, Attestation, Evidence, Source};
use crate::limits::Limits;
use crate::policy::{EvaluationContext, PolicyInput, PolicySet, RegoEngine};
use crate::verify::promotion::Accepted;
use crate::verify::{Trust, TrustedKey, Verifier};

pub use chain::{CHAIN_RULE_PREFIX, Chain, DEFAULT_CHAIN_MAX_AGE};
pub use error::GateError;
pub use input::Input;
pub use waivers::DEFAULT_WARNING_WINDOW;

/// How a stage is prepared and evaluated, besides its configuration.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StageOptions {
    /// Limits on input size and nesting (policies, data, evidence).
    pub limits: Limits,
    /// The time limit for loading the policies and for each evaluation.
    pub timeout: Duration,
    /// Which regorus engine evaluates Rego.
    pub rego_engine: RegoEngine,
    /// Whether the engines receive only the parts of the input the stage's policies can reach
    /// (`crate::policy::reach`; on by default, `--no-prune` turns it off).
    pub prune: bool,
}

impl Default for StageOptions {
    fn default() -> Self {
        StageOptions {
            limits: Limits::default(),
            timeout: crate::policy::DEFAULT_TIMEOUT,
            rego_engine: RegoEngine::default(),
            prune: true,
        }
    }
}

impl StageOptions {
    /// Options with these limits, time limit and engine.
    pub fn new(limits: Limits, timeout: Duration, rego_engine: RegoEngine) -> StageOptions {
        StageOptions {
            limits,
            timeout,
            rego_engine,
            prune: true,
        }
    }

    /// Whether the engines receive only what the policies can reach.
    pub fn with_pruning(mut self, prune: bool) -> StageOptions {
        self.prune = prune;
        self
    }
}

/// One decision to make with a [`PreparedStage`].
#[non_exhaustive]
pub struct GateRequest<'a> {
    /// The document to evaluate.
    pub input: Input,
    /// What policies see as now, and what waivers' expiry is judged at [default: the clock].
    pub effective_time: Option<DateTime<Utc>>,
    /// The promotion chain [default: not checked].
    pub chain: Chain<'a>,
    /// Count warnings as failures (as the stage's `fail_on_warn`).
    pub fail_on_warn: bool,
    /// Where warnings about the evidence and waivers go [default: `tracing::warn!`].
    pub warn: &'a dyn Fn(&str),
}

impl std::fmt::Debug for GateRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GateRequest")
            .field("input", &self.input)
            .field("effective_time", &self.effective_time)
            .field("chain", &self.chain)
            .field("fail_on_warn", &self.fail_on_warn)
            .finish_non_exhaustive()
    }
}

fn trace_warning(message: &str) {
    tracing::warn!("{message}");
}

impl<'a> GateRequest<'a> {
    /// A request for `input` at the clock's time, without the promotion chain.
    pub fn new(input: Input) -> GateRequest<'a> {
        GateRequest {
            input,
            effective_time: None,
            chain: Chain::Skipped,
            fail_on_warn: false,
            warn: &trace_warning,
        }
    }

    /// What policies see as now.
    pub fn effective_time(mut self, time: Option<DateTime<Utc>>) -> Self {
        self.effective_time = time;
        self
    }

    /// How the promotion chain is checked.
    pub fn chain(mut self, chain: Chain<'a>) -> Self {
        self.chain = chain;
        self
    }

    /// Count warnings as failures.
    pub fn fail_on_warn(mut self, fail_on_warn: bool) -> Self {
        self.fail_on_warn = fail_on_warn;
        self
    }

    /// Where warnings go.
    pub fn warn(mut self, warn: &'a dyn Fn(&str)) -> Self {
        self.warn = warn;
        self
    }
}

/// What [`PreparedStage::evaluate`] produced: the decision, the evidence bytes it is bound to,
/// and what the evidence said once verified.
#[derive(Debug)]
#[non_exhaustive]
pub struct Decided {
    /// The decision.
    pub decision: Decision,
    /// The evidence document as evaluated (its sha256 is the decision's evidence digest).
    /// `None` for an Evidence document read ahead without asking to keep it
    /// ([`input::ReadAhead::start`]): its unread `raw` documents were let go once checked.
    pub evidence: Option<Arc<[u8]>>,
    /// The evaluated Evidence document's sources (empty for a plain input document).
    pub sources: Vec<Source>,
    /// The evaluated Evidence document's attestations, with their verification outcomes.
    pub attestations: Vec<Attestation>,
    /// The evaluated Evidence document's approvals (verified ones from signed approvals).
    pub approvals: Vec<Approval>,
    /// The earlier stages' results that satisfied the promotion chain.
    pub chain_results: Vec<Accepted>,
    /// The input the decision was made from (see [`Decided::leave_to_exit`]).
    retained: Retained,
}

/// What a decision was made from, kept so that a command about to exit can skip freeing it.
/// The evidence model and the engines' forms of a large document are trees of hundreds of
/// thousands of small allocations: freeing them took milliseconds that the process's exit
/// does for free. A caller that goes on (`impact`) just drops it.
#[derive(Debug)]
struct Retained {
    _input: PolicyInput,
    _model: Option<Evidence>,
}

impl Decided {
    /// Leaves the evaluated document's trees to the process's exit, which returns the memory
    /// at once: for a command about to exit.
    pub fn leave_to_exit(self) {
        std::mem::forget(self.retained);
    }
}

/// A stage ready to evaluate: its configuration, policies, data, trust and waivers loaded and
/// checked once. Cheap to evaluate many times (`impact` over a directory of documents).
#[derive(Debug)]
pub struct PreparedStage {
    config: Arc<Config>,
    stage: Stage,
    policies: PolicySet,
    trust: Trust,
    verifier: Verifier,
    waivers: Vec<Waiver>,
    /// Warnings from preparing (signed waiver sets that did not verify), repeated with every
    /// evaluation's warnings.
    notices: Vec<String>,
    options: StageOptions,
}

impl PreparedStage {
    /// Loads `stagegate.yaml` at `config_path` and prepares `stage` from it.
    pub fn load(
        config_path: &Path,
        stage: &str,
        options: &StageOptions,
    ) -> Result<PreparedStage, GateError> {
        let config = Config::load(config_path, &options.limits)?;
        PreparedStage::from_config(Arc::new(config), stage, options)
    }

    /// Prepares `stage` of a loaded configuration: its policies and data read from the files
    /// the configuration names, within the time limit.
    pub fn from_config(
        config: Arc<Config>,
        stage: &str,
        options: &StageOptions,
    ) -> Result<PreparedStage, GateError> {
        let found = config.stage(stage)?;
        let policies = PolicySet::load_stage_within(
            found,
            &config.base_dir,
            &options.limits,
            options.timeout,
        )?;
        tracing::debug!(digest = policies.digest(), "loaded the policies");
        PreparedStage::with_policies(config, stage, policies, options)
    }

    /// Prepares `stage` of a configuration with policies loaded by the caller (e.g. from
    /// memory, [`PolicySet::from_sources`]); the stage's own `policies:` are not read.
    pub fn with_policies(
        config: Arc<Config>,
        stage: &str,
        mut policies: PolicySet,
        options: &StageOptions,
    ) -> Result<PreparedStage, GateError> {
        policies.set_pruning(options.prune);
        let stage = config.stage(stage)?.clone();
        let trust = Trust::load(&config.trust)?;
        let verifier = Verifier::new(&trust);
        let (signed, notices) = waivers::signed_waivers(&config, &verifier)?;
        let mut all_waivers = config.waivers.clone();
        all_waivers.extend(signed);
        Ok(PreparedStage {
            config,
            stage,
            policies,
            trust,
            verifier,
            waivers: all_waivers,
            notices,
            options: options.clone(),
        })
    }

    /// Leaves the parsed policies to the process's exit (see [`Decided::leave_to_exit`]).
    pub fn leave_to_exit(self) {
        std::mem::forget(self);
    }

    /// The configuration the stage is part of.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The stage.
    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// The stage's policies.
    pub fn policies(&self) -> &PolicySet {
        &self.policies
    }

    /// The configuration's trust, loaded.
    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    /// The verifier of the evidence: the configuration's trust.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The verifier of earlier stages' results for the promotion chain: the configuration's
    /// trust, plus `own_key` trusted for results (only) when `trust.keys` lists no key (a
    /// gate's own key then vouches for its earlier stages).
    pub fn results_verifier(&self, own_key: Option<TrustedKey>) -> Verifier {
        match own_key {
            Some(key) if self.trust.keys.is_empty() => {
                let mut trust = self.trust.clone();
                trust.keys.push(key);
                Verifier::new(&trust)
            }
            _ => Verifier::new(&self.trust),
        }
    }

    /// How old an earlier stage's result may be: `trust.max_age`, else 30 days.
    pub fn max_age(&self) -> Duration {
        self.config
            .trust
            .max_age
            .map_or(DEFAULT_CHAIN_MAX_AGE, |m| m.value.as_std())
    }

    /// Loads the request's input, verifies it, evaluates the stage on it and applies the
    /// waivers. Every error is a [`GateError`]: never a pass.
    pub fn evaluate(&self, request: &GateRequest<'_>) -> Result<Decided, GateError> {
        let stage = &self.stage;
        let limits = &self.options.limits;
        for notice in &self.notices {
            (request.warn)(notice);
        }
        let loaded = input::load(
            &request.input,
            &input::EvidenceVerification {
                verifier: &self.verifier,
                stage: &stage.name,
                documents: request.chain.candidates(),
                limits,
                warn: request.warn,
                engines: input::Engines {
                    reach: self.policies.pruning_reach(),
                    parse_ahead: self.policies.has_rego(),
                },
            },
        )?;
        let evaluated_at = Utc::now();
        let now = request.effective_time.unwrap_or(evaluated_at);
        let mut evaluation = self.policies.evaluate(
            &loaded.input,
            &EvaluationContext {
                stage: stage.name.clone(),
                now,
                timeout: self.options.timeout,
                rego_engine: self.options.rego_engine,
            },
        )?;
        let chain = chain::check(stage, &loaded.subject, &request.chain);
        evaluation.rules.extend(chain.rules);
        evaluation.violations.extend(chain.violations);
        if evaluation.rules.is_empty() {
            // Fail closed: a gate that checked nothing must not pass.
            return Err(GateError::NothingEvaluated {
                stage: stage.name.clone(),
            });
        }
        tracing::info!(
            rules = evaluation.rules.len(),
            violations = evaluation.violations.len(),
            warnings = evaluation.warnings.len(),
            "evaluated stage `{}`",
            stage.name
        );
        let warning_window = self
            .config
            .waiver_warning_window
            .map_or(DEFAULT_WARNING_WINDOW, |w| w.value.as_std());
        let waived = waivers::apply_waivers(
            &self.waivers,
            &waivers::WaiverScope {
                stage: &stage.name,
                subject: &loaded.subject,
                now,
                warning_window,
                require_signed: stage.require_signed_waivers,
            },
            &evaluation.rules,
            evaluation.violations,
            evaluation.warnings,
        )?;
        for notice in &waived.notices {
            (request.warn)(&notice.to_string());
        }
        let decision = Decision::with_waived(
            DecisionContext {
                stage: stage.name.clone(),
                subject: loaded.subject,
                promotion_id: uuid::Uuid::now_v7().to_string(),
                evaluated_at,
                effective_time: now,
                policy_digest: self.policies.digest().to_owned(),
                evidence_digest: loaded.digest,
                fail_on_warn: request.fail_on_warn || stage.fail_on_warn,
            },
            evaluation.rules,
            waived.violations,
            waived.warnings,
            waived.waived,
        );
        // The verified parts move out of the model; the rest of it is only retained.
        let mut model = loaded.model;
        let (sources, attestations, approvals) =
            model.as_mut().map_or_else(Default::default, |m| {
                (
                    std::mem::take(&mut m.sources),
                    m.attestations.take().unwrap_or_default(),
                    m.approvals.take().unwrap_or_default(),
                )
            });
        Ok(Decided {
            decision,
            sources,
            attestations,
            approvals,
            chain_results: chain.accepted,
            evidence: loaded.bytes,
            retained: Retained {
                _input: loaded.input,
                _model: model,
            },
        })
    }
}
