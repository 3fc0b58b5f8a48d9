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

// A revision's configuration file is taken from the working tree where the
// working tree's bytes have the revision's git blob id, whatever git's
// index says; every other one (edited, even to the same size, removed,
// marked assume-unchanged and changed behind git's back, skip-worktree and
// absent) is read from git. The files Read does not compare at once (data
// files) are compared when first read, once: one gone from the working
// tree by then is read from git. The repository's index is not written.
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
		"touched.tf": "touched\n", "data.json": "[1]\n", "data-edited.json": "[2]\n", "vanished.json": "[3]\n"}
	run("init", "-q")
	for name, src := range at {
		write(name, src)
	}
	// a configuration file linked from another folder: read through the
	// link, as a load reads it, where the link is the revision's
	if err := os.Symlink("same.tf", filepath.Join(dir, "link.tf")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	at["link.tf"] = at["same.tf"]
	// a link the change points elsewhere: the file it pointed to, as the
	// revision has it
	if err := os.Symlink("same-size.tf", filepath.Join(dir, "relinked.tf")); err != nil {
		t.Fatal(err)
	}
	at["relinked.tf"] = at["same-size.tf"]
	run("add", "-A")
	run("commit", "-qm", "base")
	if err := os.Remove(filepath.Join(dir, "relinked.tf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("edited.tf", filepath.Join(dir, "relinked.tf")); err != nil {
		t.Fatal(err)
	}
	write("edited.tf", "edited, longer\n")
	write("same-size.tf", "2222\n")
	write("data-edited.json", "[9]\n")
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

	t.Chdir(dir)
	var mu sync.Mutex
	var fromWork []string
	read := func(name string) ([]byte, error) {
		mu.Lock()
		fromWork = append(fromWork, name)
		mu.Unlock()
		return os.ReadFile(name)
	}
	readSoFar := func() string {
		mu.Lock()
		defer mu.Unlock()
		sort.Strings(fromWork)
		return strings.Join(fromWork, " ")
	}
	eager := func(name string) bool { return filepath.Ext(name) == ".tf" }
	tree, err := Read(".", "HEAD", []string{"."}, func(string) bool { return true }, eager, read)
	if err != nil {
		t.Fatal(err)
	}
	// compared at once: the configuration files in the working tree
	if got, want := readSoFar(), "assumed.tf edited.tf link.tf same-size.tf same.tf "+filepath.Join("sub", "deep.tf")+" touched.tf"; got != want {
		t.Errorf("read from the working tree by Read: %s, want %s", got, want)
	}
	var changed []string
	for name := range tree.Changed {
		changed = append(changed, name)
	}
	sort.Strings(changed)
	if got := strings.Join(changed, " "); got != "assumed.tf edited.tf relinked.tf removed.tf same-size.tf sparse.tf" {
		t.Errorf("changed: %s", got)
	}
	// gone since the revision was read: git's bytes all the same
	if err := os.Remove("vanished.json"); err != nil {
		t.Fatal(err)
	}
	fromWork = nil
	for i := 0; i < 2; i++ {
		for name, want := range at {
			got, err := tree.ReadFile(name)
			if err != nil || string(got) != want {
				t.Errorf("%s: %q, %v; want %q", name, got, err, want)
			}
		}
	}
	// compared when read, once each
	if got := readSoFar(); got != "data-edited.json data.json" {
		t.Errorf("read from the working tree later: %s", got)
	}
	if _, err := tree.ReadFile("new.tf"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("new.tf: %v, want not in the revision", err)
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
		if b, ok := sameInWorkTree(filepath.Dir(p), "f", blob{oid, "f", false}, nil); !ok || string(b) != "hello\n" {
			t.Errorf("%s: not recognised", oid)
		}
	}
	if _, ok := sameInWorkTree(filepath.Dir(p), "f", blob{"ce013625030ba8dba906f756967f9e9ca394464b", "f", false}, nil); ok {
		t.Error("another blob id accepted")
	}
	if _, ok := sameInWorkTree(filepath.Dir(p), "none", blob{"ce013625030ba8dba906f756967f9e9ca394464a", "none", false}, nil); ok {
		t.Error("a missing file accepted")
	}
}

// A file compared when first read whose blob the object store lacks (a
// partial clone) cannot be read, and the error says why; the others can.
func TestReadRevisionBlobMissingLater(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	t.Chdir(dir)
	git := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...).Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	for name, src := range map[string]string{"main.tf": "locals {}\n", "a.json": "[1]\n", "b.json": "[2]\n"} {
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// links the revision cannot follow: out of the repository, and to a
	// file it does not have (both changed since, so read from git)
	links := map[string]string{"out.json": "../elsewhere.json", "dangling.json": "nowhere.json"}
	for name, to := range links {
		if err := os.Symlink(to, name); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-qm", "base")
	for name := range links {
		if err := os.Remove(name); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("b.json", name); err != nil {
			t.Fatal(err)
		}
	}
	oid := git("rev-parse", "HEAD:a.json")
	if err := os.Remove(filepath.Join(".git", "objects", oid[:2], oid[2:])); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.json", "b.json"} {
		if err := os.WriteFile(name, []byte("[9]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := Read(".", "HEAD", []string{"."}, func(string) bool { return true },
		func(name string) bool { return filepath.Ext(name) == ".tf" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.ReadFile("a.json"); err == nil || !strings.Contains(err.Error(), oid+" is missing") {
		t.Errorf("a.json: %v, want its object missing", err)
	}
	if got, err := tree.ReadFile("b.json"); err != nil || string(got) != "[2]\n" {
		t.Errorf("b.json: %q, %v", got, err)
	}
	for name, want := range map[string]string{"out.json": "to ../elsewhere.json, outside the repository",
		"dangling.json": "to nowhere.json, which the revision does not hold"} {
		if _, err := tree.ReadFile(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}
