//! Promotion metrics: the health of the promotion pipeline, computed from audit records.
//!
//! [`PromotionMetrics::compute`] reads [`AuditRecord`]s (in sequence order) and derives:
//! success rate (overall and per stage), lead time from a digest's first gate to its first
//! pass at the production stage (median, p90, histogram), approval latency (from a digest's
//! first gate to each verified approval), provenance completeness, violation rate and the most
//! violated rules, the waivers in force and those expiring, and the results per day. Renderers
//! (`report::audit`) compute nothing.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::AuditRecord;
use crate::decision::Outcome;

/// Lead-time histogram bucket upper bounds, in hours.
const LEAD_TIME_BUCKETS: &[(f64, &str)] = &[
    (1.0, "< 1 h"),
    (6.0, "1–6 h"),
    (24.0, "6–24 h"),
    (72.0, "1–3 d"),
    (168.0, "3–7 d"),
    (f64::INFINITY, "> 7 d"),
];

/// A median and 90th percentile, in hours.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Percentiles {
    /// How many values.
    pub count: usize,
    /// Median, hours.
    pub median_hours: f64,
    /// 90th percentile, hours.
    pub p90_hours: f64,
}

/// One day's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayResults {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Passing decisions.
    pub pass: usize,
    /// Failing decisions.
    pub fail: usize,
}

/// A rule and how often it was violated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    /// The rule id.
    pub rule: String,
    /// Violations.
    pub violations: usize,
    /// Decisions with at least one.
    pub decisions: usize,
}

/// A waiver seen in the records, with its latest use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaiverStatus {
    /// The waiver id.
    pub id: String,
    /// The rules it waived.
    pub rules: Vec<String>,
    /// When it expires.
    pub expires: String,
    /// Its ticket.
    pub ticket: String,
    /// How many decisions it applied to.
    pub uses: usize,
    /// Whether it expires within the warning window.
    pub expiring: bool,
}

/// Success counts of one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageResults {
    /// Decisions.
    pub decisions: usize,
    /// Passes.
    pub passed: usize,
    /// `passed / decisions`.
    pub rate: f64,
}

/// Everything `stagegate audit report` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromotionMetrics {
    /// The start of the window (RFC 3339), when limited.
    pub since: Option<String>,
    /// When the report was computed (RFC 3339).
    pub generated_at: String,
    /// The stage whose pass ends a lead time.
    pub production_stage: String,
    /// Decisions in the window.
    pub decisions: usize,
    /// Distinct subject digests.
    pub subjects: usize,
    /// Passing decisions / decisions.
    pub success_rate: f64,
    /// Per stage.
    pub stages: BTreeMap<String, StageResults>,
    /// First gate of a digest → its first production pass.
    pub lead_time: Option<Percentiles>,
    /// Lead times per histogram bucket (label, count).
    pub lead_time_histogram: Vec<(String, usize)>,
    /// First gate of a digest → each verified approval of it.
    pub approval_latency: Option<Percentiles>,
    /// Decisions whose evidence held verified provenance / decisions.
    pub provenance_completeness: f64,
    /// Decisions with at least one violation / decisions.
    pub violation_rate: f64,
    /// The most violated rules, most first (at most ten).
    pub top_rules: Vec<RuleCount>,
    /// Waivers whose expiry is after `generated_at`, soonest first.
    pub waivers_in_force: Vec<WaiverStatus>,
    /// Decisions that used a waiver.
    pub waived_decisions: usize,
    /// Results per day, oldest first.
    pub results_per_day: Vec<DayResults>,
}

fn parse(text: &str) -> Option<DateTime<Utc>> {
    crate::time::parse_rfc3339(text).ok()
}

