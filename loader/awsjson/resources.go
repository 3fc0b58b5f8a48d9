package awsjson

import (
	"errors"
	"fmt"

	"github.com/sgcheck/sgcheck/loader/jsonpos"
	"github.com/sgcheck/sgcheck/model"
)

func msgOf(s string) bool { return s != "" }

func arr(n *jsonpos.Node) []*jsonpos.Node { return n.Items() }

func str(n *jsonpos.Node, k string) string {
	s, _ := n.Get(k).Str()
	return s
}

// protocolAndPorts reads IpProtocol, FromPort and ToPort (§6, §10: ports are
// absent for -1; for ICMP they are type and code).
func protocolAndPorts(n *jsonpos.Node) (model.Protocol, int, int, error) {
	p, err := model.ParseProtocol(str(n, "IpProtocol"))
	if err != nil {
		return 0, 0, 0, err
	}
	from, ok1 := n.Get("FromPort").Int()
	to, ok2 := n.Get("ToPort").Int()
	if !ok1 {
		from = -1
	}
	if !ok2 {
		to = -1
	}
	if msg := model.CheckPorts(p, from, to); msg != "" {
		return 0, 0, 0, errors.New(msg)
	}
	r := model.Rule{Protocol: p, FromPort: from, ToPort: to}
	r.NormalizePorts()
	return r.Protocol, r.FromPort, r.ToPort, nil
}

func (b *Builder) securityGroup(g *jsonpos.Node, file string) {
	id := str(g, "GroupId")
	if id == "" {
		b.errorf(file, g, "a security group without GroupId")
		return
	}
	addr := b.addGroup(id, str(g, "GroupName"), str(g, "VpcId"), file, g)
	if g.Get("Description") != nil && str(g, "GroupName") != "default" {
		for i := len(b.Snap.Groups) - 1; i >= 0; i-- {
			if b.Snap.Groups[i].Address == addr {
				b.Snap.Groups[i].NoDescription = model.NoGroupDescription(str(g, "Description"))
				break
			}
		}
	}
	for _, dir := range []struct {
		key string
		d   model.Direction
	}{{"IpPermissions", model.Ingress}, {"IpPermissionsEgress", model.Egress}} {
		for i, perm := range arr(g.Get(dir.key)) {
			p, from, to, err := protocolAndPorts(perm)
			if err != nil {
				b.errorf(file, perm, "%s: %v", id, err)
				continue
			}
			base := model.Rule{Name: fmt.Sprintf("%s.%s[%d]", addr, dir.d, i), Group: addr, Direction: dir.d,
				Protocol: p, FromPort: from, ToPort: to, Source: b.src(file, perm)}
			for _, r := range arr(perm.Get("IpRanges")) {
				b.cidrRule(base, str(r, "CidrIp"), "ipv4", str(r, "Description"), file, r)
			}
			for _, r := range arr(perm.Get("Ipv6Ranges")) {
				b.cidrRule(base, str(r, "CidrIpv6"), "ipv6", str(r, "Description"), file, r)
			}
			for _, r := range arr(perm.Get("PrefixListIds")) {
				rule := base
				rule.Peer = model.Peer{Kind: model.PeerPrefixList, Ref: str(r, "PrefixListId")}
				b.perms = append(b.perms, rule)
			}
			for _, r := range arr(perm.Get("UserIdGroupPairs")) {
				rule := base
				rule.Peer = b.groupPeer(str(r, "GroupId"), id)
				b.perms = append(b.perms, rule)
			}
		}
	}
}

func (b *Builder) groupPeer(ref, own string) model.Peer {
	if ref == own {
		return model.Peer{Kind: model.PeerSelf, Ref: b.Prefix + own}
	}
	return model.Peer{Kind: model.PeerGroup, Ref: b.Prefix + ref}
}

func (b *Builder) cidrRule(base model.Rule, cidr, family, desc, file string, n *jsonpos.Node) {
	pfx, msg := model.ParseCIDR(cidr, family)
	if msg != "" {
		b.errorf(file, n, "%s", msg)
		return
	}
	base.Peer = model.Peer{Kind: model.PeerCIDR, Prefix: pfx}
	base.Description = desc
	b.perms = append(b.perms, base)
}

