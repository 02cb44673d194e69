#!/usr/bin/env bash
# `stagegate impact` over many recorded evidence documents: the time per document with each
# side's stages prepared once (issue #15 point 7).
#
#   bench/impact.sh                      # 1,000 documents of 100 components, staging + prod
#   DOCS=200 COMPONENTS=1000 bench/impact.sh
#   STAGE_NAMES=prod bench/impact.sh     # one stage: two evaluations (old, new) per document
#
# Generates DOCS Evidence documents (seeds 1..DOCS, every tenth one failing), an "old" policy
# tree (this repository's stagegate.yaml and policies) and a "new" one (the same with a
# stricter license rule), then times `impact` on 1 document and on all of them. The time per
# document is (T(all) - T(1)) / (DOCS - 1): what one more recorded promotion costs, without
# the process start, the config and the policy loading, which happen once. Each document is
# evaluated at every stage, once per side. Prints a Markdown row for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS=${DOCS:-1000}
COMPONENTS=${COMPONENTS:-100}
RUNS=${RUNS:-3}
BIN=${BIN:-target/release/stagegate}
OUT=bench/out/impact-$DOCS-$COMPONENTS
EFFECTIVE=2026-11-27T12:00:00Z
STAGES=(); for s in ${STAGE_NAMES:-staging prod}; do STAGES+=(--stage "$s"); done

if [ "${BUILD:-1}" = 1 ]; then cargo build --release --bin stagegate >&2; fi
mkdir -p "$OUT/docs" "$OUT/one" "$OUT/new"
for i in $(seq 1 "$DOCS"); do
  f=$(printf '%s/docs/doc-%05d.json' "$OUT" "$i")
  [ -s "$f" ] && continue
  if [ $((i % 10)) = 0 ]; then
    python3 bench/gen_evidence.py -n "$COMPONENTS" --seed "$i" --fail -o "$f"
  else
    python3 bench/gen_evidence.py -n "$COMPONENTS" --seed "$i" -o "$f"
  fi
done
cp "$OUT/docs/doc-00001.json" "$OUT/one/"
# The "new" tree: the same policies with one more banned license family.
rm -rf "$OUT/new"; mkdir -p "$OUT/new"
cp -r stagegate.yaml policies "$OUT/new/"
mkdir -p "$OUT/new/testdata" && cp -r testdata/keys "$OUT/new/testdata/"
python3 - "$OUT/new/policies/data.yaml" <<'PY'
import sys
p = sys.argv[1]
text = open(p).read()
open(p, "w").write(text.replace("banned_licenses:", "banned_licenses:\n    - MPL-2.0", 1))
PY

run() { # run DIR: wall seconds of one impact run over DIR
  local start end
  start=$(date +%s.%N)
  "$BIN" impact --old . --new "$OUT/new" --evidence-dir "$1" "${STAGES[@]}" \
    --effective-time "$EFFECTIVE" --format json >"$OUT/impact-$(basename "$1").json" 2>/dev/null || true
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}
median() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }

echo "load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
one=(); all=()
for _ in $(seq 1 "$RUNS"); do one+=("$(run "$OUT/one")"); all+=("$(run "$OUT/docs")"); done
t1=$(median "${one[@]}"); tn=$(median "${all[@]}")
python3 - "$t1" "$tn" "$DOCS" "$COMPONENTS" "$OUT/impact-docs.json" <<'PY'
import json, sys
t1, tn, docs, comps, report = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
r = json.load(open(report))
per_doc = (tn - t1) / (docs - 1)
evals = 2 * len(r["stages"])
print(f"| {docs:,} | {comps:,} | {t1*1000:.0f} | {tn:.2f} | {per_doc*1000:.2f} | {per_doc*1000/evals:.2f} | {r['evaluated']} | {len(r['changes'])} | {len(r['errors'])} |")
PY
