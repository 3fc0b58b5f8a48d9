package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sgcheck/sgcheck/model"
)

// converter adds resources given as attribute values (plan, state) to a
// snapshot.
type converter struct {
	snap   *model.Snapshot
	prefix string // module address of references, e.g. "module.web."
	// ids maps literal ids (sg-…, subnet-…, acl-…) to resource addresses.
	ids          map[string]string
	pendingACL   []pendingEntry
	pendingAssoc [][2]string
	// diags are values AWS would refuse (an invalid port or CIDR).
	diags []model.Diagnostic
	// lb links load balancers to their targets, and accelerators to their
	// endpoints, by id or address, resolved in finish; eips maps an Elastic
	// IP to what it is associated with (an endpoint may name either)
	lb   model.LoadBalancers
	eips map[string]string
}

func (c *converter) errorf(src model.Source, format string, args ...any) {
	c.diags = append(c.diags, model.Diagnostic{File: src.File, Line: src.StartLine, Message: fmt.Sprintf(format, args...)})
}

func newConverter(snap *model.Snapshot) *converter {
	return &converter{snap: snap, ids: map[string]string{},
		lb: model.LoadBalancers{Kinds: map[string]string{}, Groups: map[string]model.TargetGroup{}}, eips: map[string]string{}}
}

