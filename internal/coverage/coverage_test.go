package coverage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

func TestUnmatched(t *testing.T) {
	dir := t.TempDir()
	src := `resource "aws_security_group" "a" {
  ingress {
    from_port = 22
  }
  dynamic "egress" {
    for_each = []
    content {}
  }
  ingress = []
}
resource "aws_network_acl_rule" "r" {
  rule_number = 1
}
resource "aws_security_group_rule" "s" {
  type = "ingress"
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	blocks, err := RuleBlocks(dir)
	if err != nil || len(blocks) != 4 {
		t.Fatalf("blocks %v (%v)", blocks, err)
	}
	file := filepath.Join(dir, "main.tf")
	snap := &model.Snapshot{
		Rules:  []model.Rule{{Name: "a.ingress[0]", Source: model.Source{File: file, StartLine: 2, EndLine: 4}}},
		Absent: []model.Absent{{Address: "a.dynamic.egress", Source: model.Source{File: file, StartLine: 5, EndLine: 8}}},
	}
	diags := []model.Diagnostic{{File: file, Line: 11, Message: "not analysed", Warning: true}}
	got, err := Unmatched(dir, snap, diags)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].What != "aws_security_group_rule.s" || got[0].Start != 14 {
		t.Errorf("unmatched %v, want only aws_security_group_rule.s", got)
	}
}
