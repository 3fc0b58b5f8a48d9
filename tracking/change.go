package tracking

import (
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/sgcheck/sgcheck/model"
	"go4.org/netipx"
)

// Region is a box of flow space: one direction, one protocol, a port (or
// ICMP type) range, an ICMP code range, and a set of peers.
type Region struct {
	Direction model.Direction
	// Protocol is concrete: tcp, udp, icmp, icmpv6, a number, or
	// OtherProtocols for every protocol not otherwise named.
	Protocol         model.Protocol
	FromPort, ToPort int // TCP/UDP ports, or ICMP types
	CodeFrom, CodeTo int // ICMP codes
	Peers            PeerSet
}

// OtherProtocols stands for every protocol that no rule names, inside a
// protocol-all rule.
const OtherProtocols = otherProtocol

// Revocation is flow space that was admitted before a change and is not
// after it, on one attachment, attributed to the rule that admitted it.
type Revocation struct {
	Attachment model.Attachment // as before the change
	Region
	Rule model.Rule // the rule (before the change) that admitted the region
	// After is the rule of the same name after the change, when it still
	// exists (the change narrowed it rather than removed it).
	After   *model.Rule
	Tracked bool
	Reason  string
	// Reverse is the rule that left the region untracked, when it was.
	Reverse *model.Rule
	Window  Window
	// Route is the route whose target tracks the region automatically
	// (§3), when that is why it is tracked.
	Route *model.Route
	// Assumption is what an untracked ("cut at once") region assumes about
	// routes that are not in the input.
	Assumption string
}

// Flip is an unchanged rule whose flows change between tracked and
// untracked because of a change to another rule.
type Flip struct {
	Attachment model.Attachment
	Rule       model.Rule
	Protocol   model.Protocol
	// Before and After are the tracking states.
	Before, After bool
	// Cause is the reverse rule that was removed, added or changed.
	Cause     model.Rule
	CauseKind string // "removed", "added" or "changed"
	Window    Window // of the flows once tracked
	// Peers are the rule's peers whose flows flip; Partial is set when
	// that is not all of them, because the subnet's routes send the others
	// through automatically tracking targets (§3), tracked either way.
	Peers   PeerSet
	Partial bool
}

// NACLChange is a changed network ACL entry. NACLs are stateless
// (docs/aws-semantics.md §7, §1.4), so it takes effect at once for every flow.
type NACLChange struct {
	NACL  string
	Entry model.ACLEntry
	Kind  string // "removed", "added" or "changed"
}

// Impact is what a change does to flows that are live.
type Impact struct {
	Revocations []Revocation
	Flips       []Flip
	NACLChanges []NACLChange
	// Incomplete lists attachments whose impact could not be computed
	// exactly, and why.
	Incomplete []string
}

// Compare computes the impact of changing base into head.
func Compare(base, head *model.Snapshot, params Params) *Impact {
	imp := &Impact{}
	after := map[string]model.Attachment{}
	for _, a := range Attachments(head) {
		after[a.Name] = a
	}
	// a member declared with no instance in the base is compared with the
	// same declaration in the head or, where the head creates it, with its
	// first instance; one the head no longer declares is gone. (A member the
	// base creates and the head does not is gone too: its flows end.)
	var headRes map[string][]model.Attachment
	if len(base.Uncreated) > 0 {
		headRes = byResource(head)
		for _, a := range base.Uncreated {
			if hs := headRes[a.Name]; len(hs) > 0 {
				if _, ok := after[a.Name]; !ok {
					h := hs[0]
					h.Routing = head.RoutingFor(h.Subnet)
					after[a.Name] = h
				}
			}
		}
	}
	// an attachment the head no longer determines (X[0] become X[0?], as
	// when its count starts depending on a data source) is the same
	// attachment, if created
	aliases := map[string]model.Attachment{}
	for name, a := range after {
		if plain := unconditional(name); plain != name {
			if _, ok := after[plain]; !ok {
				aliases[plain] = a
			}
		}
	}
	maps.Copy(after, aliases)
	// whether a group's declaration status and rules compare equal on both
	// sides (as sameRules compares), once per group: an attachment with
	// the same groups, all unchanged, has the same rules (RulesOf lists
	// them group by group, and a rule names its group)
	groups := map[string]bool{}
	sameGroup := func(g string) bool {
		if v, ok := groups[g]; ok {
			return v
		}
		db, okb := base.Group(g)
		dh, okh := head.Group(g)
		v := okb == okh && db.Symbolic == dh.Symbolic && sameRules(base.RulesOfGroup(g), head.RulesOfGroup(g))
		groups[g] = v
		return v
	}
	baseAtts, standsFor := withUncreated(base, Attachments(base))
	mem := newMembership(base, head, baseAtts, after, headRes)
	for _, attB := range baseAtts {
		attA, ok := after[attB.Name]
		if !ok {
			attA, ok = after[unconditional(attB.Name)] // determined in the head
		}
		if !ok {
			// Deleted attachments end their flows with them.
			continue
		}
		if sameAttachment(attB, attA) && all(attB.Groups, sameGroup) {
			// classification is a function of the attachment, its rules and
			// its missing groups alone: the same input revokes and flips
			// nothing
			continue
		}
		if why := newlyUnknownGroups(attB, attA); why != "" {
			// which groups the attachment carries after the change is not
			// known: any of them may admit what its known groups no
			// longer do, so no revocation there is certain
			imp.Incomplete = append(imp.Incomplete, attB.Name+": its groups after the change are not all known ("+why+
				"); what the change revokes there is not analysed")
			continue
		}
		groups, uncreated := standsFor[attB.Name]
		if uncreated && all(groups, sameGroup) && all(groups, func(g string) bool { return slices.Contains(attA.Groups, g) }) {
			// a member declared with no instance is judged for the groups
			// it stands for, as their assumed attachments were
			continue
		}
		bRules, bMissing := RulesOf(base, attB)
		aRules, aMissing := RulesOf(head, attA)
		bClass := ClassifyAttachment(attB, bRules, bMissing, params)
		aClass := ClassifyAttachment(attA, aRules, aMissing, params)
		revs := revocations(attB, bClass, aRules, mem, params, imp)
		fl := append(flips(attB, bClass, aClass, bRules, aRules, params), ownFlips(attB, bClass, aClass, aRules, params)...)
		if uncreated {
			revs = slices.DeleteFunc(revs, func(r Revocation) bool { return !slices.Contains(groups, r.Rule.Group) })
			fl = slices.DeleteFunc(fl, func(f Flip) bool { return !slices.Contains(groups, f.Rule.Group) })
		}
		imp.Revocations = append(imp.Revocations, revs...)
		imp.Flips = append(imp.Flips, fl...)
	}
	imp.NACLChanges = naclChanges(base, head)
	return imp
}

