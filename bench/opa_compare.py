#!/usr/bin/env python3
"""OPA reference point: evaluate the starter Rego library with OPA's Go engine.

The same Rego modules stagegate's `bench/rego-only.yaml` loads (policies/baseline,
policies/supply-chain, policies/release, without *_test.rego), the same data
(policies/data.yaml) and the same evidence files, through the `opa_bindings` package
(PyPI `opa-golib-python-bindings`, OPA's `v1/rego` in a Go c-shared library). See
bench/README.md for how to install it on Python < 3.14.

Every conftest-style rule (`deny`, `violation`, `warn`, `deny_*`, `violation_*`, `warn_*`) is
evaluated in ONE query per evaluation, so helper rules shared between them are computed
once (OPA's per-query cache) — the most favourable setting for OPA. The input is handed over
per evaluation, as a policy gate would: OPA parses it from JSON each time.

Two timings per input, each the median (and min) of --repeat evaluations after one warm-up
(plus the CPU time of the `go` calls, all threads of the process, which a loaded machine
inflates less than wall time):
  go     the bridge call with the input already serialised to JSON bytes: OPA's input parse,
         evaluation and result encoding, and nothing from Python;
  py     `OpaEngine.eval_query(query, input=dict)`: adds Python's json.dumps of the input.

    python3 bench/opa_compare.py bench/out/pass-10000.json [--repeat 7] [--json results.json]

It also prints the number of findings per rule, to check against stagegate's decision.
"""

import argparse
import ctypes
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY_DIRS = ["policies/baseline", "policies/supply-chain", "policies/release"]
DATA = ROOT / "policies/data.yaml"
RULE = re.compile(r"^((?:deny|violation|warn)(?:_[A-Za-z0-9_]+)?)\s+contains\b", re.M)
PACKAGE = re.compile(r"^package\s+([\w.]+)", re.M)


def load_modules():
    modules = []
    for d in POLICY_DIRS:
        for path in sorted((ROOT / d).rglob("*.rego")):
            if path.name.endswith("_test.rego"):
                continue
            modules.append((str(path.relative_to(ROOT)), path.read_text()))
    return modules


def rule_refs(modules):
    refs = []
    for _, text in modules:
        package = PACKAGE.search(text).group(1)
        for name in RULE.findall(text):
            ref = f"data.{package}.{name}"
            if ref not in refs:
                refs.append(ref)
    return refs


def load_data():
    try:
        import yaml
    except ImportError:
        sys.exit("opa_compare.py needs PyYAML to read policies/data.yaml (pip install pyyaml)")
    return yaml.safe_load(DATA.read_text())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("evidence", nargs="+", help="evidence JSON files")
    p.add_argument("--repeat", type=int, default=7, help="timed evaluations per input (default 7)")
    p.add_argument("--json", help="write the figures to this file")
    args = p.parse_args()

    from opa_bindings import OpaEngine

    modules = load_modules()
    refs = rule_refs(modules)
    # One query binding every rule: r0 := data.pkg.rule; r1 := ...
    query = "; ".join(f"r{i} := {ref}" for i, ref in enumerate(refs))

    engine = OpaEngine()
    for name, text in modules:
        engine.add_policy(name, text)
    engine.add_data(load_data())

    def eval_go(input_bytes):
        # OpaEngine.eval_query minus Python's json.dumps of the input (engine internals of
        # opa_bindings 0.4.4: _call parses the result envelope, which we keep).
        envelope = engine._call(engine._lib.OpaEvalQuery, query.encode(), input_bytes, 0, 0)
        return envelope.get("result")

    figures = []
    for path in args.evidence:
        raw = Path(path).read_bytes()
        doc = json.loads(raw)
        n = len(doc.get("sbom", {}).get("components", []))
        # Warm-up (also prepares and caches the query) and result check.
        result = eval_go(raw)
        bindings = result[0]["bindings"]
        counts = {ref: len(bindings[f"r{i}"]) for i, ref in enumerate(refs)}
        go, py, cpu = [], [], []
        for _ in range(args.repeat):
            c, t = time.process_time(), time.perf_counter()
            eval_go(raw)
            go.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        for _ in range(args.repeat):
            t = time.perf_counter()
            engine.eval_query(query, input=doc)
            py.append(time.perf_counter() - t)
        row = {
            "file": path,
            "components": n,
            "go_median_ms": statistics.median(go) * 1e3,
            "go_min_ms": min(go) * 1e3,
            "go_cpu_median_ms": statistics.median(cpu) * 1e3,
            "py_median_ms": statistics.median(py) * 1e3,
            "py_min_ms": min(py) * 1e3,
            "findings": {ref: c for ref, c in counts.items() if c},
        }
        figures.append(row)
        print(f"{path}: {n} components  OPA go median {row['go_median_ms']:.1f} ms "
              f"(min {row['go_min_ms']:.1f}, CPU {row['go_cpu_median_ms']:.1f})  via eval_query(dict) median "
              f"{row['py_median_ms']:.1f} ms (min {row['py_min_ms']:.1f})")
        for ref, c in row["findings"].items():
            print(f"    {ref}: {c}")
    engine.close()
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"query_rules": refs, "repeat": args.repeat, "results": figures}, indent=1) + "\n")


if __name__ == "__main__":
    main()
