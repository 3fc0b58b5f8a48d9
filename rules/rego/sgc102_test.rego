package sgcheck.rules.sgc102_test

import data.sgcheck.rules.sgc102

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

# An egress entry matches traffic to its range, and says so.
test_egress_names_destination if {
	some f in sgc102.findings with input as doc([entry({
		"direction": "egress", "action": "allow", "number": 6011, "cidr": "0.0.0.0/0",
		"shadowed_by": 6010, "shadowed_by_action": "allow",
	})])
	contains(f.message, "egress entry 6011 (allow tcp to 0.0.0.0/0) never applies: entry 6010 (allow)")
}

test_ingress_names_source if {
	some f in sgc102.findings with input as doc([entry({"shadowed_by": 100, "shadowed_by_action": "allow"})])
	contains(f.message, "ingress entry 200 (deny tcp from 203.0.113.7/32)")
}