// sameAttachment compares what classifies an attachment's flows: all of it
// but where it is declared.
func sameAttachment(a, b model.Attachment) bool {
	a.Source, b.Source = model.Source{}, model.Source{}
	a.Tracking.Source, b.Tracking.Source = model.Source{}, model.Source{}
	return reflect.DeepEqual(a, b)
}

// all reports whether f holds for every element of list.
func all(list []string, f func(string) bool) bool {
	for _, x := range list {
		if !f(x) {
			return false
		}
	}
	return true
}

// sameRules compares rules by what they admit and how they are known, not
// by where they are declared or described.
func sameRules(a, b []model.Rule) bool {
	return slices.EqualFunc(a, b, equalRule)
}

// equalRule compares two rules but for ruleWhereFields (TestEqualRuleFields
// checks that every other field is compared).
func equalRule(x, y model.Rule) bool {
	return x.Name == y.Name && x.Group == y.Group && x.Direction == y.Direction && x.Protocol == y.Protocol &&
		x.FromPort == y.FromPort && x.ToPort == y.ToPort && x.Peer == y.Peer && slices.Equal(x.Unknown, y.Unknown) &&
		x.Origin == y.Origin && x.Contested == y.Contested && x.InDefaultGroup == y.InDefaultGroup
}

// ruleWhereFields are the fields of a rule that say where it is declared
// or describe it: a change to them alone revokes nothing.
var ruleWhereFields = []string{"Source", "CallSite", "Callers", "Description"}

// protocolKeys lists the concrete protocols whose flow space must be compared.
func protocolKeys(rules ...[]model.Rule) []model.Protocol {
	keys := []model.Protocol{model.TCP, model.UDP, model.ICMP, model.ICMPv6}
	seen := map[model.Protocol]bool{}
	for _, rs := range rules {
		for _, r := range rs {
			p := r.Protocol
			if p != model.All && !p.HasPorts() && !p.IsICMP() && !seen[p] {
				seen[p] = true
				keys = append(keys, p)
			}
		}
	}
	sort.Slice(keys[4:], func(i, j int) bool { return keys[4+i] < keys[4+j] })
	return append(keys, OtherProtocols)
}

// admits reports whether r admits protocol key p in direction d.
func admits(r *model.Rule, d model.Direction, p model.Protocol) bool {
	if r.Direction != d {
		return false
	}
	if r.Protocol == p {
		return true
	}
	return r.Protocol == model.All
}

