# Vulnerability findings: block what can be fixed, report what cannot.
#
# Reads `input.vulnerabilities` (absent when no scan was collected, `[]` when the scan found
# nothing). A finding with `suppressed` set (a VEX statement said not_affected or fixed) never
# counts. Only findings of `category` vulnerability (the default when absent) are judged here:
# scanners also report secrets, misconfigurations and code findings, which have no fixed version.
package baseline.vulnerabilities

import rego.v1

# Severities that block promotion when a fixed version exists.
blocking_severities := {"critical", "high"}

# Findings about known vulnerabilities in packages.
vulnerabilities := [v | some v in input.vulnerabilities; object.get(v, "category", "vulnerability") == "vulnerability"]

# METADATA
# title: Vulnerability scan missing
# description: >-
#   The evidence holds no vulnerability scan, so nothing can be said about known
#   vulnerabilities. An empty list (scanned, nothing found) passes; an absent one does not.
# custom:
#   short_name: vulnerabilities.scan_missing
#   severity: high
deny_scan_missing contains msg if {
	not input.vulnerabilities
	msg := "no vulnerability scan in the evidence: add a scanner report (grype, trivy, SARIF, CycloneDX VEX) when collecting"
}

# METADATA
# title: Fixable critical or high vulnerability
# description: >-
#   A critical or high vulnerability has a fixed version available and no VEX statement
#   suppresses it. Upgrade the package (or record a VEX not_affected statement) before promoting.
# custom:
#   short_name: vulnerabilities.fixable_critical_high
#   severity: critical
deny_fixable_critical_high contains result if {
	some v in vulnerabilities
	v.severity in blocking_severities
	fixed_in := object.get(v, "fixedIn", [])
	count(fixed_in) > 0
	not v.suppressed
	result := {
		"msg": sprintf("%s (%s) in %s: fixed in %s", [v.id, v.severity, package_label(v), concat(", ", fixed_in)]),
		"vulnerability": v.id,
		"package": package_label(v),
		"purl": object.get(object.get(v, "package", {}), "purl", ""),
		"fixedIn": fixed_in,
	}
}

# METADATA
# title: Critical vulnerability without a fix
# description: >-
#   A critical vulnerability has no fixed version yet. It does not block (nothing to upgrade
#   to), but someone should assess it and record a VEX statement or a mitigation.
# custom:
#   short_name: vulnerabilities.critical_without_fix
#   severity: medium
warn_critical_without_fix contains result if {
	some v in vulnerabilities
	v.severity == "critical"
	count(object.get(v, "fixedIn", [])) == 0
	not v.suppressed
	result := {
		"msg": sprintf("%s (critical) in %s has no fix yet: assess it and record a VEX statement", [v.id, package_label(v)]),
		"vulnerability": v.id,
		"package": package_label(v),
		"purl": object.get(object.get(v, "package", {}), "purl", ""),
	}
}

# "name@version", or the name alone, or a placeholder when the scanner named no package.
package_label(v) := sprintf("%s@%s", [v.package.name, v.package.version]) if {
	v.package.version
} else := v.package.name if {
	v.package.name
} else := "an unnamed package"
