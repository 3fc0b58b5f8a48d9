package terraform

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"net/netip"
	"strings"

	"github.com/sgcheck/sgcheck/model"
)

func (x *moduleExtractor) networkACL(r *resourceInstance) {
	n := model.NetworkACL{Address: r.addr, Source: r.src, Default: r.block.Labels[0] == "aws_default_network_acl"}
	subnets, unknown := x.groupRefs(x.get(r.content.Attributes, "subnet_ids", r.ctx))
	n.Subnets = subnets
	x.snap.Unknowns += len(unknown)
	if n.Default {
		if id, ok := x.groupRef(x.get(r.content.Attributes, "default_network_acl_id", r.ctx)); ok {
			n.VPC = strings.TrimSuffix(id, ".default_network_acl_id")
		}
	}
	for _, it := range x.ruleItems(r, inlineACLSchema) {
		e, ok, why := x.aclEntry(it.name, it.typ == "egress", it.get, it.src, "rule_no", "action")
		if ok {
			n.Entries = append(n.Entries, e)
		} else if why != "" {
			n.Unknown = append(n.Unknown, model.Absent{Address: it.name, Why: why, Source: it.src})
		}
	}
	x.naclByAddr[r.addr] = len(x.snap.NACLs)
	x.snap.NACLs = append(x.snap.NACLs, n)
}

func (x *moduleExtractor) aclRule(r *resourceInstance) {
	a := r.content.Attributes
	id := x.get(a, "network_acl_id", r.ctx)
	acl, ok := x.groupRef(id)
	if !ok {
		x.ev.world.warn(hcl.Range{Filename: r.src.File, Start: hcl.Pos{Line: r.src.StartLine}},
			fmt.Sprintf("%s: %s; the entry is not attributed to a network ACL", r.addr, orElse(id.why, "network_acl_id is not set")))
		return
	}
	egress := false
	if v := x.get(a, "egress", r.ctx); v.known() {
		egress, _ = asBool(v.v)
	}
	get := func(name string) value { return x.get(a, name, r.ctx) }
	e, ok, why := x.aclEntry(r.addr, egress, get, r.src, "rule_number", "rule_action")
	if ok {
		x.aclRules[acl] = append(x.aclRules[acl], e)
	} else if why != "" {
		x.aclUnknown[acl] = append(x.aclUnknown[acl], model.Absent{Address: r.addr, Why: why, Source: r.src})
	}
}

func (x *moduleExtractor) aclAssociation(r *resourceInstance) {
	av, sv := x.get(r.content.Attributes, "network_acl_id", r.ctx), x.get(r.content.Attributes, "subnet_id", r.ctx)
	acl, ok1 := x.groupRef(av)
	subnet, ok2 := x.groupRef(sv)
	if !ok1 || !ok2 {
		x.ev.world.warn(hcl.Range{Filename: r.src.File, Start: hcl.Pos{Line: r.src.StartLine}},
			fmt.Sprintf("%s: %s; the association is not known", r.addr, orElse(orElse(av.why, sv.why), "network_acl_id or subnet_id is not set")))
		return
	}
	x.aclAssocs[acl] = append(x.aclAssocs[acl], subnet)
}

// aclEntry reads one NACL entry; numberAttr and actionAttr differ between
// inline blocks and aws_network_acl_rule. Entries with unknown fields are
// counted as unknowns and left out, with why: a NACL with a missing entry is
// reported as incomplete rather than evaluated with a guess.
func (x *moduleExtractor) aclEntry(name string, egress bool, get func(string) value,
	src model.Source, numberAttr, actionAttr string) (e model.ACLEntry, ok bool, why string) {
	e = model.ACLEntry{Name: name, Egress: egress, Source: src}
	num, numOK := portValue(get(numberAttr))
	act := get(actionAttr)
	proto := get("protocol")
	for _, f := range []struct {
		v    value
		ok   bool
		name string
	}{{get(numberAttr), numOK, numberAttr}, {act, act.known(), actionAttr}, {proto, proto.known(), "protocol"}} {
		if !f.ok {
			x.snap.Unknowns++
			return e, false, orElse(f.v.why, f.name+" is not set")
		}
	}
	e.Number = num
	s, _ := asString(act.v)
	e.Action = model.ACLAction(s)
	if e.Action != model.Allow && e.Action != model.Deny {
		x.errorf(act.rng, "%s: action must be allow or deny, not %q", name, s)
		return e, false, ""
	}
	ps, _ := asString(proto.v)
	p, err := model.ParseProtocol(ps)
	if err != nil {
		x.errorf(proto.rng, "%s: %v", name, err)
		return e, false, ""
	}
	e.Protocol = p
	cidr := get("cidr_block")
	if s, _ := asString(cidr.v); !cidr.set || (cidr.known() && s == "") {
		// attribute syntax spells the unused family as "" or null
		cidr = get("ipv6_cidr_block")
	}
	if !cidr.known() {
		x.snap.Unknowns++
		return e, false, orElse(cidr.why, "cidr_block is not set")
	}
	cs, _ := asString(cidr.v)
	pfx, err := netip.ParsePrefix(cs)
	if err != nil {
		x.errorf(cidr.rng, "%s: invalid CIDR %q", name, cs)
		return e, false, ""
	}
	e.CIDR = pfx.Masked()
	e.FromPort, e.ToPort = 0, 65535
	if p.HasPorts() {
		fv, tv := get("from_port"), get("to_port")
		from, ok1 := portValue(fv)
		to, ok2 := portValue(tv)
		switch {
		case ok1 && ok2:
			e.FromPort, e.ToPort = from, to
		case fv.why != "" || tv.why != "":
			x.snap.Unknowns++
			return e, false, orElse(fv.why, tv.why)
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
	return e, true, ""
}

func orElse(s, alt string) string {
	if s != "" {
		return s
	}
	return alt
}
