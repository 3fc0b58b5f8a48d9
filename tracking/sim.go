package tracking

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/sgcheck/sgcheck/model"
)

// The simulator is a packet-level model of one attachment: its security
// group rules with AWS connection tracking, and its subnet's network ACL. It
// shares no code with the set-level classifier on purpose: each checks the
// other (DESIGN.md "Semantics" 6).

// Packet is one packet crossing the attachment.
type Packet struct {
	// Inbound is true for a packet arriving at the attachment.
	Inbound bool
	// Local is the attachment's address, Remote the peer's.
	Local, Remote netip.Addr
	Protocol      model.Protocol
	// LocalPort and RemotePort are set for TCP and UDP.
	LocalPort, RemotePort int
	// ICMPType and ICMPCode are set for ICMP.
	ICMPType, ICMPCode int
	// Opening marks the packet that opens a TCP connection (SYN). Only an
	// opening packet creates a TCP conntrack entry; a mid-connection packet
	// without one is judged by the rules alone (a model choice, see
	// docs/semantics.md). UDP, ICMP and other packets can always open.
	Opening bool
}

// Decision is the verdict on one packet and what decided it.
type Decision struct {
	Accept bool
	Why    string
	// Rule is the security group rule that admitted the packet, when one did.
	Rule *model.Rule
	// Entry is the NACL entry that decided, when the NACL dropped it.
	Entry *model.ACLEntry
}

// SimConfig is what the simulator enforces at a point in time.
type SimConfig struct {
	Attachment model.Attachment
	Rules      []model.Rule
	// NACL is the subnet's network ACL; nil means none is known, and every
	// packet passes the subnet boundary.
	NACL *model.NetworkACL
	// Members gives addresses to peers the rules name symbolically (a
	// security group's members, a prefix list's ranges), keyed as
	// MemberKey does; such peers match no packet otherwise.
	Members map[string][]netip.Addr
}

// MemberKey is the key of a symbolic peer in SimConfig.Members.
func MemberKey(p model.Peer) string { return atom(p, "") }

type flowKey struct {
	proto         model.Protocol
	local, remote netip.Addr
	lport, rport  int // TCP/UDP ports; ICMP: the query kind
}

type connEntry struct {
	created, last int
	// responses counts packets in the direction opposite to the first one;
	// UDP moves to the stream timeout after the second (docs/aws-semantics.md §4).
	responses int
	firstIn   bool
	// viaNLB marks a connection opened through a Network Load Balancer:
	// it keeps the load balancer's idle timeout whatever changes later.
	viaNLB bool
}

// Simulator replays packets against a configuration on a virtual clock.
type Simulator struct {
	Now    int // seconds
	cfg    SimConfig
	params Params
	conns  map[flowKey]*connEntry
	// untracked remembers the direction that opened each untracked flow,
	// so that its responses are judged by the rules in the response
	// direction and create no conntrack entry (docs/aws-semantics.md §2.2).
	// It is the simulator's bookkeeping, not a conntrack entry: nothing in
	// it admits a packet.
	untracked map[flowKey]bool
}

// NewSimulator starts a simulator at t=0.
func NewSimulator(cfg SimConfig, params Params) *Simulator {
	return &Simulator{cfg: cfg, params: params, conns: map[flowKey]*connEntry{}, untracked: map[flowKey]bool{}}
}

// Apply switches the configuration; tracked connections stay in the table
// (docs/aws-semantics.md §1.3).
func (s *Simulator) Apply(cfg SimConfig) { s.cfg = cfg }

// Config returns the configuration in force.
func (s *Simulator) Config() SimConfig { return s.cfg }

// Revoke removes every rule with the given name; it reports whether any was.
func (s *Simulator) Revoke(name string) bool {
	var kept []model.Rule
	for _, r := range s.cfg.Rules {
		if r.Name != name {
			kept = append(kept, r)
		}
	}
	found := len(kept) != len(s.cfg.Rules)
	s.cfg.Rules = kept
	return found
}

