//! Stage 1: evidence. The [`Evidence`] document policies read, and the readers that build it.
//!
//! `load` reads an Evidence v1 document (`--evidence`) or any JSON/YAML document (`--input`,
//! conftest-style); the collectors for SBOMs, scans, test reports, attestations and approvals
//! live in their own submodules.

mod model;

pub use model::*;
