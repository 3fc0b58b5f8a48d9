package model

import (
	"strings"
	"testing"
)

// docs/aws-semantics.md §7: each subnet is associated with exactly one
// network ACL. A configuration that names a subnet in two network ACLs
// (subnet_ids, aws_network_acl_association) leaves which one it gets to the
// order of applies: the subnet's network ACL is not determined, never the
// first one found.
func TestNACLForContestedSubnet(t *testing.T) {
	s := &Snapshot{
		Subnets: []Subnet{{Address: "aws_subnet.a", VPC: "vpc-1"}, {Address: "aws_subnet.b", VPC: "vpc-1"}},
		NACLs: []NetworkACL{
			{Address: "aws_network_acl.x", Subnets: []string{"aws_subnet.a", "aws_subnet.b"}},
			{Address: "aws_network_acl.y", Subnets: []string{"aws_subnet.a"}},
			{Address: "aws_network_acl.z", Subnets: []string{"aws_subnet.a"}},
		},
	}
	n, why := s.NACLFor("aws_subnet.a")
	if n != nil || !strings.Contains(why, "more than one network ACL (aws_network_acl.x, aws_network_acl.y, aws_network_acl.z)") {
		t.Fatalf("contested subnet: %v, %q", n, why)
	}
	if n, _ := s.NACLFor("aws_subnet.b"); n == nil || n.Address != "aws_network_acl.x" {
		t.Fatalf("subnet named once: %v", n)
	}
	// the same network ACL naming a subnet twice is no contest
	s = &Snapshot{NACLs: []NetworkACL{{Address: "aws_network_acl.x", Subnets: []string{"aws_subnet.a", "aws_subnet.a"}}}}
	if n, _ := s.NACLFor("aws_subnet.a"); n == nil {
		t.Fatal("a subnet listed twice by one network ACL is associated with it")
	}
}
