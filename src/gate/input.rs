//! The document a gate evaluates: an Evidence v1 document (read, checked against the
//! contract, its attestations and approvals verified and the outcomes recorded), any JSON or
//! YAML document (conftest-style), or evidence collected on the spot.
//!
//! Policies see an Evidence document as written (unknown fields included), not a re-serialised
//! copy, unless verification changed what it says about itself: then the verified parts are
//! put into the document as read and it is encoded again, and the decision is bound to those
//! bytes (`--save-evidence` writes them, `replay` reproduces them).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::attest::approval::APPROVAL_PREDICATE_TYPE;
use crate::digest::Sha256Digest;
use crate::document::{find_duplicate_keys, json_syntax_error, read_document};
use crate::evidence::InputKind;
use crate::evidence::signed::add_attestation_document;
use crate::evidence::{
    CollectRequest, Digest as DigestSet, EVIDENCE_API_VERSION, Evidence, Subject,
    collect as collect_evidence,
};
use crate::gate::GateError;
use crate::gate::members::Members;
use crate::limits::{LimitError, Limits, read_limited_hashed};
use crate::location::Located;
use crate::outline::Outline;
use crate::policy::PolicyInput;
use crate::policy::reach::Reach;
use crate::policy::reach::pruned::prune_text;
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
    /// An Evidence document in a file, being read since [`ReadAhead::start`].
    ReadAhead(ReadAhead),
}

/// An Evidence document read and hashed on another thread from the moment it is named, so
/// that reading a large document (a collected one with its `raw` documents: tens of MB)
/// overlaps preparing the stage, which does not need it.
#[derive(Debug)]
pub struct ReadAhead {
    path: PathBuf,
    reading: Mutex<Option<JoinHandle<Read>>>,
}

/// A file's bytes and their sha256, or why they could not be read.
type Read = Result<(Arc<[u8]>, Sha256Digest), LimitError>;

impl ReadAhead {
    /// Starts reading the Evidence document at `path`, within `limits`.
    pub fn start(path: PathBuf, limits: Limits) -> ReadAhead {
        let reading = {
            let path = path.clone();
            std::thread::Builder::new()
                .name("stagegate-read".to_owned())
                .spawn(move || read_limited_hashed(&path, &limits))
                .ok()
        };
        ReadAhead {
            path,
            reading: Mutex::new(reading),
        }
    }

    /// The bytes and their sha256, from the read started (or from a new one, if that read
    /// is gone: taken already, or its thread could not start or panicked).
    fn finish(&self, limits: &Limits) -> Read {
        let reading = self.reading.lock().ok().and_then(|mut r| r.take());
        match reading.map(JoinHandle::join) {
            Some(Ok(read)) => read,
            _ => read_limited_hashed(&self.path, limits),
        }
    }
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
    /// What the engines will read of the document, prepared while it is read.
    pub(crate) engines: Engines<'a>,
}

/// What the engines will read of a document.
#[derive(Clone, Copy)]
pub(crate) struct Engines<'a> {
    /// The reach the document is cut to ahead, when not the whole of it
    /// ([`crate::policy::PolicySet::pruning_reach`]).
    pub(crate) reach: Option<&'a Reach>,
    /// Whether the stage has Rego: then the Rego form of what it will read is built on
    /// another thread while the document is checked.
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
            let (bytes, digest) = read_limited_hashed(path, verification.limits)?;
            load_evidence(path, bytes, Some(digest), verification)
        }
        Input::Evidence { name, bytes } => load_evidence(name, bytes.clone(), None, verification),
        Input::DocumentFile(path) => load_plain_input(path, verification.limits),
        Input::Collect(request) => collect_input(request, verification),
        Input::ReadAhead(ahead) => {
            let (bytes, digest) = ahead.finish(verification.limits)?;
            load_evidence(&ahead.path, bytes, Some(digest), verification)
        }
    }
}

/// Puts the verified parts of `model` into the document as read: its other members (unknown
/// ones included, and the `raw` documents) stay as written ([`Members::splice`]).
fn rewrite(
    loaded: &mut LoadedInput,
    model: &Evidence,
    outline: Option<&Outline>,
    verification: &EvidenceVerification<'_>,
) -> Result<(), GateError> {
    let replace = [
        ("sources", Some(serde_json::to_vec(&model.sources)?)),
        (
            "attestations",
            model
                .attestations
                .as_ref()
                .map(serde_json::to_vec)
                .transpose()?,
        ),
        (
            "approvals",
            model
                .approvals
                .as_ref()
                .map(serde_json::to_vec)
                .transpose()?,
        ),
    ];
    let (bytes, without_raw) = Members::new(&loaded.bytes, outline).splice(&replace, &model.raw)?;
    loaded.digest = Sha256Digest::of(&bytes).to_string();
    loaded.input = policy_input(bytes.clone(), Some(&without_raw), verification.engines);
    loaded.bytes = bytes;
    Ok(())
}

/// The engines' input for `bytes`: cut to the reach ahead (from `without_raw`, the document
/// without its `raw` member, when the policies do not reach `raw`), and its Rego form started
/// on another thread.
fn policy_input(bytes: Arc<[u8]>, without_raw: Option<&[u8]>, engines: Engines<'_>) -> PolicyInput {
    let Some(reach) = engines.reach else {
        let input = PolicyInput::from_json_text(bytes);
        if engines.parse_ahead {
            input.parse_ahead();
        }
        return input;
    };
    let source = match without_raw {
        Some(head) if reach.field("raw").is_none() => head,
        _ => &bytes,
    };
    match prune_text(source, reach) {
        Ok(pruned) => {
            let pruned = PolicyInput::from_json_text(pruned);
            if engines.parse_ahead {
                pruned.parse_ahead();
            }
            PolicyInput::from_json_text_pruned(bytes, reach.clone(), pruned)
        }
        // Not JSON: the engines report it as they always did.
        Err(_) => PolicyInput::from_json_text(bytes),
    }
}

