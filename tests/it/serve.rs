//! `stagegate serve` over real HTTPS (issue 6): a CA and a server certificate made with rcgen,
//! the real binary, Debian's `docker-registry` on loopback holding images and their signed
//! results, and AdmissionReviews shaped like the API server's (`admission.k8s.io/v1`) for each
//! workload kind.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use stagegate::oci::Pinned;

use crate::registry::{TestRegistry, gate, promotion};
use crate::util::{Dir, code, repo_file, stderr};

/// A running `stagegate serve`, killed on drop.
pub struct Webhook {
    child: Child,
    /// `https://localhost:PORT`.
    pub url: String,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    /// The admission configuration file.
    pub config: PathBuf,
}

/// Writes a CA, a `localhost` server certificate and key into `dir`; returns the CA's PEM.
pub fn make_tls(dir: &Dir) -> String {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "stagegate test CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let params = rcgen::CertificateParams::new(vec![
        "localhost".to_owned(),
        "stagegate.stagegate-system.svc".to_owned(),
    ])
    .unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    dir.write("tls/tls.crt", cert.pem());
    dir.write("tls/tls.key", key.serialize_pem());
    dir.write("tls/ca.crt", ca.pem());
    ca.pem()
}

impl Webhook {
    /// Starts `stagegate serve` in `dir` with `admission.yaml` and waits for `/healthz`.
    pub fn start(dir: &Dir, extra: &[&str]) -> Webhook {
        let ca = make_tls(dir);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_stagegate"))
            .current_dir(dir.path())
            .args(["serve", "--config", "admission.yaml"])
            .args(["--tls-cert", "tls/tls.crt", "--tls-key", "tls/tls.key"])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env("STAGEGATE_LOG", "stagegate=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(ca.as_bytes()).unwrap()])
            .resolve("localhost", ([127, 0, 0, 1], port).into())
            .build()
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let webhook = Webhook {
            child,
            url: format!("https://localhost:{port}"),
            client,
            runtime,
            config: dir.path().join("admission.yaml"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if webhook.get("/healthz").is_some_and(|(s, _)| s == 200) {
                return webhook;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("stagegate serve did not start");
    }

    /// GET over HTTPS.
    pub fn get(&self, path: &str) -> Option<(u16, String)> {
        self.runtime.block_on(async {
            let response = self
                .client
                .get(format!("{}{path}", self.url))
                .send()
                .await
                .ok()?;
            let status = response.status().as_u16();
            Some((status, response.text().await.ok()?))
        })
    }

    /// POSTs a body to `/validate`.
    pub fn post(&self, body: Vec<u8>) -> (u16, String) {
        self.runtime.block_on(async {
            let response = self
                .client
                .post(format!("{}/validate", self.url))
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        })
    }

    /// POSTs a review; returns its `response`.
    pub fn review(&self, review: &Value) -> Value {
        let (status, body) = self.post(review.to_string().into_bytes());
        assert_eq!(status, 200, "{body}");
        let answer: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(answer["apiVersion"], "admission.k8s.io/v1");
        assert_eq!(answer["response"]["uid"], review["request"]["uid"]);
        answer["response"].clone()
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A pod spec with these images as containers, initContainers and ephemeralContainers.
fn pod_spec(containers: &[&str], init: &[&str], ephemeral: &[&str]) -> Value {
    let list = |prefix: &str, images: &[&str]| -> Value {
        images
            .iter()
            .enumerate()
            .map(|(i, image)| json!({"name": format!("{prefix}{i}"), "image": image, "imagePullPolicy": "IfNotPresent"}))
            .collect()
    };
    let mut spec = json!({
        "containers": list("app", containers),
        "restartPolicy": "Always",
        "serviceAccountName": "default"
    });
    if !init.is_empty() {
        spec["initContainers"] = list("init", init);
    }
    if !ephemeral.is_empty() {
        spec["ephemeralContainers"] = list("debug", ephemeral);
    }
    spec
}

/// An AdmissionReview as the API server sends it for `kind` in `namespace`.
pub fn review(kind: &str, namespace: &str, spec: Value) -> Value {
    let (group, version, resource) = match kind {
        "Pod" => ("", "v1", "pods"),
        "Deployment" => ("apps", "v1", "deployments"),
        "ReplicaSet" => ("apps", "v1", "replicasets"),
        "StatefulSet" => ("apps", "v1", "statefulsets"),
        "DaemonSet" => ("apps", "v1", "daemonsets"),
        "Job" => ("batch", "v1", "jobs"),
        "CronJob" => ("batch", "v1", "cronjobs"),
        _ => ("", "v1", "unknown"),
    };
    let api_version = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    let template = json!({"metadata": {"labels": {"app": "web"}}, "spec": spec});
    let object_spec = match kind {
        "Pod" => spec,
        "CronJob" => {
            json!({"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": template}}})
        }
        _ => {
            json!({"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": template})
        }
    };
    let uid = format!("{:x}", rand_uid());
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": resource},
            "requestKind": {"group": group, "version": version, "kind": kind},
            "requestResource": {"group": group, "version": version, "resource": resource},
            "name": "web",
            "namespace": namespace,
            "operation": "CREATE",
            "userInfo": {"username": "system:serviceaccount:ci:deployer", "uid": "b1d3", "groups": ["system:serviceaccounts", "system:authenticated"]},
            "object": {
                "apiVersion": api_version,
                "kind": kind,
                "metadata": {"name": "web", "namespace": namespace, "labels": {"app": "web"}},
                "spec": object_spec
            },
            "oldObject": null,
            "dryRun": false,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}
        }
    })
}