func (b *Builder) groupRule(r *jsonpos.Node, file string) {
	id, gid := str(r, "SecurityGroupRuleId"), str(r, "GroupId")
	if gid == "" {
		b.errorf(file, r, "a security group rule without GroupId")
		return
	}
	p, from, to, err := protocolAndPorts(r)
	if err != nil {
		b.errorf(file, r, "%s: %v", id, err)
		return
	}
	addr := b.addGroup(gid, "", "", file, r)
	b.ruleGroups[addr] = true
	dir := model.Ingress
	if r.Get("IsEgress").Bool() {
		dir = model.Egress
	}
	rule := model.Rule{Name: b.Prefix + id, Group: addr, Direction: dir, Protocol: p, FromPort: from, ToPort: to,
		Description: str(r, "Description"), Source: b.src(file, r)}
	switch {
	case str(r, "CidrIpv4") != "":
		b.cidrRuleDirect(rule, str(r, "CidrIpv4"), "ipv4", file, r)
	case str(r, "CidrIpv6") != "":
		b.cidrRuleDirect(rule, str(r, "CidrIpv6"), "ipv6", file, r)
	case str(r, "PrefixListId") != "":
		rule.Peer = model.Peer{Kind: model.PeerPrefixList, Ref: str(r, "PrefixListId")}
		b.Snap.Rules = append(b.Snap.Rules, rule)
	case r.Get("ReferencedGroupInfo") != nil:
		rule.Peer = b.groupPeer(str(r.Get("ReferencedGroupInfo"), "GroupId"), gid)
		b.Snap.Rules = append(b.Snap.Rules, rule)
	default:
		b.errorf(file, r, "%s: no CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupInfo", id)
	}
}

func (b *Builder) cidrRuleDirect(rule model.Rule, cidr, family, file string, n *jsonpos.Node) {
	pfx, msg := model.ParseCIDR(cidr, family)
	if msg != "" {
		b.errorf(file, n, "%s", msg)
		return
	}
	rule.Peer = model.Peer{Kind: model.PeerCIDR, Prefix: pfx}
	b.Snap.Rules = append(b.Snap.Rules, rule)
}

// networkACL reads a NACL; the "*" entries (shown as 32767, or 32768 for
// IPv6) are the implicit final deny the model applies itself (§7, §10).
func (b *Builder) networkACL(n *jsonpos.Node, file string) {
	id := str(n, "NetworkAclId")
	acl := model.NetworkACL{Address: b.Prefix + id, Default: n.Get("IsDefault").Bool(), Source: b.src(file, n)}
	if acl.Default && str(n, "VpcId") != "" {
		acl.VPC = b.Prefix + str(n, "VpcId")
	}
	for _, a := range arr(n.Get("Associations")) {
		if s := str(a, "SubnetId"); s != "" {
			acl.Subnets = append(acl.Subnets, b.Prefix+s)
		}
	}
	for _, e := range arr(n.Get("Entries")) {
		num, _ := e.Get("RuleNumber").Int()
		if num == 32767 || num == 32768 {
			continue // the final deny ("*"), which the model applies itself
		}
		if num < 1 || num > 32766 {
			b.errorf(file, e, "%s: RuleNumber %d is out of range (1 to 32766)", id, num)
			continue
		}
		p, err := model.ParseProtocol(str(e, "Protocol"))
		if err != nil {
			b.errorf(file, e, "%s: %v", id, err)
			continue
		}
		action := model.ACLAction(str(e, "RuleAction"))
		if action != model.Allow && action != model.Deny {
			b.errorf(file, e, "%s: RuleAction must be allow or deny, not %q", id, action)
			continue
		}
		cidr, family := str(e, "CidrBlock"), "ipv4"
		if cidr == "" {
			cidr, family = str(e, "Ipv6CidrBlock"), "ipv6"
		}
		pfx, msg := model.ParseCIDR(cidr, family)
		if msg != "" {
			b.errorf(file, e, "%s: %s", id, msg)
			continue
		}
		entry := model.ACLEntry{Number: num, Egress: e.Get("Egress").Bool(), Protocol: p,
			Action: action, CIDR: pfx, FromPort: 0, ToPort: 65535,
			ICMPType: -1, ICMPCode: -1, Source: b.src(file, e)}
		entry.Name = fmt.Sprintf("%s.%s[%d]", acl.Address, map[bool]string{false: "ingress", true: "egress"}[entry.Egress], num)
		if pr := e.Get("PortRange"); pr != nil && p.HasPorts() {
			entry.FromPort, _ = pr.Get("From").Int()
			entry.ToPort, _ = pr.Get("To").Int()
			if entry.FromPort < 0 || msgOf(model.CheckPorts(p, entry.FromPort, entry.ToPort)) {
				b.errorf(file, pr, "%s: port range %d-%d is invalid (0 to 65535, From <= To)", id, entry.FromPort, entry.ToPort)
				continue
			}
		}
		if ic := e.Get("IcmpTypeCode"); ic != nil && p.IsICMP() {
			entry.ICMPType, _ = ic.Get("Type").Int()
			entry.ICMPCode, _ = ic.Get("Code").Int()
			if msg := model.CheckPorts(p, entry.ICMPType, entry.ICMPCode); msg != "" {
				b.errorf(file, ic, "%s: %s", id, msg)
				continue
			}
		}
		acl.Entries = append(acl.Entries, entry)
	}
	b.Snap.NACLs = append(b.Snap.NACLs, acl)
}

