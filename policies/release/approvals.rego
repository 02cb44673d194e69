# Release approvals: promotion to prod needs two distinct, verified release managers.
#
# Only approvals with `verified: true` count: their signature was checked against a trusted
# approver key, and their `role` comes from that trust configuration, not from the claim.
# Approvers are compared case-insensitively (after trimming), so one person approving twice,
# or once as `Alice@example.com` and once as `alice@example.com`, counts once.
#
# Rego sees no stage name, so this directory is meant for the prod stage only. The knobs are
# `data.stagegate.approvals.prod.{stage, role, required}` (defaults: prod, release-manager, 2).
package release.approvals

import rego.v1

default stage := "prod"

stage := data.stagegate.approvals.prod.stage

default role := "release-manager"

role := data.stagegate.approvals.prod.role

default required := 2

required := data.stagegate.approvals.prod.required

# Distinct approvers whose approval counts.
approvers contains lower(trim_space(a.approver)) if {
	some a in input.approvals
	a.verified == true
	a.stage == stage
	a.role == role
}

# METADATA
# title: Not enough release approvals
# description: >-
#   Promotion to prod needs approvals from at least two distinct people with the
#   `release-manager` role, each verified against a trusted approver key. No single person can
#   push an artifact to production alone.
# custom:
#   short_name: approvals.prod_insufficient
#   severity: high
deny_prod_insufficient contains result if {
	count(approvers) < required
	result := {
		"msg": sprintf("%s needs %d distinct verified %s approvals, found %d%s", [stage, required, role, count(approvers), approver_list]),
		"approvers": sort(approvers),
		"required": required,
	}
}

approver_list := sprintf(" (%s)", [concat(", ", sort(approvers))]) if count(approvers) > 0
else := ""

# METADATA
# title: Approval ignored
# description: >-
#   An approval for this stage does not count: its signature was not verified, or the
#   verified role is not the one required.
# custom:
#   short_name: approvals.ignored
#   severity: low
warn_ignored contains result if {
	some a in input.approvals
	a.stage == stage
	reason := ignored_reason(a)
	result := {
		"msg": sprintf("approval by %s ignored: %s", [a.approver, reason]),
		"approver": a.approver,
		"reason": reason,
	}
}

ignored_reason(a) := "its signature was not verified" if {
	a.verified != true
} else := sprintf("role %q is not %q", [object.get(a, "role", ""), role]) if {
	object.get(a, "role", "") != role
}
