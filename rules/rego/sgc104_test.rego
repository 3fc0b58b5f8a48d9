package sgcheck.rules.sgc104_test

import data.sgcheck.rules.sgc104

entry(over) := object.union({
	"entry": "aws_network_acl.a.ingress[0]", "number": 100, "direction": "ingress", "action": "allow",
	"protocol": "all", "cidr": "0.0.0.0/0", "open": true,
}, over)

exposure(over) := object.union({
	"kind": "all", "family": "ipv4", "protocols": ["tcp", "udp"], "all_traffic": true,
	"entries": ["aws_network_acl.a.ingress[0]"], "numbers": [100], "cidrs": ["0.0.0.0/0"],
}, over)

doc(entries, xs) := {"nacls": [{"name": "aws_network_acl.a", "default": false, "subnets": [], "entries": entries, "exposed": xs}]}

# §7: a NACL that only allows all traffic is AWS's default state: quiet.
test_default_pattern_quiet if {
	count(sgc104.findings) == 0 with input as doc(
		[
			entry({}), entry({"number": 101, "cidr": "::/0"}),
			entry({"direction": "egress"}), entry({"number": 101, "direction": "egress", "cidr": "::/0"}),
		],
		[exposure({}), exposure({"family": "ipv6", "numbers": [101], "cidrs": ["::/0"]})],
	)
}

# A pass-through NACL (transit gateway, inspection and firewall subnets):
# every entry allows all traffic, some from narrower ranges (the VPC) that
# the entry open to the world makes redundant; nothing is meant to be
# filtered there: quiet.
test_pass_through_quiet if {
	count(sgc104.findings) == 0 with input as doc(
		[
			entry({"number": 1000, "cidr": "10.20.0.0/19", "open": false}), entry({"number": 5000}),
			entry({"number": 1000, "direction": "egress", "cidr": "10.20.0.0/19", "open": false}),
			entry({"number": 5000, "direction": "egress"}),
		],
		[exposure({"numbers": [5000]})],
	)
}

# A deny shows the NACL is meant to filter, though what it denies is not
# from the world: reported.
test_deny_shows_filtering if {
	count(sgc104.findings) == 1 with input as doc(
		[
			entry({"number": 90, "action": "deny", "cidr": "10.99.0.0/16", "open": false}),
			entry({"number": 1000, "cidr": "10.20.0.0/19", "open": false}), entry({"number": 5000}),
		],
		[exposure({"numbers": [5000]})],
	)
}

# A NACL written to filter that still allows everything in from the world.
test_filtering_nacl_with_allow_all if {
	fs := sgc104.findings with input as doc(
		[entry({}), entry({"number": 110, "direction": "egress", "protocol": "tcp", "from_port": 443, "to_port": 443})],
		[exposure({})],
	)
	count(fs) == 1
	some f in fs
	f.message == "aws_network_acl.a ingress entry 100 allows all traffic from 0.0.0.0/0: the network ACL filters nothing from the internet"
}

test_all_tcp_ports if {
	some f in sgc104.findings with input as doc(
		[entry({"protocol": "tcp", "from_port": 0, "to_port": 65535})],
		[exposure({"protocols": ["tcp"], "all_traffic": false})],
	)
	contains(f.message, "every TCP port")
	endswith(f.message, "the network ACL filters no TCP traffic from the internet")
}

test_ports_kind_quiet if {
	count(sgc104.findings) == 0 with input as doc([entry({"protocol": "tcp"})], [exposure({"kind": "ports"})])
}
