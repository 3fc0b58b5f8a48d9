package sgcheck.rules.sgc102_test

import data.sgcheck.rules.sgc102
import data.sgcheck.rules.sgc103

entry(over) := object.union({
	"entry": "aws_network_acl.main.ingress[1]", "number": 200, "direction": "ingress", "action": "deny",
	"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "203.0.113.7/32", "open": false,
	"location": {"file": "main.tf", "start_line": 10, "end_line": 17},
}, over)

doc(entries) := {"nacls": [{"name": "aws_network_acl.main", "entries": entries}]}

test_shadowed_deny if {
	some f in sgc102.findings with input as doc([entry({"shadowed_by": 100, "shadowed_by_action": "allow"})])
	contains(f.message, "the traffic this deny was meant to block is allowed")
	f.facts.shadowed_by == 100
}

test_reachable_is_quiet if {
	count(sgc102.findings) == 0 with input as doc([entry({})])
}

test_ssh_from_world if {
	some f in sgc103.findings with input as doc([entry({"action": "allow", "cidr": "0.0.0.0/0", "open": true})])
	f.facts.ports == [22]
}

# an allow-all entry is SGC104's, not one SGC103 finding per port
test_all_protocols_from_world_is_not_sgc103 if {
	count(sgc103.findings) == 0 with input as doc([entry({"action": "allow", "cidr": "::/0", "open": true, "protocol": "all"})])
}

test_shadowed_allow_is_not_sgc103 if {
	count(sgc103.findings) == 0 with input as doc([entry({"action": "allow", "cidr": "0.0.0.0/0", "open": true, "shadowed_by": 50})])
}

test_ephemeral_range_is_not_rdp if {
	count(sgc103.findings) == 0 with input as doc([entry({"action": "allow", "cidr": "0.0.0.0/0", "open": true, "from_port": 1024, "to_port": 65535})])
}
