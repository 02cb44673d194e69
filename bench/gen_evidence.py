#!/usr/bin/env python3
"""Generate Evidence v1 documents (stagegate.dev/evidence/v1) for benchmarks.

Standard library only. Deterministic: the same arguments give the same bytes.

    python3 bench/gen_evidence.py --components 10000 --out bench/out/pass-10000.json
    python3 bench/gen_evidence.py --components 10000 --fail --banned-licenses 1 --out ...

A document has N SBOM components spread over npm, PyPI, Maven, Go, Cargo and Debian, with
realistic names, versions, purls and SPDX license expressions (a few percent without purl,
some without a known license), about N/5 vulnerability findings with mixed severities and
fixes, a test report, one verified SLSA v1 provenance from an allowed builder (see
policies/data.yaml) about the subject, and two verified release-manager approvals for prod.

--pass (the default) makes a document the starter library lets through (warnings only:
components without a purl or license, critical findings without a fix). --fail adds what it
must stop: fixable critical/high findings, a failed test suite and, with
--banned-licenses PCT, components under banned licenses.
"""

import argparse
import hashlib
import json
import random
import sys

SUBJECT_NAME = "registry.example.com/shop/api"
BUILDER = (
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
    "generator_container_slsa3.yml@refs/tags/v2.1.0"
)
EFFECTIVE = "2026-11-27T12:00:00Z"

# ecosystem -> (purl type, namespace choices, weight)
ECOSYSTEMS = [
    ("npm", [None, None, None, "@types", "@babel", "@aws-sdk", "@smithy"], 35),
    ("pypi", [None], 15),
    ("maven", ["org.apache.commons", "com.fasterxml.jackson.core", "io.netty",
               "org.springframework", "com.google.guava", "org.slf4j"], 15),
    ("golang", ["github.com/spf13", "github.com/prometheus", "golang.org/x",
                "github.com/aws/aws-sdk-go-v2", "k8s.io", "google.golang.org"], 15),
    ("cargo", [None], 10),
    ("deb", ["debian"], 10),
]

SYLLABLES = [
    "core", "util", "http", "json", "yaml", "parse", "stream", "async", "log", "crypto",
    "net", "tls", "cli", "config", "cache", "queue", "proto", "grpc", "time", "path",
    "glob", "regex", "codec", "buffer", "event", "fs", "io", "math", "uuid", "hash",
    "zlib", "xml", "csv", "auth", "jwt", "oauth", "retry", "pool", "lock", "sync",
    "color", "term", "table", "diff", "semver", "mime", "url", "query", "form", "cookie",
]

# (expression, weight). None of these is banned by policies/data.yaml.
ALLOWED_LICENSES = [
    (["MIT"], 40),
    (["Apache-2.0"], 22),
    (["BSD-3-Clause"], 8),
    (["ISC"], 6),
    (["BSD-2-Clause"], 4),
    (["MIT OR Apache-2.0"], 6),
    (["MPL-2.0"], 2),
    (["LGPL-2.1-only"], 1),
    (["(BSD-3-Clause OR GPL-2.0-only)"], 1),
    (["GPL-2.0-only WITH Classpath-exception-2.0"], 1),
    (["MIT OR GPL-3.0-or-later"], 1),      # allowed: MIT may be chosen
    (["Apache-2.0", "MIT"], 2),
    (["NOASSERTION"], 2),                  # unknown license: warning only
    ([], 1),                               # no license: warning only
]

BANNED_LICENSES = [
    ["GPL-3.0-only"],
    ["AGPL-3.0-or-later"],
    ["SSPL-1.0"],
    ["MIT AND GPL-3.0-or-later"],
    ["BUSL-1.1"],
    ["(AGPL-3.0-only OR MIT)"],            # parentheses: judged conservatively, banned
]

SEVERITIES = [("critical", 5), ("high", 15), ("medium", 40), ("low", 30), ("negligible", 5),
              ("unknown", 5)]
CVSS = {"critical": (9.0, 10.0), "high": (7.0, 8.9), "medium": (4.0, 6.9), "low": (0.1, 3.9)}
SCANNERS = [["grype"], ["trivy"], ["grype", "trivy"]]


def weighted(rng, items):
    total = sum(w for _, w in items)
    pick = rng.uniform(0, total)
    for value, weight in items:
        pick -= weight
        if pick <= 0:
            return value
    return items[-1][0]


