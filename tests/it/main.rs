//! Integration tests: the real `stagegate` binary on real files. One test binary, one module
//! per area.

mod attest;
mod audit;
mod collect;
mod collect_cli;
mod conformance;
mod evaluate;
mod fixtures;
mod impact;
mod keyless;
mod registry;
mod rego_engine;
mod replay;
mod serve;
mod test_cmd;
mod util;
mod waivers;
