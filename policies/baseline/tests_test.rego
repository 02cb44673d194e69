package baseline.tests_test

import rego.v1

import data.baseline.tests

report(total, passed, failed, skipped, errors) := {"tests": {
	"total": total, "passed": passed, "failed": failed, "skipped": skipped, "errors": errors,
	"suites": [
		{"name": "unit", "total": total - 1, "passed": passed, "failed": failed, "skipped": skipped, "errors": 0},
		{"name": "integration", "total": 1, "passed": 0, "failed": 0, "skipped": 0, "errors": errors},
	],
}}

# --- tests.missing

test_missing_report_fails if {
	count(tests.deny_missing) == 1 with input as {"subject": {}}
}

test_present_report_is_not_missing if {
	count(tests.deny_missing) == 0 with input as report(10, 10, 0, 0, 0)
}

# --- tests.failed

test_failures_fail if {
	tests.deny_failed == {{"msg": "2 of 10 tests failed and 0 errored", "failed": 2, "errors": 0, "suites": ["unit"]}} with input as report(10, 8, 2, 0, 0)
}

test_errors_count_as_failures if {
	tests.deny_failed == {{"msg": "0 of 10 tests failed and 1 errored", "failed": 0, "errors": 1, "suites": ["integration"]}} with input as report(10, 9, 0, 0, 1)
}

test_all_passing_passes if {
	count(tests.deny_failed) == 0 with input as report(10, 9, 0, 1, 0)
}

test_sparse_report_with_failures_fails if {
	count(tests.deny_failed) == 1 with input as {"tests": {"failed": 1}}
}

test_no_report_gives_no_failures if {
	count(tests.deny_failed) == 0 with input as {}
}

# --- tests.none_run

test_zero_tests_fail if {
	tests.deny_none_run == {"no test ran: 0 tests reported, 0 skipped"} with input as report(0, 0, 0, 0, 0)
}

test_all_skipped_fail if {
	tests.deny_none_run == {"no test ran: 4 tests reported, 4 skipped"} with input as report(4, 0, 0, 4, 0)
}

test_some_ran_passes if {
	count(tests.deny_none_run) == 0 with input as report(4, 1, 0, 3, 0)
}

test_no_report_is_left_to_tests_missing if {
	count(tests.deny_none_run) == 0 with input as {}
}
