# Licenses: keep banned licenses out, and say which components carry no license at all.
#
# Each entry of a component's `licenses` is an SPDX license id or expression. How an
# expression is read (see policies/README.md):
#   - ids are compared case-insensitively with `data.stagegate.banned_licenses`;
#   - `A OR B` passes when at least one alternative names no banned id (you may pick it);
#   - `A AND B` is banned when either id is banned (AND binds tighter than OR, as in SPDX);
#   - `A WITH exception` is judged by `A`: an exception does not lift a ban;
#   - an expression with parentheses is judged conservatively: any banned id inside bans it
#     (we do not parse nesting here, and guessing wrong must not let a banned license through).
# A component with several entries in `licenses` is banned when any entry is banned.
package baseline.licenses

import rego.v1

banned := {lower(id) | some id in data.stagegate.banned_licenses}

# METADATA
# title: Banned license
# description: >-
#   A component is licensed under a license in `data.stagegate.banned_licenses` and the
#   license expression offers no allowed alternative.
# custom:
#   short_name: licenses.banned
#   severity: high
deny_banned contains result if {
	some component in input.sbom.components
	some expression in object.get(component, "licenses", [])
	found := banned_ids(expression)
	count(found) > 0
	result := {
		"msg": sprintf("%s is licensed under %q, which uses banned license %s", [component_label(component), expression, concat(", ", sort(found))]),
		"component": component_label(component),
		"purl": object.get(component, "purl", ""),
		"license": expression,
	}
}

# METADATA
# title: Components without a known license
# description: >-
#   Components whose licenses are not given (or only as NOASSERTION) cannot be checked against
#   the banned list. One warning lists them all (the first 10 in the message).
# custom:
#   short_name: licenses.unknown
#   severity: low
warn_unknown contains result if {
	unknown := sort([component_label(c) | some c in input.sbom.components; not has_known_license(c)])
	count(unknown) > 0
	result := {
		"msg": sprintf("%d component(s) without a known license: %s", [count(unknown), first_ten(unknown)]),
		"components": unknown,
	}
}

has_known_license(component) if {
	some license in component.licenses
	not upper(trim_space(license)) in {"", "NOASSERTION"}
}

# The banned ids that make `expression` banned; empty when it is allowed.
banned_ids(expression) := found if {
	regex.match(`[()]`, expression)
	flat := replace(replace(expression, "(", " "), ")", " ")
	found := {id | some alternative in alternatives(flat); some id in license_ids(alternative); id in banned}
} else := found if {
	every alternative in alternatives(expression) {
		some id in license_ids(alternative)
		id in banned
	}
	found := {id | some alternative in alternatives(expression); some id in license_ids(alternative); id in banned}
} else := set()

alternatives(expression) := regex.split(`(?i)\s+OR\s+`, trim_space(expression))

license_ids(alternative) := {license_id(term) | some term in regex.split(`(?i)\s+AND\s+`, trim_space(alternative))}

license_id(term) := lower(trim_space(regex.split(`(?i)\s+WITH\s+`, trim_space(term))[0]))

component_label(c) := sprintf("%s@%s", [c.name, c.version]) if c.version
else := c.name

first_ten(names) := concat(", ", names) if count(names) <= 10
else := sprintf("%s and %d more", [concat(", ", array.slice(names, 0, 10)), count(names) - 10])
