#
# METADATA
# title: policy_data
# description: >-
#   Include policy rules responsible for validating rule data.
package collection.policy_data

import rego.v1
