package terraform

import (
	"bytes"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
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
	snap  *model.Snapshot     // nil where the change touched the root's directory
	diags []model.Diagnostic
	files map[string]int // module directory → configuration files parsed
	// recording is what the root module's blocks added (replayFor)
	recording *rootRecording
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
// cannot be told from its files. Where the change touched the root's own
// directory (it cannot be the same on the other side) only what the
// follower needs to replay its blocks is kept (replayFor).
func (w *world) keepRoot(dir string) {
	d := w.deps
	// the recording goes with the result or not at all: the fork lives on
	// until the load ends
	recording := w.recording
	w.recording, w.warnLog = nil, nil
	if w.cache == nil || w.follower || d == nil || d.listing || d.failed || !w.lazySettled() {
		return
	}
	w.cache.mu.Lock()
	keep := w.cache.keep
	w.cache.mu.Unlock()
	r := &rootResult{dirs: map[string][]string{}, srcs: map[string][]byte{}, reads: d.reads, autos: d.autos,
		files: map[string]int{}, recording: recording}
	if keep == nil || !keep(filepath.FromSlash(DisplayPath(dir))) {
		r.snap, r.diags = w.snap, w.diags
	}
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

// records reports whether the leader records the extraction of root dir
// (replay.go): with a cache, unless the cache knows the change left alone
// the root's directory and those of the local modules it calls, directly
// or not (the follower then takes the whole result).
func (w *world) records(dir string) bool {
	if w.cache == nil || w.follower || w.deps == nil {
		return false
	}
	w.cache.mu.Lock()
	keep := w.cache.keep
	w.cache.mu.Unlock()
	if keep == nil {
		return true
	}
	seen := map[string]bool{}
	var touched func(d string) bool
	touched = func(d string) bool {
		if seen[d] {
			return false
		}
		seen[d] = true
		return keep(filepath.FromSlash(DisplayPath(d))) || slices.ContainsFunc(w.calls[d], touched)
	}
	return touched(dir)
}

// leaderRoot returns what the leader kept of root dir.
func (w *world) leaderRoot(dir string) *rootResult {
	if w.cache == nil {
		return nil
	}
	w.cache.mu.Lock()
	defer w.cache.mu.Unlock()
	return w.cache.roots[w.leaderName(dir)]
}

// reuseRoot takes the result the other side's evaluation of dir produced
// when everything it depended on is byte for byte the same here (at the
// same place, for a mirrored follower).
func (w *world) reuseRoot(dir string) bool {
	r := w.leaderRoot(dir)
	if r == nil || r.snap == nil || !w.sameDeps(r, "") {
		return false
	}
	w.cache.mu.Lock()
	r.recording = nil // not replayed: the whole result is taken
	w.cache.mu.Unlock()
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

// replayFor returns the leader's records of the blocks of root module m
// (in directory dir) that this side may replay, and its copy of their
// elements (replayPlan): none unless everything the root depended on is
// the same here but the files of its own directory and of module
// directories the leader made instances of (their instances are compared
// when extracted, instanceReplay.plan). It gives the root's evaluator e
// the leader's values of the resources that read nothing changed
// (seedValues).
func (w *world) replayFor(dir string, m *module, e *evaluator) (map[hcl.Body]*blockEffects, *model.Snapshot) {
	r := w.leaderRoot(dir)
	if r == nil {
		return nil, nil
	}
	w.cache.mu.Lock()
	rec := r.recording
	r.recording = nil // taken once: the follower evaluates each root once
	w.cache.mu.Unlock()
	if rec == nil {
		return nil, nil
	}
	differ, ok := w.differingDirs(r, w.leaderName(dir), true)
	if !ok || len(differ) > 0 && rec.prefix != e.prefix {
		return nil, nil
	}
	leaderFile := func(name string) string { return name }
	if w.mirror != nil {
		leaderFile = Counterpart(w.mirror.Own, w.mirror.Leader)
	}
	ir := &instanceReplay{rec: rec, leaderName: leaderFile, states: map[string]*moduleChange{}}
	for d := range differ {
		n := len(ir.differing)
		for q, im := range rec.instances {
			if filepath.Clean(im.dir) == d {
				ir.differing = append(ir.differing, q)
			}
		}
		if len(ir.differing) == n {
			return nil, nil // a module the leader made no instance of
		}
	}
	mc, ok := changedNames(rec.mod, m, leaderFile, ir.below(m, e.prefix))
	if !ok {
		return nil, nil
	}
	ir.states[e.prefix] = mc
	if rec.prefix == e.prefix {
		seedValues(e, rec.values[e.prefix], mc.changed)
	}
	plan, frag := replayPlan(rec, m, e.prefix, mc)
	if frag != nil {
		w.replay = ir
	}
	w.cache.countReplays(len(plan), 0)
	return plan, frag
}

// sameDeps reports whether everything r depended on is byte for byte the
// same here, but the configuration files of directory except (a leader's
// name; "" for none).
func (w *world) sameDeps(r *rootResult, except string) bool {
	differ, ok := w.differingDirs(r, except, false)
	return ok && len(differ) == 0
}

// differingDirs returns the module directories r depended on (leader's
// names, but except) whose configuration files are not byte for byte the
// same here; ok is false when anything else r depended on differs (the
// variable files, the files it read, a module outside the compared
// directories), or, unless all, when a directory differs (the first ends
// the search).
func (w *world) differingDirs(r *rootResult, except string, all bool) (differ map[string]bool, ok bool) {
	if w.mirror != nil && !r.within(w.mirror.Leader) {
		// a module or file outside the compared directories is found
		// from each side's own place: this side may use another one
		return nil, false
	}
	same := func(mine, theirs []string) bool {
		return slices.EqualFunc(mine, theirs, func(m, t string) bool { return m == w.ownName(t) })
	}
	sameDir := func(d string, files []string) bool {
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
		return true
	}
	for d, files := range r.dirs {
		if except != "" && filepath.Clean(d) == filepath.Clean(except) || sameDir(d, files) {
			continue
		}
		if !all {
			return nil, false
		}
		if differ == nil {
			differ = map[string]bool{}
		}
		differ[filepath.Clean(d)] = true
	}
	for d, autos := range r.autos {
		if !same(w.autoVarFiles(w.ownName(d)), autos) {
			return nil, false
		}
	}
	for name, want := range r.reads {
		got, err := w.read(w.ownName(name))
		switch {
		case want == nil && !errors.Is(err, fs.ErrNotExist):
			return nil, false
		case want != nil && (err != nil || !bytes.Equal(got, want)):
			return nil, false
		}
	}
	return differ, true
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

// parseAhead parses, in the follower, the files of root dir whose bytes
// differ from those the leader parsed, while the leader evaluates the
// root (ParseCache.parseAhead): unless the cache keeps no trees of the
// directory (the change left it alone) or the root is parsed already (a
// root that calls modules is parsed before any is evaluated). Files that
// fail the checks of a parse are left to that parse. A root read lazily
// (lazyMinBytes) is read whole here, as its load would read it, and kept
// on this fork for its load (world.ahead).
func (w *world) parseAhead(dir string) {
	c := w.cache
	c.mu.Lock()
	keep := c.keep
	c.mu.Unlock()
	w.mu.Lock()
	_, parsed := w.parsed[filepath.Clean(dir)]
	w.mu.Unlock()
	if parsed || keep != nil && !keep(filepath.FromSlash(DisplayPath(w.leaderName(dir)))) {
		return // parsed already (it calls modules), or taken whole
	}
	wd, _ := os.Getwd()
	files := w.dirFiles(dir)
	srcs := make([][]byte, len(files))
	total := 0
	for i, name := range files {
		srcs[i], _ = w.peek(name)
		total += len(srcs[i])
	}
	w.mu.Lock()
	lazy := w.lazy != nil && !w.lazy.whole[filepath.Clean(dir)]
	w.mu.Unlock()
	if lazy && total >= lazyMinBytes && !slices.ContainsFunc(files, isOverrideFile) {
		// read lazily (parseModule), taking no trees: read here, its
		// diagnostics given when the root's load takes it (module)
		m, diags := parseModule(files, w.peek, c, w.leaderName, true)
		w.mu.Lock()
		w.ahead = &aheadModule{filepath.Clean(dir), m, diags}
		w.mu.Unlock()
		return
	}
	// one at a time: the leader's evaluation, which it overlaps, is what
	// the load waits for
	for i, name := range files {
		src := srcs[i]
		if src == nil {
			continue
		}
		c.parseAhead(displayPathIn(wd, name), displayPathIn(wd, w.leaderName(name)), src, strings.HasSuffix(name, ".json"),
			func(src []byte) bool { return checkSource(name, src) == nil })
	}
}

// lazySettled reports whether every resource block of the lazily parsed
// modules the root used parsed as it should; a block no extraction read (a
// module with no instance) is parsed here, as reloadBroken would. A block
// that did not parse makes the root load again (reloadBroken), so its
// result and records are not kept for the follower.
func (w *world) lazySettled() bool {
	for _, m := range w.usedLazy {
		for _, file := range slices.Sorted(maps.Keys(m.lazy)) {
			for _, lb := range m.lazy[file] {
				lb.mu.Lock()
				unread := !lb.parsed && !lb.skip
				lb.mu.Unlock()
				if unread {
					lb.syntax()
					lb.release()
				}
			}
		}
		if m.lazyFailed.Load() {
			return false
		}
	}
	return true
}
