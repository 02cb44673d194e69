# Integrity: the collector found something that does not add up.
#
# `input.problems[]` lists inconsistencies noticed while collecting the evidence, e.g. an
# attestation or scan about another digest than the subject (`subject-mismatch`). Each one is a
# violation: evidence that contradicts itself cannot justify a promotion.
package baseline.integrity

import rego.v1

# METADATA
# title: Evidence integrity problem
# description: >-
#   The evidence collector recorded an inconsistency (such as a subject digest mismatch).
#   Every problem denies promotion until the evidence is collected again cleanly.
# custom:
#   short_name: integrity.problem
#   severity: critical
deny_problem contains result if {
	some problem in input.problems
	result := {
		"msg": sprintf("evidence problem (%s): %s", [problem.kind, problem.message]),
		"kind": problem.kind,
	}
}
