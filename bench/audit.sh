#!/usr/bin/env bash
# Whole-program audit figures: `stagegate audit verify` and `audit report` (text, json, html)
# over a 100,000-record SQLite store (scripts/gen-audit-store.py), and the cost `--audit` adds
# to `stagegate evaluate`. Release build. Figures go in bench/AUDIT.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin stagegate
bin=target/release/stagegate
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
python3 scripts/gen-audit-store.py "$work/audit.db" --records 100000 --days 365
t() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo "$(( (e - s) / 1000000 )) ms"; }
echo "audit verify (100k):       $(t $bin audit verify --audit-db "$work/audit.db")"
for f in text json html; do
  echo "audit report --format $f: $(t $bin audit report --audit-db "$work/audit.db" --format $f --now 2026-11-27T12:00:00Z)"
done
# --audit on evaluate: 20 runs each, with and without (difference = append incl. open).
ev=(evaluate --stage prod --evidence testdata/evidence/good.json --effective-time 2026-11-27T12:00:00Z)
s=$(date +%s%N); for i in $(seq 20); do $bin "${ev[@]}" >/dev/null; done; e=$(date +%s%N); plain=$(( (e - s) / 20000 ))
s=$(date +%s%N); for i in $(seq 20); do $bin "${ev[@]}" --audit --audit-db "$work/audit.db" >/dev/null; done; e=$(date +%s%N); audited=$(( (e - s) / 20000 ))
echo "evaluate: ${plain} µs; with --audit into the 100k store: ${audited} µs (+$(( audited - plain )) µs)"
