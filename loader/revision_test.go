package loader

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// In change analysis the base revision's files read by file() come from
// git, not from the working tree.
func TestRevisionReadsDataFiles(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	write, git := inRepoDir(t, t.TempDir())
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
	tree, err := ReadRevision("HEAD", []string{"."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, diags := LoadTree(context.Background(), tree, []string{"."}, Options{})
	for _, d := range diags {
		t.Errorf("diagnostic: %s", d)
	}
	if len(snap.Rules) != 1 || snap.Rules[0].FromPort != 22 {
		t.Errorf("base rules %+v, want port 22 from the committed rules.json", snap.Rules)
	}
}

// ChangedDirs says which directories a change touched: a file edited,
// added or removed there. Only their syntax trees are kept for the base.
func TestChangedDirs(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	write, git := inRepoDir(t, dir)
	for _, d := range []string{"same", "edited", "added", "removed", "notes"} {
		write(d+"/main.tf", `resource "aws_security_group" "g" {}`+"\n")
	}
	write("removed/extra.tf", "locals {}\n")
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "base")
	write("edited/main.tf", `resource "aws_security_group" "h" {}`+"\n")
	write("added/more.tf", "locals {}\n")
	write("notes/README.md", "not an input\n")
	if err := os.Remove("removed/extra.tf"); err != nil {
		t.Fatal(err)
	}
	tree, err := ReadRevision("HEAD", []string{"."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	touched := ChangedDirs(tree)
	for d, want := range map[string]bool{"same": false, "notes": false, "edited": true, "added": true, "removed": true,
		filepath.Join(dir, "edited"): true, filepath.Join(dir, "same"): false} {
		if got := touched(d); got != want {
			t.Errorf("ChangedDirs(%s) = %v, want %v", d, got, want)
		}
	}
}

// inRepoDir makes dir the working directory for the test and returns how
// to write a file there (making its folders) and how to run git in it.
func inRepoDir(t *testing.T, dir string) (write func(name, src string), git func(args ...string)) {
	t.Helper()
	t.Chdir(dir)
	write = func(name, src string) {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git = func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return write, git
}
