# METADATA
# title: Group or rule without a description
# description: >-
#   A security group rule has no description, or a security group has none
#   of its own (none declared, or the AWS provider's default "Managed by
#   Terraform"). Descriptions say why a group or rule exists, which is what
#   a reviewer needs before revoking it. Off unless enabled in .sgcheck.yaml
#   (enable: [SGC207]). One finding per group or rule.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
#     description: Security group rules
# custom:
#   id: SGC207
#   severity: INFO
#   enabled: false
#   peers:
#     - checkov CKV_AWS_23
#     - Trivy AWS-0099
#     - Trivy AWS-0124
package sgcheck.rules.sgc207

import data.sgcheck.lib

findings contains f if {
	some att in input.attachments
	some r in att.rules
	not r.description
	msg := sprintf("%s has no description", [r.rule])
	f := lib.rule_finding(att, r, msg, {})
}

findings contains f if {
	some g in input.groups
	g.no_description
	f := {
		"rule": g.name,
		"resource": g.name,
		"message": sprintf("%s has no description of its own", [g.name]),
		"location": object.get(g, "location", null),
		"facts": {"group": g.name},
	}
}
