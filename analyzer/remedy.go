package analyzer

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strings"

	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// maxNACLEntries bounds the entries a remedy proposes; AWS allows 20 rules
// per NACL direction by default.
const maxNACLEntries = 10

// NACLRemedy is a set of NACL deny entries that cut a revoked region now.
type NACLRemedy struct {
	NACL    model.NetworkACL
	Entries []model.ACLEntry
}

// ProposeNACL finds the NACL of the attachment's subnet in head and the deny
// entries, numbered below the first entry that matches the traffic, that cut
// the region at once. why says why none can be proposed.
func ProposeNACL(rv tracking.Revocation, head *model.Snapshot) (*NACLRemedy, string) {
	if len(rv.Peers.Atoms) > 0 {
		return nil, "some peers are security groups or prefix lists, which a NACL cannot name"
	}
	subnet := rv.Attachment.Subnet
	if subnet == "" {
		return nil, "the input does not say which subnet " + rv.Attachment.Name + " is in"
	}
	nacl, ok := head.NACLOf(subnet)
	if !ok {
		return nil, "the network ACL of " + subnet + " is not in the input"
	}
	p := rv.Protocol
	if p == tracking.OtherProtocols {
		return nil, "a NACL entry cannot name \"every protocol other than TCP, UDP and ICMP\""
	}

	prefixes := rv.Peers.IPs.Prefixes()
	if len(prefixes) > maxNACLEntries {
		return nil, fmt.Sprintf("the revoked addresses need %d NACL entries", len(prefixes))
	}
	egress := rv.Direction == model.Egress
	first := 32767 // the implicit final deny
	used := map[int]bool{}
	for _, e := range nacl.Entries {
		if e.Egress != egress {
			continue
		}
		used[e.Number] = true
		if e.Number < first && entryOverlaps(e, rv.Region, prefixes) {
			first = e.Number
		}
	}
	if first == 32767 {
		return nil, "no entry of " + nacl.Address + " admits this traffic: the NACL already drops it, so these flows cannot be live through it"
	}
	var numbers []int
	for n := first - 1; n >= 1 && len(numbers) < len(prefixes); n-- {
		if !used[n] {
			numbers = append(numbers, n)
		}
	}
	if len(numbers) < len(prefixes) {
		return nil, fmt.Sprintf("%s has no free rule numbers below %d", nacl.Address, first)
	}
	sort.Ints(numbers)
	rem := &NACLRemedy{NACL: *nacl}
	for i, pfx := range prefixes {
		e := model.ACLEntry{Number: numbers[i], Egress: egress, Protocol: p, Action: model.Deny, CIDR: pfx,
			FromPort: rv.FromPort, ToPort: rv.ToPort, ICMPType: -1, ICMPCode: -1}
		if p.IsICMP() {
			e.FromPort, e.ToPort = 0, 0
			if rv.FromPort == rv.ToPort {
				e.ICMPType = rv.FromPort
			}
			if rv.CodeFrom == rv.CodeTo {
				e.ICMPCode = rv.CodeFrom
			}
		} else if !p.HasPorts() {
			e.FromPort, e.ToPort = 0, 0
		}
		rem.Entries = append(rem.Entries, e)
	}
	return rem, ""
}

func entryOverlaps(e model.ACLEntry, r tracking.Region, prefixes []netip.Prefix) bool {
	if e.Protocol != model.All && r.Protocol != model.All && e.Protocol != r.Protocol {
		return false
	}
	if e.Protocol.HasPorts() && r.Protocol.HasPorts() && (e.ToPort < r.FromPort || e.FromPort > r.ToPort) {
		return false
	}
	for _, p := range prefixes {
		if e.CIDR.Overlaps(p) {
			return true
		}
	}
	return false
}

var nonIdent = regexp.MustCompile(`[^a-zA-Z0-9_]+`)

