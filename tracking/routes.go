package tracking

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/sgcheck/sgcheck/model"
	"go4.org/netipx"
)

// Routes and automatic tracking (docs/aws-semantics.md §3): connections
// through a NAT gateway, a transit gateway attachment, an egress-only
// internet gateway, a Gateway Load Balancer endpoint or a firewall endpoint
// are tracked whatever the rules say. Which of a rule's peers go through
// one is decided by the subnet's route table, longest prefix first, per
// family: the peer set is split where only part of it does.

// RoutedPart is the part of a rule's peers that one route sends through an
// automatically tracking target.
type RoutedPart struct {
	Prefixes []netip.Prefix
	Route    model.Route
}

// String names the part and its route with where the route is declared.
func (p RoutedPart) String() string {
	return fmt.Sprintf("%s via %s", p.prefixes(), RouteWhere(p.Route))
}

// Text names the part and its route without a source position, for facts
// that must not change when code moves.
func (p RoutedPart) Text() string {
	return fmt.Sprintf("%s via %s", p.prefixes(), RouteText(p.Route))
}

// prefixes names the part's addresses: as the route's destination less
// what it does not carry ("10.0.0.0/8 except 10.20.0.0/16") where that is
// shorter than the list of prefixes.
func (p RoutedPart) prefixes() string {
	if p.Route.Dest.IsValid() && len(p.Prefixes) > 2 {
		var b netipx.IPSetBuilder
		b.AddPrefix(p.Route.Dest)
		for _, x := range p.Prefixes {
			b.RemovePrefix(x)
		}
		rest, _ := b.IPSet()
		if ex := rest.Prefixes(); len(ex) < len(p.Prefixes) {
			names := make([]string, len(ex))
			for i, x := range ex {
				names[i] = x.String()
			}
			return p.Route.Dest.String() + " except " + strings.Join(names, ", ")
		}
	}
	parts := make([]string, len(p.Prefixes))
	for i, x := range p.Prefixes {
		parts[i] = x.String()
	}
	return strings.Join(parts, ", ")
}

// RouteText names a route for messages: destination, target and kind, and
// where it is declared.
func RouteText(r model.Route) string {
	dest := r.DestPrefixList
	if r.Dest.IsValid() {
		dest = r.Dest.String()
	}
	return fmt.Sprintf("route %s → %s (%s)", dest, r.Target, r.Kind)
}

// RouteWhere is RouteText with where the route is declared.
func RouteWhere(r model.Route) string {
	s := RouteText(r)
	if r.Source.File != "" {
		s += fmt.Sprintf(" at %s:%d", r.Source.File, r.Source.StartLine)
	}
	return s
}

// regions gives, for each route of the table with a CIDR destination, the
// addresses it carries: its destination less the more specific routes'.
func regions(rt model.Routing) []struct {
	route model.Route
	set   *netipx.IPSet
} {
	routes := append([]model.Route(nil), rt.Routes...)
	sort.SliceStable(routes, func(i, j int) bool { return routes[i].Dest.Bits() > routes[j].Dest.Bits() })
	var out []struct {
		route model.Route
		set   *netipx.IPSet
	}
	var taken netipx.IPSetBuilder
	for _, r := range routes {
		if !r.Dest.IsValid() {
			continue
		}
		var b netipx.IPSetBuilder
		b.AddPrefix(r.Dest)
		done, _ := taken.IPSet()
		b.RemoveSet(done)
		set, _ := b.IPSet()
		taken.AddPrefix(r.Dest)
		out = append(out, struct {
			route model.Route
			set   *netipx.IPSet
		}{r, set})
	}
	return out
}

// routedParts splits peers by the routes that carry them through an
// automatically tracking target; rest is what no such route carries.
func routedParts(rt model.Routing, peers *netipx.IPSet) (parts []RoutedPart, rest *netipx.IPSet) {
	var restB netipx.IPSetBuilder
	restB.AddSet(peers)
	for _, reg := range regions(rt) {
		if !model.AutoTrackedRoute(reg.route.Kind) {
			continue
		}
		var b netipx.IPSetBuilder
		b.AddSet(peers)
		b.Intersect(reg.set)
		in, _ := b.IPSet()
		if len(in.Ranges()) == 0 {
			continue
		}
		restB.RemoveSet(in)
		parts = append(parts, RoutedPart{Prefixes: in.Prefixes(), Route: reg.route})
	}
	rest, _ = restB.IPSet()
	sort.SliceStable(parts, func(i, j int) bool {
		return parts[i].Prefixes[0].Addr().Less(parts[j].Prefixes[0].Addr())
	})
	return parts, rest
}

// autoRoutedSet is the set of addresses the attachment's routes send
// through automatically tracking targets.
func autoRoutedSet(att model.Attachment) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, reg := range regions(att.Routing) {
		if model.AutoTrackedRoute(reg.route.Kind) {
			b.AddSet(reg.set)
		}
	}
	s, _ := b.IPSet()
	return s
}

// routeAssumption is what an "untracked, cut at once" claim assumes when
// the routes that could make the flows automatically tracked are not known.
func routeAssumption(att model.Attachment, peer netip.Prefix) string {
	if !att.Routing.Known {
		why := att.Routing.Why
		if why == "" {
			why = "the subnet is not known"
		}
		return "unless these flows pass through a NAT gateway, transit gateway, egress-only internet gateway, " +
			"Gateway Load Balancer endpoint or firewall endpoint: the subnet's routes are not in the input (" + why + ")"
	}
	for _, r := range att.Routing.Routes {
		if r.Kind == model.RouteUnknown && (!r.Dest.IsValid() || r.Dest.Overlaps(peer)) {
			return "unless " + RouteText(r) + " leads to an automatically tracking target: its target is not determined"
		}
		if r.DestPrefixList != "" && model.AutoTrackedRoute(r.Kind) {
			return "except for the addresses of " + r.DestPrefixList + ", routed through " + r.Target +
				" (" + r.Kind + ", automatically tracked)"
		}
	}
	return ""
}
