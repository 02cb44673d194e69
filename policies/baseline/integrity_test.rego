package baseline.integrity_test

import rego.v1

import data.baseline.integrity

test_problem_fails if {
	inp := {"problems": [{"kind": "subject-mismatch", "message": "scan.json is about sha256:ab12, not the subject", "source": 2}]}
	integrity.deny_problem == {{"msg": "evidence problem (subject-mismatch): scan.json is about sha256:ab12, not the subject", "kind": "subject-mismatch"}} with input as inp
}

test_each_problem_is_reported if {
	inp := {"problems": [
		{"kind": "subject-mismatch", "message": "a"},
		{"kind": "duplicate-source", "message": "b"},
	]}
	count(integrity.deny_problem) == 2 with input as inp
}

test_no_problems_pass if {
	count(integrity.deny_problem) == 0 with input as {"problems": []}
}

test_absent_problems_pass if {
	count(integrity.deny_problem) == 0 with input as {}
}
