//! The audit trail: an append-only, hash-chained record of every gate decision.
//!
//! [`AuditRecord`] is what one `gate` (or `evaluate --audit`) leaves behind: the promotion id,
//! subject, stage, result, a findings summary, the waivers and approvals used, the policy and
//! evidence digests, the signer's key id, the effective time and how long it took. An
//! [`AuditStore`] appends it as a [`StoredRecord`] whose `hash` covers its sequence number,
//! the previous record's hash and the record's exact JSON text, and keeps a one-row chain
//! head (last sequence number and hash). [`verify_chain`] walks the records in order and
//! names the first one whose hash, link or sequence number is wrong, so an edit, a deletion
//! in the middle, or a deletion at the end (the head no longer matches) is found.
//!
//! Two stores: [`sqlite::SqliteStore`] (a local file, the default) and
//! [`postgres::PostgresStore`] (`postgres://…`). Both serialise appends: SQLite with an
//! immediate transaction, PostgreSQL with `SELECT … FOR UPDATE` on the head row, so several
//! gate processes writing at once lose no record and keep one valid chain.
//!
//! What the chain does not do: stop someone with write access from rewriting the whole chain
//! and its head consistently. Anchor the head elsewhere (a signed export) for that.
//! [`metrics`] computes the promotion report from the records.

pub mod history;
pub mod metrics;
pub mod postgres;
pub mod render;
pub mod sqlite;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::decision::{Decision, Outcome};
use crate::evidence::Subject;

/// The `prev_hash` of the first record.
pub const GENESIS_HASH: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// The SLSA provenance predicate types that count as provenance in the findings summary.
const PROVENANCE_PREFIX: &str = "https://slsa.dev/provenance/";

/// One gate decision, as the audit trail keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// The decision's promotion id (UUIDv7).
    pub promotion_id: String,
    /// `gate` or `evaluate`.
    pub command: String,
    /// The artifact.
    pub subject: Subject,
    /// The stage gated.
    pub stage: String,
    /// Pass or fail.
    pub result: Outcome,
    /// Counts and the rules that were violated.
    pub findings: FindingsSummary,
    /// The waivers that set findings aside.
    #[serde(default)]
    pub waivers: Vec<WaiverUse>,
    /// The approvals in the evidence policies saw.
    #[serde(default)]
    pub approvals: Vec<ApprovalUse>,
    /// Whether the evidence held a verified SLSA provenance attestation.
    #[serde(default)]
    pub provenance: bool,
    /// `sha256:<hex>` of the policy set.
    pub policy_digest: String,
    /// `sha256:<hex>` of the evidence.
    pub evidence_digest: String,
    /// The key id (public key hint) of the key that signed the result, when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_key_id: Option<String>,
    /// When the evaluation ran (RFC 3339).
    pub evaluated_at: String,
    /// The time policies saw as now (RFC 3339).
    pub effective_time: String,
    /// How long the command took, in milliseconds.
    pub duration_ms: u64,
}

/// How many findings of each kind, and which rules were violated how often.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingsSummary {
    /// Violations.
    pub violations: usize,
    /// Warnings.
    pub warnings: usize,
    /// Waived findings.
    pub waived: usize,
    /// Rules evaluated.
    pub rules: usize,
    /// Violation count per rule id.
    #[serde(default)]
    pub violated_rules: BTreeMap<String, usize>,
}

/// A waiver that applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaiverUse {
    /// The waiver id.
    pub id: String,
    /// The rule it waived.
    pub rule: String,
    /// When it expires.
    pub expires: String,
    /// Its ticket.
    pub ticket: String,
    /// Who approved it.
    pub approved_by: String,
    /// Who signed it, when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
}

/// An approval the evidence held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalUse {
    /// Who approved.
    pub approver: String,
    /// Their role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// When (RFC 3339), as recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Whether stagegate verified its signature.
    pub verified: bool,
}

