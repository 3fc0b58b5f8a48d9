# METADATA
# title: Revocation does not cut live tracked flows
# description: >-
#   The change revokes flow space whose flows are connection-tracked. AWS does
#   not interrupt tracked connections when the rule that admitted them is
#   removed or narrowed (docs/semantics.md): they keep flowing until
#   idle for the tracking timeout, five days for established TCP by default
#   (§4). Only new connections are refused. To cut live flows at once, add a
#   network ACL deny (§1.4), lower the interface's idle timeout, or end the
#   sessions.
# related_resources:
#   - ref: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/security-group-connection-tracking.html
#     description: Amazon EC2 security group connection tracking
# custom:
#   id: SGC001
#   severity: HIGH
package sgcheck.rules.sgc001

import data.sgcheck.lib

findings contains f if {
	some rv in input.changes.revocations
	rv.tracked
	msg := sprintf(
		"%s revokes %s %s %s on %s, but %s: connections already open keep working until idle for %s (%d s: %s, %s%s); only new connections are refused.",
		[
			lib.change_subject(rv), rv.what, lib.peer_word(rv.direction), rv.peer, rv.attachment,
			reason(rv), rv.window_human, rv.window_seconds,
			rv.window_setting, lib.source_text[rv.window_source], detail(rv),
		],
	)
	f := {
		"subject": rv.subject,
		"rule": rv.rule,
		"resource": rv.group,
		"message": msg,
		"location": rv.location,
		"remediation": rv.remediation,
		"related": related(rv),
		"facts": {k: v |
			some k in ["tracked", "reason", "protocol", "from_port", "to_port", "icmp_type", "peer", "direction",
				"window_seconds", "window_source", "window_setting", "attachment", "kind", "except", "parts",
			]
			v := rv[k]
		},
	}
}

detail(rv) := sprintf("; %s", [rv.window_detail]) if rv.window_detail

else := ""

related(rv) := [{"message": "the rule before the change", "location": rv.before_location}] if {
	rv.before_location != rv.location
} else := []

# reason says why the revoked flows are tracked, naming what tracks them
# when AWS does whatever the rules say.
reason(rv) := sprintf("%s (%s)", [lib.reason_text[rv.reason], rv.auto_tracked]) if rv.auto_tracked

else := lib.reason_text[rv.reason]
