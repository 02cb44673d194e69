# SLSA provenance: the artifact was built by a builder we trust.
#
# Which provenance counts: an attestation in `input.attestations` whose `predicateType` is SLSA
# provenance v1 (`https://slsa.dev/provenance/v1`) or v0.2 (`https://slsa.dev/provenance/v0.2`),
# whose signature was `verified` against a trusted key, and whose subjects include the
# evidence subject's sha256. Anyone can write an unsigned provenance document, and a signed one
# about another artifact says nothing about this one, so neither counts (each gets a warning).
#
# The builder id is `predicate.runDetails.builder.id` (v1) or `predicate.builder.id` (v0.2).
# An entry of `data.stagegate.allowed_builders` matches it exactly or, when the entry ends
# with `*`, as a prefix. Put this directory only in the stages that require provenance.
package supply_chain.provenance

import rego.v1

slsa_v1 := "https://slsa.dev/provenance/v1"

slsa_v02 := "https://slsa.dev/provenance/v0.2"

slsa_types := {slsa_v1, slsa_v02}

# Every SLSA provenance attestation, counted or not.
candidates := [att | some att in input.attestations; att.predicateType in slsa_types]

# The provenance that counts (see the top of this file).
provenance := [att | some att in candidates; counts(att)]

counts(att) if {
	att.verified == true
	names_subject(att)
}

names_subject(att) if {
	some s in att.subjects
	lower(s.digest.sha256) == lower(input.subject.digest.sha256)
}

builder_id(att) := id if {
	att.predicateType == slsa_v1
	id := att.predicate.runDetails.builder.id
} else := id if {
	att.predicateType == slsa_v02
	id := att.predicate.builder.id
} else := ""

builder_allowed(id) if {
	id != ""
	some entry in data.stagegate.allowed_builders
	builder_matches(entry, id)
}

builder_matches(entry, id) if entry == id

builder_matches(entry, id) if {
	endswith(entry, "*")
	startswith(id, trim_suffix(entry, "*"))
}

signer(att) := object.get(att, "signer", "an unknown signer")

# METADATA
# title: Provenance missing
# description: >-
#   No verified SLSA provenance (v1 or v0.2) about this artifact's digest is in the evidence,
#   so nobody can say how, or by whom, it was built.
# custom:
#   short_name: provenance.missing
#   severity: high
deny_missing contains result if {
	count(provenance) == 0
	result := {
		"msg": sprintf("no verified SLSA provenance for sha256:%s (%d provenance attestation(s) found, none verified and about this subject)", [input.subject.digest.sha256, count(candidates)]),
		"ignored": count(candidates),
	}
}

# METADATA
# title: Provenance ignored
# description: >-
#   A SLSA provenance attestation was found but does not count: its signature was not verified
#   against a trusted key, or it is about another artifact.
# custom:
#   short_name: provenance.ignored
#   severity: low
warn_ignored contains result if {
	some att in candidates
	not counts(att)
	reason := ignored_reason(att)
	result := {
		"msg": sprintf("provenance signed by %s ignored: %s", [signer(att), reason]),
		"signer": signer(att),
		"reason": reason,
	}
}

ignored_reason(att) := "its signature was not verified against a trusted key" if {
	att.verified != true
} else := sprintf("it does not name the subject sha256:%s", [input.subject.digest.sha256])

# METADATA
# title: Builder not allowed
# description: >-
#   A verified provenance names a builder that is not in `data.stagegate.allowed_builders`
#   (or names none). Only artifacts built by trusted build platforms may be promoted.
# custom:
#   short_name: provenance.builder_not_allowed
#   severity: critical
deny_builder_not_allowed contains result if {
	some att in provenance
	id := builder_id(att)
	not builder_allowed(id)
	result := {
		"msg": sprintf("built by %s, which is not an allowed builder", [builder_label(id)]),
		"builder": id,
		"predicateType": att.predicateType,
	}
}

builder_label(id) := sprintf("%q", [id]) if id != ""
else := "an unnamed builder"
