package analyzer

import (
	"fmt"
	"slices"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sgcheck/sgcheck/model"
	"go4.org/netipx"
)

// naclServices are the ports SGC103 judges on network ACLs: the
// administration and FTP ports the peers' NACL checks name.
var naclServices = []service{{20, "FTP data", "admin"}, {21, "FTP", "admin"}, {22, "SSH", "admin"}, {3389, "RDP", "admin"}}

// NACLExposureDoc is what the ingress entries of a network ACL, read in
// rule-number order with the first match deciding (docs/aws-semantics.md
// §7), admit from every address of one family. Kind "ports" lists
// well-known ports (SGC103); kind "all" says every port of Protocols is
// admitted (SGC104). Entries are the allow entries that admit part of it,
// in rule-number order; an allow entry an earlier deny takes back is not
// among them.
type NACLExposureDoc struct {
	Kind      string   `json:"kind"`
	Family    string   `json:"family"`
	Protocols []string `json:"protocols,omitempty"`
	// AllTraffic says every contributing entry allows every protocol.
	AllTraffic bool      `json:"all_traffic,omitempty"`
	Ports      []int     `json:"ports,omitempty"`
	Services   []string  `json:"services,omitempty"`
	Entries    []string  `json:"entries"`
	Numbers    []int     `json:"numbers"`
	CIDRs      []string  `json:"cidrs"`
	Location   *Location `json:"location,omitempty"`
	Related    []Related `json:"related,omitempty"`
}

// naclExposures works out what a network ACL's ingress entries admit from
// the whole of each address family: every TCP or UDP port, or, when not
// every port, which of naclServices. An entry for the return-traffic range
// (from 1024 or above up to 65535) admits such a port only incidentally and
// does not make one reported on its own.
func naclExposures(n *model.NetworkACL) []NACLExposureDoc {
	var out []NACLExposureDoc
	for _, fam := range []string{"ipv4", "ipv6"} {
		var in []model.ACLEntry
		for _, e := range n.Entries {
			if !e.Egress && familyOf(e) == fam {
				in = append(in, e)
			}
		}
		if len(in) == 0 {
			continue
		}
		sort.SliceStable(in, func(i, j int) bool { return in[i].Number < in[j].Number })
		allOpen := map[model.Protocol]bool{}
		var allContrib []int
		for _, p := range []model.Protocol{model.TCP, model.UDP} {
			open, contrib := naclAllPorts(in, p, fam)
			if open {
				allOpen[p] = true
				allContrib = mergeIdx(allContrib, contrib)
			}
		}
		if len(allOpen) > 0 {
			if i, ok := soleWorldEntry(in, allContrib, func(e model.ACLEntry) bool {
				for p := range allOpen {
					if !(e.Protocol == model.All || (e.Protocol == p && e.FromPort <= 0 && e.ToPort >= 65535)) {
						return false
					}
				}
				return true
			}); ok {
				allContrib = []int{i}
			}
			x := naclExposureOf(in, allContrib, fam)
			x.Kind = "all"
			x.AllTraffic = true
			last := 0
			for _, i := range allContrib {
				x.AllTraffic = x.AllTraffic && in[i].Protocol == model.All
				last = max(last, i)
			}
			// a deny decided first for another protocol (ICMP, GRE, …):
			// not all traffic is admitted, only every TCP and UDP port
			for _, e := range in[:last] {
				x.AllTraffic = x.AllTraffic && e.Action != model.Deny
			}
			for _, p := range []model.Protocol{model.TCP, model.UDP} {
				if allOpen[p] {
					x.Protocols = append(x.Protocols, p.String())
				}
			}
			out = append(out, x)
		}
		if allOpen[model.TCP] {
			continue // its ports are SGC104's
		}
		// ports admitted by the same entries make one finding
		byEntries := map[string]int{}
		for _, s := range naclServices {
			world, contrib := naclAdmits(in, model.TCP, s.port, fam)
			if !world || !slices.ContainsFunc(contrib, func(i int) bool { return specificEntry(in[i]) }) {
				continue
			}
			if i, ok := soleWorldEntry(in, contrib, func(e model.ACLEntry) bool {
				return specificEntry(e) && naclMatches(e, model.TCP, s.port)
			}); ok {
				contrib = []int{i}
			}
			key := fmt.Sprint(contrib)
			k, ok := byEntries[key]
			if !ok {
				x := naclExposureOf(in, contrib, fam)
				x.Kind = "ports"
				out = append(out, x)
				k = len(out) - 1
				byEntries[key] = k
			}
			out[k].Ports = append(out[k].Ports, s.port)
			out[k].Services = append(out[k].Services, s.name)
		}
	}
	return out
}

