//! Attestations in a real registry (issue 6): Debian's `docker-registry` (distribution 2.8,
//! no referrers API, so the tag-schema path) started on loopback for each test, an image
//! pushed with stagegate's own client, then `push`, `verify --image`, `gate --push`, the
//! promotion chain from the registry, and cosign's legacy `.att` tag. The referrers-API path
//! runs against [`referrers_api`], a tiny in-test registry that implements
//! `/v2/<name>/referrers/<digest>`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use stagegate::oci::manifest::{OCI_INDEX, OCI_MANIFEST, sha256_digest};
use stagegate::oci::{Pinned, Registry, auth::Credentials, parse_pinned, parse_reference};

use crate::util::{Dir, EFFECTIVE_TIME, code, repo_file, stderr, stdout};

const PASSWORD: &str = "stagegate-test";
const DOCKER_REGISTRY: &str = "/usr/bin/docker-registry";

/// Whether a test that needs `docker-registry` may skip when it is missing: never in CI.
fn registry_available() -> bool {
    if Path::new(DOCKER_REGISTRY).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "`{DOCKER_REGISTRY}` is missing; `.ci/run` installs Debian's `docker-registry`"
    );
    eprintln!("skipping: `{DOCKER_REGISTRY}` is not installed (apt-get install docker-registry)");
    false
}

/// A `docker-registry serve` on 127.0.0.1 with a random port and temporary storage, killed on
/// drop.
pub struct TestRegistry {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub host: String,
    _dir: Dir,
    config_path: PathBuf,
}