impl AuditRecord {
    /// The record of `decision`, made by `command` on `evidence` (the bytes evaluated).
    pub fn of(
        decision: &Decision,
        command: &str,
        evidence: &[u8],
        signer_key_id: Option<String>,
        duration: std::time::Duration,
    ) -> AuditRecord {
        #[derive(Deserialize, Default)]
        struct Parts {
            #[serde(default)]
            approvals: Vec<serde_json::Value>,
            #[serde(default)]
            attestations: Vec<serde_json::Value>,
        }
        let parts: Parts = serde_json::from_slice(evidence).unwrap_or_default();
        let text = |v: &serde_json::Value, key: &str| {
            v.get(key).and_then(|x| x.as_str()).map(str::to_owned)
        };
        let approvals = parts
            .approvals
            .iter()
            .map(|a| ApprovalUse {
                approver: text(a, "approver").unwrap_or_default(),
                role: text(a, "role"),
                at: text(a, "at"),
                verified: a.get("verified").and_then(|v| v.as_bool()).unwrap_or(false),
            })
            .collect();
        let provenance = parts.attestations.iter().any(|a| {
            text(a, "predicateType").is_some_and(|t| t.starts_with(PROVENANCE_PREFIX))
                && a.get("verified").and_then(|v| v.as_bool()).unwrap_or(false)
        });
        let mut violated_rules = BTreeMap::new();
        for finding in &decision.violations {
            *violated_rules.entry(finding.rule.clone()).or_insert(0) += 1;
        }
        AuditRecord {
            promotion_id: decision.promotion_id.clone(),
            command: command.to_owned(),
            subject: decision.subject.clone(),
            stage: decision.stage.clone(),
            result: decision.result,
            findings: FindingsSummary {
                violations: decision.violations.len(),
                warnings: decision.warnings.len(),
                waived: decision.waived.len(),
                rules: decision.rules.len(),
                violated_rules,
            },
            waivers: {
                let mut uses: Vec<WaiverUse> = decision
                    .waived
                    .iter()
                    .map(|w| WaiverUse {
                        id: w.waiver.id.clone(),
                        rule: w.finding.rule.clone(),
                        expires: w.waiver.expires.clone(),
                        ticket: w.waiver.ticket.clone(),
                        approved_by: w.waiver.approved_by.clone(),
                        signed_by: w.waiver.signed_by.clone(),
                    })
                    .collect();
                uses.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.rule.cmp(&b.rule)));
                uses.dedup();
                uses
            },
            approvals,
            provenance,
            policy_digest: decision.policy_digest.clone(),
            evidence_digest: decision.evidence_digest.clone(),
            signer_key_id,
            evaluated_at: decision.evaluated_at.clone(),
            effective_time: decision.effective_time.clone(),
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// A record as stored: its place in the chain and its exact JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    /// 1-based sequence number, without gaps.
    pub seq: u64,
    /// The previous record's hash ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// `sha256:<hex>` over `seq`, `prev_hash` and `body` (see [`chain_hash`]).
    pub hash: String,
    /// The [`AuditRecord`] as JSON, exactly as hashed.
    pub body: String,
}