// soleWorldEntry finds, among the contributing entries, the first that
// allows the whole address family and by itself (covers) everything the
// exposure is about: naming it alone says all that matters, and the
// narrower allow entries before it, which decide some addresses first, are
// left out of the finding.
func soleWorldEntry(entries []model.ACLEntry, contrib []int, covers func(model.ACLEntry) bool) (int, bool) {
	for _, i := range contrib {
		if e := entries[i]; e.CIDR.Bits() == 0 && covers(e) {
			return i, true
		}
	}
	return 0, false
}

// specificEntry is an entry that allows some ports of TCP (not all of
// them, not the return-traffic range).
func specificEntry(e model.ACLEntry) bool {
	return e.Protocol == model.TCP && !(e.FromPort <= 0 && e.ToPort >= 65535) && !(e.FromPort >= 1024 && e.ToPort >= 65535)
}

func familyOf(e model.ACLEntry) string {
	if e.CIDR.Addr().Is4() {
		return "ipv4"
	}
	return "ipv6"
}

func naclMatches(e model.ACLEntry, p model.Protocol, port int) bool {
	return e.Protocol == model.All || (e.Protocol == p && e.FromPort <= port && port <= e.ToPort)
}

// naclAdmits says whether the entries (ingress, one family, in rule-number
// order) admit protocol p on port from every address of fam, and which
// allow entries admit part of it: for each address the first matching
// entry decides.
func naclAdmits(entries []model.ACLEntry, p model.Protocol, port int, fam string) (bool, []int) {
	var decided, admitted netipx.IPSetBuilder
	var contrib []int
	for i, e := range entries {
		if !naclMatches(e, p, port) {
			continue
		}
		if e.Action == model.Allow {
			before, _ := decided.IPSet()
			var fresh netipx.IPSetBuilder
			fresh.AddPrefix(e.CIDR)
			fresh.RemoveSet(before)
			if set, _ := fresh.IPSet(); len(set.Prefixes()) > 0 {
				admitted.AddSet(set)
				contrib = append(contrib, i)
			}
		}
		decided.AddPrefix(e.CIDR)
		if e.CIDR.Bits() == 0 {
			break // every later entry is decided already
		}
	}
	set, _ := admitted.IPSet()
	return set.ContainsPrefix(wholeFamily[fam]), contrib
}

// naclAllPorts says whether every port of p is admitted from the whole
// family: ports between the entries' range boundaries behave alike, so one
// port of each stretch is tried.
func naclAllPorts(entries []model.ACLEntry, p model.Protocol, fam string) (bool, []int) {
	cuts := []int{0}
	for _, e := range entries {
		if e.Protocol == p {
			cuts = append(cuts, e.FromPort, e.ToPort+1)
		}
	}
	sort.Ints(cuts)
	cuts = slices.Compact(cuts)
	var all []int
	for _, port := range cuts {
		if port < 0 || port > 65535 {
			continue
		}
		world, contrib := naclAdmits(entries, p, port, fam)
		if !world {
			return false, nil
		}
		all = mergeIdx(all, contrib)
	}
	return true, all
}

func mergeIdx(a, b []int) []int {
	a = append(a, b...)
	sort.Ints(a)
	return slices.Compact(a)
}

func naclExposureOf(entries []model.ACLEntry, contrib []int, fam string) NACLExposureDoc {
	x := NACLExposureDoc{Family: fam}
	for k, i := range contrib {
		e := entries[i]
		x.Entries = append(x.Entries, e.Name)
		x.Numbers = append(x.Numbers, e.Number)
		x.CIDRs = append(x.CIDRs, e.CIDR.String())
		l := LocationOf(e.Source)
		if k == 0 {
			x.Location = l
		} else if l != nil {
			x.Related = append(x.Related, Related{Message: fmt.Sprintf("entry %d", e.Number), Location: l})
		}
	}
	return x
}

func (in interner) naclExposure(x *NACLExposureDoc) *ast.Term {
	b := &objBuilder{in: in}
	b.str("kind", x.Kind)
	b.str("family", x.Family)
	b.strs("protocols", x.Protocols, true)
	if x.AllTraffic {
		b.put("all_traffic", ast.BooleanTerm(true))
	}
	ints := func(key string, v []int) {
		if len(v) == 0 {
			return
		}
		ts := make([]*ast.Term, len(v))
		for i, n := range v {
			ts[i] = ast.IntNumberTerm(n)
		}
		b.put(key, ast.ArrayTerm(ts...))
	}
	ints("ports", x.Ports)
	b.strs("services", x.Services, true)
	b.strs("entries", x.Entries, false)
	ints("numbers", x.Numbers)
	b.strs("cidrs", x.CIDRs, false)
	b.location("location", x.Location, true)
	b.related(x.Related)
	return b.term()
}
