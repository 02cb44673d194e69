//! The document a gate evaluates: an Evidence v1 document (read, checked against the
//! contract, its attestations and approvals verified and the outcomes recorded), any JSON or
//! YAML document (conftest-style), or evidence collected on the spot.
//!
//! Policies see an Evidence document as written (unknown fields included), not a re-serialised
//! copy, unless verification changed what it says about itself: then the verified parts are
//! put into the document as read and it is encoded again, and the decision is bound to those
//! bytes (`--save-evidence` writes them, `replay` reproduces them).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::attest::approval::APPROVAL_PREDICATE_TYPE;
use crate::digest::Sha256Digest;
use crate::document::{find_duplicate_keys, json_syntax_error, read_document};
use crate::evidence::InputKind;
use crate::evidence::signed::{add_attestation_document, is_attestation_source};
use crate::evidence::{
    CollectRequest, Digest as DigestSet, EVIDENCE_API_VERSION, Evidence, Source, Subject,
    collect as collect_evidence,
};
use crate::gate::GateError;
use crate::gate::members::Members;
use crate::limits::{Limits, OpenedFile, read_limited_hashed};
use crate::location::Located;
use crate::outline::Outline;
use crate::outline::checked::check_and_outline;
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

/// An Evidence document read, hashed and checked whole on other threads from the moment it
/// is named, so that reading a large document (a collected one with its `raw` documents:
/// tens of MB) overlaps preparing the stage, which does not need it.
#[derive(Debug)]
pub struct ReadAhead {
    path: PathBuf,
    keep: bool,
    reading: Mutex<Option<JoinHandle<Result<Checked, GateError>>>>,
}

impl ReadAhead {
    /// Starts reading the Evidence document at `path`, within `limits`. `keep`: whether the
    /// decision must carry the whole document ([`crate::Decided::evidence`], for
    /// `--save-evidence`); otherwise the `raw` documents that neither the policies nor the
    /// verifier read are let go once the whole document has passed its checks.
    pub fn start(path: PathBuf, limits: Limits, keep: bool) -> ReadAhead {
        let reading = {
            let path = path.clone();
            // Opened here: the buffer is this thread's memory once let go (`OpenedFile`).
            let opened = OpenedFile::open(&path, &limits);
            std::thread::Builder::new()
                .name("stagegate-read".to_owned())
                .spawn(move || read_checked(&path, opened?, &limits))
                .ok()
        };
        ReadAhead {
            path,
            keep,
            reading: Mutex::new(reading),
        }
    }

    /// The document checked, from the read started (or from a new one, if that read is gone:
    /// taken already, or its thread could not start or panicked).
    fn finish(&self, limits: &Limits) -> Result<Checked, GateError> {
        let reading = self.reading.lock().ok().and_then(|mut r| r.take());
        match reading.map(JoinHandle::join) {
            Some(Ok(checked)) => checked,
            _ => read_checked(&self.path, OpenedFile::open(&self.path, limits)?, limits),
        }
    }
}

/// An Evidence document's bytes that passed the checks every JSON input gets, over the whole
/// document: its nesting depth, then repeated keys anywhere, syntax, numbers and text.
#[derive(Debug)]
pub(crate) struct Checked {
    bytes: Arc<[u8]>,
    digest: Sha256Digest,
    /// Where its top-level members (and the `raw` documents) are.
    outline: Option<Outline>,
}

/// Reads the document at `path`, hashes it as it is read, and checks it whole.
fn read_checked(path: &Path, opened: OpenedFile, limits: &Limits) -> Result<Checked, GateError> {
    let (bytes, digest) = opened.read_hashed(path, limits)?;
    let outline = check_whole(path, &bytes, limits)?;
    Ok(Checked {
        bytes,
        digest,
        outline,
    })
}

/// The checks of a whole document, and its outline: in one pass when `serde_json`'s own
/// nesting limit is within `limits` ([`check_and_outline`]), else as [`checked`] does. A
/// document that fails, or whose outline that pass cannot tell, is checked again the other
/// way, so that its error is the same (too deep first, then not JSON).
fn check_whole(path: &Path, bytes: &[u8], limits: &Limits) -> Result<Option<Outline>, GateError> {
    if limits.max_depth >= SERDE_JSON_DEPTH
        && let Ok(text) = std::str::from_utf8(bytes)
        && let Ok(Some(outline)) = check_and_outline(text, &["raw"])
    {
        return Ok(Some(outline));
    }
    checked(path, bytes, limits, |outline| outline)
}

