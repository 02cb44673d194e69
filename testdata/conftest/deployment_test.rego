# conftest-style unit tests (`conftest verify` / `stagegate test testdata/conftest`).
package main

import rego.v1

test_root_deployment_denied if {
	"Containers must not run as root" in deny with input as {"kind": "Deployment", "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"spec": {"containers": []}}}}
}

test_missing_app_label_denied if {
	"Containers must provide app label for pod selectors" in deny with input as {"kind": "Deployment", "spec": {"selector": {}, "template": {"spec": {"securityContext": {"runAsNonRoot": true}, "containers": []}}}}
}

test_latest_tag_warns if {
	warn == {"container web uses the mutable tag `latest`"} with input as {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:latest"}]}}}}
}

test_hardened_deployment_passes if {
	inp := {"kind": "Deployment", "spec": {
		"selector": {"matchLabels": {"app": "web"}},
		"template": {"spec": {"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "web", "image": "nginx:1.27.3"}]}},
	}}
	count(deny) == 0 with input as inp
	count(warn) == 0 with input as inp
}

test_other_kinds_ignored if {
	count(deny) == 0 with input as {"kind": "Service"}
}
