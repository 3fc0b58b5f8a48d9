package terraform

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"strings"

	"github.com/sgcheck/sgcheck/model"
)

func (x *moduleExtractor) networkACL(r *resourceInstance) {
	n := model.NetworkACL{Address: r.addr, Source: r.src, Default: r.block.Labels[0] == "aws_default_network_acl"}
	subnets, unknown := x.groupRefs(x.get(r.content.Attributes, "subnet_ids", r.ctx), "subnet_ids", r.addr)
	n.Subnets = subnets
	if a := r.content.Attributes["subnet_ids"]; a != nil && len(subnets) > 0 {
		n.SubnetSources = map[string]model.Source{}
		for _, s := range subnets {
			n.SubnetSources[s] = model.Source{File: a.Range.Filename, StartLine: a.Range.Start.Line, EndLine: a.Range.End.Line,
				StartCol: a.Range.Start.Column}
		}
	}
	x.snap.Unknowns += len(unknown)
	if n.Default {
		if id, ok := x.groupRef(x.get(r.content.Attributes, "default_network_acl_id", r.ctx)); ok {
			n.VPC = strings.TrimSuffix(id, ".default_network_acl_id")
		}
	}
	items := x.ruleItems(r, inlineACLSchema)
	if len(items) > 0 {
		n.Entries = make([]model.ACLEntry, 0, len(items))
	}
	for _, it := range items {
		e, ok, why := x.aclEntry(it.name, it.typ == "egress", it.get, it.src, "rule_no", "action")
		if ok {
			n.Entries = append(n.Entries, e)
		} else if why != "" {
			n.Unknown = append(n.Unknown, model.Absent{Address: it.name, Why: why, Source: it.src})
		}
	}
	if len(n.Entries) == 0 {
		n.Entries = nil // as when none was added
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
		e.Standalone = true
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
	x.aclAssocs[acl] = append(x.aclAssocs[acl], aclAssoc{subnet, r.src})
}

// aclAssoc is a subnet an association resource gives a network ACL.
type aclAssoc struct {
	subnet string
	src    model.Source
}

// aclEntry reads one NACL entry; numberAttr and actionAttr differ between
// inline blocks and aws_network_acl_rule. An entry with an undetermined
// field, or an invalid one (also an input error at it), is left out with
// why: a NACL with a missing entry is incomplete and is not used to judge
// rules, never evaluated with a guess.
func (x *moduleExtractor) aclEntry(name string, egress bool, get func(string) value,
	src model.Source, numberAttr, actionAttr string) (e model.ACLEntry, ok bool, why string) {
	e = model.ACLEntry{Name: name, Egress: egress, Source: src, ICMPType: -1, ICMPCode: -1, FromPort: 0, ToPort: 65535,
		CallSite: x.ev.callSite, Callers: x.ev.callers}
	bad := false
	num, numWhy, numBad := x.number(get(numberAttr), 1, 32766, numberAttr, name)
	act, proto := get(actionAttr), get("protocol")
	switch {
	case numWhy != "":
		return x.unknownEntry(e, numWhy)
	case !act.known():
		return x.unknownEntry(e, orElse(act.why, actionAttr+" is not set"))
	case !proto.known():
		return x.unknownEntry(e, orElse(proto.why, "protocol is not set"))
	}
	bad = bad || numBad
	e.Number = num
	s, _ := asString(act.v)
	e.Action = model.ACLAction(s)
	if e.Action != model.Allow && e.Action != model.Deny {
		x.errorf(act.rng, "%s: action must be allow or deny, not %q", name, s)
		bad = true
	}
	ps, _ := asString(proto.v)
	p, err := model.ParseProtocol(ps)
	if err != nil {
		x.errorf(proto.rng, "%s: %v", name, err)
		bad = true
	}
	e.Protocol = p
	cidr, family := get("cidr_block"), "ipv4"
	if s, _ := asString(cidr.v); !cidr.set || (cidr.known() && s == "") {
		// attribute syntax spells the unused family as "" or null
		cidr, family = get("ipv6_cidr_block"), "ipv6"
	}
	if !cidr.known() {
		return x.unknownEntry(e, orElse(cidr.why, "cidr_block is not set"))
	}
	cs, _ := asString(cidr.v)
	if why := afterApply("cidr_block", cs); why != "" {
		return x.unknownEntry(e, why)
	}
	if pfx, msg := model.ParseCIDR(cs, family); msg != "" {
		x.errorf(cidr.rng, "%s: %s", name, msg)
		bad = true
	} else {
		e.CIDR = pfx
	}
	if p.HasPorts() {
		from, fromWhy, fromBad := x.number(get("from_port"), 0, 65535, "from_port", name)
		to, toWhy, toBad := x.number(get("to_port"), 0, 65535, "to_port", name)
		switch {
		case fromWhy != "" || toWhy != "":
			return x.unknownEntry(e, orElse(fromWhy, toWhy))
		case fromBad || toBad:
			bad = true
		case from > to:
			x.errorf(get("from_port").rng, "%s: from_port %d is greater than to_port %d", name, from, to)
			bad = true
		default:
			e.FromPort, e.ToPort = from, to
		}
	}
	if p.IsICMP() {
		for _, f := range []struct {
			attr string
			dst  *int
		}{{"icmp_type", &e.ICMPType}, {"icmp_code", &e.ICMPCode}} {
			v := get(f.attr)
			if !v.set {
				continue // every type / code
			}
			n, why, nBad := x.number(v, -1, 255, f.attr, name)
			switch {
			case why != "":
				return x.unknownEntry(e, why)
			case nBad:
				bad = true
			default:
				*f.dst = n
			}
		}
		if e.ICMPType == -1 && e.ICMPCode != -1 {
			x.errorf(get("icmp_code").rng, "%s: icmp_type -1 (every type) needs icmp_code -1, not %d", name, e.ICMPCode)
			bad = true
		}
	}
	if bad {
		return e, false, "invalid (see the input errors)"
	}
	return e, true, ""
}

func (x *moduleExtractor) unknownEntry(e model.ACLEntry, why string) (model.ACLEntry, bool, string) {
	x.snap.Unknowns++
	return e, false, why
}

func orElse(s, alt string) string {
	if s != "" {
		return s
	}
	return alt
}