/// The deepest nesting `serde_json` reads (its recursion limit, 128, stops the 128th level).
const SERDE_JSON_DEPTH: usize = 127;

/// `then`'s result on the document's outline, once the whole document passed its checks:
/// on this thread one scan checks its depth and outlines it ([`Outline`]) before `then` runs,
/// on another the rest is checked ([`find_duplicate_keys`]) meanwhile. Too deep comes first
/// (the other check stopped at `serde_json`'s own limit), then not JSON.
fn checked<T>(
    path: &Path,
    bytes: &[u8],
    limits: &Limits,
    then: impl FnOnce(Option<Outline>) -> T,
) -> Result<T, GateError> {
    let (done, checked) = std::thread::scope(|scope| {
        let checking = std::thread::Builder::new()
            .name("stagegate-check".to_owned())
            .spawn_scoped(scope, || find_duplicate_keys(bytes));
        let done = Outline::scan(path, bytes, limits, &["raw"]).map(then);
        let checked = match checking {
            Ok(handle) => handle.join().ok(),
            Err(_) => None,
        };
        (done, checked.unwrap_or_else(|| find_duplicate_keys(bytes)))
    });
    let done = done?;
    checked.map_err(|err| json_syntax_error(path, &err))?;
    Ok(done)
}

/// Where the whole of an Evidence document is, for what needs it after it was cut
/// ([`load_checked`]): an error's place in it, and the document with verification outcomes.
enum Whole<'p> {
    /// The bytes read, held.
    Held(Arc<[u8]>),
    /// Let go: read again from `path`, and used only if their sha256 is still `digest`.
    Left {
        path: &'p Path,
        digest: Sha256Digest,
    },
}

impl Whole<'_> {
    fn bytes(&self, limits: &Limits) -> Result<Arc<[u8]>, GateError> {
        match self {
            Whole::Held(bytes) => Ok(bytes.clone()),
            Whole::Left { path, digest } => {
                let (bytes, again) = read_limited_hashed(path, limits)?;
                if again != *digest {
                    return Err(GateError::InvalidEvidence(
                        Located::new(
                            path,
                            1,
                            1,
                            format!(
                                "changed while it was evaluated: read as {digest}, now {again}"
                            ),
                        )
                        .with_help("evaluate it again once nothing writes to it"),
                    ));
                }
                Ok(bytes)
            }
        }
    }

    /// The bytes, when held.
    fn held(self) -> Option<Arc<[u8]>> {
        match self {
            Whole::Held(bytes) => Some(bytes),
            Whole::Left { .. } => None,
        }
    }
}

/// The document to evaluate, the subject it is about, and the digest of its bytes.
pub(crate) struct LoadedInput {
    pub(crate) input: PolicyInput,
    /// The bytes as read (or collected, or re-encoded with verification outcomes); their
    /// sha256 is `digest`. `None` when they were let go ([`ReadAhead::start`]).
    pub(crate) bytes: Option<Arc<[u8]>>,
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
            let checked = ahead.finish(verification.limits)?;
            load_checked(&ahead.path, checked, ahead.keep, verification)
        }
    }
}

/// Puts the verified parts of `model` into the document as read: its other members (unknown
/// ones included, and the `raw` documents) stay as written ([`Members::splice`]). A document
/// whose `raw` documents were let go is read again for it; only its digest is kept.
fn rewrite(
    loaded: &mut LoadedInput,
    model: &Evidence,
    outline: Option<&Outline>,
    whole: &Whole<'_>,
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
    let (bytes, without_raw) = match whole {
        Whole::Held(bytes) => Members::new(bytes, outline).splice(&replace, &model.raw)?,
        Whole::Left { path, .. } => {
            let bytes = whole.bytes(verification.limits)?;
            let outline = Outline::scan(path, &bytes, verification.limits, &["raw"])?;
            Members::new(&bytes, outline.as_ref()).splice(&replace, &model.raw)?
        }
    };
    loaded.digest = Sha256Digest::of(&bytes).to_string();
    if let Whole::Held(_) = whole {
        loaded.input = policy_input(bytes.clone(), Some(&without_raw), verification.engines);
        loaded.bytes = Some(bytes);
    } else {
        // The policies do not reach `raw` (or it would not have been let go).
        loaded.input = policy_input(without_raw.into(), None, verification.engines);
        loaded.bytes = None;
    }
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
        bytes: Some(bytes),
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
    let read = checked(path, &bytes, verification.limits, |outline| {
        read_evidence(&bytes, outline, digest, verification.engines)
    })?;
    finish_evidence(path, read, Whole::Held(bytes), verification)
}

