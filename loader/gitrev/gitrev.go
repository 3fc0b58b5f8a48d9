// Package gitrev reads files as they are at a git revision, from the object
// store, without touching the working tree.
package gitrev

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/sgcheck/sgcheck/internal/parallel"
)

// Tree is the content of some paths at a revision.
type Tree struct {
	// Files maps a path relative to the working directory (as a user names
	// it) to its content at the revision, for the files the working tree
	// does not hold unchanged.
	Files map[string][]byte
	// Changed holds the paths of Files whose working-tree file is absent
	// or holds other bytes.
	Changed map[string]bool
	// Unreadable holds the revision's files whose content the repository
	// does not have (a partial clone without network), with why: they are
	// named, and reading one is an error.
	Unreadable map[string]string
	// Work holds the revision's files that the working tree holds
	// unchanged, as git compares them (with its index's file stamps, as
	// git status does), with their blob ids: they are read from the
	// working tree (WorkRead), and from git where that fails.
	Work map[string]string
	// WorkRead reads a file of Work from the working tree; nil means
	// os.ReadFile. A load of the working tree may share its reads.
	WorkRead func(name string) ([]byte, error)
	root     string // the repository's top directory
}

// Names returns the paths of the revision's files, readable or not.
func (t *Tree) Names() []string {
	out := make([]string, 0, len(t.Files)+len(t.Work)+len(t.Unreadable))
	for n := range t.Files {
		out = append(out, n)
	}
	for n := range t.Work {
		out = append(out, n)
	}
	for n := range t.Unreadable {
		out = append(out, n)
	}
	return out
}

// ReadFile reads a file of the tree.
func (t *Tree) ReadFile(name string) ([]byte, error) {
	name = filepath.Clean(name)
	if b, ok := t.Files[name]; ok {
		return b, nil
	}
	if id, ok := t.Work[name]; ok {
		read := t.WorkRead
		if read == nil {
			read = os.ReadFile
		}
		if b, err := read(name); err == nil {
			return b, nil
		}
		// gone since git looked: the revision's own bytes
		b, err := git(t.root, nil, "cat-file", "blob", id)
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		return b, nil
	}
	if why, ok := t.Unreadable[name]; ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New(why)}
	}
	return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("not in the revision: %w", fs.ErrNotExist)}
}

func git(dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	// read only: no command may refresh the repository's index
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0")
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", args[0], msg)
	}
	return out, nil
}

// Read returns the files under paths (relative to dir, the working
// directory) at rev that keep reports a user's paths, selected by keep.
func Read(dir, rev string, paths []string, keep func(name string) bool) (*Tree, error) {
	// the repository's top and the commit, in one git process where rev
	// names a commit as given (each process counts when a load runs
	// beside)
	var root string
	both, err := git(dir, nil, "rev-parse", "--show-toplevel", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if top, commit, ok := strings.Cut(strings.TrimSpace(string(both)), "\n"); err == nil && ok && !strings.HasPrefix(rev, "-") {
		root, rev = top, commit
	} else {
		commit, err := Resolve(dir, rev)
		if err != nil {
			return nil, err
		}
		rev = commit
		top, err := git(dir, nil, "rev-parse", "--show-toplevel")
		if err != nil {
			return nil, err
		}
		root = strings.TrimSpace(string(top))
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(absDir); err == nil {
		absDir = real
	}
	// each path as git names it (relative to the top, slashes) and as the
	// user gave it: a file is named under the user's path, as the loader
	// names the working tree's files
	type spec struct{ repo, user string }
	var specs []spec
	var pathspecs []string
	for _, p := range paths {
		abs := p
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(absDir, p)
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("%s is outside the repository", p)
		}
		specs = append(specs, spec{filepath.ToSlash(rel), p})
		pathspecs = append(pathspecs, filepath.ToSlash(rel))
	}
	specAt := map[string][]int{} // a path as git names it → the specs naming it
	for i, sp := range specs {
		specAt[sp.repo] = append(specAt[sp.repo], i)
	}
	named := map[string]bool{} // the files' names so far
	// three listings, at once (each is a git process): the revision's
	// files; those that may have changed in the working tree since the
	// revision (edited or removed, or with file stamps other than its
	// index's: git status would compare their bytes, and refresh the
	// index, which sgcheck does not write); and those git does not look at
	// (marked assume-unchanged or skip-worktree)
	var listed [3][]byte
	var errs [3]error
	var wg sync.WaitGroup
	for i, args := range [3][]string{
		{"ls-tree", "-r", "-z", "--full-tree", rev},
		{"diff-index", "--name-only", "-z", "--no-renames", rev},
		{"ls-files", "-v", "-z"},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			listed[i], errs[i] = git(root, nil, append(append(args, "--"), pathspecs...)...)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	out := listed[0]
	changed := map[string]bool{}
	for _, name := range strings.Split(string(listed[1]), "\x00") {
		changed[name] = true
	}
	for _, rec := range strings.Split(string(listed[2]), "\x00") {
		if tag, name, ok := strings.Cut(rec, " "); ok && tag != "H" {
			changed[name] = true
		}
	}
	type entry struct {
		oid, name, repo string
		changed         bool
	}
	var entries []entry
	for _, rec := range strings.Split(string(out), "\x00") {
		meta, name, ok := strings.Cut(rec, "\t")
		if !ok {
			continue
		}
		f := strings.Fields(meta)
		if len(f) != 3 || f[1] != "blob" {
			continue
		}
		// named under each of the user's paths that holds it, as a scan of
		// each path names it (found by walking up the file's folders)
		for d := name; ; d = path.Dir(d) {
			for _, i := range specAt[d] {
				sp := specs[i]
				rest := ""
				if sp.repo == "." {
					rest = name
				} else if name != sp.repo {
					rest = strings.TrimPrefix(name, sp.repo+"/")
				}
				local := filepath.Join(sp.user, filepath.FromSlash(rest))
				if !named[local] && !hidden(filepath.FromSlash(rest)) && keep(local) {
					named[local] = true
					entries = append(entries, entry{f[2], local, name, changed[name]})
				}
			}
			if d == "." {
				break
			}
		}
	}
	t := &Tree{Files: map[string][]byte{}, Changed: map[string]bool{}, Work: map[string]string{}, root: root}
	// a file the working tree holds unchanged is read from there (git
	// itself is much slower at handing out every blob): one git does not
	// find changed when read, one that may have changed only if its git
	// blob id proves its bytes are the revision's
	var maybe []int
	for i, e := range entries {
		if e.changed {
			maybe = append(maybe, i)
		} else {
			t.Work[filepath.Clean(e.name)] = e.oid
		}
	}
	same := make([][]byte, len(maybe))
	found := make([]bool, len(maybe))
	parallel.Each(len(maybe), func(k int) {
		e := entries[maybe[k]]
		same[k], found[k] = sameInWorkTree(filepath.Join(root, filepath.FromSlash(e.repo)), e.oid)
	})
	var missing []entry
	for k, i := range maybe {
		e := entries[i]
		if found[k] {
			t.Files[filepath.Clean(e.name)] = same[k]
			continue
		}
		missing = append(missing, e)
		t.Changed[filepath.Clean(e.name)] = true
	}
	entries = missing
	if len(entries) == 0 {
		return t, nil
	}
	var in bytes.Buffer
	for _, e := range entries {
		in.WriteString(e.oid + "\n")
	}
	raw, err := git(root, &in, "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(bytes.NewReader(raw))
	for _, e := range entries {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("git cat-file: %w", err)
		}
		f := strings.Fields(header)
		if len(f) == 2 && f[1] == "missing" {
			// the object store lacks the blob (a partial clone): this file
			// cannot be read, the others can
			if t.Unreadable == nil {
				t.Unreadable = map[string]string{}
			}
			name := filepath.Clean(e.name)
			t.Unreadable[name] = "its content at the revision is not in the local repository (git object " + f[0] +
				" is missing: a partial or shallow clone?)"
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("git cat-file: unexpected %q", header)
		}
		size, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, fmt.Errorf("git cat-file: unexpected %q", header)
		}
		buf := make([]byte, size+1)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("git cat-file: %w", err)
		}
		t.Files[filepath.Clean(e.name)] = buf[:size]
	}
	return t, nil
}

