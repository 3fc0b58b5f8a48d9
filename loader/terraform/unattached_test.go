package terraform

import (
	"sort"
	"strings"
	"testing"
)

func unattached(t *testing.T, files map[string]string) string {
	t.Helper()
	snap, diags := loadSrc(t, files)
	for _, d := range diags {
		t.Errorf("diagnostic %s", d)
	}
	var out []string
	for _, g := range snap.Groups {
		if g.Unattached {
			out = append(out, g.Address[strings.Index(g.Address, ":")+1:])
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// A group is unattached when nothing but its own rules and other groups'
// peers refer to it (SGC209); any other reference, an output included, may
// attach it.
func TestUnattachedGroups(t *testing.T) {
	got := unattached(t, map[string]string{"root/main.tf": `
resource "aws_security_group" "used" {}
resource "aws_security_group" "lonely" {
  ingress {
    protocol        = "tcp"
    from_port       = 22
    to_port         = 22
    security_groups = [aws_security_group.peer.id]
  }
}
resource "aws_security_group" "peer" {}
resource "aws_security_group" "attr" {
  ingress = [{ protocol = "tcp", from_port = 5432, to_port = 5432, security_groups = [aws_security_group.peer2.id],
    cidr_blocks = [], ipv6_cidr_blocks = [], prefix_list_ids = [], self = false, description = "" }]
}
resource "aws_security_group" "peer2" {}
resource "aws_security_group_rule" "own" {
  type                     = "ingress"
  security_group_id        = aws_security_group.ruled.id
  source_security_group_id = aws_security_group.ruled_peer.id
  protocol                 = "tcp"
  from_port                = 443
  to_port                  = 443
}
resource "aws_security_group" "ruled" {}
resource "aws_security_group" "ruled_peer" {}
resource "aws_security_group" "counted" { count = 2 }
resource "aws_security_group" "out" {}
output "out" { value = aws_security_group.out.id }
resource "aws_security_group" "via_local" {}
locals { ids = [aws_security_group.via_local.id] }
resource "aws_security_group" "to_module" {}
module "m" {
  source = "../mod"
  sg     = aws_security_group.to_module.id
}
resource "aws_instance" "web" { vpc_security_group_ids = [aws_security_group.used.id] }
resource "aws_default_security_group" "default" {}
`, "mod/main.tf": `
variable "sg" {}
resource "aws_security_group" "inner" {}
resource "aws_security_group" "handed" {}
output "handed" { value = aws_security_group.handed.id }
`})
	want := "aws_security_group.attr aws_security_group.counted[0] aws_security_group.counted[1] aws_security_group.lonely " +
		"aws_security_group.peer aws_security_group.peer2 aws_security_group.ruled aws_security_group.ruled_peer module.m.aws_security_group.inner"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// A module with a file in JSON syntax is not judged: its references are
// not read.
func TestUnattachedNotJudgedWithJSON(t *testing.T) {
	got := unattached(t, map[string]string{
		"root/main.tf":       `resource "aws_security_group" "a" {}`,
		"root/other.tf.json": `{"resource": {"aws_instance": {"web": {"vpc_security_group_ids": ["${aws_security_group.a.id}"]}}}}`,
	})
	if got != "" {
		t.Errorf("got %q", got)
	}
}
