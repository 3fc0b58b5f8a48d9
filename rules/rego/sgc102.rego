# METADATA
# title: Network ACL entry never applies
# description: >-
#   A lower-numbered entry of the same network ACL and direction matches
#   every packet this entry would match. Entries are evaluated in ascending
#   rule number and the first match decides (docs/semantics.md), so
#   this entry never applies. A shadowed deny is the dangerous case: the
#   traffic it was written to block is let through by the earlier allow.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
#     description: Control subnet traffic with network ACLs
# custom:
#   id: SGC102
#   severity: MEDIUM
package sgcheck.rules.sgc102

findings contains f if {
	some n in input.nacls
	some e in n.entries
	e.shadowed_by
	f := {
		"rule": e.entry,
		"resource": n.name,
		"message": sprintf(
			"%s %s entry %d (%s %s %s %s) never applies: entry %d (%s) matches all of its traffic first%s",
			[n.name, e.direction, e.number, e.action, e.protocol, peer_word[e.direction], e.cidr, e.shadowed_by, e.shadowed_by_action, consequence(e)],
		),
		"location": object.get(e, "location", object.get(n, "location", null)),
		"facts": {"nacl": n.name, "direction": e.direction, "number": e.number, "action": e.action, "shadowed_by": e.shadowed_by},
	}
}

# peer_word: an ingress entry matches traffic from its range, an egress
# entry traffic to it.
peer_word := {"ingress": "from", "egress": "to"}

consequence(e) := "; the traffic this deny was meant to block is allowed" if {
	e.action == "deny"
	e.shadowed_by_action == "allow"
} else := ""
