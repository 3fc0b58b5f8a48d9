package sgcheck.rules.sgc005_test

import data.sgcheck.rules.sgc005

rule(over) := object.union({
	"rule": "aws_security_group.front.ingress[0]", "group": "aws_security_group.front",
	"direction": "ingress", "protocol": "tcp", "from_port": 80, "to_port": 80,
	"peer": "0.0.0.0/0", "family": "ipv4", "open": true, "tracked": false,
	"reason": "open-with-open-reverse", "reverse_rule": "aws_security_group.egress_all.egress[0]",
	"reverse_group": "aws_security_group.egress_all",
	"reverse_location": {"file": "main.tf", "start_line": 20, "end_line": 25},
	"location": {"file": "main.tf", "start_line": 1, "end_line": 5},
}, over)

doc(r) := {"attachments": [{"name": "aws_network_interface.both", "rules": [r]}]}

test_reverse_in_other_group if {
	some f in sgc005.findings with input as doc(rule({}))
	f.facts.reverse_group == "aws_security_group.egress_all"
	f.related[0].location.start_line == 20
}

test_reverse_in_same_group_is_quiet if {
	count(sgc005.findings) == 0 with input as doc(rule({"reverse_group": "aws_security_group.front"}))
}

test_tracked_rule_is_quiet if {
	count(sgc005.findings) == 0 with input as doc(object.remove(rule({"tracked": true}), ["reverse_rule", "reverse_group"]))
}

# a narrow rule whose flows an open rule admits untracked (reason
# covered-by-open-rule): the dependency is the open rule's
test_covered_narrow_rule_is_quiet if {
	count(sgc005.findings) == 0 with input as doc(rule({"peer": "203.0.113.0/24", "open": false, "reason": "covered-by-open-rule"}))
}
