package tracking

import (
	"net/netip"

	"github.com/sgcheck/sgcheck/model"
)

// EphemeralProbes are the client ports a NACL check sends responses to:
// the start of the Linux range (32768–60999), the start and the end of the
// Windows range (49152–65535) (docs/aws-semantics.md §7). AWS suggests
// allowing 1024–65535 for return traffic; a NACL that blocks a probe breaks
// connections from common clients.
var EphemeralProbes = []int{32768, 49152, 65535}

// NACLPath is what the subnet's network ACL does to the flows of one rule.
// NACLs are stateless (§7): the request and the response must each be
// allowed, the response on the client's ephemeral port.
type NACLPath struct {
	NACL string
	// Sample is the peer address the check used.
	Sample netip.Addr
	// RequestDenied says why the NACL drops the request; empty when allowed.
	RequestDenied string
	// BlockedResponsePorts are the ephemeral probes whose responses the
	// NACL drops, when the request passes.
	BlockedResponsePorts []int
}

// CheckNACL evaluates a TCP or UDP rule's request and response through a
// NACL with the simulator's stateless evaluation, for one sample peer.
func CheckNACL(n *model.NetworkACL, r model.Rule) (NACLPath, bool) {
	if n == nil || !r.Protocol.HasPorts() || r.Peer.Kind != model.PeerCIDR || len(r.Unknown) > 0 {
		return NACLPath{}, false
	}
	remote := r.Peer.Prefix.Addr()
	if r.Peer.Prefix.Bits() < remote.BitLen() {
		remote = remote.Next()
	}
	for _, doc := range []netip.Addr{docV4, docV6} {
		if r.Peer.Prefix.Contains(doc) {
			remote = doc
		}
	}
	local := localV4
	if remote.Is6() {
		local = localV6
	}
	port := r.FromPort
	if port == 0 && r.ToPort > 0 {
		port = 1
	}
	sim := &Simulator{cfg: SimConfig{NACL: n}}
	path := NACLPath{NACL: n.Address, Sample: remote}
	req := Packet{Inbound: r.Direction == model.Ingress, Local: local, Remote: remote, Protocol: r.Protocol}
	for i, probe := range EphemeralProbes {
		if req.Inbound {
			req.LocalPort, req.RemotePort = port, probe
		} else {
			req.LocalPort, req.RemotePort = probe, port
		}
		if i == 0 {
			if d, ok := sim.nacl(req); !ok {
				path.RequestDenied = d.Why
				return path, true
			}
		}
		if _, ok := sim.nacl(reverse(req)); !ok {
			path.BlockedResponsePorts = append(path.BlockedResponsePorts, probe)
		}
	}
	return path, true
}