def version(rng, eco):
    major, minor, patch = rng.randint(0, 12), rng.randint(0, 30), rng.randint(0, 40)
    if eco == "deb":
        return f"{major}.{minor}.{patch}-{rng.randint(1, 9)}+deb12u{rng.randint(1, 4)}"
    if eco == "golang":
        return f"v{major}.{minor}.{patch}"
    if eco == "maven" and rng.random() < 0.2:
        return f"{major}.{minor}.{patch}.Final"
    return f"{major}.{minor}.{patch}"


def component(rng, index):
    eco, namespaces, _ = weighted(rng, [((e, n, w), w) for e, n, w in ECOSYSTEMS])
    base = "-".join(rng.sample(SYLLABLES, rng.randint(1, 3)))
    # A numeric suffix keeps names unique enough at 50k without looking synthetic.
    name = base if rng.random() < 0.5 else f"{base}{index % 97}"
    namespace = rng.choice(namespaces)
    ver = version(rng, eco)
    if eco == "npm":
        full = f"{namespace}/{name}" if namespace else name
        purl = f"pkg:npm/{namespace.replace('@', '%40')}/{name}@{ver}" if namespace \
            else f"pkg:npm/{name}@{ver}"
    elif eco == "pypi":
        full = name.replace("-", "_") if rng.random() < 0.3 else name
        purl = f"pkg:pypi/{full.lower()}@{ver}"
    elif eco == "maven":
        full = f"{namespace}:{name}"
        purl = f"pkg:maven/{namespace}/{name}@{ver}"
    elif eco == "golang":
        full = f"{namespace}/{name}"
        purl = f"pkg:golang/{namespace}/{name}@{ver}"
    elif eco == "cargo":
        full = name.replace("-", "_") if rng.random() < 0.5 else name
        purl = f"pkg:cargo/{full}@{ver}"
    else:
        full = f"lib{name}{rng.randint(0, 9)}"
        purl = f"pkg:deb/debian/{full}@{ver}?arch=amd64&distro=debian-12"
    return {"name": full, "version": ver, "purl": purl, "type": "library"}


def vuln_id(rng, index):
    if rng.random() < 0.6:
        return f"CVE-{rng.randint(2015, 2026)}-{10000 + index}", []
    alphabet = "23456789cfghjmpqrvwx"
    ghsa = "GHSA-" + "-".join("".join(rng.choice(alphabet) for _ in range(4)) for _ in range(3))
    return ghsa, [f"CVE-{rng.randint(2015, 2026)}-{10000 + index}"]


def bump(ver):
    head, _, rest = ver.partition("-")
    parts = head.lstrip("v").split(".")
    try:
        parts[-1] = str(int(parts[-1]) + 1)
    except ValueError:
        parts.append("1")
    out = ".".join(parts)
    return ("v" + out) if ver.startswith("v") else out


