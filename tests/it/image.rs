//! The container image (issue 16): `scripts/build-image.sh` packages the binary these tests
//! run (CI builds no second, release binary for this) into an OCI image layout; `skopeo` pushes
//! it to Debian's `docker-registry` on loopback, inspects it and pulls it back; the layer is
//! unpacked and the binary run from it with `chroot` as the image's user, which proves the
//! image holds everything it needs: `--version`, `verify` (of a bundle, and of the results
//! attached to the image in the registry) and `serve` answering `/healthz` over TLS. Then
//! stagegate gates its own image (`deploy/image-gate/`) and pushes the signed result beside it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::registry::TestRegistry;
use crate::serve::make_tls;
use crate::util::{Dir, code, repo_file, stderr, stdout};

const SKOPEO: &str = "/usr/bin/skopeo";
const PASSWORD: &str = "stagegate-test";

/// Whether the image test may run: `skopeo` installed and root (for `chroot`); in CI it must.
fn image_tools_available() -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if Path::new(SKOPEO).exists() && root {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the image test needs `{SKOPEO}` (.ci/run installs `skopeo`) and root for `chroot`"
    );
    eprintln!("skipping: the image test needs `skopeo` (apt-get install skopeo) and root");
    false
}

fn run(command: &mut Command) -> Output {
    let output = command.output().expect("run command");
    assert!(
        output.status.success(),
        "{command:?} failed: {}\n{}",
        stdout(&output),
        stderr(&output)
    );
    output
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&fs_err::read(path).unwrap()).unwrap()
}

fn blob(layout: &Path, digest: &str) -> PathBuf {
    layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"))
}

/// `build-image.sh` on the test binary; returns the manifest digest it printed.
fn build_image(dir: &Dir, output: &str) -> String {
    let out = run(Command::new("bash")
        .arg(repo_file("scripts/build-image.sh"))
        .args(["--binary", env!("CARGO_BIN_EXE_stagegate")])
        .args(["--output", output, "--tag", "test"])
        .args(["--revision", "0123456789abcdef0123456789abcdef01234567"])
        .args(["--sbom", "image.cdx.json"])
        .env("SOURCE_DATE_EPOCH", "1796212800")
        .current_dir(dir.path()));
    let digest = stdout(&out).trim().to_owned();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );
    digest
}

