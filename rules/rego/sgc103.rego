# METADATA
# title: Network ACL allows administration or FTP ports from the world
# description: >-
#   The ingress entries of a network ACL, read in rule-number order with
#   the first match deciding, admit SSH (22), RDP (3389) or FTP (20, 21)
#   from every address of a family: one entry open to 0.0.0.0/0 or ::/0, or
#   several whose addresses add up to it (0.0.0.0/1 and 128.0.0.0/1), with
#   no earlier deny entry taking them back. Network ACLs are the control that cuts traffic at once
#   (docs/semantics.md); opening administration ports to the internet there
#   leaves only the security groups, whose revocations do not end tracked
#   sessions. One finding per set of entries, naming the services they admit. Entries
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
#     - checkov CKV_AWS_231
#     - checkov CKV_AWS_232
#     - Trivy AWS-0105
package sgcheck.rules.sgc103

import data.sgcheck.lib

findings contains f if {
	some n in input.nacls
	some x in object.get(n, "exposed", [])
	x.kind == "ports"
	names := [sprintf("%s (tcp %d)", [x.services[i], p]) | some i, p in x.ports]
	f := {
		"rule": x.entries[0],
		"resource": n.name,
		"message": sprintf("%s %s from %s", [lib.nacl_entries_phrase(n, x), concat(", ", names), lib.nacl_peers_phrase(x)]),
		"location": object.get(x, "location", object.get(n, "location", null)),
		"related": object.get(x, "related", []),
		"facts": {"nacl": n.name, "number": x.numbers[0], "numbers": x.numbers, "ports": x.ports, "cidr": x.cidrs[0], "family": x.family},
	}
}
