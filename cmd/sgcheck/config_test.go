package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// .sgcheck.yaml (docs/config.md): disabled checks, severity overrides,
// allowed ports and excluded paths change what is reported; the command
// line wins over the file; unknown keys and ids are errors with the line.
func TestConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sgcheck.yaml")
	write := func(src string) {
		if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("disable: [SGC006, SGC201]\nseverity:\n  SGC203: medium\nallow-ports:\n  SGC202: [22, 23]\nexclude: [\"fixtures/seed/**\"]\nfail-on: high\n")
	out, stderr, code := sgcheck(t, "--config", cfg, "fixtures/exposure", "fixtures/seed/ping")
	if code != exitClean || strings.Contains(out, "SGC006") || strings.Contains(out, "SGC202") || strings.Contains(out, "fixtures/seed") ||
		!strings.Contains(out, "MEDIUM SGC203") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	// checks that are off by default run when enabled
	if out, _, _ := sgcheck(t, "fixtures/seed/ping"); strings.Contains(out, "SGC206") {
		t.Errorf("SGC206 is off by default:\n%s", out)
	}
	write("enable: [SGC206]\n")
	if out, _, _ := sgcheck(t, "--config", cfg, "fixtures/seed/ping"); !strings.Contains(out, "INFO SGC206") {
		t.Errorf("enabled SGC206 missing:\n%s", out)
	}
	write("disable: [SGC006, SGC201]\nseverity:\n  SGC203: medium\nallow-ports:\n  SGC202: [22, 23]\nexclude: [\"fixtures/seed/**\"]\nfail-on: high\n")
	// the command line wins
	if _, _, code := sgcheck(t, "--config", cfg, "--fail-on", "medium", "fixtures/exposure"); code != exitFindings {
		t.Errorf("--fail-on medium: exit %d", code)
	}
	for src, want := range map[string]string{
		"disable: [SGC999]\n":           ":1: unknown check id \"SGC999\"",
		"fail-on: low\nbogus: 1\n":      ":2: unknown key \"bogus\"",
		"severity:\n  SGC202: loud\n":   ":2: unknown severity \"loud\"",
		"allow-ports:\n  SGC202: [x]\n": ":2: port \"x\" is not a number",
		"peer-ignores: maybe\n":         ":1: peer-ignores is true or false, not \"maybe\"",
	} {
		write(src)
		_, stderr, code := sgcheck(t, "--config", cfg, "fixtures/exposure")
		if code != exitError || !strings.Contains(stderr, want) {
			t.Errorf("%q: exit %d, %s", src, code, stderr)
		}
	}
}

// Ignore comments are checked where the loader found them: an unknown id
// and an ignore that suppresses nothing are warnings with their line.
func TestIgnoreWarnings(t *testing.T) {
	dir := t.TempDir()
	src := "resource \"aws_security_group\" \"a\" {\n  # sgcheck:ignore SGC999\n  ingress {\n    from_port   = 8080\n    to_port     = 8080\n    protocol    = \"tcp\"\n    cidr_blocks = [\"10.0.0.0/8\"]\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := sgcheck(t, dir)
	if code != exitClean || !strings.Contains(stderr, "main.tf:2: sgcheck:ignore names SGC999") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

// An excluded directory is not read at all: no findings, warnings or
// unknowns come from a root under it (here a module's conditional
// instances, whose warnings name the module's own file, which is not
// excluded), nor from its AWS JSON; a module it calls is still read for
// the roots that are not excluded. A path on the command line that is
// excluded whole is a warning.
func TestConfigExcludeSkipsRoots(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"mod/main.tf": `variable "n" {}
resource "aws_security_group" "m" {
  count = var.n
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
		"examples/x/main.tf": `data "aws_availability_zones" "a" {}
module "m" {
  source = "../../mod"
  n      = length(data.aws_availability_zones.a.names)
}
`,
		"examples/cli/sg.json": `{"SecurityGroups": [{"GroupId": "sg-0a1b2c3d4e5f60001", "GroupName": "open", "VpcId": "vpc-0a1b2c3d",
  "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
  "IpPermissionsEgress": []}]}
`,
		"app/main.tf": `module "m" {
  source = "../mod"
  n      = 1
}
`,
	}
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(t.TempDir(), "sgcheck.yaml")
	if err := os.WriteFile(cfg, []byte("exclude: [\""+filepath.ToSlash(dir)+"/examples/**\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// without the configuration, the examples are read
	out, stderr, _ := sgcheck(t, dir)
	if !strings.Contains(stderr, "examples/x:module.m.aws_security_group.m is analysed as") ||
		!strings.Contains(out, "sg-0a1b2c3d4e5f60001") || !strings.Contains(out, "read 4 files") {
		t.Fatalf("without exclude:\n%s%s", out, stderr)
	}
	out, stderr, code := sgcheck(t, "--config", cfg, dir)
	if code != exitFindings || strings.Contains(out+stderr, "examples") || strings.Contains(out, "not determined") ||
		!strings.Contains(out, "app:module.m.aws_security_group.m[0].ingress[0] admits SSH") || !strings.Contains(out, "read 2 files") {
		t.Errorf("with exclude: exit %d\n%s%s", code, out, stderr)
	}
	_, stderr, _ = sgcheck(t, "--config", cfg, filepath.Join(dir, "examples", "x"))
	if !strings.Contains(stderr, "examples/x is excluded by ") {
		t.Errorf("an excluded path given: %s", stderr)
	}
}

// Another scanner's inline comment on a block suppresses the equivalent
// sgcheck check there (reported as suppressed, with the comment as the
// reason, and not failing the run); peer-ignores: false turns that off.
func TestPeerIgnoreComments(t *testing.T) {
	dir := t.TempDir()
	src := `resource "aws_security_group" "bastion" {
  description = "bastion"
  #checkov:skip=CKV_AWS_24:the bastion, reviewed 2026-11
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "sgcheck.yaml")
	if err := os.WriteFile(cfg, []byte("disable: [SGC006]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := sgcheck(t, "--config", cfg, "--format", "json", dir)
	if code != exitClean {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if !strings.Contains(out, `"reason": "checkov:skip=CKV_AWS_24: the bastion, reviewed 2026-11"`) {
		t.Errorf("want SGC202 suppressed by the checkov comment:\n%s", out)
	}
	if err := os.WriteFile(cfg, []byte("disable: [SGC006]\npeer-ignores: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, code := sgcheck(t, "--config", cfg, dir); code != exitFindings || !strings.Contains(out, "HIGH SGC202") {
		t.Errorf("peer-ignores: false: exit %d\n%s", code, out)
	}
}
