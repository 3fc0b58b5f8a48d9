# Helpers for the network ACL checks.
package sgcheck.lib

# default_pattern holds for a NACL whose every entry allows all traffic:
# AWS's default network ACL, the state most modules give a NACL they
# create, and a pass-through NACL (transit gateway, inspection and
# firewall subnets) that also allows all traffic from narrower ranges (the
# VPC), which its entries open to the world make redundant. No entry
# there shows an intent to filter.
nacl_default_pattern(n) if {
	count(n.entries) > 0
	every e in n.entries {
		e.action == "allow"
		e.protocol == "all"
	}
}

# nacl_entries_phrase names the entries of an exposure and their verb:
# "NACL ingress entry 100 allows", "NACL ingress entries 100, 110 allow".
nacl_entries_phrase(n, x) := sprintf("%s ingress entry %d allows", [n.name, x.numbers[0]]) if count(x.numbers) == 1

nacl_entries_phrase(n, x) := sprintf("%s ingress entries %s allow", [n.name, concat(", ", [sprintf("%d", [v]) | some v in x.numbers])]) if {
	count(x.numbers) > 1
}

# nacl_peers_phrase names the addresses of an exposure.
nacl_peers_phrase(x) := x.cidrs[0] if count(x.cidrs) == 1

nacl_peers_phrase(x) := sprintf("%s, which add up to every %s address", [concat(", ", x.cidrs), family_word[x.family]]) if {
	count(x.cidrs) > 1
}
