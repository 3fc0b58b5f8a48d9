package model

import "slices"

// LoadBalancers holds what links load balancers to their targets (§3): the
// targets of a Network Load Balancer or a Gateway Load Balancer, and the
// endpoints of a Global Accelerator, are automatically tracked. The
// configuration and plan loaders fill it; Link marks the attachments.
type LoadBalancers struct {
	// Kinds holds the automatically tracking load balancers: address to
	// "network-load-balancer" or "gateway-load-balancer".
	Kinds     map[string]string
	Listeners [][2]string // load balancer, target group
	Targets   []LBTarget
	// Groups holds the ports of the target groups known.
	Groups map[string]TargetGroup
	// Accelerated lists Global Accelerator endpoints.
	Accelerated []string
}

// LBTarget is a target registered with a target group: an instance, or a
// launch template or configuration whose instances an Auto Scaling group
// registers. Port is the registration's own port (0: the group's);
// PortUnknown is set when the input does not determine it.
type LBTarget struct {
	Group, Target string
	Port          int
	PortUnknown   bool
}

// TargetGroup holds the ports a target group sends connections to: its
// traffic port, and its health check port when that is another (0: none).
// PortAll is set when the traffic port is not determined or the group has
// none (a Lambda or load balancer target group), CheckAll when the health
// check port is not determined.
type TargetGroup struct {
	Port, Check       int
	PortAll, CheckAll bool
}

// Link marks the attachments that are load balancer targets or accelerator
// endpoints automatically tracked. A Network Load Balancer's target is
// tracked only for what the load balancer forwards to it: its target
// groups' ports (AutoTrackedPorts), when every one is known; otherwise, and
// for the others, every flow.
func (lb *LoadBalancers) Link(atts []Attachment) {
	behind := map[string]string{} // target group: kind
	for _, l := range lb.Listeners {
		if k := lb.Kinds[l[0]]; k != "" {
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
	for _, t := range lb.Targets {
		k := behind[t.Group]
		if k == "" {
			continue
		}
		rc := at(t.Target, k)
		tg, ok := lb.Groups[t.Group]
		port := t.Port
		if port == 0 {
			port = tg.Port
		}
		if k != "network-load-balancer" || !ok || t.PortUnknown || (t.Port == 0 && tg.PortAll) || tg.CheckAll {
			rc.all = true
			continue
		}
		rc.ports = append(rc.ports, port, tg.Check)
	}
	for _, e := range lb.Accelerated {
		at(e, "global-accelerator").all = true
	}
	for i := range atts {
		att := &atts[i]
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