impl TestRegistry {
    /// Starts one and waits until `/v2/` answers.
    pub fn start(name: &str) -> Option<TestRegistry> {
        if !registry_available() {
            return None;
        }
        let dir = Dir::new(&format!("registry-{name}"));
        // Reserve a free port, release it, and hand it to the registry; retried on a clash.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .unwrap()
                .port();
            let config = format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
                dir.path().join("storage").display()
            );
            let config_path = dir.write("config.yml", config);
            let mut child = Command::new(DOCKER_REGISTRY)
                .arg("serve")
                .arg(&config_path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let host = format!("127.0.0.1:{port}");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if http_get(&host, "/v2/").is_some_and(|(status, _)| status == 200) {
                    return Some(TestRegistry {
                        child,
                        host,
                        _dir: dir,
                        config_path,
                    });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("docker-registry did not start");
    }

    /// Restarts the registry on the same port and storage in read-only mode (writes answer
    /// 405), as a mirror or a registry under maintenance does.
    pub fn make_read_only(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let config = fs_err::read_to_string(&self.config_path).unwrap().replace(
            "  delete:\n    enabled: true\n",
            "  delete:\n    enabled: true\n  maintenance:\n    readonly:\n      enabled: true\n",
        );
        fs_err::write(&self.config_path, config).unwrap();
        for _ in 0..50 {
            let mut child = Command::new(DOCKER_REGISTRY)
                .arg("serve")
                .arg(&self.config_path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if http_get(&self.host, "/v2/").is_some_and(|(status, _)| status == 200) {
                    self.child = child;
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
            // The port may still be held by the old process for a moment.
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("docker-registry did not restart read-only");
    }

    /// Pushes a small image (a config blob and one layer) as `NAME:TAG`; returns it pinned.
    pub fn push_image(&self, name: &str, tag: &str, seed: &str) -> Pinned {
        let registry = client();
        let config = json!({
            "architecture": "amd64",
            "os": "linux",
            "config": {"Env": [format!("SEED={seed}")]},
            "rootfs": {"type": "layers", "diff_ids": []}
        })
        .to_string();
        let layer = format!("layer of {seed}\n").into_bytes();
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": sha256_digest(config.as_bytes()),
                "size": config.len()
            },
            "layers": [{
                "mediaType": "application/vnd.oci.image.layer.v1.tar",
                "digest": sha256_digest(&layer),
                "size": layer.len()
            }]
        })
        .to_string();
        let reference = parse_reference(&format!("{}/{name}:{tag}", self.host)).unwrap();
        let runtime = stagegate::oci::runtime().unwrap();
        let digest = runtime
            .block_on(registry.push_manifest(
                &reference,
                &[config.as_bytes(), &layer],
                manifest.as_bytes(),
                OCI_MANIFEST,
            ))
            .unwrap();
        parse_pinned(&format!("{}/{name}@{digest}", self.host)).unwrap()
    }

    /// Pushes one small image per platform (`linux/amd64`, `linux/arm64`) and an OCI image
    /// index over them as `NAME:TAG`, with a third entry shaped like BuildKit's attestation
    /// manifest (`vnd.docker.reference.type: attestation-manifest`); returns the index pinned,
    /// the platform manifests and the attestation manifest.
    pub fn push_index(&self, name: &str, tag: &str, seed: &str) -> (Pinned, Vec<Pinned>, Pinned) {
        let platforms: Vec<Pinned> = ["amd64", "arm64"]
            .iter()
            .map(|arch| self.push_image(name, &format!("{tag}-{arch}"), &format!("{seed}-{arch}")))
            .collect();
        let attestation = self.push_image(name, &format!("{tag}-att"), &format!("{seed}-att"));
        let size = |image: &Pinned| {
            http_get(
                &self.host,
                &format!("/v2/{name}/manifests/{}", image.digest),
            )
            .unwrap()
            .1
            .len()
        };
        let mut manifests: Vec<Value> = platforms
            .iter()
            .zip(["amd64", "arm64"])
            .map(|(image, arch)| {
                json!({
                    "mediaType": OCI_MANIFEST,
                    "digest": image.digest,
                    "size": size(image),
                    "platform": {"architecture": arch, "os": "linux"}
                })
            })
            .collect();
        manifests.push(json!({
            "mediaType": OCI_MANIFEST,
            "digest": attestation.digest,
            "size": size(&attestation),
            "platform": {"architecture": "unknown", "os": "unknown"},
            "annotations": {
                "vnd.docker.reference.digest": platforms[0].digest,
                "vnd.docker.reference.type": "attestation-manifest"
            }
        }));
        let index = json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": manifests
        })
        .to_string();
        let reference = parse_reference(&format!("{}/{name}:{tag}", self.host)).unwrap();
        let digest = stagegate::oci::runtime()
            .unwrap()
            .block_on(client().push_manifest(&reference, &[], index.as_bytes(), OCI_INDEX))
            .unwrap();
        let index = parse_pinned(&format!("{}/{name}@{digest}", self.host)).unwrap();
        (index, platforms, attestation)
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A registry client with no credentials (loopback: plain HTTP).
pub fn client() -> Registry {
    Registry::builder()
        .credentials(Credentials::anonymous())
        .build()
}

/// A minimal HTTP/1.1 GET; `(status, body)` or `None` when nothing listens.
fn http_get(host: &str, path: &str) -> Option<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let text = String::from_utf8_lossy(&response);
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body_at = response.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    Some((status, response.get(body_at..)?.to_vec()))
}

fn key(name: &str) -> PathBuf {
    repo_file(&format!("testdata/keys/{name}"))
}

/// A promotion directory: `stagegate.yaml` (dev → staging, trusting `gate.pub`) and
/// `evidence.json`, `good.json` with its subject set to `image`.
pub fn promotion(name: &str, image: &Pinned) -> Dir {
    let dir = Dir::new(name);
    let p = |rel: &str| repo_file(rel).display().to_string();
    dir.write(
        "stagegate.yaml",
        format!(
            "version: 1\nstages:\n  dev:\n    policies: [{baseline}]\n    data: [{data}]\n  staging:\n    policies: [{baseline}]\n    data: [{data}]\n    requires: [dev]\ntrust:\n  keys: [{gate}]\n  max_age: 3650d\n",
            baseline = p("policies/baseline"),
            data = p("policies/data.yaml"),
            gate = key("gate.pub").display(),
        ),
    );
    let mut evidence: Value =
        serde_json::from_slice(&fs_err::read(repo_file("testdata/evidence/good.json")).unwrap())
            .unwrap();
    evidence["subject"]["name"] = json!(format!(
        "{}/{}",
        image.reference.registry(),
        image.reference.repository()
    ));
    evidence["subject"]["digest"]["sha256"] = json!(image.hex());
    dir.write(
        "evidence.json",
        serde_json::to_vec_pretty(&evidence).unwrap(),
    );
    dir
}

