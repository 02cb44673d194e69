#!/usr/bin/env python3
"""Whole-process benchmark of `stagegate evaluate` on collected evidence (issue 18).

Evidence that `stagegate collect` writes keeps every original document verbatim under `raw`;
on real files that is most of the bytes. For each size N this script

  1. writes a syft-shaped CycloneDX SBOM with N components and a grype-shaped report with N/5
     matches (bench/gen_collect.py, seeded),
  2. collects them: `stagegate collect --subject … --sbom … --scan … -o collected-N.json`
     (the document with `raw`), and writes the same document without `raw`
     (collected-N-noraw.json, compact as `json.dumps` writes it; and
     collected-N-noraw-pretty.json, laid out as collect wrote it, as `jq 'del(.raw)'` would),
  3. times `stagegate evaluate --stage prod` on both, for the Rego stage (bench/rego-only.yaml)
     and the full prod stage (Rego + CEL, stagegate.yaml), pruned (the default) and with
     `--no-prune`: RUNS runs after one warm-up, each its own process; wall time from Python's
     clock, CPU time and peak RSS from the kernel's accounting of the finished child (wait4),

and prints one Markdown table. Standard library only.

    python3 bench/collected.py                       # 1000 10000 50000, 7 runs
    SIZES="10000" RUNS=11 python3 bench/collected.py
    BIN=target/release/stagegate python3 bench/collected.py

The OPA reference point on the same documents (OPA receives the whole document):
`python3 bench/opa_compare.py bench/out/collected-10000.json --repeat 7`.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench/out"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
BIN = os.environ.get("BIN", str(TARGET / "release/stagegate"))
SIZES = [int(n) for n in os.environ.get("SIZES", "1000 10000 50000").split()]
RUNS = int(os.environ.get("RUNS", "7"))
EFFECTIVE = "2026-11-27T12:00:00Z"
SUBJECT = "registry.example.com/app@sha256:" + "ab" * 32


def inputs(n):
    m = n // 5
    sbom = OUT / f"collect-sbom-{n}.cdx.json"
    scan = OUT / f"collect-grype-{m}.json"
    if not (sbom.exists() and scan.exists()):
        subprocess.run(
            [sys.executable, ROOT / "bench/gen_collect.py", "-n", str(n), "-m", str(m), "-o", OUT],
            check=True,
        )
    collected = OUT / f"collected-{n}.json"
    if not collected.exists():
        subprocess.run(
            [BIN, "collect", "--subject", SUBJECT, "--sbom", sbom, "--scan", scan, "-o", collected],
            check=True,
        )
    noraw = OUT / f"collected-{n}-noraw.json"
    pretty = OUT / f"collected-{n}-noraw-pretty.json"
    if not (noraw.exists() and pretty.exists()):
        document = json.loads(collected.read_text())
        document.pop("raw", None)
        noraw.write_text(json.dumps(document))
        # As `jq 'del(.raw)'` writes it: the other members laid out as collect wrote them.
        pretty.write_text(json.dumps(document, indent=2, ensure_ascii=False))
    return collected, noraw, pretty


def run_once(cmd):
    """Wall seconds, CPU seconds (user + sys) and peak RSS (MiB) of one run, and its exit."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode


def measure(cmd):
    run_once(cmd)
    runs = [run_once(cmd) for _ in range(RUNS)]
    med = lambda i: statistics.median(r[i] for r in runs)
    return {
        "wall_ms": med(0) * 1000,
        "min_ms": min(r[0] for r in runs) * 1000,
        "cpu_ms": med(1) * 1000,
        "rss_mib": med(2),
        "exit": sorted({r[3] for r in runs}),
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"load before: {open('/proc/loadavg').read().split()[:3]}", file=sys.stderr)
    rows = []
    for n in SIZES:
        collected, noraw, pretty = inputs(n)
        for stage, config in [("Rego", "bench/rego-only.yaml"), ("Rego + CEL", "stagegate.yaml")]:
            for doc, label, extra in [
                (collected, "with raw", []),
                (collected, "with raw, --no-prune", ["--no-prune"]),
                (noraw, "without raw (compact)", []),
                (pretty, "without raw (as written)", []),
            ]:
                cmd = [BIN, "evaluate", "--config", config, "--stage", "prod", "--evidence", doc,
                       "--effective-time", EFFECTIVE, "--format", "json", *extra]
                result = measure(cmd)
                size = doc.stat().st_size / 1e6
                rows.append((n, stage, label, size, result))
                print(f"{n} {stage} {label}: {result}", file=sys.stderr)
    print(f"load after: {open('/proc/loadavg').read().split()[:3]}", file=sys.stderr)
    print("| components | stage | document | size MB | median / min ms | CPU ms | peak RSS MiB | exit |")
    print("|---:|:---|:---|---:|---:|---:|---:|:---:|")
    for n, stage, label, size, r in rows:
        print(f"| {n:,} | {stage} | {label} | {size:.1f} | {r['wall_ms']:.1f} / {r['min_ms']:.1f} "
              f"| {r['cpu_ms']:.1f} | {r['rss_mib']:.1f} | {'/'.join(map(str, r['exit']))} |")


if __name__ == "__main__":
    main()
