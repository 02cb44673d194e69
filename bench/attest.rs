//! Micro-benchmarks: signing and verifying stagegate attestations, through the library API.
//!
//! Whole-program figures (`stagegate gate` and `stagegate verify` as processes) are in
//! `bench/ATTEST.md`, measured with `bench/attest.sh`; evaluation benchmarks live in
//! `bench/evaluate.rs`.
//!
//!     cargo bench --bench attest
//!
//! Setup (reading keys, decrypting them, building the decision) is outside the timed closures.
//! Benchmarks, named after their input:
//!
//! - `verify/vsa-p256`, `verify/vsa-ed25519`: [`stagegate::verify::Verifier`] on a signed VSA
//!   bundle (parse, signature over the PAE, statement, the stage policy with max age): what
//!   `stagegate verify`, the promotion chain and the webhook pay per bundle.
//! - `verify/decision-p256`: the same for the (larger) decision bundle, predicate-type rule.
//! - `sign/gate-p256`, `sign/gate-ed25519`: what signing adds to a gate: build the VSA and the
//!   decision statements, serialise, sign both, render both bundles as JSON.
//! - `verify/keyless-npm-provenance`: a real keyless bundle (npm provenance of sigstore@2.0.0,
//!   bundle v0.1, Fulcio certificate, Rekor v1 entry) parsed and verified by the
//!   [`stagegate::verify::Verifier`] built once (embedded public-good root): sigstore-verify's
//!   chain, SCT, SET, inclusion proof and DSSE signature, then our identity match.
//! - `keys/decrypt-cosign-p256`: loading the encrypted key (scrypt N = 2^16), once per gate.
//! - `evidence/verify-20-p256`: what verifying a promotion's attestations adds to `collect`
//!   and `gate`: 20 key-signed provenance bundles under an Evidence document's `raw`, re-read
//!   and verified by [`stagegate::verify::evidence::check_evidence`] with a three-key trust.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use stagegate::attest::keys::SigningKey;
use stagegate::attest::sign_statement;
use stagegate::attest::statement::{ResourceDescriptor, Statement};
use stagegate::attest::vsa::{
    DECISION_PREDICATE_TYPE, DecisionPredicate, InputAttestation, VSA_PREDICATE_TYPE,
    VerificationSummary,
};
use stagegate::decision::{Decision, DecisionContext, Finding, RuleInfo, Severity};
use stagegate::evidence::InputKind;
use stagegate::evidence::signed::add_attestation_document;
use stagegate::evidence::{Digest, Evidence, Subject};
use stagegate::limits::Limits;
use stagegate::verify::evidence::check_evidence;
use stagegate::verify::{
    CheckedBundle, Matcher, Purpose, Rule, Trust, TrustedIdentity, TrustedKey, VerificationPolicy,
    Verifier, verify_bytes,
};

const SUBJECT: &str = "42b421093370e81c12e4f1bed9b9259346d7315a700e07f90a0cdd3e11b76471";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn key(name: &str) -> SigningKey {
    let text = fs_err::read_to_string(root().join("testdata/keys").join(name)).unwrap();
    SigningKey::from_pem(&text, b"stagegate-test").unwrap()
}

/// A decision like the starter library's `prod` gate: 40 rules, 3 warnings.
fn decision() -> Decision {
    let now = chrono::Utc::now();
    let rules = (0..40)
        .map(|i| RuleInfo {
            id: format!("baseline.rule_{i}"),
            engine: stagegate::decision::Engine::Rego,
            source: None,
            title: Some(format!("Rule {i}")),
            description: Some("What the rule checks, in a sentence or two.".into()),
            severity: Severity::High,
            warning: false,
            metadata: Default::default(),
        })
        .collect();
    let warnings = (0..3)
        .map(|i| Finding {
            rule: format!("baseline.rule_{i}"),
            message: format!("component {i} has no purl"),
            severity: Severity::Medium,
            source: None,
            title: None,
            details: Default::default(),
        })
        .collect();
    Decision::new(
        DecisionContext {
            stage: "prod".into(),
            subject: Subject {
                name: "registry.example.com/shop/api".into(),
                digest: Digest {
                    sha256: SUBJECT.into(),
                    other: Default::default(),
                },
            },
            promotion_id: "0193a0c0-0000-7000-8000-000000000000".into(),
            evaluated_at: now,
            effective_time: now,
            policy_digest: format!("sha256:{}", "7".repeat(64)),
            evidence_digest: format!("sha256:{}", "e".repeat(64)),
            fail_on_warn: false,
        },
        rules,
        Vec::new(),
        warnings,
    )
}

fn inputs() -> Vec<InputAttestation> {
    (0..4)
        .map(|i| InputAttestation {
            uri: format!("chain/input-{i}.sigstore.json"),
            digest: [("sha256".to_owned(), format!("{i}").repeat(64))].into(),
        })
        .collect()
}

/// Signs the two statements a gate signs; returns (VSA bundle, decision bundle) JSON.
fn sign_gate(decision: &Decision, key: &SigningKey) -> (String, String) {
    let subject = ResourceDescriptor::sha256(&decision.subject.name, SUBJECT);
    let vsa = Statement::new(
        subject.clone(),
        VSA_PREDICATE_TYPE,
        VerificationSummary::of(decision, "stagegate.yaml#stages.prod", inputs()),
    );
    let predicate = DecisionPredicate {
        decision: decision.clone(),
        sources: Vec::new(),
        input_attestations: inputs(),
        attestations: Vec::new(),
        audit_head: None,
        effective_time_override: None,
    };
    let statement = Statement::new(subject, DECISION_PREDICATE_TYPE, predicate);
    (
        sign_statement(&vsa, key).unwrap().to_json().unwrap(),
        sign_statement(&statement, key).unwrap().to_json().unwrap(),
    )
}

