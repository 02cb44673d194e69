# A plain conftest policy, as conftest's own README shows it: package `main`, several `deny`
# and `warn` rules, string results, no METADATA. It is here to prove that such policies run in
# stagegate unmodified, with any JSON or YAML document as `input` (`stagegate evaluate --input`).
package main

import rego.v1

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := "Containers must not run as root"
}

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.selector.matchLabels.app
	msg := "Containers must provide app label for pod selectors"
}

warn contains msg if {
	input.kind == "Deployment"
	some container in input.spec.template.spec.containers
	endswith(container.image, ":latest")
	msg := sprintf("container %s uses the mutable tag `latest`", [container.name])
}
