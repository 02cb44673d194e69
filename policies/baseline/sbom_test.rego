package baseline.sbom_test

import rego.v1

import data.baseline.sbom

component(name, purl) := {"name": name, "version": "1.0.0", "purl": purl, "licenses": ["MIT"], "type": "library"}

# --- sbom.missing

test_missing_sbom_fails if {
	sbom.deny_missing == {"no SBOM in the evidence: add a CycloneDX or SPDX document when collecting"} with input as {"subject": {}}
}

test_present_sbom_is_not_missing if {
	count(sbom.deny_missing) == 0 with input as {"sbom": {"format": "spdx", "components": []}}
}

# --- sbom.empty

test_empty_sbom_fails if {
	sbom.deny_empty == {"the spdx SBOM lists no components"} with input as {"sbom": {"format": "spdx", "components": []}}
}

test_sbom_without_components_or_format_fails if {
	sbom.deny_empty == {"the (unknown format) SBOM lists no components"} with input as {"sbom": {}}
}

test_sbom_with_components_passes if {
	count(sbom.deny_empty) == 0 with input as {"sbom": {"format": "cyclonedx", "components": [component("a", "pkg:npm/a@1.0.0")]}}
}

test_absent_sbom_is_not_empty if {
	count(sbom.deny_empty) == 0 with input as {}
}

# --- sbom.component_without_purl

test_components_without_purl_warn if {
	inp := {"sbom": {"format": "cyclonedx", "components": [
		component("a", "pkg:npm/a@1.0.0"),
		{"name": "b", "version": "2.0"},
		component("c", "npm:c"),
		{"name": "d"},
	]}}
	results := sbom.warn_component_without_purl with input as inp
	results == {{"msg": "3 component(s) without a purl: b@2.0, c@1.0.0, d", "components": ["b@2.0", "c@1.0.0", "d"]}}
}

test_purl_message_is_capped_at_ten if {
	inp := {"sbom": {"components": [{"name": sprintf("c%02d", [i])} | some i in numbers.range(1, 11)]}}
	results := sbom.warn_component_without_purl with input as inp
	some r in results
	r.msg == "11 component(s) without a purl: c01, c02, c03, c04, c05, c06, c07, c08, c09, c10 and 1 more"
}

test_all_purls_present_pass if {
	count(sbom.warn_component_without_purl) == 0 with input as {"sbom": {"components": [component("a", "pkg:npm/a@1.0.0")]}}
}

# syft lists the image's distribution as an `operating-system` component (no purl, no license),
# and files as `file` components: they are not packages.
test_components_that_are_not_packages_need_no_purl if {
	inp := {"sbom": {"components": [
		{"name": "alpine", "version": "3.20.0", "type": "operating-system"},
		{"name": "/etc/passwd", "type": "file"},
		{"name": "debian", "version": "12", "type": "operating-system", "purl": ""},
		{"name": "musl", "version": "1.2.5", "type": "library"},
		{"name": "app", "type": "application"},
	]}}
	results := sbom.warn_component_without_purl with input as inp
	results == {{"msg": "2 component(s) without a purl: app, musl@1.2.5", "components": ["app", "musl@1.2.5"]}}
}
