//! Configuration shared by several commands: the `trust:` section that `stagegate.yaml` and
//! `serve`'s `admission.yaml` both carry ([`trust`]).
//!
//! A leaf: it reads YAML values and file paths and knows nothing of policies, signatures or
//! the webhook, so [`crate::policy`], [`crate::verify`] and [`crate::serve`] can all read it
//! without an arrow running back up.

pub mod trust;

use std::path::PathBuf;

/// A path written in a configuration file, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPath {
    /// As written.
    pub written: String,
    /// Resolved against the config file's directory.
    pub resolved: PathBuf,
    /// Line of the entry in the config file.
    pub line: u32,
    /// Column of the entry in the config file.
    pub column: u32,
}
