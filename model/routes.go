package model

import (
	"net/netip"
	"sort"
	"strings"
)

// RouteTable is a VPC route table: which subnets use it and where it sends
// each destination.
type RouteTable struct {
	Address string
	VPC     string
	// Main marks the VPC's main route table, which every subnet without
	// an explicit association uses.
	Main    bool
	Subnets []string
	Routes  []Route
	Source  Source
}

// Route sends a destination to a target.
type Route struct {
	Dest netip.Prefix
	// DestPrefixList is set instead of Dest for a prefix-list destination.
	DestPrefixList string
	// Target is the target's address or id; Kind what it is (RouteKind*).
	Target string
	Kind   string
	Source Source
}

// Route target kinds. The automatically tracked ones are those whose
// connections AWS tracks whatever the rules say (docs/aws-semantics.md §3).
const (
	RouteNATGateway        = "nat-gateway"
	RouteTransitGateway    = "transit-gateway"
	RouteEgressOnlyIGW     = "egress-only-internet-gateway"
	RouteGWLBEndpoint      = "gateway-load-balancer-endpoint"
	RouteFirewallEndpoint  = "network-firewall-endpoint"
	RouteApplianceEndpoint = "vpc-endpoint" // a vpce- route target: a GWLB or firewall endpoint
	RouteDynamoDBEndpoint  = "dynamodb-gateway-endpoint"
	RouteInternetGateway   = "internet-gateway"
	RouteLocal             = "local"
	RouteOther             = "other"
	RouteUnknown           = "unknown"
)

// AutoTrackedRoute reports whether connections routed to a target of this
// kind are automatically tracked (§3).
func AutoTrackedRoute(kind string) bool {
	switch kind {
	case RouteNATGateway, RouteTransitGateway, RouteEgressOnlyIGW, RouteGWLBEndpoint, RouteFirewallEndpoint,
		RouteApplianceEndpoint, RouteDynamoDBEndpoint:
		return true
	}
	return false
}

// RouteTargetAttrs are the attributes of a Terraform route (aws_route, a
// route table's route blocks, plan and state) that name its target, with
// the kind each implies; gateway_id ("") is decided by its value
// (GatewayKind).
var RouteTargetAttrs = []struct{ Attr, Kind string }{
	{"nat_gateway_id", RouteNATGateway},
	{"transit_gateway_id", RouteTransitGateway},
	{"egress_only_gateway_id", RouteEgressOnlyIGW},
	{"vpc_endpoint_id", RouteApplianceEndpoint},
	{"gateway_id", ""},
	{"network_interface_id", RouteOther},
	{"vpc_peering_connection_id", RouteOther},
	{"carrier_gateway_id", RouteOther},
	{"local_gateway_id", RouteOther},
	{"core_network_arn", RouteOther},
}

// GatewayKind says what a route's gateway_id names, from its id or the
// address of the resource it refers to: an internet gateway, a virtual
// private gateway, the local route, a VPC endpoint (a Gateway Load Balancer
// or firewall endpoint), or something not determined.
func GatewayKind(target string) string {
	base := target
	if i := strings.LastIndex(base, ":"); i >= 0 {
		base = base[i+1:]
	}
	switch {
	case target == "local":
		return RouteLocal
	case strings.HasPrefix(base, "igw-") || strings.Contains(target, "aws_internet_gateway."):
		return RouteInternetGateway
	case strings.HasPrefix(base, "vpce-") || strings.Contains(target, "aws_vpc_endpoint."):
		return RouteApplianceEndpoint
	case strings.HasPrefix(base, "vgw-") || strings.Contains(target, "aws_vpn_gateway."):
		return RouteOther
	}
	return RouteUnknown
}

// Routing is what a subnet's route table says, as the analysis needs it.
type Routing struct {
	// Table is the route table's address, "" when not known.
	Table string
	// Known is false when the subnet or its route table is not in the
	// input; Why then says which.
	Known bool
	Why   string
	// How says how the table was found (an association, the VPC's main
	// table).
	How    string
	Routes []Route
}

// Lookup returns the route that carries addr: the longest matching prefix
// of its family, or nil.
func (r Routing) Lookup(addr netip.Addr) *Route {
	var best *Route
	for i := range r.Routes {
		rt := &r.Routes[i]
		if !rt.Dest.IsValid() || !rt.Dest.Contains(addr) {
			continue
		}
		if best == nil || rt.Dest.Bits() > best.Dest.Bits() {
			best = rt
		}
	}
	return best
}

