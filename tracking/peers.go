package tracking

import (
	"net/netip"
	"sort"
	"strings"

	"github.com/sgcheck/sgcheck/model"
	"go4.org/netipx"
)

var (
	allIPv4 = netip.MustParsePrefix("0.0.0.0/0")
	allIPv6 = netip.MustParsePrefix("::/0")
)

// PeerSet is a set of peers: addresses, plus symbolic peers whose addresses
// the configuration does not list (group members, prefix lists, unknowns).
type PeerSet struct {
	IPs   *netipx.IPSet
	Atoms []string // sorted, e.g. "security-group:aws_security_group.app"
}

func emptyPeers() PeerSet { return PeerSet{IPs: &netipx.IPSet{}} }

// atom names a non-address peer.
func atom(p model.Peer, rule string) string {
	switch p.Kind {
	case model.PeerUnknown:
		// An unknown peer is only equal to itself: the same rule, unchanged.
		return "unknown:" + rule + ":" + p.Ref
	case model.PeerSelf:
		return "self:" + unconditional(p.Ref)
	}
	// a group that became conditional on one side is the same group
	return string(p.Kind) + ":" + unconditional(p.Ref)
}

// peerSetOf collects the peers of rules.
func peerSetOf(rules []*model.Rule) PeerSet {
	var b netipx.IPSetBuilder
	atoms := map[string]bool{}
	for _, r := range rules {
		if r.Peer.Kind == model.PeerCIDR {
			b.AddPrefix(r.Peer.Prefix)
		} else {
			atoms[atom(r.Peer, r.Name)] = true
		}
	}
	ips, _ := b.IPSet()
	return PeerSet{IPs: ips, Atoms: sortedKeys(atoms)}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Minus returns the peers of s not in o.
func (s PeerSet) Minus(o PeerSet) PeerSet {
	var b netipx.IPSetBuilder
	b.AddSet(s.IPs)
	b.RemoveSet(o.IPs)
	ips, _ := b.IPSet()
	drop := map[string]bool{}
	for _, a := range o.Atoms {
		drop[a] = true
	}
	var atoms []string
	for _, a := range s.Atoms {
		if !drop[a] {
			atoms = append(atoms, a)
		}
	}
	return PeerSet{IPs: ips, Atoms: atoms}
}

// withoutMembersIn drops from s the security groups and prefix lists whose
// addresses o holds: the model takes a group's members and a prefix list's
// entries to be IPv4 addresses (as the witnesses that prove a claim do), so
// o holding every IPv4 address holds them: a rule whose peer changes from a
// group to 0.0.0.0/0 revokes nothing from the group's members.
func (s PeerSet) withoutMembersIn(o PeerSet) PeerSet {
	if len(s.Atoms) == 0 || !o.IPs.ContainsPrefix(allIPv4) {
		return s
	}
	var atoms []string
	for _, a := range s.Atoms {
		if strings.HasPrefix(a, "unknown:") {
			atoms = append(atoms, a) // may be any address, of either family
		}
	}
	return PeerSet{IPs: s.IPs, Atoms: atoms}
}

// Union returns the peers in s or o.
func (s PeerSet) Union(o PeerSet) PeerSet {
	var b netipx.IPSetBuilder
	b.AddSet(s.IPs)
	b.AddSet(o.IPs)
	ips, _ := b.IPSet()
	m := map[string]bool{}
	for _, a := range append(append([]string(nil), s.Atoms...), o.Atoms...) {
		m[a] = true
	}
	return PeerSet{IPs: ips, Atoms: sortedKeys(m)}
}

// Family returns the part of s in one address family, without atoms.
func (s PeerSet) Family(v6 bool) PeerSet {
	var b netipx.IPSetBuilder
	b.AddSet(s.IPs)
	if v6 {
		b.Intersect(setOf(allIPv6))
	} else {
		b.Intersect(setOf(allIPv4))
	}
	ips, _ := b.IPSet()
	return PeerSet{IPs: ips}
}

func setOf(p netip.Prefix) *netipx.IPSet {
	var b netipx.IPSetBuilder
	b.AddPrefix(p)
	s, _ := b.IPSet()
	return s
}

// Empty reports whether s has no peer.
func (s PeerSet) Empty() bool { return len(s.IPs.Ranges()) == 0 && len(s.Atoms) == 0 }

// Equal reports whether s and o are the same set.
func (s PeerSet) Equal(o PeerSet) bool {
	return s.IPs.Equal(o.IPs) && strings.Join(s.Atoms, "\x00") == strings.Join(o.Atoms, "\x00")
}

// String describes the set for people: prefixes, or "everything except …"
// where the complement within the family is shorter.
func (s PeerSet) String() string {
	var parts []string
	for _, v6 := range []bool{false, true} {
		fam := s.Family(v6)
		prefixes := fam.IPs.Prefixes()
		if len(prefixes) == 0 {
			continue
		}
		all := allIPv4
		if v6 {
			all = allIPv6
		}
		var c netipx.IPSetBuilder
		c.AddPrefix(all)
		c.RemoveSet(fam.IPs)
		comp, _ := c.IPSet()
		cp := comp.Prefixes()
		if len(cp) > 0 && len(cp) < len(prefixes) {
			parts = append(parts, "everything except "+joinPrefixes(cp))
			if v6 {
				parts[len(parts)-1] += " (IPv6)"
			}
			continue
		}
		parts = append(parts, joinPrefixes(prefixes))
	}
	for _, a := range s.Atoms {
		parts = append(parts, describeAtom(a))
	}
	return strings.Join(parts, ", ")
}

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

func describeAtom(a string) string {
	kind, ref, _ := strings.Cut(a, ":")
	switch kind {
	case string(model.PeerGroup):
		return "members of " + ref
	case string(model.PeerPrefixList):
		return "prefix list " + ref
	case "self":
		return "members of the group itself"
	case "unknown":
		return "an undetermined peer"
	}
	return a
}

// Sample returns a concrete address of s, for witnesses: the lowest address
// that is not a network or broadcast-looking corner where possible.
func (s PeerSet) Sample(v6 bool) (netip.Addr, bool) {
	ranges := s.Family(v6).IPs.Ranges()
	if len(ranges) == 0 {
		return netip.Addr{}, false
	}
	a := ranges[0].From()
	if ranges[0].From() != ranges[0].To() && a.Next().IsValid() {
		a = a.Next()
	}
	return a, true
}

// Intersect returns the peers in both s and o.
func (s PeerSet) Intersect(o PeerSet) PeerSet {
	var b netipx.IPSetBuilder
	b.AddSet(s.IPs)
	b.Intersect(o.IPs)
	ips, _ := b.IPSet()
	keep := map[string]bool{}
	for _, a := range o.Atoms {
		keep[a] = true
	}
	var atoms []string
	for _, a := range s.Atoms {
		if keep[a] {
			atoms = append(atoms, a)
		}
	}
	return PeerSet{IPs: ips, Atoms: atoms}
}
