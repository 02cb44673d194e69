//! `stagegate serve`: a Kubernetes ValidatingAdmissionWebhook over HTTPS (rustls).
//!
//! For each AdmissionReview ([`admission`]) of a Pod or a workload that creates Pods, every
//! container, initContainer and ephemeral container image must be pinned by digest (or, with
//! `resolve_tags`, is resolved to one, once, through [`crate::oci`]) and carry an attestation
//! that [`crate::verify`] accepts: a stagegate VSA for that digest, for the stage mapped to the
//! namespace ([`config`]), `PASSED`, signed by a trusted key, and withdrawn by no revocation
//! (in the config, or signed and attached as a referrer). Age is judged where a digest is
//! introduced ([`judge`]): a workload or an unowned Pod created, or an image new to an UPDATE's
//! pod template, needs a result younger than `max_age` (an image-changing UPDATE of a workload
//! may instead be a rollback, within `rollback.window`: admitted with a warning); a
//! controller-made object or an image an UPDATE keeps needs no age (`running_max_age` may bound
//! it). What verified is cached ([`cache`]) by (digest, stage, trust digest); ages are judged
//! per request. Every answer carries `auditAnnotations` (`stage`, `subject`, `promotion-id`,
//! `decision`). Fail closed: a registry error, a timeout or an unknown kind is a denial; a
//! malformed review is a 400.
//!
//! Endpoints: `POST /validate` (any POST path), `/healthz`, `/readyz`, `/metrics`
//! ([`metrics`]). The config reloads on SIGHUP and when its file changes (polled every
//! second); requests in flight finish under the policy they started with.

pub mod admission;
pub mod cache;
pub mod config;
pub mod judge;
pub mod metrics;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request as HttpRequest, Response as HttpResponse, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tracing::Instrument as _;

