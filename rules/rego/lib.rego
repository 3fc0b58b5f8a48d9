# Helpers shared by the built-in policies.
package sgcheck.lib

# A finding about one rule on one attachment, with the rule's own facts.
rule_finding(att, r, message, extra) := {
	"subject": object.get(r, "subject", ""),
	"rule": r.rule,
	"resource": r.group,
	"message": message,
	"location": r.location,
	"attachment": att.name,
	"facts": object.union(rule_facts(r), extra),
}

rule_facts(r) := object.filter(r, fact_keys)

# determined(r) holds when the input determines every part of the rule: a
# rule with an unknown protocol, port or peer is indeterminate, never the
# subject of a definite finding. (The input leaves unknown out when it is
# empty; looking it up costs less than object.get and count on every rule.)
determined(r) if not r.unknown

determined(r) if count(r.unknown) == 0

# open_rules pairs each rule open to a whole address family with its
# attachment, as [attachment, rule]. The built-ins are evaluated together,
# so this is computed once for all the policies that judge open rules.
open_rules := [[att, r] |
	some att in input.attachments
	some r in att.rules
	r.open
]

# world_open_by_design: AWS asks for TCP and UDP open to all addresses on
# a Route 53 Resolver endpoint, whose interfaces have private addresses
# only: rules that leave its DNS flows untracked keep it from throttling
# queries (Route 53 "Resolver endpoint scaling"). The world-open checks
# leave them alone.
world_open_by_design(att, r) if {
	att.kind == "aws_route53_resolver_endpoint"
	r.protocol in {"tcp", "udp"}
}

# web_listeners_only: an Application Load Balancer's listeners speak HTTP
# and HTTPS only (Elastic Load Balancing, "Listeners for your Application
# Load Balancers"), so a port its rules open to the world reaches a web
# listener or nothing: not SSH, SMB or a database, and no UDP service. The
# checks of exposed ports (SGC202-SGC204) and of tracked administration
# and database sessions (SGC006) leave it alone; a rule open on every port
# is still SGC201's.
web_listeners_only(att) if att.http_only

# load_balancer: an Application, Network or Classic Load Balancer forwards
# only the ports its listeners listen on; a port its rules open to the
# world reaches a listener, the service the load balancer exists to
# publish, or nothing. The check of other ports open to the world (SGC204)
# leaves it alone; administration and database ports (SGC202, SGC203) are
# still reported on a Network or Classic Load Balancer, whose listeners
# forward TCP and UDP as they come.
load_balancer(att) if att.kind in {"aws_lb", "aws_alb", "aws_elb"}

# block_peers lists, IPv4 first, the peers open to a whole family of the
# block that declares r (open_peers, when it is open to both families):
# a block with cidr_blocks and ipv6_cidr_blocks is one finding, built from
# its first rule, naming both ranges.
block_peers(r) := object.get(r, "open_peers", [r.peer])

# block_facts are the facts of a finding that names the peers of one
# block: with both families, all of them (peer stays the first, so that a
# finding about one family keeps its facts and fingerprint).
block_facts(peers) := {"peers": peers} if count(peers) > 1

block_facts(peers) := {} if count(peers) <= 1

fact_keys := {"contested", "tracked", "reason", "protocol", "from_port", "to_port", "icmp_type", "icmp_code", "peer", "family", "direction"}

port_text(r) := "all ports" if {
	r.protocol == "all"
} else := sprintf("type %d", [r.icmp_type]) if {
	r.protocol in {"icmp", "icmpv6"}
	r.icmp_type != -1
} else := "all types" if {
	r.protocol in {"icmp", "icmpv6"}
} else := sprintf("port %d", [r.from_port]) if {
	r.from_port == r.to_port
} else := sprintf("ports %d-%d", [r.from_port, r.to_port])
