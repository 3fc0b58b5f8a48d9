package tracking

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

func cidr(s string) model.Peer {
	return model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix(s)}
}

func rule(name, group string, dir model.Direction, p model.Protocol, from, to int, peer model.Peer) model.Rule {
	return model.Rule{Name: name, Group: group, Direction: dir, Protocol: p, FromPort: from, ToPort: to, Peer: peer}
}

// awsExample is the worked example of S1 (docs/aws-semantics.md §2.4).
func awsExample() []model.Rule {
	return []model.Rule{
		rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("203.0.113.1/32")),
		rule("http4", "sg", model.Ingress, model.TCP, 80, 80, cidr("0.0.0.0/0")),
		rule("http6", "sg", model.Ingress, model.TCP, 80, 80, cidr("::/0")),
		rule("icmp", "sg", model.Ingress, model.ICMP, -1, -1, cidr("0.0.0.0/0")),
		rule("out4", "sg", model.Egress, model.All, 0, 65535, cidr("0.0.0.0/0")),
		rule("out6", "sg", model.Egress, model.All, 0, 65535, cidr("::/0")),
	}
}

func without(rules []model.Rule, name string) []model.Rule {
	var out []model.Rule
	for _, r := range rules {
		if r.Name != name {
			out = append(out, r)
		}
	}
	return out
}

type want struct {
	tracked bool
	reason  string
	reverse string
}

func check(t *testing.T, ac AttachmentClass, wants map[string]want) {
	t.Helper()
	for _, rc := range ac.Rules {
		w, ok := wants[rc.Rule.Name]
		if !ok {
			continue
		}
		delete(wants, rc.Rule.Name)
		if rc.Tracked == nil {
			t.Errorf("%s: indeterminate, want tracked=%v", rc.Rule.Name, w.tracked)
			continue
		}
		if *rc.Tracked != w.tracked || rc.Reason != w.reason {
			t.Errorf("%s: tracked=%v (%s), want %v (%s)", rc.Rule.Name, *rc.Tracked, rc.Reason, w.tracked, w.reason)
		}
		rev := ""
		if rc.Reverse != nil {
			rev = rc.Reverse.Name
		}
		if rev != w.reverse {
			t.Errorf("%s: reverse rule %q, want %q", rc.Rule.Name, rev, w.reverse)
		}
	}
	for name := range wants {
		t.Errorf("rule %s not classified", name)
	}
}

var att = model.Attachment{Name: "eni", Groups: []string{"sg"}}

// S1 worked example, docs/aws-semantics.md §2.4 and §2.5: SSH from a /32 is
// tracked, HTTP from 0.0.0.0/0 and ::/0 is untracked, ICMP is tracked.
func TestAWSWorkedExample(t *testing.T) {
	ac := ClassifyAttachment(att, awsExample(), nil, DefaultParams)
	check(t, ac, map[string]want{
		"ssh":   {true, ReasonPeerNotOpen, ""},
		"http4": {false, ReasonUntracked, "out4"},
		"http6": {false, ReasonUntracked, "out6"},
		"icmp":  {true, ReasonICMP, ""},
	})
}

// docs/aws-semantics.md §2.4: removing the outbound IPv4 rule makes all IPv4
// traffic tracked, HTTP included; IPv6 is unaffected (per address family).
func TestAWSWorkedExampleWithoutIPv4Egress(t *testing.T) {
	ac := ClassifyAttachment(att, without(awsExample(), "out4"), nil, DefaultParams)
	check(t, ac, map[string]want{
		"ssh":   {true, ReasonPeerNotOpen, ""},
		"http4": {true, ReasonNoReverse, ""},
		"http6": {false, ReasonUntracked, "out6"},
		"icmp":  {true, ReasonICMP, ""},
	})
}

// docs/aws-semantics.md §2.5: ICMP is tracked whatever the rules, even with
// open rules both ways.
func TestICMPAlwaysTracked(t *testing.T) {
	rules := []model.Rule{
		rule("icmp-in", "sg", model.Ingress, model.ICMP, -1, -1, cidr("0.0.0.0/0")),
		rule("all-out", "sg", model.Egress, model.All, 0, 65535, cidr("0.0.0.0/0")),
		rule("icmp6-in", "sg", model.Ingress, model.ICMPv6, -1, -1, cidr("::/0")),
		rule("all-out6", "sg", model.Egress, model.All, 0, 65535, cidr("::/0")),
	}
	check(t, ClassifyAttachment(att, rules, nil, DefaultParams), map[string]want{
		"icmp-in":  {true, ReasonICMP, ""},
		"icmp6-in": {true, ReasonICMP, ""},
	})
}

