package analyzer

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// ChangesDoc is the change impact as policies see it.
type ChangesDoc struct {
	Revocations []RevocationDoc `json:"revocations"`
	Flips       []FlipDoc       `json:"flips"`
	NACLChanges []NACLChangeDoc `json:"nacl_changes"`
	Incomplete  []string        `json:"incomplete"`
	// NotApplied are the changes lifecycle ignore_changes keeps Terraform
	// from applying (model.PinnedChange); they are not in the others.
	NotApplied []NotAppliedDoc `json:"not_applied"`

	// what the documents stand for, for proofs
	revs  []merged
	flips []tracking.Flip
}

// NotAppliedDoc is a resource whose change to its rules or entries
// lifecycle ignore_changes keeps from being applied.
type NotAppliedDoc struct {
	Resource  string    `json:"resource"`
	Why       string    `json:"why"`
	Arguments []string  `json:"arguments"`
	Kept      []string  `json:"kept"`
	Dropped   []string  `json:"dropped"`
	Location  *Location `json:"location,omitempty"`
}

// NotAppliedDocs renders the changes ignore_changes keeps from being applied.
func NotAppliedDocs(ps []model.PinnedChange) []NotAppliedDoc {
	out := []NotAppliedDoc{}
	for _, p := range ps {
		d := NotAppliedDoc{Resource: p.Address, Why: p.Why, Arguments: p.Args, Kept: p.Kept, Dropped: p.Dropped, Location: LocationOf(p.Source)}
		if d.Arguments == nil {
			d.Arguments = []string{}
		}
		if d.Kept == nil {
			d.Kept = []string{}
		}
		if d.Dropped == nil {
			d.Dropped = []string{}
		}
		out = append(out, d)
	}
	return out
}

// RevocationDoc is one revoked region.
type RevocationDoc struct {
	// Subject identifies the revocation; a policy copies it into its
	// finding so that sgcheck can attach the proof.
	Subject    string `json:"subject"`
	Attachment string `json:"attachment"`
	Rule       string `json:"rule"`
	Group      string `json:"group"`
	Kind       string `json:"kind"` // removed, changed, narrowed, or detached (the group left the attachment)
	Direction  string `json:"direction"`
	Protocol   string `json:"protocol"`
	What       string `json:"what"`
	// Except lists the ports of a protocol-all rule that the change still
	// admits ("tcp port 53"); What names them too.
	Except []string `json:"except,omitempty"`
	// Parts lists the regions of a revocation joined from several
	// ("udp ports 0-52", "udp ports 54-65535"); What names them too.
	Parts    []string `json:"parts,omitempty"`
	FromPort *int     `json:"from_port,omitempty"`
	ToPort   *int     `json:"to_port,omitempty"`
	ICMPType *int     `json:"icmp_type,omitempty"`
	Peer     string   `json:"peer"`
	Tracked  bool     `json:"tracked"`
	Reason   string   `json:"reason"`
	// AutoTracked names what tracks the flows whatever the rules say
	// (network-load-balancer, lambda, …) when that is the reason.
	AutoTracked   string `json:"auto_tracked,omitempty"`
	ReverseRule   string `json:"reverse_rule,omitempty"`
	WindowSeconds *int   `json:"window_seconds,omitempty"`
	WindowHuman   string `json:"window_human,omitempty"`
	WindowSource  string `json:"window_source,omitempty"`
	WindowSetting string `json:"window_setting,omitempty"`
	WindowDetail  string `json:"window_detail,omitempty"`
	// Route is the route through an automatically tracking target that
	// keeps these flows tracked (§3), when that is why.
	Route string `json:"route,omitempty"`
	// RouteAssumption is what "cut at once" assumes of routes not in the
	// input (untracked revocations).
	RouteAssumption string    `json:"route_assumption,omitempty"`
	Remediation     string    `json:"remediation,omitempty"`
	Location        *Location `json:"location"`
	BeforeLocation  *Location `json:"before_location,omitempty"`
}

// FlipDoc is one rule whose tracking a change flips.
type FlipDoc struct {
	Subject       string `json:"subject"`
	Attachment    string `json:"attachment"`
	Rule          string `json:"rule"`
	Group         string `json:"group"`
	Protocol      string `json:"protocol"`
	Before        string `json:"before"` // "tracked" or "untracked"
	After         string `json:"after"`
	CauseRule     string `json:"cause_rule"`
	CauseKind     string `json:"cause_kind"`
	WindowSeconds *int   `json:"window_seconds,omitempty"`
	WindowHuman   string `json:"window_human,omitempty"`
	WindowSource  string `json:"window_source,omitempty"`
	// Peers is set when only these of the rule's peers flip: the subnet's
	// routes send the others through automatically tracking targets.
	Peers         string    `json:"peers,omitempty"`
	Location      *Location `json:"location"`
	CauseLocation *Location `json:"cause_location,omitempty"`
}

