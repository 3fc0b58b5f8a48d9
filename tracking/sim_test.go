package tracking

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

func entry(n int, egress bool, p model.Protocol, action model.ACLAction, c string, from, to int) model.ACLEntry {
	return model.ACLEntry{Number: n, Egress: egress, Protocol: p, Action: action, CIDR: netip.MustParsePrefix(c),
		FromPort: from, ToPort: to, ICMPType: -1, ICMPCode: -1}
}

// docs/aws-semantics.md §7: NACLs are stateless, evaluated in ascending
// rule number, the first match decides, and a final implicit entry denies
// what nothing matched; the port range is the packet's destination port.
func TestNACLEvaluation(t *testing.T) {
	nacl := &model.NetworkACL{Address: "acl", Entries: []model.ACLEntry{
		entry(200, false, model.TCP, model.Allow, "0.0.0.0/0", 22, 22),
		entry(100, false, model.TCP, model.Deny, "203.0.113.7/32", 0, 65535),
		entry(100, true, model.All, model.Allow, "0.0.0.0/0", 0, 0),
	}}
	sim := NewSimulator(SimConfig{NACL: nacl, Rules: []model.Rule{
		rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0")),
	}}, DefaultParams)
	in := func(src string, port int) Packet {
		return Packet{Inbound: true, Local: localV4, Remote: netip.MustParseAddr(src), Protocol: model.TCP,
			LocalPort: port, RemotePort: 40000, Opening: true}
	}
	if d := sim.Send(in("203.0.113.7", 22)); d.Accept || d.Entry == nil || d.Entry.Number != 100 {
		t.Errorf("entry 100 (deny) comes before 200 (allow): %+v", d)
	}
	if d := sim.Send(in("198.51.100.1", 22)); !d.Accept {
		t.Errorf("allowed by entry 200 and the SG: %+v", d)
	}
	if d := sim.Send(in("198.51.100.1", 80)); d.Accept || d.Entry != nil {
		t.Errorf("nothing matches port 80: the implicit deny: %+v", d)
	}
}

// docs/aws-semantics.md §1.4: a NACL deny cuts a tracked flow at once.
func TestNACLDenyCutsTrackedFlow(t *testing.T) {
	ssh := rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("203.0.113.7/32"))
	sim := NewSimulator(SimConfig{Rules: []model.Rule{ssh}}, DefaultParams)
	p := Packet{Inbound: true, Local: localV4, Remote: netip.MustParseAddr("203.0.113.7"), Protocol: model.TCP,
		LocalPort: 22, RemotePort: 40000, Opening: true}
	if !sim.Send(p).Accept {
		t.Fatal("flow not opened")
	}
	p.Opening = false
	cfg := sim.Config()
	cfg.NACL = &model.NetworkACL{Address: "acl", Entries: []model.ACLEntry{
		entry(50, false, model.TCP, model.Deny, "203.0.113.7/32", 22, 22),
		entry(100, false, model.All, model.Allow, "0.0.0.0/0", 0, 0),
	}}
	sim.Apply(cfg)
	sim.Advance(1)
	if d := sim.Send(p); d.Accept {
		t.Errorf("tracked flow survived a NACL deny: %+v", d)
	}
}

// docs/aws-semantics.md §7: responses need their own allow on the client's
// ephemeral ports.
func TestCheckNACLReturnTraffic(t *testing.T) {
	https := rule("https", "sg", model.Ingress, model.TCP, 443, 443, cidr("0.0.0.0/0"))
	only443 := &model.NetworkACL{Address: "acl", Entries: []model.ACLEntry{
		entry(100, false, model.TCP, model.Allow, "0.0.0.0/0", 443, 443),
		entry(100, true, model.TCP, model.Allow, "0.0.0.0/0", 443, 443),
	}}
	p, ok := CheckNACL(only443, https)
	if !ok || p.RequestDenied != "" || len(p.BlockedResponsePorts) != 3 {
		t.Errorf("got %+v", p)
	}
	linuxOnly := &model.NetworkACL{Address: "acl", Entries: []model.ACLEntry{
		entry(100, false, model.TCP, model.Allow, "0.0.0.0/0", 443, 443),
		entry(100, true, model.TCP, model.Allow, "0.0.0.0/0", 32768, 60999),
	}}
	if p, _ := CheckNACL(linuxOnly, https); len(p.BlockedResponsePorts) != 1 || p.BlockedResponsePorts[0] != 65535 {
		t.Errorf("Windows clients' responses: %+v", p)
	}
	denied := &model.NetworkACL{Address: "acl"}
	if p, _ := CheckNACL(denied, https); p.RequestDenied == "" {
		t.Errorf("an empty custom NACL denies the request: %+v", p)
	}
}

