# METADATA
# title: Port open to the world
# description: >-
#   An ingress rule admits a TCP or UDP port range from every address
#   (0.0.0.0/0 or ::/0) that holds ports other than the web ports 80 and 443
#   and other than the administration and database ports SGC202 and SGC203
#   report. Services reachable from the whole internet should be the ones
#   meant to be public; admit the others from the ranges or groups that use
#   them. One finding per rule; a rule open on every port is SGC201's, and a
#   rule SGC202 or SGC203 reports is not reported again here. A load
#   balancer's rules are not reported: a port it opens reaches one of its
#   listeners, which publish what it is for, or nothing.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
#     description: Security group rules
# custom:
#   id: SGC204
#   severity: LOW
#   peers:
#     - checkov CKV_AWS_260
#     - Trivy AWS-0107
#     - KICS 4728cd65-a20c-49da-8b31-9c08b423e4db
package sgcheck.rules.sgc204

import data.sgcheck.lib

web := {80, 443}

findings contains f if {
	some pair in lib.open_rules
	[att, r] := pair
	r.direction == "ingress"
	r.protocol in {"tcp", "udp"}
	lib.determined(r)
	not all_ports(r)
	not lib.world_open_by_design(att, r)
	not lib.load_balancer(att)
	not only_reported_elsewhere(att, r)
	not more_severe(att, r)
	peers := lib.block_peers(r)
	r.peer == peers[0]
	msg := sprintf("%s admits %s %s from %s", [r.rule, r.protocol, ports(r), concat(", ", peers)])
	f := lib.rule_finding(att, r, msg, object.union({"from_port": r.from_port, "to_port": r.to_port}, lib.block_facts(peers)))
}


all_ports(r) if {
	r.from_port <= 0
	r.to_port >= 65535
}

ports(r) := sprintf("port %d", [r.from_port]) if r.from_port == r.to_port

ports(r) := sprintf("ports %d-%d", [r.from_port, r.to_port]) if r.from_port != r.to_port

# only_reported_elsewhere holds for a rule whose every port is a web port or
# a port SGC202/SGC203 reports for this attachment. A single web port, the
# common case, is decided without the loop.
only_reported_elsewhere(_, r) if {
	r.protocol == "tcp"
	r.from_port == r.to_port
	web[r.from_port]
}

only_reported_elsewhere(att, r) if {
	r.to_port - r.from_port < 16
	every p in numbers.range(r.from_port, r.to_port) {
		elsewhere(att, r, p)
	}
}

elsewhere(_, r, p) if {
	r.protocol == "tcp"
	web[p]
}

elsewhere(att, r, p) if {
	r.protocol == "tcp"
	some x in att.exposed
	x.port == p
	r.rule in x.rules
}

# more_severe holds for a rule that SGC202 or SGC203 reports already.
more_severe(att, r) if {
	some x in att.exposed
	r.rule in x.rules
}