// docs/aws-semantics.md §1.2: protocols other than TCP/UDP/ICMP are tracked
// by address pair and protocol, with a 600 s window.
func TestOtherProtocolTracked(t *testing.T) {
	rules := []model.Rule{
		rule("gre", "sg", model.Ingress, model.Protocol(47), 0, 65535, cidr("0.0.0.0/0")),
		rule("all-out", "sg", model.Egress, model.All, 0, 65535, cidr("0.0.0.0/0")),
	}
	ac := ClassifyAttachment(att, rules, nil, DefaultParams)
	check(t, ac, map[string]want{"gre": {true, ReasonOther, ""}})
	if w := ac.Rules[0].Window; w == nil || w.Seconds != 600 || w.Source != "aws-documented" {
		t.Errorf("window %+v, want 600 s aws-documented", w)
	}
}

// docs/aws-semantics.md §2.1: the reverse rule must cover every port; a
// reverse rule limited to some ports leaves the flow tracked.
func TestReverseRuleMustCoverAllPorts(t *testing.T) {
	rules := []model.Rule{
		rule("https", "sg", model.Ingress, model.TCP, 443, 443, cidr("0.0.0.0/0")),
		rule("eph-out", "sg", model.Egress, model.TCP, 1024, 65535, cidr("0.0.0.0/0")),
		rule("udp-out", "sg", model.Egress, model.UDP, 0, 65535, cidr("0.0.0.0/0")),
	}
	check(t, ClassifyAttachment(att, rules, nil, DefaultParams), map[string]want{
		"https": {true, ReasonNoReverse, ""},
	})
	rules = append(rules, rule("tcp-out", "sg", model.Egress, model.TCP, 0, 65535, cidr("0.0.0.0/0")))
	check(t, ClassifyAttachment(att, rules, nil, DefaultParams), map[string]want{
		"https": {false, ReasonUntracked, "tcp-out"},
	})
}

// docs/aws-semantics.md §2.1 (protocol all handled per protocol): an open
// all-traffic rule is untracked for TCP and UDP only.
func TestProtocolAllPerProtocol(t *testing.T) {
	rules := []model.Rule{
		rule("all-in", "sg", model.Ingress, model.All, 0, 65535, cidr("0.0.0.0/0")),
		rule("all-out", "sg", model.Egress, model.All, 0, 65535, cidr("0.0.0.0/0")),
	}
	ac := ClassifyAttachment(att, rules, nil, DefaultParams)
	rc := ac.Rules[0]
	if rc.Reason != ReasonPartly || len(rc.Parts) != 4 {
		t.Fatalf("got %s with %d parts", rc.Reason, len(rc.Parts))
	}
	wantTracked := map[model.Protocol]bool{model.TCP: false, model.UDP: false, model.ICMP: true, otherProtocol: true}
	for _, p := range rc.Parts {
		if *p.Tracked != wantTracked[p.Protocol] {
			t.Errorf("%v: tracked=%v", p.Protocol, *p.Tracked)
		}
	}
}

// docs/aws-semantics.md §6 (rules of all groups on an interface combine) and
// §2.1: another group's open egress makes this group's open ingress untracked.
func TestReverseRuleInAnotherGroup(t *testing.T) {
	rules := []model.Rule{
		rule("http", "front", model.Ingress, model.TCP, 80, 80, cidr("0.0.0.0/0")),
		rule("out", "egress_all", model.Egress, model.All, 0, 65535, cidr("0.0.0.0/0")),
	}
	both := model.Attachment{Name: "both", Groups: []string{"front", "egress_all"}}
	check(t, ClassifyAttachment(both, rules, nil, DefaultParams), map[string]want{
		"http": {false, ReasonUntracked, "out"},
	})
	alone := model.Attachment{Name: "front", Groups: []string{"front"}}
	check(t, ClassifyAttachment(alone, rules[:1], nil, DefaultParams), map[string]want{
		"http": {true, ReasonNoReverse, ""},
	})
}

