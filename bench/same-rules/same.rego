# The same nine gate checks as same.cel.yaml, in Rego (see that file): one finding with a count
# per check, so the two decisions list the same rule ids with the same messages. Written the
# way the starter library writes Rego for large documents: no function call per component.
package same

import rego.v1

# METADATA
# custom:
#   short_name: same.vulnerabilities.scan_present
#   severity: high
deny_scan_present contains "no vulnerability scan in the evidence" if not input.vulnerabilities

fixable contains i if {
	some i, v in input.vulnerabilities
	object.get(v, "category", "vulnerability") == "vulnerability"
	v.severity in {"critical", "high"}
	count(object.get(v, "fixedIn", [])) > 0
	not v.suppressed
}

# METADATA
# custom:
#   short_name: same.vulnerabilities.no_fixable
#   severity: critical
deny_no_fixable contains sprintf("%d fixable critical/high vulnerabilities", [count(fixable)]) if count(fixable) > 0

components := object.get(object.get(input, "sbom", {}), "components", [])

# METADATA
# custom:
#   short_name: same.sbom.present
#   severity: high
deny_sbom_present contains "no SBOM components in the evidence" if count(components) == 0

without_purl contains i if {
	some i, c in components
	not startswith(object.get(c, "purl", ""), "pkg:")
}

# METADATA
# custom:
#   short_name: same.sbom.purl
#   severity: medium
warn_purl contains sprintf("%d components without a purl", [count(without_purl)]) if count(without_purl) > 0

banned := {lower(id) | some id in data.stagegate.banned_licenses}

banned_components contains i if {
	some i, c in components
	some l in c.licenses
	lower(l) in banned
}

# METADATA
# custom:
#   short_name: same.licenses.banned
#   severity: high
deny_licenses_banned contains sprintf("%d components under a banned license", [count(banned_components)]) if count(banned_components) > 0

tests_passed if {
	t := input.tests
	t.failed + t.errors == 0
	t.total - t.skipped > 0
}

# METADATA
# custom:
#   short_name: same.tests.passed
#   severity: high
deny_tests_passed contains "tests failed, or none ran" if not tests_passed

# METADATA
# custom:
#   short_name: same.integrity.no_problems
#   severity: critical
deny_no_problems contains sprintf("%d evidence problems", [count(input.problems)]) if count(object.get(input, "problems", [])) > 0

provenance contains i if {
	some i, a in input.attestations
	a.predicateType == "https://slsa.dev/provenance/v1"
	a.verified == true
	some s in a.subjects
	s.digest.sha256 == input.subject.digest.sha256
}

# METADATA
# custom:
#   short_name: same.provenance.present
#   severity: high
deny_provenance_present contains "no verified SLSA v1 provenance for the subject" if count(provenance) == 0

approvers := {a.approver |
	some a in input.approvals
	a.verified == true
	a.stage == "prod"
	a.role == "release-manager"
}

# METADATA
# custom:
#   short_name: same.approvals.prod
#   severity: high
deny_approvals_prod contains "fewer than 2 distinct verified release-manager approvals for prod" if count(approvers) < 2
