package terraform

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/sgcheck/sgcheck/model"
)

// Route tables: which subnets use them and where each destination goes.
// Connections routed through a NAT gateway, transit gateway, egress-only
// internet gateway, Gateway Load Balancer endpoint or firewall endpoint
// are automatically tracked (docs/aws-semantics.md §3). The links (a route
// to its table, a table to its subnets, the VPC's main table) are resolved
// once every module is read, by model.Snapshot.LinkRoutes.

var routeFields = func() *hcl.BodySchema {
	s := &hcl.BodySchema{Attributes: attrSchema("cidr_block", "ipv6_cidr_block", "destination_prefix_list_id",
		"destination_cidr_block", "destination_ipv6_cidr_block", "route_table_id")}
	for _, t := range model.RouteTargetAttrs {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: t.Attr})
	}
	return s
}()

var routeTableSchema = &hcl.BodySchema{
	Attributes: attrSchema("vpc_id", "default_route_table_id"),
	Blocks:     []hcl.BlockHeaderSchema{{Type: "route"}},
}

func init() {
	extractors["aws_route_table"] = extractor{routeTableSchema, (*moduleExtractor).routeTable}
	extractors["aws_default_route_table"] = extractor{routeTableSchema, (*moduleExtractor).routeTable}
	extractors["aws_route"] = extractor{routeFields, (*moduleExtractor).route}
	extractors["aws_route_table_association"] = extractor{&hcl.BodySchema{Attributes: attrSchema("subnet_id", "route_table_id")},
		(*moduleExtractor).routeTableAssociation}
	extractors["aws_main_route_table_association"] = extractor{&hcl.BodySchema{Attributes: attrSchema("vpc_id", "route_table_id")},
		(*moduleExtractor).mainRouteTableAssociation}
}

func (x *moduleExtractor) routeTable(r *resourceInstance) {
	t := model.RouteTable{Address: r.addr, Source: r.src}
	if v, ok := x.groupRef(x.get(r.content.Attributes, "vpc_id", r.ctx)); ok {
		t.VPC = v
	}
	if r.block.Labels[0] == "aws_default_route_table" {
		// default_route_table_id = aws_vpc.x.default_route_table_id: the
		// VPC's main route table
		t.Main = true
		if id, ok := x.groupRef(x.get(r.content.Attributes, "default_route_table_id", r.ctx)); ok {
			t.VPC = strings.TrimSuffix(strings.TrimSuffix(id, ".default_route_table_id"), ".main_route_table_id")
		}
	}
	for _, blk := range r.content.Blocks {
		content, _, diags := blk.Body.PartialContent(routeFields)
		if diags.HasErrors() {
			x.hclDiags(diags)
			continue
		}
		a := content.Attributes
		if rt, ok := x.routeOf(func(n string) value { return x.get(a, n, r.ctx) }, x.m.blockSource(blk)); ok {
			t.Routes = append(t.Routes, rt)
		}
	}
	x.snap.RouteTables = append(x.snap.RouteTables, t)
}

func (x *moduleExtractor) route(r *resourceInstance) {
	a := r.content.Attributes
	get := func(n string) value { return x.get(a, n, r.ctx) }
	table, ok := x.groupRef(get("route_table_id"))
	if !ok {
		x.ev.world.warn(hcl.Range{Filename: r.src.File, Start: hcl.Pos{Line: r.src.StartLine}},
			r.addr+": route_table_id is not determined; the route is not attributed to a route table")
		return
	}
	rt, ok := x.routeOf(get, r.src)
	if !ok {
		return
	}
	x.snap.PendingRoutes = append(x.snap.PendingRoutes, model.PendingRoute{Table: table, Route: rt})
}

// routeOf reads one route's destination and target; a destination the
// configuration does not determine is a warning and the route is left out
// (the routing is then incomplete, and said so where it matters).
func (x *moduleExtractor) routeOf(get func(string) value, src model.Source) (model.Route, bool) {
	rt := model.Route{Source: src, Kind: model.RouteUnknown}
	for _, attr := range []string{"cidr_block", "destination_cidr_block", "ipv6_cidr_block", "destination_ipv6_cidr_block"} {
		v := get(attr)
		if !v.set {
			continue
		}
		s, _ := asString(v.v)
		if v.known() && s == "" {
			continue // attribute syntax spells an unused destination as ""
		}
		if why := afterApply(attr, s); why != "" && v.known() {
			v.why = why
		}
		if !v.known() {
			x.ev.world.warn(hcl.Range{Filename: src.File, Start: hcl.Pos{Line: src.StartLine}},
				"a route's "+v.why+"; the route is left out of its table")
			return rt, false
		}
		family := "ipv4"
		if strings.Contains(attr, "ipv6") {
			family = "ipv6"
		}
		p, msg := model.ParseCIDR(s, family)
		if msg != "" {
			x.errorf(v.rng, "%s", msg)
			return rt, false
		}
		rt.Dest = p
	}
	if v := get("destination_prefix_list_id"); v.set && !rt.Dest.IsValid() {
		rt.DestPrefixList = "prefix list"
		if s, ok := asString(v.v); ok && v.known() {
			rt.DestPrefixList = refAddress(s)
		}
	}
	if !rt.Dest.IsValid() && rt.DestPrefixList == "" {
		return rt, false
	}
	for _, t := range model.RouteTargetAttrs {
		v := get(t.Attr)
		if !v.set {
			continue
		}
		s, _ := asString(v.v)
		if v.known() && s == "" {
			continue
		}
		rt.Target, rt.Kind = t.Attr, t.Kind
		if v.known() {
			rt.Target = refAddress(s)
		}
		if t.Kind == "" {
			rt.Kind = gatewayKind(rt.Target, v.known())
		}
		break
	}
	return rt, true
}

// gatewayKind says what a gateway_id names (model.GatewayKind), or that
// it is not determined.
func gatewayKind(target string, known bool) string {
	if !known {
		return model.RouteUnknown
	}
	return model.GatewayKind(target)
}

func (x *moduleExtractor) routeTableAssociation(r *resourceInstance) {
	sv, tv := x.get(r.content.Attributes, "subnet_id", r.ctx), x.get(r.content.Attributes, "route_table_id", r.ctx)
	if !sv.set {
		return // an edge association (gateway_id): no subnet
	}
	subnet, ok1 := x.groupRef(sv)
	table, ok2 := x.groupRef(tv)
	if !ok1 || !ok2 {
		x.ev.world.warn(hcl.Range{Filename: r.src.File, Start: hcl.Pos{Line: r.src.StartLine}},
			r.addr+": "+orElse(orElse(sv.why, tv.why), "route_table_id is not set")+"; the association is not known")
		return
	}
	x.snap.RouteAssocs = append(x.snap.RouteAssocs, [2]string{table, subnet})
}

func (x *moduleExtractor) mainRouteTableAssociation(r *resourceInstance) {
	vpc, ok1 := x.groupRef(x.get(r.content.Attributes, "vpc_id", r.ctx))
	table, ok2 := x.groupRef(x.get(r.content.Attributes, "route_table_id", r.ctx))
	if !ok1 || !ok2 {
		x.ev.world.warn(hcl.Range{Filename: r.src.File, Start: hcl.Pos{Line: r.src.StartLine}},
			r.addr+": vpc_id or route_table_id is not determined; the main route table is not known")
		return
	}
	x.snap.MainRouteAssocs = append(x.snap.MainRouteAssocs, [2]string{table, vpc})
}
