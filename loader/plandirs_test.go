package loader

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// planDoc is a saved plan (terraform show -json) that creates group web
// admitting SSH from cidr, and a subnet whose route table sends 10.0.0.0/8
// to a transit gateway.
func planDoc(cidr string) string {
	return fmt.Sprintf(`{
  "format_version": "1.2",
  "resource_changes": [
    {"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group", "name": "web",
     "change": {"actions": ["create"], "before": null,
       "after": {"name": "web", "ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": [%q],
         "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false}], "egress": []},
       "after_unknown": {"id": true}}},
    {"address": "aws_route_table.private", "mode": "managed", "type": "aws_route_table", "name": "private",
     "change": {"actions": ["create"], "before": null,
       "after": {"route": [{"cidr_block": "10.0.0.0/8", "ipv6_cidr_block": "", "destination_prefix_list_id": "",
         "gateway_id": "", "transit_gateway_id": "tgw-0123", "egress_only_gateway_id": "", "vpc_endpoint_id": ""}]},
       "after_unknown": {"id": true, "vpc_id": true}}},
    {"address": "aws_subnet.private", "mode": "managed", "type": "aws_subnet", "name": "private",
     "change": {"actions": ["create"], "before": null, "after": {"cidr_block": "10.1.0.0/24"},
       "after_unknown": {"id": true, "vpc_id": true}}},
    {"address": "aws_route_table_association.private", "mode": "managed", "type": "aws_route_table_association", "name": "private",
     "change": {"actions": ["create"], "before": null, "after": {},
       "after_unknown": {"subnet_id": true, "route_table_id": true}}}
  ],
  "configuration": {"root_module": {"resources": [
    {"address": "aws_route_table_association.private", "expressions": {
      "subnet_id": {"references": ["aws_subnet.private.id", "aws_subnet.private"]},
      "route_table_id": {"references": ["aws_route_table.private.id", "aws_route_table.private"]}}}
  ]}}
}`, cidr)
}

// Saved plans and states found in a scanned tree are snapshots of their own: each is
// qualified by its directory, as a root is, or by its file where its
// directory holds another plan or state, or a configuration; nothing of
// one merges into another's groups. Everything a plan holds is read, its
// routes too (a transit gateway's route decides what a revocation cuts,
// docs/aws-semantics.md §3), as --plan reads it.
func TestPlansInATreeKeepApart(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a/plan.json":   planDoc("10.1.0.0/16"),
		"b/plan.json":   planDoc("10.2.0.0/16"),
		"c/main.tf":     `resource "aws_security_group" "web" {}`,
		"c/tfplan.json": planDoc("10.3.0.0/16"),
		"d/prod.json":   planDoc("10.4.0.0/16"),
		"d/stage.json":  planDoc("10.5.0.0/16"),
		"e/main.tf":     `resource "aws_security_group" "web" {}`,
		"e/state.json": `{"format_version": "1.0", "values": {"root_module": {"resources": [
  {"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group", "name": "web",
   "values": {"id": "sg-1", "name": "web", "ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22,
     "cidr_blocks": ["10.6.0.0/16"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false}],
     "egress": []}}]}}}`,
	}
	for name, src := range files {
		path := filepath.Join(dir, "infra", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snap, diags := Load(context.Background(), []string{filepath.Join(dir, "infra")}, Options{})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	var groups []string
	for _, g := range snap.Groups {
		groups = append(groups, g.Address)
	}
	slices.Sort(groups)
	want := []string{"a:aws_security_group.web", "b:aws_security_group.web", "c/tfplan.json:aws_security_group.web",
		"c:aws_security_group.web", "d/prod.json:aws_security_group.web", "d/stage.json:aws_security_group.web",
		"e/state.json:aws_security_group.web", "e:aws_security_group.web"}
	if !slices.Equal(groups, want) {
		t.Errorf("groups %v, want %v", groups, want)
	}
	for group, cidr := range map[string]string{"a:aws_security_group.web": "10.1.0.0/16", "b:aws_security_group.web": "10.2.0.0/16",
		"c/tfplan.json:aws_security_group.web": "10.3.0.0/16", "d/prod.json:aws_security_group.web": "10.4.0.0/16",
		"d/stage.json:aws_security_group.web": "10.5.0.0/16", "e/state.json:aws_security_group.web": "10.6.0.0/16"} {
		rules := snap.RulesOfGroup(group)
		if len(rules) != 1 || rules[0].Peer.Prefix.String() != cidr {
			t.Errorf("rules of %s: %+v, want one from %s", group, rules, cidr)
		}
	}
	for _, q := range []string{"a:", "b:", "c/tfplan.json:", "d/prod.json:", "d/stage.json:"} {
		r := snap.RoutingFor(q + "aws_subnet.private")
		if !r.Known || r.Table != q+"aws_route_table.private" || len(r.Routes) != 1 || r.Routes[0].Kind != model.RouteTransitGateway {
			t.Errorf("routing of %saws_subnet.private: %+v", q, r)
		}
	}
}
