// Package model provides the vocabulary sgcheck analyses: security groups, their
// rules, network ACLs and the attachments that carry groups, each with the source
// range it came from.
package model

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Source is a range in an input file. Lines and columns are 1-based; a zero
// Source means the element has no position (e.g. it was synthesised).
type Source struct {
	File      string `json:"file"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	StartCol  int    `json:"-"`
}

func (s Source) String() string {
	switch {
	case s.File == "":
		return "<unknown>"
	case s.EndLine > s.StartLine:
		return fmt.Sprintf("%s:%d-%d", s.File, s.StartLine, s.EndLine)
	default:
		return fmt.Sprintf("%s:%d", s.File, s.StartLine)
	}
}

// Direction is the direction a rule applies to.
type Direction string

const (
	Ingress Direction = "ingress"
	Egress  Direction = "egress"
)

// Reverse returns the other direction.
func (d Direction) Reverse() Direction {
	if d == Ingress {
		return Egress
	}
	return Ingress
}

// Protocol is an IP protocol number; All (-1) means every protocol.
// docs/aws-semantics.md §6: tcp 6, udp 17, icmp 1, icmpv6 58, -1 all.
type Protocol int

const (
	All    Protocol = -1
	ICMP   Protocol = 1
	TCP    Protocol = 6
	UDP    Protocol = 17
	ICMPv6 Protocol = 58
)

// ParseProtocol accepts the spellings Terraform and the AWS API use.
func ParseProtocol(s string) (Protocol, error) {
	switch s {
	case "-1", "all", "ALL", "All":
		return All, nil
	case "tcp", "TCP":
		return TCP, nil
	case "udp", "UDP":
		return UDP, nil
	case "icmp", "ICMP":
		return ICMP, nil
	case "icmpv6", "ICMPv6", "ICMPV6", "icmp6":
		return ICMPv6, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < -1 || n > 255 {
		return 0, fmt.Errorf("unknown protocol %q", s)
	}
	return Protocol(n), nil
}

func (p Protocol) String() string {
	switch p {
	case All:
		return "all"
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	case ICMP:
		return "icmp"
	case ICMPv6:
		return "icmpv6"
	}
	return strconv.Itoa(int(p))
}

// IsICMP reports whether p is ICMP or ICMPv6.
func (p Protocol) IsICMP() bool { return p == ICMP || p == ICMPv6 }

// HasPorts reports whether rules of this protocol carry a port range
// (docs/aws-semantics.md §6: other protocols allow all ports).
func (p Protocol) HasPorts() bool { return p == TCP || p == UDP }

// PeerKind says what a rule's peer is.
type PeerKind string

const (
	PeerCIDR       PeerKind = "cidr"
	PeerGroup      PeerKind = "security-group"
	PeerPrefixList PeerKind = "prefix-list"
	PeerSelf       PeerKind = "self"
	PeerUnknown    PeerKind = "unknown"
)

// Peer is the other end of a rule.
type Peer struct {
	Kind PeerKind
	// Prefix is set for PeerCIDR (masked).
	Prefix netip.Prefix
	// Ref names a group (address or id) for PeerGroup, a prefix list for
	// PeerPrefixList, or why the peer is unknown for PeerUnknown.
	Ref string
}

func (p Peer) String() string {
	switch p.Kind {
	case PeerCIDR:
		return p.Prefix.String()
	case PeerSelf:
		return "self"
	case PeerUnknown:
		return "unknown"
	}
	return p.Ref
}

// Family is "ipv4", "ipv6", or "" where the peer has no single family.
func (p Peer) Family() string {
	if p.Kind != PeerCIDR {
		return ""
	}
	if p.Prefix.Addr().Is4() {
		return "ipv4"
	}
	return "ipv6"
}

// IsOpen reports whether the peer is every address of its family
// (0.0.0.0/0 or ::/0, docs/aws-semantics.md §2.1).
func (p Peer) IsOpen() bool { return p.Kind == PeerCIDR && p.Prefix.Bits() == 0 }

// Rule is one security group rule for one peer. A Terraform block with several
// peers yields several Rules with the same Name.
type Rule struct {
	Name      string
	Group     string // address of the group the rule belongs to
	Direction Direction
	Protocol  Protocol
	// FromPort/ToPort is the port range for TCP/UDP (0-65535 for others). For
	// ICMP they hold the ICMP type and code, -1 meaning any (§6).
	FromPort, ToPort int
	Peer             Peer
	Description      string
	// Unknown lists what could not be determined about this rule (e.g. a
	// port from an unset variable). A rule with unknowns is indeterminate.
	Unknown []string
	// Origin is "inline" or "standalone" for Terraform rules (a group's
	// own block, or a rule resource), "" otherwise.
	Origin string
	// Contested says why the rule may not be live: its group has rules
	// declared both inline and as standalone resources, which the AWS
	// provider documents to overwrite each other on every apply.
	Contested string
	// InDefaultGroup marks a rule of a VPC's default security group.
	InDefaultGroup bool
	Source         Source
	// CallSite is, for a rule declared in a module, the innermost module
	// block in the user's own configuration (not in a module downloaded
	// into .terraform/modules) through which this instance is created:
	// where the user can act on it. Callers are the module blocks further
	// out on the way from the root, outermost first.
	CallSite Source
	Callers  []Source
}

// PortsAll reports whether the rule admits every port of its protocol.
func (r Rule) PortsAll() bool {
	if !r.Protocol.HasPorts() {
		return true
	}
	return r.FromPort <= 0 && r.ToPort >= 65535
}

// SecurityGroup is a group declared in the input.
type SecurityGroup struct {
	Address string // e.g. aws_security_group.web, or sg-0123 from AWS JSON
	ID      string // literal id where known
	Name    string
	VPC     string
	Default bool
	// Symbolic marks a group the input does not declare but whose rules it
	// holds (a standalone rule naming a literal id, a data source or an
	// unresolved reference): the rules are analysed under it, and its other
	// rules are unknown.
	Symbolic bool
	// NoDescription says the group has no description of its own: none
	// declared, an empty one, or the AWS provider's default "Managed by
	// Terraform".
	NoDescription bool
	// Unattached says the input shows every way the group could be
	// attached, and nothing attaches it: in Terraform, no expression other
	// than its own rules and other groups' peers refers to it (no resource,
	// module argument, output or local).
	Unattached bool
	Source     Source
	// CallSite and Callers are, for a group declared in a module, the
	// module blocks that create it (see Rule.CallSite).
	CallSite Source
	Callers  []Source
}

// NoGroupDescription says whether a group description says nothing.
func NoGroupDescription(d string) bool {
	d = strings.TrimSpace(d)
	return d == "" || d == "Managed by Terraform"
}

// ConnTracking holds an interface's declared idle timeouts in seconds; a nil
// field is not declared (docs/aws-semantics.md §4).
type ConnTracking struct {
	TCPEstablished *int
	UDP            *int
	UDPStream      *int
	// Invalid names settings declared out of AWS's range (an input error):
	// their window is not determined.
	Invalid []string
	Source  Source
}

// TimeoutRanges are the values AWS accepts for each connection-tracking
// timeout, in seconds (docs/aws-semantics.md §4).
var TimeoutRanges = map[string][2]int{
	"tcp_established_timeout": {60, 432000},
	"udp_timeout":             {30, 60},
	"udp_stream_timeout":      {60, 180},
}

// CheckTimeout says what is wrong with a declared timeout, or "".
func CheckTimeout(setting string, v int) string {
	r, ok := TimeoutRanges[setting]
	if !ok || (v >= r[0] && v <= r[1]) {
		return ""
	}
	return fmt.Sprintf("%s %d s is out of the range AWS accepts (%d to %d s)", setting, v, r[0], r[1])
}

// Attachment is anything that carries security groups: an interface, an
// instance, a launch template.
type Attachment struct {
	Name   string
	Kind   string
	Groups []string // group addresses or ids, in declaration order
	// GroupsUnknown lists group references that could not be resolved.
	GroupsUnknown []string
	Subnet        string
	// InstanceType is the EC2 instance type where known (it sets the
	// default TCP idle timeout, §4); "" when not known or not an instance.
	InstanceType string
	Tracking     ConnTracking
	// AutoTracked names why every flow is tracked whatever the rules say
	// (§3), e.g. "network-load-balancer"; empty otherwise.
	AutoTracked string
	// AutoTrackedPorts, when not empty, limits AutoTracked to the
	// connections a Network Load Balancer forwards to this target: inbound,
	// TCP or UDP, to these ports (its target groups' ports and health check
	// ports), sorted. The target's other connections do not pass through the
	// load balancer, so the rules decide whether they are tracked.
	AutoTrackedPorts []int
	// Routing is the subnet's route table, resolved before analysis: flows
	// routed through a NAT gateway, transit gateway, … are automatically
	// tracked (§3).
	Routing Routing
	// Assumed is set for a group analysed as attached alone.
	Assumed bool
	// HTTPOnly marks an Application Load Balancer: its listeners speak HTTP
	// and HTTPS only (Elastic Load Balancing, "Listeners for your
	// Application Load Balancers"), so whatever its rules admit reaches a
	// web listener, never SSH, SMB or a database.
	HTTPOnly bool
	// IdleTimeout is, for a load balancer that closes its connections once
	// they are idle this long (an Application or Classic Load Balancer's
	// idle_timeout, 60 s by default), that time in seconds; 0 when it is not
	// such a load balancer or the time is not known. IdleTimeoutDeclared
	// says the configuration sets it.
	IdleTimeout         int
	IdleTimeoutDeclared bool
	Source              Source
}

// DefaultLBIdleTimeout is an Application or Classic Load Balancer's
// default connection idle timeout (Elastic Load Balancing, "Connection idle
// timeout"), and its range.
const (
	DefaultLBIdleTimeout = 60
	MaxLBIdleTimeout     = 4000
)

// AutoTrackedFor reports whether every connection admitted by a rule of
// direction d and protocol p on ports from–to is automatically tracked on
// this attachment (§3): always when AutoTracked is set without ports,
// otherwise only when the connections are inbound TCP or UDP and every port
// of the range is one of AutoTrackedPorts. A range that also holds other
// ports is judged by the rules, as its connections to those ports are; a
// revocation of it is judged port by port (tracking.Change).
func (a Attachment) AutoTrackedFor(d Direction, p Protocol, from, to int) bool {
	if a.AutoTracked == "" {
		return false
	}
	if len(a.AutoTrackedPorts) == 0 {
		return true
	}
	if d != Ingress || !p.HasPorts() {
		return false
	}
	n := 0
	for _, port := range a.AutoTrackedPorts {
		if from <= port && port <= to {
			n++
		}
	}
	return n == to-from+1
}

// Through returns the attachment as the connections of such a rule see it
// (see AutoTrackedFor): with its automatic tracking, and no port limit, when
// every one of them passes through what tracks them; without it otherwise.
func (a Attachment) Through(d Direction, p Protocol, from, to int) Attachment {
	if a.AutoTracked == "" || len(a.AutoTrackedPorts) == 0 {
		return a
	}
	if a.AutoTrackedFor(d, p, from, to) {
		a.AutoTrackedPorts = nil
	} else {
		a.AutoTracked, a.AutoTrackedPorts = "", nil
	}
	return a
}

// ACLAction is allow or deny.
type ACLAction string

const (
	Allow ACLAction = "allow"
	Deny  ACLAction = "deny"
)

// ACLEntry is one numbered NACL entry. Number 32767 is the implicit final deny.
type ACLEntry struct {
	Name             string
	Number           int
	Egress           bool
	Protocol         Protocol
	Action           ACLAction
	CIDR             netip.Prefix
	FromPort, ToPort int
	ICMPType         int
	ICMPCode         int
	Source           Source
	// CallSite and Callers are, for an entry declared in a module, the
	// module blocks that create it (see Rule.CallSite).
	CallSite Source
	Callers  []Source
	// Standalone marks an entry declared as a resource of its own
	// (aws_network_acl_rule) rather than inline in its network ACL.
	Standalone bool
}

// NetworkACL is a subnet-level stateless filter (docs/aws-semantics.md §7).
type NetworkACL struct {
	Address string
	Default bool
	// VPC is the VPC whose default network ACL this is (Default only),
	// where known.
	VPC     string
	Subnets []string
	// SubnetSources holds, for a subnet of Subnets, where the input
	// associates it (the subnet_ids argument, or the association
	// resource), where known.
	SubnetSources map[string]Source
	Entries       []ACLEntry
	// Unknown lists entries left out because the input does not determine
	// them (Address is the entry, Why what is unknown): the NACL is
	// incomplete.
	Unknown []Absent
	// Implicit marks the default network ACL of a declared VPC that the
	// input does not manage: AWS creates it allowing all traffic.
	Implicit bool
	Source   Source
}

// Subnet ties attachments to their network ACL.
type Subnet struct {
	Address string
	CIDR    netip.Prefix
	VPC     string
	Source  Source
}

// Absent is a block that yields nothing, and why.
type Absent struct {
	Address string
	Why     string
	Source  Source
}

// VPC is a VPC declared in the input.
type VPC struct {
	Address string
	Source  Source
}

// Diagnostic is an input problem, always with a position where one exists.
type Diagnostic struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
	// Warning marks a problem that does not make the input invalid, such as
	// a resource whose count is not determined.
	Warning bool `json:"warning,omitempty"`
}

func (d Diagnostic) String() string {
	switch {
	case d.File == "":
		return d.Message
	case d.Line == 0:
		return fmt.Sprintf("%s: %s", d.File, d.Message)
	case d.Column == 0:
		return fmt.Sprintf("%s:%d: %s", d.File, d.Line, d.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Column, d.Message)
}

// Snapshot is one configuration: everything loaded from a set of inputs.
type Snapshot struct {
	Groups      []SecurityGroup
	Rules       []Rule
	Attachments []Attachment
	NACLs       []NetworkACL
	Subnets     []Subnet
	VPCs        []VPC
	RouteTables []RouteTable
	// PendingRoutes, RouteAssocs ([table, subnet]) and MainRouteAssocs
	// ([table, vpc]) wait for LinkRoutes.
	PendingRoutes   []PendingRoute
	RouteAssocs     [][2]string
	MainRouteAssocs [][2]string
	// Absent lists rule-bearing blocks the configuration creates no
	// instance of (count 0, an empty for_each or dynamic block), with why.
	Absent []Absent
	// Files counts the input files read.
	Files int
	// IgnoreFiles lists, sorted, the configuration files that hold an
	// sgcheck:ignore comment (found as they are read).
	IgnoreFiles []string
	// Unknowns counts values that the input does not determine.
	Unknowns int
	// IgnoreChanges lists the rule-bearing resources whose lifecycle
	// ignore_changes names arguments: Terraform does not apply a change
	// to those arguments of a resource that exists (PinIgnoredChanges).
	IgnoreChanges []IgnoredChanges
	// Forgotten lists what removed blocks with destroy = false name:
	// Terraform drops it from its state and leaves it in AWS.
	Forgotten []Forgotten
	// Uncreated lists the instances, network interfaces and other members
	// the configuration declares with no instance (count 0 or an empty
	// for_each, as the defaults have it), each named by its resource
	// address with the groups it would carry. They are not attachments:
	// nothing is classified on them. They say which groups a group's
	// members carry with it where the configuration creates them, so that
	// a change that moves those members to another admitted group is not
	// taken for a revocation (tracking.Change).
	Uncreated []Attachment

	index *index
}

// index makes lookups by address, id and group constant-time. It is built
// on first use (or by Index); a snapshot is not changed once analysis starts.
type index struct {
	groups map[string]int    // address or id → position in Groups
	rules  map[string][]Rule // group address → its rules, in order
	// naming maps a subnet to the positions in NACLs of the network ACLs
	// that name it explicitly, one per address, in snapshot order: more
	// than one is a contest the last apply decides
	naming map[string][]int
	// subnetVPC maps a declared subnet to its VPC; defaults maps a VPC to
	// the position of its default NACL.
	subnetVPC map[string]string
	declared  map[string]bool // declared subnets
	defaults  map[string]int
	// attachments maps an attachment's name to its position; attached
	// holds the groups (address or id) some attachment names.
	attachments map[string]int
	attached    map[string]bool
	// uncreated maps the name of a member declared with no instance to
	// its position in Uncreated
	uncreated map[string]int
}

func (s *Snapshot) idx() *index {
	if s.index != nil {
		return s.index
	}
	x := &index{groups: map[string]int{}, rules: map[string][]Rule{}, naming: map[string][]int{},
		subnetVPC: map[string]string{}, declared: map[string]bool{}, defaults: map[string]int{},
		attachments: make(map[string]int, len(s.Attachments)), attached: map[string]bool{}}
	for i, a := range s.Attachments {
		if _, ok := x.attachments[a.Name]; !ok {
			x.attachments[a.Name] = i
		}
		for _, g := range a.Groups {
			x.attached[g] = true
		}
	}
	if len(s.Uncreated) > 0 {
		x.uncreated = make(map[string]int, len(s.Uncreated))
		for i, a := range s.Uncreated {
			if _, ok := x.uncreated[a.Name]; !ok {
				x.uncreated[a.Name] = i
			}
		}
	}
	for _, sub := range s.Subnets {
		x.declared[sub.Address] = true
		if sub.VPC != "" {
			x.subnetVPC[sub.Address] = sub.VPC
		}
	}
	for i := len(s.Groups) - 1; i >= 0; i-- { // the first declaration wins
		g := s.Groups[i]
		if g.ID != "" {
			x.groups[g.ID] = i
		}
		x.groups[g.Address] = i
	}
	// each group's rules, in one slice of their number
	keys := make([]string, len(s.Rules))
	counts := map[string]int{}
	for k, r := range s.Rules {
		keys[k] = r.Group
		if i, ok := x.groups[r.Group]; ok {
			keys[k] = s.Groups[i].Address
		}
		counts[keys[k]]++
	}
	for k, r := range s.Rules {
		rs := x.rules[keys[k]]
		if rs == nil {
			rs = make([]Rule, 0, counts[keys[k]])
		}
		x.rules[keys[k]] = append(rs, r)
	}
	for i := range s.NACLs {
		for _, sub := range s.NACLs[i].Subnets {
			if !slices.ContainsFunc(x.naming[sub], func(j int) bool { return s.NACLs[j].Address == s.NACLs[i].Address }) {
				x.naming[sub] = append(x.naming[sub], i)
			}
		}
	}
	for i := len(s.NACLs) - 1; i >= 0; i-- {
		if n := s.NACLs[i]; n.Default && n.VPC != "" {
			if j, ok := x.defaults[n.VPC]; !ok || s.NACLs[j].Implicit {
				x.defaults[n.VPC] = i
			}
		}
	}
	s.index = x
	return x
}

// AttachmentNamed returns the attachment called name, or, for a group no
// attachment names, the assumed attachment that stands for it (as
// tracking.Attachments lists it, without its routing), or the member
// declared with no instance of that name (Uncreated), which change
// analysis puts in the place of the assumed attachments of the groups it
// names.
func (s *Snapshot) AttachmentNamed(name string) (Attachment, bool) {
	x := s.idx()
	if i, ok := x.attachments[name]; ok {
		return s.Attachments[i], true
	}
	if i, ok := x.uncreated[name]; ok {
		return s.Uncreated[i], true
	}
	g, ok := s.Group(name)
	if !ok || g.Address != name || x.attached[g.Address] || (g.ID != "" && x.attached[g.ID]) {
		return Attachment{}, false
	}
	return AssumedAttachment(g), true
}

// GroupAttached reports whether some attachment names the group.
func (s *Snapshot) GroupAttached(g SecurityGroup) bool {
	x := s.idx()
	return x.attached[g.Address] || (g.ID != "" && x.attached[g.ID])
}

// AssumedAttachment stands for a group no attachment names: its rules are
// analysed as if it were attached to one interface.
func AssumedAttachment(g SecurityGroup) Attachment {
	kind := "assumed"
	if g.Symbolic {
		kind = "symbolic-group"
	}
	return Attachment{Name: g.Address, Kind: kind, Groups: []string{g.Address}, Assumed: true, Source: g.Source}
}

// MarkContested marks every rule of a group that has rules declared both
// inline and as standalone resources: which set is live after an apply is
// not determined. It also marks the rules of default security groups.
func (s *Snapshot) MarkContested() {
	inline, standalone := map[string]bool{}, map[string]bool{}
	for _, r := range s.Rules {
		switch r.Origin {
		case "inline":
			inline[r.Group] = true
		case "standalone":
			standalone[r.Group] = true
		}
	}
	defaults := map[string]bool{}
	for _, g := range s.Groups {
		if g.Default {
			defaults[g.Address] = true
		}
	}
	for i := range s.Rules {
		g := s.Rules[i].Group
		s.Rules[i].InDefaultGroup = defaults[g]
		if inline[g] && standalone[g] {
			s.Rules[i].Contested = g + " has rules declared both inline and as standalone rule resources; the AWS provider overwrites one set with the other on every apply, so which rules are live is not determined"
		}
	}
	s.index = nil
}

// AddSymbolicGroups declares, for every group that rules name but no
// declaration provides, a symbolic group at the first such rule, so that
// those rules are analysed rather than dropped.
func (s *Snapshot) AddSymbolicGroups() {
	x := s.idx()
	added := false
	for _, r := range s.Rules {
		if _, ok := x.groups[r.Group]; ok || r.Group == "" {
			continue
		}
		x.groups[r.Group] = len(s.Groups)
		s.Groups = append(s.Groups, SecurityGroup{Address: r.Group, Symbolic: true, Source: r.Source})
		added = true
	}
	if added {
		s.index = nil
	}
}

// Index builds the lookup index now: call it before goroutines share the
// snapshot, since the lazy build is not synchronised.
func (s *Snapshot) Index() { s.idx() }

// Group returns the group with the given address or id.
func (s *Snapshot) Group(ref string) (SecurityGroup, bool) {
	if i, ok := s.idx().groups[ref]; ok {
		return s.Groups[i], true
	}
	return SecurityGroup{}, false
}

// RulesOfGroup returns the rules of a group, by address or id.
func (s *Snapshot) RulesOfGroup(ref string) []Rule {
	if g, ok := s.Group(ref); ok {
		ref = g.Address
	}
	return s.idx().rules[ref]
}

// NACLOf returns the network ACL that filters a subnet: the one associated
// with it, else its VPC's default network ACL (docs/aws-semantics.md §7: a
// subnet without an explicit association uses the VPC's default).
func (s *Snapshot) NACLOf(subnet string) (*NetworkACL, bool) {
	n, _ := s.NACLFor(subnet)
	return n, n != nil
}

// NACLsNaming returns the network ACLs that name subnet explicitly
// (subnet_ids, associations), one per address, in snapshot order.
func (s *Snapshot) NACLsNaming(subnet string) []*NetworkACL {
	var out []*NetworkACL
	for _, i := range s.idx().naming[subnet] {
		out = append(out, &s.NACLs[i])
	}
	return out
}

// NACLFor is NACLOf with how the NACL was found or why none was.
func (s *Snapshot) NACLFor(subnet string) (*NetworkACL, string) {
	x := s.idx()
	if subnet == "" {
		return nil, "the subnet is not known"
	}
	switch naming := x.naming[subnet]; {
	case len(naming) > 1:
		// AWS associates a subnet with one network ACL; two resources
		// associating it take it from each other on every apply
		names := make([]string, len(naming))
		for k, i := range naming {
			names[k] = s.NACLs[i].Address
		}
		return nil, subnet + " is associated with more than one network ACL (" + strings.Join(names, ", ") +
			"): a subnet has one, and which one it is left with is not determined"
	case len(naming) == 1:
		return &s.NACLs[naming[0]], subnet + " is associated with it"
	}
	if !x.declared[subnet] {
		return nil, subnet + " is not declared in the input, so its network ACL association is not known"
	}
	vpc := x.subnetVPC[subnet]
	if vpc == "" {
		return nil, subnet + " has no explicit network ACL association and its VPC is not known"
	}
	if i, ok := x.defaults[vpc]; ok {
		return &s.NACLs[i], subnet + " has no explicit association: the default network ACL of " + vpc + " applies"
	}
	return nil, subnet + " has no explicit association and the default network ACL of " + vpc + " is not in the input"
}

// AddImplicitDefaultNACLs gives every declared VPC whose default network
// ACL the input does not manage the one AWS creates: it allows all inbound
// and outbound traffic, IPv4 and IPv6 (docs/aws-semantics.md §7).
func (s *Snapshot) AddImplicitDefaultNACLs() {
	managed := map[string]bool{}
	for _, n := range s.NACLs {
		if n.Default && n.VPC != "" {
			managed[n.VPC] = true
		}
	}
	added := false
	for _, v := range s.VPCs {
		if managed[v.Address] {
			continue
		}
		managed[v.Address] = true
		n := NetworkACL{Address: v.Address + ".default_network_acl", Default: true, VPC: v.Address, Implicit: true,
			Source: v.Source}
		for i, cidr := range []string{"0.0.0.0/0", "::/0"} {
			for _, egress := range []bool{false, true} {
				n.Entries = append(n.Entries, ACLEntry{Name: "AWS default", Number: 100 + i, Egress: egress,
					Protocol: All, Action: Allow, CIDR: netip.MustParsePrefix(cidr), FromPort: 0, ToPort: 65535,
					ICMPType: -1, ICMPCode: -1, Source: v.Source})
			}
		}
		sortEntries(n.Entries)
		s.NACLs = append(s.NACLs, n)
		added = true
	}
	if added {
		s.index = nil
	}
}

// sortEntries puts entries in evaluation order: ingress then egress, each
// by rule number.
func sortEntries(e []ACLEntry) {
	sort.SliceStable(e, func(a, b int) bool {
		if e[a].Egress != e[b].Egress {
			return !e[a].Egress
		}
		return e[a].Number < e[b].Number
	})
}

// NormalizePorts applies docs/aws-semantics.md §6 to a rule as written:
// protocol -1 and protocols other than tcp/udp/icmp/icmpv6 allow every port
// whatever range is given; a TCP/UDP range of -1 means every port; ICMP
// type -1 means every type and so every code (AWS requires all codes with
// all types).
func (r *Rule) NormalizePorts() {
	switch {
	case r.Protocol.IsICMP() && r.FromPort == -1:
		r.ToPort = -1
	case !r.Protocol.HasPorts() && !r.Protocol.IsICMP():
		r.FromPort, r.ToPort = 0, 65535
	case r.Protocol.HasPorts() && r.FromPort == -1 && r.ToPort == -1:
		r.FromPort, r.ToPort = 0, 65535
	}
}

// ParseCIDR reads a CIDR for a field of the given family ("ipv4", "ipv6",
// or "" for either) in the canonical network form AWS accepts. msg says
// why it is refused: not a CIDR, the other family, or host bits set
// (10.0.0.1/24, which AWS rejects rather than reading as 10.0.0.0/24).
func ParseCIDR(s, family string) (p netip.Prefix, msg string) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, fmt.Sprintf("invalid CIDR %q", s)
	}
	if family == "ipv4" && !p.Addr().Is4() {
		return p, fmt.Sprintf("%s is an IPv6 range in an IPv4 field", s)
	}
	if family == "ipv6" && !p.Addr().Is6() {
		return p, fmt.Sprintf("%s is an IPv4 range in an IPv6 field", s)
	}
	if p.Masked() != p {
		return p, fmt.Sprintf("%s is not a network address: its host bits are set (%s is the network)", s, p.Masked())
	}
	return p, ""
}

// CheckPorts says what is wrong with a rule's port range or ICMP type and
// code for its protocol (docs/aws-semantics.md §6), or "".
func CheckPorts(p Protocol, from, to int) string {
	switch {
	case p.IsICMP():
		if from < -1 || from > 255 {
			return fmt.Sprintf("ICMP type %d is out of range (-1 to 255)", from)
		}
		if to < -1 || to > 255 {
			return fmt.Sprintf("ICMP code %d is out of range (-1 to 255)", to)
		}
		if from == -1 && to != -1 {
			return fmt.Sprintf("ICMP type -1 (every type) needs code -1, not %d", to)
		}
	case p.HasPorts():
		if from < -1 || from > 65535 || to < -1 || to > 65535 {
			return fmt.Sprintf("port range %d-%d is out of range (0 to 65535)", from, to)
		}
		if (from == -1) != (to == -1) {
			return fmt.Sprintf("port -1 (every port) must be given as both ends, not %d-%d", from, to)
		}
		if from > to {
			return fmt.Sprintf("from port %d is greater than to port %d", from, to)
		}
	}
	return ""
}

// IgnoredChanges is a resource instance whose lifecycle ignore_changes
// names Args ("all" for every argument).
type IgnoredChanges struct {
	Address string
	Args    []string
	Source  Source
}

// Forgotten is a resource or module call (Address, as "module.x" or
// "aws_security_group_rule.r") that a removed block with destroy = false
// names.
type Forgotten struct {
	Address string
	Source  Source
}

// Add appends everything o holds to s: its lists, in order, and its
// counts (o's IgnoreFiles merged into s's, sorted).
func (s *Snapshot) Add(o *Snapshot) { s.add(o, false) }

// Take is Add for an o that is not used again: where a list of s is
// empty, o's is taken rather than copied.
func (s *Snapshot) Take(o *Snapshot) { s.add(o, true) }

func (s *Snapshot) add(o *Snapshot, take bool) {
	s.Groups = joined(s.Groups, o.Groups, take)
	s.Rules = joined(s.Rules, o.Rules, take)
	s.Attachments = joined(s.Attachments, o.Attachments, take)
	s.NACLs = joined(s.NACLs, o.NACLs, take)
	s.Subnets = joined(s.Subnets, o.Subnets, take)
	s.VPCs = joined(s.VPCs, o.VPCs, take)
	s.RouteTables = joined(s.RouteTables, o.RouteTables, take)
	s.PendingRoutes = joined(s.PendingRoutes, o.PendingRoutes, take)
	s.RouteAssocs = joined(s.RouteAssocs, o.RouteAssocs, take)
	s.MainRouteAssocs = joined(s.MainRouteAssocs, o.MainRouteAssocs, take)
	s.Absent = joined(s.Absent, o.Absent, take)
	s.IgnoreChanges = joined(s.IgnoreChanges, o.IgnoreChanges, take)
	s.Forgotten = joined(s.Forgotten, o.Forgotten, take)
	s.Uncreated = joined(s.Uncreated, o.Uncreated, take)
	if len(o.IgnoreFiles) > 0 {
		s.IgnoreFiles = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(s.IgnoreFiles), o.IgnoreFiles...))))
	}
	s.Files += o.Files
	s.Unknowns += o.Unknowns
	s.index = nil
}

// joined is append(dst, src...), or src itself when dst is empty and src
// may be taken.
func joined[T any](dst, src []T, take bool) []T {
	if take && len(dst) == 0 && len(src) > 0 {
		return src
	}
	return append(dst, src...)
}