// NACLChangeDoc is one changed NACL entry.
type NACLChangeDoc struct {
	NACL     string    `json:"nacl"`
	Entry    string    `json:"entry"`
	Number   int       `json:"number"`
	Egress   bool      `json:"egress"`
	Action   string    `json:"action"`
	Kind     string    `json:"kind"`
	Location *Location `json:"location,omitempty"`
}

// merged is a revocation, possibly standing for the parts of a
// protocol-all rule that share peers and state.
type merged struct {
	tracking.Revocation
	windows []tracking.Window // per protocol, when merged
	protos  []model.Protocol
	// except are the ports of the rule's TCP and UDP that the change still
	// admits, when the merged parts leave such holes
	except []tracking.Region
	// parts are the regions of a merged revocation that is neither all
	// traffic nor all traffic except some ports, in order
	parts []tracking.Region
	// witness is the part the proof replays when the merged region is not
	// all traffic: the whole rule's space would pick a flow the change
	// still admits
	witness *tracking.Revocation
}

// proved is the revocation the simulator replays for m.
func (m merged) proved() tracking.Revocation {
	if m.witness != nil {
		return *m.witness
	}
	return m.Revocation
}

// mergePeers joins the revocations of one rule block's peers (a rule with
// several cidr_blocks is a rule per block, of the same name) that are alike
// in all but their peers, on one attachment: removing a rule open to four
// office ranges revokes one region from the four of them, one finding.
// Regions routed through a tracking target keep their own route, and so
// their own finding. The result keeps the first of each in order.
func mergePeers(rvs []tracking.Revocation) []tracking.Revocation {
	type key struct {
		att, rule, after, reverse, reason, assumption string
		dir                                           model.Direction
		proto                                         model.Protocol
		from, to, codeFrom, codeTo                    int
		tracked                                       bool
		window                                        tracking.Window
	}
	name := func(r *model.Rule) string {
		if r == nil {
			return ""
		}
		return "\x00" + r.Name
	}
	first := map[key]int{}
	out := make([]tracking.Revocation, 0, len(rvs))
	for _, rv := range rvs {
		if rv.Route != nil {
			out = append(out, rv)
			continue
		}
		k := key{rv.Attachment.Name, rv.Rule.Name, name(rv.After), name(rv.Reverse), rv.Reason, rv.Assumption,
			rv.Direction, rv.Protocol, rv.FromPort, rv.ToPort, rv.CodeFrom, rv.CodeTo, rv.Tracked, rv.Window}
		if i, ok := first[k]; ok {
			out[i].Peers = out[i].Peers.Union(rv.Peers)
			continue
		}
		first[k] = len(out)
		out = append(out, rv)
	}
	return out
}

