//! Integration tests: the real `stagegate` binary on real files. One test binary, one module
//! per area.

mod action;
mod attest;
mod audit;
mod ci_templates;
mod collect;
mod collect_cli;
mod completions;
mod evaluate;
mod fixtures;
mod hardening_output;
mod hostile;
mod image;
mod impact;
mod new_user;
mod registry;
mod rego_engine;
mod replay;
mod serve;
mod test_cmd;
mod trust;
mod util;
mod waivers;
mod walkthrough;
