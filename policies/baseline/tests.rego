# Test results: something must have run, and nothing may have failed.
#
# Reads `input.tests` (absent when no test report was collected). Errors (a test that could not
# run to its assertion) count as failures; skipped tests count as not run.
package baseline.tests

import rego.v1

# METADATA
# title: Test results missing
# description: >-
#   The evidence holds no test report, so there is no sign that the artifact was tested.
# custom:
#   short_name: tests.missing
#   severity: high
deny_missing contains msg if {
	not input.tests
	msg := "no test results in the evidence: add JUnit XML (or another supported report) when collecting"
}

# METADATA
# title: Failed tests
# description: >-
#   At least one test failed or errored. Errors count as failures: a test that cannot run
#   proves nothing.
# custom:
#   short_name: tests.failed
#   severity: high
deny_failed contains result if {
	failed := object.get(input.tests, "failed", 0)
	errors := object.get(input.tests, "errors", 0)
	failed + errors > 0
	result := {
		"msg": sprintf("%d of %d tests failed and %d errored", [failed, object.get(input.tests, "total", 0), errors]),
		"failed": failed,
		"errors": errors,
		"suites": sort([s.name |
			some s in object.get(input.tests, "suites", [])
			object.get(s, "failed", 0) + object.get(s, "errors", 0) > 0
		]),
	}
}

# METADATA
# title: No test ran
# description: >-
#   The test report holds no test that ran: zero tests, or every test skipped. A green run of
#   nothing is not a green run.
# custom:
#   short_name: tests.none_run
#   severity: high
deny_none_run contains msg if {
	total := object.get(input.tests, "total", 0)
	skipped := object.get(input.tests, "skipped", 0)
	total - skipped <= 0
	msg := sprintf("no test ran: %d tests reported, %d skipped", [total, skipped])
}
