//! The configuration, parsed and checked: `stagegate.yaml`'s stages ([`stages`]), its waivers
//! ([`waivers`]), the Rego options a stage sets ([`rego`]), and the `trust:` section that
//! `stagegate.yaml` and `serve`'s `admission.yaml` both carry ([`trust`]).
//!
//! A leaf: it reads YAML values and file paths and knows nothing of evaluating policies,
//! signatures or the webhook, so [`crate::policy`], [`crate::verify`], [`crate::gate`] and
//! [`crate::serve`] all read it without an arrow running back up. Every error points at the
//! file, line and column it comes from ([`ConfigError`]).

mod error;
pub mod policy_files;
pub mod rego;
pub mod stages;
pub mod trust;
pub mod waivers;

pub use error::ConfigError;
pub use stages::{CONFIG_FILE_NAME, Config, EVIDENCE_KINDS, Stage};

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
