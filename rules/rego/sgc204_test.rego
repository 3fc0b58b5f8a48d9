package sgcheck.rules.sgc204_test

import data.sgcheck.rules.sgc204

rule(over) := object.union({
	"rule": "aws_security_group.web.ingress[0]", "group": "aws_security_group.web",
	"direction": "ingress", "protocol": "tcp", "from_port": 8080, "to_port": 8080,
	"peer": "0.0.0.0/0", "family": "ipv4", "open": true, "tracked": true, "reason": "no-open-reverse",
	"location": {"file": "main.tf", "start_line": 1, "end_line": 5},
}, over)

doc(r, exposed) := {"attachments": [{"name": "aws_instance.web", "rules": [r], "exposed": exposed}]}

test_other_port if {
	some f in sgc204.findings with input as doc(rule({}), [])
	f.message == "aws_security_group.web.ingress[0] admits tcp port 8080 from 0.0.0.0/0"
}

test_udp_range if {
	some f in sgc204.findings with input as doc(rule({"protocol": "udp", "from_port": 500, "to_port": 4500, "peer": "::/0", "family": "ipv6"}), [])
	contains(f.message, "udp ports 500-4500 from ::/0")
}

# Web ports are what public servers are for; SGC202/203 ports are theirs;
# all ports are SGC201's; narrow peers are not the world.
test_quiet if {
	count(sgc204.findings) == 0 with input as doc(rule({"from_port": 443, "to_port": 443}), [])
	count(sgc204.findings) == 0 with input as doc(rule({"from_port": 80, "to_port": 80}), [])
	count(sgc204.findings) == 0 with input as doc(rule({"from_port": 22, "to_port": 22}), [{"port": 22, "rules": ["aws_security_group.web.ingress[0]"]}])
	count(sgc204.findings) == 0 with input as doc(rule({"from_port": 0, "to_port": 65535}), [])
	count(sgc204.findings) == 0 with input as doc(rule({"peer": "10.0.0.0/8", "open": false}), [])
}

test_rule_with_sensitive_port_is_sgc203s if {
	count(sgc204.findings) == 0 with input as doc(rule({"from_port": 443, "to_port": 445}), [{"port": 445, "rules": ["aws_security_group.web.ingress[0]"]}])
}

# One block open to both families (cidr_blocks and ipv6_cidr_blocks) is one
# finding naming both ranges; peer stays the first, peers lists both.
test_both_families_one_finding if {
	both := ["0.0.0.0/0", "::/0"]
	v6 := rule({"peer": "::/0", "family": "ipv6", "open_peers": both})
	fs := sgc204.findings with input as {"attachments": [{"name": "aws_instance.web", "rules": [v6, rule({"open_peers": both})], "exposed": []}]}
	count(fs) == 1
	some f in fs
	f.message == "aws_security_group.web.ingress[0] admits tcp port 8080 from 0.0.0.0/0, ::/0"
	f.facts.peer == "0.0.0.0/0"
	f.facts.peers == ["0.0.0.0/0", "::/0"]
}

# Route 53 Resolver endpoints: AWS asks for DNS (and, on outbound
# endpoints, every port) open to all addresses.
test_resolver_endpoint_is_by_design if {
	count(sgc204.findings) == 0 with input as {"attachments": [{
		"name": "aws_route53_resolver_endpoint.in", "kind": "aws_route53_resolver_endpoint",
		"rules": [rule({"protocol": "udp", "from_port": 53, "to_port": 53})], "exposed": [],
	}]}
}

# A load balancer forwards its listener ports only: a port it opens to the
# world reaches the service it publishes, or nothing. An Application Load
# Balancer speaks HTTP and HTTPS only (Elastic Load Balancing, "Listeners
# for your Application Load Balancers"); a Network or Classic Load
# Balancer's listener on a port is that port's service, published.
test_load_balancers_quiet if {
	every kind in ["aws_lb", "aws_alb", "aws_elb"] {
		lb := {"name": "aws_lb.front", "kind": kind, "exposed": [], "rules": [
			rule({"from_port": 8443, "to_port": 8443}),
			rule({"rule": "aws_security_group.web.ingress[1]", "protocol": "udp", "from_port": 80, "to_port": 84}),
		]}
		count(sgc204.findings) == 0 with input as {"attachments": [lb]}
	}
}

# The same rules on an instance are reported.
test_instance_reported if {
	count(sgc204.findings) == 2 with input as {"attachments": [{"name": "aws_instance.web", "kind": "aws_instance", "exposed": [], "rules": [
		rule({"from_port": 8443, "to_port": 8443}),
		rule({"rule": "aws_security_group.web.ingress[1]", "protocol": "udp", "from_port": 80, "to_port": 84}),
	]}]}
}