// docs/aws-semantics.md §3: automatically tracked attachments track flows the
// rules would leave untracked, with the NLB's own timeouts.
func TestAutomaticallyTracked(t *testing.T) {
	nlb := att
	nlb.AutoTracked = "network-load-balancer"
	ac := ClassifyAttachment(nlb, awsExample(), nil, DefaultParams)
	check(t, ac, map[string]want{"http4": {true, ReasonAutoTracked, ""}})
	if w := WindowFor(nlb, model.TCP, DefaultParams); w.Seconds != 350 {
		t.Errorf("NLB TCP window %d, want 350", w.Seconds)
	}
	if w := WindowFor(nlb, model.UDP, DefaultParams); w.Seconds != 120 {
		t.Errorf("NLB UDP window %d, want 120", w.Seconds)
	}
}

// Unknown peers and undeclared groups give "indeterminate", never a guess.
func TestIndeterminate(t *testing.T) {
	rules := []model.Rule{
		{Name: "x", Group: "sg", Direction: model.Ingress, Protocol: model.TCP, FromPort: 22, ToPort: 22,
			Peer: model.Peer{Kind: model.PeerUnknown, Ref: "depends on var.cidr"}, Unknown: []string{"depends on var.cidr"}},
		rule("http", "sg", model.Ingress, model.TCP, 80, 80, cidr("0.0.0.0/0")),
	}
	ac := ClassifyAttachment(att, rules, []string{"sg-0123"}, DefaultParams)
	for _, rc := range ac.Rules {
		if rc.Tracked != nil {
			t.Errorf("%s: tracked=%v, want indeterminate", rc.Rule.Name, *rc.Tracked)
		}
	}
}

// docs/aws-semantics.md §4: documented defaults and declared settings.
func TestWindows(t *testing.T) {
	if w := WindowFor(att, model.TCP, DefaultParams); w.Seconds != 432000 || w.Source != "aws-default" {
		t.Errorf("TCP default %+v", w)
	}
	if w := WindowFor(att, model.UDP, DefaultParams); w.Seconds != 180 || w.Setting != "udp_stream_timeout" {
		t.Errorf("UDP default %+v", w)
	}
	if w := WindowFor(att, model.ICMP, DefaultParams); w.Seconds != 60 || w.Source != "model-parameter" {
		t.Errorf("ICMP %+v", w)
	}
	n := 3600
	declared := att
	declared.Tracking.TCPEstablished = &n
	if w := WindowFor(declared, model.TCP, DefaultParams); w.Seconds != 3600 || w.Source != "declared" {
		t.Errorf("declared %+v", w)
	}
}

// A group no attachment carries is analysed alone and marked assumed
// (DESIGN.md "Semantics" 1).
func TestAssumedAttachment(t *testing.T) {
	s := &model.Snapshot{
		Groups:      []model.SecurityGroup{{Address: "a"}, {Address: "b"}},
		Attachments: []model.Attachment{{Name: "i", Groups: []string{"a"}}},
	}
	atts := Attachments(s)
	if len(atts) != 2 || atts[0].Name != "b" || !atts[0].Assumed || atts[1].Assumed {
		t.Errorf("got %+v", atts)
	}
}

// An undetermined rule is a possible open reverse rule only where its known
// parts allow it (§2.1): a security-group or prefix-list peer, a narrow
// CIDR, the other family or another protocol never are.
func TestUnknownsStayNarrow(t *testing.T) {
	unknownProto := func(name string, peer model.Peer) model.Rule {
		r := rule(name, "sg", model.Egress, model.All, 0, 65535, peer)
		r.Unknown = []string{"protocol depends on var.p"}
		return r
	}
	udpUnknownPorts := rule("udp", "sg", model.Egress, model.UDP, 0, 65535, cidr("0.0.0.0/0"))
	udpUnknownPorts.Unknown = []string{"from_port depends on var.f"}
	rules := []model.Rule{
		rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0")),
		unknownProto("to-group", model.Peer{Kind: model.PeerGroup, Ref: "aws_security_group.db"}),
		unknownProto("to-pl", model.Peer{Kind: model.PeerPrefixList, Ref: "pl-123"}),
		unknownProto("to-self", model.Peer{Kind: model.PeerSelf, Ref: "sg"}),
		unknownProto("to-net", cidr("10.0.0.0/8")),
		unknownProto("to-v6", cidr("::/0")),
		udpUnknownPorts,
	}
	ac := ClassifyAttachment(model.Attachment{Name: "i"}, rules, nil, Params{})
	check(t, ac, map[string]want{"ssh": {true, ReasonNoReverse, ""}})

	// an unknown peer, or an open one with an unknown protocol, may be it
	for _, may := range []model.Rule{
		unknownProto("any", model.Peer{Kind: model.PeerUnknown, Ref: "cidr_blocks depends on var.c"}),
		unknownProto("open", cidr("0.0.0.0/0")),
	} {
		ac := ClassifyAttachment(model.Attachment{Name: "i"}, append(append([]model.Rule(nil), rules...), may), nil, Params{})
		if ac.Rules[0].Tracked != nil {
			t.Errorf("with %s: ssh is %v, want indeterminate", may.Name, *ac.Rules[0].Tracked)
		}
	}
}

