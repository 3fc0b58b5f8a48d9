# METADATA
# title: Network ACL blocks the return traffic
# description: >-
#   The subnet's network ACL lets the requests a security group rule admits
#   through, but drops the responses on the client's ephemeral ports. NACLs
#   are stateless (docs/semantics.md): the response direction needs
#   its own allow entry, on 1024-65535 as AWS suggests, or at least on the
#   ephemeral range of the clients (Linux 32768-60999, Windows 49152-65535).
#   Connection tracking in the security group does not help: it works
#   behind the NACL.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
#     description: Control subnet traffic with network ACLs
# custom:
#   id: SGC101
#   severity: MEDIUM
package sgcheck.rules.sgc101

import data.sgcheck.lib

findings contains f if {
	some att in input.attachments
	some r in att.rules
	count(r.nacl_blocked_response_ports) > 0
	not r.nacl_request_denied
	ports := port_list(r.nacl_blocked_response_ports)
	msg := sprintf(
		"%s lets %s %s %s %s reach %s, but drops the responses to the client's ephemeral %s: these connections cannot complete. Allow %s traffic %s %s on ports 1024-65535 in the %s direction of %s.",
		[r.nacl, r.protocol, lib.port_text(r), lib.peer_word(r.direction), r.nacl_sample, att.name, ports,
			r.protocol, lib.peer_word(reverse[r.direction]), r.peer, reverse[r.direction], r.nacl],
	)
	f := lib.rule_finding(att, r, msg, {"nacl": r.nacl, "blocked_ports": r.nacl_blocked_response_ports, "sample": r.nacl_sample})
}

reverse := {"ingress": "egress", "egress": "ingress"}

port_list(ps) := sprintf("port %d", [ps[0]]) if count(ps) == 1

else := sprintf("ports %s", [concat(" and ", [sprintf("%d", [p]) | some p in ps])])
