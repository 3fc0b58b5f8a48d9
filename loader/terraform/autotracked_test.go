package terraform

import (
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// docs/aws-semantics.md §3: Global Accelerator endpoints (an instance named
// directly or through its Elastic IP, a load balancer) and Gateway Load
// Balancer targets are automatically tracked; an instance behind an
// application load balancer is not.
func TestAutomaticallyTrackedTargets(t *testing.T) {
	src, err := os.ReadFile("../../fixtures/accelerated/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	snap, diags := loadSrc(t, map[string]string{"main.tf": string(src) + `
resource "aws_security_group" "alb" {}
resource "aws_lb" "alb" { security_groups = [aws_security_group.alb.id] }
resource "aws_globalaccelerator_endpoint_group" "alb" {
  listener_arn = "arn:aws:globalaccelerator::123456789012:accelerator/x/listener/y"
  endpoint_configuration { endpoint_id = aws_lb.alb.arn }
}
`})
	for _, d := range diags {
		if !d.Warning {
			t.Fatal(d)
		}
	}
	want := map[string]string{"aws_instance.plain": "", "aws_instance.accelerated": "global-accelerator",
		"aws_instance.appliance": "gateway-load-balancer", "aws_lb.alb": "global-accelerator"}
	for _, a := range snap.Attachments {
		if w, ok := want[a.Name]; ok {
			if a.AutoTracked != w {
				t.Errorf("%s: automatically tracked %q, want %q", a.Name, a.AutoTracked, w)
			}
			delete(want, a.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("attachments missing: %v", want)
	}
}

// docs/aws-semantics.md §3: a DynamoDB gateway endpoint's route is tracked
// automatically, an S3 endpoint's is not; both spellings of the association
// reach the table.
func TestGatewayEndpointRoutes(t *testing.T) {
	src, err := os.ReadFile("../../fixtures/gateway-endpoints/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := loadSrc(t, map[string]string{"main.tf": string(src)})
	snap.LinkRoutes()
	r := snap.RoutingFor("aws_subnet.private")
	kinds := map[string]string{}
	for _, rt := range r.Routes {
		kinds[rt.Target] = rt.Kind
	}
	if kinds["aws_vpc_endpoint.dynamodb"] != model.RouteDynamoDBEndpoint || kinds["aws_vpc_endpoint.s3"] != model.RouteOther {
		t.Errorf("routes: %+v", r.Routes)
	}
	if !model.AutoTrackedRoute(model.RouteDynamoDBEndpoint) || model.AutoTrackedRoute(model.RouteOther) {
		t.Error("only the DynamoDB endpoint tracks automatically")
	}
}

// docs/aws-semantics.md §3 tracks connections *through* a Network Load
// Balancer: its targets are tracked on the ports its target groups forward
// (the traffic port, an attachment's own port, a health check port), not
// on every port. A port the configuration does not determine, or a target
// group not declared here, leaves every port tracked. The provider's older
// aws_alb* names are read the same.
func TestNLBTargetPorts(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
variable "port" {}
variable "external_tg" {}
resource "aws_security_group" "g" {}
resource "aws_instance" "web" { vpc_security_group_ids = [aws_security_group.g.id] }
resource "aws_instance" "api" { vpc_security_group_ids = [aws_security_group.g.id] }
resource "aws_instance" "unknown" { vpc_security_group_ids = [aws_security_group.g.id] }
resource "aws_instance" "elsewhere" { vpc_security_group_ids = [aws_security_group.g.id] }
resource "aws_launch_template" "masters" { vpc_security_group_ids = [aws_security_group.g.id] }
resource "aws_alb" "nlb" {
  load_balancer_type = "network"
  subnets            = ["subnet-1"]
}
resource "aws_lb_target_group" "https" {
  port     = 443
  protocol = "TCP"
  health_check { port = "8080" }
}
resource "aws_alb_target_group" "api" {
  port     = 6443
  protocol = "TCP"
  health_check { port = "traffic-port" }
}
resource "aws_lb_target_group" "var" {
  port     = var.port
  protocol = "TCP"
}
resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_alb.nlb.arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.https.arn
  }
}
resource "aws_alb_listener" "api" {
  load_balancer_arn = aws_alb.nlb.arn
  default_action {
    type             = "forward"
    target_group_arn = aws_alb_target_group.api.arn
  }
}
resource "aws_lb_listener" "var" {
  load_balancer_arn = aws_alb.nlb.arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.var.arn
  }
}
resource "aws_lb_listener" "external" {
  load_balancer_arn = aws_alb.nlb.arn
  default_action {
    type             = "forward"
    target_group_arn = var.external_tg
  }
}
resource "aws_lb_target_group_attachment" "web" {
  target_group_arn = aws_lb_target_group.https.arn
  target_id        = aws_instance.web.id
}
resource "aws_alb_target_group_attachment" "api" {
  target_group_arn = aws_alb_target_group.api.arn
  target_id        = aws_instance.api.id
  port             = 16443
}
resource "aws_lb_target_group_attachment" "unknown" {
  target_group_arn = aws_lb_target_group.var.arn
  target_id        = aws_instance.unknown.id
}
resource "aws_autoscaling_group" "masters" {
  target_group_arns = [aws_lb_target_group.https.arn, aws_alb_target_group.api.arn]
  launch_template { id = aws_launch_template.masters.id }
}
resource "aws_launch_configuration" "old" {
  image_id        = "ami-1"
  instance_type   = "m5.large"
  security_groups = [aws_security_group.g.id]
}
resource "aws_autoscaling_group" "old" {
  target_group_arns    = [aws_lb_target_group.https.arn]
  launch_configuration = aws_launch_configuration.old.name
}
`})
	for _, d := range diags {
		if !d.Warning {
			t.Fatal(d)
		}
	}
	type reach struct {
		kind  string
		ports string
	}
	want := map[string]reach{
		"aws_instance.web":             {"network-load-balancer", "[443 8080]"},
		"aws_instance.api":             {"network-load-balancer", "[16443]"},
		"aws_instance.unknown":         {"network-load-balancer", "[]"},
		"aws_instance.elsewhere":       {"", "[]"},
		"aws_launch_template.masters":  {"network-load-balancer", "[443 6443 8080]"},
		"aws_launch_configuration.old": {"network-load-balancer", "[443 8080]"},
		"aws_alb.nlb":                  {"", "[]"},
	}
	for _, a := range snap.Attachments {
		w, ok := want[a.Name]
		if !ok {
			continue
		}
		if got := (reach{a.AutoTracked, fmt.Sprint(a.AutoTrackedPorts)}); got != w {
			t.Errorf("%s: %+v, want %+v", a.Name, got, w)
		}
		delete(want, a.Name)
	}
	for name := range want {
		if name != "aws_alb.nlb" { // an NLB without groups is no attachment
			t.Errorf("attachment %s missing", name)
		}
	}
}

