# Mocking a user-defined function: 2 passing tests. regorus matches `with f as …` against
# the name as the call site spells it, so these tests live in the policy's own package and
# use the short name (`with is_admin as …`); see the README, "Testing policies".
package shop

import rego.v1

always(_) := true

test_function_mock_by_function if {
	count(deny) == 0 with input as {"items": [], "user": {"role": "guest"}, "budget": "10"}
		with is_admin as always
}

test_function_mock_by_value if {
	count(deny) == 0 with input as {"items": [], "user": {"role": "guest"}, "budget": "10"}
		with is_admin as true
}
