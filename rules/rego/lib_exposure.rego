# Helpers for the checks of ports exposed to the world (SGC202, SGC203).
package sgcheck.lib

# exposure_findings gives one finding per set of rules that together admit
# ports of a class from a whole address family, naming every such port. A
# rule block open to both families (cidr_blocks and ipv6_cidr_blocks) is
# one finding naming both ranges: the exposures of the same rules are one,
# whichever of them the finding is built from.
exposure_findings(class) := {f |
	some att in input.attachments
	some x in object.get(att, "exposed", [])
	x.class == class
	same := [y | some y in att.exposed; y.class == class; y.rules == x.rules]
	ports := sort({y.port | some y in same})
	names := [sprintf("%s (tcp %d)", [service(same, p), p]) | some p in ports]
	families := families_of(same)
	peers := distinct([p | some fam in families; some y in same; y.family == fam; some p in y.peers])
	f := {
		"rule": x.rules[0],
		"resource": x.group,
		"message": exposure_message(x, concat(", ", names), peers, families),
		"location": x.location,
		"related": object.get(x, "related", []),
		"facts": object.union({"ports": ports, "family": concat("+", families), "peers": peers}, contested(x)),
	}
}

# service names port p among the exposures.
service(same, p) := [y.service | some y in same; y.port == p][0]

# families_of lists the families of the exposures, IPv4 first.
families_of(same) := [fam | some fam in ["ipv4", "ipv6"]; fam in {y.family | some y in same}]

# distinct keeps the first of each value, in order.
distinct(xs) := [x | some i, x in xs; not seen_before(xs, i, x)]

seen_before(xs, i, x) if {
	some j, w in xs
	j < i
	w == x
}

exposure_message(x, names, peers, _) := sprintf("%s admits %s from %s", [x.rules[0], names, concat(", ", peers)]) if {
	count(x.rules) == 1
}

exposure_message(x, names, peers, families) := sprintf(
	"%s together admit %s from %s, which add up to every %s address",
	[concat(", ", x.rules), names, concat(", ", peers), concat(" and ", [family_word[fam] | some fam in families])],
) if {
	count(x.rules) > 1
}

family_word := {"ipv4": "IPv4", "ipv6": "IPv6"}

contested(x) := {"contested": x.contested} if x.contested

contested(x) := {} if not x.contested
