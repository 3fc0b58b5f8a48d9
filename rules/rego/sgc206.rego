# METADATA
# title: Egress open to the world
# description: >-
#   An egress rule admits traffic to every address (0.0.0.0/0 or ::/0). This
#   is AWS's and Terraform's usual default, so the check is off unless
#   enabled in .sgcheck.yaml (enable: [SGC206]); teams that restrict egress
#   turn it on. One finding per rule.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
#     description: Security group rules
# custom:
#   id: SGC206
#   severity: INFO
#   enabled: false
#   peers:
#     - checkov CKV_AWS_382
#     - Trivy AWS-0104
package sgcheck.rules.sgc206

import data.sgcheck.lib

findings contains f if {
	some pair in lib.open_rules
	[att, r] := pair
	r.direction == "egress"
	not lib.world_open_by_design(att, r)
	lib.determined(r)
	msg := sprintf("%s admits %s to %s", [r.rule, what(r), r.peer])
	f := lib.rule_finding(att, r, msg, {})
}

what(r) := "all traffic" if r.protocol == "all"

what(r) := sprintf("%s %s", [r.protocol, lib.port_text(r)]) if r.protocol != "all"
