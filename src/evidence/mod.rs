//! Stage 1: evidence. The [`Evidence`] document policies read, and the readers that build it.
//!
//! `load` reads an Evidence v1 document (`--evidence`) or any JSON/YAML document (`--input`,
//! conftest-style); the collectors for SBOMs, scans, test reports, attestations and approvals
//! live in their own submodules.
//!
//! Collecting starts from a [`CollectRequest`] and ends in [`collect`]: [`detect`] finds each
//! file's format from its content, one reader per format family turns it into normalised
//! evidence ([`sbom`], [`vulns`], [`tests`], [`attestations`], [`approvals`]), and every failure
//! is an [`EvidenceError`] that names the file.

pub mod approvals;
pub mod attestations;
mod binding;
mod collect;
pub mod detect;
mod error;
mod kind;
mod model;
pub mod sbom;
pub mod signed;
pub mod tests;
pub mod vulns;

pub use binding::{NO_SUBJECT, SUBJECT_MISMATCH, SUBJECT_PLATFORM_UNVERIFIED};
pub use collect::{CollectRequest, CollectRequestBuilder, RegistryDocument, SubjectSpec, collect};
pub use error::{ErrorLocation, EvidenceError};
pub use kind::{Format, InputKind};
pub use model::*;
