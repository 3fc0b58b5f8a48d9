package model

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func sgRule(name, group string, dir Direction, port int, cidr, origin string) Rule {
	return Rule{Name: name, Group: group, Direction: dir, Protocol: TCP, FromPort: port, ToPort: port,
		Peer: Peer{Kind: PeerCIDR, Prefix: netip.MustParsePrefix(cidr)}, Origin: origin}
}

func ruleSet(s *Snapshot) []string {
	var out []string
	for _, r := range s.Rules {
		out = append(out, r.Name+" "+ruleText(r))
	}
	slices.Sort(out)
	return out
}

// Terraform's lifecycle meta-argument: ignore_changes keeps a change to
// the arguments it names from being applied to a resource that exists, so
// the rules stay as they were; a created resource has its configuration;
// an argument that is not ignored still changes (a rule resource is then
// replaced with its whole configuration).
func TestPinIgnoredChanges(t *testing.T) {
	web := SecurityGroup{Address: "aws_security_group.web"}
	base := &Snapshot{Groups: []SecurityGroup{web}, Rules: []Rule{
		sgRule("aws_security_group.web.ingress[0]", web.Address, Ingress, 22, "203.0.113.7/32", "inline"),
		sgRule("aws_security_group.web.egress[0]", web.Address, Egress, 443, "10.0.0.0/8", "inline"),
		sgRule("aws_security_group_rule.db", web.Address, Ingress, 5432, "10.1.0.0/16", "standalone"),
		sgRule("aws_security_group_rule.cache", web.Address, Ingress, 6379, "10.1.0.0/16", "standalone"),
		sgRule("aws_security_group_rule.v6", web.Address, Ingress, 443, "10.1.0.0/16", "standalone"),
	}}
	head := &Snapshot{Groups: []SecurityGroup{web, {Address: "aws_security_group.new"}}, Rules: []Rule{
		sgRule("aws_security_group.web.ingress[0]", web.Address, Ingress, 22, "198.51.100.0/24", "inline"),
		sgRule("aws_security_group.web.egress[0]", web.Address, Egress, 443, "10.2.0.0/16", "inline"),
		sgRule("aws_security_group_rule.db", web.Address, Ingress, 5432, "10.9.0.0/16", "standalone"),
		sgRule("aws_security_group_rule.cache", web.Address, Ingress, 6380, "10.9.0.0/16", "standalone"),
		sgRule("aws_security_group.new.ingress[0]", "aws_security_group.new", Ingress, 80, "0.0.0.0/0", "inline"),
		sgRule("aws_security_group_rule.v6", web.Address, Ingress, 443, "2001:db8::/32", "standalone"),
	}, IgnoreChanges: []IgnoredChanges{
		{Address: "aws_security_group_rule.v6", Args: []string{"cidr_blocks"}}, // an IPv6 range replaced an IPv4 one: not only cidr_blocks
		{Address: web.Address, Args: []string{"ingress", "tags"}},
		{Address: "aws_security_group_rule.db", Args: []string{"cidr_blocks"}},
		{Address: "aws_security_group_rule.cache", Args: []string{"cidr_blocks"}}, // its port changed too: replaced
		{Address: "aws_security_group.new", Args: []string{"all"}},                // created: nothing to keep
	}}
	pins := head.PinIgnoredChanges(base)
	var got []string
	for _, p := range pins {
		got = append(got, p.Address+" kept="+strings.Join(p.Kept, ",")+" dropped="+strings.Join(p.Dropped, ","))
	}
	want := []string{
		"aws_security_group.web kept=ingress tcp 22 from 203.0.113.7/32 dropped=ingress tcp 22 from 198.51.100.0/24",
		"aws_security_group_rule.db kept=ingress tcp 5432 from 10.1.0.0/16 dropped=ingress tcp 5432 from 10.9.0.0/16",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("pinned:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantRules := []string{
		"aws_security_group.new.ingress[0] ingress tcp 80 from 0.0.0.0/0",
		"aws_security_group.web.egress[0] egress tcp 443 to 10.2.0.0/16",
		"aws_security_group.web.ingress[0] ingress tcp 22 from 203.0.113.7/32",
		"aws_security_group_rule.cache ingress tcp 6380 from 10.9.0.0/16",
		"aws_security_group_rule.db ingress tcp 5432 from 10.1.0.0/16",
		"aws_security_group_rule.v6 ingress tcp 443 from 2001:db8::/32",
	}
	if got := ruleSet(head); strings.Join(got, "\n") != strings.Join(wantRules, "\n") {
		t.Errorf("rules after the apply:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantRules, "\n"))
	}
	// nothing differs: nothing to report
	if again := head.PinIgnoredChanges(base); len(again) != 0 {
		t.Errorf("pinned twice: %+v", again)
	}
}

// Network ACL entries follow the same rules: inline entries by direction,
// an entry resource with ignore_changes = all.
func TestPinIgnoredNACLChanges(t *testing.T) {
	entry := func(name string, n int, cidr string, standalone bool) ACLEntry {
		return ACLEntry{Name: name, Number: n, Protocol: TCP, Action: Allow, CIDR: netip.MustParsePrefix(cidr),
			FromPort: 22, ToPort: 22, Standalone: standalone}
	}
	base := &Snapshot{NACLs: []NetworkACL{{Address: "aws_network_acl.a", Entries: []ACLEntry{
		entry("aws_network_acl.a.ingress[0]", 100, "203.0.113.0/24", false),
		entry("aws_network_acl_rule.r", 200, "198.51.100.0/24", true),
	}}}}
	head := &Snapshot{NACLs: []NetworkACL{{Address: "aws_network_acl.a", Entries: []ACLEntry{
		entry("aws_network_acl.a.ingress[0]", 100, "192.0.2.0/24", false),
		entry("aws_network_acl_rule.r", 200, "10.0.0.0/8", true),
	}}}, IgnoreChanges: []IgnoredChanges{
		{Address: "aws_network_acl.a", Args: []string{"ingress"}},
		{Address: "aws_network_acl_rule.r", Args: []string{"all"}},
	}}
	pins := head.PinIgnoredChanges(base)
	if len(pins) != 2 || pins[0].Kept[0] != "ingress entry 100 allow tcp 22-22 203.0.113.0/24" ||
		pins[1].Dropped[0] != "ingress entry 200 allow tcp 22-22 10.0.0.0/8" {
		t.Errorf("pinned: %+v", pins)
	}
	if !sameEntries(head.NACLs[0].Entries, base.NACLs[0].Entries) {
		t.Errorf("entries after the apply: %+v", head.NACLs[0].Entries)
	}
}

// A removed block with destroy = false (Terraform 1.7) makes Terraform
// forget a resource, or every resource of a module call, without
// destroying it: what base declares there stays.
func TestKeepForgotten(t *testing.T) {
	g := SecurityGroup{Address: "aws_security_group.web"}
	mg := SecurityGroup{Address: "module.legacy.aws_security_group.old"}
	base := &Snapshot{Groups: []SecurityGroup{g, mg}, Rules: []Rule{
		sgRule("aws_security_group_rule.contractor", g.Address, Ingress, 22, "203.0.113.7/32", "standalone"),
		sgRule("aws_security_group_rule.contractor_v6", g.Address, Ingress, 22, "203.0.113.8/32", "standalone"),
		sgRule("module.legacy.aws_security_group.old.ingress[0]", mg.Address, Ingress, 3389, "198.51.100.0/24", "inline"),
	}}
	head := &Snapshot{Groups: []SecurityGroup{g}, Forgotten: []Forgotten{
		{Address: "aws_security_group_rule.contractor"}, {Address: "module.legacy"}, {Address: "aws_security_group_rule.gone"},
	}}
	pins := head.PinIgnoredChanges(base)
	if len(pins) != 2 || pins[0].Kept[0] != "ingress tcp 22 from 203.0.113.7/32" || pins[1].Kept[0] != "ingress tcp 3389 from 198.51.100.0/24" {
		t.Errorf("pinned: %+v", pins)
	}
	want := []string{
		"aws_security_group_rule.contractor ingress tcp 22 from 203.0.113.7/32",
		"module.legacy.aws_security_group.old.ingress[0] ingress tcp 3389 from 198.51.100.0/24",
	}
	if got := ruleSet(head); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rules:\n%s", strings.Join(got, "\n"))
	}
	if len(head.Groups) != 2 {
		t.Errorf("groups: %+v", head.Groups)
	}
}