/// `stagegate gate --stage STAGE --evidence evidence.json --key gate.key`, plus `extra`.
pub fn gate(dir: &Dir, stage: &str, extra: &[&str]) -> std::process::Output {
    dir.command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["gate", "--stage", stage, "--effective-time", EFFECTIVE_TIME])
        // The fixtures are written for EFFECTIVE_TIME, days before the clock.
        .arg("--allow-effective-time")
        .args(["--evidence", "evidence.json", "--key"])
        .arg(key("gate.key"))
        .args(["--bundle-out", &format!("{stage}.sigstore.json")])
        .args(extra)
        .output()
        .unwrap()
}

fn verify_image(dir: &Dir, image: &str, stage: &str) -> std::process::Output {
    dir.command()
        .args(["verify", "--image", image, "--stage", stage, "--key"])
        .arg(key("gate.pub"))
        .output()
        .unwrap()
}

#[test]
fn push_then_verify_image_through_the_tag_schema() {
    let Some(registry) = TestRegistry::start("push-verify") else {
        return;
    };
    let image = registry.push_image("shop/api", "v1", "push-verify");
    let dir = promotion("push-verify", &image);
    let out = gate(&dir, "dev", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // Nothing attached yet: rejected, naming the image.
    let out = verify_image(&dir, &image.display(), "dev");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no attestations attached"),
        "{}",
        stderr(&out)
    );

    let out = dir
        .command()
        .args(["push", "--bundle", "dev.sigstore.json", &image.display()])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("tag-schema index"),
        "{}",
        stderr(&out)
    );
    let referrer = stdout(&out).trim().rsplit_once('@').unwrap().1.to_owned();

    // The tag-schema index lists the referrer with its artifact type; the referrer's subject
    // is the image manifest.
    let tag = format!("sha256-{}", image.hex());
    let (status, body) =
        http_get(&registry.host, &format!("/v2/shop/api/manifests/{tag}")).unwrap();
    assert_eq!(status, 200);
    let index: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(index["manifests"][0]["digest"], json!(referrer));
    assert_eq!(
        index["manifests"][0]["artifactType"],
        json!("application/vnd.dev.sigstore.bundle.v0.3+json")
    );
    let (_, body) = http_get(
        &registry.host,
        &format!("/v2/shop/api/manifests/{referrer}"),
    )
    .unwrap();
    let manifest: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(manifest["subject"]["digest"], json!(image.digest));
    assert_eq!(
        manifest["config"]["mediaType"],
        json!("application/vnd.oci.empty.v1+json")
    );

    let out = verify_image(&dir, &image.display(), "dev");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("Verified"), "{}", stderr(&out));
    // Not a staging result, and not another image's.
    let out = verify_image(&dir, &image.display(), "staging");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let other = registry.push_image("shop/api", "v2", "other");
    let out = verify_image(&dir, &other.display(), "dev");
    assert_eq!(code(&out), 1, "{}", stderr(&out));

    // Pushing again is idempotent; a second bundle is added beside the first.
    let out = dir
        .command()
        .args(["push", "--bundle", "dev.sigstore.json", "--bundle"])
        .arg("dev.decision.sigstore.json")
        .arg(image.display())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (_, body) = http_get(&registry.host, &format!("/v2/shop/api/manifests/{tag}")).unwrap();
    let index: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 2, "{index}");
}

