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
