# METADATA
# title: Network ACL allows SSH or RDP from the world
# description: >-
#   An ingress allow entry of a network ACL admits SSH (22) or RDP (3389)
#   from every address. Network ACLs are the control that cuts traffic at
#   once (docs/semantics.md); opening administration ports to the
#   internet there leaves only the security groups, whose revocations do
#   not end tracked sessions. The return-traffic range AWS recommends
#   (from 1024 or above up to 65535) is not reported for RDP.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
#     description: Control subnet traffic with network ACLs
# custom:
#   id: SGC103
#   severity: LOW
package sgcheck.rules.sgc103

admin := {22: "SSH", 3389: "RDP"}

findings contains f if {
	some n in input.nacls
	some e in n.entries
	e.direction == "ingress"
	e.action == "allow"
	e.open
	not e.shadowed_by
	some port, service in admin
	covers(e, port)
	f := {
		"rule": e.entry,
		"resource": n.name,
		"message": sprintf("%s ingress entry %d allows %s (tcp %d) from %s", [n.name, e.number, service, port, e.cidr]),
		"location": object.get(e, "location", object.get(n, "location", null)),
		"facts": {"nacl": n.name, "number": e.number, "port": port, "cidr": e.cidr},
	}
}

covers(e, _) if e.protocol == "all"

covers(e, port) if {
	e.protocol == "tcp"
	e.from_port <= port
	port <= e.to_port
	not ephemeral(e)
}

# ephemeral is an entry for return traffic: clients' ports up to 65535.
ephemeral(e) if {
	e.from_port >= 1024
	e.to_port == 65535
}
