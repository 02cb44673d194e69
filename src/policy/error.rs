//! Errors of the policy stage. Every one of them fails the gate (exit 2); none becomes a pass.
//!
//! Errors that come from a place in a file carry a [`Located`], so the CLI can show the file,
//! line and column with a snippet.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::limits::{LimitError, line_column};

/// A message about a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The file.
    pub path: PathBuf,
    /// 1-based line; 0 when unknown.
    pub line: u32,
    /// 1-based column; 0 when unknown.
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when we know.
    pub help: Option<String>,
}

impl Located {
    /// A message at a line and column.
    pub fn new(path: &Path, line: u32, column: u32, message: impl Into<String>) -> Located {
        Located {
            path: path.to_owned(),
            line,
            column,
            message: message.into(),
            help: None,
        }
    }

    /// A message at a byte offset of `bytes`.
    pub fn at_offset(
        path: &Path,
        bytes: &[u8],
        offset: usize,
        message: impl Into<String>,
    ) -> Located {
        let (line, column) = line_column(bytes, offset);
        Located::new(path, line as u32, column as u32, message)
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Located {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        } else {
            write!(f, "{}: {}", self.path.display(), self.message)
        }
    }
}

/// Why policies could not be loaded or evaluated.
#[derive(Debug, thiserror::Error)]
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
