package analyzer

import (
	"runtime"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/sgcheck/sgcheck/internal/parallel"
)

// The policy input is built as an ast.Value directly: on a large tree a
// JSON round trip (marshal, then decode into OPA's terms) costs more than
// classification. The encoding must equal what encoding/json would give for
// the same documents (the JSON tags of the Doc types); a test checks it.

// interner shares terms for repeated strings (group names, reasons).
type interner map[string]*ast.Term

func (in interner) str(s string) *ast.Term {
	if t, ok := in[s]; ok {
		return t
	}
	t := ast.StringTerm(s)
	in[s] = t
	return t
}

type objBuilder struct {
	in    interner
	items [][2]*ast.Term
}

func (b *objBuilder) put(k string, v *ast.Term) { b.items = append(b.items, ast.Item(b.in.str(k), v)) }

func (b *objBuilder) str(k, v string) { b.put(k, b.in.str(v)) }

// strOmit adds a string unless it is empty (omitempty).
func (b *objBuilder) strOmit(k, v string) {
	if v != "" {
		b.str(k, v)
	}
}

func (b *objBuilder) intp(k string, v *int, omit bool) {
	switch {
	case v != nil:
		b.put(k, ast.IntNumberTerm(*v))
	case !omit:
		b.put(k, ast.NullTerm())
	}
}

func (b *objBuilder) boolp(k string, v *bool) {
	if v == nil {
		b.put(k, ast.NullTerm())
		return
	}
	b.put(k, ast.BooleanTerm(*v))
}

func (b *objBuilder) strs(k string, vs []string, omit bool) {
	if len(vs) == 0 && omit {
		return
	}
	terms := make([]*ast.Term, len(vs))
	for i, v := range vs {
		terms[i] = b.in.str(v)
	}
	b.put(k, ast.ArrayTerm(terms...))
}

func (b *objBuilder) location(k string, l *Location, omit bool) {
	if l == nil {
		if !omit {
			b.put(k, ast.NullTerm())
		}
		return
	}
	b.put(k, ast.ObjectTerm(
		ast.Item(b.in.str("file"), b.in.str(l.File)),
		ast.Item(b.in.str("start_line"), ast.IntNumberTerm(l.StartLine)),
		ast.Item(b.in.str("end_line"), ast.IntNumberTerm(l.EndLine)),
	))
}

func (b *objBuilder) term() *ast.Term { return ast.ObjectTerm(b.items...) }

// related adds related locations, if any.
func (b *objBuilder) related(rs []Related) {
	if len(rs) == 0 {
		return
	}
	terms := make([]*ast.Term, 0, len(rs))
	for i := range rs {
		rb := &objBuilder{in: b.in}
		rb.str("message", rs[i].Message)
		rb.location("location", rs[i].Location, false)
		terms = append(terms, rb.term())
	}
	b.put("related", ast.ArrayTerm(terms...))
}

func (in interner) rule(d *RuleDoc) *ast.Term {
	b := &objBuilder{in: in, items: make([][2]*ast.Term, 0, 24)}
	b.strOmit("subject", d.Subject)
	b.str("rule", d.Rule)
	b.str("group", d.Group)
	b.str("direction", d.Direction)
	b.str("protocol", d.Protocol)
	b.intp("from_port", d.FromPort, true)
	b.intp("to_port", d.ToPort, true)
	b.intp("icmp_type", d.ICMPType, true)
	b.intp("icmp_code", d.ICMPCode, true)
	b.str("peer", d.Peer)
	b.str("peer_kind", d.PeerKind)
	b.strOmit("family", d.Family)
	b.put("open", ast.BooleanTerm(d.Open))
	b.boolp("tracked", d.Tracked)
	b.str("reason", d.Reason)
	b.strOmit("detail", d.Detail)
	b.strOmit("reverse_rule", d.ReverseRule)
	b.strOmit("reverse_group", d.ReverseGroup)
	b.location("reverse_location", d.ReverseLocation, true)
	b.strOmit("masked_reverse_rule", d.MaskedReverseRule)
	b.intp("timeout_seconds", d.TimeoutSeconds, false)
	b.strOmit("timeout_source", d.TimeoutSource)
	b.strOmit("timeout_setting", d.TimeoutSetting)
	b.strOmit("timeout_note", d.TimeoutNote)
	if d.TimeoutUpTo {
		b.put("timeout_up_to", ast.BooleanTerm(true))
	}
	if len(d.Parts) > 0 {
		parts := make([]*ast.Term, len(d.Parts))
		for i, p := range d.Parts {
			pb := &objBuilder{in: in}
			pb.str("protocol", p.Protocol)
			pb.boolp("tracked", p.Tracked)
			pb.str("reason", p.Reason)
			pb.strOmit("reverse_rule", p.ReverseRule)
			parts[i] = pb.term()
		}
		b.put("parts", ast.ArrayTerm(parts...))
	}
	b.strOmit("nacl", d.NACL)
	b.strOmit("nacl_sample", d.NACLSample)
	b.strOmit("nacl_request_denied", d.NACLRequestDenied)
	if len(d.NACLBlockedResponsePorts) > 0 {
		ports := make([]*ast.Term, len(d.NACLBlockedResponsePorts))
		for i, p := range d.NACLBlockedResponsePorts {
			ports[i] = ast.IntNumberTerm(p)
		}
		b.put("nacl_blocked_response_ports", ast.ArrayTerm(ports...))
	}
	b.strs("unknown", d.Unknown, true)
	b.strOmit("description", d.Description)
	b.strOmit("contested", d.Contested)
	if d.DefaultGroup {
		b.put("default_group", ast.BooleanTerm(true))
	}
	b.strs("narrow_peers", d.NarrowPeers, true)
	b.strs("open_peers", d.OpenPeers, true)
	b.strs("routed_tracked", d.Routed, true)
	b.strs("routed_where", d.RoutedWhere, true)
	b.strOmit("route_assumption", d.RouteAssumption)
	b.location("location", d.Location, false)
	return b.term()
}

