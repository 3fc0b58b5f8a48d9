package sgcheck.rules.sgc105_test

import data.sgcheck.rules.sgc105

entry(over) := object.union({
	"entry": "aws_network_acl.a.ingress[0]", "number": 100, "direction": "ingress", "action": "allow",
	"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "0.0.0.0/0", "open": true,
	"location": {"file": "main.tf", "start_line": 3, "end_line": 10},
}, over)

doc(entries) := {"nacls": [{"name": "aws_network_acl.a", "default": false, "subnets": [], "entries": entries}]}

# docs/aws-semantics.md §7 (entries ordered by rule number) and the EC2 API
# Reference, CreateNetworkAclEntry: one numbered set of entries per
# direction; the second entry with a number is the one reported, naming the
# first.
test_repeated_number if {
	fs := sgc105.findings with input as doc([
		entry({}),
		entry({"entry": "aws_network_acl_rule.b", "action": "deny", "duplicate_of": "aws_network_acl.a.ingress[0]",
			"location": {"file": "rules.tf", "start_line": 1, "end_line": 9}}),
	])
	count(fs) == 1
	some f in fs
	f.rule == "aws_network_acl_rule.b"
	contains(f.message, "ingress entries aws_network_acl.a.ingress[0] and aws_network_acl_rule.b both have rule number 100: AWS keeps one ingress entry per number")
	f.location.file == "rules.tf"
	f.related[0].location.file == "main.tf"
	f.facts == {"nacl": "aws_network_acl.a", "direction": "ingress", "number": 100, "first": "aws_network_acl.a.ingress[0]"}
}

# Numbers repeat across directions, and distinct numbers: quiet.
test_quiet if {
	count(sgc105.findings) == 0 with input as doc([entry({}), entry({"entry": "aws_network_acl.a.egress[0]", "direction": "egress"})])
	count(sgc105.findings) == 0 with input as doc([entry({}), entry({"entry": "aws_network_acl.a.ingress[1]", "number": 110})])
}
