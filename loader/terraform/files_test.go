package terraform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// NACL entries and rules read from files as Terraform reads them:
// jsondecode(file(...)) and fileset over a module's folder, yamldecode and
// templatefile, relative to path.module.
func TestFileFunctions(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"main.tf": `module "net" { source = "./modules/net" }`,
		"modules/net/main.tf": `locals {
  entries = [for f in fileset(path.module, "acl/*.json") : jsondecode(file("${path.module}/${f}"))]
  ports   = yamldecode(file("${path.module}/ports.yaml"))
  admin   = jsondecode(templatefile("${path.module}/admin.json.tftpl", { port = 22 }))
}
resource "aws_network_acl" "public" {
  vpc_id = "vpc-1"
  dynamic "ingress" {
    for_each = local.entries
    content {
      rule_no    = ingress.value.rule_no
      action     = ingress.value.action
      protocol   = "tcp"
      cidr_block = ingress.value.cidr
      from_port  = ingress.value.port
      to_port    = ingress.value.port
    }
  }
}
resource "aws_security_group" "web" {
  dynamic "ingress" {
    for_each = local.ports.web
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
  ingress {
    from_port   = local.admin.port
    to_port     = local.admin.port
    protocol    = "tcp"
    cidr_blocks = [local.admin.cidr]
  }
}
resource "aws_security_group" "exists" {
  name = fileexists("${path.module}/ports.yaml") ? "yes" : "no"
}
`,
		"modules/net/acl/10-deny-ssh.json":    `{"rule_no": 10, "action": "deny", "cidr": "0.0.0.0/0", "port": 22}`,
		"modules/net/acl/20-allow-https.json": `{"rule_no": 20, "action": "allow", "cidr": "0.0.0.0/0", "port": 443}`,
		"modules/net/ports.yaml":              "web: [80, 443]\n",
		"modules/net/admin.json.tftpl":        `{"port": ${port}, "cidr": "203.0.113.0/24"}`,
	})
	for _, d := range diags {
		t.Errorf("diagnostic: %s", d)
	}
	if len(snap.NACLs) != 1 || len(snap.NACLs[0].Entries) != 2 {
		t.Fatalf("NACL entries from files: %+v", snap.NACLs)
	}
	if e := snap.NACLs[0].Entries[0]; e.Number != 10 || e.FromPort != 22 || e.Action != "deny" {
		t.Errorf("entry %+v", e)
	}
	rules := rulesByName(snap)
	if r := rules["module.net.aws_security_group.web.ingress[1]"]; len(r) != 1 || r[0].FromPort != 443 {
		t.Errorf("yamldecode rule: %+v", r)
	}
	if r := rules["module.net.aws_security_group.web.ingress[2]"]; len(r) != 1 || r[0].FromPort != 22 || r[0].Peer.String() != "203.0.113.0/24" {
		t.Errorf("templatefile rule: %+v", r)
	}
	found := false
	for _, g := range snap.Groups {
		found = found || (strings.HasSuffix(g.Address, "exists") && g.Name == "yes")
	}
	if !found {
		t.Errorf("fileexists: %+v", snap.Groups)
	}
}

// A file function never reads outside the scanned tree: a relative escape,
// an absolute path and a symbolic link out of the tree are input errors at
// the call's line, and the rest of the configuration is still analysed.
func TestFileFunctionEscape(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.json")
	if err := os.WriteFile(secret, []byte(`{"cidr": "10.0.0.0/8"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rel, _ := filepath.Rel(dir, secret)
	write("main.tf", `locals {
  a = jsondecode(file("`+filepath.ToSlash(rel)+`"))
  b = jsondecode(file("`+filepath.ToSlash(secret)+`"))
  c = jsondecode(file("${path.module}/link.json"))
}
resource "aws_security_group" "ok" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`)
	if err := os.Symlink(secret, filepath.Join(dir, "link.json")); err != nil {
		t.Fatal(err)
	}
	snap, diags := Load(context.Background(), []string{dir}, Options{})
	lines := map[int]bool{}
	for _, d := range diags {
		if !d.Warning && strings.Contains(d.Message, escapeMarker) {
			lines[d.Line] = true
		}
	}
	for _, l := range []int{2, 3, 4} {
		if !lines[l] {
			t.Errorf("no input error for the escape at line %d: %v", l, diags)
		}
	}
	if len(snap.Rules) != 1 {
		t.Errorf("the rest of the file was not analysed: %+v", snap.Rules)
	}
}

// A file function given a path inside the tree where no file is (often one
// the build makes before Terraform runs: a Lambda package, a rendered
// policy) is not an input error: what reads it is not determined, and the
// reason names the file. Terraform would stop there; a scanner running
// before the build must not fail on it.
func TestMissingDataFileIsUndetermined(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
locals {
  package = filebase64sha256("${path.module}/build/lambda.zip")
  office  = jsondecode(file("${path.module}/office.json"))
  policy  = templatefile("${path.module}/policy.tpl", {})
}
resource "aws_security_group" "g" {}
resource "aws_security_group_rule" "office" {
  type              = "ingress"
  security_group_id = aws_security_group.g.id
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = local.office
}
`})
	for _, d := range diags {
		if !d.Warning {
			t.Errorf("input error for a file the build may make: %s", d)
		}
	}
	if len(snap.Rules) != 1 || len(snap.Rules[0].Unknown) == 0 {
		t.Fatalf("the rule reading the missing file is not undetermined: %+v", snap.Rules)
	}
	if why := strings.Join(snap.Rules[0].Unknown, "; "); !strings.Contains(why, "office.json") {
		t.Errorf("the reason does not name the file: %s", why)
	}
}
