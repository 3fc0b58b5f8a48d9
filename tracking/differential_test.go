package tracking

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// The differential test (DESIGN.md "Semantics" 6): on thousands of random
// rule sets and packets, the classifier's tracked/untracked verdict for the
// rules admitting a packet equals what the simulator observes when the
// rules are then removed. Seeded, so every run checks the same cases; a
// disagreement is shrunk to a minimal rule set and printed.

var (
	diffPeers = []string{"0.0.0.0/0", "::/0", "10.0.0.0/8", "203.0.113.7/32", "198.51.100.0/24", "2001:db8::/32"}
	diffProts = []model.Protocol{model.TCP, model.UDP, model.ICMP, model.ICMPv6, model.All, 47}
	diffPorts = [][2]int{{22, 22}, {80, 80}, {0, 65535}, {1024, 65535}, {443, 443}, {0, 1023}}
	diffAddrs = []string{"198.51.100.10", "203.0.113.7", "10.1.2.3", "2001:db8::10", "192.0.2.1", "2001:db9::1"}
	diffLocal = []int{22, 80, 443, 8080, 50000}
)

// diffRoutes are the routes a random route table draws from (§3: NAT
// gateways, transit gateways, egress-only internet gateways and appliance
// endpoints track automatically; an internet gateway does not).
var diffRoutes = []model.Route{
	{Dest: netip.MustParsePrefix("0.0.0.0/0"), Target: "nat-1", Kind: model.RouteNATGateway},
	{Dest: netip.MustParsePrefix("10.0.0.0/8"), Target: "tgw-1", Kind: model.RouteTransitGateway},
	{Dest: netip.MustParsePrefix("198.51.100.0/25"), Target: "igw-1", Kind: model.RouteInternetGateway},
	{Dest: netip.MustParsePrefix("203.0.113.0/24"), Target: "vpce-1", Kind: model.RouteApplianceEndpoint},
	{Dest: netip.MustParsePrefix("::/0"), Target: "eigw-1", Kind: model.RouteEgressOnlyIGW},
	{Dest: netip.MustParsePrefix("2001:db8::/33"), Target: "igw-1", Kind: model.RouteInternetGateway},
	{Dest: netip.MustParsePrefix("2001:db8::/32"), Target: "tgw-1", Kind: model.RouteTransitGateway},
}

type diffCase struct {
	rules []model.Rule
	att   model.Attachment
	pkt   Packet
}

func (c diffCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "attachment auto-tracked=%q\n", c.att.AutoTracked)
	for _, r := range c.att.Routing.Routes {
		fmt.Fprintf(&b, "  %s\n", RouteText(r))
	}
	for _, r := range c.rules {
		fmt.Fprintf(&b, "  %s %s %s %d-%d %s (group %s)\n", r.Name, r.Direction, r.Protocol, r.FromPort, r.ToPort, r.Peer, r.Group)
	}
	fmt.Fprintf(&b, "  packet: %s", describePacket(c.pkt))
	return b.String()
}

