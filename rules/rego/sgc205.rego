# METADATA
# title: Default security group has rules
# description: >-
#   A VPC's default security group has ingress or egress rules. Every
#   resource launched in the VPC without a group of its own gets the default
#   group, so its rules open access nobody chose; the CIS AWS Foundations
#   Benchmark asks that it restrict all traffic. Remove its rules
#   (aws_default_security_group with no ingress or egress) and give each
#   resource a group of its own. One finding per group.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html
#     description: Default security groups for your VPCs
# custom:
#   id: SGC205
#   severity: LOW
#   peers:
#     - checkov CKV2_AWS_12
#     - Trivy AWS-0173
#     - KICS 46883ce1-dc3e-4b17-9195-c6a601624c73
package sgcheck.rules.sgc205

findings contains f if {
	some att in input.attachments
	some r in att.rules
	r.default_group
	rules := sort({x.rule | some x in att.rules; x.group == r.group})
	r.rule == rules[0]
	f := {
		"rule": r.rule,
		"resource": r.group,
		"message": sprintf("%s is a default security group and has %d rule(s) (%s): every resource launched in its VPC without a group of its own gets them; remove them and give resources their own groups", [r.group, count(rules), concat(", ", rules)]),
		"location": r.location,
		"facts": {"group": r.group, "rules": rules},
	}
}
