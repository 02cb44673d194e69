package release.approvals_test

import rego.v1

import data.release.approvals

approval(who, role, stage, verified) := {"approver": who, "role": role, "stage": stage, "at": "2026-11-26T15:00:00Z", "verified": verified}

# --- approvals.prod_insufficient

test_two_verified_release_managers_pass if {
	inp := {"approvals": [
		approval("alice@example.com", "release-manager", "prod", true),
		approval("bob@example.com", "release-manager", "prod", true),
	]}
	count(approvals.deny_prod_insufficient) == 0 with input as inp
}

test_no_approvals_fail if {
	approvals.deny_prod_insufficient == {{"msg": "prod needs 2 distinct verified release-manager approvals, found 0", "approvers": [], "required": 2}} with input as {}
}

test_one_approver_fails if {
	inp := {"approvals": [approval("alice@example.com", "release-manager", "prod", true)]}
	approvals.deny_prod_insufficient == {{"msg": "prod needs 2 distinct verified release-manager approvals, found 1 (alice@example.com)", "approvers": ["alice@example.com"], "required": 2}} with input as inp
}

test_same_approver_twice_counts_once if {
	inp := {"approvals": [
		approval("alice@example.com", "release-manager", "prod", true),
		approval(" Alice@Example.com", "release-manager", "prod", true),
	]}
	count(approvals.deny_prod_insufficient) == 1 with input as inp
}

test_unverified_approval_does_not_count if {
	inp := {"approvals": [
		approval("alice@example.com", "release-manager", "prod", true),
		approval("bob@example.com", "release-manager", "prod", false),
	]}
	count(approvals.deny_prod_insufficient) == 1 with input as inp
}

test_wrong_role_does_not_count if {
	inp := {"approvals": [
		approval("alice@example.com", "release-manager", "prod", true),
		approval("bob@example.com", "developer", "prod", true),
	]}
	count(approvals.deny_prod_insufficient) == 1 with input as inp
}

test_approval_for_other_stage_does_not_count if {
	inp := {"approvals": [
		approval("alice@example.com", "release-manager", "prod", true),
		approval("bob@example.com", "release-manager", "staging", true),
	]}
	count(approvals.deny_prod_insufficient) == 1 with input as inp
}

test_configured_requirements_apply if {
	inp := {"approvals": [
		approval("alice@example.com", "owner", "production", true),
		approval("bob@example.com", "owner", "production", true),
	]}
	results := approvals.deny_prod_insufficient with input as inp
		with data.stagegate.approvals.prod as {"stage": "production", "role": "owner", "required": 3}
	results == {{"msg": "production needs 3 distinct verified owner approvals, found 2 (alice@example.com, bob@example.com)", "approvers": ["alice@example.com", "bob@example.com"], "required": 3}}
}

# --- approvals.ignored

test_unverified_approval_warns if {
	inp := {"approvals": [approval("mallory@example.com", "release-manager", "prod", false)]}
	approvals.warn_ignored == {{"msg": "approval by mallory@example.com ignored: its signature was not verified", "approver": "mallory@example.com", "reason": "its signature was not verified"}} with input as inp
}

test_wrong_role_warns if {
	inp := {"approvals": [approval("dave@example.com", "developer", "prod", true)]}
	results := approvals.warn_ignored with input as inp
	some r in results
	r.reason == "role \"developer\" is not \"release-manager\""
}

test_missing_role_warns if {
	inp := {"approvals": [{"approver": "erin@example.com", "stage": "prod", "at": "2026-11-26T15:00:00Z", "verified": true}]}
	results := approvals.warn_ignored with input as inp
	some r in results
	r.reason == "role \"\" is not \"release-manager\""
}

test_counted_and_other_stage_approvals_do_not_warn if {
	inp := {"approvals": [
		approval("alice@example.com", "release-manager", "prod", true),
		approval("bob@example.com", "developer", "staging", false),
	]}
	count(approvals.warn_ignored) == 0 with input as inp
}
