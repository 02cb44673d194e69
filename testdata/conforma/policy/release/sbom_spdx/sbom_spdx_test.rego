package sbom_spdx_test

import rego.v1

import data.lib.assertions
import data.lib.sbom
import data.sbom_spdx

test_all_good if {
	assertions.assert_empty(sbom_spdx.deny) with input.attestations as [_sbom_attestation]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
}

test_all_good_marshaled if {
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate",
		"value": json.marshal(_sbom_attestation.statement.predicate),
	}])
	assertions.assert_empty(sbom_spdx.deny) with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
}

test_missing_packages if {
	expected := {{"code": "sbom_spdx.contains_packages", "msg": "The list of packages is empty"}}
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages",
		"value": [],
	}])
	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
}

test_missing_files if {
	expected := {{"code": "sbom_spdx.contains_files", "msg": "The list of files is empty"}}
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/files",
		"value": [],
	}])
	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
}

test_digest_mismatch if {
	expected := {{
		"code": "sbom_spdx.matches_image",
		# regal ignore:line-length
		"msg": "Image digest in the SBOM, \"sha256:1230000000000000000000000000000000000000000000000000000000000123\", is not as expected, \"sha256:abc0000000000000000000000000000000000000000000000000000000000abc\"",
	}}
	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [_sbom_attestation]
		with input.image.ref as "registry.local/spam@sha256:abc0000000000000000000000000000000000000000000000000000000000abc"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
}

test_not_valid if {
	expected := {{
		"code": "sbom_spdx.valid",
		"msg": "SPDX SBOM at index 0 is not valid: packages: Invalid type. Expected: array, given: string",
	}}
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages",
		"value": "spam",
	}])
	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [att]
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
}

test_not_allowed_with_min if {
	disallowed_packages := [{
		"purl": "pkg:golang/k8s.io/client-go",
		"format": "semverv",
		"min": "v50.28.3",
	}]

	# Much lower than min version
	assert_allowed("pkg:golang/k8s.io/client-go@v0.29.4", disallowed_packages)

	# Lower than min version
	assert_allowed("pkg:golang/k8s.io/client-go@v50.28.2", disallowed_packages)

	# Exact match to min version
	assert_not_allowed("pkg:golang/k8s.io/client-go@v50.28.3", disallowed_packages)

	# Higher than min version
	assert_not_allowed("pkg:golang/k8s.io/client-go@v50.28.4", disallowed_packages)

	# Much higher than min version
	assert_not_allowed("pkg:golang/k8s.io/client-go@v99.99.99", disallowed_packages)
}

assert_allowed(purl, disallowed_packages) if {
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/0/externalRefs/0/referenceLocator",
		"value": purl,
	}])

	assertions.assert_empty(sbom_spdx.deny) with input.attestations as [att] # regal ignore:with-outside-test-context
		with data.rule_data.disallowed_packages as disallowed_packages # regal ignore:with-outside-test-context
		with ec.oci.image_referrers as [] # regal ignore:with-outside-test-context
		with ec.oci.image_tag_refs as [] # regal ignore:with-outside-test-context
}

assert_not_allowed(purl, disallowed_packages) if {
	expected := {{
		"code": "sbom_spdx.allowed",
		"msg": sprintf("Package is not allowed: %s", [purl]),
	}}
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/0/externalRefs/0/referenceLocator",
		"value": purl,
	}])

	# regal ignore:with-outside-test-context
	assertions.assert_equal_results(sbom_spdx.deny, expected) with input.attestations as [att]
		with ec.oci.image_referrers as [] # regal ignore:with-outside-test-context
		with ec.oci.image_tag_refs as [] # regal ignore:with-outside-test-context
		with data.rule_data.disallowed_packages as disallowed_packages # regal ignore:with-outside-test-context
}

test_external_references_allowed_regex_with_no_rules_is_allowed if {
	expected := {}
	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [_sbom_attestation]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_allowed_external_references_key: []}
}

test_external_references_allowed_regex if {
	expected := {{
		"code": "sbom_spdx.allowed_package_external_references",
		# regal ignore:line-length
		"msg": `Package spam has reference "pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98" of type "purl" which is not explicitly allowed by pattern ".*allowed.net.*"`,
	}}

	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [_sbom_attestation]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_allowed_external_references_key: [{
			"type": "purl",
			"url": ".*allowed.net.*",
		}]}
}