// Snippet renders the entries as aws_network_acl_rule resources.
func (r *NACLRemedy) Snippet(label string) string {
	ref := fmt.Sprintf("%q", r.NACL.Address)
	addr := r.NACL.Address
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		addr = addr[i+1:]
	}
	switch {
	case r.NACL.Implicit:
		// AWS's default NACL of a declared VPC: the VPC names it
		ref = strings.TrimSuffix(addr, ".default_network_acl") + ".default_network_acl_id"
	case strings.HasPrefix(addr, "aws_"):
		ref = addr + ".id"
	}
	var b strings.Builder
	for i, e := range r.Entries {
		name := strings.Trim(nonIdent.ReplaceAllString(label, "_"), "_")
		if len(r.Entries) > 1 {
			name += fmt.Sprintf("_%d", i+1)
		}
		fmt.Fprintf(&b, "resource \"aws_network_acl_rule\" \"%s\" {\n", name)
		fmt.Fprintf(&b, "  network_acl_id = %s\n", ref)
		fmt.Fprintf(&b, "  rule_number    = %d\n", e.Number)
		fmt.Fprintf(&b, "  egress         = %t\n", e.Egress)
		fmt.Fprintf(&b, "  protocol       = %q\n", aclProtocol(e.Protocol))
		fmt.Fprintf(&b, "  rule_action    = \"deny\"\n")
		if e.CIDR.Addr().Is6() {
			fmt.Fprintf(&b, "  ipv6_cidr_block = %q\n", e.CIDR.String())
		} else {
			fmt.Fprintf(&b, "  cidr_block     = %q\n", e.CIDR.String())
		}
		switch {
		case e.Protocol.HasPorts():
			fmt.Fprintf(&b, "  from_port      = %d\n  to_port        = %d\n", e.FromPort, e.ToPort)
		case e.Protocol.IsICMP():
			fmt.Fprintf(&b, "  icmp_type      = %d\n  icmp_code      = %d\n", e.ICMPType, e.ICMPCode)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func aclProtocol(p model.Protocol) string {
	switch p {
	case model.TCP, model.UDP, model.ICMP, model.ICMPv6:
		return p.String()
	}
	return fmt.Sprint(int(p))
}

// Remediation says how to cut the revoked tracked flows now: the exact NACL
// entries where the subnet's NACL is known, else the general options and why
// no exact entry was proposed.
func Remediation(rv tracking.Revocation, head *model.Snapshot) string {
	what := fmt.Sprintf("%s %s %s", rv.Describe(), peerWord(rv), rv.Peers.String())
	rem, why := ProposeNACL(rv, head)
	if rem != nil {
		return fmt.Sprintf("To cut these flows now, add a network ACL deny (NACLs are stateless, so it drops every packet at once, tracked or not) for %s to %s, numbered below its first entry that matches this traffic:\n%s",
			what, rem.NACL.Address, rem.Snippet("sgcheck_cut_"+rv.Rule.Name))
	}
	s := fmt.Sprintf("To cut these flows now, add a deny entry for %s to the subnet's network ACL, numbered below its first entry that matches this traffic (NACLs are stateless: it takes effect at once)", what)
	return s + otherRemedies(rv) + ". No exact entry is proposed: " + why + "."
}

// remediationMerged is Remediation for a revocation joined from several
// parts. A protocol-all rule whose revoked traffic has holes (ports the
// change still admits) needs allow entries for the holes numbered before a
// deny of all traffic, since the deny alone would cut those too; other
// parts need a deny each. No exact entries are proposed for either.
func remediationMerged(m merged) string {
	rv, dir := m.Revocation, peerWord(m.Revocation)
	others := otherRemedies(m.proved())
	if len(m.except) > 0 {
		holes := listRegions(m.except)
		s := fmt.Sprintf("To cut these flows now, add to the subnet's network ACL a deny entry for all traffic %s %s, numbered below its first entry that matches this traffic, with allow entries for %s before it, so that what the change keeps still passes (NACLs are stateless: it takes effect at once)",
			dir, rv.Peers.String(), holes)
		return s + others + ". No exact entries are proposed: the revoked traffic is all traffic except " + holes + "."
	}
	s := fmt.Sprintf("To cut these flows now, add deny entries for %s %s %s to the subnet's network ACL, numbered below its first entry that matches this traffic (NACLs are stateless: it takes effect at once)",
		listRegions(m.parts), dir, rv.Peers.String())
	return s + others + fmt.Sprintf(". No exact entries are proposed: the revoked traffic has %d parts.", len(m.parts))
}

// peerWord is "to" for an egress revocation's peers, else "from".
func peerWord(rv tracking.Revocation) string {
	if rv.Direction == model.Egress {
		return "to"
	}
	return "from"
}

// otherRemedies are the ways besides a NACL to end revoked tracked flows
// sooner, each after "; or".
func otherRemedies(rv tracking.Revocation) string {
	var s string
	switch {
	case rv.Window.Setting == "idle_timeout":
		// a load balancer closes its idle connections itself
		s += "; or lower the load balancer's idle_timeout (1-4000 s) so idle connections close sooner"
	case !timeoutsSettable(rv.Attachment):
		// a managed service: its interfaces' timeouts cannot be set
		s += "; or end the live sessions in the service"
	default:
		// the interface's timeouts do not apply to connections through a
		// Network Load Balancer, which keeps its own (§3)
		switch {
		case rv.Protocol == model.TCP && rv.Window.Setting == "tcp_established_timeout":
			s += "; or lower the interface's tcp_established_timeout (60-432000 s) so idle sessions expire sooner"
		case rv.Protocol == model.UDP && strings.HasPrefix(rv.Window.Setting, "udp_"):
			s += "; or lower the interface's udp_stream_timeout (60-180 s)"
		}
		s += "; or end the live sessions on the host"
	}
	return s
}

// timeoutsSettable reports whether the connection-tracking timeouts of
// att's interfaces can be set: an instance's, a launch template's or an
// interface's (connection_tracking_specification), or a group's analysed
// alone, which may be attached to one; not a managed service's. SGC006's
// remedy names the same kinds.
func timeoutsSettable(att model.Attachment) bool {
	switch att.Kind {
	case "aws_instance", "aws_launch_template", "aws_spot_instance_request",
		"aws_network_interface", "awscc_ec2_network_interface", "network-interface":
		return true
	}
	return att.Assumed
}
