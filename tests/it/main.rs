//! Integration tests: the real `stagegate` binary on real files. One test binary, one module
//! per area.

mod action;
mod attest;
mod audit;
mod ci_templates;
mod collect;
mod collect_cli;
mod compat;
mod completions;
mod conformance;
mod evaluate;
mod fixtures;
mod hardening_output;
mod hostile;
mod image;
mod impact;
mod keyless;
mod keyless_sign;
mod new_user;
mod prune;
mod registry;
mod rego_engine;
mod replay;
mod serve;
mod sigstore_standins;
mod test_cmd;
mod trust;
mod util;
mod waivers;
mod walkthrough;