// Advance moves the clock to t (never backwards).
func (s *Simulator) Advance(t int) {
	if t > s.Now {
		s.Now = t
	}
}

// icmpQuery maps an ICMP type to its query kind, so that a request and its
// reply share one conntrack entry (echo 8/0, timestamp 13/14, and the
// ICMPv6 echo 128/129). Other types are their own kind.
func icmpQuery(p model.Protocol, t int) int {
	for q, reply := range icmpReplies[p] {
		if reply == t {
			return q
		}
	}
	return t
}

// key is the conntrack key of a packet: the 5-tuple for TCP and UDP, the
// ICMP query for ICMP, the address pair and protocol for others
// (docs/aws-semantics.md §1.2).
func key(p Packet) flowKey {
	k := flowKey{proto: p.Protocol, local: p.Local, remote: p.Remote}
	switch {
	case p.Protocol.HasPorts():
		k.lport, k.rport = p.LocalPort, p.RemotePort
	case p.Protocol.IsICMP():
		k.lport = icmpQuery(p.Protocol, p.ICMPType)
	}
	return k
}

// timeout of a live conntrack entry for p.
func (s *Simulator) timeout(p Packet, e *connEntry) (int, string) {
	att := s.cfg.Attachment
	pick := func(v *int, def int, name string) (int, string) {
		if v != nil {
			return *v, name + " (declared)"
		}
		return def, name + " (AWS default)"
	}
	if e.viaNLB {
		if p.Protocol == model.TCP {
			return NLBTCPTimeout, "NLB TCP idle timeout"
		}
		return NLBUDPTimeout, "NLB UDP idle timeout"
	}
	switch {
	case p.Protocol == model.TCP:
		// TCP flows are modelled as established (docs/semantics.md).
		limit, name := pick(att.Tracking.TCPEstablished, DefaultTCPEstablished, "tcp_established_timeout")
		if att.Tracking.TCPEstablished == nil && IsNitroV6(att.InstanceType) {
			limit, name = NitroV6TCPDefault, "tcp_established_timeout (AWS default on Nitro v6, "+att.InstanceType+")"
		}
		if lb, ok := lbIdle(att); ok && lb.Seconds < limit {
			// the load balancer closes the connection
			var declared *int
			if att.IdleTimeoutDeclared {
				declared = &att.IdleTimeout
			}
			return pick(declared, lb.Seconds, "load balancer idle_timeout")
		}
		return limit, name
	case p.Protocol == model.UDP && e.responses >= 2:
		return pick(att.Tracking.UDPStream, DefaultUDPStream, "udp_stream_timeout")
	case p.Protocol == model.UDP:
		return pick(att.Tracking.UDP, DefaultUDP, "udp_timeout")
	case p.Protocol.IsICMP():
		return s.params.ICMPIdleTimeout, "icmp-idle-timeout (model parameter)"
	}
	return OtherProtocolTimeout, "other-protocol timeout (600 s)"
}

// direction is the rule direction that admits a connection opened by an
// inbound (or outbound) packet.
func direction(inbound bool) model.Direction {
	if inbound {
		return model.Ingress
	}
	return model.Egress
}

