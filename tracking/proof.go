package tracking

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgcheck/sgcheck/model"
)

// Step is one event of a proof timeline.
type Step struct {
	T       int
	Event   string
	Verdict string // "accept", "drop", or "" for configuration events
	Why     string
	// Rule is the rule that decided the packet, or that the event changes.
	Rule *model.Rule
	// Expect is the verdict the claim predicts; empty when nothing is claimed.
	Expect string
}

// Proof is a replayed witness timeline.
type Proof struct {
	Steps    []Step
	Verified bool
	// Failure says which step did not replay as claimed.
	Failure string
}

type recorder struct {
	sim   *Simulator
	proof Proof
}

func (r *recorder) note(t int, event string, rule *model.Rule) {
	r.sim.Advance(t)
	r.proof.Steps = append(r.proof.Steps, Step{T: t, Event: event, Rule: rule})
}

func (r *recorder) send(t int, event string, p Packet, expect string) Decision {
	r.sim.Advance(t)
	d := r.sim.Send(p)
	st := Step{T: t, Event: event + ": " + describePacket(p), Verdict: "drop", Why: d.Why, Rule: d.Rule, Expect: expect}
	if d.Accept {
		st.Verdict = "accept"
	}
	if expect != "" && st.Verdict != expect && r.proof.Failure == "" {
		r.proof.Failure = fmt.Sprintf("t=%d %s: %s, expected %s (%s)", t, event, st.Verdict, expect, d.Why)
	}
	r.proof.Steps = append(r.proof.Steps, st)
	return d
}

func (r *recorder) done() Proof {
	r.proof.Verified = r.proof.Failure == ""
	return r.proof
}

func describePacket(p Packet) string {
	src, dst := endpoint(p.Remote, p.RemotePort, p), endpoint(p.Local, p.LocalPort, p)
	if !p.Inbound {
		src, dst = dst, src
	}
	what := p.Protocol.String()
	if p.Protocol.IsICMP() {
		what = fmt.Sprintf("%s type %d code %d", p.Protocol, p.ICMPType, p.ICMPCode)
	} else if !p.Protocol.HasPorts() {
		what = "protocol " + what
	}
	return fmt.Sprintf("%s → %s %s", src, dst, what)
}

func endpoint(a netip.Addr, port int, p Packet) string {
	if p.Protocol.HasPorts() {
		return netip.AddrPortFrom(a, uint16(port)).String()
	}
	return a.String()
}

// Witness is a concrete flow inside a region: its first packet and reply.
type Witness struct {
	Request, Reply Packet
	// Member is set when the peer is symbolic (a security group, a prefix
	// list): the witness address stands for one of its members.
	Member string
}

// memberV4 is the address a witness gives a symbolic peer's member; it is
// in the shared address space (RFC 6598), which rules rarely name.
var memberV4 = netip.MustParseAddr("100.64.0.10")

// withMember adds the witness's symbolic member to a configuration.
func (w Witness) withMember(cfg SimConfig) SimConfig {
	if w.Member == "" {
		return cfg
	}
	members := map[string][]netip.Addr{}
	for k, v := range cfg.Members {
		members[k] = v
	}
	members[w.Member] = append(members[w.Member], w.Request.Remote)
	cfg.Members = members
	return cfg
}

var (
	localV4  = netip.MustParseAddr("10.0.0.10")
	localV6  = netip.MustParseAddr("fd00::10")
	docV4    = netip.MustParseAddr("198.51.100.10")
	docV6    = netip.MustParseAddr("2001:db8::10")
	ephemera = 49152
)

