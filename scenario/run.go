package scenario

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/sgcheck/sgcheck/loader"
	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// Event is one step of a replayed scenario.
type Event struct {
	T       int    `json:"t"`
	Event   string `json:"event"`
	Verdict string `json:"verdict,omitempty"`
	Why     string `json:"why,omitempty"`
	// Expect and OK are set for expect steps.
	Expect string `json:"expect,omitempty"`
	OK     *bool  `json:"ok,omitempty"`
	Line   int    `json:"line"`
	item   int
}

// Result is a replayed scenario.
type Result struct {
	Target string  `json:"target"`
	Events []Event `json:"events"`
	Failed int     `json:"failed"`
}

type conversation struct {
	peer     netip.Addr
	outbound bool
	proto    model.Protocol
	port     int
	srcPort  int
	icmpType int
	icmpCode int
	opened   bool
}

func (c *conversation) request() tracking.Packet {
	p := tracking.Packet{Inbound: !c.outbound, Remote: c.peer, Protocol: c.proto, Opening: !c.opened,
		ICMPType: c.icmpType, ICMPCode: c.icmpCode, Local: netip.MustParseAddr("10.0.0.10")}
	if c.peer.Is6() {
		p.Local = netip.MustParseAddr("fd00::10")
	}
	if c.proto.HasPorts() {
		p.LocalPort, p.RemotePort = c.port, c.srcPort
		if c.outbound {
			p.LocalPort, p.RemotePort = c.srcPort, c.port
		}
	}
	return p
}

func (c *conversation) reply() tracking.Packet { return tracking.ReplyTo(c.request()) }

type convKey struct {
	peer  netip.Addr
	proto model.Protocol
	port  int
}

type action struct {
	t    int
	idx  int // item index, for stable order
	item *Item
}

type runner struct {
	ctx    context.Context
	dir    string
	opts   loader.Options
	target string
	routes []model.Route
	sim    *tracking.Simulator
	convs  map[convKey]*conversation
	ports  int
	res    *Result
}

// Run replays s; paths in it are relative to dir.
func Run(ctx context.Context, s *Scenario, dir string, params tracking.Params, opts loader.Options) (*Result, error) {
	if s.ICMPIdleTimeout > 0 {
		params.ICMPIdleTimeout = s.ICMPIdleTimeout
	}
	cfg, err := loadTarget(ctx, dir, s.Inputs, s.Target, opts, 0)
	if err != nil {
		return nil, err
	}
	cfg = withRoutes(cfg, s.Routes)
	r := &runner{ctx: ctx, dir: dir, opts: opts, target: s.Target, routes: s.Routes, sim: tracking.NewSimulator(cfg, params),
		convs: map[convKey]*conversation{}, ports: 40000, res: &Result{Target: s.Target}}
	var acts []action
	for i := range s.Items {
		it := &s.Items[i]
		if it.Send != nil && it.Send.Every > 0 {
			for t := it.At; t <= it.Send.Until; t += it.Send.Every {
				acts = append(acts, action{t, i, it})
			}
			continue
		}
		acts = append(acts, action{it.At, i, it})
	}
	sort.SliceStable(acts, func(a, b int) bool { return acts[a].t < acts[b].t })
	for _, a := range acts {
		if err := r.do(a); err != nil {
			return nil, err
		}
	}
	return r.res, nil
}

// withRoutes adds the scenario's routes to the target's route table; on the
// same destination the scenario's route wins.
func withRoutes(cfg tracking.SimConfig, routes []model.Route) tracking.SimConfig {
	if len(routes) == 0 {
		return cfg
	}
	rt := cfg.Attachment.Routing
	merged := append([]model.Route(nil), routes...)
	for _, r := range rt.Routes {
		if !slices.ContainsFunc(routes, func(x model.Route) bool { return x.Dest == r.Dest }) {
			merged = append(merged, r)
		}
	}
	if !rt.Known {
		rt = model.Routing{Table: "the scenario's routes", Known: true, How: "declared in the scenario"}
	}
	rt.Routes = merged
	cfg.Attachment.Routing = rt
	return cfg
}

// loadTarget loads the inputs and the target's simulator configuration.
func loadTarget(ctx context.Context, dir string, inputs []string, target string, opts loader.Options, line int) (tracking.SimConfig, error) {
	var paths []string
	for _, in := range inputs {
		if !filepath.IsAbs(in) {
			in = filepath.Join(dir, in)
		}
		paths = append(paths, in)
	}
	snap, diags := loader.Load(ctx, paths, opts)
	for _, d := range diags {
		if !d.Warning {
			return tracking.SimConfig{}, &Error{Line: line, Msg: "input: " + d.String()}
		}
	}
	cfg, ok := tracking.SimConfigFor(snap, target)
	if !ok {
		var names []string
		for _, a := range tracking.Attachments(snap) {
			names = append(names, a.Name)
		}
		return cfg, &Error{Line: line, Msg: fmt.Sprintf("target %q is not an attachment or group of the inputs (they have: %s)",
			target, strings.Join(names, ", "))}
	}
	return cfg, nil
}