// docs/aws-semantics.md §7: the first matching entry decides, so an entry
// that a lower-numbered one covers never applies.
func TestShadowedEntries(t *testing.T) {
	n := model.NetworkACL{Entries: []model.ACLEntry{
		entry(200, false, model.TCP, model.Deny, "203.0.113.7/32", 22, 22),
		entry(100, false, model.All, model.Allow, "0.0.0.0/0", 0, 0),
		entry(100, true, model.TCP, model.Allow, "10.0.0.0/8", 1024, 65535),
		entry(110, true, model.TCP, model.Deny, "10.1.0.0/16", 2000, 3000),
		entry(120, true, model.TCP, model.Deny, "10.1.0.0/16", 80, 80),
		entry(130, true, model.UDP, model.Deny, "10.1.0.0/16", 2000, 3000),
	}}
	got := ShadowedBy(n)
	if len(got) != 2 || got[0].Number != 100 || got[3].Number != 100 {
		t.Errorf("got %+v", got)
	}
	// the simulator agrees: entry 200 never decides a packet
	sim := NewSimulator(SimConfig{NACL: &n}, DefaultParams)
	p := Packet{Inbound: true, Local: localV4, Remote: netip.MustParseAddr("203.0.113.7"), Protocol: model.TCP, LocalPort: 22, RemotePort: 40000}
	if d, ok := sim.nacl(p); !ok || d.Entry != nil {
		t.Errorf("entry 200 decided: %+v", d)
	}
}

// docs/aws-semantics.md §1.1: the response of a tracked connection is
// allowed in the other direction whatever that direction's rules say (here
// there are none).
func TestTrackedResponseNeedsNoRule(t *testing.T) {
	ssh := rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("203.0.113.7/32"))
	sim := NewSimulator(SimConfig{Rules: []model.Rule{ssh}}, DefaultParams)
	req := Packet{Inbound: true, Local: localV4, Remote: netip.MustParseAddr("203.0.113.7"), Protocol: model.TCP,
		LocalPort: 22, RemotePort: 40000, Opening: true}
	if !sim.Send(req).Accept {
		t.Fatal("request refused")
	}
	if d := sim.Send(ReplyTo(req)); !d.Accept || d.Rule != nil {
		t.Errorf("response: %+v, want accepted by the conntrack entry", d)
	}
	// a packet the instance starts towards the same peer is not a response
	out := Packet{Inbound: false, Local: localV4, Remote: netip.MustParseAddr("203.0.113.7"), Protocol: model.TCP,
		LocalPort: 40001, RemotePort: 443, Opening: true}
	if sim.Send(out).Accept {
		t.Error("a new outbound connection was accepted without an egress rule")
	}
}

// docs/aws-semantics.md §2.2: the responses of an untracked flow are allowed
// by the rule in the response direction, not by tracking, so removing that
// rule stops them.
func TestUntrackedResponsesNeedTheReverseRule(t *testing.T) {
	ssh := rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0"))
	out := rule("out", "sg", model.Egress, model.All, 0, 65535, cidr("0.0.0.0/0"))
	sim := NewSimulator(SimConfig{Rules: []model.Rule{ssh, out}}, DefaultParams)
	req := Packet{Inbound: true, Local: localV4, Remote: netip.MustParseAddr("198.51.100.10"), Protocol: model.TCP,
		LocalPort: 22, RemotePort: 40000, Opening: true}
	sim.Send(req)
	if d := sim.Send(ReplyTo(req)); !d.Accept || d.Rule == nil || d.Rule.Name != "out" {
		t.Fatalf("response: %+v, want admitted by rule out", d)
	}
	sim.Revoke("out")
	if d := sim.Send(ReplyTo(req)); d.Accept {
		t.Errorf("response of an untracked flow accepted without its rule: %+v", d)
	}
}

