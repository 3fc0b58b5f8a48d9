package tracking

import (
	"slices"
	"strings"
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

// Members declared with no instance (count 0 by default, set per
// deployment: model.Snapshot.Uncreated) are the configuration's members of
// the groups they name: where they are created they carry what they name.
// A change that puts them in the group now admitted revokes nothing for
// them; one that leaves them out, or whose head creates instances that are
// left out, is reported, as is one whose member's groups are not known.
func TestUncreatedMembersMoved(t *testing.T) {
	groupPeer := func(g string) model.Peer { return model.Peer{Kind: model.PeerGroup, Ref: g} }
	fromApp := rule("from_app", "endpoint", model.Ingress, model.TCP, 443, 443, groupPeer("app"))
	fromClient := rule("from_client", "endpoint", model.Ingress, model.TCP, 443, 443, groupPeer("client"))
	groups := []model.SecurityGroup{{Address: "endpoint"}, {Address: "app"}, {Address: "client"}}
	member := func(name string, groups ...string) model.Attachment {
		return model.Attachment{Name: name, Groups: groups}
	}
	side := func(rule model.Rule, uncreated []model.Attachment, members ...model.Attachment) *model.Snapshot {
		return &model.Snapshot{Groups: groups, Rules: []model.Rule{rule}, Uncreated: uncreated,
			Attachments: append([]model.Attachment{{Name: "vpce", Groups: []string{"endpoint"}}}, members...)}
	}
	base := side(fromApp, []model.Attachment{member("aws_instance.app", "app")})
	for _, tc := range []struct {
		name    string
		head    *model.Snapshot
		revoked bool
	}{
		{"moved, still uncreated", side(fromClient, []model.Attachment{member("aws_instance.app", "app", "client")}), false},
		{"left out, still uncreated", side(fromClient, []model.Attachment{member("aws_instance.app", "app")}), true},
		{"groups not known", side(fromClient, []model.Attachment{{Name: "aws_instance.app", Groups: []string{"client"},
			GroupsUnknown: []string{"vpc_security_group_ids is not determined"}}}), true},
		{"created with the group", side(fromClient, nil, member(`aws_instance.app[0]`, "client"),
			member(`aws_instance.app[1]`, "app", "client")), false},
		{"created, one instance left out", side(fromClient, nil, member(`aws_instance.app[0]`, "client"),
			member(`aws_instance.app[1]`, "app")), true},
		{"created by key, left out", side(fromClient, nil, member(`aws_instance.app["a"]`, "app")), true},
		{"deleted", side(fromClient, nil), false},
	} {
		imp := Compare(base, tc.head, DefaultParams)
		if got := len(imp.Revocations) > 0; got != tc.revoked {
			t.Errorf("%s: revoked=%v, want %v: %+v", tc.name, got, tc.revoked, imp.Revocations)
		}
	}
	for name, want := range map[string]string{`aws_instance.app[0]`: "aws_instance.app", `x.y["a[0]"]`: "x.y",
		"module.m[1].aws_instance.app": "module.m[1].aws_instance.app", `module.m["k"].aws_instance.app[2]`: `module.m["k"].aws_instance.app`} {
		if got := resourceOf(name); got != want {
			t.Errorf("resourceOf(%s) = %s, want %s", name, got, want)
		}
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

// A group that only members declared with no instance carry is judged on
// those members with every group they name, not alone: a rule moved from
// it to another group they carry revokes nothing, one removed is revoked
// on the member, and what the member's other groups revoke is reported on
// their own attachments only.
func TestUncreatedMemberStandsForItsGroups(t *testing.T) {
	egress := func(name, group string) model.Rule {
		to := "10.0.0.0/8"
		if group == "shared" {
			to = "192.0.2.0/24"
		}
		return rule(name, group, model.Egress, model.TCP, 443, 443, cidr(to))
	}
	side := func(rules []model.Rule, memberGroups ...string) *model.Snapshot {
		return &model.Snapshot{
			Groups:      []model.SecurityGroup{{Address: "app"}, {Address: "client"}, {Address: "shared"}},
			Rules:       rules,
			Attachments: []model.Attachment{{Name: "web", Groups: []string{"shared"}}},
			Uncreated:   []model.Attachment{{Name: "aws_instance.app", Groups: memberGroups}},
		}
	}
	base := side([]model.Rule{egress("app_out", "app"), egress("shared_out", "shared")}, "app", "shared")
	where := func(imp *Impact) []string {
		var out []string
		for _, r := range imp.Revocations {
			out = append(out, r.Attachment.Name+" "+r.Rule.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		head *model.Snapshot
		want []string
	}{
		{"moved to the client group", side([]model.Rule{egress("client_out", "client"), egress("shared_out", "shared")},
			"app", "client", "shared"), nil},
		{"removed", side([]model.Rule{egress("shared_out", "shared")}, "app", "shared"),
			[]string{"aws_instance.app app_out"}},
		{"another group's rule removed", side([]model.Rule{egress("app_out", "app")}, "app", "shared"),
			[]string{"web shared_out"}},
	} {
		if got := where(Compare(base, tc.head, DefaultParams)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: revocations %v, want %v", tc.name, got, tc.want)
		}
	}
	// the proof replays on the member: the snapshot finds it by name
	if a, ok := base.AttachmentNamed("aws_instance.app"); !ok || !slices.Equal(a.Groups, []string{"app", "shared"}) {
		t.Errorf("AttachmentNamed: %+v %v", a, ok)
	}
}

// A member the base creates and the head declares with no instance (its
// count set to 0) is gone: its flows end with it, whatever its rules become.
// A group the base analyses alone is still compared alone where the head
// only adds a member declared with no instance.
func TestUncreatedInTheHeadOnly(t *testing.T) {
	ssh := rule("ssh", "app", model.Ingress, model.TCP, 22, 22, cidr("203.0.113.0/24"))
	groups := []model.SecurityGroup{{Address: "app"}}
	base := &model.Snapshot{Groups: groups, Rules: []model.Rule{ssh},
		Attachments: []model.Attachment{{Name: "aws_instance.app", Groups: []string{"app"}}}}
	head := &model.Snapshot{Groups: groups, Uncreated: []model.Attachment{{Name: "aws_instance.app", Groups: []string{"app"}}}}
	if imp := Compare(base, head, DefaultParams); len(imp.Revocations) != 0 {
		t.Errorf("destroyed member: %+v", imp.Revocations)
	}
	alone := &model.Snapshot{Groups: groups, Rules: []model.Rule{ssh}}
	imp := Compare(alone, head, DefaultParams)
	if len(imp.Revocations) != 1 || imp.Revocations[0].Attachment.Name != "app" {
		t.Errorf("group analysed alone in the base: %+v", imp.Revocations)
	}
}

// An attachment whose groups after the change are not all known, where
// they were before, may carry a group that admits what its known groups no
// longer do: no revocation there is certain, and the change analysis says
// so. Groups not known alike on both sides do not stop the analysis.
func TestGroupsNewlyUnknown(t *testing.T) {
	ssh := rule("ssh", "old", model.Ingress, model.TCP, 22, 22, cidr("203.0.113.0/24"))
	groups := []model.SecurityGroup{{Address: "old"}}
	side := func(unknown ...string) *model.Snapshot {
		att := model.Attachment{Name: "web", Groups: []string{"old"}, GroupsUnknown: unknown}
		if len(unknown) > 0 && unknown[0] == "all" {
			att.Groups = nil
		}
		return &model.Snapshot{Groups: groups, Rules: []model.Rule{ssh}, Attachments: []model.Attachment{att}}
	}
	imp := Compare(side(), side("all"), DefaultParams)
	if len(imp.Revocations) != 0 || len(imp.Incomplete) != 1 || !strings.Contains(imp.Incomplete[0], "web: its groups after the change are not all known (all)") {
		t.Errorf("groups become unknown: %+v %v", imp.Revocations, imp.Incomplete)
	}
	head := side("var.extra")
	head.Rules = nil
	imp = Compare(side("var.extra"), head, DefaultParams)
	if len(imp.Revocations) != 1 {
		t.Errorf("unknown alike on both sides: %+v %v", imp.Revocations, imp.Incomplete)
	}
}

// A rule of the head whose ports, protocol or peer the input does not
// determine may admit what the change seems to revoke: no revocation is
// claimed where it may, and one is where it cannot (another port).
func TestUndeterminedHeadRuleMayAdmit(t *testing.T) {
	ssh := rule("svc", "app", model.Ingress, model.TCP, 22, 22, cidr("203.0.113.0/24"))
	groups := []model.SecurityGroup{{Address: "app"}}
	side := func(rules ...model.Rule) *model.Snapshot {
		return &model.Snapshot{Groups: groups, Rules: rules,
			Attachments: []model.Attachment{{Name: "web", Groups: []string{"app"}}}}
	}
	portsUnknown := rule("svc", "app", model.Ingress, model.TCP, 0, 65535, cidr("203.0.113.0/24"))
	portsUnknown.Unknown = []string{"from_port depends on local.port"}
	peerUnknown := func(from, to int) model.Rule {
		r := rule("other", "app", model.Ingress, model.TCP, from, to, model.Peer{Kind: model.PeerUnknown, Ref: "var.cidr"})
		r.Unknown = []string{"cidr_blocks depends on var.cidr"}
		return r
	}
	for _, tc := range []struct {
		name string
		head *model.Snapshot
		want int
	}{
		{"ports now undetermined", side(portsUnknown), 0},
		{"a rule with an undetermined peer on the port", side(peerUnknown(20, 25)), 0},
		{"a rule with an undetermined peer on another port", side(peerUnknown(5432, 5432)), 1},
		{"removed", side(), 1},
	} {
		if got := len(Compare(side(ssh), tc.head, DefaultParams).Revocations); got != tc.want {
			t.Errorf("%s: %d revocations, want %d", tc.name, got, tc.want)
		}
	}
}