use self::admission::{Request, ResponseReview, controller_owned, images, pod_spec};
use self::cache::{Cache, InFlight, Key, Outcome};
use self::config::{ConfigError, Mode, Policy, Unmapped};
use self::judge::{Ages, Facts, Introduction, Verdict, judge};
use self::metrics::Metrics;
use crate::attest::revocation::REVOCATION_PREDICATE_TYPE;
use crate::attest::vsa::VSA_PREDICATE_TYPE;
use crate::oci::{Pinned, Registry, parse_reference};
use crate::verify::candidate::Candidate;
use crate::verify::policy::humanize;
use crate::verify::revocation::Revoked;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The admission configuration.
    #[error(transparent)]
    Config(#[from] Box<ConfigError>),
    /// The TLS certificate or key.
    #[error("cannot load the TLS material `{path}`: {message}")]
    Tls {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Binding or running the listener.
    #[error("cannot listen on `{addr}`")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The server's settings, frozen once built.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The admission configuration file.
    pub config: PathBuf,
    /// The server certificate chain (PEM).
    pub tls_cert: PathBuf,
    /// The server key (PEM).
    pub tls_key: PathBuf,
    /// Where to listen.
    pub listen: SocketAddr,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// The time limit for answering one review.
    pub timeout: Duration,
    /// The registry client.
    pub registry: Registry,
}

/// Where [`State::check`] looks for attestations, in order.
#[derive(Clone, Copy)]
enum Pass {
    /// Referrers listed as VSAs (or not saying what they hold).
    Referrers,
    /// Cosign's legacy `.att` tag.
    Cosign,
}

/// Shared state of a running server.
#[derive(Debug)]
pub struct State {
    policy: RwLock<Arc<Policy>>,
    cache: Cache,
    inflight: InFlight,
    /// Signed revocations seen, by (digest hex, stage): honoured under every image name of the
    /// digest, whatever the cache holds, until the next reload.
    seen: RwLock<HashMap<(String, String), Revoked>>,
    /// Counters for `/metrics`.
    pub metrics: Metrics,
    registry: Registry,
    settings: Settings,
}

impl State {
    /// Loads the configuration.
    pub fn new(settings: Settings) -> Result<Arc<State>, ServeError> {
        let policy = Policy::load(&settings.config).map_err(Box::new)?;
        Ok(Arc::new(State {
            policy: RwLock::new(Arc::new(policy)),
            cache: Cache::default(),
            inflight: InFlight::default(),
            seen: RwLock::default(),
            metrics: Metrics::default(),
            registry: settings.registry.clone(),
            settings,
        }))
    }

    fn policy(&self) -> Arc<Policy> {
        self.policy
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Re-reads the configuration; on error the old one stays and the error is logged.
    pub fn reload(&self) {
        match Policy::load(&self.settings.config) {
            Ok(policy) => {
                *self.policy.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(policy);
                self.cache.clear();
                self.seen.write().unwrap_or_else(|p| p.into_inner()).clear();
                Metrics::inc(&self.metrics.reloads);
                tracing::info!(target: LIFECYCLE_TARGET, "reloaded `{}`", self.settings.config.display());
            }
            Err(err) => tracing::error!(
                "keeping the previous configuration: {}",
                crate::errors::error_chain(&err)
            ),
        }
    }

    /// Answers one AdmissionReview body: `(status, body)`.
    pub async fn review(self: &Arc<Self>, body: &[u8]) -> (StatusCode, Vec<u8>) {
        Metrics::inc(&self.metrics.requests);
        let request = match Request::parse(body) {
            Ok(request) => request,
            Err(err) => {
                Metrics::inc(&self.metrics.bad_requests);
                let message = crate::errors::error_chain(&err);
                tracing::warn!("bad request: {message}");
                return (StatusCode::BAD_REQUEST, message.into_bytes());
            }
        };
        let span = tracing::info_span!("review", uid = %request.uid, kind = %request.kind, namespace = %request.namespace);
        let policy = self.policy();
        // A span entered across an await would leak into other tasks; instrument instead.
        let decision = self.decide(&request, &policy).instrument(span.clone());
        let response = match tokio::time::timeout(self.settings.timeout, decision).await {
            Ok(response) => response,
            Err(_) => {
                Metrics::inc(&self.metrics.denied);
                tracing::warn!("timed out: denied");
                ResponseReview::deny(
                    &request.uid,
                    format!(
                        "stagegate: verification did not finish within {:?}",
                        self.settings.timeout
                    ),
                )
                .annotated(decision_only("denied"))
            }
        };
        let bytes = serde_json::to_vec(&response).unwrap_or_default();
        (StatusCode::OK, bytes)
    }

    async fn decide(self: &Arc<Self>, request: &Request, policy: &Arc<Policy>) -> ResponseReview {
        let uid = &request.uid;
        if request.operation == "DELETE" || request.operation == "CONNECT" {
            Metrics::inc(&self.metrics.allowed);
            return ResponseReview::allow(uid, Vec::new());
        }
        let Some(object) = &request.object else {
            Metrics::inc(&self.metrics.denied);
            return ResponseReview::deny(uid, "stagegate: the request has no object".to_owned());
        };
        let Some(spec) = pod_spec(&request.kind, object) else {
            Metrics::inc(&self.metrics.denied);
            return ResponseReview::deny(
                uid,
                format!(
                    "stagegate: cannot read a pod template from kind `{}` (checked: {})",
                    request.kind,
                    admission::KINDS.join(", ")
                ),
            )
            .annotated(decision_only("denied"));
        };
        let uses = match images(spec) {
            Ok(uses) => uses,
            Err(message) => {
                Metrics::inc(&self.metrics.denied);
                return ResponseReview::deny(uid, format!("stagegate: {message}"));
            }
        };
        let Some(rule) = policy.namespaces.get(&request.namespace) else {
            return match policy.unmapped {
                Unmapped::Allow => {
                    Metrics::inc(&self.metrics.allowed);
                    ResponseReview::allow(uid, Vec::new()).annotated(decision_only("allowed"))
                }
                Unmapped::Deny => {
                    Metrics::inc(&self.metrics.denied);
                    ResponseReview::deny(
                        uid,
                        format!(
                            "stagegate: namespace `{}` is mapped to no stage",
                            request.namespace
                        ),
                    )
                    .annotated(decision_only("denied"))
                }
            };
        };
        // Each distinct image once (in order of first use), all of them concurrently.
        let mut distinct: Vec<&str> = Vec::new();
        for image_use in &uses {
            if !distinct.contains(&image_use.image.as_str()) {
                distinct.push(&image_use.image);
            }
        }
        let mut checks = tokio::task::JoinSet::new();
        for image in &distinct {
            let (state, image, stage, policy) = (
                self.clone(),
                (*image).to_owned(),
                rule.stage.clone(),
                policy.clone(),
            );
            checks.spawn(
                async move {
                    let checked = state.check(&image, &stage, &policy).await;
                    (image, checked)
                }
                .instrument(tracing::Span::current()),
            );
        }
        let mut checked = HashMap::new();
        while let Some(joined) = checks.join_next().await {
            if let Ok((image, outcome)) = joined {
                checked.insert(image, outcome);
            }
        }
        let introductions = Introductions::of(request, object);
        let ages = Ages {
            max_age: policy.max_age,
            running_max_age: policy.running_max_age,
            rollback_window: rule.rollback_window,
        };
        let now = chrono::Utc::now();
        let mut verdicts: HashMap<&str, (Option<String>, Verdict)> = HashMap::new();
        for image in &distinct {
            let verdict = match checked.remove(*image) {
                None => (None, Verdict::Denied("the check did not finish".to_owned())),
                Some(Checked { pinned, outcome }) => {
                    let verdict = match (&pinned, outcome) {
                        (_, Err(reason)) => Verdict::Denied(reason),
                        (None, Ok(_)) => Verdict::Denied("not pinned".to_owned()),
                        (Some(pinned), Ok(facts)) => {
                            let hex = pinned.hex();
                            let configured = policy.revoked(&rule.stage, hex);
                            let seen = self.seen_revocation(hex, &rule.stage);
                            let mut others = vec![&configured];
                            others.extend(seen.as_ref());
                            judge(&facts, &others, introductions.of_image(image), &ages, now)
                        }
                    };
                    (pinned.map(|p| p.display()), verdict)
                }
            };
            verdicts.insert(image, verdict);
        }
        let mut problems = Vec::new();
        let mut rollbacks = Vec::new();
        for image_use in &uses {
            match verdicts.get(image_use.image.as_str()) {
                Some((_, Verdict::Allowed(_))) => {}
                Some((_, Verdict::Rollback(found))) => rollbacks.push(format!(
                    "stagegate: rollback: {} `{}` image `{}` has a `{}` result from {}, older than `max_age` {} but within the rollback window {}",
                    image_use.field,
                    image_use.container,
                    image_use.image,
                    rule.stage,
                    crate::time::format_rfc3339(found.at),
                    humanize(ages.max_age),
                    ages.rollback_window.map(humanize).unwrap_or_default(),
                )),
                Some((_, Verdict::Denied(reason))) => problems.push(format!(
                    "{} `{}` image `{}`: {reason}",
                    image_use.field, image_use.container, image_use.image
                )),
                None => problems.push(format!(
                    "{} `{}` image `{}`: the check did not finish",
                    image_use.field, image_use.container, image_use.image
                )),
            }
        }
        let denied = !problems.is_empty();
        let audit = denied && rule.mode == Mode::Audit;
        let annotations = annotations(&rule.stage, &distinct, &verdicts, audit);
        if !rollbacks.is_empty() && !denied {
            Metrics::inc(&self.metrics.rollbacks);
            for warning in &rollbacks {
                tracing::warn!(uid = %uid, "{warning}");
            }
            return ResponseReview::allow(uid, rollbacks).annotated(annotations);
        }
        if !denied {
            tracing::info!(uid = %uid, images = uses.len(), "allowed");
            Metrics::inc(&self.metrics.allowed);
            return ResponseReview::allow(uid, Vec::new()).annotated(annotations);
        }
        match rule.mode {
            Mode::Audit => {
                Metrics::inc(&self.metrics.audited);
                tracing::info!(uid = %uid, rejected = problems.len(), "audit: allowed with warnings");
                let mut warnings = rollbacks;
                warnings.extend(
                    problems
                        .into_iter()
                        .map(|p| format!("stagegate (audit): {p}")),
                );
                ResponseReview::allow(uid, warnings).annotated(annotations)
            }
            Mode::Enforce => {
                Metrics::inc(&self.metrics.denied);
                tracing::info!(uid = %uid, rejected = problems.len(), "denied");
                ResponseReview::deny(
                    uid,
                    format!(
                        "stagegate: no verified, passing `{}` result for: {}",
                        rule.stage,
                        problems.join("; ")
                    ),
                )
                .annotated(annotations)
            }
        }
    }

    /// Revocations seen for this digest and stage under any image name.
    fn seen_revocation(&self, sha256: &str, stage: &str) -> Option<Revoked> {
        let seen = self.seen.read().unwrap_or_else(|p| p.into_inner());
        if seen.is_empty() {
            return None;
        }
        seen.get(&(sha256.to_owned(), stage.to_owned())).cloned()
    }

    /// Checks one image: its digest (when pinned or resolved) and what verified for it.
    async fn check(&self, image: &str, stage: &str, policy: &Policy) -> Checked {
        let unpinned = |reason: String| Checked {
            pinned: None,
            outcome: Err(reason),
        };
        let reference = match parse_reference(image) {
            Ok(reference) => reference,
            Err(err) => return unpinned(err.to_string()),
        };
        let pinned: Pinned = if reference.digest().is_some() {
            match self.registry.resolve(&reference).await {
                Ok(pinned) => pinned,
                Err(err) => return unpinned(err.to_string()),
            }
        } else if policy.resolve_tags {
            match self.registry.resolve(&reference).await {
                Ok(pinned) => pinned,
                Err(err) => {
                    Metrics::inc(&self.metrics.registry_errors);
                    return unpinned(format!(
                        "cannot resolve the tag: {}",
                        crate::errors::error_chain(&err)
                    ));
                }
            }
        } else {
            return unpinned("not pinned by digest (use IMAGE@sha256:HEX)".to_owned());
        };
        let key = Key {
            image: pinned.display(),
            stage: stage.to_owned(),
            trust: policy.digest.clone(),
        };
        if let Some(outcome) = self.cache.get(&key) {
            Metrics::inc(&self.metrics.cache_hits);
            return Checked {
                pinned: Some(pinned),
                outcome,
            };
        }
        Metrics::inc(&self.metrics.cache_misses);
        let check = self.inflight.join(&key);
        let outcome = check
            .get_or_init(|| self.verify_attached(&pinned, key.clone(), stage, policy))
            .await
            .clone();
        self.inflight.finish(&key, &check);
        Checked {
            pinned: Some(pinned),
            outcome,
        }
    }

    /// Reads the attestations and revocations attached to `pinned` and verifies them; caches
    /// what was found.
    async fn verify_attached(
        &self,
        pinned: &Pinned,
        key: Key,
        stage: &str,
        policy: &Policy,
    ) -> Outcome {
        // Referrers listed as VSAs or revocations first; cosign's `.att` tag only when no
        // referrer holds a passing result.
        let mut candidates = Vec::new();
        let mut facts = Facts::default();
        for pass in [Pass::Referrers, Pass::Cosign] {
            let found = match pass {
                Pass::Referrers => {
                    self.registry
                        .referred_any(
                            pinned,
                            Some(&[VSA_PREDICATE_TYPE, REVOCATION_PREDICATE_TYPE]),
                        )
                        .await
                }
                Pass::Cosign => self.registry.cosign_attestations(pinned).await,
            };
            let attached = match found {
                Ok(attached) => attached,
                Err(err) => {
                    Metrics::inc(&self.metrics.registry_errors);
                    let outcome = Err(format!(
                        "registry error: {}",
                        crate::errors::error_chain(&err)
                    ));
                    self.cache.put(key, outcome.clone(), policy.failure_ttl);
                    return outcome;
                }
            };
            if attached.is_empty() && !candidates.is_empty() {
                break;
            }
            candidates.extend(attached.into_iter().map(|a| Candidate {
                path: a.source,
                bytes: a.bytes,
            }));
            facts = Facts::of(
                &candidates,
                stage,
                pinned.hex(),
                &policy.verifier,
                chrono::Utc::now(),
            );
            if !facts.results.is_empty() {
                break;
            }
        }
        if facts.results.is_empty() && candidates.is_empty() {
            // Nothing attached: tell an image the registry lacks from an unsigned one.
            match self.registry.has_manifest(pinned).await {
                Ok(true) => {}
                Ok(false) => {
                    facts.rejected = format!(
                        "{} is not in the registry (no manifest {})",
                        pinned.display(),
                        pinned.digest
                    );
                }
                Err(err) => {
                    Metrics::inc(&self.metrics.registry_errors);
                    let outcome = Err(format!(
                        "registry error: {}",
                        crate::errors::error_chain(&err)
                    ));
                    self.cache.put(key, outcome.clone(), policy.failure_ttl);
                    return outcome;
                }
            }
        }
        let decisive = !facts.results.is_empty() || !facts.revoked.is_empty();
        if !facts.revoked.is_empty() {
            let mut seen = self.seen.write().unwrap_or_else(|p| p.into_inner());
            seen.insert(
                (pinned.hex().to_owned(), stage.to_owned()),
                facts.revoked.clone(),
            );
        }
        let outcome: Outcome = Ok(Arc::new(facts));
        let ttl = if decisive {
            policy.ttl
        } else {
            policy.failure_ttl
        };
        self.cache.put(key, outcome.clone(), ttl);
        outcome
    }
}

/// One distinct image of a review, checked.
struct Checked {
    /// Its digest, when pinned or resolved.
    pinned: Option<Pinned>,
    /// What verified for it.
    outcome: Outcome,
}

/// How a review uses each image: introduced (its age is judged) or already running.
struct Introductions {
    /// On an UPDATE, the digests (`sha256:HEX`) the old object's images are pinned to (`None`
    /// otherwise, or when the old object cannot be read: then every image counts as new).
    kept: Option<HashSet<String>>,
    /// CREATE of an object with a controlling owner.
    controller_made: bool,
    /// An UPDATE of a workload: a new image may be a rollback.
    workload_update: bool,
}

impl Introductions {
    fn of(request: &Request, object: &serde_json::Value) -> Introductions {
        let update = request.operation == "UPDATE";
        let kept = if update {
            request
                .old_object
                .as_ref()
                .and_then(|old| pod_spec(&request.kind, old))
                .and_then(|spec| images(spec).ok())
                .map(|uses| {
                    uses.iter()
                        // A tag may have moved: only a digest is known to be the same image.
                        .filter_map(|u| pinned_digest(&u.image))
                        .map(str::to_ascii_lowercase)
                        .collect()
                })
        } else {
            None
        };
        Introductions {
            kept,
            controller_made: request.operation == "CREATE" && controller_owned(object),
            workload_update: update && request.kind != "Pod",
        }
    }

    fn of_image(&self, image: &str) -> Introduction {
        let kept = |kept: &HashSet<String>| {
            pinned_digest(image).is_some_and(|d| kept.contains(&d.to_ascii_lowercase()))
        };
        if self.controller_made || self.kept.as_ref().is_some_and(kept) {
            Introduction::Running
        } else {
            Introduction::New {
                rollback: self.workload_update && self.kept.is_some(),
            }
        }
    }
}

/// The `sha256:HEX` an image reference is pinned to (`NAME[:TAG]@sha256:HEX`), if any.
fn pinned_digest(image: &str) -> Option<&str> {
    image
        .rsplit_once('@')
        .map(|(_, digest)| digest)
        .filter(|digest| digest.starts_with("sha256:"))
}

/// `auditAnnotations` with only `decision`.
fn decision_only(decision: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("decision".to_owned(), decision.to_owned())])
}

