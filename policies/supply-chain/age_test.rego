package supply_chain.provenance_test

import rego.v1

import data.supply_chain.provenance

# 2026-11-27T12:00:00Z, the effective time the testdata is written for.
effective_ns := 1795780800000000000

with_finished_v1(t) := evidence([object.union(v1(gha_builder, true), {"predicate": {"runDetails": {"metadata": {"finishedOn": t}}}})])

with_finished_v02(t) := evidence([object.union(v02(gha_builder, true), {"predicate": {"metadata": {"buildFinishedOn": t}}})])

# --- artifact.too_old

test_recent_build_passes if {
	count(provenance.deny_too_old) == 0 with input as with_finished_v1("2026-11-25T09:30:00Z") with time.now_ns as effective_ns
}

test_build_exactly_at_limit_passes if {
	count(provenance.deny_too_old) == 0 with input as with_finished_v1("2026-10-28T12:00:00Z") with time.now_ns as effective_ns
}

test_old_v1_build_fails if {
	results := provenance.deny_too_old with input as with_finished_v1("2026-09-01T00:00:00Z") with time.now_ns as effective_ns
	results == {{
		"msg": "built 87 days ago (2026-09-01T00:00:00Z), more than the 30 days allowed",
		"finishedOn": "2026-09-01T00:00:00Z",
		"maxAgeDays": 30,
	}}
}

test_old_v02_build_fails_with_configured_limit if {
	results := provenance.deny_too_old with input as with_finished_v02("2026-11-20T12:00:00Z")
		with time.now_ns as effective_ns
		with data.stagegate.max_artifact_age_days as 5
	some r in results
	r.msg == "built 7 days ago (2026-11-20T12:00:00Z), more than the 5 days allowed"
}

test_recent_v02_build_passes_with_configured_limit if {
	count(provenance.deny_too_old) == 0 with input as with_finished_v02("2026-11-20T12:00:00Z")
		with time.now_ns as effective_ns
		with data.stagegate.max_artifact_age_days as 10
}

# --- artifact.build_time_unknown

test_build_time_present_passes if {
	count(provenance.deny_build_time_unknown) == 0 with input as with_finished_v1("2026-11-25T09:30:00Z")
}

test_build_time_missing_fails if {
	att := {
		"predicateType": "https://slsa.dev/provenance/v1",
		"predicate": {"runDetails": {"builder": {"id": gha_builder}}},
		"subjects": [{"digest": {"sha256": digest}}],
		"verified": true,
	}
	results := provenance.deny_build_time_unknown with input as evidence([att])
	results == {{"msg": "the https://slsa.dev/provenance/v1 provenance gives no readable build finish time", "predicateType": "https://slsa.dev/provenance/v1"}}
}

test_build_time_missing_v02_fails if {
	att := {
		"predicateType": "https://slsa.dev/provenance/v0.2",
		"predicate": {"builder": {"id": gha_builder}},
		"subjects": [{"digest": {"sha256": digest}}],
		"verified": true,
	}
	count(provenance.deny_build_time_unknown) == 1 with input as evidence([att])
}

test_unreadable_build_time_fails if {
	count(provenance.deny_build_time_unknown) == 1 with input as with_finished_v1("last Tuesday")
}

test_missing_build_time_is_not_too_old if {
	count(provenance.deny_too_old) == 0 with input as with_finished_v1("last Tuesday") with time.now_ns as effective_ns
}

test_build_time_with_offset_and_fraction_is_read if {
	count(provenance.deny_too_old) == 1 with input as with_finished_v1("2026-09-01T02:00:00.123+02:00") with time.now_ns as effective_ns
}
