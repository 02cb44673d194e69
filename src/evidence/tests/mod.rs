//! Test reports: [`junit`] reads JUnit XML into per-suite figures, and [`totals`] sums them.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use super::model::{TestSuite, Tests};

pub mod junit;

/// Sums per-suite figures into [`Tests`].
pub fn totals(suites: Vec<TestSuite>) -> Tests {
    let mut tests = Tests::default();
    for suite in &suites {
        tests.total += suite.total;
        tests.passed += suite.passed;
        tests.failed += suite.failed;
        tests.skipped += suite.skipped;
        tests.errors += suite.errors;
        tests.flaky += suite.flaky;
    }
    tests.suites = suites;
    tests
}
