package sgcheck.rules.sgc004_test

import data.sgcheck.rules.sgc004

rule(over) := object.union({
	"rule": "aws_security_group.web.ingress[0]", "group": "aws_security_group.web",
	"direction": "ingress", "protocol": "tcp", "from_port": 443, "to_port": 443,
	"peer": "0.0.0.0/0", "family": "ipv4", "open": true, "tracked": true,
	"reason": "automatically-tracked", "masked_reverse_rule": "aws_security_group.web.egress[0]",
	"timeout_seconds": 350, "timeout_source": "aws-documented",
	"location": {"file": "main.tf", "start_line": 1, "end_line": 5},
}, over)

doc(att, r) := {"attachments": [object.union({"name": "aws_instance.web", "rules": [r]}, att)]}

test_nlb_target if {
	some f in sgc004.findings with input as doc({"auto_tracked": "network-load-balancer"}, rule({}))
	f.facts.window_seconds == 350
	f.facts.auto_tracked == "network-load-balancer"
}

test_plain_instance_is_quiet if {
	count(sgc004.findings) == 0 with input as doc({}, object.remove(rule({"reason": "open-with-open-reverse", "tracked": false}), ["masked_reverse_rule"]))
}

test_tracked_anyway_is_quiet if {
	count(sgc004.findings) == 0 with input as doc({"auto_tracked": "nat-gateway"}, object.remove(rule({"reason": "peer-not-open", "peer": "10.0.0.0/8"}), ["masked_reverse_rule"]))
}

# §3 by route: a NAT gateway route tracks what the rules leave untracked.
test_routed_through_nat if {
	r := object.union(object.remove(rule({"direction": "egress", "reason": "automatically-tracked"}), []),
		{"routed_tracked": ["0.0.0.0/0 via route 0.0.0.0/0 → aws_nat_gateway.nat (nat-gateway)"]})
	some f in sgc004.findings with input as doc({}, r)
	contains(f.message, "aws_nat_gateway.nat")
}

test_partly_routed_untracked if {
	r := object.union(object.remove(rule({"reason": "open-with-open-reverse", "tracked": false}), ["masked_reverse_rule"]),
		{"reverse_rule": "aws_security_group.web.egress[0]", "routed_tracked": ["10.0.0.0/8 via route 10.0.0.0/8 → tgw-1 (transit-gateway)"]})
	count(sgc004.findings) == 1 with input as doc({}, r)
}

# §3: an NLB's target is tracked for the connections the load balancer
# forwards (auto_tracked_ports); SSH straight to it, on a port it does not
# forward, is not reported as tracked by the load balancer.
test_nlb_target_forwarded_port if {
	some f in sgc004.findings with input as doc({"auto_tracked": "network-load-balancer", "auto_tracked_ports": [443]}, rule({}))
	contains(f.message, "(network-load-balancer, for the connections it forwards to port 443)")
}

test_nlb_target_other_port_is_quiet if {
	count(sgc004.findings) == 0 with input as doc(
		{"auto_tracked": "network-load-balancer", "auto_tracked_ports": [443, 8080]},
		rule({"from_port": 22, "to_port": 22}),
	)
}

test_nlb_target_egress_is_quiet if {
	count(sgc004.findings) == 0 with input as doc(
		{"auto_tracked": "network-load-balancer", "auto_tracked_ports": [443]},
		rule({"direction": "egress"}),
	)
}

# A route that tracks connections still counts on a port the load balancer
# does not forward.
test_nlb_target_other_port_routed if {
	r := object.union(object.remove(rule({"from_port": 22, "to_port": 22, "reason": "open-with-open-reverse", "tracked": false}), ["masked_reverse_rule"]),
		{"reverse_rule": "aws_security_group.web.egress[0]", "routed_tracked": ["10.0.0.0/8 via route 10.0.0.0/8 → tgw-1 (transit-gateway)"]})
	some f in sgc004.findings with input as doc({"auto_tracked": "network-load-balancer", "auto_tracked_ports": [443]}, r)
	contains(f.message, "tgw-1")
}

test_nlb_target_rule_beyond_forwarded_ports_is_quiet if {
	count(sgc004.findings) == 0 with input as doc(
		{"auto_tracked": "network-load-balancer", "auto_tracked_ports": [443]},
		rule({"from_port": 0, "to_port": 65535}),
	)
}
