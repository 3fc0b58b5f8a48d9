package model

import (
	"fmt"
	"slices"
	"strings"
)

// PinnedChange is a change to a resource's rules or entries that
// Terraform will not apply: lifecycle ignore_changes names the argument, or
// a removed block with destroy = false forgets the resource.
type PinnedChange struct {
	Address string
	// Why says what keeps the change from being applied: lifecycle
	// ignore_changes (Args are the arguments it names, "all" for every
	// one), or a removed block with destroy = false (Args is nil).
	Why    string
	Args   []string
	Source Source
	// Kept is what stays admitted (or denied) although the configuration
	// no longer declares it; Dropped is what the configuration declares
	// that will not be created.
	Kept, Dropped []string
}

// PinIgnoredChanges makes head, the configuration a change leads to, hold
// what AWS will hold after the apply where Terraform will not apply the
// change. Terraform does not update an argument lifecycle ignore_changes
// names on a resource that exists (base declares it), so the rules and
// entries of those arguments stay as base has them; a resource base does
// not declare is created with its configuration. A removed block with
// destroy = false makes Terraform forget what it names without destroying
// it, so base's groups, rules and entries there stay. It returns each
// change so kept from being applied, so that it is never analysed as
// applied (and is reported).
//
// Inline rules and entries follow the ingress and egress arguments of
// their security group or network ACL. A rule or entry resource is kept
// as base has it when every argument that differs is ignored; when one
// that is not ignored differs, Terraform replaces the resource, and the
// new one has the whole configuration.
func (head *Snapshot) PinIgnoredChanges(base *Snapshot) []PinnedChange {
	var out []PinnedChange
	changed := false
	report := func(p PinnedChange, edited bool) {
		changed = changed || edited
		if len(p.Kept) > 0 || len(p.Dropped) > 0 {
			out = append(out, p)
		}
	}
	for _, ig := range head.IgnoreChanges {
		ignored := func(arg string) bool { return slices.Contains(ig.Args, "all") || slices.Contains(ig.Args, arg) }
		p := PinnedChange{Address: ig.Address, Why: "lifecycle ignore_changes (" + strings.Join(ig.Args, ", ") + ")",
			Args: ig.Args, Source: ig.Source}
		edited := head.pinGroup(base, ig.Address, ignored, &p)
		edited = head.pinRule(base, ig.Address, ignored, &p) || edited
		edited = head.pinNACL(base, ig.Address, ignored, &p) || edited
		edited = head.pinACLEntry(base, ig.Address, ignored, &p) || edited
		report(p, edited)
	}
	for _, f := range head.Forgotten {
		p := PinnedChange{Address: f.Address, Why: "the removed block with destroy = false", Source: f.Source}
		report(p, head.keepForgotten(base, f.Address, &p))
	}
	if changed {
		head.index = nil // built from the rules before
	}
	return out
}

// under reports whether addr is the resource or module call at, or an
// instance or part of it (at[0], at.ingress[0], module.x.aws_…).
func under(addr, at string) bool {
	return addr == at || strings.HasPrefix(addr, at+".") || strings.HasPrefix(addr, at+"[")
}

// keepForgotten puts back in head the groups, rules, network ACLs and
// entries under at that base declares and head no longer does: a removed
// block with destroy = false leaves them in AWS. It reports whether head
// changed.
func (head *Snapshot) keepForgotten(base *Snapshot, at string, p *PinnedChange) bool {
	changed := false
	for _, g := range base.Groups {
		if under(g.Address, at) && !slices.ContainsFunc(head.Groups, func(h SecurityGroup) bool { return h.Address == g.Address }) {
			head.Groups = append(head.Groups, g)
			changed = true
		}
	}
	var kept []Rule
	for _, r := range base.Rules {
		if (under(r.Name, at) || under(r.Group, at)) && !slices.ContainsFunc(head.Rules, func(h Rule) bool { return h.Name == r.Name }) {
			kept = append(kept, r)
		}
	}
	if len(kept) > 0 {
		p.note(ruleTexts(kept), nil)
		head.Rules = append(head.Rules, kept...)
		changed = true
	}
	for _, n := range base.NACLs {
		var entries []ACLEntry
		for _, e := range n.Entries {
			if under(e.Name, at) || under(n.Address, at) {
				entries = append(entries, e)
			}
		}
		if len(entries) == 0 {
			continue
		}
		i := slices.IndexFunc(head.NACLs, func(h NetworkACL) bool { return h.Address == n.Address })
		if i < 0 {
			if !under(n.Address, at) {
				continue // the network ACL itself is gone: so are its entries
			}
			c := n
			c.Entries = slices.Clone(n.Entries)
			head.NACLs = append(head.NACLs, c)
			p.note(entryTexts(c.Entries), nil)
			changed = true
			continue
		}
		h := &head.NACLs[i]
		var missing []ACLEntry
		for _, e := range entries {
			if !slices.ContainsFunc(h.Entries, func(x ACLEntry) bool { return x.Name == e.Name }) {
				missing = append(missing, e)
			}
		}
		if len(missing) > 0 {
			p.note(entryTexts(missing), nil)
			h.Entries = append(slices.Clone(h.Entries), missing...)
			sortEntries(h.Entries)
			changed = true
		}
	}
	return changed
}

