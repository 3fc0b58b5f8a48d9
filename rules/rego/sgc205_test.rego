package sgcheck.rules.sgc205_test

import data.sgcheck.rules.sgc205

rule(name, over) := object.union({
	"rule": name, "group": "aws_default_security_group.default", "direction": "ingress", "protocol": "all",
	"peer": "self", "peer_kind": "self", "default_group": true,
	"location": {"file": "main.tf", "start_line": 1, "end_line": 5},
}, over)

# One finding per default group, naming its rules.
test_default_group_with_rules if {
	fs := sgc205.findings with input as {"attachments": [{"name": "g", "rules": [
		rule("aws_default_security_group.default.ingress[0]", {}),
		rule("aws_default_security_group.default.egress[0]", {"direction": "egress"}),
	]}]}
	count(fs) == 1
	some f in fs
	f.facts.rules == ["aws_default_security_group.default.egress[0]", "aws_default_security_group.default.ingress[0]"]
}

test_other_groups_quiet if {
	count(sgc205.findings) == 0 with input as {"attachments": [{"name": "g", "rules": [
		object.remove(rule("aws_security_group.web.ingress[0]", {"group": "aws_security_group.web"}), ["default_group"]),
	]}]}
}