// An Application Load Balancer (load_balancer_type "application", the
// default) speaks HTTP and HTTPS only (Elastic Load Balancing, "Listeners
// for your Application Load Balancers"); a Network Load Balancer, or a type
// the configuration does not determine, is not marked. An Application or
// Classic Load Balancer closes connections idle for its idle_timeout (60 s
// by default; "Connection idle timeout").
func TestApplicationLoadBalancerIsHTTPOnly(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
variable "type" {}
resource "aws_security_group" "g" {}
resource "aws_lb" "default" { security_groups = [aws_security_group.g.id] }
resource "aws_alb" "application" {
  load_balancer_type = "application"
  idle_timeout       = 900
  security_groups    = [aws_security_group.g.id]
}
resource "aws_elb" "classic" {
  security_groups = [aws_security_group.g.id]
}
resource "aws_elb" "classic_slow" {
  idle_timeout    = 400
  security_groups = [aws_security_group.g.id]
}
resource "aws_lb" "idle_unknown" {
  idle_timeout    = var.type
  security_groups = [aws_security_group.g.id]
}
resource "aws_lb" "network" {
  load_balancer_type = "network"
  security_groups    = [aws_security_group.g.id]
}
resource "aws_lb" "unknown" {
  load_balancer_type = var.type
  security_groups    = [aws_security_group.g.id]
}
`})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	got := map[string]string{}
	for _, a := range snap.Attachments {
		got[a.Name] = fmt.Sprintf("%v %d %v", a.HTTPOnly, a.IdleTimeout, a.IdleTimeoutDeclared)
	}
	// an Application or Classic Load Balancer closes connections idle for
	// its idle_timeout (60 s by default); one not known leaves it 0
	want := map[string]string{"aws_lb.default": "true 60 false", "aws_alb.application": "true 900 true",
		"aws_elb.classic": "false 60 false", "aws_elb.classic_slow": "false 400 true",
		"aws_lb.idle_unknown": "true 0 false", "aws_lb.network": "false 0 false", "aws_lb.unknown": "false 0 false"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("HTTPOnly, idle timeout = %v, want %v", got, want)
	}
}
