package sgcheck.rules.sgc201_test

import data.sgcheck.rules.sgc201

rule(over) := object.union({
	"rule": "aws_security_group.web.ingress[0]", "group": "aws_security_group.web",
	"direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
	"peer": "0.0.0.0/0", "family": "ipv4", "open": true, "tracked": false, "reason": "open-with-open-reverse",
	"location": {"file": "main.tf", "start_line": 1, "end_line": 5},
}, over)

doc(r) := {"attachments": [{"name": "aws_instance.web", "rules": [r]}]}

test_all_traffic_is_all_ports if {
	count(sgc201.findings) == 1 with input as doc(rule({"protocol": "all", "from_port": 0, "to_port": 65535}))
}

test_full_tcp_range if {
	count(sgc201.findings) == 1 with input as doc(rule({"from_port": 0, "to_port": 65535}))
}

test_egress_is_quiet if {
	count(sgc201.findings) == 0 with input as doc(rule({"direction": "egress", "protocol": "all"}))
}

# A rule whose ports or protocol the input does not determine is never a
# definite finding.
test_undetermined_ports_are_quiet if {
	r := rule({"protocol": "all", "from_port": 0, "to_port": 65535, "unknown": ["from_port depends on var.p, which has no default or value"]})
	count(sgc201.findings) == 0 with input as doc(r)
}

# Split halves that add up to the world on every port.
test_split_all_ports if {
	x := {"port": 0, "service": "every port", "class": "all-ports", "family": "ipv4", "rules": ["r.a", "r.b"],
		"group": "g", "peers": ["0.0.0.0/1", "128.0.0.0/1"], "location": {"file": "main.tf", "start_line": 1, "end_line": 2}}
	some f in sgc201.findings with input as {"attachments": [{"name": "i", "rules": [], "exposed": [x]}]}
	contains(f.message, "r.a, r.b together admit every port from 0.0.0.0/1, 128.0.0.0/1")
}

# One block open to both families is one finding naming both ranges, even
# when its rules differ in tracking.
test_both_families_one_finding if {
	both := ["0.0.0.0/0", "::/0"]
	v4 := rule({"protocol": "all", "from_port": 0, "to_port": 65535, "open_peers": both})
	v6 := rule({"protocol": "all", "from_port": 0, "to_port": 65535, "peer": "::/0", "family": "ipv6", "tracked": true, "reason": "no-open-reverse", "open_peers": both})
	fs := sgc201.findings with input as {"attachments": [{"name": "aws_instance.web", "rules": [v6, v4]}]}
	count(fs) == 1
	some f in fs
	contains(f.message, "admits all traffic from 0.0.0.0/0, ::/0: every port")
}

# Route 53 Resolver endpoints: AWS asks for TCP and UDP open to all
# addresses (untracked DNS flows; private addresses only).
test_resolver_endpoint_tcp_udp_is_by_design if {
	resolver := {"name": "aws_route53_resolver_endpoint.out", "kind": "aws_route53_resolver_endpoint"}
	count(sgc201.findings) == 0 with input as {"attachments": [object.union(resolver, {"rules": [rule({"from_port": 0, "to_port": 65535})]})]}
	count(sgc201.findings) == 0 with input as {"attachments": [object.union(resolver, {"rules": [rule({"protocol": "udp", "from_port": 0, "to_port": 65535})]})]}

	# all traffic is more than AWS asks for
	count(sgc201.findings) == 1 with input as {"attachments": [object.union(resolver, {"rules": [rule({"protocol": "all", "from_port": 0, "to_port": 65535})]})]}
}