/// Reads an Evidence document that was read ahead and checked whole ([`ReadAhead`]).
///
/// Unless the whole document is to be kept, the `raw` documents that nothing reads are let go
/// before the model and the engines' part are built ([`cut_raw`]): a collected document's
/// `raw` is most of its bytes, and holding them while the rest is parsed and evaluated was
/// most of what it cost in memory. What needs the whole document afterwards reads it again
/// and uses it only if it is the same ([`Whole::Left`]).
fn load_checked(
    path: &Path,
    checked: Checked,
    keep: bool,
    verification: &EvidenceVerification<'_>,
) -> Result<LoadedInput, GateError> {
    let Checked {
        bytes,
        digest,
        outline,
    } = checked;
    tracing::debug!(bytes = bytes.len(), "read and checked the evidence");
    // Standard input cannot be read again.
    let cut = match keep || path == Path::new("-") {
        true => None,
        false => cut_raw(&bytes, outline.as_ref(), verification.engines),
    };
    let Some(cut) = cut else {
        let read = read_evidence(&bytes, outline, Some(digest.clone()), verification.engines);
        return finish_evidence(path, read, Whole::Held(bytes), verification);
    };
    drop(bytes);
    let read = read_evidence(&cut, None, Some(digest.clone()), verification.engines);
    finish_evidence(path, read, Whole::Left { path, digest }, verification)
}

/// The document without the `raw` documents nothing will read, when there are some to leave
/// out: the policies do not reach `raw` (the engines are handed none of it), and the verifier
/// re-reads only the documents of attestation sources. `None`: keep the whole document (also
/// whenever its `sources` do not read as the contract's, so that the model reports why).
fn cut_raw(
    bytes: &Arc<[u8]>,
    outline: Option<&Outline>,
    engines: Engines<'_>,
) -> Option<Arc<[u8]>> {
    let reach = engines.reach?;
    if reach.field("raw").is_some() {
        return None;
    }
    let members = Members::new(bytes, outline);
    let sources: Vec<Source> = serde_json::from_slice(members.member_text("sources")?).ok()?;
    let read_back: BTreeSet<String> = sources
        .iter()
        .enumerate()
        .filter(|(_, source)| is_attestation_source(source))
        .map(|(index, _)| index.to_string())
        .collect();
    members.keeping_raw(|name| read_back.contains(name))?.ok()
}

/// The contract's checks of what was read, then verification: the model's `apiVersion`, then
/// its attestations and approvals verified and the outcomes recorded in the document.
fn finish_evidence(
    path: &Path,
    read: ReadEvidence,
    whole: Whole<'_>,
    verification: &EvidenceVerification<'_>,
) -> Result<LoadedInput, GateError> {
    let ReadEvidence {
        digest,
        model,
        input,
        outline,
    } = read;
    let evidence = match model {
        Ok(evidence) => evidence,
        Err(err) => return Err(model_error(path, &err, &whole, verification.limits)),
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
        bytes: None,
        digest,
        model: None,
    };
    if changed {
        rewrite(
            &mut loaded,
            &evidence,
            outline.as_ref(),
            &whole,
            verification,
        )?;
        tracing::debug!("recorded the verification outcomes");
    } else {
        loaded.bytes = whole.held();
    }
    loaded.model = Some(evidence);
    Ok(loaded)
}

/// The error of a document that is not an Evidence v1 document, at its place in the whole
/// document (read again if it was cut).
fn model_error(
    path: &Path,
    err: &serde_json::Error,
    whole: &Whole<'_>,
    limits: &Limits,
) -> GateError {
    let Whole::Left { .. } = whole else {
        return invalid_evidence(path, err);
    };
    match whole.bytes(limits) {
        Ok(bytes) => match serde_json::from_slice::<Evidence>(&bytes) {
            Err(whole_err) => invalid_evidence(path, &whole_err),
            Ok(_) => invalid_evidence(path, err),
        },
        Err(changed) => changed,
    }
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
        bytes: Some(document.bytes.into()),
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