// The detail of a partly tracked protocol-all rule is built from its parts
// (§2.1: ingress all from 0.0.0.0/0 with only a TCP 0-65535 egress rule
// leaves TCP untracked and UDP tracked).
func TestPartlyTrackedDetail(t *testing.T) {
	rules := []model.Rule{
		rule("all", "sg", model.Ingress, model.All, 0, 65535, cidr("0.0.0.0/0")),
		rule("tcp-out", "sg", model.Egress, model.TCP, 0, 65535, cidr("0.0.0.0/0")),
	}
	ac := ClassifyAttachment(model.Attachment{Name: "i"}, rules, nil, Params{})
	v := ac.Rules[0].Verdict
	if v.Reason != ReasonPartly || v.Detail != "TCP is untracked; UDP, ICMP and other protocols are tracked" {
		t.Errorf("verdict %s: %q", v.Reason, v.Detail)
	}
}

// docs/aws-semantics.md §3: connections *through* a Network Load Balancer
// are tracked. Its target is reached through it only on the ports its
// target groups forward; the target's other connections (SSH to the
// instance, connections it opens) are tracked or not as the rules say, with
// the target's own idle timeouts.
func TestNLBTargetTrackedOnForwardedPortsOnly(t *testing.T) {
	nlb := att
	nlb.AutoTracked, nlb.AutoTrackedPorts = "network-load-balancer", []int{443}
	rules := []model.Rule{
		rule("https", "sg", model.Ingress, model.TCP, 443, 443, cidr("0.0.0.0/0")),
		rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0")),
		rule("admin", "sg", model.Ingress, model.TCP, 22, 22, cidr("10.0.0.0/8")),
		rule("wide", "sg", model.Ingress, model.TCP, 0, 65535, cidr("0.0.0.0/0")),
		rule("out4", "sg", model.Egress, model.All, 0, 65535, cidr("0.0.0.0/0")),
	}
	ac := ClassifyAttachment(nlb, rules, nil, DefaultParams)
	check(t, ac, map[string]want{
		"https": {true, ReasonAutoTracked, ""},
		"ssh":   {false, ReasonUntracked, "out4"},
		"admin": {false, ReasonCovered, "out4"}, // "ssh" admits its flows too (§2.1)
		"wide":  {false, ReasonUntracked, "out4"},
	})
	// without the open rules, SSH from 10.0.0.0/8 is tracked
	narrow := ClassifyAttachment(nlb, []model.Rule{rules[0], rules[2], rules[4]}, nil, DefaultParams)
	check(t, narrow, map[string]want{"admin": {true, ReasonPeerNotOpen, ""}})
	windows := map[string]int{}
	for _, rc := range narrow.Rules {
		if rc.Window != nil {
			windows[rc.Rule.Name] = rc.Window.Seconds
		}
	}
	// through the NLB: its 350 s; SSH straight to the instance: the
	// instance's 5 days, not the NLB's 350 s. A range that also holds
	// ports the NLB does not forward is judged by the rules (untracked);
	// its revocation is judged port by port (TestNLBWideRuleRevokedPortByPort).
	if windows["https"] != 350 || windows["admin"] != 432000 {
		t.Errorf("windows %v, want https 350, admin 432000", windows)
	}
	// without ports (a Gateway Load Balancer's target, or ports not known)
	// every connection is tracked
	all := nlb
	all.AutoTrackedPorts = nil
	check(t, ClassifyAttachment(all, rules, nil, DefaultParams), map[string]want{"ssh": {true, ReasonAutoTracked, ""}})
}

