#!/usr/bin/env bash
# Renders `stagegate audit report --format html` for a synthetic 30-day audit store and takes
# a screenshot of it in headless Chromium (Debian `chromium`), so a person can look at it.
#
# usage: scripts/screenshot-report.sh [OUT.png]   (default /tmp/report.png; the HTML goes beside it)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/report.png}"
html="${out%.png}.html"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --quiet --bin stagegate 2>/dev/null || true
python3 scripts/gen-audit-store.py "$work/audit.db" --records 600 --days 30 >/dev/null
target/debug/stagegate audit verify --audit-db "$work/audit.db"
target/debug/stagegate audit report --audit-db "$work/audit.db" --since 30d \
  --now 2026-11-27T12:00:00Z --format html --output "$html"

chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$work/profile" \
  --screenshot="$out" --window-size=1280,1600 "file://$(realpath "$html")" 2>/dev/null
echo "report: $html"
echo "screenshot: $out"
