//! A message about a place in a file: the file, line and column every error about a written
//! input carries, so the CLI can show it with a snippet. A leaf shared by the configuration,
//! the policies and the gate.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::limits::line_column;

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
