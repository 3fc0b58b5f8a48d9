package sgcheck.rules.sgc202_test

import data.sgcheck.rules.sgc202
import data.sgcheck.rules.sgc203

exposed(over) := object.union({
	"port": 22, "service": "SSH", "class": "admin", "family": "ipv4",
	"rules": ["aws_security_group.web.ingress[0]"], "group": "aws_security_group.web", "peers": ["0.0.0.0/0"],
	"location": {"file": "main.tf", "start_line": 1, "end_line": 5},
}, over)

doc(xs) := {"attachments": [{"name": "aws_instance.web", "rules": [], "exposed": xs}]}

test_one_finding_names_every_port if {
	fs := sgc202.findings with input as doc([exposed({}), exposed({"port": 3389, "service": "RDP"})])
	count(fs) == 1
	some f in fs
	f.message == "aws_security_group.web.ingress[0] admits SSH (tcp 22), RDP (tcp 3389) from 0.0.0.0/0"
	f.facts.ports == [22, 3389]
}

# Split ranges that add up to the whole family are the world too.
test_split_ranges if {
	x := exposed({"rules": ["r.a", "r.b"], "peers": ["0.0.0.0/1", "128.0.0.0/1"],
		"related": [{"message": "r.b", "location": {"file": "main.tf", "start_line": 7, "end_line": 9}}]})
	some f in sgc202.findings with input as doc([x])
	contains(f.message, "r.a, r.b together admit SSH (tcp 22) from 0.0.0.0/1, 128.0.0.0/1, which add up to every IPv4 address")
	count(f.related) == 1
}

test_database_is_sgc203 if {
	x := exposed({"port": 3306, "service": "MySQL", "class": "sensitive"})
	count(sgc202.findings) == 0 with input as doc([x])
	some f in sgc203.findings with input as doc([x])
	contains(f.message, "MySQL (tcp 3306)")
}

test_nothing_exposed_is_quiet if {
	count(sgc202.findings) == 0 with input as doc([])
	count(sgc203.findings) == 0 with input as {"attachments": [{"name": "x", "rules": []}]}
}

# One block open to both families: one finding, each port named once, both
# ranges (IPv4 first).
test_both_families_one_finding if {
	v6 := exposed({"family": "ipv6", "peers": ["::/0"]})
	fs := sgc202.findings with input as doc([v6, exposed({})])
	count(fs) == 1
	some f in fs
	f.message == "aws_security_group.web.ingress[0] admits SSH (tcp 22) from 0.0.0.0/0, ::/0"
	f.facts.family == "ipv4+ipv6"
}
