package sgcheck.rules.sgc103_test

import data.sgcheck.rules.sgc103

entry(over) := object.union({
	"entry": "aws_network_acl.a.ingress[0]", "number": 100, "direction": "ingress", "action": "allow",
	"protocol": "tcp", "from_port": 0, "to_port": 3389, "cidr": "0.0.0.0/0", "open": true,
}, over)

doc(entries) := {"nacls": [{"name": "aws_network_acl.a", "default": false, "subnets": [], "entries": entries}]}

# One entry, one finding, naming every service it admits (§7).
test_one_finding_per_entry if {
	fs := sgc103.findings with input as doc([entry({})])
	count(fs) == 1
	some f in fs
	f.facts.ports == [20, 21, 22, 3389]
	contains(f.message, "FTP data (tcp 20), FTP (tcp 21), SSH (tcp 22), RDP (tcp 3389)")
}

# §7: the first match wins, so earlier denies of the same addresses take
# ports back; a deny of only some addresses does not.
test_earlier_deny if {
	fs := sgc103.findings with input as doc([
		entry({"number": 10, "action": "deny", "from_port": 22, "to_port": 22}),
		entry({"number": 20, "action": "deny", "protocol": "all"}),
		entry({"number": 100, "from_port": 22, "to_port": 3389}),
	])
	count(fs) == 0
}

test_partial_deny_keeps_finding if {
	fs := sgc103.findings with input as doc([
		entry({"number": 10, "action": "deny", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/1", "open": false}),
		entry({"number": 100, "from_port": 22, "to_port": 22}),
	])
	count(fs) == 1
}

# Allow-all entries are SGC104's; return traffic and narrow peers are quiet.
test_quiet if {
	count(sgc103.findings) == 0 with input as doc([entry({"protocol": "all"})])
	count(sgc103.findings) == 0 with input as doc([entry({"from_port": 0, "to_port": 65535})])
	count(sgc103.findings) == 0 with input as doc([entry({"from_port": 1024, "to_port": 65535})])
	count(sgc103.findings) == 0 with input as doc([entry({"cidr": "10.0.0.0/8", "open": false})])
	count(sgc103.findings) == 0 with input as doc([entry({"direction": "egress"})])
}

test_ipv6 if {
	count(sgc103.findings) == 1 with input as doc([entry({"cidr": "::/0", "from_port": 22, "to_port": 22})])
}
