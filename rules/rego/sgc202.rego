# METADATA
# title: SSH or RDP open to the world
# description: >-
#   An ingress rule admits SSH (22) or RDP (3389) from every address
#   (0.0.0.0/0 or ::/0). Administration ports belong behind a bastion, a VPN
#   or Session Manager, admitted from the ranges that need them.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
#     description: Security group rules
# custom:
#   id: SGC202
#   severity: HIGH
package sgcheck.rules.sgc202

import data.sgcheck.lib

admin := {22: "SSH", 3389: "RDP"}

findings contains f if {
	some att in input.attachments
	some r in att.rules
	lib.determined(r)
	r.direction == "ingress"
	r.open
	r.protocol == "tcp"
	some port, service in admin
	r.from_port <= port
	port <= r.to_port
	msg := sprintf("%s admits %s (tcp %d) from %s", [r.rule, service, port, r.peer])
	f := lib.rule_finding(att, r, msg, {"port": port, "service": service})
}
