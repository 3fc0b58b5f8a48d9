# METADATA
# title: Security group attached to nothing
# description: >-
#   A security group that nothing in the configuration can attach: no
#   resource, module argument, local or output refers to it other than its
#   own rules and other groups' rules naming it as a peer. It filters no
#   traffic; either it was meant to be attached and is not (the resource it
#   was written for gets another group, or the default one), or it is left
#   over. Judged only where the input shows every way the group could be
#   attached: groups declared in Terraform (in modules too: an output that
#   hands the group to the caller counts as an attachment), not groups read
#   from plan or state JSON or AWS CLI output, and not in modules with a
#   file in JSON syntax. Another configuration can still attach a group it
#   looks up by name or tag; such a group should be handed over through an
#   output.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-groups.html
#     description: Control traffic to your AWS resources using security groups
# custom:
#   id: SGC209
#   severity: INFO
#   peers:
#     - checkov CKV2_AWS_5
package sgcheck.rules.sgc209

findings contains f if {
	some g in input.groups
	g.unattached
	f := {
		"rule": g.name,
		"resource": g.name,
		"message": sprintf("%s is attached to nothing: no resource, module, local or output in the configuration refers to it", [g.name]),
		"location": object.get(g, "location", null),
		"facts": {"group": g.name},
	}
}
