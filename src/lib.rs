//! stagegate: a policy-as-code promotion gate.
//!
//! The crate follows the data flow of a promotion, one module per stage:
//! [`evidence`] collects and normalises what the pipeline produced into one
//! [`evidence::Evidence`] document; [`policy`] loads a stage's Rego and CEL policies once and
//! evaluates them; [`decision`] holds the resulting [`decision::Decision`]; [`report`] renders
//! it for CI. `cli` wires these together for the `stagegate` binary. Arrows point one way:
//! `evidence` knows nothing of policies, `policy` nothing of rendering.

#![deny(missing_docs, missing_debug_implementations)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::todo,
        clippy::print_stdout,
        clippy::print_stderr
    )
)]

pub mod attest;
pub mod audit;
pub mod cli;
pub mod compare;
pub mod config;
pub mod decision;
pub mod digest;
pub mod document;
pub mod env;
pub mod errors;
pub mod evidence;
pub mod fs;
#[cfg(test)]
mod fuzz;
pub mod limits;
pub mod memory;
pub mod oci;
pub mod policy;
pub mod report;
pub mod serve;
pub mod testing;
pub mod time;
pub mod verify;
pub mod wire;
