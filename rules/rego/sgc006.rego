# METADATA
# title: Tracked admin access keeps the 5-day idle timeout
# description: >-
#   An ingress rule admits one administration or database port (SSH, RDP,
#   database ports) from addresses, and its connections are tracked with
#   the default TCP established timeout of 432000 s, five days
#   (docs/semantics.md, §4). Revoking this rule later, when a contractor
#   leaves or during an incident, will leave open sessions running for up to
#   five days of idleness. The remedy fits the attachment: a lower
#   tcp_established_timeout on interfaces and launch templates, a network
#   ACL deny for managed services. Rules from groups or self, port ranges
#   and protocol-all rules are not reported.
# related_resources:
#   - ref: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/security-group-connection-tracking.html
#     description: Amazon EC2 security group connection tracking
# custom:
#   id: SGC006
#   severity: MEDIUM
package sgcheck.rules.sgc006

import data.sgcheck.lib

# The administration and database ports whose revocation people plan: a
# rule for exactly one of them, from addresses (not a group, not self, not a
# range of ports that merely contains one, not protocol all).
all_ports := {
	22: "SSH", 3389: "RDP",
	1433: "SQL Server", 1521: "Oracle", 3306: "MySQL", 5432: "PostgreSQL", 5439: "Redshift",
	6379: "Redis", 9042: "Cassandra", 27017: "MongoDB",
}

findings contains f if {
	some att in input.attachments
	not lib.web_listeners_only(att)
	some r in att.rules
	r.protocol == "tcp"
	r.from_port == r.to_port
	service := all_ports[r.from_port]
	r.peer_kind == "cidr"
	r.direction == "ingress"
	r.tracked == true
	r.timeout_seconds == 432000
	r.timeout_source == "aws-default"
	peers := peers_of(r)
	msg := sprintf(
		"%s admits %s (tcp %d) from %s, and these connections are tracked with the default TCP idle timeout of up to 5 days (432000 s%s): revoking this rule later leaves open sessions running for up to 5 days idle. %s",
		[r.rule, service, r.from_port, concat(", ", peers), note(r), remedy(att)],
	)
	base := lib.rule_finding(att, r, msg, {"ports": [r.from_port], "services": [service], "window_seconds": 432000, "window_source": "aws-default"})
	f := object.union(object.remove(base, ["facts"]), {"facts": object.union(object.remove(base.facts, ["peer", "family"]), {"peers": peers})})
}

# peers_of names every narrow address peer of the rule block (one finding
# for its IPv4 and IPv6 ranges), or the rule's own peer.
peers_of(r) := sort(array.concat(r.narrow_peers, [r.peer | not r.peer in r.narrow_peers])) if r.narrow_peers

else := [r.peer]

# note(r) qualifies the default where the instance type is not known.
note(r) := sprintf("; %s", [r.timeout_note]) if r.timeout_note

else := ""

# remedy fits what carries the group: the timeout can be set on interfaces
# and launch templates, not on managed services' interfaces.
remedy(att) := "Lower tcp_established_timeout on the interfaces (connection_tracking_specification), or plan revocations with a network ACL deny." if {
	# the kinds analyzer.timeoutsSettable names
	att.kind in {
		"aws_instance", "aws_launch_template", "aws_spot_instance_request",
		"aws_network_interface", "awscc_ec2_network_interface", "network-interface",
	}
} else := "No attachment of this group is in the input: where it is attached to instances, lower their tcp_established_timeout; otherwise plan revocations with a network ACL deny." if {
	att.assumed
} else := sprintf("The timeout of %s's interfaces cannot be set: plan revocations with a network ACL deny on its subnets.", [att.name])
