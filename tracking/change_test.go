package tracking

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

func snapshot(rules ...model.Rule) *model.Snapshot {
	return &model.Snapshot{
		Groups:      []model.SecurityGroup{{Address: "sg"}, {Address: "sg2"}},
		Rules:       rules,
		Attachments: []model.Attachment{{Name: "eni", Groups: []string{"sg", "sg2"}}},
	}
}

var openEgress = rule("out", "sg", model.Egress, model.All, 0, 65535, cidr("0.0.0.0/0"))

// docs/aws-semantics.md §1.3, §2.3: a /32 SSH rule is tracked; revoking it
// leaves live sessions until idle for the TCP established timeout.
func TestRevokeTrackedSSH(t *testing.T) {
	ssh := rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("203.0.113.7/32"))
	imp := Compare(snapshot(ssh, openEgress), snapshot(openEgress), DefaultParams)
	if len(imp.Revocations) != 1 {
		t.Fatalf("revocations: %+v", imp.Revocations)
	}
	rv := imp.Revocations[0]
	if !rv.Tracked || rv.Reason != ReasonPeerNotOpen || rv.Window.Seconds != 432000 || rv.Peers.String() != "203.0.113.7/32" {
		t.Errorf("got %+v", rv)
	}
}

// docs/aws-semantics.md §2.3: SSH open to all with open egress is untracked;
// removing it cuts live sessions at once.
func TestRevokeUntrackedSSH(t *testing.T) {
	ssh := rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0"))
	imp := Compare(snapshot(ssh, openEgress), snapshot(openEgress), DefaultParams)
	if len(imp.Revocations) != 1 || imp.Revocations[0].Tracked || imp.Revocations[0].Reverse.Name != "out" {
		t.Errorf("got %+v", imp.Revocations)
	}
}

// docs/aws-semantics.md §2.3: narrowing an untracked rule cuts what is no
// longer admitted at once; narrowing a tracked one does not. The revoked
// space is everything outside the new CIDR, and nothing inside it.
func TestNarrowing(t *testing.T) {
	before := rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0"))
	after := rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("10.0.0.0/8"))
	for _, tc := range []struct {
		others  []model.Rule
		tracked bool
	}{{[]model.Rule{openEgress}, false}, {nil, true}} {
		imp := Compare(snapshot(append([]model.Rule{before}, tc.others...)...),
			snapshot(append([]model.Rule{after}, tc.others...)...), DefaultParams)
		if len(imp.Revocations) != 1 {
			t.Fatalf("revocations: %+v", imp.Revocations)
		}
		rv := imp.Revocations[0]
		if rv.Tracked != tc.tracked || rv.Peers.String() != "everything except 10.0.0.0/8" || !rv.Narrowed() {
			t.Errorf("tracked=%v peers=%q narrowed=%v", rv.Tracked, rv.Peers.String(), rv.Narrowed())
		}
		if a, _ := rv.Peers.Sample(false); a.IsValid() && after.Peer.Prefix.Contains(a) {
			t.Errorf("revoked space contains %v, which is still admitted", a)
		}
	}
}

// DESIGN.md "Semantics" 2: a revocation revokes old − new across all groups
// of the attachment; moving a rule to another group on it revokes nothing.
func TestMovedRuleRevokesNothing(t *testing.T) {
	a := rule("office", "sg", model.Ingress, model.TCP, 22, 22, cidr("198.51.100.0/24"))
	b := a
	b.Group, b.Name = "sg2", "office2"
	if imp := Compare(snapshot(a), snapshot(b), DefaultParams); len(imp.Revocations) != 0 {
		t.Errorf("got %+v", imp.Revocations)
	}
}

// docs/aws-semantics.md §2.5 and the ICMP model parameter.
func TestRevokeICMP(t *testing.T) {
	ping := rule("ping", "sg", model.Ingress, model.ICMP, 8, 0, cidr("0.0.0.0/0"))
	imp := Compare(snapshot(ping, openEgress), snapshot(openEgress), Params{ICMPIdleTimeout: 45})
	if len(imp.Revocations) != 1 || !imp.Revocations[0].Tracked || imp.Revocations[0].Window.Seconds != 45 ||
		imp.Revocations[0].Window.Source != "model-parameter" {
		t.Errorf("got %+v", imp.Revocations)
	}
}

