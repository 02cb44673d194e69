# Integrity: the collector found something that does not add up, or could not bind an input to
# the subject.
#
# `input.problems[]` lists what `stagegate collect` noticed (see policies/README.md):
#   - `subject-mismatch`: an SBOM, scan, test report or attestation about another digest than the
#     subject. Denied, like every other kind this policy does not know: evidence that contradicts
#     itself cannot justify a promotion.
#   - `subject-platform-unverified`: a scan of a platform manifest that its scanner says the
#     subject (an image index) resolved to, not checked against the registry. A warning:
#     collect with `--image` to check it.
#   - `no-subject`: an input that names no digest at all (JUnit reports, most SARIF logs, scans
#     of image archives). Recorded only; list the source kinds that must name the subject in
#     `data.stagegate.require_subject` (e.g. `[scan]`) to deny on it.
package baseline.integrity

import rego.v1

# Problem kinds that are information, judged by the rules below rather than denied outright.
informational := {"subject-platform-unverified", "no-subject"}

# METADATA
# title: Evidence integrity problem
# description: >-
#   The evidence collector recorded an inconsistency, such as an input about another digest than
#   the subject (`subject-mismatch`). Every such problem denies promotion until the evidence is
#   collected again cleanly. Unknown kinds deny too.
# custom:
#   short_name: integrity.problem
#   severity: critical
deny_problem contains result if {
	some problem in input.problems
	not informational[problem.kind]
	result := {
		"msg": sprintf("evidence problem (%s): %s", [problem.kind, problem.message]),
		"kind": problem.kind,
	}
}

# METADATA
# title: Scan of an unverified platform
# description: >-
#   A scan examined a platform manifest that its scanner says the subject (a multi-platform
#   image index) resolved to; nothing checked that the index lists it. Collect with `--image`
#   so the registry settles it.
# custom:
#   short_name: integrity.platform_unverified
#   severity: medium
warn_platform_unverified contains result if {
	some problem in input.problems
	problem.kind == "subject-platform-unverified"
	result := {"msg": problem.message, "kind": problem.kind}
}

# METADATA
# title: Evidence not bound to the subject
# description: >-
#   An input of a kind listed in `data.stagegate.require_subject` (`sbom`, `scan`, `tests`)
#   names no digest of what it is about, so nothing shows it is about the subject. Off unless
#   listed.
# custom:
#   short_name: integrity.no_subject
#   severity: high
deny_no_subject contains result if {
	required := {kind | some kind in data.stagegate.require_subject}
	some problem in input.problems
	problem.kind == "no-subject"
	kind := input.sources[problem.source].kind
	required[kind]
	result := {
		"msg": sprintf("%s (required: %s)", [problem.message, concat(", ", sort(required))]),
		"kind": problem.kind,
		"source": input.sources[problem.source].path,
	}
}
