package terraform

import (
	"fmt"
	"math/big"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/sgcheck/sgcheck/model"
)

// ruleSpec is a security group rule as written, before it is split per peer.
type ruleSpec struct {
	name, group        string
	dir                model.Direction
	src                model.Source
	protocol, from, to value
	desc               value
	peers              []peerSource
	// origin is "inline" (a block or list element of the group) or
	// "standalone" (a rule resource).
	origin string
}

type peerSource struct {
	kind   model.PeerKind
	v      value
	family string // for CIDR peers: the family the attribute takes
	attr   string // the attribute's name
	// symbol, for an attribute that names one security group whose id the
	// input does not determine, is the reference it is written as
	// (module.bastion.security_group_id): the peer is that group, whichever
	// it is (peerGroupSymbol)
	symbol string
}

// addRules appends one model.Rule per peer of spec. Unknown protocol, ports
// or peers are carried as unknowns on the rule, never guessed.
func (x *moduleExtractor) addRules(spec ruleSpec) {
	base := model.Rule{Name: spec.name, Group: spec.group, Direction: spec.dir, Source: spec.src, Origin: spec.origin,
		CallSite: x.ev.callSite, Callers: x.ev.callers}
	if spec.desc.known() {
		base.Description, _ = asString(spec.desc.v)
	}
	x.protocolAndPorts(&base, spec)
	var rules []model.Rule
	if whys := unknownPeers(spec.peers); whys != nil {
		// no peer attribute is determined: one rule stands for them all,
		// since which of them is set is itself unknown
		r := base
		r.Peer = model.Peer{Kind: model.PeerUnknown, Ref: whys[0]}
		r.Unknown = append([]string(nil), base.Unknown...)
		for _, w := range whys {
			if !contains(r.Unknown, w) {
				r.Unknown = append(r.Unknown, w)
			}
		}
		rules = []model.Rule{r}
		x.snap.Unknowns += countUnknown(rules)
		x.rules = append(x.rules, rules)
		return
	}
	for _, ps := range spec.peers {
		if !ps.v.set {
			continue
		}
		if ps.v.why != "" && ps.symbol != "" {
			r := base
			r.Peer = model.Peer{Kind: model.PeerGroup, Ref: ps.symbol}
			rules = append(rules, r)
			continue
		}
		if ps.v.why != "" {
			r := base
			r.Peer = model.Peer{Kind: model.PeerUnknown, Ref: ps.v.why}
			r.Unknown = append([]string(nil), base.Unknown...)
			if !contains(r.Unknown, ps.v.why) {
				r.Unknown = append(r.Unknown, ps.v.why)
			}
			rules = append(rules, r)
			continue
		}
		if ps.kind == model.PeerSelf {
			if b, ok := asBool(ps.v.v); ok && b {
				r := base
				r.Peer = model.Peer{Kind: model.PeerSelf, Ref: spec.group}
				rules = append(rules, r)
			}
			continue
		}
		list, ok := asStrings(ps.v.v)
		if !ok {
			x.errorf(ps.v.rng, "%s: %s", spec.name, notStrings(ps.attr, ps.v.v))
			continue
		}
		for _, s := range list {
			r := base
			switch ps.kind {
			case model.PeerCIDR:
				if why := afterApply("the CIDR", s); why != "" {
					r.Peer = model.Peer{Kind: model.PeerUnknown, Ref: why}
					r.Unknown = append(append([]string(nil), base.Unknown...), why)
					break
				}
				p, msg := model.ParseCIDR(s, ps.family)
				if msg != "" {
					// AWS refuses it: an input error, and the rule is
					// indeterminate rather than read as another network
					x.errorf(ps.v.rng, "%s: %s", spec.name, msg)
					r.Peer = model.Peer{Kind: model.PeerUnknown, Ref: msg}
					r.Unknown = append(append([]string(nil), base.Unknown...), msg)
					break
				}
				r.Peer = model.Peer{Kind: model.PeerCIDR, Prefix: p}
			case model.PeerGroup:
				r.Peer = model.Peer{Kind: model.PeerGroup, Ref: refAddress(s)}
			default:
				r.Peer = model.Peer{Kind: ps.kind, Ref: refAddress(s)}
			}
			rules = append(rules, r)
		}
	}
	x.snap.Unknowns += countUnknown(rules)
	if len(rules) > 0 {
		x.rules = append(x.rules, rules)
	}
}

