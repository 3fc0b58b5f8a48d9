package analyzer

import (
	"fmt"
	"slices"

	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// RuleDoc is one rule on one attachment as explain prints it and as policies
// see it (docs/policy-input.md).
type RuleDoc struct {
	// Subject identifies the rule on its attachment for proofs.
	Subject         string    `json:"subject,omitempty"`
	Rule            string    `json:"rule"`
	Group           string    `json:"group"`
	Direction       string    `json:"direction"`
	Protocol        string    `json:"protocol"`
	FromPort        *int      `json:"from_port,omitempty"`
	ToPort          *int      `json:"to_port,omitempty"`
	ICMPType        *int      `json:"icmp_type,omitempty"`
	ICMPCode        *int      `json:"icmp_code,omitempty"`
	Peer            string    `json:"peer"`
	PeerKind        string    `json:"peer_kind"`
	Family          string    `json:"family,omitempty"`
	Open            bool      `json:"open"`
	Tracked         *bool     `json:"tracked"`
	Reason          string    `json:"reason"`
	Detail          string    `json:"detail,omitempty"`
	ReverseRule     string    `json:"reverse_rule,omitempty"`
	ReverseGroup    string    `json:"reverse_group,omitempty"`
	ReverseLocation *Location `json:"reverse_location,omitempty"`
	// MaskedReverseRule is the reverse rule that would leave the flows
	// untracked were the attachment not automatically tracked.
	MaskedReverseRule string `json:"masked_reverse_rule,omitempty"`
	TimeoutSeconds    *int   `json:"timeout_seconds"`
	TimeoutSource     string `json:"timeout_source,omitempty"`
	TimeoutSetting    string `json:"timeout_setting,omitempty"`
	// TimeoutNote qualifies the timeout where the instance type decides it.
	TimeoutNote string `json:"timeout_note,omitempty"`
	// TimeoutUpTo marks the longest window where the type is not known.
	TimeoutUpTo bool      `json:"timeout_up_to,omitempty"`
	Parts       []PartDoc `json:"parts,omitempty"`
	// NACL, NACLRequestDenied and NACLBlockedResponsePorts say what the
	// subnet's network ACL does to the rule's flows (for one sample peer).
	NACL                     string   `json:"nacl,omitempty"`
	NACLSample               string   `json:"nacl_sample,omitempty"`
	NACLRequestDenied        string   `json:"nacl_request_denied,omitempty"`
	NACLBlockedResponsePorts []int    `json:"nacl_blocked_response_ports,omitempty"`
	Unknown                  []string `json:"unknown,omitempty"`
	// Routed lists peers the subnet's routes send through automatically
	// tracking targets (a NAT gateway, transit gateway, …): their flows are
	// tracked whatever the verdict says of the others.
	Routed []string `json:"routed_tracked,omitempty"`
	// RoutedWhere is Routed with where each route is declared, for messages.
	RoutedWhere []string `json:"routed_where,omitempty"`
	// RouteAssumption is what an untracked verdict assumes about routes
	// that are not in the input.
	RouteAssumption string `json:"route_assumption,omitempty"`
	// Contested says why the rule may not be live (inline and standalone
	// rules on one group).
	Contested string `json:"contested,omitempty"`
	// DefaultGroup marks a rule of a VPC's default security group.
	DefaultGroup bool `json:"default_group,omitempty"`
	// NarrowPeers lists, when a rule block has several address peers (an
	// IPv4 and an IPv6 range, say), the ones not open to a whole family,
	// so that one finding can name them all.
	NarrowPeers []string `json:"narrow_peers,omitempty"`
	// OpenPeers lists, for a rule open to a whole family whose block is
	// open to both (cidr_blocks and ipv6_cidr_blocks), the open peers of
	// the block, IPv4 first: policies report the block once.
	OpenPeers   []string  `json:"open_peers,omitempty"`
	Description string    `json:"description,omitempty"`
	Location    *Location `json:"location"`
}

// PartDoc is the verdict for one protocol of a protocol-all rule.
type PartDoc struct {
	Protocol    string `json:"protocol"`
	Tracked     *bool  `json:"tracked"`
	Reason      string `json:"reason"`
	ReverseRule string `json:"reverse_rule,omitempty"`
}

// AttachmentDoc is one attachment with the classification of its rules.
type AttachmentDoc struct {
	Name          string   `json:"name"`
	Kind          string   `json:"kind"`
	Assumed       bool     `json:"assumed"`
	InstanceType  string   `json:"instance_type,omitempty"`
	Groups        []string `json:"groups"`
	MissingGroups []string `json:"missing_groups,omitempty"`
	AutoTracked   string   `json:"auto_tracked,omitempty"`
	// AutoTrackedPorts limits AutoTracked to inbound TCP and UDP
	// connections to these ports (what a Network Load Balancer forwards to
	// its target); empty when every connection is tracked.
	AutoTrackedPorts []int `json:"auto_tracked_ports,omitempty"`
	// HTTPOnly marks an Application Load Balancer, whose listeners speak
	// HTTP and HTTPS only (model.Attachment).
	HTTPOnly bool   `json:"http_only,omitempty"`
	Subnet   string `json:"subnet,omitempty"`
	// RouteTable is the subnet's route table, RouteTableReason how it was
	// found or why it is not known.
	RouteTable       string `json:"route_table,omitempty"`
	RouteTableReason string `json:"route_table_reason,omitempty"`
	// NACL is the network ACL of the subnet; NACLReason says how it was
	// found (an association, the VPC's default) or why it is not known.
	NACL       string    `json:"nacl,omitempty"`
	NACLReason string    `json:"nacl_reason,omitempty"`
	Location   *Location `json:"location,omitempty"`
	Rules      []RuleDoc `json:"rules"`
	// Exposed lists well-known ports the ingress rules together admit
	// from a whole address family (exposures).
	Exposed []ExposureDoc `json:"exposed,omitempty"`
}

func intp(i int) *int { return &i }

func protocolName(p model.Protocol) string {
	if p == tracking.OtherProtocols {
		return "other"
	}
	return p.String()
}

// Docs converts classifications into their documents.
func Docs(classes []tracking.AttachmentClass) []AttachmentDoc {
	out := make([]AttachmentDoc, 0, len(classes))
	for ai, ac := range classes {
		a := ac.Attachment
		d := AttachmentDoc{Name: a.Name, Kind: a.Kind, Assumed: a.Assumed, InstanceType: a.InstanceType, Groups: a.Groups,
			RouteTable: a.Routing.Table, RouteTableReason: orElse(a.Routing.How, a.Routing.Why),
			MissingGroups: ac.Missing, AutoTracked: a.AutoTracked, AutoTrackedPorts: a.AutoTrackedPorts, HTTPOnly: a.HTTPOnly, Subnet: a.Subnet,
			Location: LocationOf(a.Source), Rules: make([]RuleDoc, 0, len(ac.Rules))}
		if d.Groups == nil {
			d.Groups = []string{}
		}
		narrow := map[string][]string{}
		type block struct {
			name, dir, proto string
			from, to         int
		}
		open := map[block][]string{}
		blockOf := func(r model.Rule) block {
			return block{r.Name, string(r.Direction), r.Protocol.String(), r.FromPort, r.ToPort}
		}
		for _, rc := range ac.Rules {
			if r := rc.Rule; r.Peer.Kind == model.PeerCIDR && !r.Peer.IsOpen() {
				narrow[r.Name] = append(narrow[r.Name], r.Peer.Prefix.String())
			} else if r.Peer.IsOpen() {
				k := blockOf(r)
				if p := r.Peer.Prefix.String(); !slices.Contains(open[k], p) {
					open[k] = append(open[k], p)
				}
			}
		}
		for ri, rc := range ac.Rules {
			rd := ruleDoc(rc)
			rd.Subject = fmt.Sprintf("rule:%d:%d", ai, ri)
			if ps := narrow[rc.Rule.Name]; len(ps) > 1 {
				rd.NarrowPeers = ps
			}
			if rc.Rule.Peer.IsOpen() {
				if ps := open[blockOf(rc.Rule)]; len(ps) > 1 {
					rd.OpenPeers = slices.Sorted(slices.Values(ps)) // 0.0.0.0/0 before ::/0
				}
			}

			d.Rules = append(d.Rules, rd)
		}
		d.Exposed = exposures(ac)
		out = append(out, d)
	}
	return out
}

func ruleDoc(rc tracking.RuleClass) RuleDoc {
	r := rc.Rule
	d := RuleDoc{Rule: r.Name, Group: r.Group, Direction: string(r.Direction), Protocol: r.Protocol.String(),
		Peer: r.Peer.String(), PeerKind: string(r.Peer.Kind), Family: r.Peer.Family(), Open: r.Peer.IsOpen(),
		Tracked: rc.Tracked, Reason: rc.Reason, Detail: rc.Detail, Unknown: r.Unknown, Contested: r.Contested, DefaultGroup: r.InDefaultGroup,
		RouteAssumption: rc.Assumption,
		Description:     r.Description, Location: LocationOf(r.Source)}
	if r.Protocol.IsICMP() {
		d.ICMPType, d.ICMPCode = intp(r.FromPort), intp(r.ToPort)
	} else {
		d.FromPort, d.ToPort = intp(r.FromPort), intp(r.ToPort)
	}
	if rc.Reverse != nil {
		d.ReverseRule, d.ReverseGroup = rc.Reverse.Name, rc.Reverse.Group
		d.ReverseLocation = LocationOf(rc.Reverse.Source)
	}
	if rc.Masked != nil {
		d.MaskedReverseRule = rc.Masked.Name
	}
	for _, p := range rc.Routed {
		d.Routed = append(d.Routed, p.Text())
		d.RoutedWhere = append(d.RoutedWhere, p.String())
	}
	for _, p := range rc.Parts {
		if p.Masked != nil && d.MaskedReverseRule == "" {
			d.MaskedReverseRule = p.Masked.Name
		}
	}
	if rc.Window != nil {
		d.TimeoutSeconds = intp(rc.Window.Seconds)
		d.TimeoutSource, d.TimeoutSetting, d.TimeoutNote = rc.Window.Source, rc.Window.Setting, rc.Window.Note
		d.TimeoutUpTo = rc.Window.UpTo
	}
	if rc.NACL != nil {
		d.NACL, d.NACLSample = rc.NACL.NACL, rc.NACL.Sample.String()
		d.NACLRequestDenied, d.NACLBlockedResponsePorts = rc.NACL.RequestDenied, rc.NACL.BlockedResponsePorts
	}
	for _, p := range rc.Parts {
		pd := PartDoc{Protocol: protocolName(p.Protocol), Tracked: p.Tracked, Reason: p.Reason}
		if p.Reverse != nil {
			pd.ReverseRule = p.Reverse.Name
		}
		d.Parts = append(d.Parts, pd)
	}
	return d
}

func orElse(s, alt string) string {
	if s != "" {
		return s
	}
	return alt
}
