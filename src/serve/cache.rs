//! The verification cache: (image digest, stage, trust-config digest) → outcome.
//!
//! Keyed by the digest that was verified, never by a tag: a tag is resolved on every request,
//! so a tag moved to another digest misses. Successes live for the configured TTL, failures
//! only briefly (a result pushed a moment later is found soon). Bounded: when full, expired
//! entries go first, then everything.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// A cached outcome: `Ok(signer)` or `Err(reason)`.
pub type Outcome = Result<String, String>;

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