func (in interner) attachment(d *AttachmentDoc) *ast.Term {
	b := &objBuilder{in: in}
	b.str("name", d.Name)
	b.str("kind", d.Kind)
	b.put("assumed", ast.BooleanTerm(d.Assumed))
	b.strOmit("instance_type", d.InstanceType)
	b.strs("groups", d.Groups, false)
	b.strs("missing_groups", d.MissingGroups, true)
	b.strOmit("auto_tracked", d.AutoTracked)
	if len(d.AutoTrackedPorts) > 0 {
		ports := make([]*ast.Term, len(d.AutoTrackedPorts))
		for i, p := range d.AutoTrackedPorts {
			ports[i] = ast.IntNumberTerm(p)
		}
		b.put("auto_tracked_ports", ast.ArrayTerm(ports...))
	}
	if d.HTTPOnly {
		b.put("http_only", ast.BooleanTerm(true))
	}
	b.strOmit("subnet", d.Subnet)
	b.strOmit("route_table", d.RouteTable)
	b.strOmit("route_table_reason", d.RouteTableReason)
	b.strOmit("nacl", d.NACL)
	b.strOmit("nacl_reason", d.NACLReason)
	b.location("location", d.Location, true)
	rules := make([]*ast.Term, len(d.Rules))
	for i := range d.Rules {
		rules[i] = in.rule(&d.Rules[i])
	}
	b.put("rules", ast.ArrayTerm(rules...))
	if len(d.Exposed) > 0 {
		exposed := make([]*ast.Term, len(d.Exposed))
		for i := range d.Exposed {
			exposed[i] = in.exposure(&d.Exposed[i])
		}
		b.put("exposed", ast.ArrayTerm(exposed...))
	}
	return b.term()
}

// policyInput is the policy input as one document, and split by
// attachments into as many parts as there are processors.
type policyInput struct {
	full  ast.Value
	parts []ast.Value
}

