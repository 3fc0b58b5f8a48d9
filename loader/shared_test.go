package loader

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// With --base each configuration file of the working tree is read from
// disk once for both sides, however many roots read it (a module that
// every example calls): git's reading of the revision compares the files
// through the reads the working tree's load then takes, and a file it
// read is the revision's where its bytes are.
func TestSharedReadsOncePerFile(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	write, git := inRepoDir(t, t.TempDir())
	write("mod/main.tf", `resource "aws_security_group" "g" {}`+"\n")
	write("edited.tf", "locals {}\n")
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "base")
	write("edited.tf", "locals { a = 1 }\n")
	s := NewSharedReads()
	var mu sync.Mutex
	reads := map[string]int{}
	counted := func(name string) ([]byte, error) {
		mu.Lock()
		reads[name]++
		mu.Unlock()
		return s.ReadFile(name)
	}
	tree, err := ReadRevision("HEAD", []string{"."}, counted)
	if err != nil {
		t.Fatal(err)
	}
	// gone from disk: the working tree's load reads what the revision's
	// comparison read, as often as it needs it
	for _, f := range []string{"mod/main.tf", "edited.tf"} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	var opts Options
	opts = s.Options(opts)
	for i := 0; i < 3; i++ {
		if got, err := opts.Terraform.ReadFile("mod/main.tf"); err != nil || string(got) != `resource "aws_security_group" "g" {}`+"\n" {
			t.Fatalf("read %d of the module: %q, %v", i, got, err)
		}
		if got, err := opts.Terraform.ReadFile("edited.tf"); err != nil || string(got) != "locals { a = 1 }\n" {
			t.Fatalf("read %d of the edited file: %q, %v", i, got, err)
		}
	}
	if reads[filepath.FromSlash("mod/main.tf")] != 1 || reads["edited.tf"] != 1 {
		t.Errorf("the revision's comparison read %v", reads)
	}
	if got, err := tree.ReadFile("mod/main.tf"); err != nil || string(got) != `resource "aws_security_group" "g" {}`+"\n" {
		t.Errorf("the revision's module: %q, %v", got, err)
	}
	if got, err := tree.ReadFile("edited.tf"); err != nil || string(got) != "locals {}\n" {
		t.Errorf("the revision's edited file: %q, %v", got, err)
	}
	if !tree.Changed["edited.tf"] || tree.Changed[filepath.FromSlash("mod/main.tf")] {
		t.Errorf("changed: %v", tree.Changed)
	}
}