// resource adds one resource instance at addr.
func (c *converter) resource(addr, typ string, o object, src model.Source) {
	switch typ {
	case "aws_security_group", "aws_default_security_group":
		g := model.SecurityGroup{Address: addr, Source: src, Default: typ == "aws_default_security_group"}
		g.ID, _ = o.str("id")
		g.Name, _ = o.str("name")
		g.VPC, _ = o.str("vpc_id")
		if d, ok := o.str("description"); ok && !g.Default {
			g.NoDescription = model.NoGroupDescription(d)
		}
		c.snap.Groups = append(c.snap.Groups, g)
		counts := map[string]int{}
		for _, dir := range []string{"ingress", "egress"} {
			for _, b := range o.blocks(dir) {
				name := fmt.Sprintf("%s.%s[%d]", addr, dir, counts[dir])
				counts[dir]++
				c.rules(ruleBase(name, addr, model.Direction(dir), src), b, "protocol",
					peerAttr{"cidr_blocks", model.PeerCIDR}, peerAttr{"ipv6_cidr_blocks", model.PeerCIDR},
					peerAttr{"prefix_list_ids", model.PeerPrefixList}, peerAttr{"security_groups", model.PeerGroup},
					peerAttr{"self", model.PeerSelf})
			}
		}
	case "aws_security_group_rule":
		group, ok := o.ref("security_group_id", c.prefix)
		t, _ := o.str("type")
		if !ok || (t != "ingress" && t != "egress") {
			c.snap.Unknowns++
			return
		}
		c.rules(ruleBase(addr, group, model.Direction(t), src), o, "protocol",
			peerAttr{"cidr_blocks", model.PeerCIDR}, peerAttr{"ipv6_cidr_blocks", model.PeerCIDR},
			peerAttr{"prefix_list_ids", model.PeerPrefixList}, peerAttr{"source_security_group_id", model.PeerGroup},
			peerAttr{"self", model.PeerSelf})
	case "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule":
		group, ok := o.ref("security_group_id", c.prefix)
		if !ok {
			c.snap.Unknowns++
			return
		}
		dir := model.Ingress
		if typ == "aws_vpc_security_group_egress_rule" {
			dir = model.Egress
		}
		c.rules(ruleBase(addr, group, dir, src), o, "ip_protocol",
			peerAttr{"cidr_ipv4", model.PeerCIDR}, peerAttr{"cidr_ipv6", model.PeerCIDR},
			peerAttr{"prefix_list_id", model.PeerPrefixList}, peerAttr{"referenced_security_group_id", model.PeerGroup})
	case "aws_instance", "aws_network_interface":
		att := model.Attachment{Name: addr, Kind: typ, Source: src}
		for _, name := range []string{"vpc_security_group_ids", "security_groups"} {
			c.groups(&att, o, name)
		}
		att.Subnet, _ = o.ref("subnet_id", c.prefix)
		att.InstanceType, _ = o.str("instance_type")
		c.snap.Attachments = append(c.snap.Attachments, att)
	case "aws_vpc_endpoint":
		att := model.Attachment{Name: addr, Kind: typ, Source: src}
		c.groups(&att, o, "security_group_ids")
		if t, _ := o.str("vpc_endpoint_type"); t == "Interface" || t == "GatewayLoadBalancer" {
			att.AutoTracked = "vpc-endpoint" // §3: PrivateLink
		}
		c.addGrouped(att)
	case "aws_lb", "aws_alb":
		att := model.Attachment{Name: addr, Kind: typ, Source: src}
		switch t, _ := o.str("load_balancer_type"); t {
		case "application":
			att.HTTPOnly = true
			idleTimeout(&att, o)
		case "network":
			c.lb.Kinds[addr], att.AutoTracked = "network-load-balancer", "network-load-balancer"
		case "gateway":
			c.lb.Kinds[addr] = "gateway-load-balancer"
		}
		c.groups(&att, o, "security_groups")
		c.addGrouped(att)
	case "aws_lb_listener", "aws_alb_listener":
		if lb, ok := o.ref("load_balancer_arn", c.prefix); ok {
			for _, a := range o.blocks("default_action") {
				if tg, ok := a.ref("target_group_arn", c.prefix); ok && tg != "" {
					c.lb.Listeners = append(c.lb.Listeners, [2]string{lb, tg})
				}
			}
		}
	case "aws_lb_target_group", "aws_alb_target_group":
		tg := model.TargetGroup{PortAll: true}
		if p, ok := o.num("port"); ok && p > 0 {
			tg.Port, tg.PortAll = p, false
		}
		for _, hc := range o.blocks("health_check") {
			if p, _ := hc.str("port"); hc.isUnknown("port") || (p != "" && p != "traffic-port") {
				n, ok := hc.num("port")
				tg.Check, tg.CheckAll = n, !ok
			}
		}
		c.lb.Groups[addr] = tg
	case "aws_lb_target_group_attachment", "aws_alb_target_group_attachment":
		tg, ok1 := o.ref("target_group_arn", c.prefix)
		target, ok2 := o.ref("target_id", c.prefix)
		if ok1 && ok2 {
			t := model.LBTarget{Group: tg, Target: target}
			if _, set := o.vals["port"]; set || o.isUnknown("port") {
				p, ok := o.num("port")
				t.Port, t.PortUnknown = p, !ok
			}
			c.lb.Targets = append(c.lb.Targets, t)
		}
	case "aws_autoscaling_group":
		tgs, _ := o.refList("target_group_arns", c.prefix)
		var launched []string
		if lc, ok := o.ref("launch_configuration", c.prefix); ok && lc != "" {
			launched = append(launched, lc)
		}
		for _, lt := range o.blocks("launch_template") {
			if id, ok := lt.ref("id", c.prefix); ok && id != "" {
				launched = append(launched, id)
			}
		}
		for _, tg := range tgs {
			for _, l := range launched {
				c.lb.Targets = append(c.lb.Targets, model.LBTarget{Group: tg, Target: l})
			}
		}
	case "aws_globalaccelerator_endpoint_group":
		for _, e := range o.blocks("endpoint_configuration") {
			if id, ok := e.ref("endpoint_id", c.prefix); ok && id != "" {
				c.lb.Accelerated = append(c.lb.Accelerated, id)
			}
		}
	case "aws_eip":
		for _, attr := range []string{"instance", "network_interface"} {
			if t, ok := o.ref(attr, c.prefix); ok && t != "" {
				c.eips[addr] = t
				break
			}
		}
	case "aws_launch_configuration":
		att := model.Attachment{Name: addr, Kind: typ, Source: src}
		att.InstanceType, _ = o.str("instance_type")
		c.groups(&att, o, "security_groups")
		c.snap.Attachments = append(c.snap.Attachments, att)
	case "aws_launch_template":
		att := model.Attachment{Name: addr, Kind: typ, Source: src}
		att.InstanceType, _ = o.str("instance_type")
		c.groups(&att, o, "vpc_security_group_ids")
		for _, nic := range o.blocks("network_interfaces") {
			c.groups(&att, nic, "security_groups")
			if s, ok := nic.ref("subnet_id", c.prefix); ok {
				att.Subnet = s
			}
			for _, ct := range nic.blocks("connection_tracking_specification") {
				att.Tracking = c.tracking(ct, src)
			}
		}
		c.snap.Attachments = append(c.snap.Attachments, att)
	case "aws_network_acl", "aws_default_network_acl":
		n := model.NetworkACL{Address: addr, Source: src, Default: typ == "aws_default_network_acl"}
		n.Subnets, _ = o.strs("subnet_ids")
		for _, dir := range []string{"ingress", "egress"} {
			for i, b := range o.blocks(dir) {
				if e, ok := c.aclEntry(fmt.Sprintf("%s.%s[%d]", addr, dir, i), dir == "egress", b, "rule_no", "action", src); ok {
					n.Entries = append(n.Entries, e)
				} else {
					c.snap.Unknowns++
				}
			}
		}
		c.snap.NACLs = append(c.snap.NACLs, n)
	case "aws_network_acl_rule":
		acl, ok := o.ref("network_acl_id", c.prefix)
		e, ok2 := c.aclEntry(addr, o.boolean("egress"), o, "rule_number", "rule_action", src)
		if !ok || !ok2 {
			c.snap.Unknowns++
			return
		}
		e.Standalone = true
		c.pendingACL = append(c.pendingACL, pendingEntry{acl, e})
	case "aws_network_acl_association":
		acl, ok1 := o.ref("network_acl_id", c.prefix)
		subnet, ok2 := o.ref("subnet_id", c.prefix)
		if !ok1 || !ok2 {
			c.snap.Unknowns++
			return
		}
		c.pendingAssoc = append(c.pendingAssoc, [2]string{acl, subnet})
	case "aws_route_table", "aws_default_route_table":
		t := model.RouteTable{Address: addr, Source: src, Main: typ == "aws_default_route_table"}
		t.VPC, _ = o.ref("vpc_id", c.prefix)
		for _, b := range o.blocks("route") {
			if rt, ok := c.route(b, "cidr_block", "ipv6_cidr_block", src); ok {
				t.Routes = append(t.Routes, rt)
			} else {
				c.snap.Unknowns++
			}
		}
		c.snap.RouteTables = append(c.snap.RouteTables, t)
	case "aws_route":
		table, ok := o.ref("route_table_id", c.prefix)
		rt, ok2 := c.route(o, "destination_cidr_block", "destination_ipv6_cidr_block", src)
		if !ok || !ok2 {
			c.snap.Unknowns++
			return
		}
		c.snap.PendingRoutes = append(c.snap.PendingRoutes, model.PendingRoute{Table: table, Route: rt})
	case "aws_route_table_association":
		subnet, ok1 := o.ref("subnet_id", c.prefix)
		table, ok2 := o.ref("route_table_id", c.prefix)
		if ok1 && ok2 {
			c.snap.RouteAssocs = append(c.snap.RouteAssocs, [2]string{table, subnet})
		}
	case "aws_main_route_table_association":
		vpc, ok1 := o.ref("vpc_id", c.prefix)
		table, ok2 := o.ref("route_table_id", c.prefix)
		if ok1 && ok2 {
			c.snap.MainRouteAssocs = append(c.snap.MainRouteAssocs, [2]string{table, vpc})
		}
	case "aws_subnet":
		s := model.Subnet{Address: addr, Source: src}
		s.VPC, _ = o.ref("vpc_id", c.prefix)
		if v, ok := o.str("cidr_block"); ok {
			s.CIDR, _ = parsePrefix(v)
		}
		c.snap.Subnets = append(c.snap.Subnets, s)
	case "aws_elb":
		// a Classic Load Balancer: a service that closes connections idle
		// for its idle_timeout
		att, _ := c.service(addr, typ, o, src)
		idleTimeout(&att, o)
		c.addGrouped(att)
	default:
		if att, ok := c.service(addr, typ, o, src); ok {
			c.addGrouped(att)
		}
	}
	if id, ok := o.str("id"); ok && id != "" {
		c.ids[id] = addr
	}
}

