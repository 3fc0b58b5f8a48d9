package sgcheck.rules.sgc104_test

import data.sgcheck.rules.sgc104

entry(over) := object.union({
	"entry": "aws_network_acl.a.ingress[0]", "number": 100, "direction": "ingress", "action": "allow",
	"protocol": "all", "cidr": "0.0.0.0/0", "open": true,
}, over)

doc(entries) := {"nacls": [{"name": "aws_network_acl.a", "default": false, "subnets": [], "entries": entries}]}

# §7: a NACL that only allows all traffic is AWS's default state: quiet.
test_default_pattern_quiet if {
	count(sgc104.findings) == 0 with input as doc([
		entry({}), entry({"number": 101, "cidr": "::/0"}),
		entry({"direction": "egress"}), entry({"number": 101, "direction": "egress", "cidr": "::/0"}),
	])
}

# A NACL written to filter that still allows everything in from the world.
test_filtering_nacl_with_allow_all if {
	fs := sgc104.findings with input as doc([
		entry({}),
		entry({"number": 110, "direction": "egress", "protocol": "tcp", "from_port": 443, "to_port": 443}),
	])
	count(fs) == 1
}

test_all_tcp_ports if {
	some f in sgc104.findings with input as doc([entry({"protocol": "tcp", "from_port": 0, "to_port": 65535})])
	contains(f.message, "every tcp port")
}

test_shadowed_or_narrow_quiet if {
	count(sgc104.findings) == 0 with input as doc([entry({"protocol": "tcp", "from_port": 0, "to_port": 65535, "shadowed_by": 10})])
	count(sgc104.findings) == 0 with input as doc([entry({"protocol": "tcp", "from_port": 0, "to_port": 65535, "cidr": "10.0.0.0/8", "open": false})])
}
