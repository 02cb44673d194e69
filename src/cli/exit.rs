//! The exit status of every command, mapped to a process exit code in one place.

use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// The gate passed (or the command succeeded).
    Success,
    /// The gate failed on policy: the artifact must not be promoted.
    PolicyFailure,
    /// An error: bad input, a policy that does not load, a timeout. Never a pass.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::from(0),
            ExitStatus::PolicyFailure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}