test_external_references_disallowed_regex if {
	expected := {{
		"code": "sbom_spdx.disallowed_package_external_references",
		# regal ignore:line-length
		"msg": `Package spam has reference "pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98" of type "purl" which is disallowed by pattern ".*kernel-module-management-rhel9-operator.*"`,
	}}

	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [_sbom_attestation]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_disallowed_external_references_key: [{
			"type": "purl",
			"url": ".*kernel-module-management-rhel9-operator.*",
		}]}
}

test_allowed_package_sources if {
	expected := {{
		"code": "sbom_spdx.allowed_package_sources",
		"term": "pkg:generic/openssl@1.1.10g?download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz",
		# regal ignore:line-length
		"msg": `Package pkg:generic/openssl@1.1.10g?download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz fetched by Hermeto was sourced from "https://openssl.org/source/openssl-1.1.0g.tar.gz" which is not allowed`,
	}}

	att := json.patch(_sbom_attestation, [
		{
			"op": "add",
			"path": "/statement/predicate/packages/-",
			"value": {
				"SPDXID": "openssl",
				"name": "openssl",
				"versionInfo": "None",
				"externalRefs": [{
					"referenceCategory": "PACKAGE-MANAGER",
					"referenceType": "purl",
					"referenceLocator": "pkg:generic/openssl@1.1.10g?download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz",
				}],
				"annotations": [{
					"annotator": "Tool: hermeto:jsonencoded",
					"comment": "{\"name\":\"hermeto:found_by\",\"value\":\"hermeto\"}",
					"annotationDate": "2024-12-09T12:00:00Z",
					"annotationType": "OTHER",
				}],
				"downloadLocation": "NOASSERTION",
			},
		},
		{
			"op": "add",
			"path": "/statement/predicate/packages/-",
			"value": {
				"SPDXID": "batik-anim",
				"name": "batik-anim",
				"versionInfo": "None",
				"externalRefs": [{
					"referenceCategory": "PACKAGE-MANAGER",
					"referenceType": "purl",
					# regal ignore:line-length
					"referenceLocator": "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?type=pom&download_url=https://repo.maven.apache.org/maven2/org/apache/xmlgraphics/batik-anim/1.9.1/batik-anim-1.9.1.pom",
				}],
				"annotations": [{
					"annotator": "Tool: hermeto:jsonencoded",
					"comment": "{\"name\":\"hermeto:found_by\",\"value\":\"hermeto\"}",
					"annotationDate": "2024-12-09T12:00:00Z",
					"annotationType": "OTHER",
				}],
				"downloadLocation": "NOASSERTION",
			},
		},
		{
			"op": "add",
			"path": "/statement/predicate/packages/-",
			"value": {
				"SPDXID": "unrelated",
				"name": "unrelated",
				"versionInfo": "None",
				"externalRefs": [{
					"referenceCategory": "PACKAGE-MANAGER",
					"referenceType": "purl",
					"referenceLocator": "pkg:generic/unrelated?download_url=https://irrelevant.org",
				}],
				"annotations": [{
					"annotator": "Tool: other-tool:jsonencoded",
					"comment": "{\"name\":\"irrelevant\",\"value\":\"im-irrelevant\"}",
					"annotationDate": "2024-12-09T12:00:00Z",
					"annotationType": "OTHER",
				}],
				"downloadLocation": "NOASSERTION",
			},
		},
	])

	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [att]
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_allowed_package_sources_key: [
			{
				"type": "maven",
				"patterns": [".*apache.org.*", ".*example.com.*"],
			},
			{
				"type": "generic",
				"patterns": [".*apache.org.*", ".*example.com.*"],
			},
		]}
}

test_attributes_not_allowed_pair if {
	expected := {{
		"code": "sbom_spdx.disallowed_package_attributes",
		# regal ignore:line-length
		"term": "pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98",
		# regal ignore:line-length
		"msg": `Package pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98 has the attribute "attr1" set`,
	}}

	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [_sbom_attestation]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_attributes_key: [{"name": "attr1"}]}
}

