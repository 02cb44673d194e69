//! The fuzz targets: one test per parser family of untrusted input. A target may return any
//! error; it must not panic, and what it accepts must hold together (collected evidence reads
//! back as Evidence; an accepted AdmissionReview yields a pod spec or a denial).

use std::path::Path;
use std::sync::Arc;

use super::{fuzz, seeds, testdata};
use crate::attest::keys::{PublicKey, SigningKey};
use crate::evidence::{CollectRequest, Evidence, SubjectSpec, collect};
use crate::limits::Limits;
use crate::policy::PolicyInput;
use crate::verify::{
    CheckedBundle, Purpose, Trust, TrustedKey, VerificationPolicy, Verifier, verify_bytes,
};

const SUBJECT: &str = "registry.example.com/app@sha256:1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82";
const DIGEST: &str = "1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82";

/// Small limits, so that mutations that grow documents stay fast.
fn limits() -> Limits {
    Limits {
        max_file_bytes: 4 * 1024 * 1024,
        max_depth: 64,
    }
}

/// Collects `input` written to a file as one kind of input, and checks that the evidence
/// collected reads back as Evidence.
fn collect_as(kind: &str, dir: &Path, input: &[u8]) {
    let path = dir.join("input");
    if fs_err::write(&path, input).is_err() {
        return;
    }
    let Ok(subject) = SUBJECT.parse::<SubjectSpec>() else {
        return;
    };
    let builder = CollectRequest::builder(subject)
        .limits(limits())
        .collected_at("2026-11-27T12:00:00Z");
    let request = match kind {
        "sbom" => builder.sbom(&path),
        "scan" => builder.scan(&path),
        "tests" => builder.tests(&path),
        "attestation" => builder.attestation(&path),
        _ => builder.approval(&path),
    }
    .build();
    if let Ok(evidence) = collect(&request) {
        let bytes = evidence
            .to_json_bytes()
            .unwrap_or_else(|e| panic!("collected evidence does not serialise: {e}"));
        if let Err(err) = serde_json::from_slice::<Evidence>(&bytes) {
            panic!("collected evidence does not read back: {err}");
        }
    }
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"))
}

#[test]
fn fuzz_collect_sbom() {
    let dir = temp();
    fuzz(
        "collect_sbom",
        seeds(
            "collect_sbom",
            &["corpus/cyclonedx", "corpus/spdx"],
            &[".json"],
        ),
        |input| collect_as("sbom", dir.path(), input),
    );
}

#[test]
fn fuzz_collect_scan() {
    let dir = temp();
    fuzz(
        "collect_scan",
        seeds(
            "collect_scan",
            &["corpus/grype", "corpus/trivy", "corpus/sarif", "collect"],
            &[".json", ".sarif"],
        ),
        |input| collect_as("scan", dir.path(), input),
    );
}

#[test]
fn fuzz_collect_tests() {
    let dir = temp();
    fuzz(
        "collect_tests",
        seeds("collect_tests", &["corpus/junit", "hostile"], &[".xml"]),
        |input| collect_as("tests", dir.path(), input),
    );
}

#[test]
fn fuzz_collect_attestations() {
    let dir = temp();
    fuzz(
        "collect_attestations",
        seeds(
            "collect_attestations",
            &[
                "corpus/attestations",
                "corpus/sigstore",
                "corpus/slsa-provenance",
                "fuzz/seeds",
            ],
            &[".json", ".jsonl"],
        ),
        |input| collect_as("attestation", dir.path(), input),
    );
}

#[test]
fn fuzz_collect_approvals() {
    let dir = temp();
    fuzz(
        "collect_approvals",
        seeds("collect_approvals", &["collect"], &[".yaml"]),
        |input| collect_as("approval", dir.path(), input),
    );
}

/// The `--input` and `--evidence` loaders, and both engine forms of the input.
#[test]
fn fuzz_evidence_and_input_loaders() {
    fuzz(
        "input_loaders",
        seeds(
            "input_loaders",
            &["evidence", "inputs", "hostile"],
            &[".json", ".yaml"],
        ),
        |input| {
            let _ = crate::document::parse_document(Path::new("input.json"), input, &limits());
            if crate::limits::check_depth(Path::new("e.json"), input, &limits()).is_ok() {
                let _ = serde_json::from_slice::<Evidence>(input);
                let policy_input = PolicyInput::from_json_text(Arc::<[u8]>::from(input));
                let _ = policy_input.json();
                let _ = policy_input.rego();
            }
        },
    );
}

