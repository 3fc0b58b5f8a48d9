# METADATA
# title: Rules declared both inline and as rule resources
# description: >-
#   A security group has ingress or egress blocks of its own and also rule
#   resources (aws_security_group_rule, aws_vpc_security_group_ingress_rule
#   or aws_vpc_security_group_egress_rule) attached to it; or a network ACL
#   has ingress or egress blocks of its own and also aws_network_acl_rule
#   resources naming it. The AWS provider documents that the two cannot be
#   combined: each apply replaces the rules of one kind with the other's, so
#   which rules are live depends on the last apply, and every analysis of
#   the group or network ACL (sgcheck's included) is uncertain. Keep one
#   kind: move the inline blocks into rule resources, or the reverse. One
#   finding per group or network ACL, naming the rule resources.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group
#     description: aws_security_group (AWS provider), "NOTE on Security Groups and Security Group Rules"
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/network_acl
#     description: aws_network_acl (AWS provider), "NOTE on Network ACLs and Network ACL Rules"
# custom:
#   id: SGC208
#   severity: MEDIUM
#   peers: []
package sgcheck.rules.sgc208

findings contains f if {
	some g in input.groups
	count(object.get(g, "inline", [])) > 0
	count(object.get(g, "standalone", [])) > 0
	f := {
		"rule": g.name,
		"resource": g.name,
		"message": sprintf(
			"%s has inline rules and rule resources (%s): the AWS provider overwrites one set with the other on every apply; keep one kind",
			[g.name, concat(", ", g.standalone)],
		),
		"location": object.get(g, "location", null),
		"related": object.get(g, "related", []),
		"facts": {"group": g.name, "standalone": g.standalone},
	}
}

findings contains f if {
	some n in input.nacls
	count(object.get(n, "inline", [])) > 0
	count(object.get(n, "standalone", [])) > 0
	f := {
		"rule": n.name,
		"resource": n.name,
		"message": sprintf(
			"%s has inline entries and rule resources (%s): the AWS provider overwrites one set with the other on every apply; keep one kind",
			[n.name, concat(", ", n.standalone)],
		),
		"location": object.get(n, "location", null),
		"related": [{"message": e.entry, "location": e.location} | some e in n.entries; e.entry in n.standalone; e.location],
		"facts": {"nacl": n.name, "standalone": n.standalone},
	}
}
