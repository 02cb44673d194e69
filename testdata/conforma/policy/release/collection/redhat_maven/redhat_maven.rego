#
# METADATA
# title: redhat_maven
# description: >-
#  Ruleset for validating artifacts built via Red Hat Maven repositories.
package collection.redhat_maven

import rego.v1
