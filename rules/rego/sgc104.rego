# METADATA
# title: Network ACL allows all traffic from the world
# description: >-
#   The ingress entries of a network ACL, read in rule-number order with the
#   first match deciding, admit every protocol, or every TCP or UDP port,
#   from every address of a family (one entry open to the world, or several
#   whose addresses add up to it), in a network ACL whose other
#   entries show it is meant to filter. The network ACL then filters no TCP
#   or UDP traffic that reaches it from the internet (nothing at all, unless
#   an earlier deny takes another protocol back), and only the security
#   groups remain (docs/semantics.md). A network ACL that only allows all traffic (AWS's
#   default network ACL, and what most modules create) is AWS's normal state
#   and is not reported, nor is one whose every entry allows all traffic,
#   some from narrower ranges that the world's entry makes redundant (a
#   pass-through network ACL, as transit gateway, inspection and firewall
#   subnets have: the filtering is elsewhere).
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
	some x in object.get(n, "exposed", [])
	x.kind == "all"
	what := description(x)
	f := {
		"rule": x.entries[0],
		"resource": n.name,
		"message": sprintf("%s %s from %s: the network ACL filters %s from the internet", [lib.nacl_entries_phrase(n, x), what, lib.nacl_peers_phrase(x), filtered(x)]),
		"location": object.get(x, "location", object.get(n, "location", null)),
		"related": object.get(x, "related", []),
		"facts": {"nacl": n.name, "number": x.numbers[0], "numbers": x.numbers, "protocols": x.protocols, "cidr": x.cidrs[0], "family": x.family},
	}
}

description(x) := "all traffic" if x.all_traffic

description(x) := sprintf("every %s port", [concat(" and ", [upper(p) | some p in x.protocols])]) if not x.all_traffic

filtered(x) := "nothing" if x.all_traffic

filtered(x) := sprintf("no %s traffic", [concat(" or ", [upper(p) | some p in x.protocols])]) if not x.all_traffic
