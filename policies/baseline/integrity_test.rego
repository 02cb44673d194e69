package baseline.integrity_test

import rego.v1

import data.baseline.integrity

# What `stagegate collect` records (src/evidence/binding.rs).
mismatch := {"kind": "subject-mismatch", "message": "scan `grype.json` is about examined sha256:ab12, not the subject sha256:cd34", "source": 0}

unverified := {"kind": "subject-platform-unverified", "message": "scan `grype.json` examined sha256:ef56, which its tool resolved from the subject sha256:cd34 (a multi-platform index); ...", "source": 0}

unbound := {"kind": "no-subject", "message": "test report `junit.xml` names no digest of what it is about, so it is not bound to the subject sha256:cd34", "source": 1}

sources := [{"kind": "scan", "path": "grype.json"}, {"kind": "tests", "path": "junit.xml"}]

# --- integrity.problem

test_problem_fails if {
	expected := {{"msg": sprintf("evidence problem (subject-mismatch): %s", [mismatch.message]), "kind": "subject-mismatch"}}
	integrity.deny_problem == expected with input as {"problems": [mismatch]}
}

test_each_problem_is_reported if {
	inp := {"problems": [
		{"kind": "subject-mismatch", "message": "a"},
		{"kind": "duplicate-source", "message": "b"},
	]}
	count(integrity.deny_problem) == 2 with input as inp
}

test_informational_problems_do_not_deny if {
	count(integrity.deny_problem) == 0 with input as {"problems": [unverified, unbound], "sources": sources}
}

test_no_problems_pass if {
	count(integrity.deny_problem) == 0 with input as {"problems": []}
}

test_absent_problems_pass if {
	count(integrity.deny_problem) == 0 with input as {}
}

# --- integrity.platform_unverified

test_unverified_platform_warns if {
	expected := {{"msg": unverified.message, "kind": "subject-platform-unverified"}}
	integrity.warn_platform_unverified == expected with input as {"problems": [mismatch, unverified]}
}

test_verified_evidence_does_not_warn if {
	count(integrity.warn_platform_unverified) == 0 with input as {"problems": [mismatch, unbound]}
}

# --- integrity.no_subject

test_unbound_input_is_recorded_only_by_default if {
	count(integrity.deny_no_subject) == 0 with input as {"problems": [unbound], "sources": sources}
}

test_required_subject_denies_unbound_inputs_of_that_kind if {
	inp := {"problems": [unbound], "sources": sources}
	expected := {{
		"msg": sprintf("%s (required: scan, tests)", [unbound.message]),
		"kind": "no-subject",
		"source": "junit.xml",
	}}
	integrity.deny_no_subject == expected with input as inp with data.stagegate.require_subject as ["tests", "scan"]
	count(integrity.deny_no_subject) == 0 with input as inp with data.stagegate.require_subject as ["scan"]
}
