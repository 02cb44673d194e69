# Artifact age: an old build is a stale build.
#
# The build finish time comes from the counted SLSA provenance (see provenance.rego):
# `predicate.runDetails.metadata.finishedOn` (v1) or `predicate.metadata.buildFinishedOn`
# (v0.2), RFC 3339. It is compared with `time.now_ns()`, which stagegate pins to the
# evaluation's effective time (`--effective-time`), so a decision can be replayed.
# The limit is `data.stagegate.max_artifact_age_days` (30 when not set).
package supply_chain.provenance

import rego.v1

ns_per_day := ((24 * 60) * 60) * 1000000000

default max_age_days := 30

max_age_days := data.stagegate.max_artifact_age_days

finished_on(att) := t if {
	att.predicateType == slsa_v1
	t := att.predicate.runDetails.metadata.finishedOn
} else := t if {
	att.predicateType == slsa_v02
	t := att.predicate.metadata.buildFinishedOn
}

# regorus raises an error (a failed gate, but a confusing one) on text that is not RFC 3339, so
# check the shape first and report it as `artifact.build_time_unknown`. A well-shaped but
# impossible date (month 13) still raises that error: the gate fails either way.
finished_ns(att) := time.parse_rfc3339_ns(t) if {
	t := finished_on(att)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$`, t)
}

# METADATA
# title: Artifact too old
# description: >-
#   The artifact finished building longer ago than `data.stagegate.max_artifact_age_days`.
#   Rebuild it, so that it picks up the fixes released since.
# custom:
#   short_name: artifact.too_old
#   severity: medium
deny_too_old contains result if {
	some att in provenance
	age_ns := time.now_ns() - finished_ns(att)
	age_ns > max_age_days * ns_per_day
	result := {
		"msg": sprintf("built %d days ago (%s), more than the %d days allowed", [floor(age_ns / ns_per_day), finished_on(att), max_age_days]),
		"finishedOn": finished_on(att),
		"maxAgeDays": max_age_days,
	}
}

# METADATA
# title: Build time unknown
# description: >-
#   A verified provenance does not say when the build finished (or says it in a form that is
#   not RFC 3339), so the artifact's age cannot be checked.
# custom:
#   short_name: artifact.build_time_unknown
#   severity: medium
deny_build_time_unknown contains result if {
	some att in provenance
	not finished_ns(att)
	result := {
		"msg": sprintf("the %s provenance gives no readable build finish time", [att.predicateType]),
		"predicateType": att.predicateType,
	}
}