// WitnessFor picks a concrete flow in region: a peer address (a
// documentation address where the region allows it), a port or ICMP type,
// and the protocol. rules are those of the attachment, so that a
// representative of "every other protocol" is one no rule names.
func WitnessFor(reg Region, rules []model.Rule) (Witness, bool) {
	v6, member := false, ""
	remote, ok := reg.Peers.Sample(false)
	if !ok {
		v6 = true
		remote, ok = reg.Peers.Sample(true)
	}
	if !ok {
		for _, a := range reg.Peers.Atoms {
			if !strings.HasPrefix(a, "unknown:") {
				member, remote, v6, ok = a, memberV4, false, true
				break
			}
		}
		if !ok {
			return Witness{}, false
		}
	}
	if doc := docV4; !v6 && reg.Peers.IPs.Contains(doc) {
		remote = doc
	} else if doc := docV6; v6 && reg.Peers.IPs.Contains(doc) {
		remote = doc
	}
	local := localV4
	if v6 {
		local = localV6
	}
	p := Packet{Inbound: reg.Direction == model.Ingress, Local: local, Remote: remote, Protocol: reg.Protocol, Opening: true}
	port := reg.FromPort
	switch {
	case reg.Protocol == model.All:
		p.Protocol, port = model.TCP, 443
	case reg.Protocol == OtherProtocols:
		p.Protocol = unnamedProtocol(rules)
	case reg.Protocol.IsICMP():
		p.ICMPType, p.ICMPCode = reg.FromPort, reg.CodeFrom
		echo := 8
		if reg.Protocol == model.ICMPv6 {
			echo = 128
		}
		if reg.FromPort <= echo && echo <= reg.ToPort && reg.CodeFrom == 0 {
			p.ICMPType = echo
		}
	}
	if p.Protocol.HasPorts() {
		if port == 0 && reg.ToPort > 0 {
			port = 1
		}
		p.LocalPort, p.RemotePort = port, ephemera
		if !p.Inbound {
			p.LocalPort, p.RemotePort = ephemera, port
		}
	}
	return Witness{Request: p, Reply: ReplyTo(p), Member: member}, true
}

// offForwarded moves an inbound TCP or UDP witness off the ports a Network
// Load Balancer forwards to the attachment under either configuration, to
// the first other port of the region: a flip is a claim about what the
// rules do, and the load balancer's connections are tracked whatever they
// say (model.Attachment.AutoTrackedFor).
func (w *Witness) offForwarded(reg Region, atts ...model.Attachment) {
	p := w.Request
	if !p.Inbound || !p.Protocol.HasPorts() {
		return
	}
	forwarded := func(port int) bool {
		for _, a := range atts {
			if a.AutoTracked != "" && slices.Contains(a.AutoTrackedPorts, port) {
				return true
			}
		}
		return false
	}
	if !forwarded(p.LocalPort) {
		return
	}
	lo, hi := reg.FromPort, reg.ToPort
	if reg.Protocol == model.All {
		lo, hi = 0, 65535
	}
	for port := max(lo, 1); port <= hi; port++ {
		if !forwarded(port) {
			w.Request.LocalPort = port
			w.Reply = ReplyTo(w.Request)
			return
		}
	}
}

// icmpReplies maps ICMP query types to their reply types, per family.
var icmpReplies = map[model.Protocol]map[int]int{
	model.ICMP:   {8: 0, 13: 14, 15: 16, 17: 18},
	model.ICMPv6: {128: 129},
}

// ReplyTo is the response to request p: the other direction, not opening,
// and for ICMP queries the reply type (echo 8 → 0, timestamp 13 → 14, ICMPv6
// echo 128 → 129).
func ReplyTo(p Packet) Packet {
	r := reverse(p)
	r.Opening = false
	if t, ok := icmpReplies[p.Protocol][p.ICMPType]; ok {
		r.ICMPType = t
	}
	return r
}

// hasReply reports whether a request gets a response: ICMP messages that
// are not queries (destination unreachable, say) get none.
func hasReply(p Packet) bool {
	if !p.Protocol.IsICMP() {
		return true
	}
	_, ok := icmpReplies[p.Protocol][p.ICMPType]
	return ok
}

// unnamedProtocol is a protocol no rule names: it stands for "every other
// protocol" of a protocol-all rule.
func unnamedProtocol(rules []model.Rule) model.Protocol {
	named := map[model.Protocol]bool{}
	for _, r := range rules {
		named[r.Protocol] = true
	}
	for _, p := range []model.Protocol{47, 50, 51, 132, 4} {
		if !named[p] {
			return p
		}
	}
	for p := model.Protocol(2); p < 256; p++ {
		if !named[p] && !p.HasPorts() && !p.IsICMP() {
			return p
		}
	}
	return 47
}