func (r *runner) do(a action) error {
	r.sim.Advance(a.t)
	it := a.item
	note := func(ev string) {
		r.res.Events = append(r.res.Events, Event{T: a.t, Event: ev, Line: it.Line, item: a.idx})
	}
	switch {
	case it.Revoke != "":
		if !r.sim.Revoke(it.Revoke) {
			return &Error{Line: it.Line, Msg: fmt.Sprintf("no rule named %q on %s", it.Revoke, r.target)}
		}
		note("revoke " + it.Revoke)
	case it.Apply != "":
		cfg, err := loadTarget(r.ctx, r.dir, []string{it.Apply}, r.target, r.opts, it.Line)
		if err != nil {
			return err
		}
		r.sim.Apply(withRoutes(cfg, r.routes))
		note("apply " + it.Apply)
	case it.NACL != nil:
		if err := r.nacl(it); err != nil {
			return err
		}
		verb := "remove"
		if it.NACL.Add {
			verb = "add"
		}
		note(fmt.Sprintf("%s network ACL %s entry %d", verb, direction(it.NACL.Egress), it.NACL.Number))
	case it.Send != nil:
		c := r.conversation(it.Send, false)
		r.packet(a, c.request(), "request", "")
		c.opened = true
		r.packet(a, c.reply(), "reply", "")
	case it.Expect != nil:
		c := r.conversation(it.Expect, it.Expect.New)
		p := c.request()
		if c.outbound != it.Expect.Outbound {
			p = c.reply()
		}
		r.packet(a, p, "expect", it.Expect.Verdict)
		c.opened = true
	}
	return nil
}

func direction(egress bool) string {
	if egress {
		return "egress"
	}
	return "ingress"
}

func (r *runner) conversation(t *Traffic, fresh bool) *conversation {
	port := t.Port
	if t.Protocol.IsICMP() {
		port = t.ICMPType
		if q := map[int]int{0: 8, 129: 128}[port]; q != 0 {
			port = q
		}
	}
	k := convKey{t.Peer, t.Protocol, port}
	if c, ok := r.convs[k]; ok && !fresh {
		return c
	}
	r.ports++
	c := &conversation{peer: t.Peer, outbound: t.Outbound, proto: t.Protocol, port: t.Port, srcPort: r.ports,
		icmpType: t.ICMPType, icmpCode: t.ICMPCode}
	if !fresh {
		// a forced new flow is a one-off: the running conversation stays
		r.convs[k] = c
	}
	return c
}

func (r *runner) packet(a action, p tracking.Packet, label, expect string) {
	d := r.sim.Send(p)
	ev := Event{T: a.t, Event: label + " " + describe(p), Verdict: "drop", Why: d.Why, Line: a.item.Line, item: a.idx}
	if d.Accept {
		ev.Verdict = "accept"
	}
	if expect != "" {
		ok := ev.Verdict == expect
		ev.Expect, ev.OK = expect, &ok
		if !ok {
			r.res.Failed++
		}
	}
	r.res.Events = append(r.res.Events, ev)
}

func describe(p tracking.Packet) string {
	remote, local := p.Remote.String(), "target"
	if p.Protocol.HasPorts() {
		remote = netip.AddrPortFrom(p.Remote, uint16(p.RemotePort)).String()
		local = fmt.Sprintf("target:%d", p.LocalPort)
	}
	what := p.Protocol.String()
	if p.Protocol.IsICMP() {
		what = fmt.Sprintf("%s type %d", p.Protocol, p.ICMPType)
	} else if !p.Protocol.HasPorts() {
		what = "protocol " + what
	}
	if p.Inbound {
		return fmt.Sprintf("%s → %s %s", remote, local, what)
	}
	return fmt.Sprintf("%s → %s %s", local, remote, what)
}

// nacl changes the target subnet's NACL. Without one in the inputs, the
// subnet has the VPC's default NACL, which allows everything (§7).
func (r *runner) nacl(it *Item) error {
	cfg := r.sim.Config()
	var n model.NetworkACL
	if cfg.NACL != nil {
		n = *cfg.NACL
		n.Entries = append([]model.ACLEntry(nil), cfg.NACL.Entries...)
	} else {
		n = defaultNACL()
	}
	c := it.NACL
	var kept []model.ACLEntry
	found := false
	for _, e := range n.Entries {
		if e.Number == c.Number && e.Egress == c.Egress {
			found = true
			continue
		}
		kept = append(kept, e)
	}
	switch {
	case c.Add && found:
		return &Error{Line: it.Line, Msg: fmt.Sprintf("%s entry %d already exists", direction(c.Egress), c.Number)}
	case !c.Add && !found:
		return &Error{Line: it.Line, Msg: fmt.Sprintf("no %s entry %d to remove", direction(c.Egress), c.Number)}
	}
	if c.Add {
		kept = append(kept, c.Entry)
	}
	n.Entries = kept
	cfg.NACL = &n
	r.sim.Apply(cfg)
	return nil
}

func defaultNACL() model.NetworkACL {
	n := model.NetworkACL{Address: "default network ACL", Default: true}
	for _, egress := range []bool{false, true} {
		for i, c := range []string{"0.0.0.0/0", "::/0"} {
			n.Entries = append(n.Entries, model.ACLEntry{Name: "default", Number: 100 + i, Egress: egress,
				Protocol: model.All, Action: model.Allow, CIDR: netip.MustParsePrefix(c), ToPort: 65535, ICMPType: -1, ICMPCode: -1})
		}
	}
	return n
}
