package sgcheck.rules.sgc103_test

import data.sgcheck.rules.sgc103

# The exposures themselves (first match, split halves, return traffic) are
# worked out in Go: analyzer/naclexposure_test.go.
exposure(over) := object.union({
	"kind": "ports", "family": "ipv4", "ports": [22, 3389], "services": ["SSH", "RDP"],
	"entries": ["aws_network_acl.a.ingress[0]"], "numbers": [100], "cidrs": ["0.0.0.0/0"],
}, over)

doc(xs) := {"nacls": [{"name": "aws_network_acl.a", "default": false, "subnets": [], "entries": [], "exposed": xs}]}

# One cause, one finding, naming every service it admits.
test_one_finding_per_cause if {
	fs := sgc103.findings with input as doc([exposure({})])
	count(fs) == 1
	some f in fs
	f.facts.ports == [22, 3389]
	f.message == "aws_network_acl.a ingress entry 100 allows SSH (tcp 22), RDP (tcp 3389) from 0.0.0.0/0"
}

test_split_entries_named if {
	some f in sgc103.findings with input as doc([exposure({
		"ports": [22], "services": ["SSH"], "numbers": [100, 110],
		"entries": ["aws_network_acl.a.ingress[0]", "aws_network_acl.a.ingress[1]"], "cidrs": ["0.0.0.0/1", "128.0.0.0/1"],
	})])
	f.message == "aws_network_acl.a ingress entries 100, 110 allow SSH (tcp 22) from 0.0.0.0/1, 128.0.0.0/1, which add up to every IPv4 address"
	f.facts.numbers == [100, 110]
}

# Exposures of every port are SGC104's.
test_all_kind_quiet if {
	count(sgc103.findings) == 0 with input as doc([exposure({"kind": "all", "protocols": ["tcp"]})])
}
