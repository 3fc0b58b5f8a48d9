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
	// kinds holds the automatically tracking load balancers: address to
	// "network-load-balancer" or "gateway-load-balancer".
	kinds     map[string]string
	listeners [][2]string // load balancer, target group
	targets   [][2]string // target group, target (instance, launch template)
	// accelerated lists Global Accelerator endpoints; eips what an Elastic
	// IP is associated with.
	accelerated []string
	eips        map[string]string
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
		x.lb.targets = append(x.lb.targets, [2]string{tg, target})
	}
}

var asgTemplateSchema = &hcl.BodySchema{Attributes: attrSchema("id", "name")}

func (x *moduleExtractor) autoscalingGroup(r *resourceInstance) {
	tgs, _ := x.groupRefs(x.get(r.content.Attributes, "target_group_arns", r.ctx))
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
			x.lb.targets = append(x.lb.targets, [2]string{tg, lt})
		}
	}
}

// linkLoadBalancers marks the targets of NLBs and GWLBs, and the endpoints
// of Global Accelerators, automatically tracked.
func (x *moduleExtractor) linkLoadBalancers() {
	behind := map[string]string{} // target group: kind
	for _, l := range x.lb.listeners {
		if k := x.lb.kinds[l[0]]; k != "" {
			behind[l[1]] = k
		}
	}
	targets := map[string]string{}
	for _, t := range x.lb.targets {
		if k := behind[t[0]]; k != "" {
			targets[t[1]] = k
		}
	}
	for _, e := range x.lb.accelerated {
		if to, ok := x.lb.eips[e]; ok {
			e = to
		}
		targets[e] = "global-accelerator"
	}
	for i := range x.snap.Attachments {
		if k := targets[x.snap.Attachments[i].Name]; k != "" && x.snap.Attachments[i].AutoTracked == "" {
			x.snap.Attachments[i].AutoTracked = k
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
