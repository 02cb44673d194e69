//! stagegate: a policy-as-code promotion gate, as a library.
//!
//! An embedder (a CI step written in Rust, an admission controller, a compliance tool)
//! prepares a stage once and evaluates it on any number of documents:
//!
//! - [`PreparedStage`]: one stage of a [`Config`] (`stagegate.yaml`) with its policies
//!   ([`PolicySet`], from files or [`PolicySet::from_sources`] in memory), data, [`Trust`] and
//!   waivers, loaded once; [`PreparedStage::evaluate`] takes a [`GateRequest`] (the [`Input`],
//!   the effective time, the promotion chain) and returns the [`Decision`] ([`Decided`]), or a
//!   [`GateError`], never a pass on an error.
//! - [`Evidence`]: the one evidence document ([`evidence::collect`] builds it from SBOMs,
//!   scans, test reports and attestations).
//! - [`Verifier`]: the one place anything becomes verified, built once from a [`Trust`].
//!
//! The modules follow the data flow of a promotion, arrows pointing one way:
//! [`config`] (what is configured) → [`evidence`] → [`policy`] (load and evaluate Rego and
//! CEL) → [`decision`] → [`gate`] (the pipeline) → [`attest`] (sign) → [`verify`], with
//! [`report`] rendering. The modules marked hidden in these docs (the registry client, the
//! admission webhook, the audit trail, and the small leaf helpers) serve the `stagegate`
//! binary, whose command line lives in the binary, not here; they are public for it, not a
//! stable API.

#![deny(missing_docs, missing_debug_implementations)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::todo,
        clippy::print_stdout,
        clippy::print_stderr,
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing
    )
)]

pub mod attest;
#[doc(hidden)]
pub mod audit;
#[doc(hidden)]
pub mod compare;
pub mod config;
pub mod decision;
#[doc(hidden)]
pub mod digest;
#[doc(hidden)]
pub mod document;
#[doc(hidden)]
pub mod env;
#[doc(hidden)]
pub mod errors;
pub mod evidence;
#[doc(hidden)]
pub mod fs;
#[cfg(test)]
mod fuzz;
pub mod gate;
pub mod limits;
pub mod location;
#[doc(hidden)]
pub mod memory;
#[doc(hidden)]
pub mod oci;
#[doc(hidden)]
pub mod outline;
pub mod policy;
pub mod report;
#[doc(hidden)]
pub mod serve;
pub mod testing;
#[doc(hidden)]
pub mod time;
pub mod verify;
#[doc(hidden)]
pub mod wire;

pub use config::{Config, ConfigError};
pub use decision::Decision;
pub use evidence::{Evidence, EvidenceError};
pub use gate::{Chain, Decided, GateError, GateRequest, Input, PreparedStage, StageOptions};
pub use limits::Limits;
pub use policy::{PolicyError, PolicySet};
pub use verify::{Trust, Verifier};