test_attributes_not_allowed_value if {
	expected := {{
		"code": "sbom_spdx.disallowed_package_attributes",
		# regal ignore:line-length
		"term": "pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98",
		# regal ignore:line-length
		"msg": `Package pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98 has the attribute "attr2" set to "value2"`,
	}}

	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [_sbom_attestation]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_attributes_key: [{"name": "attr2", "value": "value2"}]}
}

test_attributes_not_allowed_effective_on if {
	expected := {
		{
			"code": "sbom_spdx.disallowed_package_attributes",
			# regal ignore:line-length
			"term": "pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98",
			# regal ignore:line-length
			"msg": `Package pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98 has the attribute "attr1" set`,
			"effective_on": "2025-01-01T00:00:00Z",
		},
		{
			"code": "sbom_spdx.disallowed_package_attributes",
			# regal ignore:line-length
			"term": "pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98",
			# regal ignore:line-length
			"msg": `Package pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98 has the attribute "attr2" set to "value2"`,
			"effective_on": "2025-02-04T00:00:00Z",
		},
	}

	raw_results := sbom_spdx.deny with input.attestations as [_sbom_attestation]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_attributes_key: [
			{"name": "attr1", "effective_on": "2025-01-01T00:00:00Z"},
			{"name": "attr2", "value": "value2"},
		]}

	results := {result_no_collections |
		some result in raw_results
		result_no_collections := json.remove(result, ["collections"])
	}

	assertions.assert_equal(expected, results)
}

test_attributes_multiple_external_refs if {
	_sbom := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/0/externalRefs/-",
		"value": {
			"referenceCategory": "SECURITY",
			"referenceType": "cpe23Type",
			"referenceLocator": "cpe:2.3:o:example:example:1.0:*:*:*:*:*:*:*",
		},
	}])

	expected := {
		{
			"code": "sbom_spdx.disallowed_package_attributes",
			"msg": `Package cpe:2.3:o:example:example:1.0:*:*:*:*:*:*:* has the attribute "attr2" set to "value2"`,
			"term": "cpe:2.3:o:example:example:1.0:*:*:*:*:*:*:*",
		},
		{
			"code": "sbom_spdx.disallowed_package_attributes",
			# regal ignore:line-length
			"term": "pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98",
			# regal ignore:line-length
			"msg": `Package pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98 has the attribute "attr2" set to "value2"`,
		},
	}

	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [_sbom]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_attributes_key: [{"name": "attr2", "value": "value2"}]}
}

_sbom_attestation := {"statement": {
	"predicateType": "https://spdx.dev/Document",
	"predicate": {
		"spdxVersion": "SPDX-2.3",
		"documentNamespace": "https://example.dev/spdxdocs/example-310683af-e9a0-4f66-a6a4-119352915b51",
		"dataLicense": "CC0-1.0",
		"SPDXID": "SPDXRef-DOCUMENT",
		# regal ignore:line-length
		"name": "registry.local/bacon@sha256:1230000000000000000000000000000000000000000000000000000000000123",
		"creationInfo": {
			"created": "2006-08-14T02:34:56-06:00",
			"creators": ["Tool: example SPDX document only"],
		},
		"packages": [{
			"SPDXID": "SPDXRef-image-index",
			"name": "spam",
			"versionInfo": "1.1.2-25",
			"supplier": "Organization: Red Hat",
			"downloadLocation": "NOASSERTION",
			"licenseDeclared": "Apache-2.0",
			"externalRefs": [{
				"referenceCategory": "PACKAGE-MANAGER",
				"referenceType": "purl",
				# regal ignore:line-length
				"referenceLocator": "pkg:oci/kernel-module-management-rhel9-operator@sha256%3Ad845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98",
			}],
			"annotations": [
				{
					"annotator": "Tool: konflux:jsonencoded",
					"comment": "{\"name\":\"attr1\"}",
					"annotationDate": "2024-12-09T12:00:00Z",
					"annotationType": "OTHER",
				},
				{
					"annotator": "Tool: konflux:jsonencoded",
					"comment": "{\"name\":\"attr2\", \"value\":\"value2\"}",
					"annotationDate": "2024-12-09T12:00:00Z",
					"annotationType": "OTHER",
				},
			],
			"checksums": [{
				"algorithm": "SHA256",
				"checksumValue": "d845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98",
			}],
		}],
		"files": [{
			"fileName": "/usr/bin/spam",
			"SPDXID": "SPDXRef-File-usr-bin-spam-0e18b4ee77321ba5",
			"checksums": [{
				"algorithm": "SHA256",
				"checksumValue": "d845f0bd93dad56c92c47e8c116a11a0cc5924c0b99aed912b4f8b54178efa98",
			}],
		}],
	},
}}

