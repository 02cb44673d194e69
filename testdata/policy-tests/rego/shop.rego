# A small policy for the test-runner fixture suite. Lines 30-32 (`deny_weekend`) are left
# uncovered on purpose: the coverage tests expect exactly those lines.
package shop

import rego.v1

default max_items := 3

max_items := data.config.max_items

is_admin(user) if user.role == "admin"

deny contains msg if {
	count(input.items) > max_items
	msg := sprintf("%d items, more than %d", [count(input.items), max_items])
}

deny contains "not an admin" if {
	not is_admin(input.user)
}

price_total := sum([item.price | some item in input.items])

deny contains "too expensive" if {
	to_number(input.budget) < price_total
}

year := time.date(time.now_ns())[0]

deny_weekend contains "no deploys on weekends" if {
	day := time.weekday(time.now_ns())
	day in {"Saturday", "Sunday"}
}
