#!/usr/bin/env python3
"""Validate the SARIF snapshots of `src/report` against the SARIF 2.1.0 JSON schema.

Test-only: `cargo test` does not run it. It reads every `snapshots/*--format=sarif.snap`
beside this file (the insta header is stripped), or the SARIF files given as arguments, and
checks each against the schema with `jsonschema` (Draft 4, as the schema declares).

The schema comes from `--schema PATH`, or `$SARIF_SCHEMA`, or else from the npm package
`@microsoft/jest-sarif`, which ships `sarif-2.1.0-rtm.5.json` (the 2.1.0 schema as
published on SchemaStore); it is fetched with `npm pack` into a temporary directory.

Usage:
    pip install jsonschema
    python3 src/report/validate_sarif.py [--schema sarif-schema-2.1.0.json] [FILE.sarif ...]
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tarfile
import tempfile

SCHEMA_PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
SCHEMA_MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"


def load_schema(path):
    if path:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", "--silent", SCHEMA_PACKAGE],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (tarball,) = glob.glob(os.path.join(tmp, "*.tgz"))
        with tarfile.open(tarball) as archive:
            member = archive.extractfile(SCHEMA_MEMBER)
            if member is None:
                sys.exit(f"{SCHEMA_PACKAGE} has no {SCHEMA_MEMBER}")
            return json.load(member)


def snapshot_body(path):
    """The rendered output inside an insta `.snap` file (after its `---` header)."""
    with open(path, encoding="utf-8") as file:
        text = file.read()
    if text.startswith("---\n"):
        _, _, text = text[4:].partition("\n---\n")
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", default=os.environ.get("SARIF_SCHEMA"))
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()

    import jsonschema

    schema = load_schema(args.schema)
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    here = os.path.dirname(os.path.abspath(__file__))
    files = args.files or sorted(
        glob.glob(os.path.join(here, "snapshots", "*--format=sarif.snap"))
    )
    if not files:
        sys.exit("no SARIF files to validate")

    failed = 0
    for path in files:
        text = snapshot_body(path) if path.endswith(".snap") else open(path).read()
        errors = sorted(validator.iter_errors(json.loads(text)), key=lambda e: list(e.path))
        for error in errors:
            where = "/".join(str(part) for part in error.absolute_path)
            print(f"{path}: /{where}: {error.message}", file=sys.stderr)
        failed += bool(errors)
        print(f"{'FAIL' if errors else 'ok'}  {os.path.basename(path)}")
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
