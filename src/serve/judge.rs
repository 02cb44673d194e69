//! One image's verdict: from what the registry round found about a digest ([`Facts`], what the
//! cache keeps) and how the request uses the image ([`Introduction`]) to allowed, admitted as a
//! rollback, or denied with the reason.
//!
//! - Every image needs a verified, passing result for the stage that no revocation withdraws.
//! - A digest being *introduced* (a workload or unowned Pod created, an image new to an
//!   UPDATE's pod template) needs a result younger than `max_age`; on an UPDATE of a workload,
//!   a result older than that but within the rollback window is admitted as a rollback.
//! - A digest already running (a controller-made object, an image the UPDATE keeps) needs no
//!   age, unless `running_max_age` bounds it.
//!
//! Ages are measured at each request against the cached time of the result, so a cached entry
//! never extends a result's life.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "line and column arithmetic on positions a parser reported inside the text"
)]

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::attest::vsa::VSA_PREDICATE_TYPE;
use crate::errors::error_chain;
use crate::verify::candidate::{Candidate, claimed_predicate_type};
use crate::verify::policy::{VerificationPolicy, humanize};
use crate::verify::revocation::{Revoked, promotion_id, revocations};
use crate::verify::{Purpose, Verifier, verify_bytes};

/// A verified, passing result for (digest, stage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The trusted key that signed it.
    pub signer: String,
    /// Its `timeVerified`.
    pub at: DateTime<Utc>,
    /// Its promotion id, when the VSA carries one.
    pub promotion_id: Option<String>,
}

/// What one registry round established about (digest, stage).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Verified, passing results, newest first.
    pub results: Vec<Found>,
    /// What verified signed revocations withdraw.
    pub revoked: Revoked,
    /// Why no candidate verified (for a denial's message; empty when some did).
    pub rejected: String,
}

impl Facts {
    /// Verifies `candidates` for `sha256` (hex) and `stage` with `verifier` (keys trusted for
    /// the stage's `results`): every passing result
    /// (newest first) and every revocation that counts. Results dated in the future are
    /// refused; no age limit is applied here (that is [`judge`]'s, per request).
    pub fn of(
        candidates: &[Candidate],
        stage: &str,
        sha256: &str,
        verifier: &Verifier,
        now: DateTime<Utc>,
    ) -> Facts {
        let policy =
            VerificationPolicy::stage_result(sha256, stage, Some((Duration::MAX, now)), None);
        let mut results = Vec::new();
        let mut rejected = Vec::new();
        for candidate in candidates {
            if claimed_predicate_type(&candidate.bytes).as_deref() != Some(VSA_PREDICATE_TYPE) {
                continue;
            }
            let verified = verify_bytes(
                verifier,
                &candidate.bytes,
                Purpose::Results,
                Some(stage),
                &policy,
            );
            let (signer, statement) = match verified {
                Ok(verified) => (verified.signer().name.clone(), verified.into_statement()),
                Err(err) => {
                    rejected.push(format!("`{}`: {}", candidate.path, error_chain(&err)));
                    continue;
                }
            };
            let Some(statement) = statement else { continue };
            let at = statement
                .predicate
                .get("timeVerified")
                .and_then(serde_json::Value::as_str)
                .and_then(|t| crate::time::parse_rfc3339(t).ok());
            let Some(at) = at else { continue };
            results.push(Found {
                signer,
                at,
                promotion_id: promotion_id(&statement).map(str::to_owned),
            });
        }
        results.sort_by_key(|found| std::cmp::Reverse(found.at));
        let revoked = Revoked::of(&revocations(candidates, stage, sha256, verifier).0);
        let rejected = if !results.is_empty() {
            String::new()
        } else if candidates.is_empty() {
            format!("sha256:{sha256} has no attestations attached")
        } else if rejected.is_empty() {
            format!(
                "none of the {} attestation(s) attached is a verification summary",
                candidates.len()
            )
        } else {
            rejected.join("; ")
        };
        Facts {
            results,
            revoked,
            rejected,
        }
    }
}

/// How a request uses an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Introduction {
    /// Already running: a controller-made object, or an image an UPDATE keeps.
    Running,
    /// Introduced by this request; `rollback` when it is an image-changing UPDATE of a
    /// workload (what `kubectl rollout undo` sends).
    New {
        /// Whether a result within the rollback window may admit it.
        rollback: bool,
    },
}

/// The age limits of one namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ages {
    /// For a digest being introduced.
    pub max_age: Duration,
    /// For a digest already running (`None`: any age).
    pub running_max_age: Option<Duration>,
    /// For a rollback (`None`: no rollbacks).
    pub rollback_window: Option<Duration>,
}

/// One image's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Admitted on this result.
    Allowed(Found),
    /// Admitted as a rollback on this result (older than `max_age`, within the window).
    Rollback(Found),
    /// Denied, with the reason.
    Denied(String),
}