// span is a rule's range in the first (ports or ICMP type) and second (ICMP
// code) dimension for protocol key p.
func span(r *model.Rule, p model.Protocol) (lo, hi, clo, chi int) {
	switch {
	case p.HasPorts():
		if r.Protocol == model.All {
			return 0, 65535, 0, 0
		}
		return clamp(r.FromPort, 0, 65535), clamp(r.ToPort, 0, 65535), 0, 0
	case p.IsICMP():
		if r.Protocol == model.All || r.FromPort < 0 {
			return 0, 255, 0, 255
		}
		if r.ToPort < 0 {
			return r.FromPort, r.FromPort, 0, 255
		}
		return r.FromPort, r.FromPort, r.ToPort, r.ToPort
	}
	return 0, 0, 0, 0
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// familyFilter restricts ICMP keys to their family.
func familyFilter(p model.Protocol, s PeerSet, r *model.Rule) PeerSet {
	switch p {
	case model.ICMP:
		f := s.Family(false)
		if r == nil || r.Protocol != model.ICMPv6 {
			f.Atoms = s.Atoms
		}
		return f
	case model.ICMPv6:
		f := s.Family(true)
		if r != nil && r.Protocol == model.ICMPv6 {
			f.Atoms = s.Atoms
		}
		return f
	}
	return s
}

// cuts returns the elementary intervals of [lo, hi] bounded by the spans.
func cuts(spans [][2]int, lo, hi int) [][2]int {
	points := map[int]bool{lo: true, hi + 1: true}
	for _, s := range spans {
		points[clamp(s[0], lo, hi+1)] = true
		points[clamp(s[1]+1, lo, hi+1)] = true
	}
	var ps []int
	for p := range points {
		ps = append(ps, p)
	}
	sort.Ints(ps)
	var out [][2]int
	for i := 0; i+1 < len(ps); i++ {
		out = append(out, [2]int{ps[i], ps[i+1] - 1})
	}
	return out
}

type piece struct {
	rule    *model.Rule
	region  Region
	tracked bool
	reverse *model.Rule
	// route is set for a region tracked because its peers are routed
	// through an automatically tracking target.
	route *model.Route
}

// revocations computes before − after per direction and protocol on one
// attachment, attributes the revoked peers to the rules that admitted them,
// and classifies them under the before configuration.
func revocations(att model.Attachment, bClass AttachmentClass, aRules []model.Rule, mem *membership, params Params, imp *Impact) []Revocation {
	var bRules []model.Rule
	for _, rc := range bClass.Rules {
		bRules = append(bRules, rc.Rule)
	}
	if hasUnknownRange(bRules) || hasUnknownRange(aRules) {
		imp.Incomplete = append(imp.Incomplete, att.Name+": a rule's protocol or ports are not determined; its part of the change is not analysed")
	}
	if hasUnknownPeer(bRules) || hasUnknownPeer(aRules) {
		imp.Incomplete = append(imp.Incomplete, att.Name+": a rule's peer is not determined; what changing it revokes is not analysed")
	}
	var pieces []piece
	for _, dir := range []model.Direction{model.Ingress, model.Egress} {
		for _, p := range protocolKeys(bRules, aRules) {
			pieces = append(pieces, cellPieces(att, bClass, bRules, aRules, mem, dir, p)...)
		}
	}
	var out []Revocation
	for _, pc := range mergePieces(pieces) {
		if undeterminedAdmits(aRules, pc.region) {
			// a rule of the head whose ports, protocol or peer the input
			// does not determine may admit this region: not a certain
			// revocation (the note above says the part is not analysed)
			continue
		}
		rv := Revocation{Attachment: att, Region: pc.region, Rule: *pc.rule, After: counterpart(*pc.rule, aRules),
			Tracked: pc.tracked, Reverse: pc.reverse, Route: pc.route}
		rv.Reason = revocationReason(att, pc)
		if !pc.tracked {
			rv.Assumption = routeAssumption(att, allIPv4)
			if !pc.region.Peers.Family(true).Empty() {
				rv.Assumption = routeAssumption(att, allIPv6)
			}
		}
		if pc.tracked {
			if !WindowKnown(att, pc.region.Protocol) {
				imp.Incomplete = append(imp.Incomplete, att.Name+": a declared timeout is out of AWS's range, so how long "+
					rv.Rule.Name+"'s revoked flows survive is not determined")
				continue
			}
			rv.Window = WindowFor(att.Through(pc.region.Direction, pc.region.Protocol, pc.region.FromPort, pc.region.ToPort),
				pc.region.Protocol, params)
		}
		out = append(out, rv)
	}
	return out
}

func revocationReason(att model.Attachment, pc piece) string {
	p := pc.region.Protocol
	switch {
	case pc.route != nil:
		return ReasonRouted
	case p.IsICMP():
		return ReasonICMP
	case !p.HasPorts():
		return ReasonOther
	case !pc.tracked:
		return ReasonUntracked
	case att.AutoTrackedFor(pc.region.Direction, p, pc.region.FromPort, pc.region.ToPort):
		return ReasonAutoTracked
	case !pc.rule.Peer.IsOpen():
		return ReasonPeerNotOpen
	}
	return ReasonNoReverse
}

// undeterminedAdmits reports whether one of rules (the head's) that the
// input does not wholly determine may admit some of region: its protocol
// or ports are not known (they are read as all of them), or its peer is not
// known and its protocol and ports overlap the region's.
func undeterminedAdmits(rules []model.Rule, region Region) bool {
	for i := range rules {
		r := &rules[i]
		if len(r.Unknown) == 0 && r.Peer.Kind != model.PeerUnknown {
			continue
		}
		if !admits(r, region.Direction, region.Protocol) {
			continue
		}
		lo, hi, clo, chi := span(r, region.Protocol)
		if hi >= region.FromPort && lo <= region.ToPort && chi >= region.CodeFrom && clo <= region.CodeTo {
			return true
		}
	}
	return false
}

func hasUnknownRange(rules []model.Rule) bool {
	for _, r := range rules {
		if len(r.Unknown) > 0 && r.Peer.Kind != model.PeerUnknown {
			return true
		}
	}
	return false
}

func hasUnknownPeer(rules []model.Rule) bool {
	for _, r := range rules {
		if r.Peer.Kind == model.PeerUnknown {
			return true
		}
	}
	return false
}

func usable(rules []model.Rule, dir model.Direction, p model.Protocol) []*model.Rule {
	var out []*model.Rule
	for i := range rules {
		r := &rules[i]
		if len(r.Unknown) > 0 && r.Peer.Kind != model.PeerUnknown {
			continue
		}
		if admits(r, dir, p) {
			out = append(out, r)
		}
	}
	return out
}

// cellPieces is what the change revokes of att's rules for direction dir
// and protocol p; bRules are bClass's rules, in its order (pieces point into
// them).
func cellPieces(att model.Attachment, bClass AttachmentClass, bRules, aRules []model.Rule, mem *membership, dir model.Direction, p model.Protocol) []piece {
	before := usable(bRules, dir, p)
	if len(before) == 0 {
		return nil
	}
	untracked := map[*model.Rule]*model.Rule{} // before rule → its reverse, when untracked for p
	for i, rc := range bClass.Rules {
		for _, v := range append([]Verdict{rc.Verdict}, rc.Parts...) {
			if v.Protocol == p && v.Tracked != nil && !*v.Tracked && v.Covering == nil {
				untracked[&bRules[i]] = v.Reverse
			}
		}
	}
	after := usable(aRules, dir, p)
	var spans1, spans2 [][2]int
	for _, r := range append(append([]*model.Rule(nil), before...), after...) {
		lo, hi, clo, chi := span(r, p)
		spans1 = append(spans1, [2]int{lo, hi})
		spans2 = append(spans2, [2]int{clo, chi})
	}
	if len(att.AutoTrackedPorts) > 0 && dir == model.Ingress && p.HasPorts() {
		// cells end at the ports an NLB forwards: each is wholly forwarded
		// (tracked whatever the rules say) or not (as the rules say)
		for _, port := range att.AutoTrackedPorts {
			spans1 = append(spans1, [2]int{port, port})
		}
	}
	hi1, hi2 := 0, 0
	switch {
	case p.HasPorts():
		hi1 = 65535
	case p.IsICMP():
		hi1, hi2 = 255, 255
	}
	var out []piece
	for _, c1 := range cuts(spans1, 0, hi1) {
		for _, c2 := range cuts(spans2, 0, hi2) {
			covering := func(rules []*model.Rule) []*model.Rule {
				var in []*model.Rule
				for _, r := range rules {
					lo, hi, clo, chi := span(r, p)
					if lo <= c1[0] && c1[1] <= hi && clo <= c2[0] && c2[1] <= chi {
						in = append(in, r)
					}
				}
				return in
			}
			bCover := covering(before)
			if len(bCover) == 0 {
				continue
			}
			aCover := covering(after)
			still := peerSetOf(aCover)
			revoked := mem.withoutMoved(familyFilter(p, peerSetOf(bCover), nil).Minus(still).withoutMembersIn(still), still)
			if revoked.Empty() {
				continue
			}
			box := Region{Direction: dir, Protocol: p, FromPort: c1[0], ToPort: c1[1], CodeFrom: c2[0], CodeTo: c2[1]}
			out = append(out, attribute(bCover, revoked, box, untracked, att)...)
		}
	}
	return out
}

// attribute splits the revoked peers of one cell among the before rules
// that admitted them, in declaration order, and classifies each share.
func attribute(cover []*model.Rule, revoked PeerSet, box Region, untracked map[*model.Rule]*model.Rule, att model.Attachment) []piece {
	// Which families are untracked in this cell under the before config.
	var rev4, rev6 *model.Rule
	for _, r := range cover {
		if reverse, ok := untracked[r]; ok {
			if r.Peer.Family() == "ipv6" {
				rev6 = reverse
			} else {
				rev4 = reverse
			}
		}
	}
	var out []piece
	left := revoked
	for _, r := range cover {
		share := familyFilter(box.Protocol, left.Intersect(peerSetOf([]*model.Rule{r})), r)
		if share.Empty() {
			continue
		}
		left = left.Minus(share)
		for _, part := range []struct {
			peers   PeerSet
			reverse *model.Rule
		}{{share.Family(false), rev4}, {share.Family(true), rev6}, {PeerSet{IPs: emptyPeers().IPs, Atoms: knownAtoms(share.Atoms)}, nil}} {
			if part.peers.Empty() {
				continue
			}
			tracked := part.reverse == nil || att.AutoTrackedFor(box.Direction, box.Protocol, box.FromPort, box.ToPort)
			if tracked {
				reg := box
				reg.Peers = part.peers
				out = append(out, piece{rule: r, region: reg, tracked: true})
				continue
			}
			// untracked by the rules: the peers the subnet's routes send
			// through automatically tracking targets are tracked (§3)
			rest := part.peers
			for _, rp := range routedPieces(att, part.peers) {
				reg := box
				reg.Peers = rp.peers
				route := rp.route
				out = append(out, piece{rule: r, region: reg, tracked: true, route: &route})
				rest = rest.Minus(rp.peers)
			}
			if !rest.Empty() {
				reg := box
				reg.Peers = rest
				out = append(out, piece{rule: r, region: reg, reverse: part.reverse})
			}
		}
	}
	return out
}

// knownAtoms drops undetermined peers: what revoking them does is not
// known (the peer may be every address, and its flows untracked), so no
// claim is made; the attachment is listed as incomplete instead.
func knownAtoms(atoms []string) []string {
	var out []string
	for _, a := range atoms {
		if !strings.HasPrefix(a, "unknown:") {
			out = append(out, a)
		}
	}
	return out
}

// mergePieces joins adjacent cells of the same rule, protocol, state and peers.
func mergePieces(ps []piece) []piece {
	var out []piece
	for _, p := range ps {
		merged := false
		for i := range out {
			o := &out[i]
			if o.rule == p.rule && o.tracked == p.tracked && o.route == p.route && o.region.Direction == p.region.Direction &&
				o.region.Protocol == p.region.Protocol && o.region.Peers.Equal(p.region.Peers) {
				switch {
				case o.region.CodeFrom == p.region.CodeFrom && o.region.CodeTo == p.region.CodeTo &&
					o.region.ToPort+1 == p.region.FromPort:
					o.region.ToPort = p.region.ToPort
					merged = true
				case o.region.FromPort == p.region.FromPort && o.region.ToPort == p.region.ToPort &&
					o.region.CodeTo+1 == p.region.CodeFrom:
					o.region.CodeTo = p.region.CodeTo
					merged = true
				}
			}
			if merged {
				break
			}
		}
		if !merged {
			out = append(out, p)
		}
	}
	return out
}

// sameRule reports whether two rules are the same rule with the same content.
func sameRule(a, b model.Rule) bool {
	return a.Name == b.Name && a.Direction == b.Direction && a.Protocol == b.Protocol && a.FromPort == b.FromPort &&
		a.ToPort == b.ToPort && a.Peer == b.Peer && a.Group == b.Group
}

func flips(att model.Attachment, bClass, aClass AttachmentClass, bRules, aRules []model.Rule, params Params) []Flip {
	var out []Flip
	routed := autoRoutedSet(att)
	for _, ac := range aClass.Rules {
		for _, bc := range bClass.Rules {
			if !sameRule(ac.Rule, bc.Rule) {
				continue
			}
			for _, pair := range pairVerdicts(bc, ac) {
				b, a := pair[0], pair[1]
				// a narrow rule whose flows an open rule admits untracked
				// flips with that rule: ownFlips and the open rule's own
				// verdicts report it
				if b.Tracked == nil || a.Tracked == nil || *b.Tracked == *a.Tracked || b.Covering != nil || a.Covering != nil {
					continue
				}
				f := Flip{Attachment: att, Rule: ac.Rule, Protocol: a.Protocol, Before: *b.Tracked, After: *a.Tracked,
					Peers: peerSetOf([]*model.Rule{&ac.Rule})}
				if !f.excludeRouted(routed) {
					continue
				}
				if !*b.Tracked {
					f.Cause = *b.Reverse
					f.CauseKind = causeKind(f.Cause, aRules)
					if !WindowKnown(att, a.Protocol) {
						continue
					}
					f.Window = WindowFor(att.Through(ac.Rule.Direction, a.Protocol, ac.Rule.FromPort, ac.Rule.ToPort), a.Protocol, params)
				} else {
					f.Cause = *a.Reverse
					f.CauseKind = causeKind(f.Cause, bRules)
					if f.CauseKind == "removed" {
						f.CauseKind = "added"
					}
				}
				out = append(out, f)
			}
			break
		}
	}
	return out
}

// ownFlips finds flows that a change turns from untracked into tracked
// without revoking them: a rule that left its flows untracked is removed or
// changed (0.0.0.0/0 rewritten as 0.0.0.0/1 and 128.0.0.0/1, say) while
// other rules, tracked, still admit them. Nothing is revoked, so change
// analysis reports no revocation; but a later revocation will no longer cut
// these flows at once (§2.1). Rules that are the same on both sides are
// left to flips.
func ownFlips(att model.Attachment, bClass, aClass AttachmentClass, aRules []model.Rule, params Params) []Flip {
	var out []Flip
	routed := autoRoutedSet(att)
	for _, bc := range bClass.Rules {
		if hasSame(bc.Rule, aRules) {
			continue
		}
		for _, p := range []model.Protocol{model.TCP, model.UDP} {
			bv, ok := verdictFor(bc, p)
			if !ok || bv.Tracked == nil || *bv.Tracked || !WindowKnown(att, p) {
				continue
			}
			// ports still untracked after the change, and those a Network
			// Load Balancer forwarded: tracked before the change too
			var untracked [][2]int
			if b := bClass.Attachment; b.AutoTracked != "" && bc.Rule.Direction == model.Ingress {
				for _, port := range b.AutoTrackedPorts {
					untracked = append(untracked, [2]int{port, port})
				}
			}
			for _, ac := range aClass.Rules {
				if av, ok := verdictFor(ac, p); ok && av.Tracked != nil && !*av.Tracked &&
					ac.Rule.Direction == bc.Rule.Direction && ac.Rule.Peer.Family() == bc.Rule.Peer.Family() {
					untracked = append(untracked, [2]int{ac.Rule.FromPort, ac.Rule.ToPort})
				}
			}
			for _, ac := range aClass.Rules {
				av, ok := verdictFor(ac, p)
				r := ac.Rule
				if !ok || av.Tracked == nil || !*av.Tracked || av.Reason == ReasonAutoTracked ||
					r.Direction != bc.Rule.Direction || r.Peer.Kind != model.PeerCIDR || r.Peer.Family() != bc.Rule.Peer.Family() {
					continue
				}
				if wasUntracked(r, p, bClass) {
					continue // the rule itself flips: flips reports it
				}
				lo, hi := max(r.FromPort, bc.Rule.FromPort), min(r.ToPort, bc.Rule.ToPort)
				if lo > hi {
					continue
				}
				for _, ports := range subtractRanges([2]int{lo, hi}, untracked) {
					f := Flip{Attachment: att, Rule: r, Protocol: p, Before: false, After: true,
						Cause: bc.Rule, CauseKind: causeKind(bc.Rule, aRules),
						Window: WindowFor(att.Through(bc.Rule.Direction, p, ports[0], ports[1]), p, params),
						Peers:  peerSetOf([]*model.Rule{&r})}
					f.Rule.FromPort, f.Rule.ToPort = ports[0], ports[1]
					if !f.excludeRouted(routed) {
						continue
					}
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// wasUntracked reports whether the same rule left flows of p untracked
// before the change.
func wasUntracked(r model.Rule, p model.Protocol, bClass AttachmentClass) bool {
	for _, bc := range bClass.Rules {
		if sameRule(r, bc.Rule) {
			v, ok := verdictFor(bc, p)
			return ok && v.Tracked != nil && !*v.Tracked && v.Covering == nil
		}
	}
	return false
}

// excludeRouted leaves out of the flip's peers those the subnet's routes
// send through automatically tracking targets: tracked before and after
// (§3). It reports false when no peer is left, and marks the flip Partial
// when some were taken out.
func (f *Flip) excludeRouted(routed *netipx.IPSet) bool {
	if len(routed.Ranges()) == 0 {
		return true
	}
	var rest netipx.IPSetBuilder
	rest.AddSet(f.Peers.IPs)
	rest.RemoveSet(routed)
	ips, _ := rest.IPSet()
	if len(ips.Ranges()) == 0 && len(f.Peers.Atoms) == 0 {
		return false
	}
	f.Partial = !ips.Equal(f.Peers.IPs)
	f.Peers.IPs = ips
	return true
}

// hasSame reports whether rules holds a rule identical to r.
func hasSame(r model.Rule, rules []model.Rule) bool {
	for _, o := range rules {
		if sameRule(r, o) {
			return true
		}
	}
	return false
}

// verdictFor is a rule's verdict for flows of protocol p, if it admits p.
func verdictFor(rc RuleClass, p model.Protocol) (Verdict, bool) {
	if len(rc.Parts) > 0 {
		for _, v := range rc.Parts {
			if v.Protocol == p {
				return v, true
			}
		}
		return Verdict{}, false
	}
	if rc.Rule.Protocol != p {
		return Verdict{}, false
	}
	return rc.Verdict, true
}

// subtractRanges removes the ranges cut from the port range r.
func subtractRanges(r [2]int, cut [][2]int) [][2]int {
	out := [][2]int{r}
	for _, c := range cut {
		var next [][2]int
		for _, x := range out {
			if c[1] < x[0] || c[0] > x[1] {
				next = append(next, x)
				continue
			}
			if x[0] < c[0] {
				next = append(next, [2]int{x[0], c[0] - 1})
			}
			if c[1] < x[1] {
				next = append(next, [2]int{c[1] + 1, x[1]})
			}
		}
		out = next
	}
	return out
}

// pairVerdicts pairs the per-protocol verdicts of a rule before and after.
func pairVerdicts(b, a RuleClass) [][2]Verdict {
	if len(b.Parts) == 0 {
		return [][2]Verdict{{b.Verdict, a.Verdict}}
	}
	var out [][2]Verdict
	for i := range b.Parts {
		if i < len(a.Parts) {
			out = append(out, [2]Verdict{b.Parts[i], a.Parts[i]})
		}
	}
	return out
}

// causeKind says what happened to rule r on the other side of the change:
// "changed" when a counterpart exists there, "removed" otherwise.
func causeKind(r model.Rule, other []model.Rule) string {
	if counterpart(r, other) != nil {
		return "changed"
	}
	return "removed"
}

// counterpart finds the rule that r became on the other side of a change:
// the same name, direction and protocol, and a peer of the same kind and
// family. Inline blocks are named by position, so a name alone could pair
// a removed rule with its neighbour that moved up.
func counterpart(r model.Rule, other []model.Rule) *model.Rule {
	for i := range other {
		o := &other[i]
		// a rule resource is the same rule whatever its protocol becomes
		// (an inline rule's name is its index, which another rule may take)
		sameProtocol := o.Protocol == r.Protocol || o.Origin == "standalone" && r.Origin == "standalone"
		if o.Name == r.Name && o.Direction == r.Direction && sameProtocol &&
			o.Peer.Kind == r.Peer.Kind && o.Peer.Family() == r.Peer.Family() {
			return o
		}
	}
	return nil
}

// Narrowed reports whether the rule after the change admits a subset of
// what it admitted before.
func (rv Revocation) Narrowed() bool {
	a, b := rv.After, rv.Rule
	if a == nil || b.Protocol != model.All && (a.Protocol != b.Protocol || a.FromPort < b.FromPort || a.ToPort > b.ToPort) {
		return false
	}
	if a.Peer.Kind == model.PeerCIDR && b.Peer.Kind == model.PeerCIDR {
		return b.Peer.Prefix.Bits() <= a.Peer.Prefix.Bits() && b.Peer.Prefix.Contains(a.Peer.Prefix.Addr())
	}
	return a.Peer == b.Peer
}

func naclChanges(base, head *model.Snapshot) []NACLChange {
	type key struct {
		nacl   string
		egress bool
		number int
	}
	// A VPC's default network ACL is one ACL whether the configuration
	// manages it (aws_default_network_acl) or not (AWS's allow-all entries):
	// keyed by its VPC, so managing it compares the entries it is given with
	// AWS's. A managed one that leaves the configuration keeps its entries
	// (the AWS provider leaves the rules of a default network ACL removed
	// from the configuration as they are), so the head's implicit one
	// changes nothing.
	// An instance the head no longer determines (X[0] become X[0?]) is the
	// same ACL, if created.
	identity := func(n model.NetworkACL) string {
		if n.Default && n.VPC != "" {
			return "\x00default network ACL of " + unconditional(n.VPC)
		}
		return unconditional(n.Address)
	}
	managedBefore := map[string]bool{}
	for _, n := range base.NACLs {
		if n.Default && !n.Implicit {
			managedBefore[identity(n)] = true
		}
	}
	names := map[string]string{}
	index := func(s *model.Snapshot, head bool) map[key]model.ACLEntry {
		m := map[key]model.ACLEntry{}
		for _, n := range s.NACLs {
			id := identity(n)
			if head && n.Implicit && managedBefore[id] {
				continue
			}
			if _, ok := names[id]; !ok || head {
				names[id] = n.Address
			}
			for _, e := range n.Entries {
				m[key{id, e.Egress, e.Number}] = e
			}
		}
		return m
	}
	b, a := index(base, false), index(head, true)
	// a root on one side only (a directory added, deleted or renamed) is
	// not a change to the network ACLs of a deployed root: Terraform applies
	// a root's configuration only from that root
	onBoth := bothRoots(base, head)
	for _, m := range []map[key]model.ACLEntry{b, a} {
		for k := range m {
			if !onBoth[root(names[k.nacl])] {
				delete(m, k)
			}
		}
	}
	for _, n := range head.NACLs {
		if id := identity(n); n.Implicit && managedBefore[id] {
			for k, e := range b {
				if k.nacl == id {
					a[k] = e
				}
			}
		}
	}
	var out []NACLChange
	for k, e := range b {
		ae, ok := a[k]
		switch {
		case !ok:
			out = append(out, NACLChange{NACL: names[k.nacl], Entry: e, Kind: "removed"})
		case !sameEntry(e, ae):
			out = append(out, NACLChange{NACL: names[k.nacl], Entry: ae, Kind: "changed"})
		}
	}
	for k, e := range a {
		if _, ok := b[k]; !ok {
			out = append(out, NACLChange{NACL: names[k.nacl], Entry: e, Kind: "added"})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x.NACL != y.NACL {
			return x.NACL < y.NACL
		}
		if x.Entry.Egress != y.Entry.Egress {
			return !x.Entry.Egress
		}
		return x.Entry.Number < y.Entry.Number
	})
	return out
}

// sameEntry compares what an entry does (every field but its name and where
// it is declared).
func sameEntry(a, b model.ACLEntry) bool {
	return a.Number == b.Number && a.Egress == b.Egress && a.Protocol == b.Protocol && a.Action == b.Action &&
		a.CIDR == b.CIDR && a.FromPort == b.FromPort && a.ToPort == b.ToPort && a.ICMPType == b.ICMPType &&
		a.ICMPCode == b.ICMPCode
}

// Describe renders a region's protocol and ports for people.
func (r Region) Describe() string {
	switch {
	case r.Protocol == model.All:
		return "all traffic"
	case r.Protocol == OtherProtocols:
		return "all protocols other than TCP, UDP and ICMP"
	case r.Protocol.HasPorts():
		if r.FromPort == r.ToPort {
			return fmt.Sprintf("%s port %d", r.Protocol, r.FromPort)
		}
		if r.FromPort == 0 && r.ToPort == 65535 {
			return fmt.Sprintf("%s all ports", r.Protocol)
		}
		return fmt.Sprintf("%s ports %d-%d", r.Protocol, r.FromPort, r.ToPort)
	case r.Protocol.IsICMP():
		switch {
		case r.FromPort == 0 && r.ToPort == 255:
			return fmt.Sprintf("%s all types", r.Protocol)
		case r.FromPort == r.ToPort && r.CodeFrom == 0 && r.CodeTo == 255:
			return fmt.Sprintf("%s type %d", r.Protocol, r.FromPort)
		case r.FromPort == r.ToPort && r.CodeFrom == r.CodeTo:
			return fmt.Sprintf("%s type %d code %d", r.Protocol, r.FromPort, r.CodeFrom)
		case r.FromPort == r.ToPort:
			return fmt.Sprintf("%s type %d code %d-%d", r.Protocol, r.FromPort, r.CodeFrom, r.CodeTo)
		}
		if r.CodeFrom != 0 || r.CodeTo != 255 {
			return fmt.Sprintf("%s types %d-%d codes %d-%d", r.Protocol, r.FromPort, r.ToPort, r.CodeFrom, r.CodeTo)
		}
		return fmt.Sprintf("%s types %d-%d", r.Protocol, r.FromPort, r.ToPort)
	}
	return "protocol " + r.Protocol.String()
}

type routedPiece struct {
	peers PeerSet
	route model.Route
}

// routedPieces splits peers by the routes that send them through
// automatically tracking targets.
func routedPieces(att model.Attachment, peers PeerSet) []routedPiece {
	if !att.Routing.Known || len(peers.IPs.Ranges()) == 0 {
		return nil
	}
	parts, _ := routedParts(att.Routing, peers.IPs)
	var out []routedPiece
	for _, p := range parts {
		var b netipx.IPSetBuilder
		for _, x := range p.Prefixes {
			b.AddPrefix(x)
		}
		ips, _ := b.IPSet()
		out = append(out, routedPiece{peers: PeerSet{IPs: ips}, route: p.Route})
	}
	return out
}

// conditionalKey matches a conditional instance key: [0?], ["a"?].
var conditionalKey = regexp.MustCompile(`\[([^\]\s?]+)\?\]`)

// root is the qualifier of an address in a tree of several roots
// ("envs/prod" of "envs/prod:aws_network_acl.main"), "" in a single root.
func root(addr string) string {
	if i := strings.Index(addr, ":"); i >= 0 && !strings.Contains(addr[:i], "[") {
		return addr[:i]
	}
	return ""
}

// bothRoots lists the roots whose groups, network ACLs or attachments
// appear on both sides of a change.
func bothRoots(base, head *model.Snapshot) map[string]bool {
	roots := func(s *model.Snapshot) map[string]bool {
		m := map[string]bool{}
		for _, g := range s.Groups {
			m[root(g.Address)] = true
		}
		for _, n := range s.NACLs {
			m[root(n.Address)] = true
		}
		for _, a := range s.Attachments {
			m[root(a.Name)] = true
		}
		return m
	}
	b, h := roots(base), roots(head)
	for r := range b {
		if !h[r] {
			delete(b, r)
		}
	}
	return b
}

// unconditional names the determined instance a conditional one stands for:
// X[0?] is X[0], if created.
func unconditional(name string) string {
	if !strings.Contains(name, "?]") {
		return name
	}
	return conditionalKey.ReplaceAllString(name, "[$1]")
}

// withUncreated replaces, in atts (as Attachments lists them), the assumed
// attachment of a group that only members declared with no instance carry
// (count 0 with the values analysed, model.Snapshot.Uncreated) by those
// members, each with every group it names: where a deployment creates
// them, the group's rules act together with those groups' rules (§6), and
// a rule moved from the group to another group the members carry revokes
// nothing. standsFor maps each member put in to the groups whose assumed
// attachments it replaces: what it revokes of their rules is what the
// change revokes for them (the other groups have attachments of their
// own, judged there). The result is sorted by name, as Attachments sorts
// it.
func withUncreated(s *model.Snapshot, atts []model.Attachment) (out []model.Attachment, standsFor map[string][]string) {
	if len(s.Uncreated) == 0 {
		return atts, nil
	}
	carriers := map[string][]int{}
	for i, a := range s.Uncreated {
		for _, g := range a.Groups {
			carriers[g] = append(carriers[g], i)
		}
	}
	out = make([]model.Attachment, 0, len(atts))
	standsFor = map[string][]string{}
	for _, a := range atts {
		members := carriers[a.Name]
		if !a.Assumed || a.Kind != "assumed" || len(members) == 0 {
			out = append(out, a)
			continue
		}
		for _, i := range members {
			m := s.Uncreated[i]
			if _, ok := standsFor[m.Name]; !ok {
				m.Routing = s.RoutingFor(m.Subnet)
				out = append(out, m)
			}
			standsFor[m.Name] = append(standsFor[m.Name], a.Name)
		}
	}
	if len(standsFor) > 0 {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	}
	return out, standsFor
}

// newlyUnknownGroups returns why the head's attachment has group
// references it does not determine that the base's had determined (or did
// not have): "" when every reference it does not determine was already
// undetermined, the same, in the base.
func newlyUnknownGroups(before, after model.Attachment) string {
	for _, why := range after.GroupsUnknown {
		if !slices.Contains(before.GroupsUnknown, why) {
			return why
		}
	}
	return ""
}

// byResource maps each resource address to what s has of it: its
// instances, in name order, or its declaration when it creates none
// (Uncreated).
func byResource(s *model.Snapshot) map[string][]model.Attachment {
	out := map[string][]model.Attachment{}
	for _, a := range s.Attachments {
		r := resourceOf(a.Name)
		out[r] = append(out[r], a)
	}
	for _, hs := range out {
		slices.SortStableFunc(hs, func(a, b model.Attachment) int { return strings.Compare(a.Name, b.Name) })
	}
	for _, a := range s.Uncreated {
		out[a.Name] = append(out[a.Name], a)
	}
	return out
}
