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
//! Anchoring. A hash chain alone does not stop someone who can write the database from
//! deleting the tail and moving the head back, or from editing the last record and
//! recomputing its hash. So a signing `gate` seals its record with its key ([`Sealer`]): a
//! signature over the record's link (`seq`, `hash`, which covers `prev_hash` and the body) and
//! a second, distinct signature over the new chain head, both written in the same transaction;
//! and it puts that head (`seq`, `hash`) in the decision it signs. `audit verify --key PUB`
//! ([`ChainVerifier::with_keys`]) then finds, without trusting the database:
//! - an edit, a re-hash or an insertion: a record signature that no longer verifies;
//! - a head moved back (records deleted at the end): the head's signature is missing or wrong,
//!   since the head signature of an earlier record was overwritten when the next was appended;
//! - every row deleted: nothing signed by the key;
//! - records appended without the key (`evaluate --audit`, or forged): reported as unsigned.
//!
//! What stays out of reach of the key alone: putting back a whole earlier copy of the
//! database (records and head as they were, all validly signed). `--checkpoint BUNDLE` finds
//! that: a signed decision names the head right after its record, so a store whose chain no
//! longer reaches that record lost its tail. Keep the latest decision bundle (it is pushed to
//! the registry with `--push`) as that checkpoint.
//! [`metrics`] computes the promotion report from the records.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

pub mod history;
pub mod metrics;
pub mod postgres;
pub mod sqlite;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::decision::{Decision, Outcome};
use crate::evidence::{Approval, Attestation, Subject};

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
    /// The record of `decision`, made by `command` on evidence with these `approvals` and
    /// `attestations` (as verified: [`crate::Decided`]'s).
    pub fn of(
        decision: &Decision,
        command: &str,
        approvals: &[Approval],
        attestations: &[Attestation],
        signer_key_id: Option<String>,
        duration: std::time::Duration,
    ) -> AuditRecord {
        let approvals = approvals
            .iter()
            .map(|a| ApprovalUse {
                approver: a.approver.clone(),
                role: a.role.clone(),
                at: Some(a.at.clone()),
                verified: a.verified,
            })
            .collect();
        let provenance = attestations
            .iter()
            .any(|a| a.predicate_type.starts_with(PROVENANCE_PREFIX) && a.verified);
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
    /// The signing gate's signature over [`record_message`]; `None` for an unsigned record.
    pub seal: Option<Seal>,
}

/// A signature by a gate's key, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    /// The key's id (its public-key hint).
    pub key_id: String,
    /// The signature, base64.
    pub signature: String,
}

/// What a record's seal signs: its sequence number and hash (which covers the previous hash
/// and the body), under a label of its own.
pub fn record_message(seq: u64, hash: &str) -> Vec<u8> {
    format!("stagegate-audit-record/v1\n{seq}\n{hash}\n").into_bytes()
}

/// What a head's seal signs: the head, under a label other than a record's, so a record's
/// signature cannot stand in for the head's when the head is moved back onto it.
pub fn head_message(seq: u64, hash: &str) -> Vec<u8> {
    format!("stagegate-audit-head/v1\n{seq}\n{hash}\n").into_bytes()
}

/// The key a signing gate seals its record and the new head with.
pub trait Sealer {
    /// The key's id (its public-key hint).
    fn key_id(&self) -> String;
    /// Signs `message`.
    fn sign(&self, message: &[u8]) -> Vec<u8>;
}

/// The keys `audit verify --key` trusts.
pub trait SealVerifier {
    /// Whether `signature` over `message` verifies with the key `key_id` names: `None` when no
    /// trusted key has that id.
    fn verify(&self, key_id: &str, message: &[u8], signature: &[u8]) -> Option<bool>;
}

fn seal(sealer: &dyn Sealer, message: &[u8]) -> Seal {
    use base64::Engine;
    Seal {
        key_id: sealer.key_id(),
        signature: base64::engine::general_purpose::STANDARD.encode(sealer.sign(message)),
    }
}

