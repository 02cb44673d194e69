#!/bin/sh
# Speed of `stagegate test`: generate N `test_*` rules (default 1000) across 50 test files
# against 10 policy modules, then time the whole run (process wall time: parse once, prepare,
# run in parallel, render). The goal (issue 5): 1,000 test rules in under 2 s.
#
#   bench/test_runner.sh [N] [BINARY]
#
# BINARY defaults to target/release/stagegate when it exists, else target/debug/stagegate.
# Micro-benchmarks of evaluation alone live in bench/evaluate.rs (criterion); this is the
# whole-program figure. Results: bench/TEST_RUNNER.md.
set -eu
N=${1:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${2:-}
if [ -z "$BIN" ]; then
	if [ -x "$ROOT/target/release/stagegate" ] && "$ROOT/target/release/stagegate" test --help >/dev/null 2>&1; then
		BIN=$ROOT/target/release/stagegate
	else
		BIN=$ROOT/target/debug/stagegate
	fi
fi
DIR=$(mktemp -d "${TMPDIR:-/tmp}/stagegate-test-bench.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
FILES=50
PER=$(( (N + FILES - 1) / FILES ))
python3 - "$DIR" "$N" "$FILES" "$PER" <<'PY'
import sys, os
d, n, files, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for p in range(10):
    with open(os.path.join(d, f"policy{p}.rego"), "w") as f:
        f.write(f"""package bench.p{p}

import rego.v1

deny contains msg if {{
	some v in input.vulnerabilities
	v.severity in {{"critical", "high"}}
	count(v.fixedIn) > 0
	msg := sprintf("%s is fixable", [v.id])
}}

warn contains msg if {{
	some c in input.sbom.components
	not c.purl
	msg := sprintf("%s has no purl", [c.name])
}}
""")
made = 0
for t in range(files):
    p = t % 10
    with open(os.path.join(d, f"t{t}_test.rego"), "w") as f:
        f.write(f"package bench.t{t}_test\n\nimport rego.v1\n\n")
        for i in range(per):
            if made == n:
                break
            made += 1
            k = i % 4
            f.write(f"""test_{i} if {{
	count(data.bench.p{p}.deny) == {k % 2} with input as {{"vulnerabilities": [{{"id": "CVE-{i}", "severity": "{'high' if k % 2 else 'low'}", "fixedIn": ["1.{i}"]}}], "sbom": {{"components": [{{"name": "c{i}", "purl": "pkg:npm/c{i}@1"}}]}}}}
}}

""")
print(f"generated {made} test rules in {files} files", file=sys.stderr)
PY
echo "binary: $BIN" >&2
for run in 1 2 3; do
	/usr/bin/time -f "run $run: %e s wall, %U s user, %M KiB max RSS" "$BIN" test "$DIR" >"$DIR/out.txt" || true
	tail -1 "$DIR/out.txt"
done