/// The starter library's prod stage (`stagegate.yaml`), Rego and CEL.
fn prod_policies() -> crate::policy::PolicySet {
    let config =
        crate::config::stages::Config::load(&testdata().join("../stagegate.yaml"), &limits())
            .unwrap_or_else(|e| panic!("{e}"));
    let stage = config.stage("prod").unwrap_or_else(|e| panic!("{e}"));
    crate::policy::PolicySet::load_stage(stage, &config.base_dir, &limits())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Pruning (`policy::reach`): mutated evidence evaluated by the prod stage, pruned and whole,
/// gives the same decision (or the same error).
#[test]
fn fuzz_pruned_evaluation() {
    let set = prod_policies();
    let context = crate::policy::reach::equivalence::context("prod");
    fuzz(
        "pruned_evaluation",
        seeds("pruned_evaluation", &["evidence"], &[".json"]),
        |input| {
            // The input checks every loader makes of the whole document come first.
            if crate::limits::check_depth(Path::new("e.json"), input, &limits()).is_ok()
                && crate::document::find_duplicate_keys(input).is_ok()
            {
                let input = PolicyInput::from_json_text(Arc::<[u8]>::from(input));
                crate::policy::reach::equivalence::assert_same(&set, &input, &context, "mutated");
            }
        },
    );
}

/// Reading an Evidence document by its members (`gate/members.rs`): the model read from every
/// member but `raw` (raw documents as slices) is the model read from the whole document, the
/// engines' part cut from it is the part cut from the whole, and splicing nothing in gives
/// the same document.
#[test]
fn fuzz_evidence_members() {
    let reach = prod_policies().reach().clone();
    fuzz(
        "evidence_members",
        seeds("evidence_members", &["evidence", "collect"], &[".json"]),
        |input| {
            let path = Path::new("e.json");
            let scanned = crate::outline::Outline::scan(path, input, &limits(), &["raw"]);
            let whole = crate::document::find_duplicate_keys(input).map_err(|e| e.to_string());
            // One pass checks and outlines as the two passes do.
            if let Ok(text) = std::str::from_utf8(input) {
                let checked = crate::outline::checked::check_and_outline(text, &["raw"]);
                let checked = checked.map_err(|e| e.to_string());
                assert_eq!(checked.as_ref().map(|_| ()), whole.as_ref().map(|_| ()));
                if let (Ok(Some(checked)), Ok(scanned)) = (&checked, &scanned) {
                    assert_eq!(Some(checked), scanned.as_ref());
                }
            }
            let Ok(outline) = scanned else {
                return;
            };
            if whole.is_err() {
                return;
            }
            let bytes = Arc::<[u8]>::from(input);
            let engines = crate::gate::input::Engines {
                reach: Some(&reach),
                parse_ahead: false,
            };
            let read = crate::gate::input::read_evidence(&bytes, outline.clone(), None, engines);
            let whole = serde_json::from_slice::<Evidence>(input);
            match (&read.model, &whole) {
                (Ok(parts), Ok(whole)) => assert_eq!(parts, whole),
                (Err(parts), Err(whole)) => assert_eq!(parts.to_string(), whole.to_string()),
                (parts, whole) => panic!("by members {parts:?}, whole {whole:?}"),
            }
            let whole_input = PolicyInput::from_json_text(bytes.clone());
            assert_eq!(
                read.input.pruned(&reach).json().ok(),
                whole_input.pruned(&reach).json().ok()
            );
            let members = crate::gate::members::Members::new(&bytes, outline.as_ref());
            // Leaving out raw documents changes nothing else.
            if let Some(cut) = members.keeping_raw(|name| name.len() % 2 == 0) {
                let cut = cut.unwrap_or_else(|e| panic!("{e}"));
                let value = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).ok();
                let (mut cut, mut whole) = (value(&cut), value(input));
                for document in [&mut cut, &mut whole].into_iter().flatten() {
                    if let Some(raw) = document.get_mut("raw").and_then(|r| r.as_object_mut()) {
                        raw.retain(|name, _| name.len() % 2 == 0);
                    }
                }
                assert_eq!(cut, whole);
            }
            let raw = match members.raw_documents() {
                Some(Ok(raw)) => raw,
                _ => return,
            };
            let (spliced, _) = members.splice(&[], &raw).unwrap_or_else(|e| panic!("{e}"));
            let value = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).ok();
            assert_eq!(value(&spliced), value(input));
        },
    );
}

#[test]
fn fuzz_stagegate_yaml() {
    let mut inputs = seeds("stagegate_yaml", &["waivers"], &["stagegate.yaml"]);
    inputs.extend(fs_err::read(testdata().join("../stagegate.yaml")));
    fuzz("stagegate_yaml", inputs, |input| {
        let text = String::from_utf8_lossy(input);
        let _ = crate::config::stages::Config::parse(&testdata().join("stagegate.yaml"), &text);
    });
}

