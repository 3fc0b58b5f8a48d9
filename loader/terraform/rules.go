package terraform

import (
	"net/netip"

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
}

type peerSource struct {
	kind model.PeerKind
	v    value
}

// addRules appends one model.Rule per peer of spec. Unknown protocol, ports
// or peers are carried as unknowns on the rule, never guessed.
func (x *moduleExtractor) addRules(spec ruleSpec) {
	base := model.Rule{Name: spec.name, Group: spec.group, Direction: spec.dir, Source: spec.src}
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
		x.snap.Unknowns += countUnknown([]model.Rule{r})
		x.snap.Rules = append(x.snap.Rules, r)
		return
	}
	for _, ps := range spec.peers {
		if !ps.v.set {
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
			x.errorf(ps.v.rng, "%s: expected a list of strings", spec.name)
			continue
		}
		for _, s := range list {
			r := base
			switch ps.kind {
			case model.PeerCIDR:
				p, err := netip.ParsePrefix(s)
				if err != nil {
					x.errorf(ps.v.rng, "%s: invalid CIDR %q", spec.name, s)
					continue
				}
				r.Peer = model.Peer{Kind: model.PeerCIDR, Prefix: p.Masked()}
			case model.PeerGroup:
				r.Peer = model.Peer{Kind: model.PeerGroup, Ref: refAddress(s)}
			default:
				r.Peer = model.Peer{Kind: ps.kind, Ref: refAddress(s)}
			}
			rules = append(rules, r)
		}
	}
	x.snap.Unknowns += countUnknown(rules)
	x.snap.Rules = append(x.snap.Rules, rules...)
}

// unknownPeers returns why, when every peer attribute that is set is
// undetermined (and there are several); nil otherwise.
func unknownPeers(peers []peerSource) []string {
	var whys []string
	for _, ps := range peers {
		if !ps.v.set {
			continue
		}
		if ps.v.why == "" {
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
	from, fromOK := portValue(spec.from)
	to, toOK := portValue(spec.to)
	if p.IsICMP() {
		// -1 (or absent) means every type / code.
		if !spec.from.set {
			from, fromOK = -1, true
		}
		if !spec.to.set {
			to, toOK = -1, true
		}
	}
	if !fromOK || !toOK {
		if spec.from.why != "" {
			r.Unknown = append(r.Unknown, spec.from.why)
		} else if spec.to.why != "" {
			r.Unknown = append(r.Unknown, spec.to.why)
		} else {
			r.Unknown = append(r.Unknown, "port range is not set")
		}
		from, to = 0, 65535
	}
	r.FromPort, r.ToPort = from, to
	r.NormalizePorts()
}

func portValue(v value) (int, bool) {
	if !v.known() {
		return 0, false
	}
	return asInt(v.v)
}