func randomCase(rng *rand.Rand) diffCase {
	var c diffCase
	n := 1 + rng.IntN(6)
	for i := 0; i < n; i++ {
		p := diffProts[rng.IntN(len(diffProts))]
		ports := diffPorts[rng.IntN(len(diffPorts))]
		r := model.Rule{Name: fmt.Sprintf("r%d", i), Group: []string{"a", "b"}[rng.IntN(2)],
			Direction: []model.Direction{model.Ingress, model.Egress}[rng.IntN(2)], Protocol: p,
			FromPort: ports[0], ToPort: ports[1], Peer: cidr(diffPeers[rng.IntN(len(diffPeers))])}
		if p.IsICMP() {
			r.FromPort, r.ToPort = -1, -1
			if rng.IntN(2) == 0 {
				r.FromPort, r.ToPort = 8, -1
			}
		}
		r.NormalizePorts()
		c.rules = append(c.rules, r)
	}
	c.att = model.Attachment{Name: "eni", Groups: []string{"a", "b"}}
	if rng.IntN(10) == 0 {
		c.att.AutoTracked = "network-load-balancer"
	}
	if rng.IntN(2) == 0 {
		c.att.Subnet = "subnet"
		c.att.Routing = model.Routing{Table: "rt", Known: true}
		for _, r := range diffRoutes {
			if rng.IntN(2) == 0 {
				c.att.Routing.Routes = append(c.att.Routing.Routes, r)
			}
		}
	}
	remote := netip.MustParseAddr(diffAddrs[rng.IntN(len(diffAddrs))])
	local := localV4
	icmp := model.ICMP
	if remote.Is6() {
		local, icmp = localV6, model.ICMPv6
	}
	p := []model.Protocol{model.TCP, model.UDP, icmp, 47}[rng.IntN(4)]
	c.pkt = Packet{Inbound: rng.IntN(2) == 0, Local: local, Remote: remote, Protocol: p, Opening: true}
	switch {
	case p.HasPorts():
		c.pkt.LocalPort, c.pkt.RemotePort = diffLocal[rng.IntN(len(diffLocal))], 49152
		if !c.pkt.Inbound {
			c.pkt.LocalPort, c.pkt.RemotePort = c.pkt.RemotePort, c.pkt.LocalPort
		}
	case p.IsICMP():
		c.pkt.ICMPType = []int{8, 3}[rng.IntN(2)]
		if icmp == model.ICMPv6 && c.pkt.ICMPType == 8 {
			c.pkt.ICMPType = 128
		}
	}
	return c
}

// classified returns whether the classifier says the packet's flow is
// admitted, and if so tracked, by reading the verdicts of the rules that
// admit it.
func classified(c diffCase) (admitted, tracked bool) {
	ac := ClassifyAttachment(c.att, c.rules, nil, DefaultParams)
	dir := model.Egress
	port := c.pkt.RemotePort
	if c.pkt.Inbound {
		dir, port = model.Ingress, c.pkt.LocalPort
	}
	tracked = true
	for _, rc := range ac.Rules {
		r := rc.Rule
		if r.Direction != dir || !r.Peer.Prefix.Contains(c.pkt.Remote) {
			continue
		}
		if r.Protocol != model.All && r.Protocol != c.pkt.Protocol {
			continue
		}
		if r.Protocol.HasPorts() && (port < r.FromPort || port > r.ToPort) {
			continue
		}
		if r.Protocol.IsICMP() && r.FromPort != -1 && r.FromPort != c.pkt.ICMPType {
			continue
		}
		admitted = true
		v := rc.Verdict
		for _, part := range rc.Parts {
			want := c.pkt.Protocol
			if !want.HasPorts() && !want.IsICMP() {
				want = otherProtocol
			}
			if part.Protocol == want || (part.Protocol.IsICMP() && want.IsICMP()) {
				v = part
			}
		}
		if v.Tracked != nil && !*v.Tracked && !routedTracked(v, c.pkt.Remote) {
			tracked = false
		}
	}
	return admitted, tracked
}

// routedTracked reports whether an untracked verdict lists addr among the
// peers its routes send through an automatically tracking target.
func routedTracked(v Verdict, addr netip.Addr) bool {
	for _, part := range v.Routed {
		for _, p := range part.Prefixes {
			if p.Contains(addr) {
				return true
			}
		}
	}
	return false
}

// routedCase reports whether the packet's flow would be untracked by the
// rules alone but goes through an automatically tracking route target.
func routedCase(c diffCase) bool {
	plain := c
	plain.att.Routing = model.Routing{}
	_, byRules := classified(plain)
	_, withRoutes := classified(c)
	return !byRules && withRoutes
}

// observed runs the packet, removes every rule, and sends the next packet
// of the flow: it is accepted only if the first created a conntrack entry.
func observed(c diffCase) (admitted, tracked bool) {
	sim := NewSimulator(SimConfig{Attachment: c.att, Rules: c.rules}, DefaultParams)
	if !sim.Send(c.pkt).Accept {
		return false, false
	}
	sim.Apply(SimConfig{Attachment: c.att})
	sim.Advance(1)
	next := c.pkt
	next.Opening = false
	return true, sim.Send(next).Accept
}

