#
# METADATA
# title: redhat_security
# description: >-
#   Include the set of policy rules mapped to a Red Hat ProdSec requirement.
package collection.redhat_security

import rego.v1
