#!/usr/bin/env python3
"""Print the Markdown tables of bench/RESULTS.md from what bench/run.sh left in bench/out/.

    python3 bench/summarize.py bench/out target 100 1000 10000 50000
"""

import json
import re
import statistics
import sys
from pathlib import Path


def process_times(out, name):
    path = out / f"{name}.json"
    if not path.exists():
        return None
    result = json.loads(path.read_text())["results"][0]
    times = result["times"]
    cpu = (result["user"] + result["system"]) * 1e3 if "user" in result else None
    return statistics.median(times) * 1e3, min(times) * 1e3, cpu


def peak_rss_mib(out, name):
    path = out / f"rss-{name}.txt"
    if not path.exists():
        return None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", path.read_text())
    status = re.search(r"Exit status: (\d+)", path.read_text())
    return (int(m.group(1)) / 1024 if m else None), (status.group(1) if status else "?")


def criterion_ms(target, group, n):
    path = target / "criterion" / "evaluate" / group / str(n) / "new" / "estimates.json"
    if not path.exists():
        return None
    est = json.loads(path.read_text())
    return est["median"]["point_estimate"] / 1e6


def fmt(x, digits=1):
    return "–" if x is None else f"{x:.{digits}f}"


def main():
    out, target, sizes = Path(sys.argv[1]), Path(sys.argv[2]), [int(s) for s in sys.argv[3:]]
    opa = {}
    if (out / "opa.json").exists():
        for row in json.loads((out / "opa.json").read_text())["results"]:
            opa[row["components"]] = row

    print("### Whole process: `stagegate evaluate --stage prod --format json` (passing evidence)\n")
    print("| components | evidence size | full prod stage (Rego + CEL) median / min ms (CPU) | "
          "Rego only median / min ms (CPU) | Rego only, VM, median / min ms (CPU) | "
          "peak RSS full / Rego only / VM MiB | exit |")
    print("|---:|---:|---:|---:|---:|---:|:---:|")
    for n in sizes:
        size = (out / f"pass-{n}.json").stat().st_size / 1e6
        full, rego = process_times(out, f"process-full-{n}"), process_times(out, f"process-rego-only-{n}")
        vm = process_times(out, f"process-rego-vm-{n}")
        rss = [peak_rss_mib(out, f"{cfg}-{n}") for cfg in ("full", "rego-only", "rego-vm")]
        print(f"| {n:,} | {size:.1f} MB | {fmt(full and full[0])} / {fmt(full and full[1])} ({fmt(full and full[2])}) "
              f"| {fmt(rego and rego[0])} / {fmt(rego and rego[1])} ({fmt(rego and rego[2])}) "
              f"| {fmt(vm and vm[0])} / {fmt(vm and vm[1])} ({fmt(vm and vm[2])}) "
              f"| {' / '.join(fmt(r and r[0]) for r in rss)} "
              f"| {' / '.join(str(r and r[1]) for r in rss)} |")

    print("\n### Evaluation alone (criterion medians, `bench/evaluate.rs`, ms)\n")
    print("| components | prepared, Rego + CEL | prepared, Rego only | prepared, Rego only, VM "
          "| fresh load + evaluate, Rego + CEL |")
    print("|---:|---:|---:|---:|---:|")
    for n in sizes:
        print(f"| {n:,} | {fmt(criterion_ms(target, 'prepared', n))} "
              f"| {fmt(criterion_ms(target, 'prepared_rego_only', n))} "
              f"| {fmt(criterion_ms(target, 'prepared_rego_only_vm', n))} "
              f"| {fmt(criterion_ms(target, 'fresh', n))} |")

    print("\n### Against OPA (same Rego modules, data and input; input handed over per evaluation)\n")
    print("| components | engine | OPA evaluation median / min ms (CPU) | stagegate whole process, "
          "Rego only, median / min ms (CPU) | ratio of medians (of CPU) | target ≤ 0.10 |")
    print("|---:|:---|---:|---:|---:|:---:|")
    for n in sizes:
        for engine, name in (("interpreter", "rego-only"), ("vm", "rego-vm")):
            row, rego = opa.get(n), process_times(out, f"process-{name}-{n}")
            if not row or not rego:
                continue
            ratio = rego[0] / row["go_median_ms"]
            opa_cpu = row.get("go_cpu_median_ms")
            cpu_ratio = rego[2] / opa_cpu if rego[2] and opa_cpu else None
            print(f"| {n:,} | {engine} | {row['go_median_ms']:.1f} / {row['go_min_ms']:.1f} ({fmt(opa_cpu)}) "
                  f"| {rego[0]:.1f} / {rego[1]:.1f} ({fmt(rego[2])}) "
                  f"| {ratio:.2f} ({fmt(cpu_ratio, 2)}) | {'holds' if ratio <= 0.10 else 'missed'} |")


if __name__ == "__main__":
    main()