fn benches(c: &mut Criterion) {
    let decision = decision();
    let keys = [("p256", key("gate.key")), ("ed25519", key("ed25519.key"))];
    let stage_policy = VerificationPolicy::stage_result(
        SUBJECT,
        "prod",
        Some((Duration::from_secs(86_400), chrono::Utc::now())),
        None,
    );
    let decision_policy = VerificationPolicy::builder()
        .rule(Rule::PredicateType(DECISION_PREDICATE_TYPE.into()))
        .rule(Rule::Subject {
            algorithm: "sha256".into(),
            value: SUBJECT.into(),
        })
        .build()
        .unwrap();
    for (name, signing) in &keys {
        let verifier = Verifier::new(&Trust::with_keys(vec![TrustedKey::for_results(
            *name,
            signing.public_key(),
        )]));
        let verify = |bytes: &[u8], policy: &VerificationPolicy| {
            verify_bytes(&verifier, bytes, Purpose::Results, Some("prod"), policy).unwrap()
        };
        let (vsa, decision_bundle) = sign_gate(&decision, signing);
        verify(vsa.as_bytes(), &stage_policy);
        verify(decision_bundle.as_bytes(), &decision_policy);
        c.bench_function(&format!("verify/vsa-{name}"), |b| {
            b.iter(|| verify(vsa.as_bytes(), &stage_policy))
        });
        if *name == "p256" {
            c.bench_function("verify/decision-p256", |b| {
                b.iter(|| verify(decision_bundle.as_bytes(), &decision_policy))
            });
        }
        c.bench_function(&format!("sign/gate-{name}"), |b| {
            b.iter(|| sign_gate(&decision, signing))
        });
    }
    let (evidence, verifier) = evidence_with_signed_attestations(20);
    let checked = check_evidence(&evidence, &verifier, Some("prod"), &Limits::default()).unwrap();
    assert!(checked.attestations.unwrap().iter().all(|a| a.verified));
    c.bench_function("evidence/verify-20-p256", |b| {
        b.iter(|| check_evidence(&evidence, &verifier, Some("prod"), &Limits::default()).unwrap())
    });
    let npm = fs_err::read(root().join(
        "testdata/corpus/slsa-provenance/bundle-v0.1-dsse-statement-v1-slsa-v1-npm-sigstorejs.sigstore.json",
    ))
    .unwrap();
    let keyless = Verifier::new(&Trust {
        identities: vec![TrustedIdentity {
            purposes: vec![Purpose::Provenance],
            ..TrustedIdentity::for_anything(
                Matcher::Exact(
                    "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
                        .into(),
                ),
                Some(Matcher::Exact(
                    "https://token.actions.githubusercontent.com".into(),
                )),
            )
        }],
        ..Trust::default()
    });
    let verify_keyless = || {
        let document = CheckedBundle::from_json(&npm).unwrap();
        keyless.verify_evidence(&document, Some("prod")).unwrap()
    };
    verify_keyless();
    c.bench_function("verify/keyless-npm-provenance", |b| b.iter(verify_keyless));
    let text = fs_err::read_to_string(root().join("testdata/keys/gate.key")).unwrap();
    let mut group = c.benchmark_group("keys");
    group.sample_size(10);
    group.bench_function("decrypt-cosign-p256", |b| {
        b.iter(|| SigningKey::from_pem(&text, b"stagegate-test").unwrap())
    });
    group.finish();
}

/// An Evidence document with `n` SLSA provenance bundles signed by the builder key, and a
/// verifier trusting the builder for provenance beside two other keys.
fn evidence_with_signed_attestations(n: usize) -> (Evidence, Verifier) {
    let builder = key("builder.key");
    let mut evidence = Evidence {
        api_version: stagegate::evidence::EVIDENCE_API_VERSION.into(),
        subject: Subject {
            name: "registry.example.com/shop/api".into(),
            digest: Digest {
                sha256: SUBJECT.into(),
                other: Default::default(),
            },
        },
        ..Evidence::default()
    };
    for i in 0..n {
        let statement = Statement::new(
            ResourceDescriptor::sha256("registry.example.com/shop/api", SUBJECT),
            "https://slsa.dev/provenance/v1",
            serde_json::json!({"buildDefinition": {"buildType": "https://example.com/build/v1",
                "externalParameters": {"step": i}}, "runDetails": {"builder": {"id": "https://example.com/builder"}}}),
        );
        let bundle = sign_statement(&statement, &builder)
            .unwrap()
            .to_json()
            .unwrap();
        add_attestation_document(
            &mut evidence,
            InputKind::Attestation,
            &format!("out/provenance-{i}.sigstore.json"),
            bundle.as_bytes(),
            &Limits::default(),
        )
        .unwrap();
    }
    let scoped = |name: &str, purposes: Vec<Purpose>| TrustedKey {
        purposes,
        ..TrustedKey::for_results(name, key(&format!("{name}.key")).public_key())
    };
    let trust = Trust::with_keys(vec![
        scoped("gate", vec![Purpose::Results]),
        scoped("other", vec![Purpose::Sbom]),
        scoped("builder", vec![Purpose::Provenance]),
    ]);
    (evidence, Verifier::new(&trust))
}

criterion_group!(attest, benches);
criterion_main!(attest);
