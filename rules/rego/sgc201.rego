# METADATA
# title: Ingress open to the world on all ports
# description: >-
#   An ingress rule admits every port (all traffic, or a full TCP/UDP port
#   range) from every address (0.0.0.0/0 or ::/0). Whatever listens on the
#   instance is reachable from the internet.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
#     description: Security group rules
# custom:
#   id: SGC201
#   severity: HIGH
#   peers:
#     - checkov CKV_AWS_277
#     - Trivy AWS-0107
#     - KICS 4728cd65-a20c-49da-8b31-9c08b423e4db
package sgcheck.rules.sgc201

import data.sgcheck.lib

findings contains f if {
	some pair in lib.open_rules
	[att, r] := pair
	r.direction == "ingress"
	all_ports(r)
	lib.determined(r)
	not lib.world_open_by_design(att, r)
	peers := lib.block_peers(r)
	r.peer == peers[0]
	msg := sprintf("%s admits %s from %s: every port of the instance is reachable from the internet", [r.rule, what(r), concat(", ", peers)])
	f := lib.rule_finding(att, r, msg, lib.block_facts(peers))
}


# several rules whose ranges add up to the world on every port
findings contains f if {
	some att in input.attachments
	some x in object.get(att, "exposed", [])
	x.class == "all-ports"
	f := {
		"rule": x.rules[0],
		"resource": x.group,
		"message": sprintf("%s together admit every port from %s, which add up to every %s address: every port of the instance is reachable from the internet", [concat(", ", x.rules), concat(", ", x.peers), lib.family_word[x.family]]),
		"location": x.location,
		"related": object.get(x, "related", []),
		"facts": {"family": x.family, "peers": x.peers},
	}
}

all_ports(r) if r.protocol == "all"

all_ports(r) if {
	r.protocol in {"tcp", "udp"}
	r.from_port == 0
	r.to_port == 65535
}

what(r) := "all traffic" if r.protocol == "all"

else := sprintf("all %s ports", [r.protocol])