test_attributes_except_when_match_suppresses_violation if {
	disallowed_attributes := [{
		"name": "hermeto:pip:package:binary",
		"value": "true",
		"except_when": [{"purl_qualifier": "repository_url", "patterns": ["^https://console\\.redhat\\.com/api/pypi/.*"]}],
	}]

	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_excepted_package(
			"pkg:pypi/some-lib@1.0?repository_url=https://console.redhat.com/api/pypi/rhoai/3.5/simple/",
			"hermeto:pip:package:binary",
			"true",
		),
	}])

	results := sbom_spdx.deny with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_attributes_key: disallowed_attributes}

	count({r | some r in results; r.code == "sbom_spdx.disallowed_package_attributes"}) == 0
}

test_attributes_except_when_no_match_produces_violation if {
	disallowed_attributes := [{
		"name": "hermeto:pip:package:binary",
		"value": "true",
		"except_when": [{"purl_qualifier": "repository_url", "patterns": ["^https://console\\.redhat\\.com/api/pypi/.*"]}],
	}]

	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_excepted_package(
			"pkg:pypi/some-lib@1.0?repository_url=https://pypi.org/simple/",
			"hermeto:pip:package:binary",
			"true",
		),
	}])

	results := sbom_spdx.deny with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_attributes_key: disallowed_attributes}

	count({r | some r in results; r.code == "sbom_spdx.disallowed_package_attributes"}) == 1
}

test_attributes_except_when_missing_qualifier_produces_violation if {
	disallowed_attributes := [{
		"name": "hermeto:pip:package:binary",
		"value": "true",
		"except_when": [{"purl_qualifier": "repository_url", "patterns": ["^https://console\\.redhat\\.com/api/pypi/.*"]}],
	}]

	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_excepted_package(
			"pkg:pypi/some-lib@1.0",
			"hermeto:pip:package:binary",
			"true",
		),
	}])

	results := sbom_spdx.deny with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_attributes_key: disallowed_attributes}

	count({r | some r in results; r.code == "sbom_spdx.disallowed_package_attributes"}) == 1
}

test_attributes_except_when_no_purl_ref_produces_violation if {
	disallowed_attributes := [{
		"name": "hermeto:pip:package:binary",
		"value": "true",
		"except_when": [{"purl_qualifier": "repository_url", "patterns": ["^https://console\\.redhat\\.com/.*"]}],
	}]

	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": {
			"SPDXID": "SPDXRef-no-purl",
			"name": "no-purl-package",
			"downloadLocation": "NOASSERTION",
			"externalRefs": [{
				"referenceCategory": "SECURITY",
				"referenceType": "cpe23Type",
				"referenceLocator": "cpe:2.3:a:example:lib:1.0:*:*:*:*:*:*:*",
			}],
			"annotations": [{
				"annotator": "Tool: konflux:jsonencoded",
				"comment": "{\"name\":\"hermeto:pip:package:binary\",\"value\":\"true\"}",
				"annotationDate": "2024-12-09T12:00:00Z",
				"annotationType": "OTHER",
			}],
		},
	}])

	results := sbom_spdx.deny with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_attributes_key: disallowed_attributes}

	count({r | some r in results; r.code == "sbom_spdx.disallowed_package_attributes"}) == 1
}