def generate(n, seed, fail, banned_pct, no_purl_pct, vuln_ratio):
    rng = random.Random(seed)
    components = []
    for i in range(n):
        c = component(rng, i)
        if rng.random() * 100 < no_purl_pct:
            del c["purl"]
        if banned_pct and rng.random() * 100 < banned_pct:
            c["licenses"] = list(rng.choice(BANNED_LICENSES))
        else:
            c["licenses"] = list(weighted(rng, ALLOWED_LICENSES))
        components.append(c)

    vulnerabilities = []
    for i in range(int(n * vuln_ratio)):
        target = components[rng.randrange(n)]
        vid, aliases = vuln_id(rng, i)
        severity = weighted(rng, SEVERITIES)
        fixed = [bump(target["version"])] if rng.random() < 0.6 else []
        v = {
            "id": vid,
            "aliases": aliases,
            "severity": severity,
            "cvss": round(rng.uniform(*CVSS.get(severity, (0.0, 0.0))), 1),
            "package": {"name": target["name"], "version": target["version"]},
            "fixedIn": fixed,
            "source": list(rng.choice(SCANNERS)),
            "category": "vulnerability",
        }
        if "purl" in target:
            v["package"]["purl"] = target["purl"]
        blocking = severity in ("critical", "high") and fixed
        if blocking and not (fail and rng.random() < 0.5):
            # A passing document may hold fixable critical/high findings only when a VEX
            # statement suppresses them; otherwise the fix is not yet released.
            if rng.random() < 0.5:
                v["suppressed"] = {
                    "state": "not_affected",
                    "justification": "vulnerable_code_not_in_execute_path",
                    "source": "vex/shop-api.openvex.json",
                }
            else:
                v["fixedIn"] = []
        vulnerabilities.append(v)

    suites = []
    for name, total in [("unit", 1800 + n // 10), ("integration", 240), ("e2e", 36)]:
        skipped = rng.randint(0, 5)
        failed = 2 if (fail and name == "integration") else 0
        suites.append({
            "name": name, "total": total, "passed": total - skipped - failed,
            "failed": failed, "skipped": skipped, "errors": 0,
            "time": round(rng.uniform(5, 300), 1),
        })
    tests = {k: sum(s[k] for s in suites) for k in ("total", "passed", "failed", "skipped", "errors")}
    tests["suites"] = suites
    if fail:
        tests["cases"] = [
            {"name": "test_checkout_retries", "classname": "integration.Checkout", "status": "failed",
             "message": "expected 3 retries, got 2"},
            {"name": "test_refund_idempotent", "classname": "integration.Refund", "status": "failed",
             "message": "duplicate refund recorded"},
        ]

    digest = hashlib.sha256(f"{SUBJECT_NAME}:{n}:{seed}".encode()).hexdigest()
    subject = {"name": SUBJECT_NAME, "digest": {"sha256": digest}}
    attestation = {
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                "externalParameters": {"workflow": {
                    "ref": "refs/tags/v1.4.2",
                    "repository": "https://github.com/example/shop-api",
                    "path": ".github/workflows/release.yml"}},
                "resolvedDependencies": [{
                    "uri": "git+https://github.com/example/shop-api@refs/tags/v1.4.2",
                    "digest": {"gitCommit": hashlib.sha1(digest.encode()).hexdigest()}}],
            },
            "runDetails": {
                "builder": {"id": BUILDER},
                "metadata": {
                    "invocationId": "https://github.com/example/shop-api/actions/runs/11873301234/attempts/1",
                    "startedOn": "2026-11-25T09:12:04Z",
                    "finishedOn": "2026-11-25T09:30:00Z"},
            },
        },
        "subjects": [subject],
        "verified": True,
        "signer": BUILDER,
        "statementType": "https://in-toto.io/Statement/v1",
        "envelope": "dsse",
        "source": 3,
    }
    approvals = [
        {"approver": "alice@example.com", "role": "release-manager", "stage": "prod",
         "at": "2026-11-26T15:02:11Z", "verified": True, "comment": "CAB-4411 approved",
         "source": 4},
        {"approver": "bob@example.com", "role": "release-manager", "stage": "prod",
         "at": "2026-11-26T16:40:55Z", "verified": True, "source": 5},
    ]

    def src(kind, path, fmt, version=None):
        s = {"kind": kind, "path": path, "format": fmt}
        if version:
            s["formatVersion"] = version
        s["sha256"] = hashlib.sha256(f"{path}:{seed}:{n}".encode()).hexdigest()
        return s

    return {
        "apiVersion": "stagegate.dev/evidence/v1",
        "subject": subject,
        "collectedAt": "2026-11-27T11:58:00Z",
        "sbom": {
            "format": "cyclonedx",
            "specVersion": "1.6",
            "generator": "syft 1.18.0",
            "components": components,
            "sources": [0],
        },
        "vulnerabilities": vulnerabilities,
        "tests": tests,
        "attestations": [attestation],
        "approvals": approvals,
        "sources": [
            src("sbom", "out/sbom.cdx.json", "cyclonedx", "1.6"),
            src("scan", "out/grype.json", "grype"),
            src("tests", "out/junit.xml", "junit"),
            src("attestation", "out/provenance.intoto.jsonl", "in-toto"),
            src("approval", "approvals/alice.json", "stagegate-approval"),
            src("approval", "approvals/bob.json", "stagegate-approval"),
        ],
        "problems": [],
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--components", "-n", type=int, required=True, help="number of SBOM components")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--pass", dest="fail", action="store_false", help="a passing document (default)")
    mode.add_argument("--fail", dest="fail", action="store_true",
                      help="a failing document: fixable critical/high findings, failed tests")
    p.set_defaults(fail=False)
    p.add_argument("--banned-licenses", type=float, default=0.0, metavar="PCT",
                   help="percent of components under a banned license (default 0)")
    p.add_argument("--no-purl", type=float, default=3.0, metavar="PCT",
                   help="percent of components without a purl (default 3)")
    p.add_argument("--vuln-ratio", type=float, default=0.2,
                   help="vulnerability findings per component (default 0.2)")
    p.add_argument("--out", "-o", default="-", help="output file (default stdout)")
    args = p.parse_args(argv)
    doc = generate(args.components, args.seed, args.fail, args.banned_licenses, args.no_purl,
                   args.vuln_ratio)
    text = json.dumps(doc, indent=1) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
