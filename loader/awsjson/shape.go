package awsjson

import (
	"encoding/json"
	"strings"

	"github.com/sgcheck/sgcheck/loader/jsonpos"
)

// kindOf is the JSON kind each field of the describe-* outputs sgcheck
// reads has in the EC2 API; a document with another kind there is an input
// error at that line, rather than a rule dropped in silence.
var kindOf = map[string]string{
	"SecurityGroups": "array", "SecurityGroupRules": "array", "NetworkAcls": "array", "NetworkInterfaces": "array",
	"IpPermissions": "array", "IpPermissionsEgress": "array", "IpRanges": "array", "Ipv6Ranges": "array",
	"PrefixListIds": "array", "UserIdGroupPairs": "array", "Entries": "array", "Associations": "array", "Groups": "array",
	"PortRange": "object", "IcmpTypeCode": "object", "ReferencedGroupInfo": "object",
	"ConnectionTrackingConfiguration": "object",
	"GroupId":                         "string", "GroupName": "string", "VpcId": "string", "CidrIp": "string", "CidrIpv6": "string",
	"CidrIpv4": "string", "CidrBlock": "string", "Ipv6CidrBlock": "string", "IpProtocol": "string", "Protocol": "string",
	"RuleAction": "string", "PrefixListId": "string", "NetworkAclId": "string", "SubnetId": "string",
	"NetworkInterfaceId": "string", "SecurityGroupRuleId": "string", "InterfaceType": "string",
	"FromPort": "integer", "ToPort": "integer", "RuleNumber": "integer", "From": "integer", "To": "integer",
	"Type": "integer", "Code": "integer", "TcpEstablishedTimeout": "integer", "UdpStreamTimeout": "integer",
	"UdpTimeout":  "integer",
	"RouteTables": "array", "Routes": "array", "RouteTableId": "string", "DestinationCidrBlock": "string",
	"DestinationIpv6CidrBlock": "string", "DestinationPrefixListId": "string", "GatewayId": "string",
	"NatGatewayId": "string", "TransitGatewayId": "string", "EgressOnlyInternetGatewayId": "string",
	"State": "string", "Main": "boolean",
	"IsEgress": "boolean", "Egress": "boolean", "IsDefault": "boolean",
}

// checkShape reports every field of n (recursively) whose JSON kind is not
// the one the EC2 API gives it.
func (b *Builder) checkShape(n *jsonpos.Node, file string) {
	switch {
	case n == nil:
	case n.IsArr:
		for _, e := range n.Array {
			b.checkShape(e, file)
		}
	case n.IsObj:
		for _, k := range n.Keys {
			v := n.Object[k]
			if want, ok := kindOf[k]; ok {
				if got := kind(v); got != want && got != "null" {
					b.errorf(file, v, "%s must be %s, not %s", k, article(want), article(got))
					continue
				}
			}
			b.checkShape(v, file)
		}
	}
}

func kind(n *jsonpos.Node) string {
	switch {
	case n.IsArr:
		return "array"
	case n.IsObj:
		return "object"
	}
	switch v := n.Value.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := v.Int64(); err == nil && !strings.ContainsAny(string(v), ".eE") {
			return "integer"
		}
		return "number"
	}
	return "null"
}

func article(k string) string {
	if strings.IndexAny(k[:1], "aeiou") == 0 {
		return "an " + k
	}
	return "a " + k
}
