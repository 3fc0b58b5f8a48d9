# Helpers for the checks of ports exposed to the world (SGC202, SGC203).
package sgcheck.lib

# exposure_findings gives one finding per set of rules that together admit
# ports of a class from a whole address family, naming every such port.
exposure_findings(class) := {f |
	some att in input.attachments
	some x in object.get(att, "exposed", [])
	x.class == class
	same := [y | some y in att.exposed; y.class == class; y.rules == x.rules]
	names := [sprintf("%s (tcp %d)", [y.service, y.port]) | some y in same]
	ports := [y.port | some y in same]
	f := {
		"rule": x.rules[0],
		"resource": x.group,
		"message": exposure_message(x, concat(", ", names)),
		"location": x.location,
		"related": object.get(x, "related", []),
		"facts": object.union({"ports": ports, "family": x.family, "peers": x.peers}, contested(x)),
	}
}

exposure_message(x, names) := sprintf("%s admits %s from %s", [x.rules[0], names, x.peers[0]]) if {
	count(x.rules) == 1
}

exposure_message(x, names) := sprintf(
	"%s together admit %s from %s, which add up to every %s address",
	[concat(", ", x.rules), names, concat(", ", x.peers), family_word[x.family]],
) if {
	count(x.rules) > 1
}

family_word := {"ipv4": "IPv4", "ipv6": "IPv6"}

contested(x) := {"contested": x.contested} if x.contested

contested(x) := {} if not x.contested