#[test]
fn fuzz_admission_yaml() {
    let dir = temp();
    let _ = fs_err::copy(
        testdata().join("keys/gate.pub"),
        dir.path().join("gate.pub"),
    );
    fuzz(
        "admission_yaml",
        seeds("admission_yaml", &["fuzz/seeds"], &[".yaml"]),
        |input| {
            let path = dir.path().join("admission.yaml");
            if fs_err::write(&path, input).is_ok() {
                let _ = crate::serve::config::Policy::load(&path);
            }
        },
    );
}

#[test]
fn fuzz_admission_review() {
    fuzz(
        "admission_review",
        seeds(
            "admission_review",
            &["fuzz/seeds"],
            &["admission-review-pod.json", "admission-review-cronjob.json"],
        ),
        |input| {
            use crate::serve::admission::{Request, images, pod_spec};
            if let Ok(request) = Request::parse(input)
                && let Some(spec) = request
                    .object
                    .as_ref()
                    .and_then(|o| pod_spec(&request.kind, o))
            {
                let _ = images(spec);
            }
        },
    );
}

#[test]
fn fuzz_waiver_file() {
    fuzz(
        "waiver_file",
        seeds("waiver_file", &["waivers"], &[".yaml"]),
        |input| {
            let text = String::from_utf8_lossy(input);
            let origin = crate::config::waivers::WaiverOrigin {
                path: Path::new("waivers.yaml"),
                file: "waivers.yaml",
                signed_by: None,
            };
            let _ = crate::config::waivers::read_waiver_file(
                &text,
                &origin,
                &["dev", "staging", "prod"],
            );
        },
    );
}

fn gate_key() -> (SigningKey, Verifier) {
    let text = fs_err::read_to_string(testdata().join("keys/gate.key")).unwrap_or_default();
    let key = SigningKey::from_pem(&text, b"").unwrap_or_else(|_| SigningKey::generate_p256());
    let public: PublicKey = key.public_key();
    (
        key,
        Verifier::new(&Trust::with_keys(vec![TrustedKey::for_anything(
            "gate", public,
        )])),
    )
}

fn stage_policy() -> VerificationPolicy {
    VerificationPolicy::stage_result(
        DIGEST,
        "dev",
        Some((
            std::time::Duration::from_secs(30 * 86_400),
            chrono::Utc::now(),
        )),
        Some("sha256:cd"),
    )
}

/// Bundles and DSSE envelopes as they come: parsing and signature checks.
#[test]
fn fuzz_bundles() {
    let (key, trusted) = gate_key();
    let mut inputs = seeds(
        "bundles",
        &["corpus/sigstore", "corpus/attestations"],
        &[".json"],
    );
    for statement in seeds("bundles_statements", &["fuzz/seeds"], &["-statement.json"]) {
        let envelope =
            crate::attest::dsse::Envelope::sign(crate::wire::IN_TOTO_PAYLOAD_TYPE, statement, &key);
        let bundle = crate::attest::bundle::Bundle::for_envelope(envelope, &key.public_key());
        inputs.extend(bundle.to_json().ok().map(String::into_bytes));
    }
    let policy = stage_policy();
    fuzz("bundles", inputs, |input| {
        let _ = crate::attest::bundle::SignedDocument::from_json(input);
        let _ = verify_bytes(&trusted, input, Purpose::Results, Some("dev"), &policy);
        if let Ok(bundle) = CheckedBundle::from_json(input) {
            let _ = trusted.verify_evidence(&bundle, Some("dev"));
        }
    });
}

/// Statements re-signed with the trusted key after mutation, so that verification gets past
/// the signature to the statement and the policy checks.
#[test]
fn fuzz_signed_statements() {
    let (key, trusted) = gate_key();
    let policy = stage_policy();
    let mut inputs = seeds("signed_statements", &["fuzz/seeds"], &["-statement.json"]);
    inputs.extend(seeds(
        "signed_statements_corpus",
        &["corpus/slsa-provenance"],
        &[".json"],
    ));
    fuzz("signed_statements", inputs, |statement| {
        let envelope = crate::attest::dsse::Envelope::sign(
            crate::wire::IN_TOTO_PAYLOAD_TYPE,
            statement.to_vec(),
            &key,
        );
        let bundle = crate::attest::bundle::Bundle::for_envelope(envelope, &key.public_key());
        if let Ok(json) = bundle.to_json() {
            let _ = verify_bytes(
                &trusted,
                json.as_bytes(),
                Purpose::Results,
                Some("dev"),
                &policy,
            );
        }
    });
}
