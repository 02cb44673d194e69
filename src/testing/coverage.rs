//! Coverage of a test run: per Rego policy file, the lines the tests evaluated and the lines
//! they did not; per CEL validation, whether the tests made it true, false, both, or never
//! ran it.
//!
//! Rego lines are regorus's (`Engine::get_coverage_report`): lines holding an expression of
//! a rule body, a rule's value or a set rule's key. Only modules that are not `_test.rego`
//! count. The total percentage counts each Rego line once and each CEL validation twice
//! (its true and its false outcome): a validation that only ever held is half covered, since
//! no test shows that it can fail.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use std::collections::BTreeSet;

use serde::Serialize;

/// Line coverage of one Rego policy module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegoFileCoverage {
    /// The module's display name.
    pub file: String,
    /// Lines evaluated by at least one test.
    pub covered: BTreeSet<u32>,
    /// Lines no test evaluated.
    pub not_covered: BTreeSet<u32>,
}

impl RegoFileCoverage {
    /// Covered lines in percent (100 for a file without countable lines).
    pub fn percent(&self) -> f64 {
        percent(
            self.covered.len(),
            self.covered.len() + self.not_covered.len(),
        )
    }
}

/// What the tests made of one CEL validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CelValidationCoverage {
    /// The rule file's display name.
    pub file: String,
    /// The validation id.
    pub id: String,
    /// The line of its `id`.
    pub line: u32,
    /// Some case made it true.
    pub held: bool,
    /// Some case made it false.
    pub failed: bool,
}

impl CelValidationCoverage {
    /// `both`, `true only`, `false only` or `never ran`.
    pub fn status(&self) -> &'static str {
        match (self.held, self.failed) {
            (true, true) => "true and false",
            (true, false) => "true only",
            (false, true) => "false only",
            (false, false) => "never ran",
        }
    }

    fn outcomes(&self) -> usize {
        usize::from(self.held) + usize::from(self.failed)
    }
}

/// Coverage of a whole run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverageReport {
    /// Rego policy modules, by file name.
    pub rego: Vec<RegoFileCoverage>,
    /// CEL validations, by file and line.
    pub cel: Vec<CelValidationCoverage>,
}

impl CoverageReport {
    /// The total coverage in percent: covered Rego lines plus CEL outcomes seen, over all
    /// Rego lines plus two outcomes per CEL validation.
    pub fn percent(&self) -> f64 {
        let (hit, all) = self.counts();
        percent(hit, all)
    }

    /// Covered and countable units (Rego lines + CEL outcomes).
    pub fn counts(&self) -> (usize, usize) {
        let rego_hit: usize = self.rego.iter().map(|f| f.covered.len()).sum();
        let rego_all: usize = self
            .rego
            .iter()
            .map(|f| f.covered.len() + f.not_covered.len())
            .sum();
        let cel_hit: usize = self.cel.iter().map(CelValidationCoverage::outcomes).sum();
        (rego_hit + cel_hit, rego_all + 2 * self.cel.len())
    }

    /// Sorts files and validations into a stable order.
    pub fn sort(&mut self) {
        self.rego.sort_by(|a, b| a.file.cmp(&b.file));
        self.cel
            .sort_by(|a, b| (&a.file, a.line, &a.id).cmp(&(&b.file, b.line, &b.id)));
    }
}

fn percent(hit: usize, all: usize) -> f64 {
    if all == 0 {
        100.0
    } else {
        hit as f64 * 100.0 / all as f64
    }
}

/// `3, 5-7, 10`: sorted line numbers with runs folded.
pub fn line_ranges(lines: &BTreeSet<u32>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut run: Option<(u32, u32)> = None;
    for &line in lines {
        run = match run {
            Some((start, end)) if line == end + 1 => Some((start, line)),
            Some((start, end)) => {
                parts.push(range(start, end));
                Some((line, line))
            }
            None => Some((line, line)),
        };
    }
    if let Some((start, end)) = run {
        parts.push(range(start, end));
    }
    parts.join(", ")
}

fn range(start: u32, end: u32) -> String {
    if start == end {
        start.to_string()
    } else {
        format!("{start}-{end}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_fold_runs() {
        let lines: BTreeSet<u32> = [3, 5, 6, 7, 10].into_iter().collect();
        assert_eq!(line_ranges(&lines), "3, 5-7, 10");
        assert_eq!(line_ranges(&BTreeSet::new()), "");
    }

    #[test]
    fn cel_outcomes_count_twice() {
        let report = CoverageReport {
            rego: vec![RegoFileCoverage {
                file: "a.rego".into(),
                covered: [1, 2, 3].into_iter().collect(),
                not_covered: [4].into_iter().collect(),
            }],
            cel: vec![CelValidationCoverage {
                file: "a.cel.yaml".into(),
                id: "x".into(),
                line: 3,
                held: true,
                failed: false,
            }],
        };
        assert_eq!(report.counts(), (4, 6));
        assert!((report.percent() - 66.666).abs() < 0.01);
    }
}
