// Package scenario provides replayable timelines: a configuration, a target
// attachment and timed packets and changes, run in the tracking simulator.
package scenario

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/sgcheck/sgcheck/model"
	"go.yaml.in/yaml/v3"
)

// Scenario is a parsed scenario file.
type Scenario struct {
	Inputs []string
	Target string
	// ICMPIdleTimeout overrides the model parameter when set.
	ICMPIdleTimeout int
	// Routes are declared for the target's subnet, on top of what the
	// inputs say: packets to and from a peer routed through a NAT gateway,
	// transit gateway, egress-only internet gateway or appliance endpoint
	// are tracked automatically (docs/aws-semantics.md §3).
	Routes []model.Route
	Items  []Item
}

// Item is one timeline entry.
type Item struct {
	Line int
	At   int
	// exactly one of these is set
	Send   *Traffic
	Expect *Traffic
	Revoke string
	Apply  string
	NACL   *NACLChange
}

// Traffic is a conversation (send) or a single request (expect).
type Traffic struct {
	// Peer is the other end; Outbound is true when the target starts the
	// conversation ("to:" rather than "from:").
	Peer     netip.Addr
	Outbound bool
	Protocol model.Protocol
	Port     int // the port on the side that receives the request
	ICMPType int
	ICMPCode int
	Every    int
	Until    int
	Verdict  string // expect only
	New      bool   // expect only
}

// NACLChange adds or removes an entry of the target's subnet NACL.
type NACLChange struct {
	Add    bool
	Number int
	Egress bool
	Entry  model.ACLEntry
}

// Error is a problem in a scenario file, with its line.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func errAt(n *yaml.Node, format string, args ...any) *Error {
	return &Error{Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}

// Parse reads a scenario. Every error names the line it is on.
func Parse(src []byte) (*Scenario, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, yamlError(err)
	}
	if len(doc.Content) == 0 {
		return nil, &Error{Line: 1, Msg: "empty scenario"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errAt(root, "a scenario is a mapping with inputs, target and timeline")
	}
	s := &Scenario{}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		seen[k.Value] = true
		var err error
		switch k.Value {
		case "inputs":
			s.Inputs, err = strList(v)
		case "target":
			s.Target, err = scalar(v)
		case "icmp_idle_timeout":
			s.ICMPIdleTimeout, err = duration(v)
		case "timeline":
			s.Items, err = timeline(v)
		case "routes":
			s.Routes, err = routes(v)
		default:
			err = errAt(k, "unknown key %q (want inputs, target, icmp_idle_timeout, routes, timeline)", k.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, req := range []string{"inputs", "target", "timeline"} {
		if !seen[req] {
			return nil, errAt(root, "missing %q", req)
		}
	}
	if len(s.Inputs) == 0 {
		return nil, errAt(root, "inputs is empty")
	}
	return s, nil
}

// routeKinds are the targets a scenario route may name.
var routeKinds = []string{model.RouteNATGateway, model.RouteTransitGateway, model.RouteEgressOnlyIGW,
	model.RouteGWLBEndpoint, model.RouteFirewallEndpoint, model.RouteInternetGateway, model.RouteLocal, model.RouteOther}

// routes reads a list of {to: CIDR, via: kind, target: name}.
func routes(n *yaml.Node) ([]model.Route, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n, "routes is a list of {to: CIDR, via: KIND}")
	}
	var out []model.Route
	for _, e := range n.Content {
		if e.Kind != yaml.MappingNode {
			return nil, errAt(e, "a route is a mapping: to, via, and optionally target")
		}
		r := model.Route{Source: model.Source{StartLine: e.Line, EndLine: e.Line}}
		for i := 0; i+1 < len(e.Content); i += 2 {
			k, v := e.Content[i], e.Content[i+1]
			val, err := scalar(v)
			if err != nil {
				return nil, err
			}
			switch k.Value {
			case "to":
				p, perr := netip.ParsePrefix(val)
				if perr != nil || p != p.Masked() {
					return nil, errAt(v, "to must be a CIDR block such as 10.0.0.0/8, not %q", val)
				}
				r.Dest = p
			case "via":
				if !slices.Contains(routeKinds, val) {
					return nil, errAt(v, "via must be one of %s, not %q", strings.Join(routeKinds, ", "), val)
				}
				r.Kind = val
			case "target":
				r.Target = val
			default:
				return nil, errAt(k, "unknown key %q in a route (want to, via, target)", k.Value)
			}
		}
		if !r.Dest.IsValid() || r.Kind == "" {
			return nil, errAt(e, "a route needs to and via")
		}
		if r.Target == "" {
			r.Target = r.Kind
		}
		out = append(out, r)
	}
	return out, nil
}