fn percentiles(mut hours: Vec<f64>) -> Option<Percentiles> {
    if hours.is_empty() {
        return None;
    }
    hours.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| {
        // Nearest rank.
        let rank = ((q * hours.len() as f64).ceil() as usize).clamp(1, hours.len());
        hours.get(rank - 1).copied().unwrap_or_default()
    };
    Some(Percentiles {
        count: hours.len(),
        median_hours: at(0.5),
        p90_hours: at(0.9),
    })
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

impl PromotionMetrics {
    /// Computes the metrics of `records` at `now`; waivers expiring within `window` are flagged.
    pub fn compute(
        records: &[AuditRecord],
        since: Option<String>,
        now: DateTime<Utc>,
        production_stage: &str,
        window: chrono::Duration,
    ) -> PromotionMetrics {
        let decisions = records.len();
        let mut first_seen: HashMap<&str, DateTime<Utc>> = HashMap::new();
        let mut prod_pass: HashMap<&str, DateTime<Utc>> = HashMap::new();
        let mut stages: BTreeMap<String, StageResults> = BTreeMap::new();
        let mut per_day: BTreeMap<String, DayResults> = BTreeMap::new();
        let mut rules: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        let mut waivers: BTreeMap<&str, WaiverStatus> = BTreeMap::new();
        let (mut passed, mut provenance, mut violated, mut waived_decisions) = (0, 0, 0, 0);
        for record in records {
            let Some(at) = parse(&record.evaluated_at) else {
                continue;
            };
            let digest = record.subject.digest.sha256.as_str();
            let first = first_seen.entry(digest).or_insert(at);
            if at < *first {
                *first = at;
            }
            let pass = record.result == Outcome::Pass;
            if pass {
                passed += 1;
                if record.stage == production_stage {
                    let entry = prod_pass.entry(digest).or_insert(at);
                    if at < *entry {
                        *entry = at;
                    }
                }
            }
            let stage = stages.entry(record.stage.clone()).or_insert(StageResults {
                decisions: 0,
                passed: 0,
                rate: 0.0,
            });
            stage.decisions += 1;
            stage.passed += usize::from(pass);
            let day = at.format("%Y-%m-%d").to_string();
            let entry = per_day.entry(day.clone()).or_insert(DayResults {
                day,
                pass: 0,
                fail: 0,
            });
            if pass {
                entry.pass += 1;
            } else {
                entry.fail += 1;
            }
            provenance += usize::from(record.provenance);
            if record.findings.violations > 0 {
                violated += 1;
            }
            for (rule, count) in &record.findings.violated_rules {
                let entry = rules.entry(rule).or_default();
                entry.0 += count;
                entry.1 += 1;
            }
            if !record.waivers.is_empty() {
                waived_decisions += 1;
            }
            for waiver in &record.waivers {
                let status = waivers.entry(&waiver.id).or_insert_with(|| WaiverStatus {
                    id: waiver.id.clone(),
                    rules: Vec::new(),
                    expires: waiver.expires.clone(),
                    ticket: waiver.ticket.clone(),
                    uses: 0,
                    expiring: false,
                });
                status.uses += 1;
                if !status.rules.contains(&waiver.rule) {
                    status.rules.push(waiver.rule.clone());
                }
                // The latest record's copy of a waiver wins (it may have been extended).
                status.expires.clone_from(&waiver.expires);
            }
        }
        for stage in stages.values_mut() {
            stage.rate = ratio(stage.passed, stage.decisions);
        }
        let lead_hours: Vec<f64> = prod_pass
            .iter()
            .filter_map(|(digest, pass)| {
                first_seen
                    .get(digest)
                    .map(|first| pass.signed_duration_since(*first).num_seconds() as f64 / 3600.0)
            })
            .collect();
        let mut histogram: Vec<(String, usize)> = LEAD_TIME_BUCKETS
            .iter()
            .map(|(_, label)| ((*label).to_owned(), 0))
            .collect();
        for hours in &lead_hours {
            if let Some(index) = LEAD_TIME_BUCKETS.iter().position(|(max, _)| hours < max)
                && let Some(bucket) = histogram.get_mut(index)
            {
                bucket.1 += 1;
            }
        }
        let mut approval_hours = Vec::new();
        let mut seen_approvals = std::collections::HashSet::new();
        for record in records {
            let digest = record.subject.digest.sha256.as_str();
            for approval in record.approvals.iter().filter(|a| a.verified) {
                let Some(at) = approval.at.as_deref().and_then(parse) else {
                    continue;
                };
                if !seen_approvals.insert((digest, approval.approver.as_str(), at)) {
                    continue;
                }
                if let Some(first) = first_seen.get(digest) {
                    approval_hours.push(
                        (at.signed_duration_since(*first).num_seconds().max(0)) as f64 / 3600.0,
                    );
                }
            }
        }
        let mut top_rules: Vec<RuleCount> = rules
            .into_iter()
            .map(|(rule, (violations, decisions))| RuleCount {
                rule: rule.to_owned(),
                violations,
                decisions,
            })
            .collect();
        top_rules.sort_by(|a, b| {
            b.violations
                .cmp(&a.violations)
                .then_with(|| a.rule.cmp(&b.rule))
        });
        top_rules.truncate(10);
        let mut waivers_in_force: Vec<WaiverStatus> = waivers
            .into_values()
            .filter_map(|mut status| {
                let expires = parse(&status.expires)?;
                (expires > now).then(|| {
                    status.expiring = now
                        .checked_add_signed(window)
                        .is_none_or(|until| expires <= until);
                    status
                })
            })
            .collect();
        waivers_in_force.sort_by(|a, b| a.expires.cmp(&b.expires).then_with(|| a.id.cmp(&b.id)));
        PromotionMetrics {
            since,
            generated_at: crate::decision::rfc3339(now),
            production_stage: production_stage.to_owned(),
            decisions,
            subjects: first_seen.len(),
            success_rate: ratio(passed, decisions),
            stages,
            lead_time: percentiles(lead_hours),
            lead_time_histogram: histogram,
            approval_latency: percentiles(approval_hours),
            provenance_completeness: ratio(provenance, decisions),
            violation_rate: ratio(violated, decisions),
            top_rules,
            waivers_in_force,
            waived_decisions,
            results_per_day: per_day.into_values().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::record;
    use super::*;

    #[test]
    fn lead_time_runs_from_first_gate_to_prod_pass() {
        let mut staging = record(1);
        staging.stage = "staging".into();
        staging.evaluated_at = "2026-11-20T10:00:00Z".into();
        let mut failed = record(2);
        failed.result = Outcome::Fail;
        failed.evaluated_at = "2026-11-20T12:00:00Z".into();
        failed.findings.violations = 1;
        failed.findings.violated_rules.insert("r".into(), 1);
        let mut prod = record(3);
        prod.evaluated_at = "2026-11-21T10:00:00Z".into();
        let now = "2026-11-27T12:00:00Z".parse().unwrap();
        let m = PromotionMetrics::compute(
            &[staging, failed, prod],
            None,
            now,
            "prod",
            chrono::Duration::days(14),
        );
        assert_eq!(m.decisions, 3);
        assert_eq!(m.lead_time.unwrap().median_hours, 24.0);
        assert!((m.success_rate - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(m.top_rules[0].rule, "r");
        assert_eq!(m.results_per_day.len(), 2);
    }

    #[test]
    fn percentile_by_nearest_rank() {
        let p = percentiles((1..=10).map(f64::from).collect()).unwrap();
        assert_eq!((p.median_hours, p.p90_hours), (5.0, 9.0));
    }
}
