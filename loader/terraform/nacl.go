package terraform

import (
	"net/netip"

	"github.com/sgcheck/sgcheck/model"
)

func (x *moduleExtractor) networkACL(r *resourceInstance) {
	n := model.NetworkACL{Address: r.addr, Source: r.src, Default: r.block.Labels[0] == "aws_default_network_acl"}
	subnets, unknown := x.groupRefs(x.get(r.content.Attributes, "subnet_ids", r.ctx))
	n.Subnets = subnets
	x.snap.Unknowns += len(unknown)
	for _, it := range x.ruleItems(r, inlineACLSchema) {
		if e, ok := x.aclEntry(it.name, it.typ == "egress", it.get, it.src, "rule_no", "action"); ok {
			n.Entries = append(n.Entries, e)
		}
	}
	x.naclByAddr[r.addr] = len(x.snap.NACLs)
	x.snap.NACLs = append(x.snap.NACLs, n)
}

func (x *moduleExtractor) aclRule(r *resourceInstance) {
	a := r.content.Attributes
	acl, ok := x.groupRef(x.get(a, "network_acl_id", r.ctx))
	if !ok {
		x.snap.Unknowns++
		return
	}
	egress := false
	if v := x.get(a, "egress", r.ctx); v.known() {
		egress, _ = asBool(v.v)
	}
	get := func(name string) value { return x.get(a, name, r.ctx) }
	if e, ok := x.aclEntry(r.addr, egress, get, r.src, "rule_number", "rule_action"); ok {
		x.aclRules[acl] = append(x.aclRules[acl], e)
	}
}

func (x *moduleExtractor) aclAssociation(r *resourceInstance) {
	acl, ok1 := x.groupRef(x.get(r.content.Attributes, "network_acl_id", r.ctx))
	subnet, ok2 := x.groupRef(x.get(r.content.Attributes, "subnet_id", r.ctx))
	if !ok1 || !ok2 {
		x.snap.Unknowns++
		return
	}
	x.aclAssocs[acl] = append(x.aclAssocs[acl], subnet)
}

// aclEntry reads one NACL entry; numberAttr and actionAttr differ between
// inline blocks and aws_network_acl_rule. Entries with unknown fields are
// counted as unknowns and left out: a NACL with a missing entry is reported
// as incomplete rather than evaluated with a guess.
func (x *moduleExtractor) aclEntry(name string, egress bool, get func(string) value,
	src model.Source, numberAttr, actionAttr string) (model.ACLEntry, bool) {
	e := model.ACLEntry{Name: name, Egress: egress, Source: src}
	num, numOK := portValue(get(numberAttr))
	act := get(actionAttr)
	proto := get("protocol")
	if !numOK || !act.known() || !proto.known() {
		x.snap.Unknowns++
		return e, false
	}
	e.Number = num
	s, _ := asString(act.v)
	e.Action = model.ACLAction(s)
	if e.Action != model.Allow && e.Action != model.Deny {
		x.errorf(act.rng, "%s: action must be allow or deny, not %q", name, s)
		return e, false
	}
	ps, _ := asString(proto.v)
	p, err := model.ParseProtocol(ps)
	if err != nil {
		x.errorf(proto.rng, "%s: %v", name, err)
		return e, false
	}
	e.Protocol = p
	cidr := get("cidr_block")
	if s, _ := asString(cidr.v); !cidr.set || (cidr.known() && s == "") {
		// attribute syntax spells the unused family as "" or null
		cidr = get("ipv6_cidr_block")
	}
	if !cidr.known() {
		x.snap.Unknowns++
		return e, false
	}
	cs, _ := asString(cidr.v)
	pfx, err := netip.ParsePrefix(cs)
	if err != nil {
		x.errorf(cidr.rng, "%s: invalid CIDR %q", name, cs)
		return e, false
	}
	e.CIDR = pfx.Masked()
	e.FromPort, e.ToPort = 0, 65535
	if p.HasPorts() {
		from, ok1 := portValue(get("from_port"))
		to, ok2 := portValue(get("to_port"))
		if ok1 && ok2 {
			e.FromPort, e.ToPort = from, to
		}
	}
	e.ICMPType, e.ICMPCode = -1, -1
	if p.IsICMP() {
		if t, ok := portValue(get("icmp_type")); ok {
			e.ICMPType = t
		}
		if c, ok := portValue(get("icmp_code")); ok {
			e.ICMPCode = c
		}
	}
	return e, true
}