/// `auditAnnotations`: `stage`, and per distinct image (comma-separated, in order of first
/// use) `subject` (the digest reference), `promotion-id` (`-` when none counted) and
/// `decision` (`allowed`, `rollback`, `denied`, or `audit` for a denial in audit mode).
fn annotations(
    stage: &str,
    distinct: &[&str],
    verdicts: &HashMap<&str, (Option<String>, Verdict)>,
    audit: bool,
) -> BTreeMap<String, String> {
    let mut subjects = Vec::new();
    let mut promotions = Vec::new();
    let mut decisions = Vec::new();
    for image in distinct {
        let (pinned, verdict) = match verdicts.get(image) {
            Some((pinned, verdict)) => (pinned.as_deref(), Some(verdict)),
            None => (None, None),
        };
        subjects.push(pinned.unwrap_or(image).to_owned());
        let (promotion, decision) = match verdict {
            Some(Verdict::Allowed(found)) => (found.promotion_id.as_deref(), "allowed"),
            Some(Verdict::Rollback(found)) => (found.promotion_id.as_deref(), "rollback"),
            _ => (None, if audit { "audit" } else { "denied" }),
        };
        promotions.push(promotion.unwrap_or("-").to_owned());
        decisions.push(decision);
    }
    BTreeMap::from([
        ("stage".to_owned(), stage.to_owned()),
        ("subject".to_owned(), subjects.join(",")),
        ("promotion-id".to_owned(), promotions.join(",")),
        ("decision".to_owned(), decisions.join(",")),
    ])
}