// Resolve finds the commit rev names, as CI checkouts have it: a branch,
// tag or SHA, or, for a branch the clone has only as a remote-tracking
// branch (actions/checkout creates no local branches), origin/rev. When
// it is not there, the error says how to fetch it, and says so when the
// clone is shallow.
func Resolve(dir, rev string) (string, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("--base %q: not a revision", rev)
	}
	for _, cand := range []string{rev, "origin/" + rev} {
		if cand != rev && strings.HasPrefix(rev, "origin/") {
			break
		}
		if out, err := git(dir, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", cand+"^{commit}"); err == nil {
			return strings.TrimSpace(string(out)), nil
		}
	}
	if _, err := git(dir, nil, "rev-parse", "--git-dir"); err != nil {
		return "", fmt.Errorf("--base %s: the working directory is not in a git repository", rev)
	}
	name := strings.TrimPrefix(rev, "origin/")
	fetch := "git fetch --depth=1 origin " + name + ":refs/remotes/origin/" + name
	if isSHA(rev) {
		fetch = "git fetch --depth=1 origin " + rev
	}
	if out, err := git(dir, nil, "rev-parse", "--is-shallow-repository"); err == nil && strings.TrimSpace(string(out)) == "true" {
		return "", fmt.Errorf("--base %s: not in this clone, which is shallow; fetch the base (%s, or in GitHub Actions "+
			"set fetch-depth: 0 on actions/checkout)", rev, fetch)
	}
	return "", fmt.Errorf("--base %s: not a commit in this repository, nor origin/%s; fetch it (%s)", rev, name, fetch)
}

// isSHA reports whether rev looks like an abbreviated or full commit id.
func isSHA(rev string) bool {
	if len(rev) < 7 || len(rev) > 64 {
		return false
	}
	for _, c := range rev {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// hidden reports whether a path lies in .terraform or a hidden directory,
// which scans skip.
func hidden(p string) bool {
	parts := strings.Split(filepath.ToSlash(p), "/")
	for _, d := range parts[:len(parts)-1] {
		if d == ".terraform" || (strings.HasPrefix(d, ".") && d != "." && d != "..") {
			return true
		}
	}
	return false
}

// sameInWorkTree reads the working tree's file at path and reports whether
// its git blob id is oid (SHA-1, or SHA-256 in repositories that use it).
func sameInWorkTree(path, oid string) ([]byte, bool) {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() || info.Size() > 64<<20 {
		return nil, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	header := fmt.Sprintf("blob %d\x00", len(b))
	var sum string
	switch len(oid) {
	case 40:
		h := sha1.New()
		h.Write([]byte(header))
		h.Write(b)
		sum = hex.EncodeToString(h.Sum(nil))
	case 64:
		h := sha256.New()
		h.Write([]byte(header))
		h.Write(b)
		sum = hex.EncodeToString(h.Sum(nil))
	default:
		return nil, false
	}
	return b, sum == oid
}
