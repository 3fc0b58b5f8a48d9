package tracking

import (
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// The entries of a network ACL that one side names otherwise are not
// changed: an instance that became conditional (X[0] to X[0?]), a VPC's
// default ACL that the configuration starts or stops managing, a root that
// exists on one side only. A real edit still is a change.
func TestNACLChangesMatchTheSameACL(t *testing.T) {
	allowAll := func(n int, egress bool) model.ACLEntry {
		return model.ACLEntry{Number: n, Egress: egress, Protocol: model.All, Action: model.Allow, CIDR: cidr("0.0.0.0/0").Prefix}
	}
	entries := []model.ACLEntry{allowAll(100, false), allowAll(100, true)}
	side := func(nacls ...model.NetworkACL) *model.Snapshot {
		s := snapshot()
		s.NACLs = nacls
		return s
	}
	changes := func(base, head *model.Snapshot) []NACLChange { return Compare(base, head, DefaultParams).NACLChanges }

	if c := changes(side(model.NetworkACL{Address: "aws_network_acl.public[0]", Entries: entries}),
		side(model.NetworkACL{Address: "aws_network_acl.public[0?]", Entries: entries})); len(c) != 0 {
		t.Errorf("instance become conditional: %+v", c)
	}
	// with an entry edited, the edit is the one change, under the head's name
	edited := append([]model.ACLEntry{allowAll(100, false)}, model.ACLEntry{Number: 100, Egress: true,
		Protocol: model.TCP, Action: model.Allow, CIDR: cidr("0.0.0.0/0").Prefix, FromPort: 443, ToPort: 443})
	if c := changes(side(model.NetworkACL{Address: "aws_network_acl.public[0]", Entries: entries}),
		side(model.NetworkACL{Address: "aws_network_acl.public[0?]", Entries: edited})); len(c) != 1 || c[0].Kind != "changed" {
		t.Errorf("edited entry of an instance become conditional: %+v", c)
	}

	managed := model.NetworkACL{Address: "aws_default_network_acl.this", Default: true, VPC: "aws_vpc.main", Entries: entries}
	implicit := model.NetworkACL{Address: "aws_vpc.main.default_network_acl", Default: true, VPC: "aws_vpc.main", Implicit: true, Entries: entries}
	if c := changes(side(implicit), side(managed)); len(c) != 0 {
		t.Errorf("default ACL managed with AWS's entries: %+v", c)
	}
	// the AWS provider documentation (aws_default_network_acl): removing
	// the resource from the configuration leaves the network ACL and its
	// rules as they are (docs/semantics.md, "Network ACLs")
	locked := managed
	locked.Entries = []model.ACLEntry{{Number: 100, Protocol: model.All, Action: model.Deny, CIDR: cidr("0.0.0.0/0").Prefix}}
	if c := changes(side(locked), side(implicit)); len(c) != 0 {
		t.Errorf("managed default ACL no longer managed: %+v", c)
	}
	if c := changes(side(implicit), side(locked)); len(c) != 2 {
		t.Errorf("default ACL managed with other entries: %+v", c)
	}

	// a root renamed: nothing of either is a change to a deployed root
	inRoot := func(r string) *model.Snapshot {
		return &model.Snapshot{Groups: []model.SecurityGroup{{Address: r + ":aws_security_group.a"}},
			NACLs: []model.NetworkACL{{Address: r + ":aws_network_acl.a", Entries: entries}}}
	}
	if c := changes(inRoot("examples/simple-vpc"), inRoot("examples/simple")); len(c) != 0 {
		t.Errorf("renamed root: %+v", c)
	}
	base, head := inRoot("envs/prod"), inRoot("envs/prod")
	head.NACLs[0].Entries = entries[:1]
	if c := changes(base, head); len(c) != 1 || c[0].Kind != "removed" || c[0].NACL != "envs/prod:aws_network_acl.a" {
		t.Errorf("entry removed in a root on both sides: %+v", c)
	}
}
