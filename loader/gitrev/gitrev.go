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
	// it) to its content at the revision, for the files compared with the
	// working tree when the tree was read (Read's eager) and those read
	// from git.
	Files map[string][]byte
	// Changed holds the paths of Files whose working-tree file is absent
	// or holds other bytes.
	Changed map[string]bool
	// Unreadable holds the revision's files whose content cannot be read
	// (the repository lacks it: a partial clone without network; a
	// symbolic link to a file the revision does not hold), with why: they
	// are named, and reading one is an error.
	Unreadable map[string]string
	// later holds the revision's other files: each is compared with the
	// working tree's file when first read (ReadFile).
	later  map[string]blob
	read   func(name string) ([]byte, error) // a working-tree file
	commit string                            // the revision's commit
	done   sync.Map                          // name → its read (sync.OnceValues), of later's files
	root   string                            // the repository's top directory
}

// blob is a file of the revision: its blob id, its path in the repository
// (slashes), and whether it is a symbolic link (its blob the link's text).
type blob struct {
	oid, repo string
	link      bool
}

// Names returns the paths of the revision's files, readable or not.
func (t *Tree) Names() []string {
	out := make([]string, 0, len(t.Files)+len(t.later)+len(t.Unreadable))
	for n := range t.Files {
		out = append(out, n)
	}
	for n := range t.later {
		out = append(out, n)
	}
	for n := range t.Unreadable {
		out = append(out, n)
	}
	return out
}

// ReadFile reads a file of the tree. A file not compared with the working
// tree when the tree was read is compared on its first read: the working
// tree's bytes where their blob id is the revision's, else git's.
func (t *Tree) ReadFile(name string) ([]byte, error) {
	name = filepath.Clean(name)
	if b, ok := t.Files[name]; ok {
		return b, nil
	}
	if f, ok := t.later[name]; ok {
		read, ok := t.done.Load(name)
		if !ok {
			read, _ = t.done.LoadOrStore(name, sync.OnceValues(func() ([]byte, error) { return t.readLater(name, f) }))
		}
		return read.(func() ([]byte, error))()
	}
	if why, ok := t.Unreadable[name]; ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New(why)}
	}
	return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("not in the revision: %w", fs.ErrNotExist)}
}

// readLater reads f, a file of later named name: the working tree's bytes
// where they are the revision's, else git's.
func (t *Tree) readLater(name string, f blob) ([]byte, error) {
	if b, ok := sameInWorkTree(t.root, name, f, t.read); ok {
		return b, nil
	}
	blobs, whys, err := t.contents([]blob{f})
	switch {
	case err != nil:
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	case blobs[0] == nil:
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New(whys[0])}
	}
	return blobs[0], nil
}

func git(dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd, stderr := gitCommand(dir, stdin, args)
	out, err := cmd.Output()
	if err != nil {
		return nil, gitError(args, stderr, err)
	}
	return out, nil
}

// gitStream runs git and gives read its output as git writes it (a
// revision's blobs are not gathered in one growing buffer first). A git
// that fails is the error, whatever read returned.
func gitStream(dir string, stdin io.Reader, read func(*bufio.Reader) error, args ...string) error {
	cmd, stderr := gitCommand(dir, stdin, args)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return gitError(args, stderr, err)
	}
	if err := cmd.Start(); err != nil {
		return gitError(args, stderr, err)
	}
	rerr := read(bufio.NewReaderSize(out, 64<<10))
	io.Copy(io.Discard, out) // what read left: git ends once written
	if err := cmd.Wait(); err != nil {
		return gitError(args, stderr, err)
	}
	return rerr
}

func gitCommand(dir string, stdin io.Reader, args []string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	// read only: no command may refresh the repository's index
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0")
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	return cmd, &stderr
}

func gitError(args []string, stderr *bytes.Buffer, err error) error {
	msg := strings.TrimSpace(stderr.String())
	if msg == "" {
		msg = err.Error()
	}
	return fmt.Errorf("git %s: %s", args[0], msg)
}

// Read returns the files under paths (relative to dir, the working
// directory) at rev that keep selects, named under the user's paths.
// Those eager selects are compared with the working tree at once (a load
// reads them all, and which folders changed is known before it begins):
// the working tree's bytes are the revision's where their git blob id is
// the revision's, and git gives the others' in one process. The rest are
// compared when first read (Tree.ReadFile). read reads a working-tree file
// by the name the tree gives it, for a load that reads the same files to
// share the reads (with dir the working directory); nil reads the file's
// path in the repository.
//
// Comparing bytes rather than asking git which files changed costs two
// git processes fewer, and holds whatever git's index says (files marked
// assume-unchanged or skip-worktree, stale file stamps); where git
// converts line endings on checkout (core.autocrlf), every converted file
// differs and is read from git.
func Read(dir, rev string, paths []string, keep, eager func(name string) bool, read func(name string) ([]byte, error)) (*Tree, error) {
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
	out, err := git(root, nil, append([]string{"ls-tree", "-r", "-z", "--full-tree", rev, "--"}, pathspecs...)...)
	if err != nil {
		return nil, err
	}
	type entry struct {
		blob
		name string
	}
	var entries []entry
	named := map[string]bool{} // the files' names so far
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
				local := filepath.Clean(filepath.Join(sp.user, filepath.FromSlash(rest)))
				if !named[local] && !hidden(filepath.FromSlash(rest)) && keep(local) {
					named[local] = true
					entries = append(entries, entry{blob{f[2], name, f[0] == "120000"}, local})
				}
			}
			if d == "." {
				break
			}
		}
	}
	t := &Tree{Files: map[string][]byte{}, Changed: map[string]bool{}, later: map[string]blob{}, read: read, root: root, commit: rev}
	var now []entry
	for _, e := range entries {
		if eager(e.name) {
			now = append(now, e)
		} else {
			t.later[e.name] = e.blob
		}
	}
	same := make([][]byte, len(now))
	found := make([]bool, len(now))
	parallel.Each(len(now), func(k int) {
		e := now[k]
		same[k], found[k] = sameInWorkTree(root, e.name, e.blob, read)
	})
	var missing []entry
	for k, e := range now {
		if found[k] {
			t.Files[e.name] = same[k]
			continue
		}
		missing = append(missing, e)
		t.Changed[e.name] = true
	}
	if len(missing) == 0 {
		return t, nil
	}
	files := make([]blob, len(missing))
	for i, e := range missing {
		files[i] = e.blob
	}
	blobs, whys, err := t.contents(files)
	if err != nil {
		return nil, err
	}
	for i, e := range missing {
		if blobs[i] == nil {
			if t.Unreadable == nil {
				t.Unreadable = map[string]string{}
			}
			t.Unreadable[e.name] = whys[i]
			continue
		}
		t.Files[e.name] = blobs[i]
	}
	return t, nil
}

