package terraform

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/sgcheck/sgcheck/model"
)

// Load balancers: the targets of a Network Load Balancer are automatically
// tracked, whatever their rules say (docs/aws-semantics.md §3, §8). A target
// is linked to an NLB through a listener forwarding to its target group.

type lbLinks struct {
	nlbs      map[string]bool
	listeners [][2]string // load balancer, target group
	targets   [][2]string // target group, target (instance, launch template)
}

func (x *moduleExtractor) loadBalancer(r *resourceInstance) {
	a := r.content.Attributes
	typ := "application"
	if v := x.get(a, "load_balancer_type", r.ctx); v.known() {
		typ, _ = asString(v.v)
	}
	if typ == "network" {
		x.lb.nlbs[r.addr] = true
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

// linkLoadBalancers marks the targets of NLBs automatically tracked.
func (x *moduleExtractor) linkLoadBalancers() {
	behindNLB := map[string]bool{}
	for _, l := range x.lb.listeners {
		if x.lb.nlbs[l[0]] {
			behindNLB[l[1]] = true
		}
	}
	targets := map[string]bool{}
	for _, t := range x.lb.targets {
		if behindNLB[t[0]] {
			targets[t[1]] = true
		}
	}
	for i := range x.snap.Attachments {
		if targets[x.snap.Attachments[i].Name] {
			x.snap.Attachments[i].AutoTracked = "network-load-balancer"
		}
	}
}