test_attributes_except_when_multiple_external_refs if {
	disallowed_attributes := [{
		"name": "hermeto:pip:package:binary",
		"value": "true",
		"except_when": [{"purl_qualifier": "repository_url", "patterns": ["^https://console\\.redhat\\.com/api/pypi/.*"]}],
	}]

	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": {
			"SPDXID": "SPDXRef-multi-ref",
			"name": "multi-ref-package",
			"downloadLocation": "NOASSERTION",
			"externalRefs": [
				{
					"referenceCategory": "PACKAGE-MANAGER",
					"referenceType": "purl",
					"referenceLocator": "pkg:pypi/some-lib@1.0?repository_url=https://console.redhat.com/api/pypi/rhoai/simple/",
				},
				{
					"referenceCategory": "SECURITY",
					"referenceType": "cpe23Type",
					"referenceLocator": "cpe:2.3:a:example:some-lib:1.0:*:*:*:*:*:*:*",
				},
			],
			"annotations": [{
				"annotator": "Tool: konflux:jsonencoded",
				"comment": "{\"name\":\"hermeto:pip:package:binary\",\"value\":\"true\"}",
				"annotationDate": "2024-12-09T12:00:00Z",
				"annotationType": "OTHER",
			}],
		},
	}])

	results := sbom_spdx.deny with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_attributes_key: disallowed_attributes}

	count({r | some r in results; r.code == "sbom_spdx.disallowed_package_attributes"}) == 0
}

_spdx_excepted_package(purl, attr_name, attr_value) := {
	"SPDXID": "SPDXRef-excepted-pkg",
	"name": "excepted-package",
	"downloadLocation": "NOASSERTION",
	"externalRefs": [{
		"referenceCategory": "PACKAGE-MANAGER",
		"referenceType": "purl",
		"referenceLocator": purl,
	}],
	"annotations": [{
		"annotator": "Tool: konflux:jsonencoded",
		"comment": sprintf("{\"name\":\"%s\",\"value\":\"%s\"}", [attr_name, attr_value]),
		"annotationDate": "2024-12-09T12:00:00Z",
		"annotationType": "OTHER",
	}],
}

test_attributes_except_when_without_except_when_unchanged if {
	disallowed_attributes := [
		{
			"name": "hermeto:pip:package:binary",
			"value": "true",
			"except_when": [{"purl_qualifier": "repository_url", "patterns": ["^https://console\\.redhat\\.com/.*"]}],
		},
		{"name": "hermeto:bundler:package:binary", "value": "true"},
	]

	att := json.patch(_sbom_attestation, [
		{
			"op": "add",
			"path": "/statement/predicate/packages/-",
			"value": _spdx_excepted_package(
				"pkg:pypi/excepted-lib@1.0?repository_url=https://console.redhat.com/api/pypi/rhoai/simple/",
				"hermeto:pip:package:binary",
				"true",
			),
		},
		{
			"op": "add",
			"path": "/statement/predicate/packages/-",
			"value": _spdx_excepted_package(
				"pkg:gem/bundler-lib@1.0",
				"hermeto:bundler:package:binary",
				"true",
			),
		},
	])

	results := sbom_spdx.deny with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as {sbom.rule_data_attributes_key: disallowed_attributes}

	attr_results := {r | some r in results; r.code == "sbom_spdx.disallowed_package_attributes"}
	count(attr_results) == 1
	some r in attr_results
	contains(r.msg, "hermeto:bundler:package:binary")
}

test_proxy_url_spdx_allowed if {
	results := sbom_spdx.deny with input.attestations as [json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_proxy_package(
			"pkg:npm/example-lib@2.0",
			"https://proxy.example.com/npm/example-lib-2.0.tgz",
		),
	}])]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data

	count({r | some r in results; r.code == "sbom_spdx.allowed_proxy_urls"}) == 0
}

test_proxy_url_spdx_denied if {
	results := sbom_spdx.deny with input.attestations as [json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_proxy_package(
			"pkg:npm/example-lib@2.0",
			"https://evil.com/example-lib-2.0.tgz",
		),
	}])]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data

	proxy_results := {r | some r in results; r.code == "sbom_spdx.allowed_proxy_urls"}
	count(proxy_results) == 1
}

test_proxy_url_spdx_empty_source_info_skipped if {
	results := sbom_spdx.deny with input.attestations as [json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_proxy_package(
			"pkg:maven/org.example/lib@1.0",
			"",
		),
	}])]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data

	count({r | some r in results; r.code == "sbom_spdx.allowed_proxy_urls"}) == 0
}

test_proxy_url_spdx_non_proxy_purl_type if {
	results := sbom_spdx.deny with input.attestations as [json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_proxy_package(
			"pkg:golang/example.com/lib@1.0",
			"https://anything.com/lib-1.0.tar.gz",
		),
	}])]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data

	count({r | some r in results; r.code == "sbom_spdx.allowed_proxy_urls"}) == 0
}

