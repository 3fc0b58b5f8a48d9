package sgcheck.rules.sgc101_test

import data.sgcheck.rules.sgc101

rule(over) := object.union({
	"rule": "aws_security_group.web.ingress[0]", "group": "aws_security_group.web",
	"direction": "ingress", "protocol": "tcp", "from_port": 443, "to_port": 443,
	"peer": "0.0.0.0/0", "family": "ipv4", "open": true, "tracked": true, "reason": "no-open-reverse",
	"nacl": "aws_network_acl.public", "nacl_sample": "198.51.100.10",
	"nacl_blocked_response_ports": [32768, 49152],
	"location": {"file": "main.tf", "start_line": 1, "end_line": 5},
}, over)

doc(r) := {"attachments": [{"name": "aws_instance.web", "rules": [r]}]}

test_blocked_responses if {
	some f in sgc101.findings with input as doc(rule({}))
	f.facts.blocked_ports == [32768, 49152]
	contains(f.message, "egress direction of aws_network_acl.public")
}

test_responses_allowed_is_quiet if {
	count(sgc101.findings) == 0 with input as doc(object.remove(rule({}), ["nacl_blocked_response_ports"]))
}

test_request_denied_is_quiet if {
	count(sgc101.findings) == 0 with input as doc(rule({"nacl_request_denied": "entry 50 denies it"}))
}
