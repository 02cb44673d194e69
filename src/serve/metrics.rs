//! Prometheus text metrics for `/metrics`: requests, decisions by result (`allowed`,
//! `denied`, `audit`, `rollback`: a review admitted because an image was a rollback, counted
//! there and not under `allowed`; `bad_request`), a latency histogram, cache hits and misses,
//! registry errors. Lock-free counters.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// The webhook's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    /// AdmissionReviews received.
    pub requests: AtomicU64,
    /// Allowed (enforce mode, every image verified, or nothing to check).
    pub allowed: AtomicU64,
    /// Denied.
    pub denied: AtomicU64,
    /// Allowed in audit mode with warnings.
    pub audited: AtomicU64,
    /// Allowed as a rollback (an image older than `max_age`, within the rollback window).
    pub rollbacks: AtomicU64,
    /// Malformed requests answered 400/413.
    pub bad_requests: AtomicU64,
    /// Cache hits.
    pub cache_hits: AtomicU64,
    /// Cache misses.
    pub cache_misses: AtomicU64,
    /// Registry errors.
    pub registry_errors: AtomicU64,
    /// Config reloads.
    pub reloads: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Metrics {
    /// Adds one.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a review's latency.
    pub fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(
            u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, lines: &[(&str, u64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (labels, value) in lines {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        counter(
            "stagegate_admission_requests_total",
            "AdmissionReviews received.",
            &[("", get(&self.requests))],
        );
        counter(
            "stagegate_admission_decisions_total",
            "Admission decisions by result.",
            &[
                ("{result=\"allowed\"}", get(&self.allowed)),
                ("{result=\"denied\"}", get(&self.denied)),
                ("{result=\"audit\"}", get(&self.audited)),
                ("{result=\"rollback\"}", get(&self.rollbacks)),
                ("{result=\"bad_request\"}", get(&self.bad_requests)),
            ],
        );
        counter(
            "stagegate_cache_hits_total",
            "Verification cache hits.",
            &[("", get(&self.cache_hits))],
        );
        counter(
            "stagegate_cache_misses_total",
            "Verification cache misses.",
            &[("", get(&self.cache_misses))],
        );
        counter(
            "stagegate_registry_errors_total",
            "Registry requests that failed.",
            &[("", get(&self.registry_errors))],
        );
        counter(
            "stagegate_config_reloads_total",
            "Admission configuration reloads.",
            &[("", get(&self.reloads))],
        );
        let name = "stagegate_admission_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time to answer an AdmissionReview.\n# TYPE {name} histogram"
        );
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", get(bucket));
        }
        let count = get(&self.count);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            out,
            "{name}_sum {}",
            get(&self.sum_micros) as f64 / 1_000_000.0
        );
        let _ = writeln!(out, "{name}_count {count}");
        out
    }
}
