package terraform

import (
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// Attribute syntax ("attributes as blocks") for groups and NACLs: each
// element is a rule with its own source lines.
func TestAttributeSyntaxRules(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `variable "ports" { default = [80, 443] }
variable "unset" {}
resource "aws_security_group" "a" {
  ingress = [
    {
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
      ipv6_cidr_blocks = []
      prefix_list_ids = []
      security_groups = []
      self = false
      description = "ssh"
    },
    {
      from_port = 443, to_port = 443, protocol = "tcp", cidr_blocks = ["10.0.0.0/8"]
    },
  ]
  egress = [for p in var.ports : {
    from_port   = p
    to_port     = p
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }]
}
resource "aws_security_group" "u" {
  ingress = var.unset
}
resource "aws_network_acl" "n" {
  ingress = [
    { rule_no = 100, action = "deny", protocol = "tcp", cidr_block = "0.0.0.0/0", ipv6_cidr_block = "", from_port = 22, to_port = 22, icmp_type = null, icmp_code = null },
    { rule_no = 110, action = "allow", protocol = "-1", cidr_block = "", ipv6_cidr_block = "::/0", from_port = 0, to_port = 0 },
  ]
  egress = [{ rule_no = 100, action = "allow", protocol = "-1", cidr_block = "0.0.0.0/0", from_port = 0, to_port = 0 }]
}
`})
	for _, d := range diags {
		if !d.Warning {
			t.Errorf("error: %s", d)
		}
	}
	rules := rulesByName(snap)
	check := func(name string, proto model.Protocol, from, to, start, end int, peer string) {
		t.Helper()
		rs := rules[name]
		if len(rs) != 1 {
			t.Fatalf("%s: %d rules (%v)", name, len(rs), rules)
		}
		r := rs[0]
		if r.Protocol != proto || r.FromPort != from || r.ToPort != to || r.Peer.String() != peer ||
			r.Source.StartLine != start || r.Source.EndLine != end || len(r.Unknown) != 0 {
			t.Errorf("%s: got %+v", name, r)
		}
	}
	check("aws_security_group.a.ingress[0]", model.TCP, 22, 22, 5, 15, "0.0.0.0/0")
	check("aws_security_group.a.ingress[1]", model.TCP, 443, 443, 16, 18, "10.0.0.0/8")
	check("aws_security_group.a.egress[0]", model.TCP, 80, 80, 20, 25, "0.0.0.0/0")
	check("aws_security_group.a.egress[1]", model.TCP, 443, 443, 20, 25, "0.0.0.0/0")
	if rules["aws_security_group.a.ingress[0]"][0].Description != "ssh" {
		t.Errorf("description lost")
	}
	u := rules["aws_security_group.u.ingress[0]"]
	if len(u) != 1 || len(u[0].Unknown) == 0 || !strings.Contains(strings.Join(u[0].Unknown, " "), "var.unset") {
		t.Errorf("an unknown rule list must give an indeterminate rule naming the cause: %+v", u)
	}
	if len(snap.NACLs) != 1 || len(snap.NACLs[0].Entries) != 3 {
		t.Fatalf("NACL entries: %+v", snap.NACLs)
	}
	e := snap.NACLs[0].Entries
	if e[0].Number != 100 || e[0].Action != model.Deny || e[0].FromPort != 22 || e[0].Source.StartLine != 32 ||
		e[1].CIDR.String() != "::/0" || !e[2].Egress {
		t.Errorf("entries %+v", e)
	}
}
