package terraform

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/sgcheck/sgcheck/model"
)

// Load balancers and accelerators: the targets of a Network Load Balancer
// or a Gateway Load Balancer, and the endpoints of a Global Accelerator, are
// automatically tracked, whatever their rules say (docs/aws-semantics.md §3,
// §8). A target is linked to its load balancer through a listener
// forwarding to its target group; an accelerator endpoint names an
// instance, a load balancer or an Elastic IP (and through it an instance or
// interface).

type lbLinks struct {
	// kinds holds the automatically tracking load balancers: address to
	// "network-load-balancer" or "gateway-load-balancer".
	kinds     map[string]string
	listeners [][2]string // load balancer, target group
	targets   []lbTarget
	// groups holds the ports of the target groups declared here.
	groups map[string]targetGroup
	// accelerated lists Global Accelerator endpoints; eips what an Elastic
	// IP is associated with.
	accelerated []string
	eips        map[string]string
}

// lbTarget is a target registered with a target group: an instance, or a
// launch template whose instances an Auto Scaling group registers. port is
// the attachment's own port (0: the group's); portUnknown is set when the
// configuration does not determine it.
type lbTarget struct {
	group, target string
	port          int
	portUnknown   bool
}

// targetGroup holds the ports a target group sends connections to: its
// traffic port, and its health check port when that is another (0: none).
// portAll is set when the traffic port is not determined or the group has
// none (a Lambda or load balancer target group), checkAll when the health
// check port is not determined.
type targetGroup struct {
	port, check       int
	portAll, checkAll bool
}

func (x *moduleExtractor) loadBalancer(r *resourceInstance) {
	a := r.content.Attributes
	typ := "application"
	if v := x.get(a, "load_balancer_type", r.ctx); v.known() {
		typ, _ = asString(v.v)
	}
	switch typ {
	case "network":
		x.lb.kinds[r.addr] = "network-load-balancer"
	case "gateway":
		x.lb.kinds[r.addr] = "gateway-load-balancer"
	}
	groups, unknown := x.groupRefs(x.get(a, "security_groups", r.ctx))
	if len(groups)+len(unknown) == 0 {
		return
	}
	att := model.Attachment{Name: r.addr, Kind: "aws_lb", Source: r.src, Groups: groups, GroupsUnknown: unknown}
	if typ == "network" {
		att.AutoTracked = "network-load-balancer"
	}
	x.addAttachment(att)
}

var listenerActionSchema = &hcl.BodySchema{Attributes: attrSchema("target_group_arn")}

func (x *moduleExtractor) lbListener(r *resourceInstance) {
	lb, ok := x.groupRef(x.get(r.content.Attributes, "load_balancer_arn", r.ctx))
	if !ok {
		return
	}
	for _, b := range r.content.Blocks {
		content, _, _ := b.Body.PartialContent(listenerActionSchema)
		if content == nil {
			continue
		}
		if tg, ok := x.groupRef(x.get(content.Attributes, "target_group_arn", r.ctx)); ok {
			x.lb.listeners = append(x.lb.listeners, [2]string{lb, tg})
		}
	}
}

func (x *moduleExtractor) lbTargetAttachment(r *resourceInstance) {
	tg, ok1 := x.groupRef(x.get(r.content.Attributes, "target_group_arn", r.ctx))
	target, ok2 := x.groupRef(x.get(r.content.Attributes, "target_id", r.ctx))
	if ok1 && ok2 {
		t := lbTarget{group: tg, target: target}
		if v := x.get(r.content.Attributes, "port", r.ctx); v.set {
			t.port, t.portUnknown = x.lbPort(v)
		}
		x.lb.targets = append(x.lb.targets, t)
	}
}

var healthCheckSchema = &hcl.BodySchema{Attributes: attrSchema("port")}

// lbTargetGroup reads the ports of aws_lb_target_group: connections a
// Network Load Balancer forwards reach its targets on these ports only.
func (x *moduleExtractor) lbTargetGroup(r *resourceInstance) {
	tg := targetGroup{portAll: true}
	if v := x.get(r.content.Attributes, "port", r.ctx); v.set {
		tg.port, tg.portAll = x.lbPort(v)
	}
	for _, b := range r.content.Blocks {
		content, _, _ := b.Body.PartialContent(healthCheckSchema)
		if content == nil {
			continue
		}
		v := x.get(content.Attributes, "port", r.ctx)
		if !v.set {
			continue
		}
		if s, ok := asString(v.v); ok && v.known() && s == "traffic-port" {
			continue
		}
		tg.check, tg.checkAll = x.lbPort(v)
	}
	x.lb.groups[r.addr] = tg
}