/// Judges one image. `revoked` are the other sources of revocations (the config, those seen
/// for this digest under another name); the facts carry their own.
pub fn judge(
    facts: &Facts,
    revoked: &[&Revoked],
    introduction: Introduction,
    ages: &Ages,
    now: DateTime<Utc>,
) -> Verdict {
    let reason_for = |promotion: Option<&str>| {
        std::iter::once(&facts.revoked)
            .chain(revoked.iter().copied())
            .find_map(|r| r.reason(promotion))
    };
    let Some(first) = facts.results.first() else {
        if let Some(reason) = reason_for(None) {
            return Verdict::Denied(reason.to_owned());
        }
        return Verdict::Denied(facts.rejected.clone());
    };
    let Some(found) = facts
        .results
        .iter()
        .find(|f| reason_for(f.promotion_id.as_deref()).is_none())
    else {
        let reason = reason_for(first.promotion_id.as_deref()).unwrap_or("revoked");
        return Verdict::Denied(reason.to_owned());
    };
    let age = (now - found.at).to_std().unwrap_or(Duration::ZERO);
    let at = crate::time::format_rfc3339(found.at);
    match introduction {
        Introduction::Running => match ages.running_max_age {
            Some(max) if age > max => Verdict::Denied(format!(
                "the result is too old even for a running workload: made at {at}, more than `running_max_age` {} ago",
                humanize(max)
            )),
            _ => Verdict::Allowed(found.clone()),
        },
        Introduction::New { rollback } => {
            if age <= ages.max_age {
                return Verdict::Allowed(found.clone());
            }
            let too_old = format!(
                "the result is too old: made at {at}, more than `max_age` {} ago",
                humanize(ages.max_age)
            );
            match (rollback, ages.rollback_window) {
                (true, Some(window)) if age <= window => Verdict::Rollback(found.clone()),
                (true, Some(window)) => Verdict::Denied(format!(
                    "{too_old}, and outside the rollback window ({})",
                    humanize(window)
                )),
                (false, Some(window)) if age <= window => Verdict::Denied(format!(
                    "{too_old} (within the rollback window, but only an image-changing UPDATE of a workload is a rollback; this request introduces the image)"
                )),
                _ => Verdict::Denied(too_old),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    fn facts(days_old: &[(u64, Option<&str>)]) -> Facts {
        let now = Utc::now();
        Facts {
            results: days_old
                .iter()
                .map(|(days, id)| Found {
                    signer: "gate".into(),
                    at: now - chrono::TimeDelta::days(i64::try_from(*days).unwrap()),
                    promotion_id: id.map(str::to_owned),
                })
                .collect(),
            revoked: Revoked::default(),
            rejected: "nothing verified".into(),
        }
    }

    fn ages(window: Option<u64>) -> Ages {
        Ages {
            max_age: 7 * DAY,
            running_max_age: None,
            rollback_window: window.map(|d| DAY * u32::try_from(d).unwrap()),
        }
    }

    const NEW: Introduction = Introduction::New { rollback: false };
    const UNDO: Introduction = Introduction::New { rollback: true };

    #[test]
    fn pass() {
        let now = Utc::now();
        let old = facts(&[(40, Some("p1"))]);
        assert!(matches!(
            judge(&old, &[], Introduction::Running, &ages(None), now),
            Verdict::Allowed(_)
        ));
        assert!(matches!(
            judge(&old, &[], UNDO, &ages(Some(90)), now),
            Verdict::Rollback(_)
        ));
        let fresh = facts(&[(1, None)]);
        assert!(matches!(
            judge(&fresh, &[], NEW, &ages(None), now),
            Verdict::Allowed(_)
        ));
        // A revoked promotion's result is skipped for an older one that still counts.
        let mut revoked = Revoked::default();
        revoked.promotions.insert("p1".into(), "leaked key".into());
        let two = facts(&[(1, Some("p1")), (2, Some("p2"))]);
        match judge(&two, &[&revoked], NEW, &ages(None), now) {
            Verdict::Allowed(found) => assert_eq!(found.promotion_id.as_deref(), Some("p2")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fail() {
        let now = Utc::now();
        let old = facts(&[(40, None)]);
        let Verdict::Denied(reason) = judge(&old, &[], NEW, &ages(Some(90)), now) else {
            panic!("a CREATE is not a rollback");
        };
        assert!(reason.contains("too old"), "{reason}");
        let ancient = facts(&[(200, None)]);
        let Verdict::Denied(reason) = judge(&ancient, &[], UNDO, &ages(Some(90)), now) else {
            panic!("outside the window");
        };
        assert!(reason.contains("outside the rollback window"), "{reason}");
        let bounded = Ages {
            running_max_age: Some(30 * DAY),
            ..ages(None)
        };
        assert!(matches!(
            judge(&old, &[], Introduction::Running, &bounded, now),
            Verdict::Denied(_)
        ));
        // A revoked digest is denied within its age, with the reason.
        let revoked = Revoked {
            digest: Some("CVE-2026-0001".into()),
            ..Revoked::default()
        };
        let fresh = facts(&[(0, None)]);
        assert_eq!(
            judge(&fresh, &[&revoked], Introduction::Running, &ages(None), now),
            Verdict::Denied("CVE-2026-0001".into())
        );
        // Nothing verified: the reasons.
        assert_eq!(
            judge(&facts(&[]), &[], NEW, &ages(None), now),
            Verdict::Denied("nothing verified".into())
        );
    }
}
