#!/usr/bin/env python3
"""Run a Rego suite's `test_*` rules with OPA's Go engine, as `opa test` does.

There is no `opa` binary on this machine; OPA's Go engine is on PyPI as
`opa-golib-python-bindings` (see bench/README.md for installing it on Python < 3.14). This
script loads every `.rego` file under the given directory (policies and tests) into one OPA
engine, plus every `data.json`/`data.yaml` beside them, and evaluates each rule whose name
starts with `test_`: true passes, false or undefined fails, an error is an error — the
semantics of `opa test`. Then compare with `stagegate test DIR --format json`.

    python3 bench/opa_test_compare.py DIR [--json out.json]
"""

import argparse
import json
import re
import sys
from pathlib import Path

PACKAGE = re.compile(r"^package\s+([\w.]+)", re.M)
TEST = re.compile(r"^(test_[A-Za-z0-9_]*)\b", re.M)


def run_suite(OpaEngine, root, results, common=()):
    """Loads one directory (and the common libraries) into a fresh engine and runs the
    directory's tests into `results`. A suite that does not load counts its tests as errors."""
    engine = OpaEngine()
    tests = []
    for lib in common:
        for path in sorted(lib.rglob("*.rego")):
            if not path.name.endswith("_test.rego"):
                engine.add_policy(str(path), path.read_text())
    for path in sorted(root.rglob("*.rego")):
        text = path.read_text()
        engine.add_policy(str(path), text)
        package = PACKAGE.search(text).group(1)
        for name in dict.fromkeys(TEST.findall(text)):
            tests.append((f"data.{package}.{name}", str(path)))
    for path in sorted(list(root.rglob("data.json")) + list(root.rglob("data.yaml"))):
        if path.suffix == ".json":
            value = json.loads(path.read_text())
        else:
            import yaml  # noqa: PLC0415 - only for suites with YAML data

            value = yaml.safe_load(path.read_text())
        engine.add_data(value)
    for ref, file in dict.fromkeys(tests):
        try:
            value = engine.eval_document(ref.removeprefix("data."))
            outcome = "passed" if value is True else "failed"
        except Exception as err:  # noqa: BLE001 - an engine error is the outcome
            outcome = "failed" if type(err).__name__ == "OpaUndefinedError" else "errors"
            if outcome == "errors":
                results.setdefault("messages", []).append(f"{ref}: {str(err).splitlines()[0]}")
        results[outcome] += 1
        results["tests"].append({"test": ref, "file": file, "outcome": outcome})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dirs", type=Path, nargs="+", help="each directory is a separate suite (a fresh engine), as `opa test DIR` per directory")
    parser.add_argument("--with", dest="common", type=Path, action="append", default=[],
                        help="a library loaded into every suite (e.g. trivy-checks' lib/)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from opa_bindings import OpaEngine

    results = {"passed": 0, "failed": 0, "errors": 0, "tests": []}
    for root in args.dirs:
        run_suite(OpaEngine, root, results, args.common)
    print(f"OPA: {results['passed']} passed, {results['failed']} failed, {results['errors']} errors "
          f"of {len(results['tests'])} tests")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