// autoTracked lists interface types whose connections AWS always tracks
// (docs/aws-semantics.md §3, §10).
var autoTracked = map[string]string{
	"nat_gateway": "nat-gateway", "natGateway": "nat-gateway",
	"network_load_balancer": "network-load-balancer",
	"gateway_load_balancer": "gateway-load-balancer", "gateway_load_balancer_endpoint": "gateway-load-balancer-endpoint",
	"lambda": "lambda", "vpc_endpoint": "vpc-endpoint", "transit_gateway": "transit-gateway",
	"global_accelerator_managed": "global-accelerator", "network_firewall": "network-firewall",
}

func (b *Builder) networkInterface(n *jsonpos.Node, file string) {
	id := str(n, "NetworkInterfaceId")
	att := model.Attachment{Name: b.Prefix + id, Kind: "network-interface", Source: b.src(file, n),
		AutoTracked: autoTracked[str(n, "InterfaceType")]}
	if s := str(n, "SubnetId"); s != "" {
		att.Subnet = b.Prefix + s
		if v := str(n, "VpcId"); v != "" {
			b.addSubnet(att.Subnet, b.Prefix+v, file, n)
		}
	}
	for _, g := range arr(n.Get("Groups")) {
		att.Groups = append(att.Groups, b.Prefix+str(g, "GroupId"))
	}
	if ct := n.Get("ConnectionTrackingConfiguration"); ct != nil {
		att.Tracking.Source = b.src(file, ct)
		for _, key := range []string{"TcpEstablishedTimeout", "UdpStreamTimeout", "UdpTimeout"} {
			setting := map[string]string{"TcpEstablishedTimeout": "tcp_established_timeout",
				"UdpStreamTimeout": "udp_stream_timeout", "UdpTimeout": "udp_timeout"}[key]
			dst := map[string]**int{"TcpEstablishedTimeout": &att.Tracking.TCPEstablished,
				"UdpStreamTimeout": &att.Tracking.UDPStream, "UdpTimeout": &att.Tracking.UDP}[key]
			v, ok := ct.Get(key).Int()
			if !ok {
				continue
			}
			if msg := model.CheckTimeout(setting, v); msg != "" {
				b.errorf(file, ct.Get(key), "%s: %s", id, msg)
				att.Tracking.Invalid = append(att.Tracking.Invalid, setting)
				continue
			}
			*dst = &v
		}
	}
	b.Snap.Attachments = append(b.Snap.Attachments, att)
}

// addSubnet declares a subnet an interface names, with its VPC, once: a
// subnet without an explicit route table association uses its VPC's main
// route table.
func (b *Builder) addSubnet(addr, vpc, file string, n *jsonpos.Node) {
	for _, sub := range b.Snap.Subnets {
		if sub.Address == addr {
			return
		}
	}
	b.Snap.Subnets = append(b.Snap.Subnets, model.Subnet{Address: addr, VPC: vpc, Source: b.src(file, n)})
}