// open sends a witness's request and, where one is due, its reply.
func (r *recorder) open(t int, w Witness, label string) {
	r.send(t, label+" request", w.Request, "accept")
	if hasReply(w.Request) {
		r.send(t, label+" reply", w.Reply, "accept")
	}
}

// noteMember says what a symbolic peer's witness address stands for.
func (r *recorder) noteMember(w Witness) {
	if w.Member != "" {
		r.note(0, fmt.Sprintf("%s stands for an address of %s", w.Request.Remote, describeAtom(w.Member)), nil)
	}
}

// next is a later packet of the witness's flow.
func (w Witness) next() Packet {
	p := w.Request
	p.Opening = false
	return p
}

// ProveRevocation replays the claim of a tracked revocation: a flow opened
// under the before configuration survives the change while active, a new
// flow is refused, and the flow dies once idle past the window. With
// remedy (the NACL with the proposed entries), it also shows the same packet
// dropped at once when the remedy is applied with the change.
func ProveRevocation(before, after SimConfig, rv Revocation, remedy *model.NetworkACL, params Params) Proof {
	w, ok := WitnessFor(rv.Region, before.Rules)
	if !ok {
		return Proof{Failure: "no witness address in the revoked region"}
	}
	before, after = w.withMember(before), w.withMember(after)
	// The survival claim is about the security groups; the NACL is played
	// in the remedy part.
	before.NACL, after.NACL = nil, nil
	r := &recorder{sim: NewSimulator(before, params)}
	r.noteMember(w)
	r.open(0, w, "open a flow")
	r.sim.Apply(after)
	r.note(10, "apply the change", nil)
	r.send(20, "same flow", w.next(), "accept")
	if w.Request.Protocol.HasPorts() {
		fresh := w.Request
		if fresh.Inbound {
			fresh.RemotePort++
		} else {
			fresh.LocalPort++
		}
		r.send(21, "new connection", fresh, "drop")
	}
	req := w.Request
	win := WindowFor(before.Attachment.Through(direction(req.Inbound), req.Protocol, req.LocalPort, req.LocalPort), req.Protocol, params)
	r.send(20+win.Seconds, fmt.Sprintf("same flow after %d s idle", win.Seconds), w.next(), "drop")
	if remedy != nil {
		r2 := &recorder{sim: NewSimulator(before, params)}
		r2.note(0, "remedy: replay from t=0 with the proposed NACL entries", nil)
		r2.open(0, w, "remedy: open a flow")
		withRemedy := after
		withRemedy.NACL = remedy
		r2.sim.Apply(withRemedy)
		r2.note(10, "remedy: apply the change with the proposed NACL entries", nil)
		d := r2.send(11, "remedy: same flow", w.next(), "drop")
		if r2.proof.Failure == "" && (d.Entry == nil || d.Entry.Name != remedyName) {
			r2.proof.Failure = "remedy: the packet was not dropped by a proposed NACL entry: " + d.Why
		}
		r.proof.Steps = append(r.proof.Steps, r2.proof.Steps...)
		if r.proof.Failure == "" {
			r.proof.Failure = r2.proof.Failure
		}
	}
	return r.done()
}

// remedyName marks NACL entries a remedy proposes.
const remedyName = "proposed"

// RemedyEntryName is the name remedies must give their entries, so that the
// proof can tell them from the NACL's own.
func RemedyEntryName() string { return remedyName }