// docs/aws-semantics.md §2.1 is about flows: a TCP or UDP flow permitted by
// a rule open to all addresses, with an open all-port reverse rule, is not
// tracked. A narrower rule for the same flows does not make them tracked:
// SSH from 19.16.0.0/24 beside SSH from 0.0.0.0/0 is untracked (the
// simulator decides each packet so too), and it stays tracked only where no
// open untracked rule admits every one of its ports.
func TestNarrowRuleCoveredByOpenRule(t *testing.T) {
	egress := rule("out4", "sg", model.Egress, model.All, 0, 65535, cidr("0.0.0.0/0"))
	cases := []struct {
		name  string
		rules []model.Rule
		wants map[string]want
	}{
		{"same port", []model.Rule{
			rule("ssh-world", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0")),
			rule("ssh-office", "sg", model.Ingress, model.TCP, 22, 22, cidr("19.16.0.0/24")), egress},
			map[string]want{"ssh-world": {false, ReasonUntracked, "out4"}, "ssh-office": {false, ReasonCovered, "out4"}}},
		{"two open ranges together", []model.Rule{
			rule("low", "sg", model.Ingress, model.TCP, 0, 100, cidr("0.0.0.0/0")),
			rule("high", "other", model.Ingress, model.TCP, 101, 200, cidr("0.0.0.0/0")),
			rule("mid", "sg", model.Ingress, model.TCP, 50, 150, cidr("10.0.0.0/8")), egress},
			map[string]want{"mid": {false, ReasonCovered, "out4"}}},
		{"some ports only", []model.Rule{
			rule("ssh-world", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0")),
			rule("range", "sg", model.Ingress, model.TCP, 20, 30, cidr("10.0.0.0/8")), egress},
			map[string]want{"range": {true, ReasonPeerNotOpen, ""}}},
		{"other protocol", []model.Rule{
			rule("dns-world", "sg", model.Ingress, model.UDP, 53, 53, cidr("0.0.0.0/0")),
			rule("dns-tcp", "sg", model.Ingress, model.TCP, 53, 53, cidr("10.0.0.0/8")), egress},
			map[string]want{"dns-tcp": {true, ReasonPeerNotOpen, ""}}},
		{"other family", []model.Rule{
			rule("ssh-world", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0")),
			rule("ssh-v6", "sg", model.Ingress, model.TCP, 22, 22, cidr("2001:db8::/64")), egress},
			map[string]want{"ssh-v6": {true, ReasonPeerNotOpen, ""}}},
		{"open rule tracked (no open reverse)", []model.Rule{
			rule("ssh-world", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0")),
			rule("ssh-office", "sg", model.Ingress, model.TCP, 22, 22, cidr("19.16.0.0/24")),
			rule("out-web", "sg", model.Egress, model.TCP, 443, 443, cidr("0.0.0.0/0"))},
			map[string]want{"ssh-world": {true, ReasonNoReverse, ""}, "ssh-office": {true, ReasonPeerNotOpen, ""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ac := ClassifyAttachment(att, c.rules, nil, DefaultParams)
			check(t, ac, c.wants)
			for _, rc := range ac.Rules {
				if rc.Reason == ReasonCovered && (rc.Window != nil || rc.Covering == nil || !rc.Covering.Peer.IsOpen()) {
					t.Errorf("%s: covered with window %v by %v", rc.Rule.Name, rc.Window, rc.Covering)
				}
			}
		})
	}
	// a protocol-all rule: its TCP and UDP flows are the open rules', ICMP
	// and other protocols stay tracked
	ac := ClassifyAttachment(att, []model.Rule{
		rule("in-all", "sg", model.Ingress, model.All, 0, 65535, cidr("0.0.0.0/0")),
		rule("vpc-out", "sg", model.Egress, model.All, 0, 65535, cidr("10.0.0.0/8")), egress}, nil, DefaultParams)
	v := ac.Rules[1]
	if v.Reason != ReasonPartly || v.Detail != "TCP and UDP are untracked; ICMP and other protocols are tracked" {
		t.Errorf("vpc-out: %s %q", v.Reason, v.Detail)
	}
	// the simulator agrees: SSH from the narrow rule's peers opens no entry
	sim := NewSimulator(SimConfig{Attachment: att, Rules: []model.Rule{
		rule("ssh-world", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0")),
		rule("ssh-office", "sg", model.Ingress, model.TCP, 22, 22, cidr("19.16.0.0/24")), egress}}, DefaultParams)
	d := sim.Send(Packet{Inbound: true, Protocol: model.TCP, Remote: netip.MustParseAddr("19.16.0.7"), RemotePort: 40000, LocalPort: 22, Opening: true})
	if !d.Accept || !strings.Contains(d.Why, "untracked") {
		t.Errorf("simulator: %+v", d)
	}
}
