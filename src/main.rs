//! The `stagegate` binary: parse arguments, start tracing, run, turn the result into an exit
//! code. The command line ([`cli`]) lives here, not in the library: it wires the library's
//! modules together, and an embedder of the library never sees its clap types.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)
)]

mod cli;

use std::process::ExitCode;

// The library's modules, under the names `cli` uses (`crate::policy::…`).
use stagegate::{
    attest, audit, compare, config, decision, digest, document, env, errors, evidence, fs, gate,
    limits, memory, oci, policy, report, serve, testing, time, verify,
};

/// mimalloc rather than the system allocator: evaluating a large evidence document builds
/// hundreds of thousands of small values (regorus objects, strings), and glibc's malloc spent
/// a third of the process's time on them. Counted, for `--max-memory` (see
/// [`stagegate::memory`]).
#[global_allocator]
static ALLOCATOR: stagegate::memory::CountingAllocator<mimalloc::MiMalloc> =
    stagegate::memory::CountingAllocator(mimalloc::MiMalloc);

fn main() -> ExitCode {
    if std::env::var_os(stagegate::env::EnvVars::RUST_LIB_BACKTRACE).is_none() {
        // regorus's parser builds `anyhow` errors while it backtracks; with `RUST_BACKTRACE=1`
        // (common in CI) each one captured a backtrace, doubling the time to load policies.
        // `RUST_LIB_BACKTRACE=0` turns that off for library errors only: panics still print
        // their backtrace as `RUST_BACKTRACE` asks.
        // SAFETY: nothing else runs yet (no other thread exists to read the environment).
        unsafe { std::env::set_var(stagegate::env::EnvVars::RUST_LIB_BACKTRACE, "0") };
    }
    cli::main()
}
