package gitrev

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// A revision's file is read from the working tree only where git finds the
// working tree's file unchanged since the revision; every other file
// (edited, even to the same size, removed, or marked assume-unchanged or
// skip-worktree, whose changes git does not look at) is read from git,
// unless its blob id proves the bytes the same (a file whose stamps alone
// changed). The repository's index is not written.
// Where a working-tree read fails, git is asked.
func TestReadRevision(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	write := func(name, src string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	at := map[string]string{"same.tf": "same\n", "edited.tf": "old\n", "removed.tf": "gone\n",
		"same-size.tf": "1111\n", "assumed.tf": "assumed\n", "sparse.tf": "sparse\n", "sub/deep.tf": "deep\n",
		"vanished.tf": "vanished\n", "touched.tf": "touched\n"}
	run("init", "-q")
	for name, src := range at {
		write(name, src)
	}
	run("add", "-A")
	run("commit", "-qm", "base")
	write("edited.tf", "edited, longer\n")
	write("same-size.tf", "2222\n")
	if err := os.Remove(filepath.Join(dir, "removed.tf")); err != nil {
		t.Fatal(err)
	}
	run("update-index", "--assume-unchanged", "assumed.tf")
	write("assumed.tf", "changed behind git's back\n")
	run("update-index", "--skip-worktree", "sparse.tf")
	if err := os.Remove(filepath.Join(dir, "sparse.tf")); err != nil {
		t.Fatal(err)
	}
	write("new.tf", "not in the revision\n")
	// the same bytes, with other file stamps than the index has
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "touched.tf"), later, later); err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}

	was, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(was)
	tree, err := Read(".", "HEAD", []string{"."}, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var fromWork []string
	tree.WorkRead = func(name string) ([]byte, error) {
		mu.Lock()
		fromWork = append(fromWork, name)
		mu.Unlock()
		if name == "vanished.tf" {
			// as if gone since git looked: the revision's bytes all the same
			return nil, fs.ErrNotExist
		}
		return os.ReadFile(name)
	}
	for name, want := range at {
		got, err := tree.ReadFile(name)
		if err != nil || string(got) != want {
			t.Errorf("%s: %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := tree.ReadFile("new.tf"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("new.tf: %v, want not in the revision", err)
	}
	sort.Strings(fromWork)
	if got := strings.Join(fromWork, " "); got != "same.tf "+filepath.Join("sub", "deep.tf")+" vanished.tf" {
		t.Errorf("read from the working tree: %s", got)
	}
	var changed []string
	for name := range tree.Changed {
		changed = append(changed, name)
	}
	sort.Strings(changed)
	if got := strings.Join(changed, " "); got != "assumed.tf edited.tf removed.tf same-size.tf sparse.tf" {
		t.Errorf("changed: %s", got)
	}
	if len(tree.Names()) != len(at) {
		t.Errorf("names: %v", tree.Names())
	}
	if after, _ := os.ReadFile(filepath.Join(dir, ".git", "index")); !bytes.Equal(after, index) {
		t.Error("the repository's index was written")
	}
}

// A working-tree file is taken for the revision's only when its git blob id
// (SHA-1 or SHA-256 of "blob <size>\0" and the bytes) is the revision's.
func TestSameInWorkTree(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// git hash-object of "hello\n", SHA-1 and SHA-256 object formats
	for _, oid := range []string{"ce013625030ba8dba906f756967f9e9ca394464a",
		"2cf8d83d9ee29543b34a87727421fdecb7e3f3a183d337639025de576db9ebb4"} {
		if b, ok := sameInWorkTree(p, oid); !ok || string(b) != "hello\n" {
			t.Errorf("%s: not recognised", oid)
		}
	}
	if _, ok := sameInWorkTree(p, "ce013625030ba8dba906f756967f9e9ca394464b"); ok {
		t.Error("another blob id accepted")
	}
	if _, ok := sameInWorkTree(filepath.Join(filepath.Dir(p), "none"), "ce013625030ba8dba906f756967f9e9ca394464a"); ok {
		t.Error("a missing file accepted")
	}
}
