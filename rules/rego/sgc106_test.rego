package sgcheck.rules.sgc106_test

import data.sgcheck.rules.sgc106

loc(file, line) := {"file": file, "start_line": line, "end_line": line + 5}

# docs/aws-semantics.md §7: each subnet is associated with exactly one
# network ACL; two that name it leave it to the last apply.
test_two_nacls if {
	fs := sgc106.findings with input as {"subnets": [{
		"name": "aws_subnet.app", "nacls": ["aws_network_acl.a", "aws_network_acl.b"], "location": loc("net.tf", 1),
		"related": [
			{"message": "aws_network_acl.a", "location": loc("acl.tf", 1)},
			{"message": "aws_network_acl.b", "location": loc("acl.tf", 20)},
		],
	}]}
	count(fs) == 1
	some f in fs
	f.location.file == "net.tf"
	contains(f.message, "aws_subnet.app is associated with 2 network ACLs (aws_network_acl.a, aws_network_acl.b)")
	count(f.related) == 2
}

# A subnet not declared in the input: the finding is at the first network ACL.
test_undeclared_subnet if {
	some f in sgc106.findings with input as {"subnets": [{
		"name": "subnet-0123", "nacls": ["aws_network_acl.a", "aws_network_acl.b"],
		"related": [{"message": "aws_network_acl.a", "location": loc("acl.tf", 1)}, {"message": "aws_network_acl.b", "location": loc("acl.tf", 20)}],
	}]}
	f.location.start_line == 1
}

test_one_nacl_quiet if {
	count(sgc106.findings) == 0 with input as {"subnets": [{"name": "aws_subnet.app", "nacls": ["aws_network_acl.a"]}]}
}
