package terraform

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// ruleLines lists a snapshot's rules as "name direction protocol from-to
// peer file:line", sorted.
func ruleLines(s *model.Snapshot) []string {
	var out []string
	for _, r := range s.Rules {
		out = append(out, fmt.Sprintf("%s %s %s %d-%d %s %s:%d", r.Name, r.Direction, r.Protocol, r.FromPort, r.ToPort, r.Peer,
			r.Source.File[strings.LastIndex(r.Source.File, "/")+1:], r.Source.StartLine))
	}
	sort.Strings(out)
	return out
}

// wantLines fails t when got is not want, line by line.
// inputErrors lists the diagnostics that are errors, not warnings.
func inputErrors(diags []model.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		if !d.Warning {
			out = append(out, d.String())
		}
	}
	return out
}

func wantLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Override files merge into the objects other files declare, as Terraform
// documents (language/files/override, "Merging Behavior"): an argument
// replaces the argument of the same name; a nested block type in the
// override (plain or dynamic) replaces every block of that type, plain and
// dynamic, while other block types stay; local values and variables are
// overridden by name; override files apply in file name order, so the last
// one wins. The overridden rules are not analysed, and nothing is a
// duplicate declaration.
func TestOverrideFiles(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"main.tf": `
variable "office" {
  default = "198.51.100.0/24"
}
locals {
  db_port = 5432
  other   = 1
}
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
  dynamic "ingress" {
    for_each = [80, 443]
    content {
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group_rule" "db" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  protocol          = "tcp"
  from_port         = local.db_port
  to_port           = local.db_port
  cidr_blocks       = ["0.0.0.0/0"]
}
`,
		"a_override.tf": `
variable "office" {
  default = "203.0.113.0/24"
}
locals {
  db_port = 3306
}
resource "aws_security_group" "web" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [var.office]
  }
}
resource "aws_security_group_rule" "db" {
  cidr_blocks = ["10.0.0.0/8"]
}
`,
		"override.tf.json": `{"resource": {"aws_security_group_rule": {"db": {"cidr_blocks": ["10.1.0.0/16"]}},
  "aws_security_group": {"keep": {"name": "renamed"}}}}`,
		"keep.tf": `
resource "aws_security_group" "keep" {
  name = "keep"
  dynamic "ingress" {
    for_each = [8080]
    content {
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["10.0.0.0/8"]
    }
  }
}
`,
	})
	for _, d := range diags {
		t.Errorf("diagnostic: %s", d)
	}
	want := []string{
		"aws_security_group.keep.ingress[0] ingress tcp 8080-8080 10.0.0.0/8 keep.tf:4",
		"aws_security_group.web.egress[0] egress all 0-65535 0.0.0.0/0 main.tf:26",
		"aws_security_group.web.ingress[0] ingress tcp 22-22 203.0.113.0/24 a_override.tf:9",
		"aws_security_group_rule.db ingress tcp 3306-3306 10.1.0.0/16 main.tf:33",
	}
	wantLines(t, "rules", ruleLines(snap), want)
	if len(snap.Groups) != 2 {
		t.Errorf("%d groups, want 2", len(snap.Groups))
	}
}

// An override block whose object no other file declares is an error with
// its line, as it is for Terraform; the rest still loads.
func TestOverrideOfNothing(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"main.tf": `
resource "aws_security_group" "a" {
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`,
		"override.tf": `
resource "aws_security_group" "b" {
  name = "b"
}
locals {
  nothing = 1
}
`})
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	sort.Strings(got)
	if len(got) != 2 || !strings.HasSuffix(got[0], "override.tf:2:1: Missing resource aws_security_group.b to override: no file of this module that is not an override file declares it") ||
		!strings.HasSuffix(got[1], "override.tf:6:3: Missing local value nothing to override: no file of this module that is not an override file declares it") {
		t.Errorf("diagnostics:\n%s", strings.Join(got, "\n"))
	}
	if len(snap.Rules) != 1 {
		t.Errorf("%d rules, want 1", len(snap.Rules))
	}
}

