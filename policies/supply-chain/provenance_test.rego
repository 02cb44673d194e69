package supply_chain.provenance_test

import rego.v1

import data.supply_chain.provenance

digest := "4f6c0e8a9c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80912"

allowed := [
	"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/*",
	"https://ci.example.com/builders/hermetic@v1",
]

gha_builder := "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.1.0"

v1(builder, verified) := {
	"predicateType": "https://slsa.dev/provenance/v1",
	"predicate": {"runDetails": {"builder": {"id": builder}, "metadata": {"finishedOn": "2026-11-25T09:30:00Z"}}},
	"subjects": [{"name": "registry.example.com/shop/api", "digest": {"sha256": digest}}],
	"verified": verified,
	"signer": "ci-key",
}

v02(builder, verified) := {
	"predicateType": "https://slsa.dev/provenance/v0.2",
	"predicate": {"builder": {"id": builder}, "metadata": {"buildFinishedOn": "2026-11-25T09:30:00Z"}},
	"subjects": [{"name": "api", "digest": {"sha256": digest}}],
	"verified": verified,
}

evidence(attestations) := {"subject": {"name": "registry.example.com/shop/api", "digest": {"sha256": digest}}, "attestations": attestations}

# --- provenance.missing

test_missing_without_attestations_fails if {
	results := provenance.deny_missing with input as {"subject": {"digest": {"sha256": digest}}}
	results == {{"msg": sprintf("no verified SLSA provenance for sha256:%s (0 provenance attestation(s) found, none verified and about this subject)", [digest]), "ignored": 0}}
}

test_missing_when_only_unverified_fails if {
	results := provenance.deny_missing with input as evidence([v1(gha_builder, false)])
	some r in results
	r.ignored == 1
}

test_missing_when_about_another_subject_fails if {
	other := object.union(v1(gha_builder, true), {"subjects": [{"name": "x", "digest": {"sha256": "00ff"}}]})
	count(provenance.deny_missing) == 1 with input as evidence([other])
}

test_other_predicate_types_do_not_count if {
	vsa := object.union(v1(gha_builder, true), {"predicateType": "https://slsa.dev/verification_summary/v1"})
	count(provenance.deny_missing) == 1 with input as evidence([vsa])
}

test_verified_v1_provenance_is_present if {
	count(provenance.deny_missing) == 0 with input as evidence([v1(gha_builder, true)])
}

test_verified_v02_provenance_is_present if {
	count(provenance.deny_missing) == 0 with input as evidence([v02(gha_builder, true)])
}

test_subject_digest_compares_case_insensitively if {
	att := object.union(v1(gha_builder, true), {"subjects": [{"digest": {"sha256": upper(digest)}}]})
	count(provenance.deny_missing) == 0 with input as evidence([att])
}

# --- provenance.ignored

test_unverified_provenance_warns if {
	results := provenance.warn_ignored with input as evidence([v1(gha_builder, false), v1(gha_builder, true)])
	results == {{
		"msg": "provenance signed by ci-key ignored: its signature was not verified against a trusted key",
		"signer": "ci-key",
		"reason": "its signature was not verified against a trusted key",
	}}
}

test_provenance_about_another_subject_warns if {
	other := object.union(v02(gha_builder, true), {"subjects": [{"digest": {"sha256": "00ff"}}]})
	results := provenance.warn_ignored with input as evidence([other])
	some r in results
	r.msg == sprintf("provenance signed by an unknown signer ignored: it does not name the subject sha256:%s", [digest])
}

test_counted_provenance_does_not_warn if {
	count(provenance.warn_ignored) == 0 with input as evidence([v1(gha_builder, true)])
}

# --- provenance.builder_not_allowed

test_allowed_builder_by_prefix_passes if {
	count(provenance.deny_builder_not_allowed) == 0 with input as evidence([v1(gha_builder, true)]) with data.stagegate.allowed_builders as allowed
}

test_allowed_builder_exact_v02_passes if {
	count(provenance.deny_builder_not_allowed) == 0 with input as evidence([v02("https://ci.example.com/builders/hermetic@v1", true)]) with data.stagegate.allowed_builders as allowed
}

test_exact_entry_is_not_a_prefix if {
	count(provenance.deny_builder_not_allowed) == 1 with input as evidence([v02("https://ci.example.com/builders/hermetic@v10", true)]) with data.stagegate.allowed_builders as allowed
}

test_unknown_builder_fails if {
	results := provenance.deny_builder_not_allowed with input as evidence([v1("https://evil.example.com/laptop", true)]) with data.stagegate.allowed_builders as allowed
	results == {{
		"msg": "built by \"https://evil.example.com/laptop\", which is not an allowed builder",
		"builder": "https://evil.example.com/laptop",
		"predicateType": "https://slsa.dev/provenance/v1",
	}}
}

test_provenance_without_builder_fails if {
	att := {
		"predicateType": "https://slsa.dev/provenance/v1",
		"predicate": {"buildDefinition": {}},
		"subjects": [{"digest": {"sha256": digest}}],
		"verified": true,
	}
	results := provenance.deny_builder_not_allowed with input as evidence([att]) with data.stagegate.allowed_builders as ["*"]
	some r in results
	r.msg == "built by an unnamed builder, which is not an allowed builder"
}

test_v02_builder_path_is_not_read_for_v1 if {
	att := object.union(v02(gha_builder, true), {"predicateType": "https://slsa.dev/provenance/v1"})
	count(provenance.deny_builder_not_allowed) == 1 with input as evidence([att]) with data.stagegate.allowed_builders as allowed
}

test_no_allowlist_allows_nothing if {
	count(provenance.deny_builder_not_allowed) == 1 with input as evidence([v1(gha_builder, true)]) with data.stagegate as {}
}

test_unverified_provenance_is_not_judged_for_builder if {
	count(provenance.deny_builder_not_allowed) == 0 with input as evidence([v1("https://evil.example.com/laptop", false)]) with data.stagegate.allowed_builders as allowed
}
