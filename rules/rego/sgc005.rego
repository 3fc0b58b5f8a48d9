# METADATA
# title: Tracking depends on a rule in another security group
# description: >-
#   This rule's flows are untracked only because a rule in another security
#   group on the same attachment admits all response traffic
#   (docs/semantics.md, §6: the rules of all groups on an interface
#   act together). Detaching or editing that other group silently makes these
#   flows tracked, which changes what a later revocation of this rule does and
#   how many connections the interface tracks.
# related_resources:
#   - ref: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/security-group-connection-tracking.html
#     description: Amazon EC2 security group connection tracking
# custom:
#   id: SGC005
#   severity: LOW
package sgcheck.rules.sgc005

import data.sgcheck.lib

findings contains f if {
	some att in input.attachments
	some r in att.rules
	r.reverse_rule
	r.reverse_group != r.group
	# a narrow rule whose flows an open rule admits: what they depend on is
	# that rule's, which is judged on its own
	r.reason != "covered-by-open-rule"
	msg := sprintf(
		"on %s, %s flows admitted by %s are untracked only because %s in %s admits all response traffic; without that group they become tracked and survive a revocation of this rule",
		[att.name, upper(untracked_part(r)), r.rule, r.reverse_rule, r.reverse_group],
	)
	f := object.union(lib.rule_finding(att, r, msg, {
		"reverse_rule": r.reverse_rule,
		"reverse_group": r.reverse_group,
	}), {"related": [{"message": "reverse rule", "location": r.reverse_location}]})
}

untracked_part(r) := "tcp and udp" if r.protocol == "all"

else := r.protocol