// note records in p what keeping was instead of is leaves admitted and
// what it leaves out.
func (p *PinnedChange) note(was, is []string) {
	for _, k := range was {
		if !slices.Contains(is, k) {
			p.Kept = append(p.Kept, k)
		}
	}
	for _, k := range is {
		if !slices.Contains(was, k) {
			p.Dropped = append(p.Dropped, k)
		}
	}
}

// ruleText says what a rule admits, without its name.
func ruleText(r Rule) string {
	peer := "from " + r.Peer.String()
	if r.Direction == Egress {
		peer = "to " + r.Peer.String()
	}
	ports := fmt.Sprintf(" %d-%d", r.FromPort, r.ToPort)
	switch {
	case r.Protocol.IsICMP():
		ports = fmt.Sprintf(" type %d code %d", r.FromPort, r.ToPort)
	case !r.Protocol.HasPorts() || r.PortsAll():
		ports = ""
	case r.FromPort == r.ToPort:
		ports = fmt.Sprintf(" %d", r.FromPort)
	}
	return fmt.Sprintf("%s %s%s %s", r.Direction, r.Protocol, ports, peer)
}

// texts says what each of xs does, sorted, once each.
func texts[T any](xs []T, text func(T) string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, text(x))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func ruleTexts(rs []Rule) []string { return texts(rs, ruleText) }

// entryText says what a network ACL entry does.
func entryText(e ACLEntry) string {
	dir := "ingress"
	if e.Egress {
		dir = "egress"
	}
	ports := ""
	switch {
	case e.Protocol.IsICMP():
		ports = fmt.Sprintf(" type %d code %d", e.ICMPType, e.ICMPCode)
	case e.Protocol.HasPorts():
		ports = fmt.Sprintf(" %d-%d", e.FromPort, e.ToPort)
	}
	return fmt.Sprintf("%s entry %d %s %s%s %s", dir, e.Number, e.Action, e.Protocol, ports, e.CIDR)
}

func entryTexts(es []ACLEntry) []string { return texts(es, entryText) }

// directionArg is the argument that holds a group's or a network ACL's
// inline rules of a direction.
func directionArg(egress bool) string {
	if egress {
		return "egress"
	}
	return "ingress"
}

// pinGroup restores, for a security group base also declares, the inline
// rules of each ignored direction; it reports whether they differed.
func (head *Snapshot) pinGroup(base *Snapshot, addr string, ignored func(string) bool, p *PinnedChange) bool {
	if !slices.ContainsFunc(base.Groups, func(g SecurityGroup) bool { return g.Address == addr }) ||
		!slices.ContainsFunc(head.Groups, func(g SecurityGroup) bool { return g.Address == addr }) {
		return false
	}
	inline := func(egress bool) func(Rule) bool {
		return func(r Rule) bool {
			return r.Group == addr && r.Origin == "inline" && (r.Direction == Egress) == egress
		}
	}
	changed := false
	for _, egress := range []bool{false, true} {
		if !ignored(directionArg(egress)) {
			continue
		}
		keep, is := filter(base.Rules, inline(egress)), filter(head.Rules, inline(egress))
		if sameRules(is, keep) {
			continue
		}
		p.note(ruleTexts(keep), ruleTexts(is))
		head.Rules = append(slices.DeleteFunc(head.Rules, inline(egress)), keep...)
		changed = true
	}
	return changed
}

// ruleArgs are the arguments of the rule resources that decide a rule.
var ruleArgs = map[string]func(a, b Rule) bool{
	"type":      func(a, b Rule) bool { return a.Direction == b.Direction },
	"protocol":  func(a, b Rule) bool { return a.Protocol == b.Protocol },
	"from_port": func(a, b Rule) bool { return a.FromPort == b.FromPort },
	"to_port":   func(a, b Rule) bool { return a.ToPort == b.ToPort },
	"security_group_id": func(a, b Rule) bool {
		return a.Group == b.Group
	},
}

// peerArgs are, for each kind of peer, the arguments of the rule
// resources (aws_security_group_rule, aws_vpc_security_group_*_rule)
// that name it.
func peerArgs(p Peer) []string {
	switch {
	case p.Kind == PeerCIDR && p.Prefix.Addr().Is4():
		return []string{"cidr_blocks", "cidr_ipv4"}
	case p.Kind == PeerCIDR:
		return []string{"ipv6_cidr_blocks", "cidr_ipv6"}
	case p.Kind == PeerPrefixList:
		return []string{"prefix_list_ids", "prefix_list_id"}
	case p.Kind == PeerSelf:
		return []string{"self", "referenced_security_group_id"}
	}
	return []string{"source_security_group_id", "referenced_security_group_id"}
}

