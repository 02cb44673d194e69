#!/usr/bin/env python3
"""Writes a SQLite audit store with N synthetic, validly chained records over D days.

Used by scripts/screenshot-report.sh (a store worth looking at) and bench/audit.sh (100,000
records for `audit verify` and `audit report`). The chain hash is stagegate's:
sha256("<seq>\\n<prev_hash>\\n<record JSON>"), see src/audit/mod.rs `chain_hash`.

usage: gen-audit-store.py DB [--records N] [--days D] [--end 2026-11-27T12:00:00Z]
"""
import argparse, datetime, hashlib, json, random, sqlite3

GENESIS = "sha256:" + "0" * 64
RULES = ["vulnerabilities.fixable_critical_high", "licenses.banned", "tests.failed",
         "provenance.missing", "sbom.empty", "approvals.prod_insufficient", "artifact.too_old"]
WEIGHTS = [30, 12, 18, 8, 3, 10, 5]

p = argparse.ArgumentParser()
p.add_argument("db"); p.add_argument("--records", type=int, default=600)
p.add_argument("--days", type=int, default=30); p.add_argument("--end", default="2026-11-27T12:00:00Z")
a = p.parse_args()
rng = random.Random(7)
end = datetime.datetime.fromisoformat(a.end.replace("Z", "+00:00"))
start = end - datetime.timedelta(days=a.days)
db = sqlite3.connect(a.db)
db.executescript("""
CREATE TABLE IF NOT EXISTS audit_records (seq INTEGER PRIMARY KEY, prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL, evaluated_at TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_records_evaluated_at ON audit_records (evaluated_at);
CREATE TABLE IF NOT EXISTS audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
""")
# Promotions: each digest goes dev -> staging -> prod with some failures and retries.
events = []
n_digests = max(1, a.records * 2 // 5)  # enough promotions; truncated to exactly N below
for d in range(n_digests):
    digest = hashlib.sha256(f"build-{d}".encode()).hexdigest()
    t = start + datetime.timedelta(seconds=rng.uniform(0, a.days * 86400 * 0.95))
    for stage in ["dev", "staging", "prod"]:
        while True:
            fail = rng.random() < {"dev": 0.15, "staging": 0.2, "prod": 0.12}[stage]
            events.append((t, digest, stage, fail))
            t += datetime.timedelta(hours=rng.expovariate(1 / {"dev": 0.5, "staging": 6, "prod": 20}[stage]))
            if not fail or rng.random() < 0.3:
                break
        if fail:
            break
events.sort()
events = [e for e in events if e[0] <= end][: a.records]
prev, seq = GENESIS, 0
rows = []
for t, digest, stage, fail in events:
    seq += 1
    at = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    violated = {}
    if fail:
        for r in sorted(set(rng.choices(RULES, WEIGHTS, k=rng.randint(1, 2)))):
            violated[r] = rng.randint(1, 3)
    waivers = []
    if stage != "dev" and rng.random() < 0.1:
        wid = rng.choice(["W-openssl", "W-cross-spawn", "W-gpl-font", "W-flaky-e2e"])
        exp = {"W-openssl": "2026-12-05T00:00:00Z", "W-cross-spawn": "2027-02-01T00:00:00Z",
               "W-gpl-font": "2026-12-31T00:00:00Z", "W-flaky-e2e": "2026-11-30T00:00:00Z"}[wid]
        waivers = [{"id": wid, "rule": "vulnerabilities.fixable_critical_high", "expires": exp,
                    "ticket": "SEC-" + str(100 + len(wid)), "approvedBy": "alice@example.com"}]
    approvals = []
    if stage == "prod":
        for who in ["alice@example.com", "bob@example.com"]:
            approvals.append({"approver": who, "role": "release-manager", "verified": True,
                              "at": (t - datetime.timedelta(hours=rng.uniform(0.2, 8))).strftime("%Y-%m-%dT%H:%M:%SZ")})
    record = {
        "promotionId": f"019a{seq:08x}-0000-7000-8000-{digest[:12]}", "command": "gate",
        "subject": {"name": "registry.example.com/shop/api", "digest": {"sha256": digest}},
        "stage": stage, "result": "fail" if fail else "pass",
        "findings": {"violations": sum(violated.values()), "warnings": rng.randint(0, 2),
                     "waived": len(waivers), "rules": 34, "violatedRules": violated},
        "waivers": waivers, "approvals": approvals, "provenance": rng.random() < 0.93,
        "policyDigest": "sha256:" + hashlib.sha256(b"policies").hexdigest(),
        "evidenceDigest": "sha256:" + hashlib.sha256(f"{seq}".encode()).hexdigest(),
        "signerKeyId": "gate-key", "evaluatedAt": at, "effectiveTime": at,
        "durationMs": rng.randint(40, 400),
    }
    body = json.dumps(record, separators=(",", ":"))
    h = "sha256:" + hashlib.sha256(f"{seq}\n{prev}\n{body}".encode()).hexdigest()
    rows.append((seq, prev, h, at, body))
    prev = h
db.executemany("INSERT INTO audit_records VALUES (?,?,?,?,?)", rows)
db.execute("INSERT OR REPLACE INTO audit_head VALUES (1, ?, ?)", (seq, prev))
db.commit()
print(f"{seq} records, {n_digests} digests, {a.days} days -> {a.db}")