#[test]
fn push_refuses_a_tag_and_a_non_bundle() {
    let dir = Dir::new("push-refuses");
    dir.write("not-a-bundle.json", "{}");
    let out = dir
        .command()
        .args([
            "push",
            "--bundle",
            "not-a-bundle.json",
            "127.0.0.1:1/app:v1",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not pinned by digest"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn gate_push_and_chain_from_the_registry() {
    let Some(registry) = TestRegistry::start("gate-push") else {
        return;
    };
    let image = registry.push_image("shop/web", "v1", "gate-push");
    let dir = promotion("gate-push", &image);
    // staging requires dev: nothing in the registry yet.
    let out = gate(&dir, "staging", &["--image", &image.display()]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let out = gate(&dir, "dev", &["--image", &image.display(), "--push"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = verify_image(&dir, &image.display(), "dev");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Now staging finds dev's result attached to the image.
    let out = gate(&dir, "staging", &["--image", &image.display()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn collect_image_gathers_the_verified_attestations() {
    let Some(registry) = TestRegistry::start("collect-image") else {
        return;
    };
    let image = registry.push_image("shop/collect", "v1", "collect-image");
    let dir = promotion("collect-image", &image);
    let out = gate(&dir, "dev", &["--image", &image.display(), "--push"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // The VSA and the decision, both signed by the trusted gate key, as `registry` sources.
    let out = dir
        .command()
        .args(["collect", "--image", &image.display(), "--output", "e.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let evidence: Value =
        serde_json::from_slice(&fs_err::read(dir.path().join("e.json")).unwrap()).unwrap();
    assert_eq!(evidence["subject"]["digest"]["sha256"], image.hex());
    let sources = evidence["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2, "{evidence:#}");
    for source in sources {
        assert_eq!(source["kind"], "registry");
        assert!(
            source["path"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{}/shop/collect@sha256:", registry.host))
        );
    }
    assert_eq!(evidence["attestations"].as_array().unwrap().len(), 2);
    // Verified by stagegate, and recorded so: the signer and what it is trusted for (a bare
    // path in `trust.keys` is trusted for results and any evidence statement).
    for attestation in evidence["attestations"].as_array().unwrap() {
        assert_eq!(attestation["verified"], true, "{attestation}");
        assert_eq!(attestation["signer"]["kind"], "key", "{attestation}");
        assert_eq!(attestation["trustedFor"], serde_json::json!(["results"]));
    }

    // `evaluate --image` collects the same way (the baseline policy decides; not an error).
    let out = dir
        .command()
        .args(["evaluate", "--stage", "dev", "--image", &image.display()])
        .output()
        .unwrap();
    assert!(matches!(code(&out), 0 | 1), "{}", stderr(&out));

    // Signed by a key the config does not trust: skipped, nothing collected.
    let untrusted = dir.write(
        "other.yaml",
        format!(
            "version: 1\nstages:\n  dev:\n    policies: [{}]\ntrust:\n  keys: [{}]\n",
            repo_file("policies/baseline").display(),
            key("other.pub").display()
        ),
    );
    let out = dir
        .command()
        .args(["collect", "--image", &image.display(), "--config"])
        .arg(&untrusted)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let evidence: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(evidence["sources"].as_array().unwrap().is_empty());

    // `--subject` must name the image's digest.
    let other = format!("{}/shop/collect@sha256:{}", registry.host, "b".repeat(64));
    let out = dir
        .command()
        .args(["collect", "--image", &image.display(), "--subject", &other])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("same artifact"), "{}", stderr(&out));
}

#[test]
fn verify_reads_cosign_att_tags() {
    let Some(registry) = TestRegistry::start("cosign-att") else {
        return;
    };
    let image = registry.push_image("shop/att", "v1", "cosign-att");
    let dir = promotion("cosign-att", &image);
    let out = gate(&dir, "dev", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // cosign (pre-bundle) stores the DSSE envelope as a layer of the `sha256-<hex>.att` tag.
    let bundle: Value =
        serde_json::from_slice(&fs_err::read(dir.path().join("dev.sigstore.json")).unwrap())
            .unwrap();
    let envelope = serde_json::to_vec(&bundle["dsseEnvelope"]).unwrap();
    let config = b"{}".to_vec();
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256_digest(&config), "size": config.len()},
        "layers": [{
            "mediaType": "application/vnd.dsse.envelope.v1+json",
            "digest": sha256_digest(&envelope),
            "size": envelope.len(),
            "annotations": {"predicateType": "https://slsa.dev/verification_summary/v1"}
        }]
    })
    .to_string();
    let tag = parse_reference(&format!(
        "{}/shop/att:sha256-{}.att",
        registry.host,
        image.hex()
    ))
    .unwrap();
    stagegate::oci::runtime()
        .unwrap()
        .block_on(client().push_manifest(
            &tag,
            &[&config, &envelope],
            manifest.as_bytes(),
            OCI_MANIFEST,
        ))
        .unwrap();
    let out = verify_image(&dir, &image.display(), "dev");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains(".att") || stderr(&out).contains("Verified"));
}

/// A registry that implements only what the referrers-API path needs: manifests and blobs
/// (GET, HEAD, PUT by digest), monolithic blob uploads, and `GET /v2/<name>/referrers/<digest>`
/// built from the pushed manifests' `subject`s. It records whether the tag schema was written.
pub mod referrers_api {
    use super::*;

    #[derive(Default)]
    struct Store {
        manifests: Vec<(String, String, Vec<u8>)>,
        blobs: Vec<(String, Vec<u8>)>,
        tags_written: Vec<String>,
    }

    /// The server; stops when dropped.
    pub struct Server {
        /// `127.0.0.1:PORT`.
        pub host: String,
        store: Arc<Mutex<Store>>,
    }

    impl Server {
        /// Starts it on a thread.
        pub fn start() -> Server {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let host = listener.local_addr().unwrap().to_string();
            let store = Arc::new(Mutex::new(Store::default()));
            let shared = store.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let store = shared.clone();
                    std::thread::spawn(move || serve(stream, &store));
                }
            });
            Server { host, store }
        }

        /// Tags written with PUT (the tag schema would be one).
        pub fn tags_written(&self) -> Vec<String> {
            self.store.lock().unwrap().tags_written.clone()
        }

        /// Stores a manifest as if pushed.
        pub fn put_manifest(&self, reference: &str, media_type: &str, bytes: Vec<u8>) {
            let digest = sha256_digest(&bytes);
            let mut store = self.store.lock().unwrap();
            store
                .manifests
                .push((digest.clone(), media_type.to_owned(), bytes.clone()));
            if !reference.starts_with("sha256:") {
                store.tags_written.push(reference.to_owned());
                store
                    .manifests
                    .push((reference.to_owned(), media_type.to_owned(), bytes));
            }
        }
    }

    fn serve(stream: TcpStream, store: &Mutex<Store>) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or("").to_owned();
            let target = parts.next().unwrap_or("").to_owned();
            let mut length = 0usize;
            let mut content_type = String::new();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 {
                    return;
                }
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':') {
                    match name.to_ascii_lowercase().as_str() {
                        "content-length" => length = value.trim().parse().unwrap_or(0),
                        "content-type" => content_type = value.trim().to_owned(),
                        _ => {}
                    }
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            let (status, headers, payload) = route(&method, &target, &content_type, body, store);
            let mut head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", payload.len());
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            if writer.write_all(head.as_bytes()).is_err() {
                return;
            }
            if method != "HEAD" && writer.write_all(&payload).is_err() {
                return;
            }
        }
    }

    type Response = (&'static str, Vec<(String, String)>, Vec<u8>);

    fn route(
        method: &str,
        target: &str,
        content_type: &str,
        body: Vec<u8>,
        store: &Mutex<Store>,
    ) -> Response {
        let not_found: Response = (
            "404 Not Found",
            vec![],
            br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}"#.to_vec(),
        );
        let path = target.split('?').next().unwrap_or(target);
        let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
        let mut store = store.lock().unwrap();
        if path == "/v2/" {
            return ("200 OK", vec![], b"{}".to_vec());
        }
        let Some(rest) = path.strip_prefix("/v2/") else {
            return not_found;
        };
        if let Some((_, digest)) = rest.split_once("/referrers/") {
            let manifests: Vec<Value> = store
                .manifests
                .iter()
                .filter(|(key, _, _)| key.starts_with("sha256:"))
                .filter_map(|(key, media_type, bytes)| {
                    let m: Value = serde_json::from_slice(bytes).ok()?;
                    (m["subject"]["digest"] == json!(digest)).then(|| {
                        json!({"mediaType": media_type, "digest": key, "size": bytes.len(), "artifactType": m["artifactType"]})
                    })
                })
                .collect();
            let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests});
            return (
                "200 OK",
                vec![(
                    "Content-Type".into(),
                    "application/vnd.oci.image.index.v1+json".into(),
                )],
                index.to_string().into_bytes(),
            );
        }
        if let Some((_, reference)) = rest.split_once("/manifests/") {
            return match method {
                "PUT" => {
                    let digest = sha256_digest(&body);
                    store
                        .manifests
                        .push((digest.clone(), content_type.to_owned(), body.clone()));
                    if !reference.starts_with("sha256:") {
                        store.tags_written.push(reference.to_owned());
                        store
                            .manifests
                            .push((reference.to_owned(), content_type.to_owned(), body));
                    }
                    (
                        "201 Created",
                        vec![
                            ("Location".into(), path.to_owned()),
                            ("Docker-Content-Digest".into(), digest),
                        ],
                        vec![],
                    )
                }
                _ => match store
                    .manifests
                    .iter()
                    .rev()
                    .find(|(k, _, _)| k == reference)
                {
                    Some((_, media_type, bytes)) => (
                        "200 OK",
                        vec![
                            ("Content-Type".into(), media_type.clone()),
                            ("Docker-Content-Digest".into(), sha256_digest(bytes)),
                        ],
                        bytes.clone(),
                    ),
                    None => not_found,
                },
            };
        }
        if rest.ends_with("/blobs/uploads/") && method == "POST" {
            let name = rest.trim_end_matches("/blobs/uploads/");
            return (
                "202 Accepted",
                vec![("Location".into(), format!("/v2/{name}/blobs/uploads/u1"))],
                vec![],
            );
        }
        if rest.contains("/blobs/uploads/") {
            // PATCH appends, PUT ?digest= completes (monolithic or chunked).
            let digest = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("digest="))
                .map(|d| d.replace("%3A", ":"));
            if method == "PATCH" {
                store.blobs.push(("pending".into(), body));
                let name = rest.split("/blobs/uploads/").next().unwrap_or("");
                return (
                    "202 Accepted",
                    vec![
                        ("Location".into(), format!("/v2/{name}/blobs/uploads/u1")),
                        ("Range".into(), "0-0".into()),
                    ],
                    vec![],
                );
            }
            let mut content = body;
            if content.is_empty()
                && let Some(pos) = store.blobs.iter().rposition(|(k, _)| k == "pending")
            {
                content = store.blobs.remove(pos).1;
            }
            let digest = digest.unwrap_or_else(|| sha256_digest(&content));
            store.blobs.push((digest.clone(), content));
            return (
                "201 Created",
                vec![
                    ("Location".into(), format!("/v2/{rest}")),
                    ("Docker-Content-Digest".into(), digest),
                ],
                vec![],
            );
        }
        if let Some((_, digest)) = rest.split_once("/blobs/") {
            return match store.blobs.iter().find(|(k, _)| k == digest) {
                Some((_, bytes)) => (
                    "200 OK",
                    vec![
                        ("Content-Type".into(), "application/octet-stream".into()),
                        ("Docker-Content-Digest".into(), digest.to_owned()),
                    ],
                    bytes.clone(),
                ),
                None => (
                    "404 Not Found",
                    vec![],
                    br#"{"errors":[{"code":"BLOB_UNKNOWN","message":"unknown"}]}"#.to_vec(),
                ),
            };
        }
        not_found
    }
}

#[test]
fn push_uses_the_referrers_api_where_the_registry_has_one() {
    let server = referrers_api::Server::start();
    let config = b"{}".to_vec();
    let image_manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256_digest(&config), "size": 2},
        "layers": []
    })
    .to_string()
    .into_bytes();
    let digest = sha256_digest(&image_manifest);
    server.put_manifest(&digest, OCI_MANIFEST, image_manifest);
    let image = parse_pinned(&format!("{}/shop/api@{digest}", server.host)).unwrap();
    let dir = promotion("referrers-api", &image);
    let out = gate(&dir, "dev", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = dir
        .command()
        .args(["push", "--bundle", "dev.sigstore.json", &image.display()])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("listed by the registry"),
        "{}",
        stderr(&out)
    );
    assert!(
        server.tags_written().is_empty(),
        "{:?}",
        server.tags_written()
    );
    let out = verify_image(&dir, &image.display(), "dev");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// Issue 16: an image the registry does not hold is an error naming it, not "no attestations
/// attached".
#[test]
fn verify_and_collect_tell_a_missing_image_from_an_unsigned_one() {
    let Some(registry) = TestRegistry::start("missing-image") else {
        return;
    };
    let image = registry.push_image("shop/api", "v1", "missing-image");
    let dir = promotion("missing-image", &image);
    let missing = format!("{}/shop/api@sha256:{}", registry.host, "0".repeat(64));
    let out = verify_image(&dir, &missing, "dev");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not in the registry"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("no attestations attached"));
    // The image that is there, unsigned, is still a rejection.
    let out = verify_image(&dir, &image.display(), "dev");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("no attestations attached"));
}