// yamlError keeps the line of a YAML syntax error.
func yamlError(err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		num, text, ok := strings.Cut(rest, ": ")
		if n, err := strconv.Atoi(num); ok && err == nil {
			return &Error{Line: n, Msg: text}
		}
	}
	return &Error{Line: 1, Msg: msg}
}

func scalar(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", errAt(n, "expected a single value")
	}
	return n.Value, nil
}

func strList(n *yaml.Node) ([]string, error) {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n, "expected a list")
	}
	var out []string
	for _, c := range n.Content {
		s, err := scalar(c)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// duration reads 90, 90s, 5m, 2h or 5d as seconds.
func duration(n *yaml.Node) (int, error) {
	s, err := scalar(n)
	if err != nil {
		return 0, err
	}
	mult := 1
	switch {
	case strings.HasSuffix(s, "s"):
		s = strings.TrimSuffix(s, "s")
	case strings.HasSuffix(s, "m"):
		s, mult = strings.TrimSuffix(s, "m"), 60
	case strings.HasSuffix(s, "h"):
		s, mult = strings.TrimSuffix(s, "h"), 3600
	case strings.HasSuffix(s, "d"):
		s, mult = strings.TrimSuffix(s, "d"), 86400
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 || v > 10*365*86400/mult {
		return 0, errAt(n, "invalid duration %q (want e.g. 30s, 5m, 2h, 5d)", n.Value)
	}
	return v * mult, nil
}

func integer(n *yaml.Node, lo, hi int) (int, error) {
	s, err := scalar(n)
	if err != nil {
		return 0, err
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		return 0, errAt(n, "expected a number from %d to %d, got %q", lo, hi, s)
	}
	return v, nil
}

func timeline(n *yaml.Node) ([]Item, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n, "timeline is a list of entries")
	}
	var out []Item
	for _, e := range n.Content {
		it, err := item(e)
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && it.At < out[len(out)-1].At {
			return nil, errAt(e, "this entry (at %ds) comes before the one above it (at %ds): list the timeline in time order",
				it.At, out[len(out)-1].At)
		}
		if it.Send != nil && it.Send.Until > 0 && it.Send.Until < it.At {
			return nil, errAt(e, "until (%ds) is before at (%ds)", it.Send.Until, it.At)
		}
		out = append(out, it)
	}
	return out, nil
}

func item(n *yaml.Node) (Item, error) {
	it := Item{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return it, errAt(n, "a timeline entry is a mapping: at, and one of send, expect, revoke, apply, nacl")
	}
	actions := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "at":
			it.At, err = duration(v)
		case "send":
			it.Send, err = traffic(v, false)
			actions++
		case "expect":
			it.Expect, err = traffic(v, true)
			actions++
		case "revoke":
			it.Revoke, err = scalar(v)
			actions++
		case "apply":
			it.Apply, err = scalar(v)
			actions++
		case "nacl":
			it.NACL, err = naclChange(v)
			actions++
		default:
			err = errAt(k, "unknown key %q in a timeline entry", k.Value)
		}
		if err != nil {
			return it, err
		}
	}
	if actions != 1 {
		return it, errAt(n, "a timeline entry needs exactly one of send, expect, revoke, apply, nacl")
	}
	return it, nil
}