// lbPort reads a target or health check port; unknown is set when the
// configuration does not determine a port number.
func (x *moduleExtractor) lbPort(v value) (port int, unknown bool) {
	if !v.known() {
		return 0, true
	}
	port, why := intIn(v.v, 1, 65535, "port")
	return port, why != ""
}

var asgTemplateSchema = &hcl.BodySchema{Attributes: attrSchema("id", "name")}

func (x *moduleExtractor) autoscalingGroup(r *resourceInstance) {
	tgs, _ := x.groupRefs(x.get(r.content.Attributes, "target_group_arns", r.ctx))
	if lc, ok := x.groupRef(x.get(r.content.Attributes, "launch_configuration", r.ctx)); ok {
		for _, tg := range tgs {
			x.lb.targets = append(x.lb.targets, lbTarget{group: tg, target: lc})
		}
	}
	for _, b := range r.content.Blocks {
		content, _, _ := b.Body.PartialContent(asgTemplateSchema)
		if content == nil {
			continue
		}
		lt, ok := x.groupRef(x.get(content.Attributes, "id", r.ctx))
		if !ok {
			continue
		}
		for _, tg := range tgs {
			x.lb.targets = append(x.lb.targets, lbTarget{group: tg, target: lt})
		}
	}
}

// linkLoadBalancers marks the targets of NLBs and GWLBs, and the endpoints
// of Global Accelerators, automatically tracked. A Network Load Balancer's
// target is tracked only for what the load balancer forwards to it: its
// target groups' ports, when every one is known.
func (x *moduleExtractor) linkLoadBalancers() {
	behind := map[string]string{} // target group: kind
	for _, l := range x.lb.listeners {
		if k := x.lb.kinds[l[0]]; k != "" {
			behind[l[1]] = k
		}
	}
	type reach struct {
		kind  string
		ports []int
		all   bool
	}
	targets := map[string]*reach{}
	at := func(target, kind string) *reach {
		rc := targets[target]
		if rc == nil {
			rc = &reach{kind: kind}
			targets[target] = rc
		}
		return rc
	}
	for _, t := range x.lb.targets {
		k := behind[t.group]
		if k == "" {
			continue
		}
		rc := at(t.target, k)
		tg, ok := x.lb.groups[t.group]
		port := t.port
		if port == 0 {
			port = tg.port
		}
		if k != "network-load-balancer" || !ok || t.portUnknown || (t.port == 0 && tg.portAll) || tg.checkAll {
			rc.all = true
			continue
		}
		rc.ports = append(rc.ports, port, tg.check)
	}
	for _, e := range x.lb.accelerated {
		if to, ok := x.lb.eips[e]; ok {
			e = to
		}
		at(e, "global-accelerator").all = true
	}
	for i := range x.snap.Attachments {
		att := &x.snap.Attachments[i]
		rc := targets[att.Name]
		if rc == nil || att.AutoTracked != "" {
			continue
		}
		att.AutoTracked = rc.kind
		if !rc.all {
			slices.Sort(rc.ports)
			att.AutoTrackedPorts = slices.DeleteFunc(slices.Compact(rc.ports), func(p int) bool { return p == 0 })
		}
	}
}

var endpointConfigSchema = &hcl.BodySchema{Attributes: attrSchema("endpoint_id")}

// acceleratorEndpoints reads aws_globalaccelerator_endpoint_group.
func (x *moduleExtractor) acceleratorEndpoints(r *resourceInstance) {
	for _, b := range r.content.Blocks {
		content, _, _ := b.Body.PartialContent(endpointConfigSchema)
		if content == nil {
			continue
		}
		if e, ok := x.groupRef(x.get(content.Attributes, "endpoint_id", r.ctx)); ok {
			x.lb.accelerated = append(x.lb.accelerated, e)
		}
	}
}

// elasticIP records what an aws_eip is associated with, for accelerator
// endpoints that name it.
func (x *moduleExtractor) elasticIP(r *resourceInstance) {
	for _, attr := range []string{"instance", "network_interface"} {
		if t, ok := x.groupRef(x.get(r.content.Attributes, attr, r.ctx)); ok {
			x.lb.eips[r.addr] = t
			return
		}
	}
}