func disagree(c diffCase) bool {
	a1, t1 := classified(c)
	a2, t2 := observed(c)
	return a1 != a2 || (a1 && t1 != t2)
}

// shrink removes rules while the disagreement persists.
func shrink(c diffCase) diffCase {
	for i := 0; i < len(c.rules); {
		smaller := c
		smaller.rules = append(append([]model.Rule(nil), c.rules[:i]...), c.rules[i+1:]...)
		if disagree(smaller) {
			c = smaller
			continue
		}
		i++
	}
	return c
}

func TestClassifierAgreesWithSimulator(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261125, 1))
	const sets, packets = 8000, 10
	admittedCases, routedCases := 0, 0
	for i := 0; i < sets; i++ {
		base := randomCase(rng)
		for j := 0; j < packets; j++ {
			c := base
			c.pkt = randomCase(rng).pkt
			if disagree(c) {
				m := shrink(c)
				a1, t1 := classified(m)
				a2, t2 := observed(m)
				t.Fatalf("case %d/%d: classifier admitted=%v tracked=%v, simulator admitted=%v tracked=%v; minimal case:\n%s",
					i, j, a1, t1, a2, t2, m)
			}
			if a, _ := classified(c); a {
				admittedCases++
				if routedCase(c) {
					routedCases++
				}
			}
		}
	}
	// Route tables matter only where the rules leave flows untracked, which
	// uniform rules rarely do: a second series draws open rules and a
	// route table every time.
	const routedSets = 2000
	for i := 0; i < routedSets; i++ {
		base := randomCase(rng)
		for k := range base.rules {
			if rng.IntN(3) > 0 {
				base.rules[k].Peer = cidr([]string{"0.0.0.0/0", "::/0"}[rng.IntN(2)])
			}
		}
		for _, peer := range []string{"0.0.0.0/0", "::/0"} {
			if rng.IntN(2) == 0 {
				dir := []model.Direction{model.Ingress, model.Egress}[rng.IntN(2)]
				base.rules = append(base.rules, model.Rule{Name: "all-" + peer, Group: "a", Direction: dir,
					Protocol: model.All, FromPort: 0, ToPort: 65535, Peer: cidr(peer)})
			}
		}
		base.att.Subnet = "subnet"
		base.att.Routing = model.Routing{Table: "rt", Known: true}
		for _, r := range diffRoutes {
			if rng.IntN(2) == 0 {
				base.att.Routing.Routes = append(base.att.Routing.Routes, r)
			}
		}
		for j := 0; j < packets; j++ {
			c := base
			c.pkt = randomCase(rng).pkt
			if disagree(c) {
				m := shrink(c)
				t.Fatalf("routed case %d/%d: classifier and simulator disagree; minimal case:\n%s", i, j, m)
			}
			if routedCase(c) {
				routedCases++
			}
		}
	}
	t.Logf("%d cases, %d admitted; %d more with open rules and a route table; %d tracked only because of a route (§3)",
		sets*packets, admittedCases, routedSets*packets, routedCases)
	if admittedCases < sets || routedCases < 300 {
		t.Errorf("only %d admitted packets, %d routed: the generator no longer exercises the model", admittedCases, routedCases)
	}
}

// BenchmarkClassifyLargeGroup: one attachment with 20,000 rules, far past
// AWS quotas, must classify without quadratic work.
func BenchmarkClassifyLargeGroup(b *testing.B) {
	var rules []model.Rule
	for i := 0; i < 20000; i++ {
		rules = append(rules, model.Rule{Name: fmt.Sprintf("r%d", i), Group: "sg", Direction: model.Ingress,
			Protocol: model.TCP, FromPort: 1000 + i%5000, ToPort: 1000 + i%5000,
			Peer: cidr(fmt.Sprintf("10.%d.%d.0/24", i/256%256, i%256))})
	}
	rules = append(rules, model.Rule{Name: "out", Group: "sg", Direction: model.Egress, Protocol: model.All,
		FromPort: 0, ToPort: 65535, Peer: cidr("0.0.0.0/0")})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ClassifyAttachment(model.Attachment{Name: "eni"}, rules, nil, DefaultParams)
	}
}

