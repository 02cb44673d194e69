//! The known-good digests of a stage, from the audit trail: what `stagegate history` lists for
//! the operator who needs the last good release (a rollback target).
//!
//! Known-good: a `gate` record of the stage whose result passed and was signed (it names the
//! signing key's id). Records are grouped by digest; digests come newest first (by their
//! newest such result), each with its signed results, newest first. The chain is verified on
//! the way: a broken chain yields no list, since a list read from an edited trail could name a
//! release that never passed.

use serde::Serialize;

use super::{AuditError, AuditRecord, AuditStore, BrokenChain, ChainVerifier};
use crate::decision::Outcome;

/// One digest that passed the stage, with its signed results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KnownGood {
    /// The artifact's name as gated.
    pub name: String,
    /// `sha256:HEX`.
    pub digest: String,
    /// Its signed, passing results for the stage, newest first.
    pub results: Vec<SignedResult>,
}

/// One signed, passing result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedResult {
    /// The promotion id (the VSA's `promotionId`, what a revocation by promotion names).
    pub promotion_id: String,
    /// When the gate ran (the VSA's `timeVerified`).
    pub evaluated_at: String,
    /// The signing key's id.
    pub signer_key_id: String,
    /// `sha256:HEX` of the policy set.
    pub policy_digest: String,
    /// `sha256:HEX` of the evidence.
    pub evidence_digest: String,
    /// The record's sequence number in the audit trail.
    pub seq: u64,
}

/// Whether a record's subject is the one asked for: `NAME`, `sha256:HEX` or
/// `NAME@sha256:HEX`, where NAME may leave out the registry host.
fn matches(record: &AuditRecord, subject: &str) -> bool {
    let name = record.subject.name.as_str();
    let digest = format!("sha256:{}", record.subject.digest.sha256);
    let (wanted_name, wanted_digest) = match subject.rsplit_once('@') {
        Some((n, d)) => (Some(n), Some(d)),
        None if subject.starts_with("sha256:") => (None, Some(subject)),
        None => (Some(subject), None),
    };
    wanted_name.is_none_or(|n| name == n || name.ends_with(&format!("/{n}")))
        && wanted_digest.is_none_or(|d| d.eq_ignore_ascii_case(&digest))
}

/// The known-good digests of `stage` (only `subject`'s when given), newest first.
pub fn known_good(
    store: &mut dyn AuditStore,
    stage: &str,
    subject: Option<&str>,
) -> Result<Result<Vec<KnownGood>, BrokenChain>, AuditError> {
    let head = store.head()?;
    let mut verifier = ChainVerifier::default();
    let mut broken = None;
    let mut passed: Vec<(u64, AuditRecord)> = Vec::new();
    store.scan(None, &mut |stored| {
        if let Err(err) = verifier.next(&stored) {
            broken = Some(err);
            return false;
        }
        if let Ok(record) = serde_json::from_str::<AuditRecord>(&stored.body)
            && record.command == "gate"
            && record.stage == stage
            && record.result == Outcome::Pass
            && record.signer_key_id.is_some()
            && subject.is_none_or(|s| matches(&record, s))
        {
            passed.push((stored.seq, record));
        }
        true
    })?;
    if let Some(err) = broken {
        return Ok(Err(err));
    }
    if let Err(err) = verifier.finish(&head) {
        return Ok(Err(err));
    }
    // Newest first: by evaluation time, then by place in the trail.
    passed.sort_by(|(a_seq, a), (b_seq, b)| {
        b.evaluated_at
            .cmp(&a.evaluated_at)
            .then_with(|| b_seq.cmp(a_seq))
    });
    let mut out: Vec<KnownGood> = Vec::new();
    for (seq, record) in passed {
        let digest = format!("sha256:{}", record.subject.digest.sha256);
        let result = SignedResult {
            promotion_id: record.promotion_id,
            evaluated_at: record.evaluated_at,
            signer_key_id: record.signer_key_id.unwrap_or_default(),
            policy_digest: record.policy_digest,
            evidence_digest: record.evidence_digest,
            seq,
        };
        match out.iter_mut().find(|k| k.digest == digest) {
            Some(known) => known.results.push(result),
            None => out.push(KnownGood {
                name: record.subject.name,
                digest,
                results: vec![result],
            }),
        }
    }
    Ok(Ok(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::sqlite::SqliteStore;
    use crate::audit::tests::record;

    fn store(name: &str) -> SqliteStore {
        let dir =
            std::env::temp_dir().join(format!("stagegate-history-{name}-{}", std::process::id()));
        let _ = fs_err::remove_dir_all(&dir);
        SqliteStore::open(dir.join("audit.db")).unwrap()
    }

    fn gated(n: u64, digest: &str, at: &str, result: Outcome, signed: bool) -> AuditRecord {
        let mut r = record(n);
        r.subject.name = "registry.example/shop/api".into();
        // A real digest: records whose subject digest is malformed do not read back.
        r.subject.digest.sha256 = digest.repeat(32);
        r.evaluated_at = at.into();
        r.result = result;
        r.signer_key_id = signed.then(|| "key-1".to_owned());
        r
    }

    #[test]
    fn pass() {
        let mut store = store("pass");
        for r in [
            gated(1, "aa", "2026-11-01T00:00:00Z", Outcome::Pass, true),
            gated(2, "bb", "2026-11-02T00:00:00Z", Outcome::Pass, true),
            gated(3, "cc", "2026-11-03T00:00:00Z", Outcome::Fail, true),
            gated(4, "dd", "2026-11-04T00:00:00Z", Outcome::Pass, false),
            gated(5, "aa", "2026-11-05T00:00:00Z", Outcome::Pass, true),
        ] {
            store.append(&r).unwrap();
        }
        let found = known_good(&mut store, "prod", None).unwrap().unwrap();
        let digests: Vec<&str> = found.iter().map(|k| k.digest.as_str()).collect();
        let expected = ["aa", "bb"].map(|d| format!("sha256:{}", d.repeat(32)));
        assert_eq!(digests, expected);
        assert_eq!(found[0].results.len(), 2);
        assert_eq!(found[0].results[0].promotion_id, "p-5");
        let only = known_good(
            &mut store,
            "prod",
            Some(&format!("shop/api@sha256:{}", "bb".repeat(32))),
        )
        .unwrap()
        .unwrap();
        assert_eq!(only.len(), 1);
        assert!(
            known_good(&mut store, "dev", None)
                .unwrap()
                .unwrap()
                .is_empty()
        );
    }
}