test_proxy_url_spdx_not_hermeto_skipped if {
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": {
			"name": "non-hermeto-proxy",
			"SPDXID": "SPDXRef-non-hermeto-proxy",
			"downloadLocation": "https://evil.com/lib-1.0.jar",
			"externalRefs": [{
				"referenceCategory": "PACKAGE-MANAGER",
				"referenceType": "purl",
				"referenceLocator": "pkg:maven/org.example/lib@1.0",
			}],
			"checksums": [{"algorithm": "SHA256", "checksumValue": "abc123"}],
		},
	}])

	results := sbom_spdx.deny with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data

	count({r | some r in results; r.code == "sbom_spdx.allowed_proxy_urls"}) == 0
}

test_proxy_url_spdx_download_url_skipped if {
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_proxy_package(
			"pkg:maven/org.example/lib@1.0?download_url=https://example.com/lib.jar",
			"https://evil.com/lib-1.0.jar",
		),
	}])

	results := sbom_spdx.deny with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data

	count({r | some r in results; r.code == "sbom_spdx.allowed_proxy_urls"}) == 0
}

test_proxy_url_spdx_semicolon_separated if {
	results := sbom_spdx.deny with input.attestations as [json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_proxy_package(
			"pkg:npm/example-lib@2.0",
			"https://proxy.example.com/npm/example-lib-2.0.tgz;https://evil.com/lib.tgz",
		),
	}])]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data

	proxy_results := {r | some r in results; r.code == "sbom_spdx.allowed_proxy_urls"}
	count(proxy_results) == 1
}

test_proxy_url_spdx_bundled_skipped if {
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_bundled_package("pkg:npm/example-lib@2.0"),
	}])

	results := sbom_spdx.deny with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data

	count({r | some r in results; r.code == "sbom_spdx.allowed_proxy_urls"}) == 0
}

test_proxy_metadata_required_spdx_bundled_passes if {
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_bundled_package("pkg:npm/example-lib@2.0"),
	}])

	results := sbom_spdx.deny with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data

	count({r | some r in results; r.code == "sbom_spdx.proxy_metadata_required"}) == 0
}

_spdx_bundled_package(purl) := {
	"name": "bundled-package",
	"SPDXID": "SPDXRef-bundled-package",
	"downloadLocation": "NOASSERTION",
	"externalRefs": [{
		"referenceCategory": "PACKAGE-MANAGER",
		"referenceType": "purl",
		"referenceLocator": purl,
	}],
	"annotations": [
		{
			"annotator": "Tool: hermeto:jsonencoded",
			"comment": "{\"name\":\"hermeto:found_by\",\"value\":\"hermeto\"}",
			"annotationDate": "2024-12-09T12:00:00Z",
			"annotationType": "OTHER",
		},
		{
			"annotator": "Tool: hermeto:jsonencoded",
			"comment": "{\"name\":\"cdx:npm:package:bundled\",\"value\":\"true\"}",
			"annotationDate": "2024-12-09T12:00:00Z",
			"annotationType": "OTHER",
		},
	],
	"checksums": [{"algorithm": "SHA256", "checksumValue": "abc123"}],
}

_spdx_proxy_package(purl, source_info) := {
	"name": "proxy-package",
	"SPDXID": "SPDXRef-proxy-package",
	"downloadLocation": "NOASSERTION",
	"sourceInfo": source_info,
	"externalRefs": [{
		"referenceCategory": "PACKAGE-MANAGER",
		"referenceType": "purl",
		"referenceLocator": purl,
	}],
	"annotations": [{
		"annotator": "Tool: hermeto:jsonencoded",
		"comment": "{\"name\":\"hermeto:found_by\",\"value\":\"hermeto\"}",
		"annotationDate": "2024-12-09T12:00:00Z",
		"annotationType": "OTHER",
	}],
	"checksums": [{"algorithm": "SHA256", "checksumValue": "abc123"}],
}

