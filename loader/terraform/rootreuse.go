package terraform

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"sync"

	"github.com/sgcheck/sgcheck/model"
)

// rootResult is what evaluating one root module produced, and what it
// depended on: the configuration files of every module directory it used
// (their names and bytes), the other files it read (variable files, the
// module manifest, files read by file functions; nil for one that did not
// exist) and the directories' lists of *.auto.tfvars. A root whose
// evaluation listed directories (fileset, fileexists) is not kept.
type rootResult struct {
	dirs  map[string][]string // module directory → its configuration files
	srcs  map[string][]byte   // configuration file → bytes
	reads map[string][]byte   // other file read → bytes (nil: did not exist)
	autos map[string][]string // directory → its *.auto.tfvars files
	snap  *model.Snapshot
	diags []model.Diagnostic
	files map[string]int // module directory → configuration files parsed
}

// rootDeps records, in the world that evaluates one root, what the
// evaluation depends on.
type rootDeps struct {
	mu   sync.Mutex
	dirs map[string]bool
	// srcs are the bytes of the module files this root evaluated, as its
	// modules were parsed: not what the cache holds when the root ends,
	// which may be the other side's copy by then
	srcs    map[string][]byte
	reads   map[string][]byte
	autos   map[string][]string
	listing bool // fileset or fileexists was called: not reusable
	failed  bool // a read failed other than for a missing file
}

func newRootDeps() *rootDeps {
	return &rootDeps{dirs: map[string]bool{}, srcs: map[string][]byte{}, reads: map[string][]byte{}, autos: map[string][]string{}}
}

// noteSources records the bytes of a module the root uses; d and m may be
// nil (nothing recorded, or nothing parsed).
func (d *rootDeps) noteSources(m *module) {
	if d == nil || m == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for name, src := range m.srcs {
		d.srcs[name] = src
	}
}

// recordingRead wraps read so that every file the root reads is noted.
func (d *rootDeps) recordingRead(read func(string) ([]byte, error)) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		b, err := read(name)
		d.mu.Lock()
		defer d.mu.Unlock()
		switch {
		case err == nil:
			d.reads[name] = b
		case errors.Is(err, fs.ErrNotExist):
			d.reads[name] = nil
		default:
			d.failed = true
		}
		return b, err
	}
}

// keepRoot stores the root's result in the cache, unless what it depends on
// cannot be told from its files, or the change touched the root's own
// directory (it cannot be the same on the other side).
func (w *world) keepRoot(dir string) {
	d := w.deps
	if w.cache == nil || w.follower || d == nil || d.listing || d.failed {
		return
	}
	w.cache.mu.Lock()
	keep := w.cache.keep
	w.cache.mu.Unlock()
	if keep != nil && keep(filepath.FromSlash(DisplayPath(dir))) {
		return
	}
	r := &rootResult{dirs: map[string][]string{}, srcs: map[string][]byte{}, reads: d.reads, autos: d.autos,
		snap: w.snap, diags: w.diags, files: map[string]int{}}
	for dir := range d.dirs {
		files := w.dirFiles(dir)
		r.dirs[dir] = files
		if n, ok := w.filesRead.of(dir); ok {
			r.files[dir] = n
		}
		for _, f := range files {
			src, ok := d.srcs[f]
			if !ok {
				return // not read: cannot be compared
			}
			r.srcs[f] = src
		}
	}
	w.cache.mu.Lock()
	w.cache.roots[dir] = r
	w.cache.mu.Unlock()
}

// reuseRoot takes the result the other side's evaluation of dir produced
// when everything it depended on is byte for byte the same here (at the
// same place, for a mirrored follower).
func (w *world) reuseRoot(dir string) bool {
	if w.cache == nil {
		return false
	}
	w.cache.mu.Lock()
	r := w.cache.roots[w.leaderName(dir)]
	w.cache.mu.Unlock()
	if r == nil {
		return false
	}
	if w.mirror != nil && !r.within(w.mirror.Leader) {
		// a module or file outside the compared directories is found
		// from each side's own place: this side may use another one
		return false
	}
	same := func(mine, theirs []string) bool {
		return slices.EqualFunc(mine, theirs, func(m, t string) bool { return m == w.ownName(t) })
	}
	for d, files := range r.dirs {
		mine := w.dirFiles(w.ownName(d))
		if !same(mine, files) {
			return false
		}
		for i, f := range files {
			// the bytes read ahead (mentionsModule), which a root taken
			// from the other side never parses
			src, err := w.readOnce(mine[i])
			if err != nil || !bytes.Equal(src, r.srcs[f]) {
				return false
			}
		}
	}
	for d, autos := range r.autos {
		if !same(w.autoVarFiles(w.ownName(d)), autos) {
			return false
		}
	}
	for name, want := range r.reads {
		got, err := w.read(w.ownName(name))
		switch {
		case want == nil && !errors.Is(err, fs.ErrNotExist):
			return false
		case want != nil && (err != nil || !bytes.Equal(got, want)):
			return false
		}
	}
	w.cache.mu.Lock()
	w.cache.reused++
	w.cache.mu.Unlock()
	// a copy: each side edits its snapshot in place once loaded
	w.snap = r.snap.Clone()
	w.diags = append(w.diags, r.diags...)
	for d, n := range r.files {
		w.filesRead.add(w.ownName(d), n)
	}
	return true
}

// within reports whether everything the root depended on is inside dir.
func (r *rootResult) within(dir string) bool {
	for d := range r.dirs {
		if !under(filepath.Clean(d), dir) {
			return false
		}
	}
	for d := range r.autos {
		if !under(filepath.Clean(d), dir) {
			return false
		}
	}
	for name := range r.reads {
		if !under(filepath.Clean(name), dir) {
			return false
		}
	}
	return true
}
