//! The in-toto Statement v1: what is attested (`subject`), by which kind of claim
//! (`predicateType`), and the claim (`predicate`).
//!
//! Spec: <https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md>. Statements
//! are written as v1 and read as v1 or v0.1 (`https://in-toto.io/Statement/v0.1`), which differ
//! only in the `_type` URI; the subject's `digest` is a DigestSet of algorithm → hex.
//!
//! What we ignore (and why): the subject's `uri` and `annotations` (not used by any check).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::wire::STATEMENT_V1;

/// An in-toto Statement with a predicate of type `P` (a [`Value`] when read generically).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement<P = Value> {
    /// [`STATEMENT_V1`] or [`crate::wire::STATEMENT_V01`].
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// What the statement is about.
    pub subject: Vec<ResourceDescriptor>,
    /// The URI of the predicate's type.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The claim.
    pub predicate: P,
}

/// A subject: a name and a DigestSet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceDescriptor {
    /// The subject's name (an image reference, a file name, `_`).
    #[serde(default)]
    pub name: String,
    /// Digests by algorithm (`sha256` → lowercase hex).
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

impl<P> Statement<P> {
    /// A v1 statement about one subject.
    pub fn new(subject: ResourceDescriptor, predicate_type: &str, predicate: P) -> Statement<P> {
        Statement {
            statement_type: STATEMENT_V1.to_owned(),
            subject: vec![subject],
            predicate_type: predicate_type.to_owned(),
            predicate,
        }
    }

    /// Whether some subject has `algorithm` → `value` (hex compared case-insensitively).
    pub fn has_subject_digest(&self, algorithm: &str, value: &str) -> bool {
        self.subject.iter().any(|s| {
            s.digest
                .get(algorithm)
                .is_some_and(|v| v.eq_ignore_ascii_case(value))
        })
    }
}

impl ResourceDescriptor {
    /// A subject with one sha256 digest.
    pub fn sha256(name: &str, hex: &str) -> ResourceDescriptor {
        ResourceDescriptor {
            name: name.to_owned(),
            digest: BTreeMap::from([("sha256".to_owned(), hex.to_ascii_lowercase())]),
        }
    }
}