// contents reads files as the revision has them, from git: a symbolic
// link's is the file it points to in the revision (one link followed), as
// a checkout of the revision would read it. Where one cannot be read, its
// content is nil and why says why.
func (t *Tree) contents(files []blob) (out [][]byte, whys []string, err error) {
	oids := make([]string, len(files))
	for i, f := range files {
		oids[i] = f.oid
	}
	out, err = readBlobs(t.root, oids)
	if err != nil {
		return nil, nil, err
	}
	whys = make([]string, len(files))
	var links []int
	var targets []string
	for i, f := range files {
		switch {
		case out[i] == nil:
			whys[i] = absent(f.oid)
		case f.link:
			text := string(out[i])
			out[i] = nil
			target := path.Clean(path.Join(path.Dir(f.repo), text))
			if path.IsAbs(text) || target == ".." || strings.HasPrefix(target, "../") || strings.ContainsAny(target, "\n\r") {
				whys[i] = "at the revision it is a symbolic link to " + text + ", outside the repository"
				continue
			}
			whys[i] = "at the revision it is a symbolic link to " + target + ", which the revision does not hold as a file"
			links = append(links, i)
			targets = append(targets, t.commit+":"+target)
		}
	}
	if len(links) == 0 {
		return out, whys, nil
	}
	followed, err := readBlobs(t.root, targets)
	if err != nil {
		return nil, nil, err
	}
	for k, i := range links {
		if followed[k] != nil {
			out[i], whys[i] = followed[k], ""
		}
	}
	return out, whys, nil
}

// absent is why a file whose blob oid the object store lacks cannot be
// read.
func absent(oid string) string {
	return "its content at the revision is not in the local repository (git object " + oid +
		" is missing: a partial or shallow clone?)"
}

// readBlobs reads the blobs oids (or other object names, such as
// commit:path) from the repository at root, in one git process: nil for
// one the object store lacks (a partial clone) or that is not a blob,
// which leaves the others readable.
func readBlobs(root string, oids []string) ([][]byte, error) {
	var in bytes.Buffer
	for _, oid := range oids {
		in.WriteString(oid + "\n")
	}
	out := make([][]byte, len(oids))
	err := gitStream(root, &in, func(r *bufio.Reader) error {
		for i := range oids {
			header, err := r.ReadString('\n')
			if err != nil {
				return fmt.Errorf("git cat-file: %w", err)
			}
			if strings.HasSuffix(header, " missing\n") || strings.HasSuffix(header, " ambiguous\n") {
				continue
			}
			f := strings.Fields(header)
			if len(f) != 3 {
				return fmt.Errorf("git cat-file: unexpected %q", header)
			}
			size, err := strconv.Atoi(f[2])
			if err != nil || size < 0 {
				return fmt.Errorf("git cat-file: unexpected %q", header)
			}
			buf := make([]byte, size+1)
			if _, err := io.ReadFull(r, buf); err != nil {
				return fmt.Errorf("git cat-file: %w", err)
			}
			if f[1] == "blob" {
				out[i] = buf[:size:size]
			}
		}
		return nil
	}, "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	return out, nil
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

// sameInWorkTree reads file f of the repository at root from the working
// tree (named name, read with read; nil reads its path) and reports whether
// it is the revision's: a file whose git blob id is f's, or a symbolic link
// whose text is f's, read through the link as a load reads it.
func sameInWorkTree(root, name string, f blob, read func(string) ([]byte, error)) ([]byte, bool) {
	path := filepath.Join(root, filepath.FromSlash(f.repo))
	info, err := os.Lstat(path)
	if err != nil {
		return nil, false
	}
	if read == nil {
		read = func(string) ([]byte, error) { return os.ReadFile(path) }
	}
	switch {
	case f.link && info.Mode()&fs.ModeSymlink != 0:
		text, err := os.Readlink(path)
		if err != nil || !blobID([]byte(filepath.ToSlash(text)), f.oid) {
			return nil, false
		}
	case f.link || !info.Mode().IsRegular() || info.Size() > 64<<20:
		return nil, false
	}
	b, err := read(name)
	if err != nil || !f.link && !blobID(b, f.oid) {
		return nil, false
	}
	return b, true
}

// blobID reports whether b's git blob id is oid (SHA-1, or SHA-256 in
// repositories that use it).
func blobID(b []byte, oid string) bool {
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
		return false
	}
	return sum == oid
}