_spdx_hermeto_package(purl, source_info) := {
	"name": "hermeto-package",
	"SPDXID": "SPDXRef-hermeto-package",
	"downloadLocation": "NOASSERTION",
	"sourceInfo": source_info,
	"externalRefs": [{
		"referenceCategory": "PACKAGE-MANAGER",
		"referenceType": "purl",
		"referenceLocator": purl,
	}],
	"annotations": [{
		"annotator": "Tool: hermeto:jsonencoded",
		"comment": "{\"name\":\"hermeto:found_by\",\"value\":\"hermeto\"}",
		"annotationDate": "2024-12-09T12:00:00Z",
		"annotationType": "OTHER",
	}],
	"checksums": [{"algorithm": "SHA256", "checksumValue": "abc123"}],
}

_spdx_proxy_rule_data := {
	"proxy_enabled_purl_types": ["maven", "npm"],
	"allowed_proxy_url_patterns": {
		"maven": ["^https://proxy\\.example\\.com/maven/.*"],
		"npm": ["^https://proxy\\.example\\.com/npm/.*"],
	},
}

# proxy_metadata_required tests

test_proxy_metadata_required_spdx_denied if {
	expected := {{
		"code": "sbom_spdx.proxy_metadata_required",
		"term": "pkg:maven/org.example/lib@1.0",
		# regal ignore:line-length
		"msg": `Package pkg:maven/org.example/lib@1.0 is missing proxy metadata (sourceInfo is empty or missing)`,
	}}

	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_hermeto_package("pkg:maven/org.example/lib@1.0", ""),
	}])

	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data
}

test_proxy_metadata_required_spdx_with_source_info_passes if {
	results := sbom_spdx.deny with input.attestations as [json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_hermeto_package(
			"pkg:maven/org.example/lib@1.0",
			"acquired package from proxy https://proxy.example.com/maven/",
		),
	}])]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data

	count({r | some r in results; r.code == "sbom_spdx.proxy_metadata_required"}) == 0
}

test_proxy_metadata_required_spdx_absent_source_info_denied if {
	expected := {{
		"code": "sbom_spdx.proxy_metadata_required",
		"term": "pkg:maven/org.example/lib@1.0",
		# regal ignore:line-length
		"msg": `Package pkg:maven/org.example/lib@1.0 is missing proxy metadata (sourceInfo is empty or missing)`,
	}}

	pkg := object.remove(
		_spdx_hermeto_package("pkg:maven/org.example/lib@1.0", ""),
		["sourceInfo"],
	)

	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": pkg,
	}])

	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data
}

test_proxy_metadata_required_spdx_not_hermeto_passes if {
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": {
			"name": "non-hermeto-package",
			"SPDXID": "SPDXRef-non-hermeto",
			"downloadLocation": "NOASSERTION",
			"externalRefs": [{
				"referenceCategory": "PACKAGE-MANAGER",
				"referenceType": "purl",
				"referenceLocator": "pkg:maven/org.example/lib@1.0",
			}],
			"annotations": [{
				"annotator": "Tool: other:jsonencoded",
				"comment": "{\"name\":\"other\",\"value\":\"other\"}",
				"annotationDate": "2024-12-09T12:00:00Z",
				"annotationType": "OTHER",
			}],
			"checksums": [{"algorithm": "SHA256", "checksumValue": "abc123"}],
		},
	}])

	assertions.assert_empty(sbom_spdx.deny) with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data
}

test_proxy_metadata_required_spdx_non_proxy_purl_type_passes if {
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_hermeto_package("pkg:golang/example.com/lib@1.0", ""),
	}])

	assertions.assert_empty(sbom_spdx.deny) with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data
}

test_proxy_metadata_required_spdx_download_url_passes if {
	results := sbom_spdx.deny with input.attestations as [json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_hermeto_package(
			"pkg:maven/org.example/lib@1.0?download_url=https://example.com/lib.jar",
			"",
		),
	}])]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data

	count({r | some r in results; r.code == "sbom_spdx.proxy_metadata_required"}) == 0
}

test_proxy_metadata_required_spdx_vcs_url_passes if {
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_hermeto_package(
			"pkg:maven/org.example/lib@1.0?vcs_url=https://github.com/example/lib.git",
			"",
		),
	}])

	assertions.assert_empty(sbom_spdx.deny) with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
		with data.rule_data as _spdx_proxy_rule_data
}

# experimental_hermeto_backend tests

