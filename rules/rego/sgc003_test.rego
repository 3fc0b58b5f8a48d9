package sgcheck.rules.sgc003_test

import data.sgcheck.rules.sgc003

rule(over) := object.union({
	"rule": "aws_security_group.web.ingress[0]", "group": "aws_security_group.web",
	"direction": "ingress", "protocol": "icmp", "icmp_type": -1, "icmp_code": -1,
	"peer": "0.0.0.0/0", "family": "ipv4", "open": true, "tracked": true,
	"reason": "icmp-always-tracked", "location": {"file": "main.tf", "start_line": 1, "end_line": 5},
}, over)

doc(r) := {"params": {"icmp_idle_timeout": 60}, "attachments": [{"name": "aws_instance.web", "rules": [r]}]}

test_icmp_from_anywhere if {
	some f in sgc003.findings with input as doc(rule({}))
	f.facts.window_seconds == 60
	f.rule == "aws_security_group.web.ingress[0]"
}

test_icmpv6_from_anywhere if {
	some f in sgc003.findings with input as doc(rule({"protocol": "icmpv6", "peer": "::/0", "family": "ipv6"}))
	f.facts.protocol == "icmpv6"
}

test_all_traffic_counts if {
	count(sgc003.findings) == 1 with input as doc(rule({"protocol": "all", "from_port": 0, "to_port": 65535}))
}

test_narrow_peer_is_quiet if {
	count(sgc003.findings) == 0 with input as doc(rule({"peer": "10.0.0.0/8", "open": false}))
}

test_egress_is_quiet if {
	count(sgc003.findings) == 0 with input as doc(rule({"direction": "egress"}))
}

test_tcp_is_quiet if {
	count(sgc003.findings) == 0 with input as doc(rule({"protocol": "tcp", "from_port": 22, "to_port": 22}))
}

test_icmp_with_ipv6_range_is_quiet if {
	count(sgc003.findings) == 0 with input as doc(rule({"peer": "::/0", "family": "ipv6"}))
}

# An all-traffic block open to both families is one finding naming both
# ranges.
test_all_traffic_both_families_one_finding if {
	both := ["0.0.0.0/0", "::/0"]
	v4 := rule({"protocol": "all", "open_peers": both})
	v6 := rule({"protocol": "all", "peer": "::/0", "family": "ipv6", "open_peers": both})
	fs := sgc003.findings with input as {"params": {"icmp_idle_timeout": 60}, "attachments": [{"name": "aws_instance.web", "rules": [v6, v4]}]}
	count(fs) == 1
	some f in fs
	contains(f.message, "admits all traffic (ICMP included) from 0.0.0.0/0, ::/0;")
	f.facts.protocol == "icmp"
}

# docs/aws-semantics.md §2.5-2.6: what survives a revocation is a running
# ping, which starts with an echo request (type 8; ICMPv6 128): a rule for it is
# reported, a rule for error messages only (path MTU discovery's type 3
# code 4, which admits no ping) or for another query type is not.
test_echo_request_rule_counts if {
	count(sgc003.findings) == 1 with input as doc(rule({"icmp_type": 8, "icmp_code": -1}))
	count(sgc003.findings) == 1 with input as doc(rule({"icmp_type": 8, "icmp_code": 0}))
	count(sgc003.findings) == 1 with input as doc(rule({"protocol": "icmpv6", "peer": "::/0", "family": "ipv6", "icmp_type": 128}))
}

test_rule_admitting_no_echo_request_is_quiet if {
	count(sgc003.findings) == 0 with input as doc(rule({"icmp_type": 3, "icmp_code": 4}))
	count(sgc003.findings) == 0 with input as doc(rule({"icmp_type": 3, "icmp_code": -1}))
	count(sgc003.findings) == 0 with input as doc(rule({"icmp_type": 0}))
	count(sgc003.findings) == 0 with input as doc(rule({"icmp_type": 8, "icmp_code": 1}))
	count(sgc003.findings) == 0 with input as doc(rule({"protocol": "icmpv6", "peer": "::/0", "family": "ipv6", "icmp_type": 2}))
	count(sgc003.findings) == 0 with input as doc(rule({"protocol": "icmpv6", "peer": "::/0", "family": "ipv6", "icmp_type": 8}))
}
