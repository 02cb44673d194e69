# SBOM: there must be one, it must list something, and components should be identifiable.
package baseline.sbom

import rego.v1

# METADATA
# title: SBOM missing
# description: >-
#   The evidence holds no SBOM. Without one, license and vulnerability checks have nothing to
#   look at, so their silence would mean nothing.
# custom:
#   short_name: sbom.missing
#   severity: high
deny_missing contains msg if {
	not input.sbom
	msg := "no SBOM in the evidence: add a CycloneDX or SPDX document when collecting"
}

# METADATA
# title: SBOM empty
# description: >-
#   The SBOM lists no components: the generator most likely ran on the wrong path or failed
#   quietly.
# custom:
#   short_name: sbom.empty
#   severity: high
deny_empty contains msg if {
	input.sbom
	count(object.get(input.sbom, "components", [])) == 0
	msg := sprintf("the %s SBOM lists no components", [object.get(input.sbom, "format", "(unknown format)")])
}

# METADATA
# title: Components without a purl
# description: >-
#   Components without a package URL (`pkg:...`) cannot be matched against vulnerability
#   databases reliably. One warning lists them all (the first 10 in the message). Components
#   that are not packages (see `non_package_types`) are not expected to have one.
# custom:
#   short_name: sbom.component_without_purl
#   severity: low
warn_component_without_purl contains result if {
	# Inline rather than a helper function: with 10,000 components a call each costs milliseconds.
	missing := sort([component_label(c) | some c in input.sbom.components; not non_package_types[c.type]; not startswith(object.get(c, "purl", ""), "pkg:")])
	count(missing) > 0
	result := {
		"msg": sprintf("%d component(s) without a purl: %s", [count(missing), first_ten(missing)]),
		"components": missing,
	}
}

# Component types (CycloneDX `type`; SPDX `primaryPackagePurpose`, lowercased, reads the same)
# that are not software packages: no package URL or per-package license describes them. syft
# lists the image's distribution as an `operating-system` component and, with file
# cataloguing on, every file as a `file` component; a CBOM lists algorithms and certificates as
# `cryptographic-asset`s. Libraries, frameworks, applications, containers, firmware and models
# are packages and are checked.
non_package_types := {"operating-system", "file", "device", "platform", "data", "cryptographic-asset"}

component_label(c) := sprintf("%s@%s", [c.name, c.version]) if c.version
else := c.name

first_ten(names) := concat(", ", names) if count(names) <= 10
else := sprintf("%s and %d more", [concat(", ", array.slice(names, 0, 10)), count(names) - 10])