// OpenTofu reads .tofu and .tofu.json files too, and of NAME.tf and
// NAME.tofu in one directory only NAME.tofu (opentofu.org/docs/language/files:
// "Extension Precedence").
func TestTofuFiles(t *testing.T) {
	rule := func(name string, port int) string {
		return fmt.Sprintf(`resource "aws_security_group_rule" %q {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = %d
  to_port           = %d
  cidr_blocks       = ["10.0.0.0/8"]
}
`, name, port, port)
	}
	snap, diags := loadSrc(t, map[string]string{
		"a.tf":        rule("a", 1),
		"a.tofu":      rule("a", 2),
		"b.tf":        rule("b", 3),
		"c.tofu.json": `{"resource": {"aws_security_group_rule": {"c": {"type": "ingress", "security_group_id": "sg-0123456789abcdef0", "protocol": "tcp", "from_port": 4, "to_port": 4, "cidr_blocks": ["10.0.0.0/8"]}}}}`,
	})
	for _, d := range diags {
		t.Errorf("diagnostic: %s", d)
	}
	want := []string{
		"aws_security_group_rule.a ingress tcp 2-2 10.0.0.0/8 a.tofu:1",
		"aws_security_group_rule.b ingress tcp 3-3 10.0.0.0/8 b.tf:1",
		"aws_security_group_rule.c ingress tcp 4-4 10.0.0.0/8 c.tofu.json:1",
	}
	wantLines(t, "rules", ruleLines(snap), want)
}

// lifecycle ignore_changes is read for rule-bearing resources, in each of
// its forms (all, references, the older quoted names), per instance.
func TestIgnoreChangesRead(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
resource "aws_security_group" "a" {
  lifecycle {
    ignore_changes = [ingress, tags["team"]]
  }
}
resource "aws_security_group" "b" {
  count = 2
  lifecycle {
    ignore_changes = all
  }
}
resource "aws_security_group_rule" "r" {
  type              = "ingress"
  security_group_id = aws_security_group.a.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["10.0.0.0/8"]
  lifecycle {
    ignore_changes = ["cidr_blocks", "description"]
  }
}
resource "aws_security_group" "c" {
  lifecycle {
    create_before_destroy = true
  }
}
resource "aws_s3_bucket" "x" {
  lifecycle {
    ignore_changes = all
  }
}
`})
	for _, d := range diags {
		t.Errorf("diagnostic: %s", d)
	}
	var got []string
	for _, ig := range snap.IgnoreChanges {
		got = append(got, ig.Address+" "+strings.Join(ig.Args, ","))
	}
	sort.Strings(got)
	want := []string{
		"aws_security_group.a ingress,tags",
		"aws_security_group.b[0] all",
		"aws_security_group.b[1] all",
		"aws_security_group_rule.r cidr_blocks,description",
	}
	wantLines(t, "ignore_changes", got, want)
}

// A removed block is read when its lifecycle says destroy = false (a
// resource or a module call); with destroy = true, or none, Terraform
// destroys what it names.
func TestRemovedWithoutDestroyRead(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
removed {
  from = aws_security_group_rule.contractor
  lifecycle {
    destroy = false
  }
}
removed {
  from = module.legacy
  lifecycle {
    destroy = false
  }
}
removed {
  from = aws_security_group_rule.gone
  lifecycle {
    destroy = true
  }
}
removed {
  from = aws_security_group.old
}
`})
	for _, d := range diags {
		t.Errorf("diagnostic: %s", d)
	}
	var got []string
	for _, f := range snap.Forgotten {
		got = append(got, fmt.Sprintf("%s %d", f.Address, f.Source.StartLine))
	}
	if strings.Join(got, ",") != "aws_security_group_rule.contractor 2,module.legacy 8" {
		t.Errorf("forgotten: %v", got)
	}
}
