# Helpers for the change policies.
package sgcheck.lib

reason_text := {
	"peer-not-open": "the rule was not open to all addresses, so its flows are tracked",
	"no-open-reverse": "no rule in the other direction admits all response traffic, so its flows are tracked",
	"icmp-always-tracked": "ICMP is always tracked",
	"other-protocol-tracked": "protocols other than TCP, UDP and ICMP are always tracked",
	"automatically-tracked": "the attachment is automatically tracked",
	"routed-automatically-tracked": "these peers are reached through a target whose connections AWS tracks automatically (a NAT gateway, transit gateway, egress-only internet gateway or appliance endpoint)",
}

verb := {"removed": "Removing", "narrowed": "Narrowing", "changed": "Changing"}

# change_subject names what a revocation's change did: to the rule, or, when
# the rule stays in its group, to the attachment that no longer carries
# the group.
change_subject(rv) := sprintf("Taking %s off the attachment (its rule %s)", [rv.group, rv.rule]) if {
	rv.kind == "detached"
} else := sprintf("%s %s", [verb[rv.kind], rv.rule])

peer_word(direction) := "to" if direction == "egress"

else := "from"

source_text := {
	"aws-default": "the AWS default",
	"declared": "as declared",
	"aws-documented": "documented by AWS",
	"model-parameter": "model parameter; AWS does not document it",
}
