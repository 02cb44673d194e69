//! The promotion chain as a built-in check: for each stage a stage `requires`, a stagegate
//! VSA for the same digest, signed by a key (or identity) trusted for `results` at that
//! stage, `PASSED`, not revoked, and younger than `trust.max_age`. A miss is the violation
//! `stagegate.chain.<stage>`; the results that counted are recorded as the decision's inputs.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::Stage;
use crate::decision::{Engine, Finding, RuleInfo, Severity};
use crate::evidence::Subject;
use crate::verify::Verifier;
use crate::verify::candidate::Candidate;
use crate::verify::promotion::{Accepted, required_stage};

/// The id prefix of the promotion chain's rules: `stagegate.chain.<stage>`.
pub const CHAIN_RULE_PREFIX: &str = "stagegate.chain.";

/// How old an earlier stage's result may be when `trust.max_age` is not set.
pub const DEFAULT_CHAIN_MAX_AGE: Duration = Duration::from_secs(30 * 86_400);

/// How a request treats the promotion chain (`requires`).
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub enum Chain<'a> {
    /// Not checked, and no signed approval added: `evaluate` reports the policies only.
    #[default]
    Skipped,
    /// Checked against signed documents: earlier stages' results are looked for among
    /// `candidates`, and the signed approvals among them are added to the evidence.
    Verified {
        /// The signed documents (`--attestation` files, `--chain-dir`, the image's referrers).
        candidates: &'a [Candidate],
        /// The verifier for stage results (see [`crate::gate::PreparedStage::results_verifier`]).
        verifier: &'a Verifier,
        /// How old a result may be.
        max_age: Duration,
        /// The time its age is judged at.
        now: DateTime<Utc>,
    },
    /// Taken from an earlier decision as recorded (`replay`): its chain rules and findings.
    Recorded {
        /// The recorded `stagegate.chain.*` rules.
        rules: &'a [RuleInfo],
        /// The recorded `stagegate.chain.*` violations.
        findings: &'a [Finding],
    },
}

impl Chain<'_> {
    /// The signed documents whose approvals join the evidence.
    pub(crate) fn candidates(&self) -> &[Candidate] {
        match self {
            Chain::Verified { candidates, .. } => candidates,
            Chain::Skipped | Chain::Recorded { .. } => &[],
        }
    }
}

/// What the chain check found.
#[derive(Debug, Default)]
pub(crate) struct ChainOutcome {
    pub(crate) rules: Vec<RuleInfo>,
    pub(crate) violations: Vec<Finding>,
    /// The results that satisfied a required stage.
    pub(crate) accepted: Vec<Accepted>,
}

/// Checks `stage`'s `requires` for `subject`.
pub(crate) fn check(stage: &Stage, subject: &Subject, chain: &Chain<'_>) -> ChainOutcome {
    let mut outcome = ChainOutcome::default();
    match *chain {
        Chain::Skipped => {}
        Chain::Recorded { rules, findings } => {
            outcome.rules = rules.to_vec();
            outcome.violations = findings.to_vec();
        }
        Chain::Verified {
            candidates,
            verifier,
            max_age,
            now,
        } => {
            for required in &stage.requires {
                let id = format!("{CHAIN_RULE_PREFIX}{required}");
                let title = format!("A verified, passing `{required}` result exists");
                outcome.rules.push(RuleInfo {
                    id: id.clone(),
                    engine: Engine::Builtin,
                    source: None,
                    title: Some(title.clone()),
                    description: Some(format!(
                        "Stage `{}` requires `{required}`: a stagegate VSA for the same digest, signed by a key trusted for `results` at `{required}`, PASSED, and fresh.",
                        stage.name
                    )),
                    severity: Severity::High,
                    warning: false,
                    metadata: Default::default(),
                });
                match required_stage(
                    candidates,
                    required,
                    &subject.digest.sha256,
                    verifier,
                    Some((max_age, now)),
                ) {
                    Ok(found) => outcome.accepted.push(found),
                    Err(missing) => outcome.violations.push(Finding {
                        rule: id,
                        message: format!(
                            "no verified, passing `{required}` result for sha256:{}: {missing}",
                            subject.digest.sha256
                        ),
                        severity: Severity::High,
                        source: None,
                        title: Some(title),
                        details: Default::default(),
                    }),
                }
            }
        }
    }
    outcome
}
