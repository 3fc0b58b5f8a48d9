# METADATA
# title: ICMP from anywhere is always tracked
# description: >-
#   An ingress rule admits ICMP from every address. AWS always tracks ICMP
#   (docs/semantics.md), whatever the other rules say, so removing
#   this rule later will not stop a ping that is already running: its replies
#   keep coming until the ping has been idle for the ICMP timeout. To cut ICMP
#   at once, add a network ACL deny. Only a rule that admits echo requests
#   (ICMP type 8, ICMPv6 type 128, or every type) is reported: a rule for
#   error messages only, such as type 3 code 4 for path MTU discovery, admits
#   no ping.
# related_resources:
#   - ref: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/security-group-connection-tracking.html
#     description: Amazon EC2 security group connection tracking
# custom:
#   id: SGC003
#   severity: LOW
package sgcheck.rules.sgc003

import data.sgcheck.lib

findings contains f if {
	some pair in lib.open_rules
	[att, r] := pair
	r.direction == "ingress"
	admits_icmp(r)
	lib.determined(r)
	peers := icmp_peers(r)
	r.peer == peers[0]
	what := admits(r)
	msg := sprintf(
		"%s admits %s from %s; ICMP is always tracked, so removing this rule will not stop a running ping until it has been idle for %d s (%s)",
		[r.rule, what, concat(", ", peers), input.params.icmp_idle_timeout, "model parameter icmp-idle-timeout"],
	)
	f := lib.rule_finding(att, r, msg, object.union({
		"protocol": icmp_protocol(r),
		"window_seconds": input.params.icmp_idle_timeout,
		"window_source": "model-parameter",
	}, lib.block_facts(peers)))
}

# icmp_peers: an all-traffic block open to both families is one finding
# (its proof replays the first family's ping); an ICMP rule admits its own
# family only.
icmp_peers(r) := lib.block_peers(r) if r.protocol == "all"

else := [r.peer]

# An ICMP rule admits ICMP of its own family only: "icmp" with an IPv6 range
# (or "icmpv6" with an IPv4 one) matches no packet.
admits_icmp(r) if r.protocol == "all"

admits_icmp(r) if {
	r.protocol == "icmp"
	r.family == "ipv4"
	admits_echo(r, 8)
}

admits_icmp(r) if {
	r.protocol == "icmpv6"
	r.family == "ipv6"
	admits_echo(r, 128)
}

# admits_echo: the rule's type and code cover an echo request (code 0) of
# its family, the packet that starts a ping.
admits_echo(r, echo) if {
	r.icmp_type in {-1, echo}
	r.icmp_code in {-1, 0}
}

admits(r) := "all traffic (ICMP included)" if r.protocol == "all"

else := sprintf("%s %s", [r.protocol, lib.port_text(r)])

icmp_protocol(r) := "icmpv6" if r.family == "ipv6"

else := "icmp"