// mergeParts joins the revocations one rule's change makes on one
// attachment, to the same peers in the same state, into one finding:
// removing "all traffic to 0.0.0.0/0" is one finding, not four, and so is
// narrowing a rule to fewer ports. A protocol-all rule whose parts cover
// every protocol is "all traffic", or, when other rules still admit some
// TCP or UDP ports (DNS, say), "all traffic except" those ports; other
// parts are listed. Parts are joined only where nothing else of the rule
// on that attachment is revoked in another state or to other peers (then
// the holes are exactly what the change still admits), except that whole
// protocols of a protocol-all rule always are.
func mergeParts(rvs []tracking.Revocation) []merged {
	var out []merged
	type key struct {
		att, rule, dir, peers string
		tracked               bool
	}
	type ruleKey struct{ att, rule, dir string }
	keyOf := func(rv tracking.Revocation) key {
		return key{rv.Attachment.Name, rv.Rule.Name, string(rv.Direction), rv.Peers.String(), rv.Tracked}
	}
	groups := map[key][]int{}
	parts := map[ruleKey]int{} // every revocation of the rule on the attachment
	for i, rv := range rvs {
		parts[ruleKey{rv.Attachment.Name, rv.Rule.Name, string(rv.Direction)}]++
		if rv.Route != nil {
			continue // a routed region keeps its own route
		}
		k := keyOf(rv)
		groups[k] = append(groups[k], i)
	}
	done := map[int]bool{}
	for i, rv := range rvs {
		if done[i] {
			continue
		}
		idx := groups[keyOf(rv)]
		if rv.Route != nil || len(idx) < 2 {
			out = append(out, merged{Revocation: rv})
			continue
		}
		protos := map[model.Protocol]bool{}
		whole, holes := true, true
		for _, j := range idx {
			r := rvs[j].Region
			protos[r.Protocol] = true
			if !fullRange(r) {
				whole = false
				// only TCP and UDP ports may leave holes
				holes = holes && r.Protocol.HasPorts()
			}
		}
		icmp := protos[model.ICMP] || protos[model.ICMPv6]
		all := rv.Rule.Protocol == model.All && protos[model.TCP] && protos[model.UDP] && icmp && protos[tracking.OtherProtocols]
		exact := len(idx) == parts[ruleKey{rv.Attachment.Name, rv.Rule.Name, string(rv.Direction)}]
		if !exact && !(all && whole) {
			out = append(out, merged{Revocation: rv})
			done[i] = true
			continue
		}
		// the part with the longest window is the one the finding's window,
		// reason and proof are about
		witness := idx[0]
		for _, j := range idx {
			if rvs[j].Window.Seconds > rvs[witness].Window.Seconds {
				witness = j
			}
		}
		m := merged{Revocation: rvs[witness]}
		for _, j := range idx {
			done[j] = true
			if !slices.Contains(m.protos, rvs[j].Protocol) {
				m.protos = append(m.protos, rvs[j].Protocol)
				m.windows = append(m.windows, rvs[j].Window)
			}
		}
		switch {
		case all && whole:
			m.Protocol, m.FromPort, m.ToPort = model.All, 0, 65535
		case all && holes:
			m.Protocol, m.FromPort, m.ToPort = model.All, 0, 65535
			m.except = portHoles(rvs, idx)
		default:
			// the rule's protocol, and the span of the parts' ports
			// the rule's protocol; its ports are the span of the parts' where
			// it has ports, else the rule's own
			m.Protocol, m.FromPort, m.ToPort = rv.Rule.Protocol, rv.Rule.FromPort, rv.Rule.ToPort
			if m.Protocol.HasPorts() {
				m.FromPort, m.ToPort = 65535, 0
			}
			for _, j := range idx {
				r := rvs[j].Region
				m.parts = append(m.parts, r)
				if m.Protocol.HasPorts() {
					m.FromPort, m.ToPort = min(m.FromPort, r.FromPort), max(m.ToPort, r.ToPort)
				}
			}
			slices.SortStableFunc(m.parts, func(a, b tracking.Region) int {
				if a.Protocol != b.Protocol {
					return protocolRank(a.Protocol) - protocolRank(b.Protocol)
				}
				return a.FromPort - b.FromPort
			})
		}
		if !(all && whole) {
			w := rvs[witness]
			m.witness = &w
		}
		out = append(out, m)
	}
	return out
}

// protocolRank orders the parts of a revocation as people list them.
func protocolRank(p model.Protocol) int {
	switch p {
	case model.TCP:
		return 0
	case model.UDP:
		return 1
	case model.ICMP:
		return 2
	case model.ICMPv6:
		return 3
	case tracking.OtherProtocols:
		return 5
	}
	return 4
}

// portHoles are the TCP and UDP port ranges the revocations idx leave out.
func portHoles(rvs []tracking.Revocation, idx []int) []tracking.Region {
	var out []tracking.Region
	for _, p := range []model.Protocol{model.TCP, model.UDP} {
		var spans [][2]int
		for _, j := range idx {
			if r := rvs[j].Region; r.Protocol == p {
				spans = append(spans, [2]int{r.FromPort, r.ToPort})
			}
		}
		slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
		next := 0
		for _, s := range spans {
			if s[0] > next {
				out = append(out, tracking.Region{Protocol: p, FromPort: next, ToPort: s[0] - 1})
			}
			next = max(next, s[1]+1)
		}
		if next <= 65535 {
			out = append(out, tracking.Region{Protocol: p, FromPort: next, ToPort: 65535})
		}
	}
	return out
}

