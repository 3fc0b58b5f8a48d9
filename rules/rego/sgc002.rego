# METADATA
# title: Change flips flows between tracked and untracked
# description: >-
#   The change removes, narrows or adds a rule that admits all response
#   traffic, so other, unchanged rules on the same attachment change between
#   tracked and untracked; or it narrows or splits a rule open to all
#   addresses, so the flows it still admits, untracked before, are tracked
#   (docs/semantics.md). That changes what
#   a later revocation of those rules does (an untracked flow is cut at once,
#   a tracked one survives until idle) and how many connections the interface
#   tracks against its allowance (§5).
# related_resources:
#   - ref: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/security-group-connection-tracking.html
#     description: Amazon EC2 security group connection tracking
# custom:
#   id: SGC002
#   severity: MEDIUM
package sgcheck.rules.sgc002

findings contains f if {
	some fl in input.changes.flips
	f := {
		"subject": fl.subject,
		"rule": fl.rule,
		"resource": fl.group,
		"message": message(fl),
		"location": fl.location,
		"related": [{"message": sprintf("%s (%s)", [fl.cause_rule, fl.cause_kind]), "location": fl.cause_location}],
		"facts": {k: v |
			some k in ["protocol", "before", "after", "cause_rule", "cause_kind", "attachment", "window_seconds", "window_source", "peers"]
			v := fl[k]
		},
	}
}

verb := {"removed": "Removing", "changed": "Changing", "added": "Adding"}

message(fl) := sprintf(
	"%s %s makes the %s flows of %s on %s%s tracked: a later revocation of %s will no longer cut live connections at once (they survive until idle for %s, %d s), and every connection now counts against the interface's conntrack allowance.",
	[verb[fl.cause_kind], fl.cause_rule, upper(fl.protocol), fl.rule, fl.attachment, scope(fl), fl.rule, fl.window_human, fl.window_seconds],
) if {
	fl.after == "tracked"
	fl.cause_rule != fl.rule
}

message(fl) := sprintf(
	"Changing %s leaves the %s flows it still admits on %s%s admitted but tracked (untracked before, when it was open to all addresses): nothing is revoked now, but a later revocation of %s will no longer cut live connections at once (they survive until idle for %s, %d s), and every connection now counts against the interface's conntrack allowance.",
	[fl.rule, upper(fl.protocol), fl.attachment, scope(fl), fl.rule, fl.window_human, fl.window_seconds],
) if {
	fl.after == "tracked"
	fl.cause_rule == fl.rule
}

message(fl) := sprintf(
	"%s %s makes the %s flows of %s on %s%s untracked: a later revocation of %s will cut them at once, and they no longer use conntrack entries (connections opened before this change stay tracked).",
	[verb[fl.cause_kind], fl.cause_rule, upper(fl.protocol), fl.rule, fl.attachment, scope(fl), fl.rule],
) if {
	fl.after == "untracked"
}

# scope narrows a flip to the peers it applies to, where the subnet's routes
# send the rule's other peers through automatically tracking targets.
scope(fl) := sprintf(" with %s (its other peers are routed through automatically tracking targets, tracked either way)", [fl.peers]) if {
	fl.peers
} else := ""
