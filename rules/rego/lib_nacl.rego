# Helpers for the network ACL checks.
package sgcheck.lib

# all_ports holds for an entry that admits every port of TCP or UDP, or
# every protocol.
nacl_all_ports(e) if e.protocol == "all"

nacl_all_ports(e) if {
	e.protocol in {"tcp", "udp"}
	e.from_port == 0
	e.to_port == 65535
}

# ephemeral is an entry for return traffic: clients' ports up to 65535.
nacl_ephemeral(e) if {
	e.from_port >= 1024
	e.to_port == 65535
}

# denied_before holds when a lower-numbered deny entry of the same
# direction matches every address of e for protocol p and port port: the
# first match wins, so e never admits that port (docs/aws-semantics.md §7).
nacl_denied_before(n, e, p, port) if {
	some d in n.entries
	d.direction == e.direction
	d.action == "deny"
	d.number < e.number
	d.cidr == e.cidr
	nacl_covers(d, p, port)
}

nacl_covers(d, _, _) if d.protocol == "all"

nacl_covers(d, p, port) if {
	d.protocol == p
	d.from_port <= port
	port <= d.to_port
}

# default_pattern holds for a NACL whose every entry allows all traffic to
# or from the whole address family: AWS's default network ACL, and the
# state most modules give a NACL they create.
nacl_default_pattern(n) if {
	count(n.entries) > 0
	every e in n.entries {
		e.action == "allow"
		e.protocol == "all"
		e.open
	}
}
