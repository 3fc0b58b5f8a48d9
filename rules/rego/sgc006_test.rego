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

# Protocol-all rules and port ranges that merely contain an admin port are
# not this check's: they are not admin access a team plans to revoke.
test_ranges_and_all_traffic_are_quiet if {
	count(sgc006.findings) == 0 with input as doc(rule({"protocol": "all", "from_port": 0, "to_port": 65535}))
	count(sgc006.findings) == 0 with input as doc(rule({"from_port": 1025, "to_port": 65535}))
	count(sgc006.findings) == 0 with input as doc(rule({"peer_kind": "self", "peer": "self"}))
	count(sgc006.findings) == 0 with input as doc(rule({"peer_kind": "security-group", "peer": "aws_security_group.jump"}))
}

# §4: the timeout can be set on instances' interfaces, not on RDS's.
test_remedy_fits_the_attachment if {
	some f in sgc006.findings with input as {"attachments": [{"name": "aws_instance.bastion", "kind": "aws_instance", "rules": [rule({})]}]}
	contains(f.message, "Lower tcp_established_timeout on the interfaces")
	some g in sgc006.findings with input as {"attachments": [{"name": "aws_db_instance.db", "kind": "aws_db_instance", "rules": [rule({"from_port": 3306, "to_port": 3306})]}]}
	contains(g.message, "The timeout of aws_db_instance.db's interfaces cannot be set: plan revocations with a network ACL deny")
	some h in sgc006.findings with input as {"attachments": [{"name": "g", "kind": "group", "assumed": true, "rules": [rule({})]}]}
	contains(h.message, "No attachment of this group is in the input")
	some i in sgc006.findings with input as {"attachments": [{"name": "awscc_ec2_network_interface.eni", "kind": "awscc_ec2_network_interface", "rules": [rule({})]}]}
	contains(i.message, "Lower tcp_established_timeout on the interfaces")
}

# One finding for a rule block's IPv4 and IPv6 ranges, naming both.
test_one_finding_for_both_families if {
	fs := sgc006.findings with input as {"attachments": [{"name": "i", "kind": "aws_instance", "rules": [
		rule({"narrow_peers": ["10.0.0.0/16", "2001:db8::/64"], "peer": "10.0.0.0/16"}),
		rule({"narrow_peers": ["10.0.0.0/16", "2001:db8::/64"], "peer": "2001:db8::/64", "family": "ipv6"}),
	]}]}
	count({f.facts | some f in fs}) == 1
	some f in fs
	contains(f.message, "from 10.0.0.0/16, 2001:db8::/64")
}

# An Application Load Balancer speaks HTTP and HTTPS only (Elastic Load
# Balancing, "Listeners for your Application Load Balancers"): port 22 on
# it is not an SSH session. A Network Load Balancer with the rule is
# reported.
test_application_load_balancer_has_no_admin_sessions if {
	alb := {"name": "aws_lb.front", "kind": "aws_lb", "http_only": true, "rules": [rule({})]}
	count(sgc006.findings) == 0 with input as {"attachments": [alb]}
	count(sgc006.findings) == 1 with input as {"attachments": [object.remove(alb, ["http_only"])]}
}
