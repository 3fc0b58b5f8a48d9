# METADATA
# title: Tracked admin access keeps the 5-day idle timeout
# description: >-
#   An ingress rule admits administrative or database access (SSH, RDP,
#   database ports) and its connections are tracked with the default TCP
#   established timeout of 432000 s, five days (docs/semantics.md,
#   §4). Revoking this rule later, when a contractor leaves or during an
#   incident, will leave open sessions running for up to five days of
#   idleness. Declare a lower tcp_established_timeout on the interfaces
#   (connection_tracking_specification in the launch template), or plan the
#   revocation with a network ACL deny.
# related_resources:
#   - ref: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/security-group-connection-tracking.html
#     description: Amazon EC2 security group connection tracking
# custom:
#   id: SGC006
#   severity: MEDIUM
package sgcheck.rules.sgc006

import data.sgcheck.lib

# Administrative access: checked whatever the peer.
admin_ports := {22: "SSH", 3389: "RDP"}

# Database ports: checked for address peers, the ones people revoke.
db_ports := {
	1433: "SQL Server", 1521: "Oracle", 3306: "MySQL", 5432: "PostgreSQL", 5439: "Redshift",
	6379: "Redis", 9042: "Cassandra", 27017: "MongoDB",
}

# Two entry points keep the common case cheap: a single-port rule is looked
# up in the port table; only port ranges are scanned against it.
findings contains f if {
	some att in input.attachments
	some r in att.rules
	all_ports[r.from_port]
	r.from_port == r.to_port
	f := finding(att, r)
}

findings contains f if {
	some att in input.attachments
	some r in att.rules
	r.from_port != r.to_port
	f := finding(att, r)
}

finding(att, r) := f if {
	r.timeout_seconds == 432000
	r.direction == "ingress"
	r.tracked == true
	r.timeout_source == "aws-default"
	tcp[r.protocol]
	services := {port: service |
		some port, service in candidates(r)
		r.from_port <= port
		port <= r.to_port
	}
	count(services) > 0
	ports := sort([port | some port, _ in services])
	names := [sprintf("%s (tcp %d)", [services[port], port]) | some port in ports]
	msg := sprintf(
		"%s admits %s from %s, and these connections are tracked with the default TCP idle timeout of up to 5 days (432000 s%s): revoking this rule later leaves open sessions running for up to 5 days idle. Lower tcp_established_timeout on the interfaces, or plan revocations with a network ACL deny.",
		[r.rule, concat(", ", names), r.peer, note(r)],
	)
	f := lib.rule_finding(att, r, msg, {"ports": ports, "services": [services[p] | some p in ports], "window_seconds": 432000, "window_source": "aws-default"})
}

# note(r) qualifies the default where the instance type is not known.
note(r) := sprintf("; %s", [r.timeout_note]) if r.timeout_note

else := ""

tcp := {"tcp": true, "all": true}

all_ports := object.union(admin_ports, db_ports)

candidates(r) := all_ports if r.peer_kind == "cidr"

else := admin_ports
