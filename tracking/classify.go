package tracking

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/sgcheck/sgcheck/internal/parallel"
	"github.com/sgcheck/sgcheck/model"
	"go4.org/netipx"
)

// Reasons a flow is tracked or not; they appear in explain output and in the
// policy input, so they are part of the output contract.
const (
	ReasonUntracked     = "open-with-open-reverse"       // §2.1
	ReasonICMP          = "icmp-always-tracked"          // §2.5
	ReasonOther         = "other-protocol-tracked"       // §1.2
	ReasonPeerNotOpen   = "peer-not-open"                // §2.1, §2.3
	ReasonNoReverse     = "no-open-reverse"              // §2.1, §2.4
	ReasonAutoTracked   = "automatically-tracked"        // §3
	ReasonPartly        = "partly-tracked"               // protocol all: some parts tracked
	ReasonIndeterminate = "indeterminate"                // the input does not determine it
	ReasonRouted        = "routed-automatically-tracked" // §3: through a NAT gateway, transit gateway, …
	ReasonCovered       = "covered-by-open-rule"         // §2.1: an open rule admits the same flows
)

// Verdict is the tracking status of a rule's flows of one protocol.
type Verdict struct {
	Protocol model.Protocol
	// Tracked is nil when the input does not determine the answer.
	Tracked *bool
	Reason  string
	// Reverse is the rule in the other direction that leaves the flow
	// untracked (or, when tracked, nil).
	Reverse *model.Rule
	// Detail says more where Reason alone does not, e.g. what is unknown.
	Detail string
	// Masked is the reverse rule that would leave the flow untracked if
	// the attachment were not automatically tracked.
	Masked *model.Rule
	// Routed lists the parts of the peers that the subnet's routes send
	// through automatically tracking targets (§3): tracked, whatever the
	// verdict says of the rest.
	Routed []RoutedPart
	// Assumption is what an untracked verdict assumes about routes that
	// are not in the input.
	Assumption string
	// Covering is, for ReasonCovered, the rule open to all addresses that
	// admits every flow of this rule and leaves it untracked.
	Covering *model.Rule
}

// RuleClass is the classification of one rule on one attachment.
type RuleClass struct {
	Rule model.Rule
	Verdict
	// Parts is set for protocol all: one verdict per protocol it admits.
	Parts []Verdict
	// Window is the idle window of tracked flows (the largest of the parts).
	Window *Window
	// NACL is what the subnet's network ACL does to the rule's flows, when
	// the NACL is known and the rule is TCP or UDP with an address peer.
	NACL *NACLPath
}

// AttachmentClass is the classification of every rule on one attachment.
type AttachmentClass struct {
	Attachment model.Attachment
	Rules      []RuleClass
	// Missing lists groups the attachment names but the input does not declare.
	Missing []string
}

