package awsjson

import (
	"testing"

	"github.com/sgcheck/sgcheck/loader/jsonpos"
	"github.com/sgcheck/sgcheck/model"
)

func build(t *testing.T, docs ...string) (*model.Snapshot, []model.Diagnostic) {
	t.Helper()
	snap := &model.Snapshot{}
	b := NewBuilder(snap, "")
	for i, d := range docs {
		root, err := jsonpos.Parse([]byte(d))
		if err != nil {
			t.Fatal(err)
		}
		if !Detect(root) {
			t.Fatalf("document %d not detected", i)
		}
		b.Add(root, "f.json")
	}
	return snap, b.Finish()
}

// docs/aws-semantics.md §10: the shapes of the four outputs; a rule listed
// both in describe-security-groups and describe-security-group-rules counts
// once; a group referring to itself is "self".
func TestShapes(t *testing.T) {
	snap, diags := build(t,
		`{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web", "IpPermissions": [
			{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
			 "UserIdGroupPairs": [{"GroupId": "sg-1"}, {"GroupId": "sg-2"}]}],
		  "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
		  {"GroupId": "sg-3", "IpPermissions": [{"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]}]}`,
		`{"SecurityGroupRules": [{"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-3", "IsEgress": false,
			"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "CidrIpv6": "::/0"}]}`,
		`{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1", "InterfaceType": "network_load_balancer",
			"Groups": [{"GroupId": "sg-1"}], "ConnectionTrackingConfiguration": {"TcpEstablishedTimeout": 120}}]}`,
		`{"NetworkAcls": [{"NetworkAclId": "acl-1", "Associations": [{"SubnetId": "subnet-1"}], "Entries": [
			{"RuleNumber": 100, "Protocol": "6", "Egress": false, "RuleAction": "allow", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 22, "To": 22}},
			{"RuleNumber": 32767, "Protocol": "-1", "Egress": false, "RuleAction": "deny", "CidrBlock": "0.0.0.0/0"},
			{"RuleNumber": 32768, "Protocol": "-1", "Egress": false, "RuleAction": "deny", "Ipv6CidrBlock": "::/0"}]}]}`)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	kinds := map[model.PeerKind]int{}
	for _, r := range snap.Rules {
		kinds[r.Peer.Kind]++
	}
	if len(snap.Rules) != 5 || kinds[model.PeerSelf] != 1 || kinds[model.PeerGroup] != 1 || kinds[model.PeerCIDR] != 3 {
		t.Errorf("rules %+v", snap.Rules)
	}
	for _, r := range snap.Rules {
		if r.Group == "sg-3" && r.Name != "sgr-1" {
			t.Errorf("sg-3's rule from IpPermissions not dropped in favour of sgr-1: %+v", r)
		}
		if r.Protocol == model.All && (r.FromPort != 0 || r.ToPort != 65535) {
			t.Errorf("-1 without ports should cover all ports: %+v", r)
		}
	}
	a := snap.Attachments[0]
	if a.AutoTracked != "network-load-balancer" || *a.Tracking.TCPEstablished != 120 || a.Subnet != "subnet-1" {
		t.Errorf("interface %+v", a)
	}
	n := snap.NACLs[0]
	if len(n.Entries) != 1 || n.Entries[0].FromPort != 22 || n.Subnets[0] != "subnet-1" {
		t.Errorf("nacl %+v (the * entries are the model's implicit deny)", n)
	}
}

// describe-route-tables: routes with their target kinds (§3: NAT gateways,
// transit gateways, egress-only internet gateways and appliance endpoints
// track automatically), subnet and main associations, blackhole routes,
// gateway-endpoint prefix-list routes (S3 or DynamoDB: not determined), and
// errors at the line of a bad destination.
func TestRouteTables(t *testing.T) {
	snap, diags := build(t, `{"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1",
		"Associations": [{"Main": true}, {"Main": false, "SubnetId": "subnet-1"}],
		"Routes": [
			{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
			{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"},
			{"DestinationCidrBlock": "172.16.0.0/12", "TransitGatewayId": "tgw-1"},
			{"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"},
			{"DestinationCidrBlock": "192.168.0.0/16", "GatewayId": "vpce-1"},
			{"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-2"},
			{"DestinationCidrBlock": "198.51.100.0/24", "NatGatewayId": "nat-2", "State": "blackhole"},
			{"DestinationCidrBlock": "203.0.113.0/24", "GatewayId": "igw-1"},
			{"DestinationCidrBlock": "10.1.0.0/33", "GatewayId": "igw-1"},
			{"GatewayId": "igw-1"}]}]}`)
	if len(diags) != 2 || diags[0].Line != 12 || diags[1].Line != 13 {
		t.Fatalf("want errors at lines 12 and 13, got %+v", diags)
	}
	if len(snap.RouteTables) != 1 {
		t.Fatalf("route tables: %+v", snap.RouteTables)
	}
	rt := snap.RouteTables[0]
	if !rt.Main || rt.VPC != "vpc-1" || len(rt.Subnets) != 1 || rt.Subnets[0] != "subnet-1" {
		t.Errorf("associations: %+v", rt)
	}
	want := []string{model.RouteLocal, model.RouteNATGateway, model.RouteTransitGateway, model.RouteEgressOnlyIGW,
		model.RouteApplianceEndpoint, model.RouteUnknown, model.RouteOther, model.RouteInternetGateway}
	if len(rt.Routes) != len(want) {
		t.Fatalf("routes: %+v", rt.Routes)
	}
	for i, k := range want {
		if rt.Routes[i].Kind != k {
			t.Errorf("route %d (%s): kind %s, want %s", i, rt.Routes[i].Target, rt.Routes[i].Kind, k)
		}
	}
	if got := model.AutoTrackedRoute(rt.Routes[1].Kind); !got {
		t.Error("a NAT gateway route must be automatically tracked")
	}
}

// A subnet an interface names, with its VPC, uses the VPC's main route
// table when it has no explicit association.
func TestMainRouteTable(t *testing.T) {
	snap, _ := build(t,
		`{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-9", "VpcId": "vpc-1", "Groups": []}]}`,
		`{"RouteTables": [{"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": true}],
			"Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "TransitGatewayId": "tgw-1"}]}]}`)
	r := snap.RoutingFor("subnet-9")
	if !r.Known || r.Table != "rtb-main" {
		t.Fatalf("routing: %+v", r)
	}
}