/// The hash that links a record into the chain: sha256 of `"<seq>\n<prev_hash>\n<body>"`.
pub fn chain_hash(seq: u64, prev_hash: &str, body: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(seq.to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(body.as_bytes());
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

/// The chain head: the last sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// The last record's sequence number (0 when empty).
    pub seq: u64,
    /// Its hash ([`GENESIS_HASH`] when empty).
    pub hash: String,
}

impl ChainHead {
    /// The head of an empty chain: what a store without a head row reads as (and a deleted
    /// head row too, which the records then contradict).
    pub fn genesis() -> ChainHead {
        ChainHead {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        }
    }
}

/// Why the audit store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The SQLite file could not be opened or written.
    #[error("audit store `{path}`")]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The PostgreSQL store could not be reached or written.
    #[error("PostgreSQL audit store `{url}`")]
    Postgres {
        /// The URL, without its password.
        url: String,
        /// What the client said.
        #[source]
        source: ::postgres::Error,
    },
    /// A record could not be serialised.
    #[error("cannot serialise the audit record")]
    Serialize(#[source] serde_json::Error),
    /// The directory for the SQLite file could not be created.
    #[error("cannot create the directory of audit store `{path}`")]
    Directory {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// The first record where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record {seq}: {kind}")]
pub struct BrokenChain {
    /// The sequence number where it breaks (for a missing record, the one expected).
    pub seq: u64,
    /// How.
    pub kind: BrokenKind,
}

/// How the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokenKind {
    /// The record's content does not hash to its stored hash: it was edited.
    Edited,
    /// Its `prev_hash` is not the previous record's hash: a record before it was replaced.
    Relinked,
    /// Records are missing before it (deleted).
    Missing {
        /// The sequence number found instead.
        found: u64,
    },
    /// The head names a later record than the last one present: records were deleted at the end.
    Truncated {
        /// The head's sequence number.
        head: u64,
    },
    /// The head's hash is not the last record's: the last record was replaced.
    HeadMismatch,
}

impl fmt::Display for BrokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BrokenKind::Edited => f.write_str("its content does not match its hash (edited)"),
            BrokenKind::Relinked => f.write_str(
                "it does not link to the previous record's hash (a record before it was replaced)",
            ),
            BrokenKind::Missing { found } => {
                write!(f, "missing: the next record present is {found} (deleted)")
            }
            BrokenKind::Truncated { head } => write!(
                f,
                "missing: the chain head says the last record is {head} (deleted at the end)"
            ),
            BrokenKind::HeadMismatch => {
                f.write_str("the chain head's hash is not the last record's (replaced)")
            }
        }
    }
}

/// Checks records given in sequence order against each other and the head. Returns the number
/// of records, or the first break.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: u64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    /// Checks the next record.
    pub fn next(&mut self, record: &StoredRecord) -> Result<(), BrokenChain> {
        if record.seq != self.expected_seq {
            return Err(BrokenChain {
                seq: self.expected_seq,
                kind: BrokenKind::Missing { found: record.seq },
            });
        }
        if chain_hash(record.seq, &record.prev_hash, &record.body) != record.hash {
            return Err(BrokenChain {
                seq: record.seq,
                kind: BrokenKind::Edited,
            });
        }
        if record.prev_hash != self.prev_hash {
            return Err(BrokenChain {
                seq: record.seq,
                kind: BrokenKind::Relinked,
            });
        }
        self.expected_seq += 1;
        self.prev_hash.clone_from(&record.hash);
        Ok(())
    }

    /// Checks the end of the chain against the head; returns the number of records.
    pub fn finish(self, head: &ChainHead) -> Result<u64, BrokenChain> {
        let count = self.expected_seq - 1;
        if head.seq > count {
            return Err(BrokenChain {
                seq: count + 1,
                kind: BrokenKind::Truncated { head: head.seq },
            });
        }
        if head.seq < count || head.hash != self.prev_hash {
            return Err(BrokenChain {
                seq: count,
                kind: BrokenKind::HeadMismatch,
            });
        }
        Ok(count)
    }
}

/// Verifies a whole store.
pub fn verify_chain(store: &mut dyn AuditStore) -> Result<Result<u64, BrokenChain>, AuditError> {
    let head = store.head()?;
    let mut verifier = ChainVerifier::default();
    let mut broken = None;
    store.scan(None, &mut |record| {
        if broken.is_some() {
            return false;
        }
        if let Err(err) = verifier.next(&record) {
            broken = Some(err);
            return false;
        }
        true
    })?;
    Ok(match broken {
        Some(err) => Err(err),
        None => verifier.finish(&head),
    })
}

/// An append-only, hash-chained store of [`AuditRecord`]s.
pub trait AuditStore {
    /// Appends a record at the end of the chain, atomically with the head.
    fn append(&mut self, record: &AuditRecord) -> Result<StoredRecord, AuditError>;
    /// The chain head.
    fn head(&mut self) -> Result<ChainHead, AuditError>;
    /// Calls `visit` with every record in sequence order (only those evaluated at or after
    /// `since`, RFC 3339, when given) until it returns `false`.
    fn scan(
        &mut self,
        since: Option<&str>,
        visit: &mut dyn FnMut(StoredRecord) -> bool,
    ) -> Result<(), AuditError>;
}

