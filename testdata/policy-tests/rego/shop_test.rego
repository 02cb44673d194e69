# The fixture suite: 7 passing, 3 failing, 1 erroring, 1 skipped test rule in this file.
package shop_test

import rego.v1

admin := {"role": "admin"}

# --- passing (7)

test_input_mock_passes if {
	count(data.shop.deny) == 0 with input as {"items": [], "user": admin, "budget": "10"}
}

test_too_many_items if {
	data.shop.deny == {"4 items, more than 3"} with input as {"items": [1, 2, 3, 4], "user": admin, "budget": "10"}
}

test_data_mock if {
	count(data.shop.deny) == 0 with input as {"items": [1, 2, 3, 4], "user": admin, "budget": "10"}
		with data.config.max_items as 10
}

test_too_expensive if {
	"too expensive" in data.shop.deny with input as {"items": [{"price": 30}], "user": admin, "budget": "10"}
}

test_builtin_mock_time if {
	data.shop.year == 1970 with time.now_ns as 0
}

test_builtin_mock_by_function if {
	count(data.shop.deny) == 0 with input as {"items": [1, 2, 3, 4], "user": admin, "budget": "10"}
		with count as always_zero
}

always_zero(_) := 0

test_not_admin if {
	"not an admin" in data.shop.deny with input as {"items": [], "user": {"role": "guest"}, "budget": "10"}
}

# --- failing (3)

test_fails_when_false if {
	data.shop.deny == {"something else"} with input as {"items": [], "user": admin, "budget": "10"}
}

test_fails_when_undefined if {
	data.shop.no_such_rule
}

test_fails_when_not_true := 42

# --- erroring (1): `to_number("lots")` is a runtime error (builtin errors are strict)

test_errors_on_bad_budget if {
	count(data.shop.deny) == 0 with input as {"items": [], "user": admin, "budget": "lots"}
}

# --- skipped (1)

todo_test_weekend_rule if {
	false
}
