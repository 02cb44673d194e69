//! Approvals files: who approved the promotion to which stage, and when.
//!
//! The format is ours (YAML, or JSON since JSON is YAML): either a list of approvals, or a
//! document with an optional `apiVersion` ([`APPROVALS_API_VERSION`]) and an `approvals` list:
//!
//! ```yaml
//! apiVersion: stagegate.dev/approvals/v1
//! approvals:
//!   - approver: alice@example.com
//!     role: release-manager
//!     stage: prod
//!     at: 2026-01-15T10:00:00Z
//!     comment: CAB-1234 approved
//! ```
//!
//! `approver`, `stage` and `at` (RFC 3339) are required; `role` and `comment` are optional;
//! any other key is an error, so a typo is not silently dropped. Every approval read here is
//! `verified: false`: these are claims, and the claimed role is not trusted. Signed approvals
//! are verified elsewhere.

use std::path::Path;

use serde::Deserialize;

use super::error::EvidenceError;
use super::model::Approval;
use crate::wire::APPROVALS_API_VERSION;

/// An approvals file: a bare list, or a document with `apiVersion` and `approvals`.
#[derive(Debug)]
enum ApprovalsFile {
    List(Vec<ApprovalEntry>),
    Document(ApprovalsDocument),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ApprovalsDocument {
    #[serde(default)]
    api_version: Option<String>,
    approvals: Vec<ApprovalEntry>,
}

/// One approval as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApprovalEntry {
    approver: String,
    #[serde(default)]
    role: Option<String>,
    stage: String,
    at: String,
    #[serde(default)]
    comment: Option<String>,
}

/// Reads an approvals file.
pub(crate) fn read(
    path: &Path,
    text: &str,
    source_index: usize,
) -> Result<Vec<Approval>, EvidenceError> {
    // Parse strictly as the document first, so its errors (a typo in a key) point at the key;
    // fall back to the list form only for a top-level sequence.
    let file: ApprovalsFile = if text.trim_start().starts_with(['[', '-']) {
        serde_saphyr::from_str::<Vec<ApprovalEntry>>(text).map(ApprovalsFile::List)
    } else {
        serde_saphyr::from_str::<ApprovalsDocument>(text).map(ApprovalsFile::Document)
    }
    .map_err(|source| {
        let (line, column) = source
            .location()
            .map(|l| (to_usize(l.line()), to_usize(l.column())))
            .unwrap_or((0, 0));
        EvidenceError::Yaml {
            path: path.to_owned(),
            format: "approvals",
            line,
            column,
            source: Box::new(source),
        }
    })?;
    let entries = match file {
        ApprovalsFile::List(entries) => entries,
        ApprovalsFile::Document(document) => {
            if let Some(version) = document.api_version
                && version != APPROVALS_API_VERSION
            {
                return Err(EvidenceError::ApprovalsVersion {
                    path: path.to_owned(),
                    version,
                });
            }
            document.approvals
        }
    };
    entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            crate::time::parse_rfc3339(&entry.at).map_err(|err| EvidenceError::ApprovalTime {
                path: path.to_owned(),
                index,
                value: entry.at.clone(),
                source: err.reason,
            })?;
            Ok(Approval {
                approver: entry.approver,
                role: entry.role,
                stage: entry.stage,
                at: entry.at,
                verified: false,
                comment: entry.comment,
                source: Some(source_index),
            })
        })
        .collect()
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Result<Vec<Approval>, EvidenceError> {
        read(Path::new("approvals.yaml"), text, 2)
    }

    #[test]
    fn pass() {
        let approvals = read_str(
            "apiVersion: stagegate.dev/approvals/v1\napprovals:\n  - approver: alice@example.com\n    role: release-manager\n    stage: prod\n    at: 2026-01-15T10:00:00Z\n    comment: ok\n",
        )
        .unwrap();
        assert_eq!(approvals.len(), 1);
        assert_eq!(approvals[0].role.as_deref(), Some("release-manager"));
        assert!(!approvals[0].verified);
        assert_eq!(approvals[0].source, Some(2));
        let list =
            read_str(r#"[{"approver":"bob","stage":"staging","at":"2026-01-15T10:00:00+01:00"}]"#)
                .unwrap();
        assert_eq!(list[0].approver, "bob");
    }

    #[test]
    fn fail() {
        assert!(matches!(
            read_str("approvals:\n  - approver: a\n    stage: prod\n    at: yesterday\n"),
            Err(EvidenceError::ApprovalTime { index: 0, .. })
        ));
        assert!(matches!(
            read_str(
                "approvals:\n  - approver: a\n    stage: prod\n    at: 2026-01-15T10:00:00Z\n    rol: x\n"
            ),
            Err(EvidenceError::Yaml { line: 5, .. })
        ));
        assert!(matches!(
            read_str("apiVersion: stagegate.dev/approvals/v9\napprovals: []\n"),
            Err(EvidenceError::ApprovalsVersion { .. })
        ));
    }
}
