package terraform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

func loadSrc(t *testing.T, files map[string]string) (*model.Snapshot, []model.Diagnostic) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Load(context.Background(), []string{dir}, Options{})
}

func rulesByName(s *model.Snapshot) map[string][]model.Rule {
	out := map[string][]model.Rule{}
	for _, r := range s.Rules {
		out[r.Name] = append(out[r.Name], r)
	}
	return out
}

func TestExpressions(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
variable "admin_cidrs" { default = ["203.0.113.7/32", "2001:db8::/64"] }
variable "ports" { default = [80, 443] }
variable "unset" {}
locals {
  ssh = 22
  office = var.admin_cidrs[0]
}
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = local.ssh
    to_port     = local.ssh
    protocol    = "6"
    cidr_blocks = [local.office, "10.1.2.3/8"]
  }
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id, "sg-0123456789abcdef0"]
    self            = true
  }
  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "all"
    cidr_blocks = var.unset
  }
  egress {
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    ipv6_cidr_blocks = ["::/0"]
  }
}
resource "aws_security_group" "app" { name = "app" }
resource "aws_instance" "web" { vpc_security_group_ids = [aws_security_group.web.id] }
`})
	for _, d := range diags {
		if !d.Warning {
			t.Errorf("diagnostic: %s", d)
		}
	}
	rules := rulesByName(snap)
	ssh := rules["aws_security_group.web.ingress[0]"]
	if len(ssh) != 2 || ssh[0].FromPort != 22 || ssh[0].Protocol != model.TCP ||
		ssh[0].Peer.String() != "203.0.113.7/32" || ssh[1].Peer.String() != "10.0.0.0/8" {
		t.Errorf("ingress[0]: %+v", ssh)
	}
	if r := rules["aws_security_group.web.ingress[2]"]; len(r) != 1 || r[0].FromPort != 443 || !r[0].Peer.IsOpen() {
		t.Errorf("dynamic ingress[2]: %+v", r)
	}
	refs := rules["aws_security_group.web.ingress[3]"]
	if len(refs) != 3 || refs[0].Peer.Ref != "aws_security_group.app" || refs[1].Peer.Ref != "sg-0123456789abcdef0" ||
		refs[2].Peer.Kind != model.PeerSelf {
		t.Errorf("group references: %+v", refs)
	}
	unk := rules["aws_security_group.web.ingress[4]"]
	if len(unk) != 1 || unk[0].Peer.Kind != model.PeerUnknown || !strings.Contains(unk[0].Peer.Ref, "var.unset") {
		t.Errorf("unset variable: %+v", unk)
	}
	if snap.Unknowns == 0 {
		t.Error("unknowns not counted")
	}
	if len(snap.Attachments) != 1 || snap.Attachments[0].Groups[0] != "aws_security_group.web" {
		t.Errorf("attachments: %+v", snap.Attachments)
	}
	if r := rules["aws_security_group.web.egress[0]"]; len(r) != 1 || r[0].Protocol != model.All || r[0].ToPort != 65535 {
		t.Errorf("egress: %+v", r)
	}
	src := ssh[0].Source
	if src.StartLine != 11 || src.EndLine != 16 {
		t.Errorf("source %v, want lines 11-16", src)
	}
}

func TestProtocolSpellings(t *testing.T) {
	for spelling, want := range map[string]model.Protocol{"-1": model.All, "all": model.All, "tcp": model.TCP,
		"udp": model.UDP, "icmp": model.ICMP, "icmpv6": model.ICMPv6, "58": model.ICMPv6, "6": model.TCP, "47": 47} {
		snap, diags := loadSrc(t, map[string]string{"main.tf": `
resource "aws_vpc_security_group_ingress_rule" "r" {
  security_group_id = "sg-1"
  ip_protocol = "` + spelling + `"
  from_port = 1
  to_port = 2
  cidr_ipv4 = "0.0.0.0/0"
}`})
		if len(diags) > 0 || len(snap.Rules) != 1 || snap.Rules[0].Protocol != want {
			t.Errorf("%q: %+v %v", spelling, snap.Rules, diags)
		}
	}
}

func TestCountForEachAndStandaloneRules(t *testing.T) {
	snap, _ := loadSrc(t, map[string]string{"main.tf": `
resource "aws_security_group" "g" {
  count = 2
  name  = "g${count.index}"
}
resource "aws_security_group_rule" "ssh" {
  for_each          = toset(["10.0.0.0/8", "192.168.0.0/16"])
  type              = "ingress"
  security_group_id = aws_security_group.g[1].id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = [each.value]
}
resource "aws_network_interface" "eni" {
  security_groups = aws_security_group.g[*].id
}
`})
	if len(snap.Groups) != 2 || snap.Groups[1].Address != "aws_security_group.g[1]" {
		t.Fatalf("groups: %+v", snap.Groups)
	}
	rules := rulesByName(snap)
	r := rules[`aws_security_group_rule.ssh["10.0.0.0/8"]`]
	if len(r) != 1 || r[0].Group != "aws_security_group.g[1]" {
		t.Errorf("for_each rule: %+v", snap.Rules)
	}
	if len(snap.Attachments) != 1 || len(snap.Attachments[0].Groups) != 2 {
		t.Errorf("splat: %+v", snap.Attachments)
	}
}

func TestSyntaxErrorKeepsOtherFiles(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"good.tf": `resource "aws_security_group" "ok" { name = "ok" }`,
		"bad.tf":  "resource \"aws_security_group\" \"bad\" {\n  name = \n}\n",
	})
	if len(snap.Groups) != 1 {
		t.Errorf("good file lost: %+v", snap.Groups)
	}
	if len(diags) == 0 || !strings.HasSuffix(diags[0].File, "bad.tf") || diags[0].Line != 2 {
		t.Errorf("diagnostics: %v", diags)
	}
}

func TestSkipsHiddenAndTerraformDirs(t *testing.T) {
	snap, _ := loadSrc(t, map[string]string{
		"main.tf":                      `resource "aws_security_group" "a" {}`,
		".terraform/modules/x/main.tf": `resource "aws_security_group" "b" {}`,
		".hidden/main.tf":              `resource "aws_security_group" "c" {}`,
		"sub/main.tf":                  `resource "aws_security_group" "d" {}`,
	})
	var got []string
	for _, g := range snap.Groups {
		got = append(got, g.Address)
	}
	if strings.Join(got, ",") != "aws_security_group.a,sub:aws_security_group.d" {
		t.Errorf("groups %v", got)
	}
}