fn load_tls(settings: &Settings) -> Result<TlsAcceptor, ServeError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let tls_error = |path: &PathBuf, message: String| ServeError::Tls {
        path: path.clone(),
        message,
    };
    let certs = CertificateDer::pem_file_iter(&settings.tls_cert)
        .map_err(|e| tls_error(&settings.tls_cert, e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_error(&settings.tls_cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(tls_error(
            &settings.tls_cert,
            "no certificate in the file".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&settings.tls_key)
        .map_err(|e| tls_error(&settings.tls_key, e.to_string()))?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| tls_error(&settings.tls_cert, e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

type Body = Full<Bytes>;

fn text(status: StatusCode, body: impl Into<Bytes>, content_type: &str) -> HttpResponse<Body> {
    let mut response = HttpResponse::new(Full::new(body.into()));
    *response.status_mut() = status;
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

async fn handle(state: Arc<State>, request: HttpRequest<Incoming>) -> HttpResponse<Body> {
    let started = Instant::now();
    match (request.method(), request.uri().path()) {
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok\n", "text/plain"),
        (&Method::GET, "/readyz") => text(StatusCode::OK, "ready\n", "text/plain"),
        (&Method::GET, "/metrics") => text(
            StatusCode::OK,
            state.metrics.render(),
            "text/plain; version=0.0.4",
        ),
        (&Method::POST, _) => {
            let limit = state.settings.max_body_bytes;
            let declared = request
                .headers()
                .get(hyper::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok());
            if let Some(declared) = declared.filter(|n| *n > limit) {
                Metrics::inc(&state.metrics.bad_requests);
                // Read a moderately oversized body before answering, so the client sees the
                // 413 instead of a reset; a huge one is cut off with the connection.
                if declared <= limit.saturating_mul(4) {
                    let _ =
                        tokio::time::timeout(state.settings.timeout, request.into_body().collect())
                            .await;
                }
                return text(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("the body is larger than {limit} bytes\n"),
                    "text/plain",
                );
            }
            let body = match tokio::time::timeout(
                state.settings.timeout,
                Limited::new(request.into_body(), limit).collect(),
            )
            .await
            {
                Ok(Ok(collected)) => collected.to_bytes(),
                Ok(Err(_)) => {
                    Metrics::inc(&state.metrics.bad_requests);
                    return text(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("the body is larger than {limit} bytes\n"),
                        "text/plain",
                    );
                }
                Err(_) => {
                    Metrics::inc(&state.metrics.bad_requests);
                    return text(
                        StatusCode::REQUEST_TIMEOUT,
                        "the body did not arrive in time\n",
                        "text/plain",
                    );
                }
            };
            let (status, bytes) = state.review(&body).await;
            let content_type = if status == StatusCode::OK {
                "application/json"
            } else {
                "text/plain"
            };
            let response = text(status, bytes, content_type);
            state.metrics.observe(started.elapsed());
            response
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n", "text/plain"),
    }
}

/// The `tracing` target of the server's lifecycle messages (where it listens, reloads), which
/// `stagegate serve` shows without `-v`.
pub const LIFECYCLE_TARGET: &str = "stagegate::serve::lifecycle";

/// Runs the server until the process is stopped.
pub async fn run(settings: Settings) -> Result<(), ServeError> {
    let acceptor = load_tls(&settings)?;
    let addr = settings.listen;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen { addr, source })?;
    let state = State::new(settings)?;
    tracing::info!(
        target: LIFECYCLE_TARGET,
        "listening on https://{} (/validate, /healthz, /readyz, /metrics)",
        listener.local_addr().unwrap_or(addr)
    );
    spawn_reloaders(state.clone());
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                tracing::warn!("accept failed: {err}");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let acceptor = acceptor.clone();
        let state = state.clone();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream))
                .await
            {
                Ok(Ok(tls)) => tls,
                Ok(Err(err)) => {
                    tracing::debug!("TLS handshake with {peer} failed: {err}");
                    return;
                }
                Err(_) => return,
            };
            let service = hyper::service::service_fn(move |request| {
                let state = state.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(state, request).await) }
            });
            let _ = TokioExecutor::new();
            if let Err(err) = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .header_read_timeout(Duration::from_secs(30))
                .timer(hyper_util::rt::TokioTimer::new())
                .serve_connection(TokioIo::new(tls), service)
                .await
            {
                tracing::debug!("connection with {peer}: {err}");
            }
        });
    }
}

/// SIGHUP and a one-second poll of the config file's modification time both reload.
fn spawn_reloaders(state: Arc<State>) {
    #[cfg(unix)]
    {
        let state = state.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let Ok(mut hangup) = signal(SignalKind::hangup()) else {
                tracing::warn!("cannot listen for SIGHUP");
                return;
            };
            while hangup.recv().await.is_some() {
                tracing::info!("SIGHUP: reloading");
                state.reload();
            }
        });
    }
    tokio::spawn(async move {
        let modified = |path: &PathBuf| -> Option<SystemTime> {
            fs_err::metadata(path).ok().and_then(|m| m.modified().ok())
        };
        let mut last = modified(&state.settings.config);
        let mut ticker = tokio::time::interval(Duration::from_secs(1));
        loop {
            ticker.tick().await;
            let now = modified(&state.settings.config);
            if now != last {
                last = now;
                tracing::info!("`{}` changed: reloading", state.settings.config.display());
                state.reload();
            }
        }
    });
}
