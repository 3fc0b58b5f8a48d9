package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// loadPlan loads the plan document src, which must load without diagnostics.
func loadPlan(t *testing.T, src string) (before, after *model.Snapshot) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	before, after, diags := Load(path, "plan.json")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	return before, after
}

// docs/aws-semantics.md §9: a group created by the plan has no id before apply; the instance's
// reference to it is resolved through the configuration, and after_unknown
// values stay unknown rather than empty.
func TestUnknownAfterApply(t *testing.T) {
	src := `{
  "format_version": "1.2",
  "resource_changes": [
    {
      "address": "aws_security_group.new", "mode": "managed", "type": "aws_security_group", "name": "new",
      "change": {
        "actions": ["create"], "before": null,
        "after": {"name": "new", "ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22,
          "cidr_blocks": ["10.0.0.0/8"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false}],
          "egress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "ipv6_cidr_blocks": [],
          "prefix_list_ids": [], "security_groups": [], "self": false}]},
        "after_unknown": {"id": true, "ingress": [{}], "egress": [{"cidr_blocks": true}]}
      }
    },
    {
      "address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
      "change": {
        "actions": ["update"],
        "before": {"id": "i-1", "vpc_security_group_ids": ["sg-old"]},
        "after": {"id": "i-1"},
        "after_unknown": {"vpc_security_group_ids": true}
      }
    }
  ],
  "configuration": {"root_module": {"resources": [
    {"address": "aws_instance.web", "expressions": {"vpc_security_group_ids": {"references": ["aws_security_group.new.id", "aws_security_group.new"]}}}
  ]}}
}`
	before, after := loadPlan(t, src)
	if len(before.Groups) != 0 || len(before.Attachments) != 1 || before.Attachments[0].Groups[0] != "sg-old" {
		t.Errorf("before: %+v", before)
	}
	if len(after.Attachments) != 1 || len(after.Attachments[0].Groups) != 1 || after.Attachments[0].Groups[0] != "aws_security_group.new" {
		t.Errorf("after attachment: %+v", after.Attachments)
	}
	var unknownEgress bool
	for _, r := range after.Rules {
		if r.Direction == "egress" && len(r.Unknown) > 0 {
			unknownEgress = true
		}
	}
	if !unknownEgress || after.Unknowns == 0 {
		t.Errorf("egress cidr_blocks known after apply should be unknown: %+v", after.Rules)
	}
	if after.Rules[0].Source.File != "plan.json" || after.Rules[0].Source.StartLine != 5 {
		t.Errorf("source %+v, want plan.json:5", after.Rules[0].Source)
	}
}

// docs/aws-semantics.md §3: route tables in a plan. A route whose target is
// known only after apply keeps the kind its attribute names (a NAT gateway
// created by the same plan still tracks automatically); standalone routes
// and associations reach their tables through the configuration's
// references.
func TestPlanRoutes(t *testing.T) {
	src := `{
  "format_version": "1.2",
  "resource_changes": [
    {"address": "aws_route_table.private", "mode": "managed", "type": "aws_route_table", "name": "private",
     "change": {"actions": ["create"], "before": null,
       "after": {"route": [{"cidr_block": "0.0.0.0/0", "ipv6_cidr_block": "", "destination_prefix_list_id": "",
         "gateway_id": "", "transit_gateway_id": "", "egress_only_gateway_id": "", "vpc_endpoint_id": ""}]},
       "after_unknown": {"id": true, "vpc_id": true, "route": [{"nat_gateway_id": true}]}}},
    {"address": "aws_route.tgw", "mode": "managed", "type": "aws_route", "name": "tgw",
     "change": {"actions": ["create"], "before": null,
       "after": {"destination_cidr_block": "10.0.0.0/8", "transit_gateway_id": "tgw-0123"},
       "after_unknown": {"route_table_id": true}}},
    {"address": "aws_route.later", "mode": "managed", "type": "aws_route", "name": "later",
     "change": {"actions": ["create"], "before": null,
       "after": {"nat_gateway_id": "nat-1"},
       "after_unknown": {"route_table_id": true, "destination_cidr_block": true}}},
    {"address": "aws_subnet.private", "mode": "managed", "type": "aws_subnet", "name": "private",
     "change": {"actions": ["create"], "before": null, "after": {"cidr_block": "10.1.0.0/24"},
       "after_unknown": {"id": true, "vpc_id": true}}},
    {"address": "aws_route_table_association.private", "mode": "managed", "type": "aws_route_table_association", "name": "private",
     "change": {"actions": ["create"], "before": null, "after": {},
       "after_unknown": {"subnet_id": true, "route_table_id": true}}}
  ],
  "configuration": {"root_module": {"resources": [
    {"address": "aws_route.tgw", "expressions": {"route_table_id": {"references": ["aws_route_table.private.id", "aws_route_table.private"]}}},
    {"address": "aws_route.later", "expressions": {"route_table_id": {"references": ["aws_route_table.private.id", "aws_route_table.private"]}}},
    {"address": "aws_route_table_association.private", "expressions": {
      "subnet_id": {"references": ["aws_subnet.private.id", "aws_subnet.private"]},
      "route_table_id": {"references": ["aws_route_table.private.id", "aws_route_table.private"]}}}
  ]}}
}`
	_, after := loadPlan(t, src)
	after.LinkRoutes()
	r := after.RoutingFor("aws_subnet.private")
	if !r.Known || r.Table != "aws_route_table.private" || len(r.Routes) != 3 {
		t.Fatalf("routing: %+v", r)
	}
	kinds := map[string]string{}
	for _, rt := range r.Routes {
		kinds[rt.Dest.String()] = rt.Kind
	}
	if kinds["0.0.0.0/0"] != model.RouteNATGateway || kinds["10.0.0.0/8"] != model.RouteTransitGateway ||
		kinds["invalid Prefix"] != model.RouteUnknown {
		t.Errorf("route kinds: %v", kinds)
	}
}