fn rand_uid() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    nanos ^ u128::from(NEXT.fetch_add(1, Ordering::Relaxed)) << 64
}

/// Signs a passing `dev` result for `image` and pushes it to the registry.
fn sign_dev(image: &Pinned, name: &str) {
    let dir = promotion(name, image);
    let out = gate(&dir, "dev", &["--image", &image.display(), "--push"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

fn admission_config(dir: &Dir, extra: &str) {
    dir.write(
        "admission.yaml",
        format!(
            "trust:\n  keys: [{}]\nmax_age: 3650d\ncache: {{ttl: 5m, failure_ttl: 1s}}\n{extra}namespaces:\n  dev: {{stage: dev}}\n  dev-audit: {{stage: dev, mode: audit}}\n  staging: {{stage: staging}}\n",
            repo_file("testdata/keys/gate.pub").display()
        ),
    );
}

#[test]
fn serve_allows_signed_images_and_denies_the_rest_for_every_kind() {
    let Some(registry) = TestRegistry::start("serve-kinds") else {
        return;
    };
    let signed = registry.push_image("shop/api", "v1", "serve-signed");
    let unsigned = registry.push_image("shop/api", "v2", "serve-unsigned");
    sign_dev(&signed, "serve-kinds-sign");
    let dir = Dir::new("serve-kinds");
    admission_config(&dir, "");
    let webhook = Webhook::start(&dir, &[]);
    let (good, bad) = (signed.display(), unsigned.display());

    for kind in [
        "Pod",
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
    ] {
        let allowed = webhook.review(&review(kind, "dev", pod_spec(&[&good], &[&good], &[])));
        assert_eq!(allowed["allowed"], true, "{kind}: {allowed}");
        for spec in [
            pod_spec(&[&bad], &[], &[]),
            pod_spec(&[&good], &[&bad], &[]),
            pod_spec(&[&good], &[], &[&bad]),
        ] {
            let denied = webhook.review(&review(kind, "dev", spec));
            assert_eq!(denied["allowed"], false, "{kind}: {denied}");
            assert_eq!(denied["status"]["code"], 403);
            let message = denied["status"]["message"].as_str().unwrap();
            assert!(message.contains(&bad), "{message}");
            assert!(!message.contains(&format!("`{good}`")), "{message}");
        }
    }
    // A tag is not a digest (resolve_tags is off).
    let tagged = format!("{}/shop/api:v1", registry.host);
    let denied = webhook.review(&review("Pod", "dev", pod_spec(&[&tagged], &[], &[])));
    assert_eq!(denied["allowed"], false);
    assert!(
        denied["status"]["message"]
            .as_str()
            .unwrap()
            .contains("not pinned by digest"),
        "{denied}"
    );
    // The dev result does not admit into staging.
    let denied = webhook.review(&review("Pod", "staging", pod_spec(&[&good], &[], &[])));
    assert_eq!(denied["allowed"], false, "{denied}");
    // Audit mode: allowed, with the finding as a warning.
    let audited = webhook.review(&review("Pod", "dev-audit", pod_spec(&[&bad], &[], &[])));
    assert_eq!(audited["allowed"], true, "{audited}");
    assert!(
        audited["warnings"][0]
            .as_str()
            .unwrap()
            .contains("stagegate (audit)"),
        "{audited}"
    );
    // A namespace mapped to no stage is denied (fail closed).
    let denied = webhook.review(&review("Pod", "elsewhere", pod_spec(&[&good], &[], &[])));
    assert_eq!(denied["allowed"], false, "{denied}");
    // Deleting needs no check.
    let mut delete = review("Pod", "dev", pod_spec(&[&bad], &[], &[]));
    delete["request"]["operation"] = json!("DELETE");
    assert_eq!(webhook.review(&delete)["allowed"], true);

    let (status, metrics) = webhook.get("/metrics").unwrap();
    assert_eq!(status, 200);
    assert!(metrics.contains("stagegate_cache_hits_total"), "{metrics}");
    assert!(
        metrics.contains("stagegate_admission_decisions_total{result=\"denied\"}"),
        "{metrics}"
    );
}

#[test]
fn serve_rejects_malformed_reviews_with_400() {
    let dir = Dir::new("serve-malformed");
    admission_config(&dir, "");
    let webhook = Webhook::start(&dir, &["--max-body-bytes", "65536"]);
    assert_eq!(webhook.get("/healthz").unwrap().0, 200);
    assert_eq!(webhook.get("/readyz").unwrap().0, 200);
    for body in [
        b"not json".to_vec(),
        b"{}".to_vec(),
        br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x","kind":{"kind":"Pod"}}}"#.to_vec(),
        br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#.to_vec(),
    ] {
        let (status, text) = webhook.post(body);
        assert_eq!(status, 400, "{text}");
    }
    let (status, _) = webhook.post(vec![b' '; 70_000]);
    assert_eq!(status, 413);
    // An unknown kind is denied, not allowed.
    let mut unknown = review("Pod", "dev", pod_spec(&["x@sha256:00"], &[], &[]));
    unknown["request"]["kind"]["kind"] = json!("Service");
    assert_eq!(webhook.review(&unknown)["allowed"], false);
    // Still serving.
    assert_eq!(webhook.get("/healthz").unwrap().0, 200);
}

#[test]
fn serve_caches_by_digest_and_a_moved_tag_is_checked_again() {
    let Some(registry) = TestRegistry::start("serve-cache") else {
        return;
    };
    let signed = registry.push_image("shop/web", "stable", "serve-cache-signed");
    sign_dev(&signed, "serve-cache-sign");
    let dir = Dir::new("serve-cache");
    admission_config(&dir, "resolve_tags: true\n");
    let webhook = Webhook::start(&dir, &[]);
    let tagged = format!("{}/shop/web:stable", registry.host);

    let first = webhook.review(&review("Pod", "dev", pod_spec(&[&tagged], &[], &[])));
    assert_eq!(first["allowed"], true, "{first}");
    let second = webhook.review(&review("Deployment", "dev", pod_spec(&[&tagged], &[], &[])));
    assert_eq!(second["allowed"], true, "{second}");
    let metrics = webhook.get("/metrics").unwrap().1;
    assert!(
        metrics.contains("stagegate_cache_hits_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("stagegate_cache_misses_total 1"),
        "{metrics}"
    );

    // The tag moves to an unsigned image: the cache entry is bound to the old digest.
    let moved = registry.push_image("shop/web", "stable", "serve-cache-moved");
    let denied = webhook.review(&review("Pod", "dev", pod_spec(&[&tagged], &[], &[])));
    assert_eq!(denied["allowed"], false, "{denied}");
    assert!(
        denied["status"]["message"]
            .as_str()
            .unwrap()
            .contains(&moved.digest),
        "{denied}"
    );
    // Failures are cached briefly: once the new digest is signed it is admitted.
    sign_dev(&moved, "serve-cache-sign-moved");
    std::thread::sleep(Duration::from_millis(1200));
    let allowed = webhook.review(&review("Pod", "dev", pod_spec(&[&tagged], &[], &[])));
    assert_eq!(allowed["allowed"], true, "{allowed}");

    // Reload on file change: `dev` now maps to `staging`, which nothing has passed.
    let text = fs_err::read_to_string(&webhook.config).unwrap();
    fs_err::write(
        &webhook.config,
        text.replace("dev: {stage: dev}", "dev: {stage: staging}"),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = webhook.review(&review("Pod", "dev", pod_spec(&[&tagged], &[], &[])));
        if answer["allowed"] == false {
            break;
        }
        assert!(Instant::now() < deadline, "the config was not reloaded");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Issue 16: the webhook names an image missing from the registry as such, not as unsigned.
#[test]
fn serve_tells_a_missing_image_from_an_unsigned_one() {
    let Some(registry) = TestRegistry::start("serve-missing") else {
        return;
    };
    let unsigned = registry
        .push_image("shop/api", "v1", "serve-missing")
        .display();
    let missing = format!("{}/shop/api@sha256:{}", registry.host, "0".repeat(64));
    let dir = Dir::new("serve-missing");
    admission_config(&dir, "");
    let webhook = Webhook::start(&dir, &[]);
    let denied = webhook.review(&review("Pod", "dev", pod_spec(&[&missing], &[], &[])));
    assert_eq!(denied["allowed"], false, "{denied}");
    let message = denied["status"]["message"].as_str().unwrap();
    assert!(message.contains("is not in the registry"), "{message}");
    let denied = webhook.review(&review("Pod", "dev", pod_spec(&[&unsigned], &[], &[])));
    let message = denied["status"]["message"].as_str().unwrap();
    assert!(message.contains("no attestations attached"), "{message}");
}

// Issue 17: freshness where a digest is introduced, rollbacks, revocations, audit annotations.

const TEST_PASSWORD: &str = "stagegate-test";

/// Signs a passing `dev` VSA for `image`, made `days` ago with promotion id `promotion`, with
/// the test gate key, and pushes it as a referrer.
fn push_result(dir: &Dir, image: &Pinned, days: i64, promotion: &str) {
    use stagegate::attest::keys::SigningKey;
    use stagegate::attest::sign_statement;
    use stagegate::attest::statement::{ResourceDescriptor, Statement};
    use stagegate::attest::vsa::VSA_PREDICATE_TYPE;
    let at = (chrono::Utc::now() - chrono::TimeDelta::days(days))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let name = format!(
        "{}/{}",
        image.reference.registry(),
        image.reference.repository()
    );
    let statement = Statement::new(
        ResourceDescriptor::sha256(&name, image.hex()),
        VSA_PREDICATE_TYPE,
        json!({
            "verifier": {"id": "https://stagegate.dev/verifier/v1"},
            "timeVerified": at,
            "resourceUri": format!("{name}@{}", image.digest),
            "policy": {"uri": "stagegate.yaml#stages.dev", "digest": {"sha256": "00"}},
            "inputAttestations": [],
            "verificationResult": "PASSED",
            "verifiedLevels": ["STAGEGATE_STAGE_dev"],
            "slsaVersion": "1.0",
            "promotionId": promotion
        }),
    );
    let pem = fs_err::read_to_string(repo_file("testdata/keys/gate.key")).unwrap();
    let key = SigningKey::from_pem(&pem, TEST_PASSWORD.as_bytes()).unwrap();
    let bundle = sign_statement(&statement, &key).unwrap().to_json().unwrap();
    let file = format!("{promotion}.sigstore.json");
    dir.write(&file, bundle);
    let out = dir
        .command()
        .args(["push", "--bundle", &file, &image.display()])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// `admission.yaml` with `max_age: 7d` and a 90-day rollback window (none in `dev-strict`).
fn age_config(dir: &Dir, extra: &str) {
    dir.write(
        "admission.yaml",
        format!(
            "trust:\n  keys: [{}]\nmax_age: 7d\nrollback: {{window: 90d}}\ncache: {{ttl: 5m, failure_ttl: 1s}}\n{extra}namespaces:\n  dev: {{stage: dev}}\n  dev-strict: {{stage: dev, rollback: {{window: off}}}}\n  dev-audit: {{stage: dev, mode: audit}}\n",
            repo_file("testdata/keys/gate.pub").display()
        ),
    );
}

/// `review` with a controlling owner, as a ReplicaSet's pods have.
fn owned(mut review: Value) -> Value {
    review["request"]["object"]["metadata"]["ownerReferences"] = json!([{
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d4f8c9b7",
        "uid": "6c1e2b3a-0d4f-4e5a-9b8c-7d6e5f4a3b2c", "controller": true,
        "blockOwnerDeletion": true
    }]);
    review
}

/// An UPDATE of `kind` from `old` to `new` (pod specs), with `replicas` before and after.
fn update(kind: &str, namespace: &str, old: Value, new: Value, replicas: (u32, u32)) -> Value {
    let mut review = review(kind, namespace, new);
    let mut before = self::review(kind, namespace, old)["request"]["object"].clone();
    if kind != "Pod" && kind != "CronJob" {
        before["spec"]["replicas"] = json!(replicas.0);
        review["request"]["object"]["spec"]["replicas"] = json!(replicas.1);
    }
    review["request"]["operation"] = json!("UPDATE");
    review["request"]["oldObject"] = before;
    review["request"]["options"]["kind"] = json!("UpdateOptions");
    review
}

fn message(answer: &Value) -> &str {
    answer["status"]["message"].as_str().unwrap_or_default()
}

#[test]
fn serve_judges_age_where_a_digest_is_introduced_and_admits_rollbacks() {
    let Some(registry) = TestRegistry::start("serve-age") else {
        return;
    };
    let fresh = registry.push_image("shop/api", "v3", "serve-age-fresh");
    let old = registry.push_image("shop/api", "v2", "serve-age-old");
    let ancient = registry.push_image("shop/api", "v1", "serve-age-ancient");
    let dir = Dir::new("serve-age");
    push_result(&dir, &fresh, 0, "p-fresh");
    push_result(&dir, &old, 40, "p-old");
    push_result(&dir, &ancient, 200, "p-ancient");
    age_config(&dir, "");
    let webhook = Webhook::start(&dir, &[]);
    let (fresh, old, ancient) = (fresh.display(), old.display(), ancient.display());
    let spec = |image: &str| pod_spec(&[image], &[], &[]);

    // A pod its ReplicaSet creates (a crash, a scale-up, a drain) needs no age.
    let answer = webhook.review(&owned(review("Pod", "dev", spec(&old))));
    assert_eq!(answer["allowed"], true, "{answer}");
    let annotations = &answer["auditAnnotations"];
    assert_eq!(annotations["stage"], "dev", "{answer}");
    assert_eq!(annotations["promotion-id"], "p-old", "{answer}");
    assert_eq!(annotations["decision"], "allowed", "{answer}");
    assert_eq!(annotations["subject"], old.as_str(), "{answer}");
    // So does the ReplicaSet a Deployment creates.
    let answer = webhook.review(&owned(review("ReplicaSet", "dev", spec(&old))));
    assert_eq!(answer["allowed"], true, "{answer}");
    // The same image in a pod no controller owns is being introduced: too old.
    let answer = webhook.review(&review("Pod", "dev", spec(&old)));
    assert_eq!(answer["allowed"], false, "{answer}");
    assert!(message(&answer).contains("too old"), "{answer}");
    assert_eq!(answer["auditAnnotations"]["decision"], "denied", "{answer}");
    assert_eq!(answer["auditAnnotations"]["promotion-id"], "-", "{answer}");
    // A new Deployment is not a rollback, even within the window.
    let answer = webhook.review(&review("Deployment", "dev", spec(&old)));
    assert_eq!(answer["allowed"], false, "{answer}");
    assert!(message(&answer).contains("rollback window"), "{answer}");
    // Fresh: admitted when introduced.
    let answer = webhook.review(&review("Deployment", "dev", spec(&fresh)));
    assert_eq!(answer["allowed"], true, "{answer}");
    assert!(answer.get("warnings").is_none(), "{answer}");

    // An UPDATE that only scales keeps the images: no age.
    let scale = update("Deployment", "dev", spec(&old), spec(&old), (2, 5));
    let answer = webhook.review(&scale);
    assert_eq!(answer["allowed"], true, "{answer}");
    assert!(answer.get("warnings").is_none(), "{answer}");
    // The same digest written with a tag is the same image.
    let tagged_old = old.replacen("@sha256:", ":v2@sha256:", 1);
    let answer = webhook.review(&update(
        "Deployment",
        "dev",
        spec(&old),
        spec(&tagged_old),
        (2, 3),
    ));
    assert_eq!(answer["allowed"], true, "{answer}");
    // `kubectl rollout undo`: the image changes back to the old digest, within the window.
    let undo = update("Deployment", "dev", spec(&fresh), spec(&old), (2, 2));
    let answer = webhook.review(&undo);
    assert_eq!(answer["allowed"], true, "{answer}");
    let warning = answer["warnings"][0].as_str().unwrap_or_default();
    assert!(warning.contains("rollback"), "{answer}");
    assert!(warning.contains(&old), "{answer}");
    assert_eq!(
        answer["auditAnnotations"]["decision"], "rollback",
        "{answer}"
    );
    assert_eq!(
        answer["auditAnnotations"]["promotion-id"], "p-old",
        "{answer}"
    );
    // Outside the window: denied.
    let answer = webhook.review(&update(
        "Deployment",
        "dev",
        spec(&fresh),
        spec(&ancient),
        (2, 2),
    ));
    assert_eq!(answer["allowed"], false, "{answer}");
    assert!(
        message(&answer).contains("outside the rollback window"),
        "{answer}"
    );
    // A namespace whose window is 0: the same undo is denied.
    let answer = webhook.review(&update(
        "Deployment",
        "dev-strict",
        spec(&fresh),
        spec(&old),
        (2, 2),
    ));
    assert_eq!(answer["allowed"], false, "{answer}");
    // An image-changing UPDATE of a Pod is not a workload rollback.
    let answer = webhook.review(&update("Pod", "dev", spec(&fresh), spec(&old), (1, 1)));
    assert_eq!(answer["allowed"], false, "{answer}");
    // An UPDATE that keeps an old sidecar and introduces a fresh image: allowed.
    let answer = webhook.review(&update(
        "StatefulSet",
        "dev",
        pod_spec(&[&old, &ancient], &[], &[]),
        pod_spec(&[&fresh, &ancient], &[], &[]),
        (3, 3),
    ));
    assert_eq!(answer["allowed"], true, "{answer}");
    // Several images: one annotation value per image, in order.
    let answer = webhook.review(&owned(review(
        "Pod",
        "dev",
        pod_spec(&[&fresh, &old], &[&fresh], &[]),
    )));
    assert_eq!(answer["allowed"], true, "{answer}");
    assert_eq!(
        answer["auditAnnotations"]["promotion-id"], "p-fresh,p-old",
        "{answer}"
    );
    assert_eq!(
        answer["auditAnnotations"]["subject"],
        format!("{fresh},{old}"),
        "{answer}"
    );
    assert_eq!(
        answer["auditAnnotations"]["decision"], "allowed,allowed",
        "{answer}"
    );
    // Every annotation key is bare: the API server drops a key with a `/` of its own.
    for key in answer["auditAnnotations"].as_object().unwrap().keys() {
        assert!(!key.contains('/'), "{key}");
    }
    // Audit mode: a too-old image is a warning, annotated as such.
    let answer = webhook.review(&review("Pod", "dev-audit", spec(&old)));
    assert_eq!(answer["allowed"], true, "{answer}");
    assert_eq!(answer["auditAnnotations"]["decision"], "audit", "{answer}");

    let metrics = webhook.get("/metrics").unwrap().1;
    assert!(
        metrics.contains("stagegate_admission_decisions_total{result=\"rollback\"} 1"),
        "{metrics}"
    );
}

#[test]
fn serve_verify_and_the_chain_refuse_revoked_digests() {
    let Some(registry) = TestRegistry::start("serve-revoke") else {
        return;
    };
    let listed = registry.push_image("shop/web", "v1", "serve-revoke-listed");
    let by_id = registry.push_image("shop/web", "v2", "serve-revoke-by-id");
    let signed = registry.push_image("shop/web", "v3", "serve-revoke-signed");
    let forged = registry.push_image("shop/web", "v4", "serve-revoke-forged");
    // One digest under two names.
    let origin = registry.push_image("shop/web", "v5", "serve-revoke-mirrored");
    let mirror = registry.push_image("mirror/web", "v5", "serve-revoke-mirrored");
    assert_eq!(origin.digest, mirror.digest);
    // `promotion` gives `stagegate.yaml` (staging requires dev) with `signed` as the subject.
    let dir = promotion("serve-revoke", &signed);
    for (image, id) in [
        (&listed, "p-listed"),
        (&by_id, "p-by-id"),
        (&signed, "p-signed"),
        (&forged, "p-forged"),
        (&origin, "p-origin"),
        (&mirror, "p-mirror"),
    ] {
        push_result(&dir, image, 0, id);
    }
    let revoke = |image: &Pinned, key: &str, reason: &str| {
        let out = dir
            .command()
            .env("STAGEGATE_PASSWORD", TEST_PASSWORD)
            .args(["revoke", "--stage", "dev", "--image", &image.display()])
            .args(["--reason", reason, "--push", "--key"])
            .arg(repo_file(&format!("testdata/keys/{key}")))
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    };
    revoke(&signed, "gate.key", "CVE-2026-4242 in libfoo");
    // Signed by a key nobody trusts: does not count.
    revoke(&forged, "mallory.key", "forged");
    age_config(
        &dir,
        &format!(
            "revoked:\n  - {{digest: \"{}\", reason: \"pulled by security\"}}\n  - {{promotion_id: p-by-id, reason: \"gated with the leaked key\", stages: [dev]}}\n",
            listed.digest
        ),
    );
    let webhook = Webhook::start(&dir, &[]);
    let spec = |image: &Pinned| pod_spec(&[&image.display()], &[], &[]);

    // Revoked digests are denied however fresh, running or not, with the reason.
    for (image, reason) in [
        (&listed, "pulled by security"),
        (&by_id, "gated with the leaked key"),
        (&signed, "CVE-2026-4242 in libfoo"),
    ] {
        for request in [
            review("Pod", "dev", spec(image)),
            owned(review("Pod", "dev", spec(image))),
        ] {
            let answer = webhook.review(&request);
            assert_eq!(answer["allowed"], false, "{answer}");
            assert!(message(&answer).contains(reason), "{answer}");
        }
    }
    let answer = webhook.review(&review("Pod", "dev", spec(&forged)));
    assert_eq!(answer["allowed"], true, "{answer}");

    // The cache never outlives a revocation it has seen: the mirror's passing check is cached
    // (TTL 5 m), the digest is revoked under its other name, and once the webhook has read that
    // revocation the mirror is denied too.
    let answer = webhook.review(&review("Pod", "dev", spec(&mirror)));
    assert_eq!(answer["allowed"], true, "{answer}");
    revoke(&origin, "gate.key", "mirrored CVE");
    let answer = webhook.review(&review("Pod", "dev", spec(&origin)));
    assert_eq!(answer["allowed"], false, "{answer}");
    let answer = webhook.review(&owned(review("Pod", "dev", spec(&mirror))));
    assert_eq!(answer["allowed"], false, "{answer}");
    assert!(message(&answer).contains("mirrored CVE"), "{answer}");
    let metrics = webhook.get("/metrics").unwrap().1;
    assert!(
        !metrics.contains("stagegate_cache_hits_total 0\n"),
        "{metrics}"
    );

    // `stagegate verify --image` honours the pushed revocation.
    let verify = |image: &Pinned| {
        dir.command()
            .args(["verify", "--image", &image.display(), "--stage", "dev"])
            .arg("--key")
            .arg(repo_file("testdata/keys/gate.pub"))
            .output()
            .unwrap()
    };
    let out = verify(&signed);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("CVE-2026-4242"), "{}", stderr(&out));
    let out = verify(&forged);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // The promotion chain refuses it too: staging requires a dev result for `signed`.
    let out = gate(&dir, "staging", &["--image", &signed.display()]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let all = format!("{}{}", crate::util::stdout(&out), stderr(&out));
    assert!(all.contains("CVE-2026-4242"), "{all}");

    // A revocation file honoured by `verify --bundle --revocation`.
    let out = dir
        .command()
        .env("STAGEGATE_PASSWORD", TEST_PASSWORD)
        .args(["revoke", "--stage", "dev", "--subject", &forged.digest])
        .args(["--reason", "bad build", "--output", "revoked.json", "--key"])
        .arg(repo_file("testdata/keys/gate.key"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let check = |extra: &[&str]| {
        dir.command()
            .args([
                "verify",
                "--bundle",
                "p-forged.sigstore.json",
                "--stage",
                "dev",
            ])
            .args(["--subject", &forged.digest, "--key"])
            .arg(repo_file("testdata/keys/gate.pub"))
            .args(extra)
            .output()
            .unwrap()
    };
    assert_eq!(code(&check(&[])), 0);
    let out = check(&["--revocation", "revoked.json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("bad build"), "{}", stderr(&out));
}