fn seal_verifies(keys: &dyn SealVerifier, seal: &Seal, message: &[u8]) -> Option<bool> {
    use base64::Engine;
    match base64::engine::general_purpose::STANDARD.decode(&seal.signature) {
        Ok(signature) => keys.verify(&seal.key_id, message, &signature),
        Err(_) => Some(false),
    }
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
    /// The signature over [`head_message`] by the gate that appended the last record, when it
    /// was a signing gate.
    pub seal: Option<Seal>,
}

impl ChainHead {
    /// The head of an empty chain: what a store without a head row reads as (and a deleted
    /// head row too, which the records then contradict).
    pub fn genesis() -> ChainHead {
        ChainHead {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
            seal: None,
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
    /// The caller's last step before the commit failed: nothing was appended.
    #[error("the record was not appended")]
    Aborted(#[source] Box<dyn std::error::Error + Send + Sync>),
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
    /// The record's signature does not verify: it was edited and re-hashed, or inserted (or a
    /// record before it was, and the links re-computed).
    BadSignature,
    /// The record is signed by a key not given to `--key`.
    UnknownSigner {
        /// The key id it names.
        key_id: String,
    },
    /// The record is not signed, and `--allow-unsigned` was not given.
    Unsigned,
    /// The last record is signed but the head carries no valid signature: the head was moved
    /// back (records deleted at the end).
    HeadNotSealed,
    /// Under `--key`, the store holds no record at all: its rows were deleted (or it is new).
    Empty,
    /// A checkpoint (a signed decision) names a record the chain no longer reaches: the tail
    /// after it was deleted.
    CheckpointMissing {
        /// How many records the chain holds.
        count: u64,
    },
    /// A checkpoint names a record whose hash is now another: the chain was rewritten.
    CheckpointMismatch,
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
            BrokenKind::BadSignature => f.write_str(
                "its signature does not verify (edited and re-hashed, or inserted without the key)",
            ),
            BrokenKind::UnknownSigner { key_id } => {
                write!(f, "signed by key `{key_id}`, which is not trusted")
            }
            BrokenKind::Unsigned => {
                f.write_str("it is not signed (appended without a key, e.g. `evaluate --audit`)")
            }
            BrokenKind::HeadNotSealed => f.write_str(
                "the chain head is not signed for it (the head was moved back: records deleted at the end)",
            ),
            BrokenKind::Empty => f.write_str("the store holds no record (every row deleted?)"),
            BrokenKind::CheckpointMissing { count } => write!(
                f,
                "a signed checkpoint names it, but the chain ends at {count} (deleted at the end)"
            ),
            BrokenKind::CheckpointMismatch => {
                f.write_str("its hash is not the one a signed checkpoint names (rewritten)")
            }
        }
    }
}

/// Checks records given in sequence order against each other and the head (and, with keys,
/// their seals). Returns the number of records, or the first break.
pub struct ChainVerifier<'a> {
    expected_seq: u64,
    prev_hash: String,
    keys: Option<&'a dyn SealVerifier>,
    allow_unsigned: bool,
    unsigned: Vec<u64>,
    last_sealed: bool,
    checkpoints: Vec<ChainHead>,
}

impl std::fmt::Debug for ChainVerifier<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChainVerifier")
            .field("expected_seq", &self.expected_seq)
            .field("keyed", &self.keys.is_some())
            .finish()
    }
}

impl Default for ChainVerifier<'_> {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            keys: None,
            allow_unsigned: false,
            unsigned: Vec::new(),
            last_sealed: false,
            checkpoints: Vec::new(),
        }
    }
}

/// What a chain check found: how many records, and which were unsigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The number of records.
    pub count: u64,
    /// The sequence numbers of records without a seal.
    pub unsigned: Vec<u64>,
}

impl<'a> ChainVerifier<'a> {
    /// A verifier that also checks every record's seal and the head's against `keys`; an
    /// unsigned record breaks the chain unless `allow_unsigned`.
    pub fn with_keys(keys: &'a dyn SealVerifier, allow_unsigned: bool) -> Self {
        ChainVerifier {
            keys: Some(keys),
            allow_unsigned,
            ..ChainVerifier::default()
        }
    }