// docs/aws-semantics.md §9: Terraform writes after_unknown with the shape of
// after, a list holding one mark per element, false for a known one
// ("cidr_blocks": [false]), an element true when it is known only after
// apply. A list of false marks is a known list: its rules are read; a true
// element makes the list unknown.
func TestAfterUnknownListsAsTerraformWritesThem(t *testing.T) {
	src := `{
  "format_version": "1.2",
  "resource_changes": [
    {
      "address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group", "name": "web",
      "change": {
        "actions": ["create"], "before": null,
        "after": {"name": "web", "ingress": [
          {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [],
           "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""},
          {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8", null], "ipv6_cidr_blocks": [],
           "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""}]},
        "after_unknown": {"arn": true, "id": true, "ingress": [
          {"cidr_blocks": [false], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": []},
          {"cidr_blocks": [false, true], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": []}]}
      }
    },
    {
      "address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
      "change": {
        "actions": ["create"], "before": null,
        "after": {"vpc_security_group_ids": ["sg-0123"]},
        "after_unknown": {"id": true, "vpc_security_group_ids": [false]}
      }
    }
  ]
}`
	_, after := loadPlan(t, src)
	var known, unknown []string
	for _, r := range after.Rules {
		if len(r.Unknown) == 0 {
			known = append(known, r.Peer.String())
		} else {
			unknown = append(unknown, r.Name)
		}
	}
	if len(known) != 1 || known[0] != "0.0.0.0/0" || len(unknown) != 1 {
		t.Errorf("known peers %q, unknown rules %q; want 0.0.0.0/0 known and the 443 rule unknown", known, unknown)
	}
	if len(after.Attachments) != 1 || len(after.Attachments[0].Groups) != 1 || after.Attachments[0].Groups[0] != "sg-0123" ||
		len(after.Attachments[0].GroupsUnknown) > 0 {
		t.Errorf("attachment %+v, want sg-0123 known", after.Attachments)
	}
}

// aws_security_group_rule's source_security_group_id is computed: beside
// self or address peers it is known only after apply but is the group's own
// id, not another peer to leave undetermined. Alone, it stays unknown.
func TestComputedSourceGroupIsNoPeer(t *testing.T) {
	rule := func(name, extra string) string {
		return `{"address": "aws_security_group_rule.` + name + `", "mode": "managed", "type": "aws_security_group_rule", "name": "` + name + `",
      "change": {"actions": ["create"], "before": null,
        "after": {"type": "ingress", "security_group_id": "sg-1", "protocol": "tcp", "from_port": 443, "to_port": 443` + extra + `},
        "after_unknown": {"id": true, "source_security_group_id": true}}}`
	}
	src := `{"format_version": "1.2", "resource_changes": [` +
		rule("self", `, "self": true, "cidr_blocks": null`) + `,` +
		rule("cidr", `, "self": false, "cidr_blocks": ["10.0.0.0/8"]`) + `,` +
		rule("alone", `, "self": false, "cidr_blocks": null`) + `]}`
	_, after := loadPlan(t, src)
	got := map[string][]string{}
	for _, r := range after.Rules {
		got[r.Name] = append(got[r.Name], string(r.Peer.Kind))
	}
	want := map[string][]string{
		"aws_security_group_rule.self":  {string(model.PeerSelf)},
		"aws_security_group_rule.cidr":  {string(model.PeerCIDR)},
		"aws_security_group_rule.alone": {string(model.PeerUnknown)},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("peers %v, want %v", got, want)
	}
}

