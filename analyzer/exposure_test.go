package analyzer

import (
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

func ingress(name, cidr string, p model.Protocol, from, to int) model.Rule {
	return model.Rule{Name: name, Group: "g", Direction: model.Ingress, Protocol: p, FromPort: from, ToPort: to,
		Peer: model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix(cidr)}}
}

func exposedPorts(rules ...model.Rule) map[string][]string {
	var ac tracking.AttachmentClass
	for _, r := range rules {
		ac.Rules = append(ac.Rules, tracking.RuleClass{Rule: r})
	}
	out := map[string][]string{}
	for _, x := range exposures(ac) {
		out[x.Service] = x.Rules
	}
	return out
}

// The exposure of a port is judged on what the rules admit together: split
// halves of the address space are the world; a half alone is not; an
// undetermined rule never counts; an open all-ports rule is SGC201's.
func TestExposures(t *testing.T) {
	got := exposedPorts(ingress("a", "0.0.0.0/1", model.TCP, 22, 22), ingress("b", "128.0.0.0/1", model.TCP, 0, 1024))
	if want := map[string][]string{"SSH": {"a", "b"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("split halves: %v", got)
	}
	if got := exposedPorts(ingress("a", "0.0.0.0/1", model.TCP, 22, 22)); len(got) != 0 {
		t.Errorf("half the space: %v", got)
	}
	if got := exposedPorts(ingress("a", "::/0", model.TCP, 3306, 3306), ingress("b", "0.0.0.0/0", model.TCP, 443, 443)); !reflect.DeepEqual(got, map[string][]string{"MySQL": {"a"}}) {
		t.Errorf("IPv6 MySQL: %v", got)
	}
	u := ingress("a", "0.0.0.0/0", model.TCP, 22, 22)
	u.Unknown = []string{"from_port depends on var.p"}
	if got := exposedPorts(u); len(got) != 0 {
		t.Errorf("undetermined rule: %v", got)
	}
	if got := exposedPorts(ingress("a", "0.0.0.0/0", model.All, 0, 65535)); len(got) != 0 {
		t.Errorf("all ports (SGC201's): %v", got)
	}
	egress := ingress("a", "0.0.0.0/0", model.TCP, 22, 22)
	egress.Direction = model.Egress
	if got := exposedPorts(egress); len(got) != 0 {
		t.Errorf("egress: %v", got)
	}
}

// Halves open on every port add up to the world on every port (SGC201), and
// the well-known ports are not reported again one by one.
func TestAllPortsExposure(t *testing.T) {
	var ac tracking.AttachmentClass
	for _, r := range []model.Rule{ingress("a", "0.0.0.0/1", model.All, 0, 65535), ingress("b", "128.0.0.0/1", model.TCP, 0, 65535)} {
		ac.Rules = append(ac.Rules, tracking.RuleClass{Rule: r})
	}
	xs := exposures(ac)
	if len(xs) != 1 || xs[0].Class != "all-ports" || !reflect.DeepEqual(xs[0].Rules, []string{"a", "b"}) {
		t.Fatalf("got %+v", xs)
	}
}

// A Route 53 Resolver endpoint open to the world on TCP and UDP is what AWS
// asks for (Route 53 "Resolver endpoint scaling", cited in docs/semantics.md):
// no exposure.
func TestResolverEndpointExposesNothing(t *testing.T) {
	ac := tracking.AttachmentClass{Attachment: model.Attachment{Name: "r", Kind: "aws_route53_resolver_endpoint"}}
	for _, r := range []model.Rule{ingress("a", "0.0.0.0/1", model.TCP, 22, 53), ingress("b", "128.0.0.0/1", model.TCP, 0, 1024)} {
		ac.Rules = append(ac.Rules, tracking.RuleClass{Rule: r})
	}
	if got := exposures(ac); len(got) != 0 {
		t.Errorf("resolver endpoint exposures: %+v", got)
	}
	ac.Attachment.Kind = "aws_instance"
	if got := exposures(ac); len(got) == 0 {
		t.Error("an instance with the same rules exposes nothing")
	}
}

// An Application Load Balancer's listeners speak HTTP and HTTPS only
// (Elastic Load Balancing, "Listeners for your Application Load
// Balancers"): a port it admits from the world is a web listener or
// nothing, so it exposes no SMB or SSH. The same rules on a Network Load
// Balancer, which forwards TCP as it comes, or on an instance do.
func TestApplicationLoadBalancerExposesNoServices(t *testing.T) {
	ac := tracking.AttachmentClass{Attachment: model.Attachment{Name: "alb", Kind: "aws_lb", HTTPOnly: true}}
	for _, r := range []model.Rule{ingress("https", "0.0.0.0/0", model.TCP, 443, 445), ingress("ssh", "0.0.0.0/0", model.TCP, 22, 22)} {
		ac.Rules = append(ac.Rules, tracking.RuleClass{Rule: r})
	}
	if got := exposures(ac); len(got) != 0 {
		t.Errorf("application load balancer exposures: %+v", got)
	}
	ac.Attachment.HTTPOnly = false // a Network Load Balancer
	got := exposures(ac)
	var services []string
	for _, x := range got {
		services = append(services, x.Service)
	}
	if want := []string{"SSH", "SMB"}; !slices.Equal(services, want) {
		t.Errorf("network load balancer exposes %v, want %v", services, want)
	}
}