// idleTimeout reads the idle_timeout of an Application or Classic Load
// Balancer, which closes connections idle that long; one the plan does not
// know, or out of range, leaves it 0.
func idleTimeout(att *model.Attachment, o object) {
	if n, ok := o.num("idle_timeout"); ok && n >= 1 && n <= model.MaxLBIdleTimeout {
		att.IdleTimeout, att.IdleTimeoutDeclared = n, true
	}
}

// service reads a managed service whose interfaces carry the groups it
// lists (model.GroupListServices, model.GroupBlockServices), as the
// configuration loader does; false for a type that is not one.
func (c *converter) service(addr, typ string, o object, src model.Source) (model.Attachment, bool) {
	att := model.Attachment{Name: addr, Kind: typ, Source: src}
	switch {
	case slices.Contains(model.GroupListServices, typ):
		for _, name := range model.GroupListAttributes {
			c.groups(&att, o, name)
		}
	case slices.Contains(model.GroupBlockServices, typ):
		if typ == "aws_lambda_function" {
			att.AutoTracked = "lambda" // §3: Hyperplane interfaces
		}
		// an EKS cluster's vpc_config also names the group EKS creates
		names := slices.Concat(model.GroupBlockAttributes, []string{"cluster_security_group_id"})
		for _, block := range model.GroupBlocks {
			for _, b := range o.blocks(block) {
				for _, name := range names {
					c.groups(&att, b, name)
				}
			}
		}
	default:
		return att, false
	}
	return att, true
}

