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

# Every distinct license entry in the SBOM, mapped to the banned ids that make it banned. An SBOM
# of 10,000 components has a few dozen distinct entries: each is judged once, not per component.
# (The loops over components avoid function calls and `object.get`: with 10,000 components each
# costs milliseconds in regorus.)
banned_entries[expression] := found if {
	some expression in {e | some c in input.sbom.components; some e in c.licenses}
	found := banned_ids(expression)
	count(found) > 0
}

# METADATA
# title: Banned license
# description: >-
#   A component is licensed under a license in `data.stagegate.banned_licenses` and the
#   license expression offers no allowed alternative.
# custom:
#   short_name: licenses.banned
#   severity: high
deny_banned contains result if {
	count(banned_entries) > 0
	some component in input.sbom.components
	some expression in component.licenses
	found := banned_entries[expression]
	result := {
		"msg": sprintf("%s is licensed under %q, which uses banned license %s", [component_label(component), expression, concat(", ", spelled(found))]),
		"component": component_label(component),
		"purl": object.get(component, "purl", ""),
		"license": expression,
	}
}

# METADATA
# title: Components without a known license
# description: >-
#   Components whose licenses are not given (or only as NOASSERTION) cannot be checked against
#   the banned list. One warning lists them all (the first 10 in the message). Components that
#   are not packages (`data.baseline.sbom.non_package_types`: the operating system, files ...)
#   carry no license of their own and are not listed.
# custom:
#   short_name: licenses.unknown
#   severity: low
warn_unknown contains result if {
	unknown := sort([component_label(c) | some c in input.sbom.components; not data.baseline.sbom.non_package_types[c.type]; object.get(c, "licenses", []) in no_license])
	count(unknown) > 0
	result := {
		"msg": sprintf("%d component(s) without a known license: %s", [count(unknown), first_ten(unknown)]),
		"components": unknown,
	}
}

# The `licenses` values that say nothing: none given, or only SPDX's NOASSERTION. (NONE is an
# answer: the author claims no license.) Compared as whole arrays, a set lookup per component.
no_license := {[], [""], ["NOASSERTION"], ["noassertion"]}

# The banned ids (lowercase) that make `expression` banned; empty when it is allowed. Plain
# string functions, no regex: regorus compiles a regex on every call, which costs 70 µs or more.
banned_ids(expression) := found if {
	# The common case: a single license id.
	id := normalize(expression)
	not contains(id, " ")
	not has_parentheses(id)
	found := {id} & banned
} else := found if {
	has_parentheses(expression)
	found := {id | some alternative in alternatives(replace(replace(expression, "(", " "), ")", " ")); some id in license_ids(alternative); id in banned}
} else := found if {
	every alternative in alternatives(expression) {
		some id in license_ids(alternative)
		id in banned
	}
	found := {id | some alternative in alternatives(expression); some id in license_ids(alternative); id in banned}
} else := set()

has_parentheses(expression) if contains(expression, "(")

has_parentheses(expression) if contains(expression, ")")

# Lowercase, with runs of whitespace as single spaces, so that operators can be split on
# (`OR`, `or` and `Or` alike: SPDX ids and operators are case-insensitive).
normalize(expression) := concat(" ", [word |
	some word in split(strings.replace_n({"\t": " ", "\n": " ", "\r": " "}, lower(expression)), " ")
	word != ""
])

alternatives(expression) := split(normalize(expression), " or ")

license_ids(alternative) := {split(term, " with ")[0] | some term in split(alternative, " and ")}

# The banned ids as `data.stagegate.banned_licenses` spells them.
spelled(found) := sort({id | some id in data.stagegate.banned_licenses; lower(id) in found})

component_label(c) := sprintf("%s@%s", [c.name, c.version]) if c.version
else := c.name

first_ten(names) := concat(", ", names) if count(names) <= 10
else := sprintf("%s and %d more", [concat(", ", array.slice(names, 0, 10)), count(names) - 10])