// peersIgnored reports whether every peer that differs between was and
// is is named by an ignored argument.
func peersIgnored(was, is []Rule, ignored func(string) bool) bool {
	in := func(rs []Rule, p Peer) bool {
		return slices.ContainsFunc(rs, func(r Rule) bool { return r.Peer.String() == p.String() })
	}
	for _, pair := range [][2][]Rule{{was, is}, {is, was}} {
		for _, r := range pair[0] {
			if !in(pair[1], r.Peer) && !slices.ContainsFunc(peerArgs(r.Peer), ignored) {
				return false
			}
		}
	}
	return true
}

// pinRule keeps, for a rule resource base also declares, base's rules when
// every argument that differs is ignored; it reports whether they
// differed.
func (head *Snapshot) pinRule(base *Snapshot, addr string, ignored func(string) bool, p *PinnedChange) bool {
	named := func(r Rule) bool { return r.Name == addr && r.Origin == "standalone" }
	was, is := filter(base.Rules, named), filter(head.Rules, named)
	if len(was) == 0 || len(is) == 0 || sameRules(was, is) {
		return false
	}
	// the arguments are one per rule resource: every rule of it shares
	// all but the peer
	for arg, same := range ruleArgs {
		if !same(was[0], is[0]) && !ignored(arg) && !(arg == "protocol" && ignored("ip_protocol")) {
			return false
		}
	}
	if !peersIgnored(was, is, ignored) {
		return false
	}
	p.note(ruleTexts(was), ruleTexts(is))
	head.Rules = append(slices.DeleteFunc(head.Rules, named), was...)
	return true
}

// pinNACL restores, for a network ACL base also declares, the inline
// entries of each ignored direction; it reports whether they differed.
func (head *Snapshot) pinNACL(base *Snapshot, addr string, ignored func(string) bool, p *PinnedChange) bool {
	i := slices.IndexFunc(head.NACLs, func(n NetworkACL) bool { return n.Address == addr })
	j := slices.IndexFunc(base.NACLs, func(n NetworkACL) bool { return n.Address == addr })
	if i < 0 || j < 0 {
		return false
	}
	n := &head.NACLs[i]
	changed := false
	for _, egress := range []bool{false, true} {
		if !ignored(directionArg(egress)) {
			continue
		}
		inline := func(e ACLEntry) bool { return !e.Standalone && e.Egress == egress }
		keep, is := filter(base.NACLs[j].Entries, inline), filter(n.Entries, inline)
		if sameEntries(is, keep) {
			continue
		}
		p.note(entryTexts(keep), entryTexts(is))
		n.Entries = append(slices.DeleteFunc(slices.Clone(n.Entries), inline), keep...)
		changed = true
	}
	if changed {
		sortEntries(n.Entries)
	}
	return changed
}

// pinACLEntry keeps, for an aws_network_acl_rule base also declares, base's
// entry when ignore_changes is all (its arguments are all the entry).
func (head *Snapshot) pinACLEntry(base *Snapshot, addr string, ignored func(string) bool, p *PinnedChange) bool {
	if !ignored("all") {
		return false
	}
	var was *ACLEntry
	for i := range base.NACLs {
		for k := range base.NACLs[i].Entries {
			if e := &base.NACLs[i].Entries[k]; e.Standalone && e.Name == addr {
				was = e
			}
		}
	}
	if was == nil {
		return false
	}
	for i := range head.NACLs {
		for k := range head.NACLs[i].Entries {
			if e := &head.NACLs[i].Entries[k]; e.Standalone && e.Name == addr && !sameEntries([]ACLEntry{*e}, []ACLEntry{*was}) {
				p.note([]string{entryText(*was)}, []string{entryText(*e)})
				head.NACLs[i].Entries = slices.Clone(head.NACLs[i].Entries)
				head.NACLs[i].Entries[k] = *was
				sortEntries(head.NACLs[i].Entries)
				return true
			}
		}
	}
	return false
}

func filter[T any](s []T, keep func(T) bool) []T {
	var out []T
	for _, x := range s {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// ruleKey is what a rule admits, without where it is written.
func ruleKey(r Rule) string {
	return fmt.Sprintf("%s|%s|%s|%d|%d|%s|%s", r.Name, r.Group, r.Direction, r.FromPort, r.ToPort, r.Protocol, r.Peer)
}

// entryKey is what a network ACL entry does, without where it is written.
func entryKey(e ACLEntry) string {
	return fmt.Sprintf("%d|%t|%s|%s|%s|%d|%d|%d|%d", e.Number, e.Egress, e.Protocol, e.Action, e.CIDR, e.FromPort, e.ToPort, e.ICMPType, e.ICMPCode)
}

// sameBy reports whether a and b hold the same elements, in any order, by
// key.
func sameBy[T any](a, b []T, key func(T) string) bool {
	if len(a) != len(b) {
		return false
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = key(a[i]), key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

func sameRules(a, b []Rule) bool { return sameBy(a, b, ruleKey) }

func sameEntries(a, b []ACLEntry) bool { return sameBy(a, b, entryKey) }