// docs/aws-semantics.md §2.4: removing the open egress flips open ingress
// rules to tracked (SGC002's input).
func TestEgressRemovalFlips(t *testing.T) {
	http := rule("http", "sg", model.Ingress, model.TCP, 80, 80, cidr("0.0.0.0/0"))
	imp := Compare(snapshot(http, openEgress), snapshot(http), DefaultParams)
	if len(imp.Flips) != 1 {
		t.Fatalf("flips: %+v", imp.Flips)
	}
	f := imp.Flips[0]
	if f.Rule.Name != "http" || f.Before || !f.After || f.Cause.Name != "out" || f.CauseKind != "removed" {
		t.Errorf("got %+v", f)
	}
	back := Compare(snapshot(http), snapshot(http, openEgress), DefaultParams)
	if len(back.Flips) != 1 || !back.Flips[0].Before || back.Flips[0].After || back.Flips[0].CauseKind != "added" {
		t.Errorf("adding the egress rule: %+v", back.Flips)
	}
}

// docs/aws-semantics.md §7, §1.4: NACL changes take effect at once; they are
// listed, never treated as revocations of tracked flows.
func TestNACLChanges(t *testing.T) {
	entry := model.ACLEntry{Number: 100, Protocol: model.TCP, Action: model.Allow, CIDR: cidr("0.0.0.0/0").Prefix, FromPort: 22, ToPort: 22}
	base := snapshot()
	base.NACLs = []model.NetworkACL{{Address: "acl", Entries: []model.ACLEntry{entry}}}
	imp := Compare(base, snapshot(), DefaultParams)
	if len(imp.NACLChanges) != 1 || imp.NACLChanges[0].Kind != "removed" || len(imp.Revocations) != 0 {
		t.Errorf("got %+v", imp)
	}
}

// Overlapping rules of two groups: removing one while the other still
// admits the flows revokes nothing.
func TestStillAdmittedByAnotherGroup(t *testing.T) {
	a := rule("a", "sg", model.Ingress, model.TCP, 443, 443, cidr("10.0.0.0/8"))
	b := rule("b", "sg2", model.Ingress, model.TCP, 0, 65535, cidr("10.0.0.0/7"))
	if imp := Compare(snapshot(a, b), snapshot(b), DefaultParams); len(imp.Revocations) != 0 {
		t.Errorf("got %+v", imp.Revocations)
	}
}

// Issue semantics: edits to descriptions only are not changes.
func TestDescriptionOnlyIsNoChange(t *testing.T) {
	a := rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("203.0.113.7/32"))
	b := a
	b.Description = "renamed"
	imp := Compare(snapshot(a, openEgress), snapshot(b, openEgress), DefaultParams)
	if len(imp.Revocations)+len(imp.Flips)+len(imp.NACLChanges) != 0 {
		t.Errorf("got %+v", imp)
	}
}

// TestEqualRuleFields changes each field of a rule in turn: equalRule must
// tell the rules apart unless the field only says where the rule is
// declared or describes it (ruleWhereFields). A field added to model.Rule
// fails here until equalRule (or the list) takes it into account.
func TestEqualRuleFields(t *testing.T) {
	where := map[string]bool{}
	for _, f := range ruleWhereFields {
		where[f] = true
	}
	base := rule("r", "sg", model.Ingress, model.TCP, 22, 22, cidr("10.0.0.0/8"))
	base.Unknown = []string{"u"}
	typ := reflect.TypeOf(base)
	for i := 0; i < typ.NumField(); i++ {
		name := typ.Field(i).Name
		changed := base
		changed.Unknown = append([]string(nil), base.Unknown...)
		if !perturb(reflect.ValueOf(&changed).Elem().Field(i)) {
			t.Fatalf("field %s: no way to change it in this test", name)
		}
		if reflect.DeepEqual(base, changed) {
			t.Fatalf("field %s: not changed", name)
		}
		if got := equalRule(base, changed); got != where[name] {
			t.Errorf("field %s changed: equalRule = %v, want %v", name, got, where[name])
		}
	}
	// and the parts of a peer
	for _, p := range []model.Peer{cidr("10.0.0.0/16"), {Kind: model.PeerGroup, Ref: "sg2"}, {Kind: model.PeerCIDR, Prefix: base.Peer.Prefix, Ref: "x"}} {
		changed := base
		changed.Peer = p
		if equalRule(base, changed) {
			t.Errorf("peer %+v: equal to %+v", p, base.Peer)
		}
	}
}

// perturb changes v to another value of its type.
func perturb(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Slice:
		v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() && perturb(v.Field(i)) {
				return true
			}
		}
		return false
	default:
		return false
	}
	return true
}