// TestChangeClaimsReplay: on seeded random changes (rules removed or their
// peers narrowed), every tracked revocation the set algebra finds replays in
// the simulator as claimed (survives while active, dies once idle), every
// untracked one is cut at the next packet, and every flip replays.
func TestChangeClaimsReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261125, 2))
	narrower := map[string]string{"0.0.0.0/0": "10.0.0.0/8", "::/0": "2001:db8::/32", "10.0.0.0/8": "10.1.0.0/16",
		"198.51.100.0/24": "198.51.100.0/25", "2001:db8::/32": "2001:db8::/48", "203.0.113.7/32": ""}
	revocations, routed, flips, partial := 0, 0, 0, 0
	for i := 0; i < 6000; i++ {
		before := randomCase(rng)
		var after []model.Rule
		for _, r := range before.rules {
			switch rng.IntN(4) {
			case 0: // removed
			case 1:
				if n := narrower[r.Peer.String()]; n != "" {
					r.Peer = cidr(n)
				}
				after = append(after, r)
			default:
				after = append(after, r)
			}
		}
		snap := func(rules []model.Rule) *model.Snapshot {
			s := &model.Snapshot{Groups: []model.SecurityGroup{{Address: "a"}, {Address: "b"}}, Rules: rules,
				Attachments: []model.Attachment{before.att}}
			if before.att.Routing.Known {
				s.RouteTables = []model.RouteTable{{Address: "rt", Subnets: []string{"subnet"}, Routes: before.att.Routing.Routes}}
			}
			return s
		}
		base, head := snap(before.rules), snap(after)
		imp := Compare(base, head, DefaultParams)
		bcfg, _ := SimConfigFor(base, "eni")
		acfg, _ := SimConfigFor(head, "eni")
		for _, rv := range imp.Revocations {
			revocations++
			if rv.Route != nil {
				routed++
			}
			if rv.Tracked {
				if p := ProveRevocation(bcfg, acfg, rv, nil, DefaultParams); !p.Verified {
					t.Fatalf("case %d: tracked revocation %s %s did not replay: %s\n%s", i, rv.Describe(), rv.Peers, p.Failure, before)
				}
				continue
			}
			w, ok := WitnessFor(rv.Region, bcfg.Rules)
			if !ok {
				t.Fatalf("case %d: no witness for %+v", i, rv.Region)
			}
			sim := NewSimulator(w.withMember(bcfg), DefaultParams)
			if !sim.Send(w.Request).Accept || (hasReply(w.Request) && !sim.Send(w.Reply).Accept) {
				t.Fatalf("case %d: untracked witness not admitted before the change\n%s", i, before)
			}
			sim.Apply(w.withMember(acfg))
			sim.Advance(1)
			if sim.Send(w.next()).Accept {
				t.Fatalf("case %d: untracked revocation %s %s survived the change\n%s", i, rv.Describe(), rv.Peers, before)
			}
		}
		for _, f := range imp.Flips {
			flips++
			if f.Partial {
				partial++
			}
			if p := ProveFlip(bcfg, acfg, f, DefaultParams); !p.Verified {
				t.Fatalf("case %d: flip of %s did not replay: %s\n%s", i, f.Rule.Name, p.Failure, before)
			}
		}
	}
	t.Logf("6000 changes: %d revocations (%d tracked through a route, §3), %d flips (%d for part of the peers only, the rest routed)",
		revocations, routed, flips, partial)
	if revocations < 500 || flips == 0 || routed < 20 {
		t.Errorf("only %d revocations and %d flips: the generator no longer exercises change analysis", revocations, flips)
	}
}