/// `chroot --userspec=65532:65532 ROOTFS stagegate ARGS…`: the image's binary, as its user,
/// with nothing from the host but the kernel (and loopback networking).
fn in_image(rootfs: &Path) -> Command {
    // The child's PATH is the image's, and Command looks the program up in it: name
    // coreutils' chroot by its path.
    let chroot = ["/usr/sbin/chroot", "/usr/bin/chroot", "/sbin/chroot"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("coreutils' chroot");
    let mut command = Command::new(chroot);
    command
        .arg("--userspec=65532:65532")
        .arg(rootfs)
        .arg("/usr/local/bin/stagegate")
        .env_clear()
        .env("PATH", "/usr/local/bin")
        .env("NO_COLOR", "1")
        .current_dir("/");
    command
}

#[test]
fn image_builds_pushes_runs_from_its_root_and_gates_itself() {
    if !image_tools_available() {
        return;
    }
    let Some(registry) = TestRegistry::start("image") else {
        return;
    };
    let dir = Dir::new("image");
    let digest = build_image(&dir, "layout");
    let layout = dir.path().join("layout");

    // The layout: one manifest, tagged; the config runs `stagegate` as 65532 with OCI labels.
    let index = read_json(&layout.join("index.json"));
    assert_eq!(index["manifests"][0]["digest"], digest.as_str());
    assert_eq!(
        index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
        "test"
    );
    let manifest = read_json(&blob(&layout, &digest));
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        manifest["annotations"]["org.opencontainers.image.version"],
        version
    );
    let config = read_json(&blob(
        &layout,
        manifest["config"]["digest"].as_str().unwrap(),
    ));
    assert_eq!(config["config"]["User"], "65532:65532");
    assert_eq!(
        config["config"]["Entrypoint"],
        serde_json::json!(["stagegate"])
    );
    assert_eq!(config["created"], "2026-12-02T12:00:00Z");

    // Reproducible: the same inputs give the same digest.
    assert_eq!(build_image(&dir, "layout-again"), digest);

    // Push with skopeo, keeping the digest; inspect what the registry holds.
    let host = &registry.host;
    run(Command::new(SKOPEO)
        .args([
            "copy",
            "--quiet",
            "--preserve-digests",
            "--dest-tls-verify=false",
        ])
        .arg(format!("oci:{}:test", layout.display()))
        .arg(format!("docker://{host}/stagegate:test")));
    let inspected = run(Command::new(SKOPEO)
        .args(["inspect", "--tls-verify=false"])
        .arg(format!("docker://{host}/stagegate:test")));
    let inspected: Value = serde_json::from_slice(&inspected.stdout).unwrap();
    assert_eq!(inspected["Digest"], digest.as_str());
    let labels = &inspected["Labels"];
    assert_eq!(labels["org.opencontainers.image.version"], version);
    assert_eq!(
        labels["org.opencontainers.image.revision"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert!(
        labels["org.opencontainers.image.source"]
            .as_str()
            .is_some_and(|s| s.starts_with("https://"))
    );
    let image = format!("{host}/stagegate@{digest}");

    // Pull it back by digest and unpack its one layer: that is the whole root filesystem.
    run(Command::new(SKOPEO)
        .args(["copy", "--quiet", "--src-tls-verify=false"])
        .arg(format!("docker://{image}"))
        .arg(format!(
            "oci:{}:pulled",
            dir.path().join("pulled").display()
        )));
    let pulled = dir.path().join("pulled");
    let pulled_index = read_json(&pulled.join("index.json"));
    let pulled_manifest = read_json(&blob(
        &pulled,
        pulled_index["manifests"][0]["digest"].as_str().unwrap(),
    ));
    let layers = pulled_manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    let rootfs = dir.path().join("rootfs");
    fs_err::create_dir_all(&rootfs).unwrap();
    run(Command::new("tar")
        .arg("-xzf")
        .arg(blob(&pulled, layers[0]["digest"].as_str().unwrap()))
        .arg("-C")
        .arg(&rootfs));
    assert!(!rootfs.join("bin/sh").exists(), "the image has no shell");
    let passwd = fs_err::read_to_string(rootfs.join("etc/passwd")).unwrap();
    assert!(passwd.contains("nonroot:x:65532:65532"));
    assert!(rootfs.join("etc/ssl/certs/ca-certificates.crt").is_file());

    let out = run(in_image(&rootfs).arg("--version"));
    assert_eq!(stdout(&out).trim(), format!("stagegate {version}"));

    // Dogfooding: gate the image with its own SBOM under deploy/image-gate, push the signed
    // result beside it.
    let gate_dir = Dir::new("image-gate");
    for file in ["stagegate.yaml", "image.cel.yaml"] {
        fs_err::copy(
            repo_file(&format!("deploy/image-gate/{file}")),
            gate_dir.path().join(file),
        )
        .unwrap();
    }
    fs_err::create_dir_all(gate_dir.path().join("keys")).unwrap();
    fs_err::copy(
        repo_file("testdata/keys/gate.pub"),
        gate_dir.path().join("keys/release.pub"),
    )
    .unwrap();
    let out = gate_dir
        .command()
        .env("STAGEGATE_PASSWORD", PASSWORD)
        .args(["gate", "--stage", "release", "--image", &image, "--sbom"])
        .arg(dir.path().join("image.cdx.json"))
        .arg("--key")
        .arg(repo_file("testdata/keys/gate.key"))
        .args(["--bundle-out", "release.sigstore.json", "--push"])
        .args(["--format", "json=decision.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let decision = read_json(&gate_dir.path().join("decision.json"));
    assert_eq!(decision["result"], "pass");
    assert!(
        stderr(&out).contains("Pushed a `https://slsa.dev/verification_summary/v1` bundle"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        decision["subject"]["digest"]["sha256"],
        digest.trim_start_matches("sha256:")
    );
    assert!(
        decision["rules"].as_array().is_some_and(|r| r.len() >= 3),
        "{decision}"
    );

    // `verify` from inside the image: the bundle file, then the result attached in the
    // registry (the image's binary talks to the registry over loopback).
    let work = rootfs.join("work");
    fs_err::create_dir_all(&work).unwrap();
    fs_err::copy(
        gate_dir.path().join("release.sigstore.json"),
        work.join("release.sigstore.json"),
    )
    .unwrap();
    fs_err::copy(repo_file("testdata/keys/gate.pub"), work.join("gate.pub")).unwrap();
    let out = in_image(&rootfs)
        .args(["verify", "--bundle", "/work/release.sigstore.json"])
        .args(["--key", "/work/gate.pub", "--stage", "release"])
        .args(["--subject", &digest])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = in_image(&rootfs)
        .args(["verify", "--image", &image, "--stage", "release"])
        .args(["--key", "/work/gate.pub"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("Verified"), "{}", stderr(&out));
    let out = in_image(&rootfs)
        .args(["verify", "--image", &image, "--stage", "prod"])
        .args(["--key", "/work/gate.pub"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));

    // `serve` from inside the image answers /healthz over TLS.
    let tls = Dir::new("image-tls");
    let ca = make_tls(&tls);
    for file in ["tls.crt", "tls.key"] {
        fs_err::copy(tls.path().join("tls").join(file), work.join(file)).unwrap();
    }
    fs_err::write(
        work.join("admission.yaml"),
        "trust:\n  keys: [gate.pub]\nmax_age: 7d\nnamespaces:\n  prod: {stage: release}\n",
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut server = in_image(&rootfs)
        .args(["serve", "--config", "/work/admission.yaml"])
        .args(["--tls-cert", "/work/tls.crt", "--tls-key", "/work/tls.key"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
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
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut healthy = None;
    while Instant::now() < deadline && healthy.is_none() {
        healthy = runtime.block_on(async {
            let response = client
                .get(format!("https://localhost:{port}/healthz"))
                .send()
                .await
                .ok()?;
            Some((response.status().as_u16(), response.text().await.ok()?))
        });
        if healthy.is_none() {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let _ = server.kill();
    let server_out = server.wait_with_output().unwrap();
    let (status, _) = healthy
        .unwrap_or_else(|| panic!("serve in the image did not answer: {}", stderr(&server_out)));
    assert_eq!(status, 200);
    // `serve` says where it listens.
    assert!(
        stderr(&server_out).contains(&format!("127.0.0.1:{port}")),
        "{}",
        stderr(&server_out)
    );
}
