# METADATA
# title: Network ACL allows administration or FTP ports from the world
# description: >-
#   An ingress allow entry of a network ACL admits SSH (22), RDP (3389) or
#   FTP (20, 21) from every address, and no earlier deny entry takes them
#   back. Network ACLs are the control that cuts traffic at once
#   (docs/semantics.md); opening administration ports to the internet there
#   leaves only the security groups, whose revocations do not end tracked
#   sessions. One finding per entry, naming the services it admits. Entries
#   that allow all traffic or all ports are SGC104's; the return-traffic
#   range AWS recommends (from 1024 or above up to 65535) is not reported.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
#     description: Control subnet traffic with network ACLs
# custom:
#   id: SGC103
#   severity: LOW
#   peers:
#     - checkov CKV_AWS_229
#     - checkov CKV_AWS_230
#     - Trivy AWS-0105
package sgcheck.rules.sgc103

import data.sgcheck.lib

services := [[20, "FTP data"], [21, "FTP"], [22, "SSH"], [3389, "RDP"]]

findings contains f if {
	some n in input.nacls
	some e in n.entries
	e.direction == "ingress"
	e.action == "allow"
	e.open
	not e.shadowed_by
	e.protocol == "tcp"
	not lib.nacl_all_ports(e)
	not lib.nacl_ephemeral(e)
	admitted := [s |
		some s in services
		e.from_port <= s[0]
		s[0] <= e.to_port
		not lib.nacl_denied_before(n, e, "tcp", s[0])
	]
	count(admitted) > 0
	names := [sprintf("%s (tcp %d)", [s[1], s[0]]) | some s in admitted]
	f := {
		"rule": e.entry,
		"resource": n.name,
		"message": sprintf("%s ingress entry %d allows %s from %s", [n.name, e.number, concat(", ", names), e.cidr]),
		"location": object.get(e, "location", object.get(n, "location", null)),
		"facts": {"nacl": n.name, "number": e.number, "ports": [s[0] | some s in admitted], "cidr": e.cidr},
	}
}