// ProveFlip replays the claim of a tracking flip on a witness flow of the
// unchanged rule: under one configuration a revocation of that rule cuts
// the live flow at once (untracked), under the other it does not (tracked).
func ProveFlip(before, after SimConfig, f Flip, params Params) Proof {
	peers := f.Peers
	if peers.IPs == nil {
		peers = peerSetOf([]*model.Rule{&f.Rule})
	}
	reg := Region{Direction: f.Rule.Direction, Protocol: f.Protocol, FromPort: f.Rule.FromPort, ToPort: f.Rule.ToPort,
		Peers: peers}
	w, ok := WitnessFor(reg, before.Rules)
	if !ok {
		return Proof{Failure: "no witness address in the rule's peers"}
	}
	w.offForwarded(reg, before.Attachment, after.Attachment)
	before, after = w.withMember(before), w.withMember(after)
	before.NACL, after.NACL = nil, nil
	expect := func(tracked bool) string {
		if tracked {
			return "accept"
		}
		return "drop"
	}
	r := &recorder{sim: NewSimulator(before, params)}
	r.noteMember(w)
	r.open(0, w, "before the change: open a flow")
	r.note(1, "before the change: revoke "+r.revokeAdmitting(w.Request), &f.Rule)
	r.send(2, "before the change: same flow", w.next(), expect(f.Before))
	r.sim = NewSimulator(after, params)
	r.sim.Advance(10)
	r.note(10, "after the change: a fresh interface state", nil)
	r.open(10, w, "after the change: open a flow")
	r.note(11, "after the change: revoke "+r.revokeAdmitting(w.Request), &f.Rule)
	r.send(12, "after the change: same flow", w.next(), expect(f.After))
	return r.done()
}

// revokeAdmitting removes every rule that admits packet p (the rule a
// claim is about, and any other admitting the same flow) and names them.
func (r *recorder) revokeAdmitting(p Packet) string {
	dir := model.Egress
	if p.Inbound {
		dir = model.Ingress
	}
	var names []string
	for _, x := range r.sim.Config().Rules {
		if x.Direction == dir && r.sim.admits(&x, p) && !containsName(names, x.Name) {
			names = append(names, x.Name)
		}
	}
	for _, n := range names {
		r.sim.Revoke(n)
	}
	return joinNames(names) + " (every rule admitting this flow)"
}

func containsName(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

// ProveAlwaysTracked replays the ping story on an ICMP rule: a running ping
// keeps its replies after every rule admitting it is removed, and stops once
// idle past the ICMP timeout (docs/aws-semantics.md §2.5, §2.6).
func ProveAlwaysTracked(cfg SimConfig, rule model.Rule, params Params) Proof {
	proto := model.ICMP
	if rule.Peer.Family() == "ipv6" {
		proto = model.ICMPv6
	}
	reg := Region{Direction: model.Ingress, Protocol: proto, FromPort: 0, ToPort: 255, CodeTo: 255,
		Peers: peerSetOf([]*model.Rule{&rule})}
	if rule.Protocol.IsICMP() && rule.FromPort >= 0 {
		reg.FromPort, reg.ToPort = rule.FromPort, rule.FromPort
		if rule.ToPort >= 0 {
			reg.CodeFrom, reg.CodeTo = rule.ToPort, rule.ToPort
		}
	}
	w, ok := WitnessFor(reg, cfg.Rules)
	if !ok {
		return Proof{Failure: "no witness address in the rule's peers"}
	}
	cfg = w.withMember(cfg)
	cfg.NACL = nil
	r := &recorder{sim: NewSimulator(cfg, params)}
	r.noteMember(w)
	r.open(0, w, "ping")
	r.send(1, "ping", w.next(), "accept")
	r.note(5, "remove "+r.revokeAdmitting(w.Request), &rule)
	r.send(6, "ping keeps running", w.next(), "accept")
	r.send(6, "its reply", w.Reply, "accept")
	idle := params.ICMPIdleTimeout
	r.send(6+idle/2, fmt.Sprintf("ping after a %d s pause", idle/2), w.next(), "accept")
	last := 6 + idle/2
	r.send(last+idle, fmt.Sprintf("ping after %d s idle", idle), w.next(), "drop")
	return r.done()
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

// SimConfigFor builds the simulator configuration of the named attachment.
func SimConfigFor(s *model.Snapshot, name string) (SimConfig, bool) {
	att, ok := s.AttachmentNamed(name)
	if !ok {
		return SimConfig{}, false
	}
	rules, _ := RulesOf(s, att)
	att.Routing = s.RoutingFor(att.Subnet)
	cfg := SimConfig{Attachment: att, Rules: rules}
	if att.Subnet != "" {
		cfg.NACL, _ = s.NACLOf(att.Subnet)
	}
	return cfg, true
}