/// Collects evidence and verifies it.
fn collect_input(
    request: &CollectRequest,
    verification: &EvidenceVerification<'_>,
) -> Result<LoadedInput, GateError> {
    let mut evidence = collect_evidence(request)?;
    verification.apply(&mut evidence)?;
    let bytes: Arc<[u8]> = evidence.to_json_bytes()?.into();
    let input = policy_input(bytes.clone(), None, verification.engines);
    Ok(LoadedInput {
        subject: evidence.subject.clone(),
        digest: Sha256Digest::of(&bytes).to_string(),
        input,
        bytes,
        model: Some(evidence),
    })
}

/// Reads an Evidence v1 document: limits, JSON syntax, then the contract's shape, each error
/// pointing at its line and column.
///
/// On one thread the whole bytes are checked as every JSON input is (repeated keys anywhere,
/// `raw` documents included; syntax, numbers, text). On the other, one scan checks their
/// depth and outlines them ([`Outline`]); then the engines' part is cut
/// ([`crate::policy::reach`]), the model parsed from every member but `raw` and the bytes
/// hashed ([`read_evidence`]). Nothing read is used unless both checks pass.
fn load_evidence(
    path: &Path,
    bytes: Arc<[u8]>,
    digest: Option<Sha256Digest>,
    verification: &EvidenceVerification<'_>,
) -> Result<LoadedInput, GateError> {
    tracing::debug!(bytes = bytes.len(), "read the evidence");
    let (checked, read) = std::thread::scope(|scope| {
        let checking = std::thread::Builder::new()
            .name("stagegate-check".to_owned())
            .spawn_scoped(scope, || find_duplicate_keys(&bytes));
        let read = Outline::scan(path, &bytes, verification.limits, &["raw"])
            .map(|outline| read_evidence(&bytes, outline, digest, verification.engines));
        let checked = match checking {
            Ok(handle) => handle.join().ok(),
            Err(_) => None,
        };
        (checked.unwrap_or_else(|| find_duplicate_keys(&bytes)), read)
    });
    // Too deep first (the check stopped at `serde_json`'s own limit), then not JSON.
    let read = read?;
    if let Err(err) = checked {
        return Err(json_syntax_error(path, &err).into());
    }
    let ReadEvidence {
        digest,
        model,
        input,
        outline,
    } = read;
    let evidence = match model {
        Ok(evidence) => evidence,
        Err(err) => return Err(invalid_evidence(path, &err)),
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
        rewrite(&mut loaded, &evidence, outline.as_ref(), verification)?;
        tracing::debug!("recorded the verification outcomes");
    }
    loaded.model = Some(evidence);
    Ok(loaded)
}

/// What is read of an Evidence document beside the check of its bytes.
pub(crate) struct ReadEvidence {
    /// `sha256:<hex>` of the bytes.
    pub(crate) digest: String,
    /// The model, or the error of parsing the whole bytes into it.
    pub(crate) model: Result<Evidence, serde_json::Error>,
    /// What the engines read of it ([`policy_input`]).
    pub(crate) input: PolicyInput,
    /// Where its top-level members are.
    pub(crate) outline: Option<Outline>,
}

/// Cuts the engines' part of the document (and starts its Rego form on another thread),
/// parses the model from everything but `raw`, whose documents are kept as slices of the
/// bytes, and hashes the bytes (unless they were hashed as they were read). A model error is always the whole document's (with its line
/// and column), whatever part was parsed.
pub(crate) fn read_evidence(
    bytes: &Arc<[u8]>,
    outline: Option<Outline>,
    digest: Option<Sha256Digest>,
    engines: Engines<'_>,
) -> ReadEvidence {
    let members = Members::new(bytes, outline.as_ref());
    let without_raw = members.without_raw();
    // The engines' part first: its Rego form is then built on another thread meanwhile.
    let input = policy_input(bytes.clone(), without_raw.as_deref(), engines);
    let parts = without_raw.as_deref().and_then(|head| {
        let model = serde_json::from_slice::<Evidence>(head).ok()?;
        let raw = members.raw_documents()?.ok()?;
        Some(Evidence { raw, ..model })
    });
    let model = match parts {
        Some(model) => Ok(model),
        None => serde_json::from_slice::<Evidence>(bytes),
    };
    let digest = digest
        .unwrap_or_else(|| Sha256Digest::of(bytes))
        .to_string();
    ReadEvidence {
        digest,
        model,
        input,
        outline,
    }
}

/// The error for a document that is JSON but not an Evidence v1 document.
fn invalid_evidence(path: &Path, err: &serde_json::Error) -> GateError {
    let message = err
        .to_string()
        .split(" at line ")
        .next()
        .unwrap_or_default()
        .to_owned();
    GateError::InvalidEvidence(
        Located::new(path, err.line() as u32, err.column() as u32, message).with_help(
            "an Evidence v1 document is what `stagegate collect` writes (schema: `stagegate schema evidence`); use `--input` for any other document",
        ),
    )
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
