#
# METADATA
# title: slsa3
# description: >-
#   Includes policy rules required to meet SLSA Level 3.
package collection.slsa3

import rego.v1