    /// Also checks that the chain reaches each checkpoint head with the same hash.
    pub fn checkpoint(&mut self, head: ChainHead) {
        self.checkpoints.push(head);
    }

    /// Checks the next record.
    pub fn next(&mut self, record: &StoredRecord) -> Result<(), BrokenChain> {
        let broken = |kind| BrokenChain {
            seq: record.seq,
            kind,
        };
        if record.seq != self.expected_seq {
            return Err(BrokenChain {
                seq: self.expected_seq,
                kind: BrokenKind::Missing { found: record.seq },
            });
        }
        if chain_hash(record.seq, &record.prev_hash, &record.body) != record.hash {
            return Err(broken(BrokenKind::Edited));
        }
        if record.prev_hash != self.prev_hash {
            return Err(broken(BrokenKind::Relinked));
        }
        match (&record.seal, self.keys) {
            (Some(seal), Some(keys)) => {
                match seal_verifies(keys, seal, &record_message(record.seq, &record.hash)) {
                    Some(true) => {}
                    Some(false) => return Err(broken(BrokenKind::BadSignature)),
                    None => {
                        return Err(broken(BrokenKind::UnknownSigner {
                            key_id: seal.key_id.clone(),
                        }));
                    }
                }
            }
            (None, Some(_)) if !self.allow_unsigned => return Err(broken(BrokenKind::Unsigned)),
            _ => {}
        }
        if record.seal.is_none() {
            self.unsigned.push(record.seq);
        }
        self.last_sealed = record.seal.is_some();
        for checkpoint in &self.checkpoints {
            if checkpoint.seq == record.seq && checkpoint.hash != record.hash {
                return Err(broken(BrokenKind::CheckpointMismatch));
            }
        }
        self.expected_seq = self.expected_seq.saturating_add(1);
        self.prev_hash.clone_from(&record.hash);
        Ok(())
    }

    /// Checks the end of the chain against the head; returns the number of records and the
    /// unsigned ones.
    pub fn finish(self, head: &ChainHead) -> Result<Checked, BrokenChain> {
        let count = self.expected_seq.saturating_sub(1);
        if head.seq > count {
            return Err(BrokenChain {
                seq: count.saturating_add(1),
                kind: BrokenKind::Truncated { head: head.seq },
            });
        }
        if head.seq < count || head.hash != self.prev_hash {
            return Err(BrokenChain {
                seq: count,
                kind: BrokenKind::HeadMismatch,
            });
        }
        if let Some(checkpoint) = self.checkpoints.iter().find(|c| c.seq > count) {
            return Err(BrokenChain {
                seq: checkpoint.seq,
                kind: BrokenKind::CheckpointMissing { count },
            });
        }
        if let Some(keys) = self.keys {
            if count == 0 {
                return Err(BrokenChain {
                    seq: 0,
                    kind: BrokenKind::Empty,
                });
            }
            // The head is sealed by whoever appended the last record: a signed last record
            // needs a head signed for it.
            if self.last_sealed {
                let sealed = head.seal.as_ref().is_some_and(|seal| {
                    seal_verifies(keys, seal, &head_message(head.seq, &head.hash)) == Some(true)
                });
                if !sealed {
                    return Err(BrokenChain {
                        seq: count,
                        kind: BrokenKind::HeadNotSealed,
                    });
                }
            }
        }
        Ok(Checked {
            count,
            unsigned: self.unsigned,
        })
    }
}

/// Verifies a whole store (hashes and links only).
pub fn verify_chain(
    store: &mut dyn AuditStore,
) -> Result<Result<Checked, BrokenChain>, AuditError> {
    verify_chain_with(store, ChainVerifier::default())
}

