package loader

import (
	"context"
	"os"
	"os/exec"
	"testing"
)

// In change analysis the base revision's files read by file() come from
// git, not from the working tree.
func TestRevisionReadsDataFiles(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	t.Chdir(dir)
	write := func(name, src string) {
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write("main.tf", `locals { rules = jsondecode(file("${path.module}/rules.json")) }
resource "aws_security_group" "g" {
  dynamic "ingress" {
    for_each = local.rules
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.0.0.0/8"]
    }
  }
}
`)
	write("rules.json", `[22]`)
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "base")
	write("rules.json", `[443]`)
	snap, diags, err := LoadRevision(context.Background(), "HEAD", []string{"."}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diags {
		t.Errorf("diagnostic: %s", d)
	}
	if len(snap.Rules) != 1 || snap.Rules[0].FromPort != 22 {
		t.Errorf("base rules %+v, want port 22 from the committed rules.json", snap.Rules)
	}
}
