package sgcheck.rules.sgc208_test

import data.sgcheck.rules.sgc208

loc(file) := {"file": file, "start_line": 1, "end_line": 9}

test_group_with_both_kinds if {
	fs := sgc208.findings with input as {"groups": [{
		"name": "aws_security_group.web", "location": loc("main.tf"),
		"inline": ["aws_security_group.web.ingress[0]"], "standalone": ["aws_security_group_rule.ssh"],
		"related": [{"message": "aws_security_group_rule.ssh", "location": loc("rules.tf")}],
	}]}
	count(fs) == 1
	some f in fs
	f.facts == {"group": "aws_security_group.web", "standalone": ["aws_security_group_rule.ssh"]}
}

nacl(over) := object.union({
	"name": "aws_network_acl.app", "default": false, "subnets": [], "location": loc("main.tf"),
	"entries": [
		{"entry": "aws_network_acl.app.ingress[0]", "number": 100, "direction": "ingress", "location": loc("main.tf")},
		{"entry": "aws_network_acl_rule.ssh", "number": 110, "direction": "ingress", "location": loc("rules.tf")},
	],
}, over)

# The AWS provider's note on network ACLs and network ACL rules: inline
# entries and aws_network_acl_rule resources on one network ACL overwrite
# each other.
test_nacl_with_both_kinds if {
	fs := sgc208.findings with input as {"nacls": [nacl({"inline": ["aws_network_acl.app.ingress[0]"], "standalone": ["aws_network_acl_rule.ssh"]})]}
	count(fs) == 1
	some f in fs
	f.rule == "aws_network_acl.app"
	contains(f.message, "aws_network_acl.app has inline entries and rule resources (aws_network_acl_rule.ssh)")
	f.related == [{"message": "aws_network_acl_rule.ssh", "location": loc("rules.tf")}]
}

test_one_kind_quiet if {
	count(sgc208.findings) == 0 with input as {"nacls": [nacl({})], "groups": [{"name": "aws_security_group.web"}]}
}
