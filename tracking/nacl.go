package tracking

import "github.com/sgcheck/sgcheck/model"

// ShadowedBy returns, for each entry of a NACL, the lower-numbered entry of
// the same direction that matches every packet it would match, so that it
// never decides anything (docs/aws-semantics.md §7: the first match wins).
// Entries that are reachable map to nothing.
func ShadowedBy(n model.NetworkACL) map[int]model.ACLEntry {
	out := map[int]model.ACLEntry{}
	for i, e := range n.Entries {
		var by *model.ACLEntry
		for j := range n.Entries {
			c := &n.Entries[j]
			if c.Egress == e.Egress && c.Number < e.Number && covers(*c, e) && (by == nil || c.Number < by.Number) {
				by = c
			}
		}
		if by != nil {
			out[i] = *by
		}
	}
	return out
}

// covers reports whether entry a matches every packet entry b matches.
func covers(a, b model.ACLEntry) bool {
	if a.CIDR.Addr().Is4() != b.CIDR.Addr().Is4() || a.CIDR.Bits() > b.CIDR.Bits() || !a.CIDR.Contains(b.CIDR.Addr()) {
		return false
	}
	switch {
	case a.Protocol == model.All:
		return true
	case a.Protocol != b.Protocol:
		return false
	case a.Protocol.HasPorts():
		return a.FromPort <= b.FromPort && b.ToPort <= a.ToPort
	case a.Protocol.IsICMP():
		return (a.ICMPType == -1 || a.ICMPType == b.ICMPType) && (a.ICMPCode == -1 || a.ICMPCode == b.ICMPCode)
	}
	return true
}
