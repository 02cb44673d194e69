package baseline.vulnerabilities_test

import rego.v1

import data.baseline.vulnerabilities

vuln(id, severity, fixed_in) := {
	"id": id,
	"severity": severity,
	"package": {"name": "openssl", "version": "3.0.1", "purl": "pkg:deb/debian/openssl@3.0.1"},
	"fixedIn": fixed_in,
	"source": ["grype"],
}

# --- vulnerabilities.scan_missing

test_scan_missing_fails_without_vulnerabilities if {
	count(vulnerabilities.deny_scan_missing) == 1 with input as {"subject": {}}
}

test_scan_missing_passes_with_empty_scan if {
	count(vulnerabilities.deny_scan_missing) == 0 with input as {"vulnerabilities": []}
}

# --- vulnerabilities.fixable_critical_high

test_fixable_critical_fails if {
	results := vulnerabilities.deny_fixable_critical_high with input as {"vulnerabilities": [vuln("CVE-2024-0001", "critical", ["3.0.2"])]}
	results == {{
		"msg": "CVE-2024-0001 (critical) in openssl@3.0.1: fixed in 3.0.2",
		"vulnerability": "CVE-2024-0001",
		"package": "openssl@3.0.1",
		"purl": "pkg:deb/debian/openssl@3.0.1",
		"fixedIn": ["3.0.2"],
	}}
}

test_fixable_high_fails if {
	count(vulnerabilities.deny_fixable_critical_high) == 1 with input as {"vulnerabilities": [vuln("CVE-2024-0002", "high", ["3.0.2", "3.1.0"])]}
}

test_fixable_medium_passes if {
	count(vulnerabilities.deny_fixable_critical_high) == 0 with input as {"vulnerabilities": [vuln("CVE-2024-0003", "medium", ["3.0.2"])]}
}

test_unfixable_high_passes if {
	count(vulnerabilities.deny_fixable_critical_high) == 0 with input as {"vulnerabilities": [vuln("CVE-2024-0004", "high", [])]}
}

test_missing_fixed_in_passes if {
	count(vulnerabilities.deny_fixable_critical_high) == 0 with input as {"vulnerabilities": [{"id": "CVE-2024-0005", "severity": "high"}]}
}

test_suppressed_fixable_critical_passes if {
	v := object.union(vuln("CVE-2024-0006", "critical", ["3.0.2"]), {"suppressed": {"state": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}})
	count(vulnerabilities.deny_fixable_critical_high) == 0 with input as {"vulnerabilities": [v]}
}

test_fixable_without_package_names_placeholder if {
	results := vulnerabilities.deny_fixable_critical_high with input as {"vulnerabilities": [{"id": "GHSA-xxxx", "severity": "high", "fixedIn": ["1.2.3"]}]}
	some r in results
	r.msg == "GHSA-xxxx (high) in an unnamed package: fixed in 1.2.3"
}

test_fixable_package_without_version_uses_name if {
	v := {"id": "CVE-2024-0007", "severity": "critical", "package": {"name": "zlib"}, "fixedIn": ["1.3"]}
	results := vulnerabilities.deny_fixable_critical_high with input as {"vulnerabilities": [v]}
	some r in results
	r.package == "zlib"
}

test_no_vulnerabilities_key_gives_no_fixable_findings if {
	count(vulnerabilities.deny_fixable_critical_high) == 0 with input as {}
}

# --- vulnerabilities.critical_without_fix

test_critical_without_fix_warns if {
	results := vulnerabilities.warn_critical_without_fix with input as {"vulnerabilities": [vuln("CVE-2024-0008", "critical", [])]}
	results == {{
		"msg": "CVE-2024-0008 (critical) in openssl@3.0.1 has no fix yet: assess it and record a VEX statement",
		"vulnerability": "CVE-2024-0008",
		"package": "openssl@3.0.1",
		"purl": "pkg:deb/debian/openssl@3.0.1",
	}}
}

test_critical_with_fix_does_not_warn if {
	count(vulnerabilities.warn_critical_without_fix) == 0 with input as {"vulnerabilities": [vuln("CVE-2024-0009", "critical", ["3.0.2"])]}
}

test_suppressed_critical_without_fix_does_not_warn if {
	v := object.union(vuln("CVE-2024-0010", "critical", []), {"suppressed": {"state": "fixed"}})
	count(vulnerabilities.warn_critical_without_fix) == 0 with input as {"vulnerabilities": [v]}
}

test_high_without_fix_does_not_warn if {
	count(vulnerabilities.warn_critical_without_fix) == 0 with input as {"vulnerabilities": [vuln("CVE-2024-0011", "high", [])]}
}

test_fixable_vulnerability_category_fails if {
	v := object.union(vuln("CVE-2024-0012", "high", ["3.0.2"]), {"category": "vulnerability"})
	count(vulnerabilities.deny_fixable_critical_high) == 1 with input as {"vulnerabilities": [v]}
}

test_other_finding_categories_are_not_judged if {
	findings := [object.union(vuln(sprintf("F-%d", [i]), "critical", ["2.0"]), {"category": c}) |
		some i, c in ["secret", "misconfiguration", "code"]
	]
	count(vulnerabilities.deny_fixable_critical_high) == 0 with input as {"vulnerabilities": findings}
	unfixed := [object.union(vuln(sprintf("F-%d", [i]), "critical", []), {"category": c}) |
		some i, c in ["secret", "misconfiguration", "code"]
	]
	count(vulnerabilities.warn_critical_without_fix) == 0 with input as {"vulnerabilities": unfixed}
}