/// <https://github.com/stagegate/stagegate/issues/12> (point 1): a push that fails (a read-only
/// registry answers 405) is an error, and leaves no signed bundle nor report on disk.
#[test]
fn gate_push_to_a_read_only_registry_leaves_nothing_on_disk() {
    let Some(mut registry) = TestRegistry::start("gate-push-readonly") else {
        return;
    };
    let image = registry.push_image("shop/ro", "v1", "gate-push-readonly");
    registry.make_read_only();
    let dir = promotion("gate-push-readonly", &image);
    let out = gate(
        &dir,
        "dev",
        &[
            "--image",
            &image.display(),
            "--push",
            "--format",
            "json=decision.json",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot push"), "{}", stderr(&out));
    for file in [
        "dev.sigstore.json",
        "dev.decision.sigstore.json",
        "decision.json",
    ] {
        assert!(!dir.path().join(file).exists(), "{file} was left behind");
    }
    let leftovers: Vec<_> = fs_err::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".stagegate-") || n.contains(".sigstore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// <https://github.com/stagegate/stagegate/issues/12> (point 12): concurrent pushes of
/// different bundles to one image all end up in the referrers tag-schema index.
#[test]
fn concurrent_pushes_are_all_listed_in_the_tag_schema_index() {
    let Some(registry) = TestRegistry::start("concurrent-push") else {
        return;
    };
    let image = registry.push_image("shop/race", "v1", "concurrent-push");
    let dir = Dir::new("concurrent-push");
    const PUSHERS: usize = 6;
    for n in 0..PUSHERS {
        let out = dir
            .command()
            .env("STAGEGATE_PASSWORD", PASSWORD)
            .args(["approve", "--stage", &format!("stage{n}"), "--subject"])
            .arg(image.display())
            .arg("--key")
            .arg(key("alice.key"))
            .args(["--output", &format!("approval{n}.json")])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let children: Vec<_> = (0..PUSHERS)
        .map(|n| {
            Command::new(assert_cmd::cargo::cargo_bin("stagegate"))
                .current_dir(dir.path())
                .args(["push", "--bundle", &format!("approval{n}.json")])
                .arg(image.display())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut pushed = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        pushed.push(stdout(&out).trim().rsplit_once('@').unwrap().1.to_owned());
    }
    let tag = format!("sha256-{}", image.hex());
    let (status, body) =
        http_get(&registry.host, &format!("/v2/shop/race/manifests/{tag}")).unwrap();
    assert_eq!(status, 200);
    let index: Value = serde_json::from_slice(&body).unwrap();
    let listed: Vec<&str> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["digest"].as_str())
        .collect();
    for digest in &pushed {
        assert!(
            listed.contains(&digest.as_str()),
            "{digest} missing: {index}"
        );
    }
    assert_eq!(listed.len(), PUSHERS, "{index}");
}

/// <https://github.com/stagegate/stagegate/issues/12> (point 1): when writing the files fails
/// after a successful push, the error says the bundles were pushed, and no file is left.
#[test]
fn a_failure_after_the_push_says_it_was_pushed() {
    let Some(registry) = TestRegistry::start("gate-push-then-fail") else {
        return;
    };
    let image = registry.push_image("shop/late", "v1", "gate-push-then-fail");
    let dir = promotion("gate-push-then-fail", &image);
    fs_err::create_dir(dir.path().join("taken")).unwrap();
    let out = gate(
        &dir,
        "dev",
        &[
            "--image",
            &image.display(),
            "--push",
            "--decision-bundle-out",
            "taken",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("already pushed"), "{}", stderr(&out));
    assert!(!dir.path().join("dev.sigstore.json").exists());
    // The pushed result is there, as the message says.
    let out = verify_image(&dir, &image.display(), "dev");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}