// docs/aws-semantics.md §3: a connection through a Network Load Balancer is
// tracked (350 s idle) and survives the revocation of the rule that admitted
// it; SSH straight to the same target, untracked by its rules, is cut at
// once.
func TestNLBTargetOnlyForwardedConnectionsSurvive(t *testing.T) {
	https := rule("https", "sg", model.Ingress, model.TCP, 443, 443, cidr("0.0.0.0/0"))
	ssh := rule("ssh", "sg", model.Ingress, model.TCP, 22, 22, cidr("0.0.0.0/0"))
	out := rule("out", "sg", model.Egress, model.All, 0, 65535, cidr("0.0.0.0/0"))
	target := model.Attachment{Name: "i", AutoTracked: "network-load-balancer", AutoTrackedPorts: []int{443}}
	sim := NewSimulator(SimConfig{Attachment: target, Rules: []model.Rule{https, ssh, out}}, DefaultParams)
	open := func(port int) Packet {
		p := Packet{Inbound: true, Local: localV4, Remote: netip.MustParseAddr("198.51.100.10"), Protocol: model.TCP,
			LocalPort: port, RemotePort: 40000, Opening: true}
		if !sim.Send(p).Accept {
			t.Fatalf("port %d refused", port)
		}
		p.Opening = false
		return p
	}
	web, admin := open(443), open(22)
	sim.Revoke("https")
	sim.Revoke("ssh")
	sim.Advance(10)
	if d := sim.Send(web); !d.Accept || !strings.Contains(d.Why, "NLB TCP idle timeout") {
		t.Errorf("forwarded connection after the revocation: %+v, want kept by the NLB's conntrack entry", d)
	}
	if d := sim.Send(admin); d.Accept {
		t.Errorf("direct SSH after the revocation: %+v, want dropped at once", d)
	}
	sim.Advance(10 + 350)
	if d := sim.Send(web); d.Accept {
		t.Errorf("forwarded connection after 350 s idle: %+v, want dropped", d)
	}
}

// An Application Load Balancer closes a connection idle for its
// idle_timeout (60 s by default; Elastic Load Balancing, "Connection idle
// timeout"), so a connection admitted by a revoked rule survives only until
// idle that long, not the 5 days of the TCP established timeout.
func TestApplicationLoadBalancerClosesIdleConnections(t *testing.T) {
	https := rule("https", "sg", model.Ingress, model.TCP, 443, 443, cidr("0.0.0.0/0"))
	out := rule("out", "sg", model.Egress, model.TCP, 0, 65535, cidr("10.0.0.0/16"))
	for _, c := range []struct {
		att  model.Attachment
		idle int
		why  string
	}{
		{model.Attachment{Name: "alb", Kind: "aws_lb", HTTPOnly: true, IdleTimeout: 60}, 60, "load balancer idle_timeout (AWS default)"},
		{model.Attachment{Name: "alb", Kind: "aws_lb", HTTPOnly: true, IdleTimeout: 900, IdleTimeoutDeclared: true}, 900, "load balancer idle_timeout (declared)"},
	} {
		sim := NewSimulator(SimConfig{Attachment: c.att, Rules: []model.Rule{https, out}}, DefaultParams)
		p := Packet{Inbound: true, Local: localV4, Remote: netip.MustParseAddr("198.51.100.10"), Protocol: model.TCP,
			LocalPort: 443, RemotePort: 40000, Opening: true}
		if !sim.Send(p).Accept {
			t.Fatal("connection refused")
		}
		p.Opening = false
		sim.Revoke("https")
		sim.Advance(c.idle - 1)
		if d := sim.Send(p); !d.Accept || d.Why == "" || !strings.Contains(d.Why, c.why) {
			t.Errorf("idle %d s, under the load balancer's timeout: %+v, want kept (%s)", c.idle-1, d, c.why)
		}
		sim.Advance(2*c.idle - 1)
		if d := sim.Send(p); d.Accept {
			t.Errorf("idle %d s: %+v, want closed by the load balancer", c.idle, d)
		}
	}
	w := WindowFor(model.Attachment{HTTPOnly: true, IdleTimeout: 60}, model.TCP, DefaultParams)
	if w.Seconds != 60 || w.Source != "aws-default" || w.Setting != "idle_timeout" || w.UpTo {
		t.Errorf("window %+v", w)
	}
	// an idle_timeout longer than the connection tracking's is not the window
	n := 300
	att := model.Attachment{HTTPOnly: true, IdleTimeout: 4000, IdleTimeoutDeclared: true}
	att.Tracking.TCPEstablished = &n
	if w := WindowFor(att, model.TCP, DefaultParams); w.Seconds != 300 || w.Setting != "tcp_established_timeout" {
		t.Errorf("window %+v", w)
	}
}
