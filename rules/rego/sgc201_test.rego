package sgcheck.rules.sgc201_test

import data.sgcheck.rules.sgc201
import data.sgcheck.rules.sgc202

rule(over) := object.union({
	"rule": "aws_security_group.web.ingress[0]", "group": "aws_security_group.web",
	"direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
	"peer": "0.0.0.0/0", "family": "ipv4", "open": true, "tracked": false, "reason": "open-with-open-reverse",
	"location": {"file": "main.tf", "start_line": 1, "end_line": 5},
}, over)

doc(r) := {"attachments": [{"name": "aws_instance.web", "rules": [r]}]}

test_ssh_from_world if {
	some f in sgc202.findings with input as doc(rule({}))
	f.facts.service == "SSH"
}

test_rdp_in_range if {
	some f in sgc202.findings with input as doc(rule({"from_port": 3000, "to_port": 4000}))
	f.facts.port == 3389
}

test_ssh_from_office_is_quiet if {
	count(sgc202.findings) == 0 with input as doc(rule({"peer": "198.51.100.0/24", "open": false}))
}

test_all_traffic_is_all_ports if {
	count(sgc201.findings) == 1 with input as doc(rule({"protocol": "all", "from_port": 0, "to_port": 65535}))
	count(sgc202.findings) == 0 with input as doc(rule({"protocol": "all", "from_port": 0, "to_port": 65535}))
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
	count(sgc202.findings) == 0 with input as doc(r)
}