/// Opens the store a `--audit-db` value names: `postgres://…` / `postgresql://…`, else a
/// SQLite file (`sqlite://PATH` or a plain path), created if missing.
pub fn open(location: &str) -> Result<Box<dyn AuditStore>, AuditError> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        Ok(Box::new(postgres::PostgresStore::connect(location)?))
    } else {
        let path = location.strip_prefix("sqlite://").unwrap_or(location);
        Ok(Box::new(sqlite::SqliteStore::open(PathBuf::from(path))?))
    }
}

/// The next record's link: its sequence number, previous hash, hash and JSON text.
pub(crate) fn link(head: &ChainHead, record: &AuditRecord) -> Result<StoredRecord, AuditError> {
    let body = serde_json::to_string(record).map_err(AuditError::Serialize)?;
    let seq = head.seq + 1;
    Ok(StoredRecord {
        seq,
        hash: chain_hash(seq, &head.hash, &body),
        prev_hash: head.hash.clone(),
        body,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn record(n: u64) -> AuditRecord {
        AuditRecord {
            promotion_id: format!("p-{n}"),
            command: "gate".into(),
            subject: Subject::default(),
            stage: "prod".into(),
            result: Outcome::Pass,
            findings: FindingsSummary::default(),
            waivers: vec![],
            approvals: vec![],
            provenance: true,
            policy_digest: "sha256:aa".into(),
            evidence_digest: "sha256:bb".into(),
            signer_key_id: None,
            evaluated_at: "2026-11-27T12:00:00Z".into(),
            effective_time: "2026-11-27T12:00:00Z".into(),
            duration_ms: 5,
        }
    }

    fn chain(n: u64) -> (Vec<StoredRecord>, ChainHead) {
        let mut head = ChainHead {
            seq: 0,
            hash: GENESIS_HASH.into(),
        };
        let mut out = Vec::new();
        for i in 1..=n {
            let stored = link(&head, &record(i)).unwrap();
            head = ChainHead {
                seq: stored.seq,
                hash: stored.hash.clone(),
            };
            out.push(stored);
        }
        (out, head)
    }

    fn check(records: &[StoredRecord], head: &ChainHead) -> Result<u64, BrokenChain> {
        let mut verifier = ChainVerifier::default();
        for record in records {
            verifier.next(record)?;
        }
        verifier.finish(head)
    }

    #[test]
    fn pass() {
        let (records, head) = chain(5);
        assert_eq!(check(&records, &head), Ok(5));
        assert_eq!(
            check(
                &[],
                &ChainHead {
                    seq: 0,
                    hash: GENESIS_HASH.into()
                }
            ),
            Ok(0)
        );
    }

    #[test]
    fn fail() {
        let (records, head) = chain(5);
        let mut edited = records.clone();
        edited[2].body = edited[2].body.replace("\"pass\"", "\"fail\"");
        assert_eq!(check(&edited, &head).unwrap_err().kind, BrokenKind::Edited);

        let mut deleted = records.clone();
        deleted.remove(1);
        assert_eq!(
            check(&deleted, &head).unwrap_err(),
            BrokenChain {
                seq: 2,
                kind: BrokenKind::Missing { found: 3 }
            }
        );

        let truncated = &records[..4];
        assert_eq!(
            check(truncated, &head).unwrap_err().kind,
            BrokenKind::Truncated { head: 5 }
        );

        // Re-hashing an edited record is caught by the next record's link.
        let mut rehashed = records.clone();
        rehashed[2].body = rehashed[2].body.replace("\"pass\"", "\"fail\"");
        rehashed[2].hash = chain_hash(3, &rehashed[2].prev_hash, &rehashed[2].body);
        assert_eq!(
            check(&rehashed, &head).unwrap_err(),
            BrokenChain {
                seq: 4,
                kind: BrokenKind::Relinked
            }
        );
    }
}