// Send decides one packet at the current time.
func (s *Simulator) Send(p Packet) Decision {
	if d, ok := s.nacl(p); !ok {
		return d
	}
	k := key(p)
	if e, ok := s.conns[k]; ok {
		limit, name := s.timeout(p, e)
		idle := s.Now - e.last
		if idle < limit {
			e.last = s.Now
			if p.Inbound != e.firstIn {
				e.responses++
			}
			return Decision{Accept: true, Why: fmt.Sprintf("conntrack entry, %d s old, idle %d s < %d s %s",
				s.Now-e.created, idle, limit, name)}
		}
		delete(s.conns, k)
	}
	r := s.match(p)
	if r == nil {
		dir := "egress"
		if p.Inbound {
			dir = "ingress"
		}
		return Decision{Why: "no " + dir + " rule admits it and no live conntrack entry"}
	}
	d := Decision{Accept: true, Rule: r}
	if rev := s.untrackedBy(p); rev != nil {
		if _, seen := s.untracked[k]; !seen {
			s.untracked[k] = p.Inbound
		}
		d.Why = fmt.Sprintf("rule %s (untracked flow: open to all with open reverse rule %s)", r.Name, rev.Name)
		return d
	}
	if first, ok := s.untracked[k]; ok && first != p.Inbound {
		d.Why = fmt.Sprintf("rule %s (response of an untracked flow: admitted by the rule, not by tracking)", r.Name)
		return d
	}
	if p.Protocol == model.TCP && !p.Opening {
		d.Why = fmt.Sprintf("rule %s (mid-connection TCP packet: no new conntrack entry)", r.Name)
		return d
	}
	att := s.cfg.Attachment
	s.conns[k] = &connEntry{created: s.Now, last: s.Now, firstIn: p.Inbound,
		viaNLB: att.AutoTracked == "network-load-balancer" && p.Protocol.HasPorts() &&
			att.AutoTrackedFor(direction(p.Inbound), p.Protocol, p.LocalPort, p.LocalPort)}
	d.Why = fmt.Sprintf("rule %s; tracked, new conntrack entry", r.Name)
	if rt := s.cfg.Attachment.Routing.Lookup(p.Remote); p.Protocol.HasPorts() && rt != nil && model.AutoTrackedRoute(rt.Kind) {
		d.Why = fmt.Sprintf("rule %s; tracked automatically (%s), new conntrack entry", r.Name, RouteText(*rt))
	}
	return d
}

// rulesFacing returns the rules of the direction a packet is checked in.
func (s *Simulator) match(p Packet) *model.Rule {
	dir := model.Egress
	if p.Inbound {
		dir = model.Ingress
	}
	for i := range s.cfg.Rules {
		r := &s.cfg.Rules[i]
		if r.Direction == dir && s.admits(r, p) {
			return r
		}
	}
	return nil
}

// admits checks one rule against one packet: the peer (an address range,
// or a symbolic peer's members), then the protocol, then the port (the local
// port for inbound, the remote port for outbound) or ICMP type/code. Unknown
// peers match nothing.
func (s *Simulator) admits(r *model.Rule, p Packet) bool {
	if len(r.Unknown) > 0 || !s.peerHas(r.Peer, p.Remote) {
		return false
	}
	return ruleAdmitsTraffic(r, p)
}

func (s *Simulator) peerHas(peer model.Peer, a netip.Addr) bool {
	switch peer.Kind {
	case model.PeerCIDR:
		return peer.Prefix.Contains(a)
	case model.PeerUnknown:
		return false
	}
	for _, m := range s.cfg.Members[MemberKey(peer)] {
		if m == a {
			return true
		}
	}
	return false
}

// ruleAdmitsTraffic checks protocol and ports or ICMP type and code.
func ruleAdmitsTraffic(r *model.Rule, p Packet) bool {
	if r.Protocol != model.All && r.Protocol != p.Protocol {
		return false
	}
	if r.Protocol == model.All {
		return true
	}
	switch {
	case p.Protocol.HasPorts():
		port := p.RemotePort
		if p.Inbound {
			port = p.LocalPort
		}
		return r.FromPort <= port && port <= r.ToPort
	case p.Protocol.IsICMP():
		return (r.FromPort == -1 || r.FromPort == p.ICMPType) && (r.ToPort == -1 || r.ToPort == p.ICMPCode)
	}
	return true
}

// reverse is the packet a response to p would be.
func reverse(p Packet) Packet {
	r := p
	r.Inbound = !p.Inbound
	return r
}

