//! The document a gate evaluates: an Evidence v1 document (read, checked against the
//! contract, its attestations and approvals verified and the outcomes recorded), any JSON or
//! YAML document (conftest-style), or evidence collected on the spot.
//!
//! Policies see an Evidence document as written (unknown fields included), not a re-serialised
//! copy, unless verification changed what it says about itself: then the verified parts are
//! put into the document as read and it is encoded again, and the decision is bound to those
//! bytes (`--save-evidence` writes them, `replay` reproduces them).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::attest::approval::APPROVAL_PREDICATE_TYPE;
use crate::digest::Sha256Digest;
use crate::document::{check_json_syntax, read_document};
use crate::evidence::InputKind;
use crate::evidence::signed::add_attestation_document;
use crate::evidence::{
    CollectRequest, Digest as DigestSet, EVIDENCE_API_VERSION, Evidence, Subject,
    collect as collect_evidence,
};
use crate::gate::GateError;
use crate::limits::{Limits, check_depth, read_limited};
use crate::location::Located;
use crate::policy::PolicyInput;
use crate::verify::Verifier;
use crate::verify::candidate::{Candidate, claimed_predicate_type};
use crate::verify::evidence::check_evidence;

/// What a gate evaluates.
#[derive(Debug)]
#[non_exhaustive]
pub enum Input {
    /// An Evidence v1 document in a file (`--evidence`).
    EvidenceFile(PathBuf),
    /// An Evidence v1 document in memory; `name` is what messages call it.
    Evidence {
        /// What messages call the document.
        name: PathBuf,
        /// Its bytes.
        bytes: Arc<[u8]>,
    },
    /// Any JSON or YAML document in a file, conftest-style (`--input`); the subject is the
    /// document itself.
    DocumentFile(PathBuf),
    /// Evidence to collect first (`--sbom`, `--scan`, …).
    Collect(Box<CollectRequest>),
}

/// The document to evaluate, the subject it is about, and the digest of its bytes.
pub(crate) struct LoadedInput {
    pub(crate) input: PolicyInput,
    /// The bytes as read (or collected, or re-encoded with verification outcomes); their
    /// sha256 is `digest`.
    pub(crate) bytes: Arc<[u8]>,
    pub(crate) subject: Subject,
    /// `sha256:<hex>` of `bytes`.
    pub(crate) digest: String,
    /// The Evidence model the document was checked against, when it is Evidence.
    pub(crate) model: Option<Evidence>,
}

/// How the evidence of one decision is verified: the verifier, the stage, more signed
/// documents to add to the evidence first (signed approvals from the promotion chain's
/// candidates), and where warnings go.
pub(crate) struct EvidenceVerification<'a> {
    pub(crate) verifier: &'a Verifier,
    pub(crate) stage: &'a str,
    pub(crate) documents: &'a [Candidate],
    pub(crate) limits: &'a Limits,
    pub(crate) warn: &'a dyn Fn(&str),
    /// Whether to start building the Rego form of the whole document on another thread while
    /// the document is checked: only when the policies will read it whole (no pruning).
    pub(crate) parse_ahead: bool,
}

impl EvidenceVerification<'_> {
    /// Adds the signed approvals among `documents` to `model`, verifies its attestations and
    /// approvals at the stage, and records the outcomes. `true` when `model` changed.
    fn apply(&self, model: &mut Evidence) -> Result<bool, GateError> {
        let mut changed = false;
        for document in self.documents {
            if claimed_predicate_type(&document.bytes).as_deref() != Some(APPROVAL_PREDICATE_TYPE) {
                continue;
            }
            let sha256 = Sha256Digest::of(&document.bytes).into_hex();
            if model.sources.iter().any(|s| s.sha256 == sha256) {
                continue;
            }
            add_attestation_document(
                model,
                InputKind::Approval,
                &document.path,
                &document.bytes,
                self.limits,
            )?;
            changed = true;
        }
        let approvals_signed = model
            .attestations
            .iter()
            .flatten()
            .any(|a| a.predicate_type == APPROVAL_PREDICATE_TYPE);
        if approvals_signed && self.verifier.trust().approvers.is_empty() {
            (self.warn)(
                "signed approvals are not checked: no `trust.approvers` in the config, so none counts",
            );
        }
        let checked = check_evidence(model, self.verifier, Some(self.stage), self.limits)?;
        for notice in &checked.notices {
            (self.warn)(notice);
        }
        if !checked.matches(model) {
            checked.apply(model);
            changed = true;
        }
        Ok(changed)
    }
}

/// Loads `input` and verifies what it says about itself.
pub(crate) fn load(
    input: &Input,
    verification: &EvidenceVerification<'_>,
) -> Result<LoadedInput, GateError> {
    match input {
        Input::EvidenceFile(path) => {
            let bytes: Arc<[u8]> = read_limited(path, verification.limits)?.into();
            load_evidence(path, bytes, verification)
        }
        Input::Evidence { name, bytes } => load_evidence(name, bytes.clone(), verification),
        Input::DocumentFile(path) => load_plain_input(path, verification.limits),
        Input::Collect(request) => collect_input(request, verification),
    }
}

