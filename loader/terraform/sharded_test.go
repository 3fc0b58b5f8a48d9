package terraform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/internal/gen"
	"github.com/sgcheck/sgcheck/model"
)

// A module read in shards, in parallel (readSharded), gives what reading
// its blocks in turn gives: the same snapshot, element for element and in
// the same order, and the same diagnostics. Every fixture, every corpus
// repository and generated trees of every shape are read both ways, with
// shards of one block so that even small modules are split; run with -race
// it also checks that the shards share nothing unguarded.
func TestShardedReadMatchesSerial(t *testing.T) {
	dirs, _ := filepath.Glob("../../fixtures/*")
	more, _ := filepath.Glob("../../fixtures/change/*/*")
	dirs = append(dirs, more...)
	if corpus, _ := filepath.Glob("../../../shared/corpus/*"); len(corpus) > 0 {
		dirs = append(dirs, corpus...)
	}
	for _, shape := range gen.Shapes {
		dir := filepath.Join(t.TempDir(), string(shape))
		if _, err := gen.WriteShape(dir, 600, shape); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	defer func(n, procs int) {
		shardedMin = n
		runtime.GOMAXPROCS(procs)
	}(shardedMin, runtime.GOMAXPROCS(4))
	load := func(dir string, min int) (*model.Snapshot, []model.Diagnostic) {
		shardedMin = min
		return Load(context.Background(), []string{dir}, Options{Env: []string{}})
	}
	compared := 0
	for _, dir := range dirs {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			continue
		}
		want, wantDiags := load(dir, 1<<30)
		got, gotDiags := load(dir, 1)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read in shards:\n%+v\nin turn:\n%+v", dir, got, want)
		}
		if !reflect.DeepEqual(gotDiags, wantDiags) {
			t.Errorf("%s: diagnostics read in shards:\n%v\nin turn:\n%v", dir, gotDiags, wantDiags)
		}
		compared++
	}
	if compared < 40 {
		t.Fatalf("only %d directories compared", compared)
	}
	// links between resources read in different shards, and the values
	// and warnings the configuration leaves undetermined
	files := map[string]string{"infra/main.tf": linkedModule(12)}
	want, wantDiags := func() (*model.Snapshot, []model.Diagnostic) { shardedMin = 1 << 30; return loadMem(t, files, nil) }()
	got, gotDiags := func() (*model.Snapshot, []model.Diagnostic) { shardedMin = 1; return loadMem(t, files, nil) }()
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotDiags, wantDiags) {
		t.Errorf("linked module read in shards:\n%+v\n%v\nin turn:\n%+v\n%v", got, gotDiags, want, wantDiags)
	}
	if len(want.NACLs) != 12 || len(want.NACLs[0].Entries) != 1 || len(want.NACLs[0].Unknown) != 1 || len(want.NACLs[0].Subnets) != 1 ||
		len(want.MainRouteAssocs) != 12 || len(wantDiags) == 0 {
		t.Fatalf("the linked module does not link: %d NACLs (the first %+v), %d main route table associations, diagnostics %v",
			len(want.NACLs), want.NACLs, len(want.MainRouteAssocs), wantDiags)
	}
	for _, a := range want.Attachments {
		if a.Name == "aws_network_interface.e0" && len(a.Groups) != 2 {
			t.Fatalf("the group attachment is not linked: %+v", a)
		}
	}
}

// linkedModule declares n copies of resources that link to each other
// (NACLs and their rules and associations, interfaces and their group
// attachments, route tables and their main associations), every kind in
// its own run of blocks so that shards split the links.
func linkedModule(n int) string {
	var b strings.Builder
	b.WriteString("variable \"unset\" {}\n")
	kinds := []string{
		`resource "aws_vpc" "v%[1]d" {}`,
		`resource "aws_subnet" "s%[1]d" {
  vpc_id     = aws_vpc.v%[1]d.id
  cidr_block = "10.%[1]d.0.0/24"
}`,
		`resource "aws_network_acl" "n%[1]d" { vpc_id = aws_vpc.v%[1]d.id }`,
		`resource "aws_network_acl_rule" "r%[1]d" {
  network_acl_id = aws_network_acl.n%[1]d.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
  from_port      = 22
  to_port        = 22
}`,
		`resource "aws_network_acl_rule" "u%[1]d" {
  network_acl_id = aws_network_acl.n%[1]d.id
  rule_number    = 200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = var.unset
  from_port      = 443
  to_port        = 443
}`,
		`resource "aws_network_acl_association" "a%[1]d" {
  network_acl_id = aws_network_acl.n%[1]d.id
  subnet_id      = aws_subnet.s%[1]d.id
}`,
		`resource "aws_security_group" "g%[1]d" {
  vpc_id = aws_vpc.v%[1]d.id
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0", var.unset]
  }
}`,
		`resource "aws_security_group" "h%[1]d" {}`,
		`resource "aws_security_group" "c%[1]d" { count = var.unset == "" ? 0 : 1 }`,
		`resource "aws_network_interface" "e%[1]d" {
  subnet_id       = aws_subnet.s%[1]d.id
  security_groups = [aws_security_group.g%[1]d.id]
}`,
		`resource "aws_network_interface_sg_attachment" "x%[1]d" {
  security_group_id    = aws_security_group.h%[1]d.id
  network_interface_id = aws_network_interface.e%[1]d.id
}`,
		`resource "aws_route_table" "t%[1]d" { vpc_id = aws_vpc.v%[1]d.id }`,
		`resource "aws_main_route_table_association" "m%[1]d" {
  vpc_id         = aws_vpc.v%[1]d.id
  route_table_id = aws_route_table.t%[1]d.id
}`,
	}
	for _, k := range kinds {
		for i := range n {
			fmt.Fprintf(&b, k+"\n", i)
		}
	}
	return b.String()
}

// absorb merges what a shard read field by field: a field added to the
// snapshot or to the extractor must be merged there (and listed here), or
// listed as one the reading of blocks does not write.
func TestAbsorbCoversEveryField(t *testing.T) {
	absorbed := map[string]bool{
		// model.Snapshot
		"Groups": true, "Attachments": true, "NACLs": true, "Subnets": true, "VPCs": true, "RouteTables": true,
		"PendingRoutes": true, "RouteAssocs": true, "MainRouteAssocs": true, "Absent": true, "Unknowns": true,
		// moduleExtractor
		"rules": true, "diags": true, "aclRules": true, "aclUnknown": true, "aclAssocs": true, "sgAttach": true,
		"naclByAddr": true, "lb": true, "gatewayEndpoints": true, "endpointAssocs": true, "groups": true,
	}
	notWritten := map[string]bool{
		// model.Snapshot: Rules are gathered in the extractor's rules and
		// moved in once; the rest is set by the loader around extraction
		"Rules": true, "Files": true, "IgnoreFiles": true, "index": true,
		// moduleExtractor: shared by the shards, or set while one block is read
		"m": true, "ev": true, "prefix": true, "snap": true, "conditional": true, "ruleBearing": true, "shared": true,
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[model.Snapshot](), reflect.TypeFor[moduleExtractor]()} {
		for f := range typ.Fields() {
			if !absorbed[f.Name] && !notWritten[f.Name] {
				t.Errorf("%s.%s: merge it in absorb and list it here", typ.Name(), f.Name)
			}
		}
	}
	// lb is merged field by field too
	if n := reflect.TypeFor[lbLinks]().NumField(); n != 5 {
		t.Errorf("lbLinks has %d fields: merge the new one in absorb and count it here", n)
	}
}
