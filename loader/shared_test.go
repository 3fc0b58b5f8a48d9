package loader

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sgcheck/sgcheck/loader/gitrev"
)

// A file the change left alone is read from disk once for both sides of
// --base, however many roots read it (a module that every example calls):
// the revision takes what the working tree's load read, as often as it
// needs it, and what it read itself from disk.
func TestSharedReadsOncePerFile(t *testing.T) {
	dir := t.TempDir()
	mod, alone := filepath.Join(dir, "main.tf"), filepath.Join(dir, "other.tf")
	for _, f := range []string{mod, alone} {
		if err := os.WriteFile(f, []byte("# "+f+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := NewSharedReads()
	var opts Options
	opts = s.Options(opts)
	want, err := opts.Terraform.ReadFile(mod) // the working tree's load
	if err != nil {
		t.Fatal(err)
	}
	tree := &gitrev.Tree{Work: map[string]string{mod: "a", alone: "b"}}
	s.Lend(tree)
	// the revision's side reads the other file first, from disk
	other, err := tree.ReadFile(alone)
	if err != nil {
		t.Fatal(err)
	}
	// gone from disk: every later read is served from what was read
	for _, f := range []string{mod, alone} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		if got, err := tree.ReadFile(mod); err != nil || string(got) != string(want) {
			t.Fatalf("read %d of the shared file: %q, %v", i, got, err)
		}
		if got, err := tree.ReadFile(alone); err != nil || string(got) != string(other) {
			t.Fatalf("read %d of the revision's own read: %q, %v", i, got, err)
		}
	}
}