// Attachments returns the snapshot's attachments, plus one assumed attachment
// for each group that no attachment carries (DESIGN.md "Semantics" 1).
func Attachments(s *model.Snapshot) []model.Attachment {
	out := append([]model.Attachment(nil), s.Attachments...)
	for _, g := range s.Groups {
		if !s.GroupAttached(g) {
			out = append(out, model.AssumedAttachment(g))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	for i := range out {
		out[i].Routing = s.RoutingFor(out[i].Subnet)
	}
	return out
}

// RulesOf returns the rules of the attachment's groups, in group order, and
// the groups the snapshot does not declare.
func RulesOf(s *model.Snapshot, att model.Attachment) (rules []model.Rule, missing []string) {
	n := 0
	for _, g := range att.Groups {
		n += len(s.RulesOfGroup(g))
	}
	if n > 0 {
		rules = make([]model.Rule, 0, n) // a copy: callers may edit it
	}
	for _, g := range att.Groups {
		if decl, ok := s.Group(g); !ok || decl.Symbolic {
			missing = append(missing, g)
		}
		rules = append(rules, s.RulesOfGroup(g)...)
	}
	return rules, append(missing, att.GroupsUnknown...)
}

// Classify classifies every rule of every attachment of s. Attachments are
// independent, so they are classified in parallel, in order.
func Classify(s *model.Snapshot, params Params) []AttachmentClass {
	return ClassifyEach(s, Attachments(s), params)
}

// ClassifyEach classifies the rules of the given attachments of s, in
// parallel, in order.
func ClassifyEach(s *model.Snapshot, atts []model.Attachment, params Params) []AttachmentClass {
	s.Index()
	out := make([]AttachmentClass, len(atts))
	parallel.Each(len(atts), func(i int) { out[i] = classifyOne(s, atts[i], params) })
	return out
}

func classifyOne(s *model.Snapshot, att model.Attachment, params Params) AttachmentClass {
	rules, missing := RulesOf(s, att)
	ac := ClassifyAttachment(att, rules, missing, params)
	// a NACL with entries the input does not determine is not evaluated:
	// a missing entry could change any verdict
	if nacl, ok := s.NACLOf(att.Subnet); ok && att.Subnet != "" && len(nacl.Unknown) == 0 {
		for i := range ac.Rules {
			if p, ok := CheckNACL(nacl, ac.Rules[i].Rule); ok {
				ac.Rules[i].NACL = &p
			}
		}
	}
	return ac
}

// ClassifyAttachment classifies rules that act together on one attachment
// (§6: the rules of all groups on an interface are combined).
func ClassifyAttachment(att model.Attachment, rules []model.Rule, missing []string, params Params) AttachmentClass {
	ac := AttachmentClass{Attachment: att, Missing: missing}
	if len(rules) > 0 {
		ac.Rules = make([]RuleClass, 0, len(rules)) // each rule is one class
	}
	// Only open all-port rules (and undetermined ones that may be) can be
	// reverse rules: looking among them alone keeps large groups linear.
	var candidates []model.Rule
	for _, r := range rules {
		if mayBeOpenAllPorts(r) {
			candidates = append(candidates, r)
		}
	}
	for _, r := range rules {
		rc := RuleClass{Rule: r}
		// an NLB target's connections pass through the load balancer on
		// its target ports only (§3)
		through := att.Through(r.Direction, r.Protocol, r.FromPort, r.ToPort)
		if r.Protocol == model.All {
			for _, p := range []model.Protocol{model.TCP, model.UDP, familyICMP(r), otherProtocol} {
				rc.Parts = append(rc.Parts, classifyFlow(through, r, p, candidates, missing))
			}
			rc.Verdict = combine(rc.Parts)
		} else {
			rc.Verdict = classifyFlow(through, r, r.Protocol, candidates, missing)
		}
		rc.Window = windowOf(through, rc, params)
		ac.Rules = append(ac.Rules, rc)
	}
	coverNarrow(att, ac.Rules, params)
	return ac
}

// coverNarrow marks the TCP and UDP flows of narrow address rules that a
// rule open to all addresses of the same family also admits, on every port
// of the narrow rule, and leaves untracked: AWS decides per flow, and such
// a flow is permitted by the open rule with an open reverse rule (§2.1),
// so it is not tracked. A revocation of the narrow rule alone cuts nothing
// (the open rule still admits the flows); change analysis, which looks at
// flows, already treats them so. Peers the open rule's flows reach through
// automatically tracking targets stay tracked.
func coverNarrow(att model.Attachment, rules []RuleClass, params Params) {
	var open []*RuleClass
	for i := range rules {
		if r := rules[i].Rule; r.Peer.Kind == model.PeerCIDR && r.Peer.IsOpen() {
			open = append(open, &rules[i])
		}
	}
	if len(open) == 0 {
		return
	}
	for i := range rules {
		rc := &rules[i]
		if r := rc.Rule; r.Peer.Kind != model.PeerCIDR || r.Peer.IsOpen() || len(r.Unknown) > 0 {
			continue
		}
		changed := false
		if len(rc.Parts) == 0 {
			changed = coverFlow(att, rc.Rule, &rc.Verdict, open)
		} else {
			for k := range rc.Parts {
				changed = coverFlow(att, rc.Rule, &rc.Parts[k], open) || changed
			}
			if changed {
				rc.Verdict = combine(rc.Parts)
			}
		}
		if changed {
			rc.Window = windowOf(att.Through(rc.Rule.Direction, rc.Rule.Protocol, rc.Rule.FromPort, rc.Rule.ToPort), *rc, params)
		}
	}
}

// coverFlow turns v, the tracked verdict of narrow rule r for one protocol,
// into covered-by-open-rule when open rules left untracked admit the same
// flows on every port of r. It reports whether it did.
func coverFlow(att model.Attachment, r model.Rule, v *Verdict, open []*RuleClass) bool {
	if v.Reason != ReasonPeerNotOpen || (v.Protocol != model.TCP && v.Protocol != model.UDP) ||
		att.AutoTrackedFor(r.Direction, v.Protocol, r.FromPort, r.ToPort) {
		return false
	}
	lo, hi, _, _ := span(&r, v.Protocol)
	var spans [][2]int
	var covering *model.Rule
	var reverse *model.Rule
	for _, o := range open {
		ov, ok := verdictFor(*o, v.Protocol)
		if !ok || o.Rule.Direction != r.Direction || o.Rule.Peer.Family() != r.Peer.Family() ||
			ov.Tracked == nil || *ov.Tracked || ov.Reason != ReasonUntracked || routedOverlaps(ov.Routed, r.Peer.Prefix) {
			continue
		}
		olo, ohi, _, _ := span(&o.Rule, v.Protocol)
		if ohi < lo || olo > hi {
			continue
		}
		spans = append(spans, [2]int{olo, ohi})
		if covering == nil {
			covering, reverse = &o.Rule, ov.Reverse
		}
	}
	if covering == nil || len(subtractRanges([2]int{lo, hi}, spans)) > 0 {
		return false
	}
	c := *covering
	v.Tracked, v.Reason, v.Reverse, v.Covering = boolp(false), ReasonCovered, reverse, &c
	if c.Name == r.Name {
		v.Detail = fmt.Sprintf("its peer %s admits the same flows, with the open reverse rule %s: revoking this rule cuts them at once",
			c.Peer.Prefix, reverse.Name)
	} else {
		v.Detail = fmt.Sprintf("%s, open to %s with the open reverse rule %s, admits the same flows: while it stays, revoking this rule leaves them admitted; revoking both cuts them at once",
			c.Name, c.Peer.Prefix, reverse.Name)
	}
	v.Assumption = routeAssumption(att, r.Peer.Prefix)
	return true
}

// routedOverlaps reports whether peer shares addresses with a routed part.
func routedOverlaps(parts []RoutedPart, peer netip.Prefix) bool {
	for _, p := range parts {
		for _, q := range p.Prefixes {
			if q.Overlaps(peer) {
				return true
			}
		}
	}
	return false
}

// otherProtocol stands for "every protocol other than TCP, UDP and ICMP"
// inside a protocol-all rule.
const otherProtocol model.Protocol = 256

func familyICMP(r model.Rule) model.Protocol {
	if r.Peer.Family() == "ipv6" {
		return model.ICMPv6
	}
	return model.ICMP
}

func boolp(b bool) *bool { return &b }

// classifyFlow decides whether flows of protocol p admitted by r are tracked
// (DESIGN.md "Semantics" 3, docs/aws-semantics.md §2.1).
func classifyFlow(att model.Attachment, r model.Rule, p model.Protocol, rules []model.Rule, missing []string) Verdict {
	v := Verdict{Protocol: p, Tracked: boolp(true)}
	switch {
	case p.IsICMP():
		v.Reason = ReasonICMP
		return v
	case p != model.TCP && p != model.UDP:
		v.Reason = ReasonOther
		return v
	case len(r.Unknown) > 0 || r.Peer.Kind == model.PeerUnknown:
		v.Tracked, v.Reason = nil, ReasonIndeterminate
		v.Detail = firstUnknown(r)
		return v
	case !r.Peer.IsOpen():
		v.Reason = ReasonPeerNotOpen
		return v
	}
	rev, unknown := reverseRule(r, p, rules)
	switch {
	case rev != nil && att.AutoTracked != "":
		// §3: the rules would leave this flow untracked, but connections
		// through this attachment are tracked whatever the rules say.
		v.Reason, v.Detail, v.Masked = ReasonAutoTracked, att.AutoTracked, rev
	case rev != nil:
		v.Tracked, v.Reason, v.Reverse = boolp(false), ReasonUntracked, rev
		if r.Peer.Kind == model.PeerCIDR {
			var b netipx.IPSetBuilder
			b.AddPrefix(r.Peer.Prefix)
			peers, _ := b.IPSet()
			parts, rest := routedParts(att.Routing, peers)
			v.Routed = parts
			if len(parts) > 0 && len(rest.Ranges()) == 0 {
				// every peer is reached through a tracking target
				v.Tracked, v.Reason, v.Reverse, v.Masked = boolp(true), ReasonAutoTracked, nil, rev
				texts := make([]string, len(parts))
				for i, p := range parts {
					texts[i] = RouteWhere(p.Route)
				}
				v.Detail = "connections to these peers pass through " + strings.Join(texts, "; ") +
					", which AWS tracks automatically"
				break
			}
			v.Assumption = routeAssumption(att, r.Peer.Prefix)
		}
	case unknown != "":
		v.Tracked, v.Reason, v.Detail = nil, ReasonIndeterminate, unknown
	case len(missing) > 0:
		v.Tracked, v.Reason = nil, ReasonIndeterminate
		v.Detail = fmt.Sprintf("%s is not declared in the input; a rule of it not seen here may be the open reverse rule", missing[0])
	default:
		v.Reason = ReasonNoReverse
	}
	return v
}

func firstUnknown(r model.Rule) string {
	if len(r.Unknown) > 0 {
		return r.Unknown[0]
	}
	return r.Peer.Ref
}

// reverseRule finds a rule in the other direction that admits all traffic
// of protocol p on every port to every address of r's family (§2.1). A rule
// of the same group is preferred, then declaration order. unknown is set
// when a rule that might be the reverse rule has undetermined parts.
func reverseRule(r model.Rule, p model.Protocol, rules []model.Rule) (rev *model.Rule, unknown string) {
	fam := r.Peer.Family()
	var found []*model.Rule
	for i := range rules {
		c := &rules[i]
		if c.Direction != r.Direction.Reverse() {
			continue
		}
		if !mayBeOpenAllPorts(*c) || (c.Peer.Kind == model.PeerCIDR && c.Peer.Family() != fam) ||
			(c.Protocol != p && c.Protocol != model.All) {
			continue
		}
		if c.Contested != "" && c.Peer.IsOpen() && c.Peer.Family() == fam {
			// it may be the open reverse rule, or not be live at all
			if unknown == "" {
				unknown = fmt.Sprintf("%s may be the open reverse rule: %s", c.Name, c.Contested)
			}
			continue
		}
		if len(c.Unknown) > 0 || c.Peer.Kind == model.PeerUnknown {
			if unknown == "" {
				unknown = fmt.Sprintf("%s may be the open reverse rule: %s", c.Name, firstUnknown(*c))
			}
			continue
		}
		if c.Peer.IsOpen() && c.Peer.Family() == fam && (c.Protocol == p || c.Protocol == model.All) && c.PortsAll() {
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		return nil, unknown
	}
	for _, c := range found {
		if c.Group == r.Group {
			return c, ""
		}
	}
	return found[0], ""
}

// mayBeOpenAllPorts reports whether a rule admits, or may admit, every port
// from every address of a family. Loaders widen what they cannot determine
// (an unknown protocol is all, unknown ports are 0-65535, an unknown peer
// has kind unknown), so a known part narrows: a rule whose peer is a
// security group, a prefix list, self or a smaller CIDR is never open,
// whatever else about it is unknown.
func mayBeOpenAllPorts(r model.Rule) bool {
	return (r.Peer.Kind == model.PeerUnknown || r.Peer.IsOpen()) && r.PortsAll()
}

// combine summarises the per-protocol parts of a protocol-all rule.
func combine(parts []Verdict) Verdict {
	v := Verdict{Protocol: model.All}
	tracked, untracked := 0, 0
	for _, p := range parts {
		switch {
		case p.Tracked == nil:
			v.Reason, v.Detail = ReasonIndeterminate, p.Detail
			return v
		case *p.Tracked:
			tracked++
		default:
			untracked++
			v.Reverse = p.Reverse
		}
	}
	switch {
	case untracked == 0:
		v.Tracked = boolp(true)
		v.Reason = parts[0].Reason
	default:
		v.Tracked = boolp(true)
		v.Reason = ReasonPartly
		v.Detail = partsDetail(parts)
	}
	return v
}

// partsDetail says which protocols of a protocol-all rule are untracked and
// which tracked, from the verdicts themselves.
func partsDetail(parts []Verdict) string {
	var untracked, tracked []string
	for _, p := range parts {
		name := strings.ToUpper(p.Protocol.String())
		if p.Protocol == OtherProtocols {
			name = "other protocols"
		}
		if p.Tracked != nil && !*p.Tracked {
			untracked = append(untracked, name)
		} else {
			tracked = append(tracked, name)
		}
	}
	verb := func(list []string, one, many string) string {
		if len(list) == 1 && list[0] != "other protocols" {
			return one
		}
		return many
	}
	return fmt.Sprintf("%s %s untracked; %s %s tracked", joinAnd(untracked), verb(untracked, "is", "are"),
		joinAnd(tracked), verb(tracked, "is", "are"))
}

func joinAnd(list []string) string {
	switch len(list) {
	case 0:
		return "nothing"
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

func windowOf(att model.Attachment, rc RuleClass, params Params) *Window {
	if rc.Tracked == nil || !*rc.Tracked {
		return nil
	}
	if len(rc.Parts) == 0 {
		if !WindowKnown(att, rc.Protocol) {
			return nil
		}
		w := WindowFor(att, rc.Protocol, params)
		return &w
	}
	var best *Window
	for _, p := range rc.Parts {
		if p.Tracked == nil || !*p.Tracked {
			continue
		}
		if !WindowKnown(att, p.Protocol) {
			return nil
		}
		w := WindowFor(att, p.Protocol, params)
		if best == nil || w.Seconds > best.Seconds {
			best = &w
		}
	}
	return best
}
