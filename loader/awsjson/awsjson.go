// Package awsjson loads the output of the AWS CLI's describe-security-groups,
// describe-security-group-rules, describe-network-acls,
// describe-network-interfaces (docs/aws-semantics.md §10) and
// describe-route-tables into a snapshot.
package awsjson

import (
	"fmt"

	"github.com/sgcheck/sgcheck/loader/jsonpos"
	"github.com/sgcheck/sgcheck/model"
)

// Kinds of AWS CLI output, by their top-level key.
var kinds = []string{"SecurityGroups", "SecurityGroupRules", "NetworkAcls", "NetworkInterfaces", "RouteTables"}

// Detect reports whether a decoded document is AWS CLI output sgcheck reads.
func Detect(root *jsonpos.Node) bool {
	for _, k := range kinds {
		if root.Get(k) != nil {
			return true
		}
	}
	return false
}

// Builder collects several AWS CLI documents into one snapshot: together
// they describe one account (interfaces name their groups and subnets).
type Builder struct {
	Snap *model.Snapshot
	// Prefix qualifies ids when several snapshots are loaded together.
	Prefix string
	groups map[string]bool
	// groups whose rules come from describe-security-group-rules; their
	// IpPermissions are not read again.
	ruleGroups map[string]bool
	perms      []model.Rule
	diags      []model.Diagnostic
}

// NewBuilder starts an empty snapshot.
func NewBuilder(snap *model.Snapshot, prefix string) *Builder {
	return &Builder{Snap: snap, Prefix: prefix, groups: map[string]bool{}, ruleGroups: map[string]bool{}}
}

func (b *Builder) src(file string, n *jsonpos.Node) model.Source {
	line := 0
	if n != nil {
		line = n.Line
	}
	return model.Source{File: file, StartLine: line, EndLine: line}
}

func (b *Builder) errorf(file string, n *jsonpos.Node, format string, args ...any) {
	d := model.Diagnostic{File: file, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		d.Line = n.Line
	}
	b.diags = append(b.diags, d)
}

// addGroup declares a group once.
func (b *Builder) addGroup(id, name, vpc, file string, n *jsonpos.Node) string {
	addr := b.Prefix + id
	if !b.groups[addr] {
		b.groups[addr] = true
		b.Snap.Groups = append(b.Snap.Groups, model.SecurityGroup{Address: addr, ID: id, Name: name, VPC: vpc,
			Default: name == "default", Source: b.src(file, n)})
	}
	return addr
}

// Add reads one document.
func (b *Builder) Add(root *jsonpos.Node, file string) {
	b.checkShape(root, file)
	for _, g := range arr(root.Get("SecurityGroups")) {
		b.securityGroup(g, file)
	}
	for _, r := range arr(root.Get("SecurityGroupRules")) {
		b.groupRule(r, file)
	}
	for _, n := range arr(root.Get("NetworkAcls")) {
		b.networkACL(n, file)
	}
	for _, n := range arr(root.Get("NetworkInterfaces")) {
		b.networkInterface(n, file)
	}
	for _, n := range arr(root.Get("RouteTables")) {
		b.routeTable(n, file)
	}
}

// Finish returns the problems found; rules from IpPermissions of groups
// whose rules were also listed one by one are dropped as duplicates.
func (b *Builder) Finish() []model.Diagnostic {
	for _, r := range b.perms {
		if !b.ruleGroups[r.Group] {
			b.Snap.Rules = append(b.Snap.Rules, r)
		}
	}
	b.perms = nil
	return b.diags
}
