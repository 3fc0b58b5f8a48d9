# METADATA
# title: Network ACL allows all traffic from the world
# description: >-
#   An ingress allow entry of a network ACL admits every protocol, or every
#   TCP or UDP port, from every address, in a network ACL whose other
#   entries show it is meant to filter. The network ACL then filters nothing
#   that reaches it from the internet, and only the security groups remain
#   (docs/semantics.md). A network ACL that only allows all traffic (AWS's
#   default network ACL, and what most modules create) is AWS's normal state
#   and is not reported.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
#     description: Control subnet traffic with network ACLs
# custom:
#   id: SGC104
#   severity: LOW
#   peers:
#     - checkov CKV_AWS_352
#     - Trivy AWS-0102
package sgcheck.rules.sgc104

import data.sgcheck.lib

findings contains f if {
	some n in input.nacls
	not lib.nacl_default_pattern(n)
	some e in n.entries
	e.direction == "ingress"
	e.action == "allow"
	e.open
	not e.shadowed_by
	lib.nacl_all_ports(e)
	what := description(e)
	f := {
		"rule": e.entry,
		"resource": n.name,
		"message": sprintf("%s ingress entry %d allows %s from %s: the network ACL filters nothing from the internet", [n.name, e.number, what, e.cidr]),
		"location": object.get(e, "location", object.get(n, "location", null)),
		"facts": {"nacl": n.name, "number": e.number, "protocol": e.protocol, "cidr": e.cidr},
	}
}

description(e) := "all traffic" if e.protocol == "all"

description(e) := sprintf("every %s port", [e.protocol]) if e.protocol != "all"
