#!/bin/sh
# Whole-program benchmark of collecting (issue 3, point 6): a 50,000-component CycloneDX SBOM
# plus a 10,000-match Grype report, collected and written, RUNS times; prints wall time, CPU
# time (user + sys, less sensitive to other load on the machine) and peak RSS per run.
#
#   bench/collect.sh                 # generate, build, measure
#   N=100000 M=20000 RUNS=3 bench/collect.sh
#
# Uses the library through `examples/collect.rs` until `stagegate collect` exists; then
# replace $BIN with `target/release/stagegate collect --subject ... -o`.
set -eu
cd "$(dirname "$0")/.."
N=${N:-50000}
M=${M:-10000}
RUNS=${RUNS:-5}
OUT=bench/out
python3 bench/gen_collect.py -n "$N" -m "$M" -o "$OUT"
if [ "${BUILD:-1}" = 1 ]; then cargo build --release --example collect; fi
BIN=target/release/examples/collect
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ "$i" -lt "$RUNS" ]; do
    /usr/bin/time -f 'wall %e s  user %U s  sys %S s  maxrss %M KB' \
        "$BIN" "$OUT/collect-evidence.json" \
        --sbom "$OUT/collect-sbom-$N.cdx.json" --scan "$OUT/collect-grype-$M.json"
    i=$((i + 1))
done
