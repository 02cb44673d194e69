//! Why a gate could not decide. Every one fails the gate (exit 2 at the CLI); none is a pass.

use crate::config::ConfigError;
use crate::document::DocumentError;
use crate::evidence::EvidenceError;
use crate::limits::LimitError;
use crate::location::Located;
use crate::policy::PolicyError;
use crate::verify::TrustError;

/// Why [`crate::gate::PreparedStage`] could not be prepared or could not decide.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GateError {
    /// `stagegate.yaml` (or a waiver file it names) is malformed, or a waiver names a rule the
    /// stage does not define.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A policy did not load or did not evaluate (including the time limit).
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// Evidence could not be collected, or an attestation in it could not be read.
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// An input file could not be read or broke a limit.
    #[error(transparent)]
    Input(#[from] LimitError),
    /// An input document is malformed (syntax, repeated keys).
    #[error(transparent)]
    Document(#[from] DocumentError),
    /// A key, root or identity of the `trust:` section could not be loaded.
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// The document parses but is not Evidence v1.
    #[error("invalid evidence: {0}")]
    InvalidEvidence(Located),
    /// The stage checked nothing: no policy, no required evidence, no earlier stage. A gate
    /// that checked nothing must not pass.
    #[error("stage `{stage}` evaluated no rule: it has no policies and requires no evidence")]
    NothingEvaluated {
        /// The stage.
        stage: String,
    },
    /// A signed waiver set could not be checked (its verification policy did not build).
    #[error("signed waivers: {0}")]
    Waivers(String),
    /// The evidence with its verification outcomes could not be encoded again.
    #[error("encoding the evidence: {0}")]
    Encode(#[from] serde_json::Error),
}
