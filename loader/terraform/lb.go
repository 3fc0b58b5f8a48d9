package terraform

import (
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
	model.LoadBalancers
	// eips maps an Elastic IP to what it is associated with (an
	// accelerator endpoint may name either).
	eips map[string]string
}

func (x *moduleExtractor) loadBalancer(r *resourceInstance) {
	a := r.content.Attributes
	typ := "application" // the default
	if v := x.get(a, "load_balancer_type", r.ctx); v.known() {
		typ, _ = asString(v.v)
	} else if v.set {
		typ = "" // not known
	}
	switch typ {
	case "network":
		x.lb.Kinds[r.addr] = "network-load-balancer"
	case "gateway":
		x.lb.Kinds[r.addr] = "gateway-load-balancer"
	}
	groups, unknown := x.groupRefs(x.get(a, "security_groups", r.ctx), "security_groups", r.addr)
	if len(groups)+len(unknown) == 0 {
		return
	}
	att := model.Attachment{Name: r.addr, Kind: "aws_lb", Source: r.src, Groups: groups, GroupsUnknown: unknown,
		HTTPOnly: typ == "application"}
	if att.HTTPOnly {
		att.IdleTimeout, att.IdleTimeoutDeclared = x.lbIdleTimeout(r)
	}
	if typ == "network" {
		att.AutoTracked = "network-load-balancer"
	}
	x.addAttachment(att)
}

// lbIdleTimeout reads the idle_timeout of an Application or Classic Load
// Balancer, which closes connections idle that long (60 s by default): 0
// when it is not known or out of range, which leaves the connection
// tracking's window.
func (x *moduleExtractor) lbIdleTimeout(r *resourceInstance) (seconds int, declared bool) {
	switch v := x.get(r.content.Attributes, "idle_timeout", r.ctx); {
	case !v.set:
		return model.DefaultLBIdleTimeout, false
	case v.known():
		if n, ok := asInt(v.v); ok && n >= 1 && n <= model.MaxLBIdleTimeout {
			return n, true
		}
	}
	return 0, false
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
			x.lb.Listeners = append(x.lb.Listeners, [2]string{lb, tg})
		}
	}
}

func (x *moduleExtractor) lbTargetAttachment(r *resourceInstance) {
	tg, ok1 := x.groupRef(x.get(r.content.Attributes, "target_group_arn", r.ctx))
	target, ok2 := x.groupRef(x.get(r.content.Attributes, "target_id", r.ctx))
	if ok1 && ok2 {
		t := model.LBTarget{Group: tg, Target: target}
		if v := x.get(r.content.Attributes, "port", r.ctx); v.set {
			t.Port, t.PortUnknown = x.lbPort(v)
		}
		x.lb.Targets = append(x.lb.Targets, t)
	}
}

var healthCheckSchema = &hcl.BodySchema{Attributes: attrSchema("port")}

// lbTargetGroup reads the ports of aws_lb_target_group: connections a
// Network Load Balancer forwards reach its targets on these ports only.
func (x *moduleExtractor) lbTargetGroup(r *resourceInstance) {
	tg := model.TargetGroup{PortAll: true}
	if v := x.get(r.content.Attributes, "port", r.ctx); v.set {
		tg.Port, tg.PortAll = x.lbPort(v)
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
		tg.Check, tg.CheckAll = x.lbPort(v)
	}
	x.lb.Groups[r.addr] = tg
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
	tgs, _ := x.groupRefs(x.get(r.content.Attributes, "target_group_arns", r.ctx), "target_group_arns", r.addr)
	if lc, ok := x.groupRef(x.get(r.content.Attributes, "launch_configuration", r.ctx)); ok {
		for _, tg := range tgs {
			x.lb.Targets = append(x.lb.Targets, model.LBTarget{Group: tg, Target: lc})
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
			x.lb.Targets = append(x.lb.Targets, model.LBTarget{Group: tg, Target: lt})
		}
	}
}

// linkLoadBalancers marks the targets of NLBs and GWLBs, and the endpoints
// of Global Accelerators, automatically tracked (model.LoadBalancers.Link);
// an accelerator endpoint that is an Elastic IP stands for what it is
// associated with.
func (x *moduleExtractor) linkLoadBalancers() {
	for i, e := range x.lb.Accelerated {
		if to, ok := x.lb.eips[e]; ok {
			x.lb.Accelerated[i] = to
		}
	}
	x.lb.Link(x.snap.Attachments)
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
			x.lb.Accelerated = append(x.lb.Accelerated, e)
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
