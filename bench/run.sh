#!/usr/bin/env bash
# Whole-program benchmark of `stagegate evaluate`, with peak RSS and the OPA reference point.
# Micro-benchmarks of evaluation alone live in bench/evaluate.rs (criterion); this script runs
# them too unless CRITERION=0. See bench/README.md.
#
#   bench/run.sh                          # every size: 100 1000 10000 50000
#   SIZES="10000" RUNS=10 bench/run.sh    # one size, more runs
#   CRITERION=0 OPA=0 bench/run.sh        # whole process and RSS only
#
# Writes everything into bench/out/ (gitignored) and prints a Markdown summary
# (bench/out/summary.md). Needs: cargo, python3, hyperfine (else a Python timer), GNU time
# (/usr/bin/time), and for OPA the `opa_bindings` package (see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"100 1000 10000 50000"}
RUNS=${RUNS:-7}
CRITERION=${CRITERION:-1}
OPA=${OPA:-1}
EFFECTIVE=2026-11-27T12:00:00Z
OUT=bench/out
TARGET=${CARGO_TARGET_DIR:-target}
BIN=${BIN:-$TARGET/release/stagegate}
mkdir -p "$OUT"
# A backtrace per anyhow error: regorus builds (and drops) errors on some evaluation paths, and
# RUST_BACKTRACE=1 (common in CI) made the old starter policies ~1.8x slower in-process.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE

echo "== machine" >&2
{
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "mem: $(free -m | awk '/Mem:/ {print $2 " MiB"}')"
  echo "kernel: $(uname -r)"
  echo "rustc: $(rustc --version)"
  echo "binary: $BIN"
  echo "git: $(git rev-parse --short HEAD)$(git diff --quiet -- src Cargo.toml || echo ' (+ uncommitted changes in src/ or Cargo.toml)')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt" >&2

echo "== build" >&2
if [ "${BUILD:-1}" = 1 ]; then cargo build --release --bin stagegate >&2; fi

echo "== inputs" >&2
for n in $SIZES; do
  [ -s "$OUT/pass-$n.json" ] || python3 bench/gen_evidence.py -n "$n" -o "$OUT/pass-$n.json"
  [ -s "$OUT/fail-$n.json" ] || python3 bench/gen_evidence.py -n "$n" --fail --banned-licenses 1 -o "$OUT/fail-$n.json"
done

# time_cmd NAME CMD...: wall time of RUNS runs after one warm-up, into $OUT/NAME.json.
time_cmd() {
  local name=$1; shift
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 1 --runs "$RUNS" -i --export-json "$OUT/$name.json" "$*" >&2
  else
    python3 - "$OUT/$name.json" "$RUNS" "$@" <<'EOF'
import json, subprocess, sys, time
out, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
subprocess.run(cmd, stdout=subprocess.DEVNULL)
times = []
for _ in range(runs):
    t = time.perf_counter(); subprocess.run(cmd, stdout=subprocess.DEVNULL); times.append(time.perf_counter() - t)
json.dump({"results": [{"command": " ".join(cmd), "times": times}]}, open(out, "w"))
EOF
  fi
}

echo "== whole process" >&2
for n in $SIZES; do
  # full: the prod stage (Rego + CEL); rego-only: its Rego policies, the set OPA evaluates;
  # rego-vm: the same on regorus's compiled VM (`--rego-engine vm`).
  for cfg in full rego-only rego-vm; do
    config=stagegate.yaml; [ $cfg != full ] && config=bench/rego-only.yaml
    engine=interpreter; [ $cfg = rego-vm ] && engine=vm
    cmd="$BIN evaluate --config $config --stage prod --evidence $OUT/pass-$n.json --effective-time $EFFECTIVE --format json --rego-engine $engine"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg)  $cfg $n" >&2
    time_cmd "process-$cfg-$n" $cmd
    # Peak RSS (and the exit code: 0 expected, the document passes).
    /usr/bin/time -v $cmd >"$OUT/decision-$cfg-$n.json" 2>"$OUT/rss-$cfg-$n.txt" || true
  done
  # A failing document too, for the exit code and the decision (not in the tables).
  $BIN evaluate --config bench/rego-only.yaml --stage prod --evidence "$OUT/fail-$n.json" \
    --effective-time $EFFECTIVE --format json >"$OUT/decision-fail-rego-only-$n.json" || true
done

if [ "$OPA" = 1 ]; then
  echo "== OPA (Go engine via opa_bindings)" >&2
  files=(); for n in $SIZES; do files+=("$OUT/pass-$n.json"); done
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  python3 bench/opa_compare.py "${files[@]}" --repeat "$RUNS" --json "$OUT/opa.json" >&2
fi

if [ "$CRITERION" = 1 ]; then
  echo "== evaluation alone (criterion, bench/evaluate.rs)" >&2
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  BENCH_SIZES=$(echo $SIZES | tr ' ' ',') cargo bench --bench evaluate >&2
fi

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
python3 bench/summarize.py "$OUT" "$TARGET" $SIZES | tee "$OUT/summary.md"
