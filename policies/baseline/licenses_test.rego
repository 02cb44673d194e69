package baseline.licenses_test

import rego.v1

import data.baseline.licenses

banned_list := ["GPL-3.0-only", "GPL-3.0-or-later", "AGPL-3.0-only"]

sbom(declared) := {"sbom": {"format": "cyclonedx", "components": [{
	"name": "libfoo",
	"version": "1.0.0",
	"purl": "pkg:npm/libfoo@1.0.0",
	"licenses": declared,
}]}}

banned_with(declared) := results if {
	results := licenses.deny_banned with input as sbom(declared) with data.stagegate.banned_licenses as banned_list
}

# --- licenses.banned

test_banned_id_fails if {
	results := banned_with(["GPL-3.0-only"])
	results == {{
		"msg": "libfoo@1.0.0 is licensed under \"GPL-3.0-only\", which uses banned license GPL-3.0-only",
		"component": "libfoo@1.0.0",
		"purl": "pkg:npm/libfoo@1.0.0",
		"license": "GPL-3.0-only",
	}}
}

test_banned_id_matches_case_insensitively if {
	count(banned_with(["gpl-3.0-ONLY"])) == 1
}

test_allowed_id_passes if {
	count(banned_with(["MIT"])) == 0
}

test_or_with_allowed_alternative_passes if {
	count(banned_with(["GPL-3.0-only OR MIT"])) == 0
}

test_lowercase_or_with_allowed_alternative_passes if {
	count(banned_with(["GPL-3.0-only or MIT"])) == 0
}

test_or_of_banned_alternatives_fails if {
	results := banned_with(["GPL-3.0-only OR AGPL-3.0-only"])
	some r in results
	r.msg == "libfoo@1.0.0 is licensed under \"GPL-3.0-only OR AGPL-3.0-only\", which uses banned license AGPL-3.0-only, GPL-3.0-only"
}

test_and_with_banned_id_fails if {
	count(banned_with(["MIT AND GPL-3.0-or-later"])) == 1
}

test_or_where_each_alternative_has_a_banned_and_fails if {
	count(banned_with(["MIT AND GPL-3.0-only OR Apache-2.0 AND AGPL-3.0-only"])) == 1
}

test_or_with_one_clean_and_alternative_passes if {
	count(banned_with(["MIT AND Apache-2.0 OR GPL-3.0-only"])) == 0
}

test_with_exception_does_not_lift_ban if {
	count(banned_with(["GPL-3.0-only WITH GCC-exception-3.1"])) == 1
}

test_with_exception_on_allowed_license_passes if {
	count(banned_with(["Apache-2.0 WITH LLVM-exception"])) == 0
}

test_parentheses_with_banned_id_fail_closed if {
	count(banned_with(["(MIT OR GPL-3.0-only) AND Apache-2.0"])) == 1
}

test_parentheses_without_banned_id_pass if {
	count(banned_with(["(MIT OR BSD-3-Clause) AND Apache-2.0"])) == 0
}

test_unbalanced_parenthesis_fails_closed if {
	count(banned_with(["GPL-3.0-only)"])) == 1
}

test_single_parenthesized_id_fails if {
	count(banned_with(["(GPL-3.0-only)"])) == 1
}

test_tabs_and_repeated_spaces_are_whitespace if {
	count(banned_with(["GPL-3.0-only\tor  MIT"])) == 0
	count(banned_with(["MIT\tAND\nGPL-3.0-only"])) == 1
}

test_any_banned_entry_fails if {
	count(banned_with(["MIT", "AGPL-3.0-only"])) == 1
}

test_no_banned_list_bans_nothing if {
	count(licenses.deny_banned) == 0 with input as sbom(["GPL-3.0-only"]) with data.stagegate as {}
}

test_component_without_version_is_named_alone if {
	inp := {"sbom": {"components": [{"name": "libbar", "licenses": ["AGPL-3.0-only"]}]}}
	results := licenses.deny_banned with input as inp with data.stagegate.banned_licenses as banned_list
	some r in results
	r.component == "libbar"
	r.purl == ""
}

test_no_sbom_gives_no_license_findings if {
	count(licenses.deny_banned) == 0 with input as {} with data.stagegate.banned_licenses as banned_list
}

# --- licenses.unknown

test_unknown_license_warns if {
	inp := {"sbom": {"components": [
		{"name": "a", "version": "1", "licenses": []},
		{"name": "b", "version": "2", "licenses": ["NOASSERTION"]},
		{"name": "c"},
		{"name": "d", "licenses": ["MIT"]},
	]}}
	results := licenses.warn_unknown with input as inp
	results == {{
		"msg": "3 component(s) without a known license: a@1, b@2, c",
		"components": ["a@1", "b@2", "c"],
	}}
}

test_unknown_license_message_is_capped_at_ten if {
	inp := {"sbom": {"components": [{"name": sprintf("c%02d", [i])} | some i in numbers.range(1, 12)]}}
	results := licenses.warn_unknown with input as inp
	some r in results
	r.msg == "12 component(s) without a known license: c01, c02, c03, c04, c05, c06, c07, c08, c09, c10 and 2 more"
	count(r.components) == 12
}

test_known_licenses_do_not_warn if {
	count(licenses.warn_unknown) == 0 with input as sbom(["MIT"])
}

test_components_that_are_not_packages_need_no_license if {
	inp := {"sbom": {"components": [
		{"name": "alpine", "version": "3.20.0", "type": "operating-system", "licenses": []},
		{"name": "/etc/os-release", "type": "file"},
		{"name": "ca-certificates", "version": "1", "type": "library", "licenses": []},
	]}}
	results := licenses.warn_unknown with input as inp
	results == {{
		"msg": "1 component(s) without a known license: ca-certificates@1",
		"components": ["ca-certificates@1"],
	}}
}
