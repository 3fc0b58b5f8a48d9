# METADATA
# title: Network ACL rule number used twice
# description: >-
#   Two entries of one network ACL and direction have the same rule number.
#   A network ACL holds one numbered set of ingress entries and another of
#   egress entries, and an entry is created, replaced and deleted by its
#   number (docs/semantics.md), so AWS refuses the second entry with that
#   number: the apply that creates it fails, and which of the two would
#   decide the traffic they both match is not determined (sgcheck reads them
#   in the order they are declared, which AWS does not). Give every entry of
#   a direction its own number. One finding per entry that repeats a number,
#   naming the entry that has it first.
# related_resources:
#   - ref: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateNetworkAclEntry.html
#     description: CreateNetworkAclEntry (EC2 API Reference)
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html
#     description: Network ACL rules
# custom:
#   id: SGC105
#   severity: MEDIUM
#   peers: []
package sgcheck.rules.sgc105

findings contains f if {
	some n in input.nacls
	some e in n.entries
	e.duplicate_of
	f := {
		"rule": e.entry,
		"resource": n.name,
		"message": sprintf(
			"%s %s entries %s and %s both have rule number %d: AWS keeps one %s entry per number and refuses the second, so the apply fails; which of the two decides the traffic both match is not determined",
			[n.name, e.direction, e.duplicate_of, e.entry, e.number, e.direction],
		),
		"location": object.get(e, "location", object.get(n, "location", null)),
		"related": related(n, e),
		"facts": {"nacl": n.name, "direction": e.direction, "number": e.number, "first": e.duplicate_of},
	}
}

related(n, e) := [{"message": sprintf("%s, rule number %d", [d.entry, d.number]), "location": d.location} |
	some d in n.entries
	d.entry == e.duplicate_of
	d.location
]
