//! Errors of the policy stage. Every one of them fails the gate (exit 2); none becomes a pass.
//!
//! Errors that come from a place in a file carry a [`Located`], so the CLI can show the file,
//! line and column with a snippet.

use crate::config::ConfigError;
use crate::limits::LimitError;
pub use crate::location::Located;

/// Why policies could not be loaded or evaluated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// `stagegate.yaml` is malformed or inconsistent.
    #[error("invalid configuration: {0}")]
    Config(Located),
    /// A file could not be read or broke a limit.
    #[error(transparent)]
    Input(#[from] LimitError),
    /// A data file is malformed.
    #[error("invalid data file: {0}")]
    Data(Located),
    /// A Rego file does not parse or compile.
    #[error("invalid Rego policy: {0}")]
    Rego(Located),
    /// A `# METADATA` block is malformed.
    #[error("invalid METADATA annotation: {0}")]
    Metadata(Located),
    /// A CEL rule file is malformed or an expression does not compile.
    #[error("invalid CEL policy: {0}")]
    Cel(Located),
    /// A document given as `input`/`evidence` is malformed.
    #[error("invalid input document: {0}")]
    Document(Located),
    /// A rule failed while evaluating (type error, unknown builtin, missing key, ...).
    #[error("policy evaluation failed in rule `{rule}`: {error}")]
    Evaluation {
        /// The rule that failed.
        rule: String,
        /// Where it is written and what went wrong.
        error: Located,
    },
    /// Loading (reading and parsing) the policies took longer than the time limit.
    #[error("loading the policies exceeded the time limit of {seconds} s (`--timeout`)")]
    LoadTimeout {
        /// The limit, in seconds.
        seconds: f64,
    },
    /// Evaluation took longer than the time limit.
    #[error("policy evaluation exceeded the time limit of {seconds} s")]
    Timeout {
        /// The limit, in seconds.
        seconds: f64,
    },
}

impl PolicyError {
    /// The place in a file the error is about, when there is one.
    pub fn located(&self) -> Option<&Located> {
        match self {
            PolicyError::Config(l)
            | PolicyError::Data(l)
            | PolicyError::Rego(l)
            | PolicyError::Metadata(l)
            | PolicyError::Cel(l)
            | PolicyError::Document(l)
            | PolicyError::Evaluation { error: l, .. } => Some(l),
            PolicyError::Input(_)
            | PolicyError::Timeout { .. }
            | PolicyError::LoadTimeout { .. } => None,
        }
    }
}

impl From<ConfigError> for PolicyError {
    fn from(err: ConfigError) -> PolicyError {
        match err {
            ConfigError::Invalid(located) => PolicyError::Config(located),
            ConfigError::Input(limit) => PolicyError::Input(limit),
        }
    }
}
