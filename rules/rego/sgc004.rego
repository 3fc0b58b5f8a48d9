# METADATA
# title: Automatically tracked attachment makes open rules tracked
# description: >-
#   The attachment is one whose connections AWS always tracks, such as the
#   target of a Network Load Balancer, a NAT gateway or a Lambda interface
#   (docs/semantics.md). A rule open to all addresses with an open
#   reverse rule looks untracked, but its flows are tracked: revoking it will
#   not cut live connections at once, they survive until idle (350 s for TCP
#   and 120 s for UDP through an NLB), and every connection uses a conntrack
#   entry.
# related_resources:
#   - ref: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/security-group-connection-tracking.html
#     description: Amazon EC2 security group connection tracking
# custom:
#   id: SGC004
#   severity: LOW
package sgcheck.rules.sgc004

import data.sgcheck.lib

findings contains f if {
	some att in input.attachments
	att.auto_tracked
	some r in att.rules
	r.masked_reverse_rule
	att_tracks(att, r)
	msg := sprintf(
		"%s admits %s %s from %s with the open reverse rule %s, which would leave its flows untracked, but %s is automatically tracked (%s%s): live connections survive a revocation of this rule until idle for %d s",
		[r.rule, r.protocol, lib.port_text(r), r.peer, r.masked_reverse_rule, att.name, att.auto_tracked, through_ports(att), r.timeout_seconds],
	)
	f := lib.rule_finding(att, r, msg, {
		"auto_tracked": att.auto_tracked,
		"window_seconds": r.timeout_seconds,
		"window_source": r.timeout_source,
	})
}

# Routes (docs/aws-semantics.md §3): the rules leave the flows untracked,
# but the subnet sends some or all of the rule's peers through a NAT
# gateway, transit gateway, egress-only internet gateway or appliance
# endpoint, whose connections AWS tracks automatically.
findings contains f if {
	some att in input.attachments
	some r in att.rules
	count(r.routed_tracked) > 0
	not att_tracks(att, r)
	reverse := object.get(r, "masked_reverse_rule", object.get(r, "reverse_rule", ""))
	reverse != ""
	msg := sprintf(
		"%s admits %s %s %s %s with the open reverse rule %s, which would leave its flows untracked, but on %s the subnet's routes send %s, which AWS tracks automatically: those connections survive a revocation of this rule until idle, and only a network ACL deny cuts them at once",
		[r.rule, r.protocol, lib.port_text(r), lib.peer_word(r.direction), r.peer, reverse, att.name, concat("; ", object.get(r, "routed_where", r.routed_tracked))],
	)
	f := lib.rule_finding(att, r, msg, {"routed_tracked": r.routed_tracked})
}

# att_tracks: the attachment itself tracks r's connections: every one, or,
# on a Network Load Balancer's target, inbound TCP and UDP connections when
# every port of the rule is one the load balancer forwards
# (auto_tracked_ports); the target's other connections do not pass through
# it, and a rule that also admits those is judged by the rules.
att_tracks(att, r) if {
	att.auto_tracked
	not att.auto_tracked_ports
}

att_tracks(att, r) if {
	att.auto_tracked_ports
	r.direction == "ingress"
	r.protocol in {"tcp", "udp"}
	forwarded := {port | some port in att.auto_tracked_ports; r.from_port <= port; port <= r.to_port}
	count(forwarded) == (r.to_port - r.from_port) + 1
}

through_ports(att) := "" if not att.auto_tracked_ports

else := sprintf(", for the connections it forwards to port %s", [concat(", ", [sprintf("%d", [p]) | some p in att.auto_tracked_ports])])