// addGrouped adds att if it names a group.
func (c *converter) addGrouped(att model.Attachment) {
	if len(att.Groups)+len(att.GroupsUnknown) > 0 {
		c.snap.Attachments = append(c.snap.Attachments, att)
	}
}

type pendingEntry struct {
	acl   string
	entry model.ACLEntry
}

type peerAttr struct {
	name string
	kind model.PeerKind
}

func ruleBase(name, group string, dir model.Direction, src model.Source) model.Rule {
	return model.Rule{Name: name, Group: group, Direction: dir, Source: src}
}

// rules splits one rule object per peer.
func (c *converter) rules(base model.Rule, o object, protoAttr string, peers ...peerAttr) {
	p, why := protocolOf(o, protoAttr)
	base.Protocol = p
	if why != "" {
		base.Unknown = append(base.Unknown, why)
	}
	from, ok1 := o.num("from_port")
	to, ok2 := o.num("to_port")
	switch {
	case p.IsICMP():
		if !ok1 {
			from = -1
		}
		if !ok2 {
			to = -1
		}
	case p.HasPorts() && (!ok1 || !ok2):
		base.Unknown = append(base.Unknown, "port range is known only after apply")
		from, to = 0, 65535
	}
	if msg := model.CheckPorts(p, from, to); msg != "" && len(base.Unknown) == 0 {
		c.errorf(base.Source, "%s: %s", base.Name, msg)
		base.Unknown = append(base.Unknown, msg)
		from, to = 0, 65535
	}
	base.FromPort, base.ToPort = from, to
	base.NormalizePorts()
	base.Description, _ = o.str("description")
	// aws_security_group_rule's source_security_group_id is computed: with
	// self or address peers it is the group's own id, known after apply,
	// not another peer
	otherPeers := false
	for _, pa := range peers {
		if pa.kind == model.PeerSelf {
			otherPeers = otherPeers || o.boolean(pa.name)
		} else if list, known := o.strs(pa.name); pa.kind != model.PeerGroup && known && len(list) > 0 {
			otherPeers = true
		}
	}
	for _, pa := range peers {
		if pa.kind == model.PeerSelf {
			if o.boolean(pa.name) {
				r := base
				r.Peer = model.Peer{Kind: model.PeerSelf, Ref: base.Group}
				c.add(r)
			}
			continue
		}
		list, known := o.strs(pa.name)
		if !known && pa.kind == model.PeerGroup {
			list, known = o.refList(pa.name, c.prefix)
		}
		if !known && pa.name == "source_security_group_id" && otherPeers {
			continue
		}
		if !known {
			r := base
			why := pa.name + " is known only after apply"
			r.Peer = model.Peer{Kind: model.PeerUnknown, Ref: why}
			r.Unknown = append(append([]string(nil), base.Unknown...), why)
			c.add(r)
			continue
		}
		for _, s := range list {
			r := base
			if pa.kind == model.PeerCIDR {
				family := "ipv4"
				if strings.Contains(pa.name, "ipv6") {
					family = "ipv6"
				}
				pfx, msg := model.ParseCIDR(s, family)
				if msg != "" {
					c.errorf(base.Source, "%s: %s", base.Name, msg)
					r.Peer = model.Peer{Kind: model.PeerUnknown, Ref: msg}
					r.Unknown = append(append([]string(nil), r.Unknown...), msg)
				} else {
					r.Peer = model.Peer{Kind: model.PeerCIDR, Prefix: pfx}
				}
			} else {
				r.Peer = model.Peer{Kind: pa.kind, Ref: s}
			}
			c.add(r)
		}
	}
}

