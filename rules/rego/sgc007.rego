# METADATA
# title: Change to rules not applied (ignore_changes, removed without destroy)
# description: >-
#   The change edits the rules of a security group, or the entries of a
#   network ACL, through an argument the resource's lifecycle ignore_changes
#   names (ingress, egress, cidr_blocks, all, ...). Terraform does not apply a
#   change to an ignored argument of a resource that exists, so nothing
#   changes in AWS: a rule the change removes stays live and keeps admitting
#   new connections, and a rule it adds is never created. The change is
#   analysed as not applied. Remove the argument from ignore_changes for the
#   change to take effect, or make the change where the ignored argument is
#   managed. Likewise a removed block with lifecycle destroy = false makes
#   Terraform forget a resource without destroying it: its rules stay live.
# related_resources:
#   - ref: https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle
#     description: The lifecycle meta-argument (ignore_changes)
#   - ref: https://developer.hashicorp.com/terraform/language/resources/syntax#removing-resources
#     description: Removing resources (the removed block)
# custom:
#   id: SGC007
#   severity: HIGH
package sgcheck.rules.sgc007

findings contains f if {
	some c in input.changes.not_applied
	f := {
		"rule": c.resource,
		"resource": c.resource,
		"message": sprintf("%s: %s keeps Terraform from applying this change: %s", [c.resource, c.why, effects(c)]),
		"location": object.get(c, "location", null),
		"severity": severity(c),
		"facts": {"why": c.why, "arguments": c.arguments, "kept": c.kept, "dropped": c.dropped},
	}
}

# a rule the change removes stays live: HIGH; only additions that are not
# made: MEDIUM
severity(c) := "HIGH" if count(c.kept) > 0

severity(c) := "MEDIUM" if count(c.kept) == 0

effects(c) := concat("; ", array.concat(kept(c), dropped(c)))

kept(c) := [sprintf("%s stays, as before (the change removes it)", [concat(", ", c.kept)])] if count(c.kept) > 0

kept(c) := [] if count(c.kept) == 0

dropped(c) := [sprintf("%s is not created", [concat(", ", c.dropped)])] if count(c.dropped) > 0

dropped(c) := [] if count(c.dropped) == 0
