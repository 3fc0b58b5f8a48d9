package tracking

import (
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// A group admits its clients by their own groups; a change replaces the
// per-client rules with one rule admitting a shared "client" group and puts
// every client in it. No client's flows are revoked: each is admitted by
// the new rule, so no revoked flow can outlive a rule. Where the change
// leaves a member out, gives the group no member in the configuration, or
// the member's groups are not all known, the revocation is reported.
func TestMembersMovedToAnAdmittedGroup(t *testing.T) {
	groupPeer := func(g string) model.Peer { return model.Peer{Kind: model.PeerGroup, Ref: g} }
	fromApp := rule("from_app", "endpoint", model.Ingress, model.TCP, 443, 443, groupPeer("app"))
	fromClient := rule("from_client", "endpoint", model.Ingress, model.TCP, 443, 443, groupPeer("client"))
	groups := []model.SecurityGroup{{Address: "endpoint"}, {Address: "app"}, {Address: "client"}}
	side := func(rule model.Rule, members ...model.Attachment) *model.Snapshot {
		return &model.Snapshot{Groups: groups, Rules: []model.Rule{rule},
			Attachments: append([]model.Attachment{{Name: "vpce", Groups: []string{"endpoint"}}}, members...)}
	}
	app := func(name string, groups ...string) model.Attachment {
		return model.Attachment{Name: name, Groups: groups}
	}
	base := side(fromApp, app("i1", "app"), app("i2", "app"))
	for _, tc := range []struct {
		name    string
		head    *model.Snapshot
		revoked bool
	}{
		{"every member moved", side(fromClient, app("i1", "app", "client"), app("i2", "client")), false},
		{"one member deleted, the other moved", side(fromClient, app("i2", "client")), false},
		{"one member left out", side(fromClient, app("i1", "app", "client"), app("i2", "app")), true},
		{"a member's groups not all known", side(fromClient, app("i1", "client"),
			model.Attachment{Name: "i2", Groups: []string{"app"}, GroupsUnknown: []string{"var.extra"}}), true},
	} {
		imp := Compare(base, tc.head, DefaultParams)
		if got := len(imp.Revocations) > 0; got != tc.revoked {
			t.Errorf("%s: revoked=%v, want %v: %+v", tc.name, got, tc.revoked, imp.Revocations)
		}
	}
	// no member in the configuration: other configurations may attach the
	// group, so what the change does to its members is not known
	noMembers := Compare(side(fromApp), side(fromClient, app("i1", "client")), DefaultParams)
	if len(noMembers.Revocations) != 1 || noMembers.Revocations[0].Peers.String() != "members of app" {
		t.Errorf("group without members: %+v", noMembers.Revocations)
	}
	// docs/semantics.md S2 (DeleteSecurityGroup: DependencyViolation while an
	// instance or interface uses the group): a group the change deletes has
	// no member left, even one the configuration does not show; a member the
	// configuration shows is judged as above
	deleted := side(fromClient, app("i1", "client"))
	deleted.Groups = []model.SecurityGroup{{Address: "endpoint"}, {Address: "client"}}
	if imp := Compare(side(fromApp), deleted, DefaultParams); len(imp.Revocations) != 0 {
		t.Errorf("deleted group: %+v", imp.Revocations)
	}
	leftOut := side(model.Rule{}, app("i1", "other"))
	leftOut.Rules = nil
	leftOut.Groups = []model.SecurityGroup{{Address: "endpoint"}, {Address: "other"}}
	if imp := Compare(side(fromApp, app("i1", "app")), leftOut, DefaultParams); len(imp.Revocations) != 1 {
		t.Errorf("deleted group whose member is not admitted after: %+v", imp.Revocations)
	}
	// a group the configuration does not declare (an id it is given)
	undeclared := side(fromApp, app("i1", "app"))
	undeclared.Groups = []model.SecurityGroup{{Address: "endpoint"}, {Address: "app", Symbolic: true}, {Address: "client"}}
	if imp := Compare(undeclared, side(fromClient, app("i1", "app", "client")), DefaultParams); len(imp.Revocations) != 1 {
		t.Errorf("undeclared group: %+v", imp.Revocations)
	}
}

// An instance and its group that the head no longer determines (X[0]
// become X[0?], as when a count starts depending on a data source) are the
// same instance and group, if created: an unchanged rule revokes nothing,
// and a rule removed from it is still a revocation.
func TestConditionalInstanceIsTheSameAttachment(t *testing.T) {
	side := func(key string, rules ...model.Rule) *model.Snapshot {
		g := "aws_security_group.web[" + key + "]"
		for i := range rules {
			rules[i].Group = g
			if rules[i].Peer.Kind == model.PeerGroup {
				rules[i].Peer.Ref = g
			}
		}
		return &model.Snapshot{Groups: []model.SecurityGroup{{Address: g}}, Rules: rules,
			Attachments: []model.Attachment{{Name: "aws_instance.web[" + key + "]", Groups: []string{g}}}}
	}
	ssh := func() model.Rule { return rule("ssh", "", model.Ingress, model.TCP, 22, 22, cidr("203.0.113.7/32")) }
	self := func() model.Rule {
		return rule("self", "", model.Ingress, model.TCP, 443, 443, model.Peer{Kind: model.PeerGroup})
	}
	if imp := Compare(side("0", ssh(), self()), side("0?", ssh(), self()), DefaultParams); len(imp.Revocations) != 0 {
		t.Errorf("unchanged: %+v", imp.Revocations)
	}
	if imp := Compare(side("0?", ssh(), self()), side("0", ssh(), self()), DefaultParams); len(imp.Revocations) != 0 {
		t.Errorf("unchanged, determined in the head: %+v", imp.Revocations)
	}
	if imp := Compare(side("0?", ssh(), self()), side("0", self()), DefaultParams); len(imp.Revocations) != 1 {
		t.Errorf("rule removed, determined in the head: %+v", imp.Revocations)
	}
	imp := Compare(side("0", ssh(), self()), side("0?", self()), DefaultParams)
	if len(imp.Revocations) != 1 || imp.Revocations[0].Peers.String() != "203.0.113.7/32" {
		t.Errorf("rule removed: %+v", imp.Revocations)
	}
}
