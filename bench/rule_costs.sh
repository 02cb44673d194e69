#!/usr/bin/env bash
# Where the time goes: `stagegate evaluate` on one evidence file with one policy file (or CEL
# rule file) at a time, so that each one's cost can be read off against a near-empty baseline
# (integrity.rego: one rule over `input.problems`, which is empty).
#
#   bench/rule_costs.sh            # 10,000 components
#   SIZE=50000 RUNS=5 bench/rule_costs.sh
#
# Configs are written to bench/out/rules/; figures to bench/out/rules/*.json and stdout. On a
# loaded machine read the CPU column (user + system time), which waiting does not inflate.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-10000}
RUNS=${RUNS:-5}
OUT=bench/out/rules
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/stagegate}
EVIDENCE=bench/out/pass-$SIZE.json
mkdir -p "$OUT"
[ -s "$EVIDENCE" ] || python3 bench/gen_evidence.py -n "$SIZE" -o "$EVIDENCE"

# name -> policy paths (relative to the repo root). age.rego shares its package with
# provenance.rego and needs it.
declare -A SETS=(
  [0-integrity]="policies/baseline/integrity.rego"
  [licenses]="policies/baseline/integrity.rego, policies/baseline/licenses.rego"
  [sbom]="policies/baseline/integrity.rego, policies/baseline/sbom.rego"
  [tests]="policies/baseline/integrity.rego, policies/baseline/tests.rego"
  [vulnerabilities]="policies/baseline/integrity.rego, policies/baseline/vulnerabilities.rego"
  [provenance+age]="policies/baseline/integrity.rego, policies/supply-chain"
  [approvals]="policies/baseline/integrity.rego, policies/release"
  [security.cel]="policies/baseline/integrity.rego, policies/security.cel.yaml"
  [release.cel]="policies/baseline/integrity.rego, policies/release.cel.yaml"
)

for name in $(printf '%s\n' "${!SETS[@]}" | sort); do
  paths=$(echo "${SETS[$name]}" | sed 's#\([^, ][^,]*\)#../../../\1#g')
  cat >"$OUT/$name.yaml" <<EOF
version: 1
stages:
  prod:
    policies: [$paths]
    data: [../../../policies/data.yaml]
EOF
  hyperfine -N --warmup 1 --runs "$RUNS" -i --export-json "$OUT/$name.json" \
    "$BIN evaluate --config $OUT/$name.yaml --stage prod --evidence $EVIDENCE --effective-time 2026-11-27T12:00:00Z --format json" >/dev/null
  python3 - "$OUT/$name.json" "$name" <<'EOF'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"][0]
t = r["times"]
cpu = (r["user"] + r["system"]) * 1e3
print(f"{sys.argv[2]:<18} wall median {statistics.median(t)*1e3:8.1f} ms  min {min(t)*1e3:8.1f} ms"
      f"   CPU (user+sys, mean) {cpu:8.1f} ms")
EOF
done