// unknownPeers returns why, when every peer attribute that is set is
// undetermined (and there are several); nil otherwise.
func unknownPeers(peers []peerSource) []string {
	var whys []string
	for _, ps := range peers {
		if !ps.v.set {
			continue
		}
		if ps.v.why == "" || ps.symbol != "" {
			return nil
		}
		whys = append(whys, ps.v.why)
	}
	if len(whys) < 2 {
		return nil
	}
	return whys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func countUnknown(rules []model.Rule) int {
	n := 0
	for _, r := range rules {
		n += len(r.Unknown)
	}
	return n
}

// protocolAndPorts fills protocol and ports following docs/aws-semantics.md §6:
// all ports for protocol -1 and for protocols other than tcp/udp/icmp/icmpv6;
// for ICMP the ports carry the type and code.
func (x *moduleExtractor) protocolAndPorts(r *model.Rule, spec ruleSpec) {
	if !spec.protocol.known() {
		why := "protocol is not set"
		if spec.protocol.why != "" {
			why = spec.protocol.why
		}
		r.Unknown = append(r.Unknown, why)
		r.Protocol, r.FromPort, r.ToPort = model.All, 0, 65535
		return
	}
	s, _ := asString(spec.protocol.v)
	if why := afterApply("protocol", s); why != "" {
		r.Unknown = append(r.Unknown, why)
		r.Protocol, r.FromPort, r.ToPort = model.All, 0, 65535
		return
	}
	p, err := model.ParseProtocol(s)
	if err != nil {
		x.errorf(spec.protocol.rng, "%s: %v", spec.name, err)
		r.Unknown = append(r.Unknown, err.Error())
		p = model.All
	}
	r.Protocol = p
	if !p.HasPorts() && !p.IsICMP() {
		r.FromPort, r.ToPort = 0, 65535
		return
	}
	lo, hi, what := -1, 65535, "port"
	if p.IsICMP() {
		lo, hi, what = -1, 255, "ICMP type"
	}
	from, fromWhy, fromBad := x.number(spec.from, lo, hi, what, spec.name)
	if p.IsICMP() {
		what = "ICMP code"
	}
	to, toWhy, toBad := x.number(spec.to, lo, hi, what, spec.name)
	if p.IsICMP() {
		// -1 (or absent) means every type / code.
		if !spec.from.set {
			from, fromWhy = -1, ""
		}
		if !spec.to.set {
			to, toWhy = -1, ""
		}
	}
	switch {
	case fromWhy != "" || toWhy != "":
		r.Unknown = append(r.Unknown, orElse(fromWhy, toWhy))
		from, to = 0, 65535
	case fromBad || toBad:
		r.Unknown = append(r.Unknown, "invalid port range")
		from, to = 0, 65535
		if p.IsICMP() {
			from, to = -1, -1
		}
	case p.IsICMP() && from == -1 && to != -1:
		// AWS: all ICMP types means all codes
		x.errorf(spec.to.rng, "%s: ICMP type -1 (every type) needs code -1, not %d", spec.name, to)
		r.Unknown = append(r.Unknown, "invalid ICMP type and code")
		from, to = -1, -1
	case p.HasPorts() && (from == -1) != (to == -1):
		x.errorf(spec.from.rng, "%s: port -1 (every port) must be given for both from_port and to_port, not %d-%d", spec.name, from, to)
		r.Unknown = append(r.Unknown, "invalid port range")
		from, to = 0, 65535
	case p.HasPorts() && from > to:
		x.errorf(spec.from.rng, "%s: from_port %d is greater than to_port %d", spec.name, from, to)
		r.Unknown = append(r.Unknown, "invalid port range")
		from, to = 0, 65535
	}
	r.FromPort, r.ToPort = from, to
	r.NormalizePorts()
}

// number reads a port, ICMP type or code: an integer in [lo, hi]. why is
// set when the value is not determined (or not set); bad when it is
// determined and invalid, which is reported as an input error at it.
func (x *moduleExtractor) number(v value, lo, hi int, what, name string) (n int, why string, bad bool) {
	switch {
	case !v.set:
		return 0, what + " is not set", false
	case v.why != "":
		return 0, v.why, false
	}
	n, msg := intIn(v.v, lo, hi, what)
	if msg != "" {
		x.errorf(v.rng, "%s: %s", name, msg)
		return 0, "", true
	}
	return n, "", false
}

// intIn converts a determined value to an integer in [lo, hi], or says why
// it is not one.
func intIn(v cty.Value, lo, hi int, what string) (int, string) {
	nv, err := convert.Convert(v, cty.Number)
	if err != nil || nv.IsNull() {
		return 0, fmt.Sprintf("%s %s is not a number", what, show(v))
	}
	f := nv.AsBigFloat()
	if f.IsInf() {
		return 0, fmt.Sprintf("%s %s is not a finite number", what, show(v))
	}
	if !f.IsInt() {
		return 0, fmt.Sprintf("%s %s is not a whole number", what, f.Text('g', 10))
	}
	i, acc := f.Int64()
	if acc != big.Exact || i < int64(lo) || i > int64(hi) {
		return 0, fmt.Sprintf("%s %s is out of range (%d to %d)", what, f.Text('f', 0), lo, hi)
	}
	return int(i), ""
}

// show renders a value for a message.
func show(v cty.Value) string {
	if v.Type() == cty.String {
		return fmt.Sprintf("%q", v.AsString())
	}
	if v.Type() == cty.Number {
		return v.AsBigFloat().Text('g', 10)
	}
	return v.Type().FriendlyName()
}

func portValue(v value) (int, bool) {
	if !v.known() {
		return 0, false
	}
	return asInt(v.v)
}

// notStrings says why a peer attribute's value is not a list of strings. A
// list of lists is most often Terraform 0.11's `["${var.cidrs}"]`, which
// 0.11 flattened and Terraform 0.12 and later refuse.
func notStrings(attr string, v cty.Value) string {
	msg := fmt.Sprintf("%s must be a list of strings, not %s", attr, v.Type().FriendlyName())
	if ty := v.Type(); (ty.IsListType() || ty.IsSetType() || ty.IsTupleType()) && v.IsWhollyKnown() {
		for it := v.ElementIterator(); it.Next(); {
			if _, e := it.Element(); e.Type().IsListType() || e.Type().IsTupleType() || e.Type().IsSetType() {
				return msg + ` (["${var.x}"] puts the list var.x inside another list: Terraform 0.11 flattened it, 0.12 and later refuse it; write var.x)`
			}
		}
	}
	return msg
}
