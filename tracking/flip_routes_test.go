package tracking

import (
	"net/netip"
	"testing"

	"go4.org/netipx"
)

// §3: a flip leaves out the peers routed through automatically tracking
// targets; it is partial only when the routes take some out.
func TestFlipExcludesRoutedPeers(t *testing.T) {
	set := func(ps ...string) *netipx.IPSet {
		var b netipx.IPSetBuilder
		for _, p := range ps {
			b.AddPrefix(netip.MustParsePrefix(p))
		}
		s, _ := b.IPSet()
		return s
	}
	f := Flip{Peers: PeerSet{IPs: set("0.0.0.0/0")}}
	if !f.excludeRouted(set("10.0.0.0/8")) || !f.Partial || f.Peers.IPs.Contains(netip.MustParseAddr("10.1.2.3")) {
		t.Errorf("routed part kept: %+v", f)
	}
	g := Flip{Peers: PeerSet{IPs: set("203.0.113.0/24")}}
	if !g.excludeRouted(set("10.0.0.0/8")) || g.Partial {
		t.Errorf("unrelated routes made the flip partial: %+v", g)
	}
	h := Flip{Peers: PeerSet{IPs: set("10.1.0.0/16")}}
	if h.excludeRouted(set("10.0.0.0/8")) {
		t.Error("a flip with every peer routed is no flip")
	}
}
