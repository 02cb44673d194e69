# Test rules outside a `_test.rego` file still run (as with `opa test`): 1 passing test.
package extra

import rego.v1

test_found_outside_test_files if {
	data.shop.max_items == 3
}