/// Verifies a whole store with `verifier` (keys, checkpoints).
pub fn verify_chain_with(
    store: &mut dyn AuditStore,
    mut verifier: ChainVerifier<'_>,
) -> Result<Result<Checked, BrokenChain>, AuditError> {
    let head = store.head()?;
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

/// The caller's last step inside an append, given the new head before it is committed (a
/// signing gate signs its decision, which names the head, there). An error aborts the append.
pub type BeforeCommit<'a> =
    &'a mut dyn FnMut(&ChainHead) -> Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// An append-only, hash-chained store of [`AuditRecord`]s.
pub trait AuditStore {
    /// Appends a record at the end of the chain, atomically with the head.
    fn append(&mut self, record: &AuditRecord) -> Result<StoredRecord, AuditError> {
        self.append_sealed(record, None, &mut |_| Ok(()))
    }
    /// Appends a record sealed by `sealer` (record and new head signed), calling
    /// `before_commit` with the new head inside the transaction: its error appends nothing.
    fn append_sealed(
        &mut self,
        record: &AuditRecord,
        sealer: Option<&dyn Sealer>,
        before_commit: BeforeCommit<'_>,
    ) -> Result<StoredRecord, AuditError>;
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

/// The next record's link (sequence number, previous hash, hash, JSON text, seal) and the new
/// head (sealed by the same key).
pub(crate) fn link(
    head: &ChainHead,
    record: &AuditRecord,
    sealer: Option<&dyn Sealer>,
) -> Result<(StoredRecord, ChainHead), AuditError> {
    let body = serde_json::to_string(record).map_err(AuditError::Serialize)?;
    let seq = head.seq.saturating_add(1);
    let hash = chain_hash(seq, &head.hash, &body);
    let stored = StoredRecord {
        seq,
        seal: sealer.map(|s| seal(s, &record_message(seq, &hash))),
        hash: hash.clone(),
        prev_hash: head.hash.clone(),
        body,
    };
    let head = ChainHead {
        seq,
        seal: sealer.map(|s| seal(s, &head_message(seq, &hash))),
        hash,
    };
    Ok((stored, head))
}

/// `(key_id, signature)` columns of a seal.
pub(crate) fn seal_columns(seal: Option<&Seal>) -> (Option<String>, Option<String>) {
    (
        seal.map(|s| s.key_id.clone()),
        seal.map(|s| s.signature.clone()),
    )
}

/// A seal from its columns (both present, else none).
pub(crate) fn seal_of(key_id: Option<String>, signature: Option<String>) -> Option<Seal> {
    match (key_id, signature) {
        (Some(key_id), Some(signature)) => Some(Seal { key_id, signature }),
        _ => None,
    }
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
        chain_sealed(n, None)
    }

    fn chain_sealed(n: u64, sealer: Option<&dyn Sealer>) -> (Vec<StoredRecord>, ChainHead) {
        let mut head = ChainHead::genesis();
        let mut out = Vec::new();
        for i in 1..=n {
            let (stored, next) = link(&head, &record(i), sealer).unwrap();
            head = next;
            out.push(stored);
        }
        (out, head)
    }

    fn check(records: &[StoredRecord], head: &ChainHead) -> Result<u64, BrokenChain> {
        let mut verifier = ChainVerifier::default();
        for record in records {
            verifier.next(record)?;
        }
        verifier.finish(head).map(|c| c.count)
    }

    /// A toy key: the "signature" is sha256(secret ‖ message).
    pub(crate) struct ToyKey(pub &'static str);

    impl Sealer for ToyKey {
        fn key_id(&self) -> String {
            self.0.to_owned()
        }
        fn sign(&self, message: &[u8]) -> Vec<u8> {
            Sha256::new()
                .chain_update(self.0)
                .chain_update(message)
                .finalize()
                .to_vec()
        }
    }

    impl SealVerifier for ToyKey {
        fn verify(&self, key_id: &str, message: &[u8], signature: &[u8]) -> Option<bool> {
            (key_id == self.0).then(|| self.sign(message) == signature)
        }
    }

    fn check_keyed(
        records: &[StoredRecord],
        head: &ChainHead,
        allow_unsigned: bool,
    ) -> Result<Checked, BrokenChain> {
        let key = ToyKey("gate");
        let mut verifier = ChainVerifier::with_keys(&key, allow_unsigned);
        for record in records {
            verifier.next(record)?;
        }
        verifier.finish(head)
    }

    #[test]
    fn sealed_chain_passes_and_rewrites_without_the_key_fail() {
        let key = ToyKey("gate");
        let (records, head) = chain_sealed(4, Some(&key));
        assert_eq!(check_keyed(&records, &head, false).unwrap().count, 4);

        // Edit the last record and recompute its hash and the head: the seal is wrong.
        let mut edited = records.clone();
        edited[3].body = edited[3].body.replace("\"pass\"", "\"fail\"");
        edited[3].hash = chain_hash(4, &edited[3].prev_hash, &edited[3].body);
        let rehead = ChainHead {
            seq: 4,
            hash: edited[3].hash.clone(),
            seal: head.seal.clone(),
        };
        assert_eq!(
            check(&edited, &rehead),
            Ok(4),
            "the hash chain alone is fooled"
        );
        assert_eq!(
            check_keyed(&edited, &rehead, false).unwrap_err().kind,
            BrokenKind::BadSignature
        );

        // Delete the last record and move the head back, with the record's own seal.
        let rewound = &records[..3];
        let back = ChainHead {
            seq: 3,
            hash: records[2].hash.clone(),
            seal: records[2].seal.clone(),
        };
        assert_eq!(
            check(rewound, &back),
            Ok(3),
            "the hash chain alone is fooled"
        );
        assert_eq!(
            check_keyed(rewound, &back, false).unwrap_err().kind,
            BrokenKind::HeadNotSealed
        );

        // Every row deleted.
        assert_eq!(
            check_keyed(&[], &ChainHead::genesis(), false)
                .unwrap_err()
                .kind,
            BrokenKind::Empty
        );

        // An unsigned record (evaluate --audit) appended: refused, or reported when allowed.
        let (tail, tail_head) = {
            let (stored, next) = link(&head, &record(5), None).unwrap();
            (stored, next)
        };
        let mut with_unsigned = records.clone();
        with_unsigned.push(tail);
        assert_eq!(
            check_keyed(&with_unsigned, &tail_head, false)
                .unwrap_err()
                .kind,
            BrokenKind::Unsigned
        );
        assert_eq!(
            check_keyed(&with_unsigned, &tail_head, true)
                .unwrap()
                .unsigned,
            vec![5]
        );

        // Another key's seal.
        let other = ToyKey("other");
        let (foreign, foreign_head) = chain_sealed(1, Some(&other));
        assert!(matches!(
            check_keyed(&foreign, &foreign_head, false)
                .unwrap_err()
                .kind,
            BrokenKind::UnknownSigner { .. }
        ));
    }

    #[test]
    fn checkpoints_find_a_deleted_tail() {
        let key = ToyKey("gate");
        let (records, head) = chain_sealed(4, Some(&key));
        let checkpoint = ChainHead {
            seq: 4,
            hash: records[3].hash.clone(),
            seal: None,
        };
        let mut verifier = ChainVerifier::with_keys(&key, false);
        verifier.checkpoint(checkpoint.clone());
        for record in &records {
            verifier.next(record).unwrap();
        }
        assert_eq!(verifier.finish(&head).unwrap().count, 4);

        // An old copy of the store, complete and validly signed up to record 3.
        let (old, old_head) = chain_sealed(3, Some(&key));
        assert_eq!(check_keyed(&old, &old_head, false).unwrap().count, 3);
        let mut verifier = ChainVerifier::with_keys(&key, false);
        verifier.checkpoint(checkpoint);
        for record in &old {
            verifier.next(record).unwrap();
        }
        assert_eq!(
            verifier.finish(&old_head).unwrap_err().kind,
            BrokenKind::CheckpointMissing { count: 3 }
        );
    }

    #[test]
    fn pass() {
        let (records, head) = chain(5);
        assert_eq!(check(&records, &head), Ok(5));
        assert_eq!(check(&[], &ChainHead::genesis()), Ok(0));
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
