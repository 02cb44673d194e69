//! Why a configuration could not be read: a place in a file, or a file that broke a limit.

use crate::limits::LimitError;
use crate::location::Located;

/// Why `stagegate.yaml` (or a waiver file it names) could not be loaded. Every one fails the
/// command (exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file is malformed or inconsistent, at a place in it.
    #[error("invalid configuration: {0}")]
    Invalid(Located),
    /// A file could not be read or broke a limit.
    #[error(transparent)]
    Input(#[from] LimitError),
}

impl ConfigError {
    /// The place in a file the error is about, when there is one.
    pub fn located(&self) -> Option<&Located> {
        match self {
            ConfigError::Invalid(located) => Some(located),
            ConfigError::Input(_) => None,
        }
    }
}