test_experimental_hermeto_backend_spdx_denied if {
	expected := {{
		"code": "sbom_spdx.experimental_hermeto_backend",
		"term": "pkg:golang/example.com/foo@1.0.0",
		# regal ignore:line-length
		"msg": `Package pkg:golang/example.com/foo@1.0.0 was fetched using experimental Hermeto backend "hermeto:backend:experimental:x-pnpm"`,
	}}

	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_backend_package("pkg:golang/example.com/foo@1.0.0", "hermeto:backend:experimental:x-pnpm"),
	}])

	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
}

test_experimental_hermeto_backend_spdx_stable_passes if {
	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_backend_package("pkg:golang/example.com/foo@1.0.0", "hermeto:backend:gomod"),
	}])

	results := sbom_spdx.deny with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []

	count({r | some r in results; r.code == "sbom_spdx.experimental_hermeto_backend"}) == 0
}

test_experimental_hermeto_backend_spdx_no_purl_denied if {
	expected := {{
		"code": "sbom_spdx.experimental_hermeto_backend",
		"term": "backend-package",
		# regal ignore:line-length
		"msg": `Package backend-package was fetched using experimental Hermeto backend "hermeto:backend:experimental:x-pnpm"`,
	}}

	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_backend_package_no_purl("hermeto:backend:experimental:x-pnpm"),
	}])

	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
}

test_experimental_hermeto_backend_spdx_mixed_annotations if {
	expected := {{
		"code": "sbom_spdx.experimental_hermeto_backend",
		"term": "pkg:golang/example.com/foo@1.0.0",
		# regal ignore:line-length
		"msg": `Package pkg:golang/example.com/foo@1.0.0 was fetched using experimental Hermeto backend "hermeto:backend:experimental:x-pnpm"`,
	}}

	att := json.patch(_sbom_attestation, [{
		"op": "add",
		"path": "/statement/predicate/packages/-",
		"value": _spdx_backend_package_mixed("pkg:golang/example.com/foo@1.0.0"),
	}])

	assertions.assert_equal_results(expected, sbom_spdx.deny) with input.attestations as [att]
		with input.image.ref as "registry.local/spam@sha256:1230000000000000000000000000000000000000000000000000000000000123"
		with ec.oci.image_referrers as []
		with ec.oci.image_tag_refs as []
}

_spdx_backend_package_mixed(purl) := {
	"name": "backend-package",
	"SPDXID": "SPDXRef-backend-package-mixed",
	"downloadLocation": "NOASSERTION",
	"externalRefs": [{
		"referenceCategory": "PACKAGE-MANAGER",
		"referenceType": "purl",
		"referenceLocator": purl,
	}],
	"annotations": [
		{
			"annotator": "Tool: hermeto:backend",
			"comment": "hermeto:backend:gomod",
			"annotationDate": "2026-05-01T12:00:00Z",
			"annotationType": "OTHER",
		},
		{
			"annotator": "Tool: hermeto:backend",
			"comment": "hermeto:backend:experimental:x-pnpm",
			"annotationDate": "2026-05-01T12:00:00Z",
			"annotationType": "OTHER",
		},
	],
	"checksums": [{"algorithm": "SHA256", "checksumValue": "abc123"}],
}

_spdx_backend_package(purl, backend_annotation) := {
	"name": "backend-package",
	"SPDXID": "SPDXRef-backend-package",
	"downloadLocation": "NOASSERTION",
	"externalRefs": [{
		"referenceCategory": "PACKAGE-MANAGER",
		"referenceType": "purl",
		"referenceLocator": purl,
	}],
	"annotations": [{
		"annotator": "Tool: hermeto:backend",
		"comment": backend_annotation,
		"annotationDate": "2026-05-01T12:00:00Z",
		"annotationType": "OTHER",
	}],
	"checksums": [{"algorithm": "SHA256", "checksumValue": "abc123"}],
}

_spdx_backend_package_no_purl(backend_annotation) := {
	"name": "backend-package",
	"SPDXID": "SPDXRef-backend-package-no-purl",
	"downloadLocation": "NOASSERTION",
	"annotations": [{
		"annotator": "Tool: hermeto:backend",
		"comment": backend_annotation,
		"annotationDate": "2026-05-01T12:00:00Z",
		"annotationType": "OTHER",
	}],
	"checksums": [{"algorithm": "SHA256", "checksumValue": "abc123"}],
}
