package terraform

import (
	"os"
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