func (in interner) nacl(d *NACLDoc) *ast.Term {
	b := &objBuilder{in: in}
	b.str("name", d.Name)
	b.put("default", ast.BooleanTerm(d.Default))
	b.strOmit("vpc", d.VPC)
	b.strs("subnets", d.Subnets, false)
	if d.Implicit {
		b.put("implicit", ast.BooleanTerm(true))
	}
	b.location("location", d.Location, true)
	entries := make([]*ast.Term, len(d.Entries))
	for i := range d.Entries {
		e := &d.Entries[i]
		eb := &objBuilder{in: in}
		eb.str("entry", e.Entry)
		eb.put("number", ast.IntNumberTerm(e.Number))
		eb.str("direction", e.Direction)
		eb.str("action", e.Action)
		eb.str("protocol", e.Protocol)
		eb.intp("from_port", e.FromPort, true)
		eb.intp("to_port", e.ToPort, true)
		eb.intp("icmp_type", e.ICMPType, true)
		eb.intp("icmp_code", e.ICMPCode, true)
		eb.str("cidr", e.CIDR)
		eb.put("open", ast.BooleanTerm(e.Open))
		eb.intp("shadowed_by", e.ShadowedBy, true)
		eb.strOmit("shadowed_by_action", e.ShadowedByAction)
		eb.strOmit("duplicate_of", e.DuplicateOf)
		eb.location("location", e.Location, true)
		entries[i] = eb.term()
	}
	b.put("entries", ast.ArrayTerm(entries...))
	if len(d.Exposed) > 0 {
		exposed := make([]*ast.Term, len(d.Exposed))
		for i := range d.Exposed {
			exposed[i] = in.naclExposure(&d.Exposed[i])
		}
		b.put("exposed", ast.ArrayTerm(exposed...))
	}
	if len(d.Unknown) > 0 {
		unknown := make([]*ast.Term, len(d.Unknown))
		for i, u := range d.Unknown {
			ub := &objBuilder{in: in}
			ub.str("address", u.Address)
			ub.str("why", u.Why)
			ub.location("location", u.Location, true)
			unknown[i] = ub.term()
		}
		b.put("unknown_entries", ast.ArrayTerm(unknown...))
	}
	b.strs("inline", d.Inline, true)
	b.strs("standalone", d.Standalone, true)
	return b.term()
}

// inputValue builds the policy input, the attachments in parallel chunks.
func inputValue(in Input) (ast.Value, error) {
	pi, err := buildInput(in)
	if err != nil {
		return nil, err
	}
	return pi.full, nil
}

func buildInput(in Input) (*policyInput, error) {
	atts := make([]*ast.Term, len(in.Attachments))
	workers := runtime.GOMAXPROCS(0)
	chunk := max(1, (len(atts)+workers-1)/workers)
	var bounds [][2]int
	for start := 0; start < len(atts); start += chunk {
		bounds = append(bounds, [2]int{start, min(start+chunk, len(atts))})
	}
	if len(bounds) == 0 {
		bounds = [][2]int{{0, 0}}
	}
	nacls := make([]*ast.Term, len(in.NACLs))
	naclChunk := max(1, (len(nacls)+len(bounds)-1)/len(bounds))
	parallel.Each(len(bounds), func(k int) {
		strs := interner{} // one per chunk: interned terms are shared within it
		for i := bounds[k][0]; i < bounds[k][1]; i++ {
			atts[i] = strs.attachment(&in.Attachments[i])
		}
		for i := k * naclChunk; i < min((k+1)*naclChunk, len(nacls)); i++ {
			nacls[i] = strs.nacl(&in.NACLs[i])
		}
	})
	strs := interner{}
	var changes *ast.Term
	if in.Changes != nil {
		// small, and only with a change source: the generic path is fine
		v, err := ast.InterfaceToValue(in.Changes)
		if err != nil {
			return nil, err
		}
		changes = ast.NewTerm(v)
	}
	params := ast.ObjectTerm(ast.Item(strs.str("icmp_idle_timeout"), ast.IntNumberTerm(in.Params.ICMPIdleTimeout)))
	groups := make([]*ast.Term, len(in.Groups))
	for i := range in.Groups {
		groups[i] = strs.group(&in.Groups[i])
	}
	subnets := make([]*ast.Term, len(in.Subnets))
	for i := range in.Subnets {
		subnets[i] = strs.subnet(&in.Subnets[i])
	}
	// Each part holds a share of the attachments and of the NACLs; the
	// groups, the subnets and the changes go to the first part only, so that nothing is reported twice.
	doc := func(atts, nacls []*ast.Term, first bool) ast.Value {
		b := &objBuilder{in: strs}
		b.put("attachments", ast.ArrayTerm(atts...))
		b.put("nacls", ast.ArrayTerm(nacls...))
		if first {
			b.put("groups", ast.ArrayTerm(groups...))
			b.put("subnets", ast.ArrayTerm(subnets...))
		} else {
			b.put("groups", ast.ArrayTerm())
			b.put("subnets", ast.ArrayTerm())
		}
		if changes != nil && first {
			b.put("changes", changes)
		}
		b.put("params", params)
		return b.term().Value
	}
	pi := &policyInput{full: doc(atts, nacls, true)}
	for i, bd := range bounds {
		lo, hi := min(i*naclChunk, len(nacls)), min((i+1)*naclChunk, len(nacls))
		pi.parts = append(pi.parts, doc(atts[bd[0]:bd[1]], nacls[lo:hi], i == 0))
	}
	return pi, nil
}
