package awsjson

import (
	"strings"

	"github.com/sgcheck/sgcheck/loader/jsonpos"
	"github.com/sgcheck/sgcheck/model"
)

// routeTargetFields are the fields of a describe-route-tables route that
// name its target, with the kind each implies; GatewayId is decided by its
// value (docs/aws-semantics.md §3: NAT gateways, transit gateways,
// egress-only internet gateways and Gateway Load Balancer or firewall
// endpoints track automatically).
var routeTargetFields = []struct{ field, kind string }{
	{"NatGatewayId", model.RouteNATGateway},
	{"TransitGatewayId", model.RouteTransitGateway},
	{"EgressOnlyInternetGatewayId", model.RouteEgressOnlyIGW},
	{"GatewayId", ""},
	{"VpcPeeringConnectionId", model.RouteOther},
	{"NetworkInterfaceId", model.RouteOther},
	{"InstanceId", model.RouteOther},
	{"CarrierGatewayId", model.RouteOther},
	{"LocalGatewayId", model.RouteOther},
	{"CoreNetworkArn", model.RouteOther},
}

// routeTable reads one entry of describe-route-tables: its routes, the
// subnets associated with it, and whether it is its VPC's main table.
func (b *Builder) routeTable(n *jsonpos.Node, file string) {
	id := str(n, "RouteTableId")
	rt := model.RouteTable{Address: b.Prefix + id, Source: b.src(file, n)}
	if v := str(n, "VpcId"); v != "" {
		rt.VPC = b.Prefix + v
	}
	for _, a := range arr(n.Get("Associations")) {
		if a.Get("Main").Bool() {
			rt.Main = true
		}
		if s := str(a, "SubnetId"); s != "" {
			rt.Subnets = append(rt.Subnets, b.Prefix+s)
		}
	}
	for _, r := range arr(n.Get("Routes")) {
		route := model.Route{Source: b.src(file, r)}
		switch {
		case str(r, "DestinationCidrBlock") != "":
			pfx, msg := model.ParseCIDR(str(r, "DestinationCidrBlock"), "ipv4")
			if msg != "" {
				b.errorf(file, r.Get("DestinationCidrBlock"), "%s: %s", id, msg)
				continue
			}
			route.Dest = pfx
		case str(r, "DestinationIpv6CidrBlock") != "":
			pfx, msg := model.ParseCIDR(str(r, "DestinationIpv6CidrBlock"), "ipv6")
			if msg != "" {
				b.errorf(file, r.Get("DestinationIpv6CidrBlock"), "%s: %s", id, msg)
				continue
			}
			route.Dest = pfx
		case str(r, "DestinationPrefixListId") != "":
			route.DestPrefixList = str(r, "DestinationPrefixListId")
		default:
			b.errorf(file, r, "%s: a route without a destination (DestinationCidrBlock, DestinationIpv6CidrBlock or DestinationPrefixListId)", id)
			continue
		}
		route.Kind = model.RouteUnknown
		for _, t := range routeTargetFields {
			if v := str(r, t.field); v != "" {
				route.Target, route.Kind = v, t.kind
				if t.kind == "" {
					route.Kind = gatewayKind(v, route.DestPrefixList != "")
				}
				break
			}
		}
		if route.Target == "" {
			route.Target = "a target the output does not name"
		}
		if str(r, "State") == "blackhole" {
			// its target is gone: AWS drops the traffic, tracking nothing
			route.Kind = model.RouteOther
			route.Target += " (blackhole)"
		}
		rt.Routes = append(rt.Routes, route)
	}
	b.Snap.RouteTables = append(b.Snap.RouteTables, rt)
}

// gatewayKind tells what a GatewayId names (model.GatewayKind). A vpce-
// gateway with a prefix-list destination is a gateway endpoint for S3 (not
// tracked automatically) or DynamoDB (tracked), which the id does not tell.
func gatewayKind(id string, prefixList bool) string {
	if prefixList && strings.HasPrefix(id, "vpce-") {
		return model.RouteUnknown
	}
	return model.GatewayKind(id)
}