// RoutingFor resolves a subnet's route table: its explicit association,
// else its VPC's main route table (AWS creates one with only the local
// route when the input declares none).
func (s *Snapshot) RoutingFor(subnet string) Routing {
	if subnet == "" {
		return Routing{Why: "the subnet is not known"}
	}
	for i := range s.RouteTables {
		t := &s.RouteTables[i]
		for _, sub := range t.Subnets {
			if sub == subnet {
				return Routing{Table: t.Address, Known: true, How: subnet + " is associated with it", Routes: t.Routes}
			}
		}
	}
	x := s.idx()
	if !x.declared[subnet] {
		return Routing{Why: subnet + " is not declared in the input, so its route table is not known"}
	}
	vpc := x.subnetVPC[subnet]
	if vpc == "" {
		return Routing{Why: subnet + " has no explicit route table association and its VPC is not known"}
	}
	for i := range s.RouteTables {
		if t := &s.RouteTables[i]; t.Main && t.VPC == vpc {
			return Routing{Table: t.Address, Known: true, How: subnet + " has no explicit association: the main route table of " + vpc + " applies", Routes: t.Routes}
		}
	}
	for _, v := range s.VPCs {
		if v.Address == vpc {
			return Routing{Table: vpc + ".main_route_table", Known: true,
				How: subnet + " has no explicit association and the input declares no main route table for " + vpc + ": AWS's main table holds only the local route"}
		}
	}
	return Routing{Why: subnet + " has no explicit route table association and neither " + vpc + " nor its main route table is in the input"}
}

// SortRoutes puts routes in a stable order: by destination, then target.
func SortRoutes(rs []Route) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Dest != b.Dest {
			if a.Dest.Addr() != b.Dest.Addr() {
				return a.Dest.Addr().Less(b.Dest.Addr())
			}
			return a.Dest.Bits() < b.Dest.Bits()
		}
		if a.DestPrefixList != b.DestPrefixList {
			return a.DestPrefixList < b.DestPrefixList
		}
		return a.Target < b.Target
	})
}

// PendingRoute is a route declared apart from its table (aws_route), linked
// by LinkRoutes.
type PendingRoute struct {
	Table string
	Route Route
}

// LinkRoutes attaches standalone routes and associations to their tables:
// a table named as a VPC's main table (aws_vpc.x.main_route_table_id) is
// that VPC's main table, created when the input declares none.
func (s *Snapshot) LinkRoutes() {
	byAddr := map[string]int{}
	for i := range s.RouteTables {
		byAddr[s.RouteTables[i].Address] = i
	}
	table := func(ref string) *RouteTable {
		if i, ok := byAddr[ref]; ok {
			return &s.RouteTables[i]
		}
		for _, suffix := range []string{".main_route_table_id", ".default_route_table_id"} {
			if vpc, ok := strings.CutSuffix(ref, suffix); ok {
				for i := range s.RouteTables {
					if s.RouteTables[i].Main && s.RouteTables[i].VPC == vpc {
						byAddr[ref] = i
						return &s.RouteTables[i]
					}
				}
				s.RouteTables = append(s.RouteTables, RouteTable{Address: vpc + ".main_route_table", VPC: vpc, Main: true})
				byAddr[ref] = len(s.RouteTables) - 1
				return &s.RouteTables[len(s.RouteTables)-1]
			}
		}
		return nil
	}
	for _, p := range s.PendingRoutes {
		if t := table(p.Table); t != nil {
			t.Routes = append(t.Routes, p.Route)
		}
	}
	for _, a := range s.RouteAssocs {
		if t := table(a[0]); t != nil {
			t.Subnets = append(t.Subnets, a[1])
		}
	}
	for _, a := range s.MainRouteAssocs {
		if t := table(a[0]); t != nil {
			t.Main, t.VPC = true, a[1]
		}
	}
	s.PendingRoutes, s.RouteAssocs, s.MainRouteAssocs = nil, nil, nil
	for i := range s.RouteTables {
		SortRoutes(s.RouteTables[i].Routes)
	}
}