func (c *converter) add(r model.Rule) {
	c.snap.Unknowns += len(r.Unknown)
	c.snap.Rules = append(c.snap.Rules, r)
}

func (c *converter) groups(att *model.Attachment, o object, name string) {
	if _, present := o.vals[name]; !present && !o.isUnknown(name) {
		return
	}
	list, known := o.refList(name, c.prefix)
	if !known {
		att.GroupsUnknown = append(att.GroupsUnknown, name+" is known only after apply")
		c.snap.Unknowns++
		return
	}
	att.Groups = append(att.Groups, list...)
}

func (c *converter) tracking(o object, src model.Source) model.ConnTracking {
	t := model.ConnTracking{Source: src}
	for _, name := range []string{"tcp_established_timeout", "udp_stream_timeout", "udp_timeout"} {
		dst := map[string]**int{"tcp_established_timeout": &t.TCPEstablished, "udp_stream_timeout": &t.UDPStream,
			"udp_timeout": &t.UDP}[name]
		n, ok := o.num(name)
		if !ok || n == 0 {
			continue
		}
		if msg := model.CheckTimeout(name, n); msg != "" {
			c.errorf(src, "%s", msg)
			t.Invalid = append(t.Invalid, name)
			continue
		}
		*dst = &n
	}
	return t
}

func (c *converter) aclEntry(name string, egress bool, o object, numAttr, actAttr string, src model.Source) (model.ACLEntry, bool) {
	e := model.ACLEntry{Name: name, Egress: egress, Source: src, ICMPType: -1, ICMPCode: -1}
	n, ok := o.num(numAttr)
	act, ok2 := o.str(actAttr)
	p, why := protocolOf(o, "protocol")
	if !ok || !ok2 || why != "" {
		return e, false
	}
	e.Number, e.Action, e.Protocol = n, model.ACLAction(act), p
	if n < 1 || n > 32766 {
		c.errorf(src, "%s: rule number %d is out of range (1 to 32766)", name, n)
		return e, false
	}
	if e.Action != model.Allow && e.Action != model.Deny {
		c.errorf(src, "%s: action must be allow or deny, not %q", name, act)
		return e, false
	}
	cidr, ok := o.str("cidr_block")
	family := "ipv4"
	if !ok || cidr == "" {
		cidr, ok = o.str("ipv6_cidr_block")
		family = "ipv6"
	}
	if !ok {
		return e, false
	}
	pfx, msg := model.ParseCIDR(cidr, family)
	if msg != "" {
		c.errorf(src, "%s: %s", name, msg)
		return e, false
	}
	e.CIDR = pfx
	e.FromPort, e.ToPort = 0, 65535
	if p.HasPorts() {
		if f, ok := o.num("from_port"); ok {
			e.FromPort = f
		}
		if t, ok := o.num("to_port"); ok {
			e.ToPort = t
		}
	}
	if p.IsICMP() {
		if t, ok := o.num("icmp_type"); ok {
			e.ICMPType = t
		}
		if code, ok := o.num("icmp_code"); ok {
			e.ICMPCode = code
		}
	}
	msg = model.CheckPorts(p, e.FromPort, e.ToPort)
	if p.IsICMP() {
		msg = model.CheckPorts(p, e.ICMPType, e.ICMPCode)
	}
	if msg != "" || (p.HasPorts() && e.FromPort < 0) {
		c.errorf(src, "%s: %s", name, orDefault(msg, "port -1 is not valid in a network ACL entry"))
		return e, false
	}
	return e, true
}

func orDefault(s, alt string) string {
	if s != "" {
		return s
	}
	return alt
}