func traffic(n *yaml.Node, expect bool) (*Traffic, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errAt(n, "expected a mapping such as {from: 198.51.100.10, protocol: tcp, port: 22}")
	}
	t := &Traffic{ICMPType: -1, ICMPCode: 0}
	var peerSet, protoSet bool
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "from", "to":
			var s string
			if s, err = scalar(v); err == nil {
				if peerSet {
					return nil, errAt(k, "give either from or to, not both")
				}
				peerSet = true
				t.Outbound = k.Value == "to"
				if t.Peer, err = netip.ParseAddr(s); err != nil {
					err = errAt(v, "invalid address %q", s)
				}
			}
		case "protocol":
			var s string
			if s, err = scalar(v); err == nil {
				protoSet = true
				if t.Protocol, err = model.ParseProtocol(s); err != nil || t.Protocol == model.All {
					err = errAt(v, "invalid protocol %q (want tcp, udp, icmp, icmpv6 or a number)", s)
				}
			}
		case "port":
			t.Port, err = integer(v, 0, 65535)
		case "icmp_type":
			t.ICMPType, err = integer(v, 0, 255)
		case "icmp_code":
			t.ICMPCode, err = integer(v, 0, 255)
		case "every":
			if !expect {
				t.Every, err = duration(v)
				if err == nil && t.Every == 0 {
					err = errAt(v, "every must be positive")
				}
				break
			}
			err = errAt(k, "expect sends one request: every is for send")
		case "until":
			if !expect {
				t.Until, err = duration(v)
				break
			}
			err = errAt(k, "expect sends one request: until is for send")
		case "verdict":
			if expect {
				t.Verdict, err = scalar(v)
				if err == nil && t.Verdict != "accept" && t.Verdict != "drop" {
					err = errAt(v, "verdict is accept or drop")
				}
				break
			}
			err = errAt(k, "verdict is for expect")
		case "new":
			if expect {
				t.New = v.Value == "true"
				break
			}
			err = errAt(k, "new is for expect")
		default:
			err = errAt(k, "unknown key %q", k.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	if t.Protocol.IsICMP() && t.ICMPType < 0 {
		t.ICMPType = 8
		if t.Protocol == model.ICMPv6 {
			t.ICMPType = 128
		}
	}
	switch {
	case !peerSet:
		return nil, errAt(n, "missing from (or to)")
	case !protoSet:
		return nil, errAt(n, "missing protocol")
	case t.Protocol.HasPorts() && t.Port == 0:
		return nil, errAt(n, "%s needs a port", t.Protocol)
	case expect && t.Verdict == "":
		return nil, errAt(n, "expect needs a verdict (accept or drop)")
	}
	if t.Every > 0 && t.Until == 0 {
		return nil, errAt(n, "every needs until")
	}
	return t, nil
}

func naclChange(n *yaml.Node) (*NACLChange, error) {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 || (n.Content[0].Value != "add" && n.Content[0].Value != "remove") {
		return nil, errAt(n, "nacl takes add: {...} or remove: {rule_no, egress}")
	}
	c := &NACLChange{Add: n.Content[0].Value == "add"}
	body := n.Content[1]
	if body.Kind != yaml.MappingNode {
		return nil, errAt(body, "expected a mapping")
	}
	e := model.ACLEntry{Name: "scenario", Protocol: model.All, Action: model.Deny, ToPort: 65535, ICMPType: -1, ICMPCode: -1}
	var numSet, cidrSet bool
	for i := 0; i+1 < len(body.Content); i += 2 {
		k, v := body.Content[i], body.Content[i+1]
		var err error
		switch k.Value {
		case "rule_no":
			e.Number, err = integer(v, 1, 32766)
			numSet = true
		case "egress":
			e.Egress = v.Value == "true"
		case "action":
			e.Action = model.ACLAction(v.Value)
			if e.Action != model.Allow && e.Action != model.Deny {
				err = errAt(v, "action is allow or deny")
			}
		case "protocol":
			if e.Protocol, err = model.ParseProtocol(v.Value); err != nil {
				err = errAt(v, "invalid protocol %q", v.Value)
			}
		case "cidr":
			cidrSet = true
			if p, perr := netip.ParsePrefix(v.Value); perr != nil {
				err = errAt(v, "invalid CIDR %q", v.Value)
			} else {
				e.CIDR = p.Masked()
			}
		case "from_port":
			e.FromPort, err = integer(v, 0, 65535)
		case "to_port":
			e.ToPort, err = integer(v, 0, 65535)
		case "icmp_type":
			e.ICMPType, err = integer(v, -1, 255)
		case "icmp_code":
			e.ICMPCode, err = integer(v, -1, 255)
		default:
			err = errAt(k, "unknown key %q", k.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	if !numSet {
		return nil, errAt(body, "missing rule_no")
	}
	if c.Add && !cidrSet {
		return nil, errAt(body, "missing cidr")
	}
	c.Number, c.Egress, c.Entry = e.Number, e.Egress, e
	return c, nil
}
