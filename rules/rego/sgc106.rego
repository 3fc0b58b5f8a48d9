# METADATA
# title: Subnet associated with more than one network ACL
# description: >-
#   Two or more network ACLs name the same subnet (in subnet_ids, or through
#   aws_network_acl_association). AWS associates a subnet with exactly one
#   network ACL (docs/semantics.md), and the AWS provider documents that
#   its ways of associating overwrite each other: every apply moves the
#   subnet to one of them, so which network ACL filters it is not
#   determined. sgcheck then judges what runs in the subnet with neither
#   (explain says so). Name the subnet in one network ACL only. One finding
#   per subnet, naming the network ACLs.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
#     description: Control subnet traffic with network ACLs
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/network_acl
#     description: aws_network_acl (AWS provider), "NOTE on Network ACLs and Network ACL Associations"
# custom:
#   id: SGC106
#   severity: MEDIUM
#   peers: []
package sgcheck.rules.sgc106

findings contains f if {
	some s in input.subnets
	count(s.nacls) > 1
	f := {
		"rule": s.name,
		"resource": s.nacls[0],
		"message": sprintf(
			"%s is associated with %d network ACLs (%s): a subnet has one, and each apply moves it to one of them, so which one filters it is not determined",
			[s.name, count(s.nacls), concat(", ", s.nacls)],
		),
		"location": location(s),
		"related": object.get(s, "related", []),
		"facts": {"subnet": s.name, "nacls": s.nacls},
	}
}

# location is the subnet's declaration, or for a subnet the input does not
# declare, where the first network ACL is given it.
location(s) := s.location if {
	s.location
} else := s.related[0].location if {
	s.related[0].location
} else := null
