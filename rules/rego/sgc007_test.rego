package sgcheck.rules.sgc007_test

import data.sgcheck.rules.sgc007

change(over) := object.union({
	"resource": "aws_security_group.bastion", "why": "lifecycle ignore_changes (ingress)", "arguments": ["ingress"],
	"kept": ["ingress tcp 22 from 203.0.113.7/32"], "dropped": [],
	"location": {"file": "main.tf", "start_line": 1, "end_line": 12},
}, over)

doc(c) := {"changes": {"not_applied": [c]}}

# Terraform's lifecycle ignore_changes: a removed rule stays live, so the
# revocation does not happen at all (HIGH).
test_revocation_not_applied if {
	some f in sgc007.findings with input as doc(change({}))
	f.severity == "HIGH"
	f.message == "aws_security_group.bastion: lifecycle ignore_changes (ingress) keeps Terraform from applying this change: ingress tcp 22 from 203.0.113.7/32 stays, as before (the change removes it)"
}

# An added rule that is never created is MEDIUM, and both are said.
test_addition_not_applied if {
	some f in sgc007.findings with input as doc(change({"kept": [], "dropped": ["ingress tcp 443 from 10.0.0.0/8"]}))
	f.severity == "MEDIUM"
	endswith(f.message, "this change: ingress tcp 443 from 10.0.0.0/8 is not created")
}

test_both if {
	some f in sgc007.findings with input as doc(change({"dropped": ["ingress tcp 22 from 198.51.100.0/24"]}))
	contains(f.message, "(the change removes it); ingress tcp 22 from 198.51.100.0/24 is not created")
}

test_nothing_without_changes if {
	count(sgc007.findings) == 0 with input as {"changes": {"not_applied": []}}
	count(sgc007.findings) == 0 with input as {}
}

# A removed block with destroy = false leaves the rule in AWS.
test_removed_without_destroy if {
	some f in sgc007.findings with input as doc(change({"resource": "aws_security_group_rule.contractor", "why": "the removed block with destroy = false", "arguments": []}))
	startswith(f.message, "aws_security_group_rule.contractor: the removed block with destroy = false keeps Terraform from applying this change: ingress tcp 22 from 203.0.113.7/32 stays")
}
