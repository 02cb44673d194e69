#!/usr/bin/env python3
"""Writes the inputs of the `collect` whole-program benchmark (issue 3, point 6).

A CycloneDX 1.6 SBOM with N components shaped like syft's output (bom-ref, purl, CPE,
licenses, hashes, properties; every 20th component has two nested children, counted in N),
and a Grype JSON report with M matches shaped like grype 0.8x output (vulnerability with
description, CVSS and fix; a related CVE; match details; the artifact with locations, CPEs and
licenses). Standard library only, seeded: the same arguments give the same bytes.

    python3 bench/gen_collect.py -n 50000 -m 10000 -o bench/out
"""

import argparse
import json
import os
import random

ECOSYSTEMS = [
    ("npm", "pkg:npm/{name}@{version}", "javascript"),
    ("pypi", "pkg:pypi/{name}@{version}", "python"),
    ("maven", "pkg:maven/org.example.{name}/{name}@{version}", "java"),
    ("golang", "pkg:golang/github.com/example/{name}@v{version}", "go"),
    ("deb", "pkg:deb/debian/{name}@{version}?arch=amd64&distro=debian-12", ""),
]
LICENSES = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "GPL-2.0-only", "MPL-2.0"]
SEVERITIES = ["Critical", "High", "Medium", "Low", "Negligible", "Unknown"]


def package(rng, i):
    kind, purl, language = ECOSYSTEMS[i % len(ECOSYSTEMS)]
    name = f"pkg-{i:06d}-{rng.choice(['core', 'util', 'http', 'json', 'log'])}"
    version = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}"
    return kind, name, version, purl.format(name=name, version=version), language


def component(rng, i, children=()):
    kind, name, version, purl, _ = package(rng, i)
    c = {
        "bom-ref": f"{purl}&package-id={i:016x}" if "?" in purl else f"{purl}?package-id={i:016x}",
        "type": "library",
        "name": name,
        "version": version,
        "licenses": [{"license": {"id": rng.choice(LICENSES)}}],
        "cpe": f"cpe:2.3:a:{name}:{name}:{version}:*:*:*:*:*:*:*",
        "purl": purl,
        "hashes": [{"alg": "SHA-256", "content": "%064x" % rng.getrandbits(256)}],
        "properties": [
            {"name": "syft:package:foundBy", "value": f"{kind}-cataloger"},
            {"name": "syft:package:type", "value": kind},
            {"name": "syft:location:0:path", "value": f"/usr/lib/{kind}/{name}/metadata"},
        ],
    }
    if children:
        c["components"] = list(children)
    return c


def sbom(rng, n):
    components, i = [], 0
    while i < n:
        if i % 20 == 0 and i + 3 <= n:
            children = [component(rng, i + 1), component(rng, i + 2)]
            components.append(component(rng, i, children))
            i += 3
        else:
            components.append(component(rng, i))
            i += 1
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:00000000-0000-4000-8000-000000000000",
        "version": 1,
        "metadata": {
            "timestamp": "2026-11-27T12:00:00Z",
            "tools": {"components": [{"type": "application", "author": "anchore", "name": "syft", "version": "1.16.0"}]},
            "component": {"bom-ref": "image", "type": "container", "name": "ghcr.io/example/app",
                          "version": "sha256:" + "ab" * 32},
        },
        "components": components,
    }


def match(rng, i, n_components):
    _, name, version, purl, language = package(rng, rng.randrange(n_components))
    cve = f"CVE-2024-{10000 + i}"
    score = round(rng.uniform(1.0, 10.0), 1)
    fixed = rng.random() < 0.6
    return {
        "vulnerability": {
            "id": f"GHSA-{i:04x}-{rng.getrandbits(16):04x}-{rng.getrandbits(16):04x}" if i % 3 == 0 else cve,
            "dataSource": f"https://github.com/advisories/{cve}",
            "namespace": "github:language:" + (language or "unknown"),
            "severity": rng.choice(SEVERITIES),
            "urls": [f"https://nvd.nist.gov/vuln/detail/{cve}"],
            "description": "A flaw was found in the parsing of crafted input that allows a remote attacker "
            "to cause a denial of service or possibly execute code. " * 2,
            "cvss": [{"source": "nvd@nist.gov", "type": "Primary", "version": "3.1",
                      "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                      "metrics": {"baseScore": score, "exploitabilityScore": 3.9, "impactScore": 5.9},
                      "vendorMetadata": {}}],
            "fix": {"versions": [f"{version}.1"] if fixed else [], "state": "fixed" if fixed else "not-fixed"},
            "advisories": [],
        },
        "relatedVulnerabilities": [{
            "id": cve, "dataSource": f"https://nvd.nist.gov/vuln/detail/{cve}", "namespace": "nvd:cpe",
            "severity": "High", "urls": [], "description": "See the advisory.",
            "cvss": [{"source": "nvd@nist.gov", "type": "Primary", "version": "3.1",
                      "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                      "metrics": {"baseScore": score, "exploitabilityScore": 3.9, "impactScore": 5.9},
                      "vendorMetadata": {}}],
        }],
        "matchDetails": [{
            "type": "exact-direct-match", "matcher": f"{language or 'dpkg'}-matcher",
            "searchedBy": {"language": language, "namespace": "github:language:" + language,
                           "package": {"name": name, "version": version}},
            "found": {"versionConstraint": f"<{version}.1 (semver)", "vulnerabilityID": cve},
        }],
        "artifact": {
            "id": "%016x" % rng.getrandbits(64), "name": name, "version": version, "type": "library",
            "locations": [{"path": f"/usr/lib/{name}/metadata", "layerID": "sha256:" + "cd" * 32}],
            "language": language, "licenses": [rng.choice(LICENSES)],
            "cpes": [f"cpe:2.3:a:{name}:{name}:{version}:*:*:*:*:*:*:*"], "purl": purl, "upstreams": [],
        },
    }


def grype(rng, m, n_components):
    return {
        "matches": [match(rng, i, n_components) for i in range(m)],
        "source": {"type": "image", "target": {"userInput": "ghcr.io/example/app"}},
        "distro": {"name": "debian", "version": "12", "idLike": []},
        "descriptor": {"name": "grype", "version": "0.84.0", "configuration": {"output": ["json"]},
                       "db": {"built": "2026-11-27T00:00:00Z", "schemaVersion": 5}},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50000, help="SBOM components (default 50000)")
    parser.add_argument("-m", type=int, default=10000, help="Grype matches (default 10000)")
    parser.add_argument("-o", default="bench/out", help="output directory (default bench/out)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.o, exist_ok=True)
    sbom_path = os.path.join(args.o, f"collect-sbom-{args.n}.cdx.json")
    grype_path = os.path.join(args.o, f"collect-grype-{args.m}.json")
    with open(sbom_path, "w") as f:
        json.dump(sbom(rng, args.n), f, indent=1)
    with open(grype_path, "w") as f:
        json.dump(grype(rng, args.m, args.n), f, indent=1)
    for path in (sbom_path, grype_path):
        print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
