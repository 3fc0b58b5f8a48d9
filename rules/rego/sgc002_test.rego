package sgcheck.rules.sgc002_test

import data.sgcheck.rules.sgc002

flip(over) := object.union({
	"subject": "flip:0", "attachment": "aws_instance.admin",
	"rule": "aws_security_group.admin.ingress[0]", "group": "aws_security_group.admin",
	"protocol": "tcp", "before": "untracked", "after": "tracked",
	"cause_rule": "aws_security_group.admin.egress[0]", "cause_kind": "removed",
	"window_seconds": 432000, "window_human": "5 days", "window_source": "aws-default",
	"location": {"file": "main.tf", "start_line": 1, "end_line": 5},
	"cause_location": {"file": "main.tf", "start_line": 7, "end_line": 11},
}, over)

doc(fl) := {"changes": {"flips": [fl]}}

# §2.1: removing the open reverse rule makes the other rule's flows tracked.
test_reverse_removed if {
	some f in sgc002.findings with input as doc(flip({}))
	startswith(f.message, "Removing aws_security_group.admin.egress[0] makes the TCP flows of aws_security_group.admin.ingress[0]")
	f.facts.after == "tracked"
}

# §2.1: narrowing a rule open to all leaves what it still admits tracked,
# with nothing revoked.
test_own_flows_flip if {
	some f in sgc002.findings with input as doc(flip({"cause_rule": "aws_security_group.admin.ingress[0]", "cause_kind": "changed"}))
	startswith(f.message, "Changing aws_security_group.admin.ingress[0] leaves the TCP flows it still admits")
	contains(f.message, "nothing is revoked now")
}

# §3: peers routed through a tracking target are left out, and said so.
test_routed_peers_scoped if {
	some f in sgc002.findings with input as doc(flip({"peers": "0.0.0.0/5"}))
	contains(f.message, "with 0.0.0.0/5 (its other peers are routed")
	f.facts.peers == "0.0.0.0/5"
}

test_untracked_after if {
	some f in sgc002.findings with input as doc(flip({"before": "tracked", "after": "untracked", "cause_kind": "added"}))
	contains(f.message, "untracked: a later revocation")
}