// docs/aws-semantics.md §3 in plans and states: a Lambda function's and an
// interface endpoint's groups sit on interfaces AWS tracks whatever the
// rules say; managed services carry their groups as in configurations.
func TestPlanServiceAttachments(t *testing.T) {
	change := func(addr, typ, after string) string {
		return `{"address": "` + addr + `", "mode": "managed", "type": "` + typ + `", "name": "x",
      "change": {"actions": ["create"], "before": null, "after": ` + after + `, "after_unknown": {}}}`
	}
	src := `{"format_version": "1.2", "resource_changes": [` +
		change("aws_lambda_function.x", "aws_lambda_function", `{"vpc_config": [{"security_group_ids": ["sg-1"], "subnet_ids": ["subnet-1"]}]}`) + `,` +
		change("aws_vpc_endpoint.x", "aws_vpc_endpoint", `{"vpc_endpoint_type": "Interface", "security_group_ids": ["sg-2"]}`) + `,` +
		change("aws_elasticache_replication_group.x", "aws_elasticache_replication_group", `{"security_group_ids": ["sg-3"]}`) + `,` +
		change("aws_eks_cluster.x", "aws_eks_cluster", `{"vpc_config": [{"security_group_ids": [], "cluster_security_group_id": "sg-4"}]}`) + `]}`
	_, after := loadPlan(t, src)
	got := map[string]string{}
	for _, a := range after.Attachments {
		got[a.Name] = fmt.Sprintf("%v %s", a.Groups, a.AutoTracked)
	}
	want := map[string]string{
		"aws_lambda_function.x":               "[sg-1] lambda",
		"aws_vpc_endpoint.x":                  "[sg-2] vpc-endpoint",
		"aws_elasticache_replication_group.x": "[sg-3] ",
		"aws_eks_cluster.x":                   "[sg-4] ",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("attachments %v, want %v", got, want)
	}
}

// docs/aws-semantics.md §3 in plans and states: a Network Load Balancer's
// targets are linked through its listeners and target groups, by arn or id
// where known and by the configuration's references where the plan creates
// them; a target is tracked on the ports the load balancer forwards.
func TestPlanNLBTargets(t *testing.T) {
	change := func(addr, typ, after string) string {
		return `{"address": "` + addr + `", "mode": "managed", "type": "` + typ + `", "name": "x",
      "change": {"actions": ["no-op"], "before": ` + after + `, "after": ` + after + `, "after_unknown": {}}}`
	}
	nlbArn := "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/front/1"
	tgArn := "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/2"
	src := `{"format_version": "1.2", "resource_changes": [` +
		change("aws_lb.front", "aws_lb", `{"id": "`+nlbArn+`", "arn": "`+nlbArn+`", "load_balancer_type": "network"}`) + `,` +
		change("aws_lb_listener.https", "aws_lb_listener", `{"id": "l-1", "load_balancer_arn": "`+nlbArn+`", "default_action": [{"type": "forward", "target_group_arn": "`+tgArn+`"}]}`) + `,` +
		change("aws_lb_target_group.web", "aws_lb_target_group", `{"id": "`+tgArn+`", "arn": "`+tgArn+`", "port": 443, "health_check": [{"port": "traffic-port"}]}`) + `,` +
		change("aws_lb_target_group_attachment.web", "aws_lb_target_group_attachment", `{"id": "a-1", "target_group_arn": "`+tgArn+`", "target_id": "i-0web"}`) + `,` +
		change("aws_instance.web", "aws_instance", `{"id": "i-0web", "vpc_security_group_ids": ["sg-1"]}`) + `,` +
		change("aws_instance.other", "aws_instance", `{"id": "i-0other", "vpc_security_group_ids": ["sg-1"]}`) + `,` +
		// a health check port known only after apply: every port tracked
		`{"address": "aws_lb_target_group.api", "mode": "managed", "type": "aws_lb_target_group", "name": "api",
      "change": {"actions": ["create"], "before": null, "after": {"port": 6443, "health_check": [{}]},
        "after_unknown": {"arn": true, "id": true, "health_check": [{"port": true}]}}},` +
		change("aws_lb_listener.api", "aws_lb_listener", `{"id": "l-2", "load_balancer_arn": "`+nlbArn+`", "default_action": [{"type": "forward", "target_group_arn": "aws_lb_target_group.api"}]}`) + `,` +
		change("aws_lb_target_group_attachment.api", "aws_lb_target_group_attachment", `{"id": "a-2", "target_group_arn": "aws_lb_target_group.api", "target_id": "i-0api"}`) + `,` +
		change("aws_instance.api", "aws_instance", `{"id": "i-0api", "vpc_security_group_ids": ["sg-1"]}`) + `]}`
	_, after := loadPlan(t, src)
	got := map[string]string{}
	for _, a := range after.Attachments {
		got[a.Name] = fmt.Sprintf("%s %v", a.AutoTracked, a.AutoTrackedPorts)
	}
	want := map[string]string{"aws_instance.web": "network-load-balancer [443]", "aws_instance.other": " []",
		"aws_instance.api": "network-load-balancer []"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("attachments %v, want %v", got, want)
	}
}

