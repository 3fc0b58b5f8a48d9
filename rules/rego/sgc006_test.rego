package sgcheck.rules.sgc006_test

import data.sgcheck.rules.sgc006

rule(over) := object.union({
	"rule": "aws_security_group.bastion.ingress[0]", "group": "aws_security_group.bastion",
	"direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
	"peer": "203.0.113.7/32", "peer_kind": "cidr", "family": "ipv4", "open": false, "tracked": true,
	"reason": "peer-not-open", "timeout_seconds": 432000, "timeout_source": "aws-default",
	"location": {"file": "main.tf", "start_line": 1, "end_line": 5},
}, over)

doc(r) := {"attachments": [{"name": "aws_instance.bastion", "rules": [r]}]}

test_ssh_from_one_address if {
	some f in sgc006.findings with input as doc(rule({}))
	f.facts.services == ["SSH"]
	f.facts.ports == [22]
}

test_declared_timeout_is_quiet if {
	count(sgc006.findings) == 0 with input as doc(rule({"timeout_source": "declared", "timeout_seconds": 3600}))
}

test_untracked_is_quiet if {
	count(sgc006.findings) == 0 with input as doc(rule({"tracked": false, "timeout_seconds": null}))
}

test_database_from_group_is_quiet if {
	count(sgc006.findings) == 0 with input as doc(rule({"from_port": 5432, "to_port": 5432, "peer_kind": "security-group", "peer": "aws_security_group.app"}))
}

test_database_from_cidr if {
	some f in sgc006.findings with input as doc(rule({"from_port": 5432, "to_port": 5432}))
	f.facts.services == ["PostgreSQL"]
}

test_all_ports_is_one_finding_naming_each_service if {
	fs := sgc006.findings with input as doc(rule({"protocol": "all", "from_port": 0, "to_port": 65535}))
	count(fs) == 1
	some f in fs
	count(f.facts.services) == 10
}
