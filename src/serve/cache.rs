//! The verification cache: (image digest, stage, trust-config digest) → outcome.
//!
//! Keyed by the digest that was verified, never by a tag: a tag is resolved on every request,
//! so a tag moved to another digest misses. What is cached is what the registry round
//! established ([`Facts`]: the verified results with their times, the signed revocations), not
//! a verdict: ages are judged per request, so a cached entry never makes a result younger.
//! Entries with a result or a revocation live for the configured TTL, the rest (nothing
//! verified, a registry error) only briefly (a result pushed a moment later is found soon).
//! Bounded: when full, expired entries go first, then everything.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "capacity and width sums of lengths already in memory"
)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::judge::Facts;

/// The most entries kept.
pub const MAX_ENTRIES: usize = 100_000;

/// A cache key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// `registry/repository@sha256:HEX`.
    pub image: String,
    /// The stage.
    pub stage: String,
    /// The admission policy's trust digest.
    pub trust: String,
}

/// A cached outcome: what verified, or why the registry could not be read.
pub type Outcome = Result<Arc<Facts>, String>;

/// The cache.
#[derive(Debug, Default)]
pub struct Cache {
    entries: Mutex<HashMap<Key, (Instant, Outcome)>>,
}

impl Cache {
    /// The live entry for `key`.
    pub fn get(&self, key: &Key) -> Option<Outcome> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(key) {
            Some((expires, outcome)) if *expires > Instant::now() => Some(outcome.clone()),
            _ => None,
        }
    }

    /// Stores `outcome` for `ttl` (nothing for a zero TTL).
    pub fn put(&self, key: Key, outcome: Outcome, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (expires, _)| *expires > now);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (now + ttl, outcome));
    }

    /// Drops everything (after a reload).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

/// One check under way, shared by every review that asks for the same key meanwhile.
pub type Shared = Arc<tokio::sync::OnceCell<Outcome>>;

/// The checks under way: concurrent reviews of one (digest, stage, trust) wait for one
/// registry round and verification instead of each starting their own. An outcome is shared
/// only with reviews that arrived while it was being computed, never afterwards (that is the
/// cache's job, and with a TTL of 0 there is none).
#[derive(Debug, Default)]
pub struct InFlight {
    checks: Mutex<HashMap<Key, Shared>>,
}

impl InFlight {
    /// The check under way for `key`, or a new one to run.
    pub fn join(&self, key: &Key) -> Shared {
        let mut checks = self.checks.lock().unwrap_or_else(|p| p.into_inner());
        checks.entry(key.clone()).or_default().clone()
    }

    /// Forgets `check` once it has an outcome (later reviews start a new one).
    pub fn finish(&self, key: &Key, check: &Shared) {
        let mut checks = self.checks.lock().unwrap_or_else(|p| p.into_inner());
        if checks.get(key).is_some_and(|c| Arc::ptr_eq(c, check)) {
            checks.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key {
            image: "r/a@sha256:0".into(),
            stage: "dev".into(),
            trust: "t".into(),
        }
    }

    #[test]
    fn concurrent_checks_share_one_until_it_finishes() {
        let inflight = InFlight::default();
        let first = inflight.join(&key());
        let second = inflight.join(&key());
        assert!(Arc::ptr_eq(&first, &second));
        inflight.finish(&key(), &first);
        let third = inflight.join(&key());
        assert!(!Arc::ptr_eq(&first, &third));
        // A late finisher of the old check does not drop the new one.
        inflight.finish(&key(), &second);
        assert!(Arc::ptr_eq(&third, &inflight.join(&key())));
    }
}