// docs/aws-semantics.md §3 in plans and states: a Global Accelerator
// endpoint, named by its instance id or through an Elastic IP's allocation
// id, is automatically tracked.
func TestPlanAcceleratorEndpoints(t *testing.T) {
	change := func(addr, typ, after string) string {
		return `{"address": "` + addr + `", "mode": "managed", "type": "` + typ + `", "name": "x",
      "change": {"actions": ["no-op"], "before": ` + after + `, "after": ` + after + `, "after_unknown": {}}}`
	}
	src := `{"format_version": "1.2", "resource_changes": [` +
		change("aws_globalaccelerator_endpoint_group.x", "aws_globalaccelerator_endpoint_group",
			`{"id": "eg-1", "endpoint_configuration": [{"endpoint_id": "i-0direct"}, {"endpoint_id": "eipalloc-1"}]}`) + `,` +
		change("aws_eip.x", "aws_eip", `{"id": "eipalloc-1", "instance": "i-0viaeip"}`) + `,` +
		change("aws_instance.direct", "aws_instance", `{"id": "i-0direct", "vpc_security_group_ids": ["sg-1"]}`) + `,` +
		change("aws_instance.viaeip", "aws_instance", `{"id": "i-0viaeip", "vpc_security_group_ids": ["sg-1"]}`) + `,` +
		change("aws_instance.plain", "aws_instance", `{"id": "i-0plain", "vpc_security_group_ids": ["sg-1"]}`) + `]}`
	_, after := loadPlan(t, src)
	got := map[string]string{}
	for _, a := range after.Attachments {
		got[a.Name] = a.AutoTracked
	}
	want := map[string]string{"aws_instance.direct": "global-accelerator", "aws_instance.viaeip": "global-accelerator", "aws_instance.plain": ""}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("attachments %v, want %v", got, want)
	}
}

// An Application Load Balancer in a plan is marked as speaking HTTP and
// HTTPS only (Elastic Load Balancing, "Listeners for your Application Load
// Balancers"); a Network Load Balancer, or one whose type the plan does not
// know yet, is not.
func TestPlanApplicationLoadBalancer(t *testing.T) {
	lb := func(name, after, unknown string) string {
		return `{"address": "aws_lb.` + name + `", "mode": "managed", "type": "aws_lb", "name": "` + name + `",
      "change": {"actions": ["create"], "before": null, "after": ` + after + `, "after_unknown": ` + unknown + `}}`
	}
	src := `{"format_version": "1.2", "resource_changes": [` +
		lb("alb", `{"load_balancer_type": "application", "idle_timeout": 120, "security_groups": ["sg-1"]}`, `{}`) + `,` +
		lb("nlb", `{"load_balancer_type": "network", "security_groups": ["sg-1"]}`, `{}`) + `,` +
		lb("later", `{"security_groups": ["sg-1"]}`, `{"load_balancer_type": true}`) + `,` +
		`{"address": "aws_elb.classic", "mode": "managed", "type": "aws_elb", "name": "classic",
      "change": {"actions": ["create"], "before": null, "after": {"idle_timeout": 400, "security_groups": ["sg-1"]}, "after_unknown": {}}}]}`
	_, after := loadPlan(t, src)
	got := map[string]string{}
	for _, a := range after.Attachments {
		got[a.Name] = fmt.Sprintf("%v %d", a.HTTPOnly, a.IdleTimeout)
	}
	want := map[string]string{"aws_lb.alb": "true 120", "aws_lb.nlb": "false 0", "aws_lb.later": "false 0",
		"aws_elb.classic": "false 400"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("HTTPOnly, idle timeout %v, want %v", got, want)
	}
}