// A rule that admitted a group's members (or a prefix list) opened to every
// IPv4 address revokes nothing from them: the model takes members and
// prefix-list entries to be IPv4 addresses, as its witnesses are, so a
// claim otherwise would not replay. Opened to ::/0 only, they are revoked.
func TestGroupPeerOpenedToAll(t *testing.T) {
	for _, peer := range []model.Peer{{Kind: model.PeerGroup, Ref: "alb"}, {Kind: model.PeerSelf, Ref: "sg"},
		{Kind: model.PeerPrefixList, Ref: "pl-1"}} {
		before := rule("https", "sg", model.Ingress, model.TCP, 443, 443, peer)
		for _, tc := range []struct {
			after   string
			revoked bool
		}{{"0.0.0.0/0", false}, {"::/0", true}, {"10.0.0.0/8", true}} {
			after := rule("https", "sg", model.Ingress, model.TCP, 443, 443, cidr(tc.after))
			imp := Compare(snapshot(before), snapshot(after), DefaultParams)
			if got := len(imp.Revocations) > 0; got != tc.revoked {
				t.Errorf("%v to %s: revoked %v, want %v (%+v)", peer, tc.after, got, tc.revoked, imp.Revocations)
			}
			for _, rv := range imp.Revocations {
				if !rv.Tracked || len(rv.Peers.Atoms) != 1 {
					t.Errorf("%v to %s: %+v", peer, tc.after, rv)
				}
			}
		}
	}
	// an undetermined peer may be any address: still revoked
	unk := rule("https", "sg", model.Ingress, model.TCP, 443, 443, model.Peer{Kind: model.PeerUnknown, Ref: "var.x"})
	imp := Compare(snapshot(unk), snapshot(rule("https", "sg", model.Ingress, model.TCP, 443, 443, cidr("0.0.0.0/0"))), DefaultParams)
	if len(imp.Incomplete) == 0 && len(imp.Revocations) == 0 {
		t.Errorf("undetermined peer: %+v", imp)
	}
}

// docs/aws-semantics.md §3: revoking a world-open rule for every TCP port on
// an NLB target with open egress is judged port by port: the port the load
// balancer forwards (443) is tracked and survives 350 s idle, the others
// are untracked and cut at once.
func TestNLBWideRuleRevokedPortByPort(t *testing.T) {
	wide := rule("wide", "sg", model.Ingress, model.TCP, 0, 65535, cidr("0.0.0.0/0"))
	before, after := snapshot(wide, openEgress), snapshot(openEgress)
	for _, s := range []*model.Snapshot{before, after} {
		s.Attachments[0].AutoTracked, s.Attachments[0].AutoTrackedPorts = "network-load-balancer", []int{443}
	}
	imp := Compare(before, after, DefaultParams)
	var got []string
	for _, rv := range imp.Revocations {
		got = append(got, fmt.Sprintf("%d-%d tracked=%v %d", rv.FromPort, rv.ToPort, rv.Tracked, rv.Window.Seconds))
	}
	want := []string{"0-442 tracked=false 0", "443-443 tracked=true 350", "444-65535 tracked=false 0"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("revocations %q, want %q", got, want)
	}
}

// A rule narrowed to the port an NLB forwards leaves those flows tracked as
// they were (through the load balancer), not "tracked now": no flip.
func TestNLBNarrowedToForwardedPortIsNoFlip(t *testing.T) {
	wide := rule("web", "sg", model.Ingress, model.TCP, 443, 65535, cidr("0.0.0.0/0"))
	narrow := rule("web", "sg", model.Ingress, model.TCP, 443, 443, cidr("0.0.0.0/0"))
	out0 := rule("out", "sg", model.Egress, model.TCP, 0, 0, cidr("0.0.0.0/0"))
	before, after := snapshot(wide, openEgress), snapshot(narrow, out0)
	for _, s := range []*model.Snapshot{before, after} {
		s.Attachments[0].AutoTracked, s.Attachments[0].AutoTrackedPorts = "network-load-balancer", []int{443}
	}
	imp := Compare(before, after, DefaultParams)
	for _, f := range imp.Flips {
		if f.Rule.Direction == model.Ingress {
			t.Errorf("flip %s %d-%d before=%v after=%v", f.Rule.Name, f.Rule.FromPort, f.Rule.ToPort, f.Before, f.After)
		}
	}
}
