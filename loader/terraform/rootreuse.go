package terraform

import (
	"bytes"
	"errors"
	"io/fs"
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
	files int64
}

// rootDeps records, in the world that evaluates one root, what the
// evaluation depends on.
type rootDeps struct {
	mu      sync.Mutex
	dirs    map[string]bool
	reads   map[string][]byte
	autos   map[string][]string
	listing bool // fileset or fileexists was called: not reusable
	failed  bool // a read failed other than for a missing file
}

func newRootDeps() *rootDeps {
	return &rootDeps{dirs: map[string]bool{}, reads: map[string][]byte{}, autos: map[string][]string{}}
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
// cannot be told from its files.
func (w *world) keepRoot(dir string) {
	d := w.deps
	if w.cache == nil || d == nil || d.listing || d.failed {
		return
	}
	r := &rootResult{dirs: map[string][]string{}, srcs: map[string][]byte{}, reads: d.reads, autos: d.autos,
		snap: w.snap, diags: w.diags}
	for dir := range d.dirs {
		files := w.dirFiles(dir)
		r.dirs[dir] = files
		r.files += int64(len(files))
		for _, f := range files {
			src, ok := w.cache.source(DisplayPath(f))
			if !ok {
				return // not parsed through the cache: cannot be compared
			}
			r.srcs[f] = src
		}
	}
	w.cache.mu.Lock()
	w.cache.roots[dir] = r
	w.cache.mu.Unlock()
}

// reuseRoot takes the result the other side's evaluation of dir produced
// when everything it depended on is byte for byte the same here.
func (w *world) reuseRoot(dir string) bool {
	if w.cache == nil {
		return false
	}
	w.cache.mu.Lock()
	r := w.cache.roots[dir]
	w.cache.mu.Unlock()
	if r == nil {
		return false
	}
	for d, files := range r.dirs {
		if !slices.Equal(w.dirFiles(d), files) {
			return false
		}
		for _, f := range files {
			src, err := w.read(f)
			if err != nil || !bytes.Equal(src, r.srcs[f]) {
				return false
			}
		}
	}
	for d, autos := range r.autos {
		if !slices.Equal(w.autoVarFiles(d), autos) {
			return false
		}
	}
	for name, want := range r.reads {
		got, err := w.read(name)
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
	w.snap = r.snap
	w.diags = append(w.diags, r.diags...)
	w.filesRead.Add(r.files)
	return true
}

// source returns the bytes a configuration file was parsed from.
func (c *ParseCache) source(name string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.m[name]
	return f.src, ok
}