/// Puts the verified parts of `model` into the document as read (its other fields, unknown
/// ones included, stay as written) and re-encodes it.
fn rewrite(loaded: &mut LoadedInput, model: &Evidence) -> Result<(), GateError> {
    let mut json = loaded.input.json()?.clone();
    let serde_json::Value::Object(map) = &mut json else {
        return Ok(());
    };
    map.insert("sources".into(), serde_json::to_value(&model.sources)?);
    map.insert("raw".into(), serde_json::to_value(&model.raw)?);
    for (key, value) in [
        ("attestations", serde_json::to_value(&model.attestations)?),
        ("approvals", serde_json::to_value(&model.approvals)?),
    ] {
        if value.is_null() {
            map.remove(key);
        } else {
            map.insert(key.into(), value);
        }
    }
    let bytes: Arc<[u8]> = serde_json::to_vec(&json)?.into();
    loaded.digest = Sha256Digest::of(&bytes).to_string();
    loaded.input = PolicyInput::from_json_with_text(json, bytes.clone());
    loaded.bytes = bytes;
    Ok(())
}

/// Collects evidence and verifies it.
fn collect_input(
    request: &CollectRequest,
    verification: &EvidenceVerification<'_>,
) -> Result<LoadedInput, GateError> {
    let mut evidence = collect_evidence(request)?;
    verification.apply(&mut evidence)?;
    let bytes: Arc<[u8]> = evidence.to_json_bytes()?.into();
    let input = PolicyInput::from_json_text(bytes.clone());
    if verification.parse_ahead {
        input.parse_ahead();
    }
    Ok(LoadedInput {
        subject: evidence.subject.clone(),
        digest: Sha256Digest::of(&bytes).to_string(),
        input,
        bytes,
        model: Some(evidence),
    })
}

/// Reads an Evidence v1 document: limits, JSON syntax, then the contract's shape, each error
/// pointing at its line and column. The bytes are parsed once into the model here; the Rego
/// form of the whole document is built on another thread meanwhile when the policies read it
/// whole ([`PolicyInput::parse_ahead`]); otherwise the engines get what they can reach
/// ([`crate::policy::reach`]).
fn load_evidence(
    path: &Path,
    bytes: Arc<[u8]>,
    verification: &EvidenceVerification<'_>,
) -> Result<LoadedInput, GateError> {
    check_depth(path, &bytes, verification.limits)?;
    tracing::debug!(bytes = bytes.len(), "read the evidence");
    let input = PolicyInput::from_json_text(bytes.clone());
    if verification.parse_ahead {
        input.parse_ahead();
    }
    // Repeated keys anywhere (in `raw` documents too) are refused, as in every JSON input.
    crate::document::check_duplicate_keys(path, &bytes)?;
    let evidence: Evidence = match serde_json::from_slice(&bytes) {
        Ok(evidence) => evidence,
        Err(err) => {
            check_json_syntax(path, &bytes)?;
            let message = err
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned();
            return Err(GateError::InvalidEvidence(
                Located::new(path, err.line() as u32, err.column() as u32, message).with_help(
                    "an Evidence v1 document is what `stagegate collect` writes (schema: `stagegate schema evidence`); use `--input` for any other document",
                ),
            ));
        }
    };
    if evidence.api_version != EVIDENCE_API_VERSION {
        return Err(GateError::InvalidEvidence(Located::new(
            path,
            1,
            1,
            format!(
                "unsupported apiVersion `{}`; this stagegate reads `{EVIDENCE_API_VERSION}`",
                evidence.api_version
            ),
        )));
    }
    let digest = Sha256Digest::of(&bytes).to_string();
    tracing::debug!("validated the evidence");
    let mut evidence = evidence;
    let changed = verification.apply(&mut evidence)?;
    let mut loaded = LoadedInput {
        subject: evidence.subject.clone(),
        input,
        bytes,
        digest,
        model: None,
    };
    if changed {
        rewrite(&mut loaded, &evidence)?;
        tracing::debug!("recorded the verification outcomes");
    }
    loaded.model = Some(evidence);
    Ok(loaded)
}

/// Reads any JSON or YAML document, conftest-style. The subject is the document itself.
fn load_plain_input(path: &Path, limits: &Limits) -> Result<LoadedInput, GateError> {
    let document = read_document(path, limits)?;
    let hex = Sha256Digest::of(&document.bytes).into_hex();
    let is_json = matches!(
        document.bytes.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    );
    Ok(LoadedInput {
        subject: Subject {
            name: display(path),
            digest: DigestSet {
                sha256: hex.clone(),
                other: Default::default(),
            },
        },
        input: if is_json {
            PolicyInput::from_json_with_text(document.value, document.bytes.clone())
        } else {
            PolicyInput::from_json(document.value)
        },
        bytes: document.bytes.into(),
        digest: format!("sha256:{hex}"),
        model: None,
    })
}

fn display(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}
