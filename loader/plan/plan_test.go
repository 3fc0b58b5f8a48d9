package plan

import (
	"os"
	"path/filepath"
	"testing"
)

// docs/aws-semantics.md §9: a group created by the plan has no id before apply; the instance's
// reference to it is resolved through the configuration, and after_unknown
// values stay unknown rather than empty.
func TestUnknownAfterApply(t *testing.T) {
	src := `{
  "format_version": "1.2",
  "resource_changes": [
    {
      "address": "aws_security_group.new", "mode": "managed", "type": "aws_security_group", "name": "new",
      "change": {
        "actions": ["create"], "before": null,
        "after": {"name": "new", "ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22,
          "cidr_blocks": ["10.0.0.0/8"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false}],
          "egress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "ipv6_cidr_blocks": [],
          "prefix_list_ids": [], "security_groups": [], "self": false}]},
        "after_unknown": {"id": true, "ingress": [{}], "egress": [{"cidr_blocks": true}]}
      }
    },
    {
      "address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
      "change": {
        "actions": ["update"],
        "before": {"id": "i-1", "vpc_security_group_ids": ["sg-old"]},
        "after": {"id": "i-1"},
        "after_unknown": {"vpc_security_group_ids": true}
      }
    }
  ],
  "configuration": {"root_module": {"resources": [
    {"address": "aws_instance.web", "expressions": {"vpc_security_group_ids": {"references": ["aws_security_group.new.id", "aws_security_group.new"]}}}
  ]}}
}`
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	before, after, diags := Load(path, "plan.json")
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if len(before.Groups) != 0 || len(before.Attachments) != 1 || before.Attachments[0].Groups[0] != "sg-old" {
		t.Errorf("before: %+v", before)
	}
	if len(after.Attachments) != 1 || len(after.Attachments[0].Groups) != 1 || after.Attachments[0].Groups[0] != "aws_security_group.new" {
		t.Errorf("after attachment: %+v", after.Attachments)
	}
	var unknownEgress bool
	for _, r := range after.Rules {
		if r.Direction == "egress" && len(r.Unknown) > 0 {
			unknownEgress = true
		}
	}
	if !unknownEgress || after.Unknowns == 0 {
		t.Errorf("egress cidr_blocks known after apply should be unknown: %+v", after.Rules)
	}
	if after.Rules[0].Source.File != "plan.json" || after.Rules[0].Source.StartLine != 5 {
		t.Errorf("source %+v, want plan.json:5", after.Rules[0].Source)
	}
}
