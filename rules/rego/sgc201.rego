# METADATA
# title: Ingress open to the world on all ports
# description: >-
#   An ingress rule admits every port (all traffic, or a full TCP/UDP port
#   range) from every address (0.0.0.0/0 or ::/0). Whatever listens on the
#   instance is reachable from the internet.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
#     description: Security group rules
# custom:
#   id: SGC201
#   severity: HIGH
#   peers:
#     - checkov CKV_AWS_277
#     - Trivy AWS-0107
package sgcheck.rules.sgc201

import data.sgcheck.lib

findings contains f if {
	some att in input.attachments
	some r in att.rules
	lib.determined(r)
	r.direction == "ingress"
	r.open
	all_ports(r)
	msg := sprintf("%s admits %s from %s: every port of the instance is reachable from the internet", [r.rule, what(r), r.peer])
	f := lib.rule_finding(att, r, msg, {})
}

all_ports(r) if r.protocol == "all"

all_ports(r) if {
	r.protocol in {"tcp", "udp"}
	r.from_port == 0
	r.to_port == 65535
}

what(r) := "all traffic" if r.protocol == "all"

else := sprintf("all %s ports", [r.protocol])