// listRegions lists regions: "tcp port 53 and udp port 53".
func listRegions(holes []tracking.Region) string {
	var parts []string
	for _, h := range holes {
		parts = append(parts, h.Describe())
	}
	if len(parts) > 1 {
		return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	return strings.Join(parts, "")
}

func fullRange(r tracking.Region) bool {
	switch {
	case r.Protocol.HasPorts():
		return r.FromPort == 0 && r.ToPort == 65535
	case r.Protocol.IsICMP():
		return r.FromPort == 0 && r.ToPort == 255 && r.CodeFrom == 0 && r.CodeTo == 255
	}
	return true
}

func revocationDoc(m merged, head *model.Snapshot) RevocationDoc {
	rv := m.Revocation
	r := RevocationDoc{Attachment: rv.Attachment.Name, Rule: rv.Rule.Name, Group: rv.Rule.Group, Kind: "removed",
		Direction: string(rv.Direction), Protocol: protocolName(rv.Protocol), What: rv.Describe(),
		Peer: rv.Peers.String(), Tracked: rv.Tracked, Reason: rv.Reason,
		BeforeLocation: LocationOf(rv.Rule.Source)}
	if rv.Protocol.IsICMP() {
		if rv.FromPort == rv.ToPort {
			r.ICMPType = intp(rv.FromPort)
		}
	} else if rv.Protocol.HasPorts() || rv.Protocol == model.All {
		r.FromPort, r.ToPort = intp(rv.FromPort), intp(rv.ToPort)
	}
	for _, h := range m.except {
		r.Except = append(r.Except, h.Describe())
	}
	if len(m.except) > 0 {
		r.What += " except " + listRegions(m.except) + " (still admitted)"
	}
	for _, p := range m.parts {
		r.Parts = append(r.Parts, p.Describe())
	}
	if len(m.parts) > 0 {
		r.What = listRegions(m.parts)
	}
	if rv.Reverse != nil {
		r.ReverseRule = rv.Reverse.Name
	}
	if rv.Reason == tracking.ReasonAutoTracked {
		r.AutoTracked = rv.Attachment.AutoTracked
	}
	if rv.Tracked {
		r.WindowSeconds = intp(rv.Window.Seconds)
		r.WindowHuman = HumanDuration(rv.Window.Seconds)
		if rv.Window.UpTo {
			r.WindowHuman = "up to " + r.WindowHuman
		}
		r.WindowSource, r.WindowSetting = rv.Window.Source, rv.Window.Setting
		r.WindowDetail = windowDetail(m)
		if rv.Route != nil {
			r.Route = tracking.RouteText(*rv.Route)
			r.WindowDetail = strings.TrimPrefix(r.WindowDetail+"; these peers are reached through "+r.Route, "; ")
		}
		r.Remediation = Remediation(rv, head)
		if len(m.except) > 0 || len(m.parts) > 0 {
			r.Remediation = remediationMerged(m)
		}
	} else {
		r.RouteAssumption = rv.Assumption
	}
	switch {
	case rv.After != nil:
		r.Kind = "changed"
		if rv.Narrowed() {
			r.Kind = "narrowed"
		}
		r.Location = LocationOf(rv.After.Source)
	case detached(rv, head):
		// the rule is still in its group, but the group is no longer on
		// the attachment: the change is the attachment's
		r.Kind = "detached"
		r.Location = r.BeforeLocation
		for _, a := range head.Attachments {
			if a.Name == rv.Attachment.Name {
				r.Location = LocationOf(a.Source)
				break
			}
		}
	default:
		if g, ok := head.Group(rv.Rule.Group); ok {
			r.Location = LocationOf(g.Source)
		} else {
			r.Location = r.BeforeLocation
		}
	}
	return r
}

// detached reports whether a revoked rule is still declared, unchanged and
// in the same group, after the change: what revokes it is that the group
// left the attachment.
func detached(rv tracking.Revocation, head *model.Snapshot) bool {
	if _, ok := head.Group(rv.Rule.Group); !ok {
		return false
	}
	b := rv.Rule
	for _, r := range head.RulesOfGroup(rv.Rule.Group) {
		// the same rule: an inline rule's name is its index, which another
		// rule takes when one before it is removed
		if r.Name == b.Name && r.Direction == b.Direction && r.Protocol == b.Protocol && r.FromPort == b.FromPort &&
			r.ToPort == b.ToPort && r.Peer == b.Peer && len(r.Unknown) == 0 && len(b.Unknown) == 0 {
			return true
		}
	}
	return false
}

// ModelParameterMark follows the name of a model parameter a window in a
// message comes from ("ICMP 1 minute (icmp-idle-timeout, model parameter)").
const ModelParameterMark = ", model parameter"

// windowDetail lists the windows of the other protocols of a merged
// revocation, e.g. "UDP 3 minutes, ICMP 1 minute, other protocols 10 minutes".
func windowDetail(m merged) string {
	var parts []string
	if m.Window.Note != "" {
		parts = append(parts, m.Window.Note)
	}
	// the finding's own window is its witness's, or TCP's for all traffic
	main := model.TCP
	if m.witness != nil {
		main = m.witness.Protocol
	}
	for i, p := range m.protos {
		if m.windows[i] == m.Window && p == main {
			continue
		}
		name := strings.ToUpper(p.String())
		if p == tracking.OtherProtocols {
			name = "other protocols"
		}
		part := name + " " + HumanDuration(m.windows[i].Seconds)
		if w := m.windows[i]; w.Source == "model-parameter" {
			part += " (" + w.Setting + ModelParameterMark + ")"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}

func state(tracked bool) string {
	if tracked {
		return "tracked"
	}
	return "untracked"
}

// Changes computes the impact of changing base into head, as documents.
func Changes(base, head *model.Snapshot, params tracking.Params) *ChangesDoc {
	return changesDoc(tracking.Compare(base, head, params), head)
}

// changesDoc renders the impact. Locations point at the head configuration
// where the rule (or its group) still exists, else at the base.
func changesDoc(imp *tracking.Impact, head *model.Snapshot) *ChangesDoc {
	d := &ChangesDoc{Revocations: []RevocationDoc{}, Flips: []FlipDoc{}, NACLChanges: []NACLChangeDoc{},
		Incomplete: imp.Incomplete, NotApplied: []NotAppliedDoc{}}
	if d.Incomplete == nil {
		d.Incomplete = []string{}
	}
	for i, rv := range mergeParts(mergePeers(imp.Revocations)) {
		doc := revocationDoc(rv, head)
		doc.Subject = fmt.Sprintf("revocation:%d", i)
		d.Revocations = append(d.Revocations, doc)
		d.revs = append(d.revs, rv)
	}
	for i, f := range imp.Flips {
		fd := FlipDoc{Subject: fmt.Sprintf("flip:%d", i), Attachment: f.Attachment.Name, Rule: f.Rule.Name, Group: f.Rule.Group,
			Protocol: protocolName(f.Protocol), Before: state(f.Before), After: state(f.After),
			CauseRule: f.Cause.Name, CauseKind: f.CauseKind, Location: LocationOf(f.Rule.Source),
			CauseLocation: LocationOf(f.Cause.Source)}
		if f.Partial {
			fd.Peers = f.Peers.String()
		}
		if f.After {
			fd.WindowSeconds = intp(f.Window.Seconds)
			fd.WindowHuman = HumanDuration(f.Window.Seconds)
			fd.WindowSource = f.Window.Source
		}
		d.Flips = append(d.Flips, fd)
		d.flips = append(d.flips, f)
	}
	for _, c := range imp.NACLChanges {
		d.NACLChanges = append(d.NACLChanges, NACLChangeDoc{NACL: c.NACL, Entry: c.Entry.Name, Number: c.Entry.Number,
			Egress: c.Entry.Egress, Action: string(c.Entry.Action), Kind: c.Kind, Location: LocationOf(c.Entry.Source)})
	}
	return d
}

// ruleKey identifies a policy firing on a rule; a finding without a rule
// gets a key of its own, matching nothing else.
func ruleKey(f Finding) string {
	if f.Rule == "" {
		return "fingerprint\x00" + f.Fingerprint
	}
	return f.ID + "\x00rule\x00" + f.Rule
}

// factsKey identifies a policy firing on a resource (the group or
// attachment it judges) with the same facts: a rule moved within its group
// (to another index, or from inline to a rule resource) is not new. The
// resource is part of it: facts say what is admitted, not where, so without
// it a port newly opened on one group would match another group's.
func factsKey(f Finding) string {
	raw, _ := json.Marshal(f.Facts)
	return f.ID + "\x00" + f.Resource + "\x00" + string(raw)
}

// instanceKey matches an instance key in an address: [0], ["a"], [0?], [?].
var instanceKey = regexp.MustCompile(`\[[^\]\s]*\]`)

// anyInstanceKey is factsKey with every instance key in the resource and in
// the facts' strings left out, and without the conditional mark: a finding
// on a conditional instance (one whose count or for_each the head does not
// determine, as when an example starts reading its availability zones from
// a data source) is the base's when the base had it on some instance of the
// same resource with the same facts.
func anyInstanceKey(f Finding) string {
	facts := make(map[string]any, len(f.Facts))
	for k, v := range f.Facts {
		if k != "conditional" {
			facts[k] = anyInstance(v)
		}
	}
	raw, _ := json.Marshal(facts)
	return f.ID + "\x00any\x00" + instanceKey.ReplaceAllString(f.Resource, "[*]") + "\x00" + string(raw)
}

func anyInstance(v any) any {
	switch x := v.(type) {
	case string:
		return instanceKey.ReplaceAllString(x, "[*]")
	case []string:
		out := make([]any, len(x))
		for i := range x {
			out[i] = anyInstance(x[i])
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = anyInstance(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = anyInstance(e)
		}
		return out
	}
	return v
}