// untrackedBy returns the reverse rule that leaves p's flow untracked, or nil
// when the flow is tracked: only TCP and UDP, admitted by a rule open to the
// whole family, with a rule the other way open to the whole family on every
// port, on an attachment that is not automatically tracked (§2.1, §2.5, §3).
func (s *Simulator) untrackedBy(p Packet) *model.Rule {
	if !p.Protocol.HasPorts() || s.cfg.Attachment.AutoTrackedFor(direction(p.Inbound), p.Protocol, p.LocalPort, p.LocalPort) {
		return nil
	}
	// §3: a connection through a NAT gateway, transit gateway, … is
	// tracked whatever the rules say; the route to the peer decides
	if rt := s.cfg.Attachment.Routing.Lookup(p.Remote); rt != nil && model.AutoTrackedRoute(rt.Kind) {
		return nil
	}
	dir, back := model.Egress, model.Ingress
	if p.Inbound {
		dir, back = model.Ingress, model.Egress
	}
	openAdmits := false
	for i := range s.cfg.Rules {
		r := &s.cfg.Rules[i]
		if r.Direction == dir && r.Peer.Kind == model.PeerCIDR && s.admits(r, p) && r.Peer.Prefix.Bits() == 0 {
			openAdmits = true
		}
	}
	if !openAdmits {
		return nil
	}
	var rev []*model.Rule
	for i := range s.cfg.Rules {
		r := &s.cfg.Rules[i]
		if r.Direction != back || len(r.Unknown) > 0 || r.Peer.Kind != model.PeerCIDR || r.Peer.Prefix.Bits() != 0 ||
			r.Peer.Prefix.Addr().Is4() != p.Remote.Is4() {
			continue
		}
		if r.Protocol == model.All || (r.Protocol == p.Protocol && r.FromPort <= 0 && r.ToPort >= 65535) {
			rev = append(rev, r)
		}
	}
	if len(rev) == 0 {
		return nil
	}
	sort.SliceStable(rev, func(i, j int) bool { return rev[i].Name < rev[j].Name })
	return rev[0]
}

// aclMatches reports whether a NACL entry matches a packet; dst is the
// packet's destination port.
func aclMatches(e *model.ACLEntry, p Packet, dst int) bool {
	switch {
	case e.Egress == p.Inbound || !e.CIDR.Contains(p.Remote):
		return false
	case e.Protocol != model.All && e.Protocol != p.Protocol:
		return false
	case e.Protocol.HasPorts() && (dst < e.FromPort || dst > e.ToPort):
		return false
	case e.Protocol.IsICMP() && ((e.ICMPType != -1 && e.ICMPType != p.ICMPType) || (e.ICMPCode != -1 && e.ICMPCode != p.ICMPCode)):
		return false
	}
	return true
}

// nacl applies the subnet's network ACL, stateless, to every packet: entries
// in ascending number, first match wins, then the implicit deny
// (docs/aws-semantics.md §7). The port range is the packet's destination port.
func (s *Simulator) nacl(p Packet) (Decision, bool) {
	n := s.cfg.NACL
	if n == nil {
		return Decision{}, true
	}
	dst := p.LocalPort
	if !p.Inbound {
		dst = p.RemotePort
	}
	// The first match in ascending rule number decides: find the
	// lowest-numbered matching entry (no sorting, no allocation).
	var first *model.ACLEntry
	for i := range n.Entries {
		e := &n.Entries[i]
		if (first == nil || e.Number < first.Number) && aclMatches(e, p, dst) {
			first = e
		}
	}
	if first != nil {
		if first.Action == model.Deny {
			return Decision{Why: fmt.Sprintf("network ACL %s entry %d denies it", n.Address, first.Number), Entry: first}, false
		}
		return Decision{}, true
	}
	dir := "ingress"
	if !p.Inbound {
		dir = "egress"
	}
	return Decision{Why: fmt.Sprintf("network ACL %s: no %s entry matches (implicit deny *)", n.Address, dir)}, false
}
