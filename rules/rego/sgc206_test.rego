package sgcheck.rules.sgc206_test

import data.sgcheck.rules.sgc206
import data.sgcheck.rules.sgc207

rule(over) := object.union({
	"rule": "aws_security_group.web.egress[0]", "group": "aws_security_group.web",
	"direction": "egress", "protocol": "all", "peer": "0.0.0.0/0", "family": "ipv4", "open": true,
	"location": {"file": "main.tf", "start_line": 1, "end_line": 5},
}, over)

doc(r) := {"attachments": [{"name": "aws_instance.web", "rules": [r]}]}

test_egress_to_world if {
	some f in sgc206.findings with input as doc(rule({}))
	f.message == "aws_security_group.web.egress[0] admits all traffic to 0.0.0.0/0"
}

test_narrow_egress_quiet if {
	count(sgc206.findings) == 0 with input as doc(rule({"peer": "10.0.0.0/8", "open": false}))
	count(sgc206.findings) == 0 with input as doc(rule({"direction": "ingress"}))
}

test_description if {
	count(sgc207.findings) == 1 with input as doc(rule({}))
	count(sgc207.findings) == 0 with input as doc(rule({"description": "to the internet"}))
}
