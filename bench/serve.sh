#!/usr/bin/env bash
# Load benchmark of `stagegate serve` (issue 6): HTTPS on loopback with keep-alive, driven by
# wrk (Debian's package), against Debian's docker-registry holding one image with a signed
# dev result. Two runs:
#   warm: the verification cache holds the image (the steady state of a cluster);
#   cold: cache TTLs of 0, so every review lists the referrers, fetches the bundles from the
#         registry and verifies the signature.
# Whole-program benchmark; the micro-benchmarks (criterion) live in bench/evaluate.rs and
# bench/attest.rs. Results: bench/SERVE.md. Needs: docker-registry, wrk, openssl, python3.
#
#   bench/serve.sh [DURATION_SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
bin=${STAGEGATE_BIN:-target/release/stagegate}
[ -x "$bin" ] || cargo build --release --locked --bin stagegate
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Registry.
rport=$(free_port)
cat > "$work/registry.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/storage}}
http: {addr: 127.0.0.1:$rport}
YAML
/usr/bin/docker-registry serve "$work/registry.yml" >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$rport/v2/" >/dev/null && break; sleep 0.1; done
digest=$(python3 bench/serve_push_image.py "127.0.0.1:$rport" shop/api v1 bench)
image="127.0.0.1:$rport/shop/api@$digest"

# A signed dev result, pushed as a referrer.
python3 - "$work/evidence.json" "$digest" <<'PY'
import json, sys
e = json.load(open("testdata/evidence/good.json"))
e["subject"]["digest"]["sha256"] = sys.argv[2].split(":", 1)[1]
json.dump(e, open(sys.argv[1], "w"))
PY
cat > "$work/stagegate.yaml" <<YAML
version: 1
stages:
  dev:
    policies: [$PWD/policies/baseline]
    data: [$PWD/policies/data.yaml]
trust:
  keys: [$PWD/testdata/keys/gate.pub]
YAML
STAGEGATE_PASSWORD=stagegate-test "$bin" gate --config "$work/stagegate.yaml" --stage dev \
  --effective-time 2026-11-27T12:00:00Z --evidence "$work/evidence.json" \
  --key testdata/keys/gate.key --bundle-out "$work/dev.sigstore.json" \
  --image "$image" --push >/dev/null

# TLS.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null

python3 - "$work/review.json" "$image" <<'PY'
import json, sys
spec = {"containers": [{"name": "app", "image": sys.argv[2]}],
        "initContainers": [{"name": "init", "image": sys.argv[2]}]}
review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
    "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
    "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
    "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
    "name": "web", "namespace": "dev", "operation": "CREATE",
    "userInfo": {"username": "system:serviceaccount:ci:deployer", "groups": ["system:authenticated"]},
    "object": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "dev"},
               "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec}}},
    "oldObject": None, "dryRun": False,
    "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}}}
json.dump(review, open(sys.argv[1], "w"))
PY

run() { # NAME TTL
  local name=$1 ttl=$2 port
  port=$(free_port)
  cat > "$work/admission.yaml" <<YAML
trust: {keys: [$PWD/testdata/keys/gate.pub]}
max_age: 3650d
cache: {ttl: $ttl, failure_ttl: $ttl}
namespaces: {dev: {stage: dev}}
YAML
  "$bin" serve --config "$work/admission.yaml" --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" \
    --listen "127.0.0.1:$port" & local spid=$!
  pids+=($spid)
  for _ in $(seq 100); do curl -ks "https://localhost:$port/healthz" >/dev/null && break; sleep 0.1; done
  answer=$(curl -ks -H 'Content-Type: application/json' --data-binary @"$work/review.json" "https://localhost:$port/validate")
  case "$answer" in *'"allowed":true'*) ;; *) echo "unexpected answer: $answer" >&2; exit 1;; esac
  echo "== $name ($connections connections, ${duration}s, 2 wrk threads)"
  REVIEW="$work/review.json" wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"${duration}s" --latency \
    -s bench/serve_review.lua "https://localhost:$port/validate" | tee "$work/$name.txt" | grep -E 'Requests/sec|JSON|Latency|99%|50%'
  curl -ks "https://localhost:$port/metrics" | grep -E '^stagegate_(cache|registry|admission_decisions)' || true
  kill "$spid"; wait "$spid" 2>/dev/null || true
}
[ "${ONLY:-}" = cold ] || run warm 1h
run cold 0s