// finish resolves links between resources: standalone NACL entries and
// associations, and ids that name resources of the same snapshot.
func (c *converter) finish() {
	resolve := func(s string) string {
		if a, ok := c.ids[s]; ok {
			return a
		}
		return s
	}
	for i := range c.snap.NACLs {
		n := &c.snap.NACLs[i]
		for _, p := range c.pendingACL {
			if resolve(p.acl) == n.Address {
				n.Entries = append(n.Entries, p.entry)
			}
		}
		for j := range n.Subnets {
			n.Subnets[j] = resolve(n.Subnets[j])
		}
		for _, a := range c.pendingAssoc {
			if resolve(a[0]) == n.Address {
				n.Subnets = append(n.Subnets, resolve(a[1]))
			}
		}
	}
	for i := range c.snap.Attachments {
		c.snap.Attachments[i].Subnet = resolve(c.snap.Attachments[i].Subnet)
	}
	// load balancers name their target groups and targets by id (an arn,
	// i-…) or, for what the plan creates, by address
	for i := range c.lb.Listeners {
		c.lb.Listeners[i] = [2]string{resolve(c.lb.Listeners[i][0]), resolve(c.lb.Listeners[i][1])}
	}
	for i := range c.lb.Targets {
		c.lb.Targets[i].Group, c.lb.Targets[i].Target = resolve(c.lb.Targets[i].Group), resolve(c.lb.Targets[i].Target)
	}
	for i, e := range c.lb.Accelerated {
		e = resolve(e)
		if to, ok := c.eips[e]; ok {
			e = resolve(to)
		}
		c.lb.Accelerated[i] = e
	}
	c.lb.Link(c.snap.Attachments)
	for i := range c.snap.Subnets {
		c.snap.Subnets[i].VPC = resolve(c.snap.Subnets[i].VPC)
	}
	for i := range c.snap.RouteTables {
		c.snap.RouteTables[i].VPC = resolve(c.snap.RouteTables[i].VPC)
	}
	for i := range c.snap.PendingRoutes {
		c.snap.PendingRoutes[i].Table = resolve(c.snap.PendingRoutes[i].Table)
	}
	for _, assocs := range [][][2]string{c.snap.RouteAssocs, c.snap.MainRouteAssocs} {
		for i := range assocs {
			assocs[i] = [2]string{resolve(assocs[i][0]), resolve(assocs[i][1])}
		}
	}
}

// route reads one route of a plan or state: its destination and target. A
// target known only after apply keeps the kind its attribute implies.
func (c *converter) route(o object, v4, v6 string, src model.Source) (model.Route, bool) {
	rt := model.Route{Source: src, Kind: model.RouteUnknown, Target: "a target the plan does not name"}
	destUnknown := false
	switch {
	case nonEmpty(o, v4):
		s, _ := o.str(v4)
		p, ok := parsePrefix(s)
		if !ok || !p.Addr().Is4() {
			c.errorf(src, "route destination %q is not an IPv4 CIDR block", s)
			return rt, false
		}
		rt.Dest = p
	case nonEmpty(o, v6):
		s, _ := o.str(v6)
		p, ok := parsePrefix(s)
		if !ok || !p.Addr().Is6() {
			c.errorf(src, "route destination %q is not an IPv6 CIDR block", s)
			return rt, false
		}
		rt.Dest = p
	case nonEmpty(o, "destination_prefix_list_id"):
		rt.DestPrefixList, _ = o.ref("destination_prefix_list_id", c.prefix)
	case o.isUnknown(v4) || o.isUnknown(v6) || o.isUnknown("destination_prefix_list_id"):
		// where it leads is not known: analyses that depend on it say so
		destUnknown = true
	default:
		return rt, false
	}
	for _, t := range model.RouteTargetAttrs {
		v, known := o.ref(t.Attr, c.prefix)
		if !o.isUnknown(t.Attr) && (!known || v == "") {
			continue
		}
		rt.Kind = t.Kind
		if known && v != "" {
			rt.Target = v
		} else {
			rt.Target = t.Attr + " (known after apply)"
		}
		if t.Kind == "" {
			rt.Kind = model.RouteUnknown
			if known && v != "" {
				rt.Kind = model.GatewayKind(v)
			}
		}
		break
	}
	if destUnknown {
		rt.Kind, rt.Target = model.RouteUnknown, rt.Target+" (destination known after apply)"
	}
	return rt, true
}

// nonEmpty reports whether attribute name is set to a non-empty string.
func nonEmpty(o object, name string) bool {
	s, ok := o.str(name)
	return ok && s != ""
}
