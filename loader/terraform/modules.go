package terraform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/sgcheck/sgcheck/internal/parallel"
	"github.com/sgcheck/sgcheck/internal/safeio"
	"github.com/sgcheck/sgcheck/model"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// maxModuleDepth bounds module nesting so that a module calling itself (by
// mistake or on purpose) cannot make loading run without end.
const maxModuleDepth = 16

// world is what a load shares across modules: how to read files, parsed
// directories, the snapshot being filled and its diagnostics.
type world struct {
	mu *sync.Mutex // guards parsed and failed, shared by forks
	// readAhead holds files read before their parse (shared by forks).
	readAhead *sync.Map
	// listings holds each directory's configuration files, listed once
	// (shared by forks; dirFiles)
	listings *sync.Map
	read     func(string) ([]byte, error)
	files    []string // the file list when not reading the file system
	// byDir indexes files by directory (cleaned), each list sorted
	byDir map[string][]string
	// only lists, for a directory given by naming some of its files, those files.
	only   map[string][]string
	parsed map[string]*module
	failed map[string]bool
	snap   *model.Snapshot
	diags  []model.Diagnostic
	warned map[string]bool
	// reevaluations counts the module calls a fork evaluated again because
	// calls read each other (moduleValue); maxReevaluations bounds it.
	reevaluations int
	// rootDir is the directory of the root being evaluated; registry and
	// git modules are looked up in its .terraform/modules/modules.json.
	rootDir  string
	manifest map[string]string // module key → directory
	// scanRoots are the absolute directories file functions may read.
	scanRoots []string
	// calls holds, by directory, the directories its local module calls
	// name
	calls map[string][]string
	// filesRead counts parsed configuration files (shared by forks).
	filesRead *fileCount
	// funcTable is the function library bound to rootDir; dataFiles holds
	// what its file functions read (path to bytes), each file read once.
	funcTable map[string]function.Function
	dataFiles *sync.Map
	// jsonDocs keeps the documents jsondecode decoded, for every root of
	// the load (shared by forks): roots often decode the same files
	jsonDocs *jsonMemo
	// templateSyntax keeps how each template file parses, for every root
	// (shared by forks)
	templateSyntax *templateSyntax
	// cache shares parsed modules with another load of the run (nil: none).
	cache *ParseCache
	// deps records what the root being evaluated depends on (with a cache).
	deps *rootDeps
	// follower is set for the follower of paired loads, mirror when it
	// loads another directory than the leader.
	follower bool
	mirror   *Mirror
	// lazy is what forks share about lazily parsed modules (lazyFile);
	// usedLazy lists those this fork's root used, parsedHere the
	// directories this fork parsed (and reported the diagnostics of).
	lazy       *lazyModules
	usedLazy   []*module
	parsedHere []string
	// recording, in the leader of paired loads, holds what extracting the
	// root module's blocks added (with warnLog, every warning asked for);
	// replay, in the follower, the records it may replay instead, and
	// replayed their elements (see replay.go)
	recording *rootRecording
	warnLog   []warnCall
	replays   map[hcl.Body]*blockEffects
	replayed  *model.Snapshot
	replay    *instanceReplay
	// ahead holds, in the follower, a large root read lazily while the
	// leader evaluated its copy (parseAhead), until the root's load takes
	// it (module)
	ahead *aheadModule
}

// aheadModule is a module (of directory dir) read ahead of its load, and
// what reading it reported.
type aheadModule struct {
	dir   string
	m     *module
	diags []model.Diagnostic
}

// retract takes back the diagnostics from index first: what they are
// about is evaluated again, and reports again what still holds.
func (w *world) retract(first int) {
	for _, d := range w.diags[first:] {
		if d.Warning {
			delete(w.warned, warnKey(d.File, d.Line, d.Message))
			w.snap.Unknowns--
		}
	}
	w.diags = w.diags[:first]
}

func warnKey(file string, line int, msg string) string {
	return fmt.Sprintf("%s:%d:%s", file, line, msg)
}

func (w *world) warn(r hcl.Range, msg string) { w.warnAt(r.Filename, r.Start.Line, msg) }

// warnAt records a warning at a file's line once.
func (w *world) warnAt(file string, line int, msg string) {
	key := warnKey(file, line, msg)
	if w.recording != nil {
		at := -1
		if !w.warned[key] {
			at = len(w.diags)
		}
		w.warnLog = append(w.warnLog, warnCall{file: file, line: line, msg: msg, at: at})
	}
	if w.warned[key] {
		return
	}
	w.warned[key] = true
	w.snap.Unknowns++
	w.diags = append(w.diags, model.Diagnostic{File: file, Line: line, Message: msg, Warning: true})
}

// dirFiles lists the configuration files of one directory.
func (w *world) dirFiles(dir string) []string {
	dir = filepath.Clean(dir)
	if only, ok := w.only[dir]; ok {
		return only
	}
	if w.files != nil {
		var out []string
		for _, f := range w.byDir[dir] {
			if IsConfigFile(f) {
				out = append(out, f)
			}
		}
		return tofuFirst(out)
	}
	if w.listings != nil {
		if l, ok := w.listings.Load(dir); ok {
			return l.([]string)
		}
	}
	out := namesEnding(dir, ".tf", ".tf.json", ".tofu", ".tofu.json")
	out = tofuFirst(out)
	if w.listings != nil {
		w.listings.Store(dir, out)
	}
	return out
}

// namesEnding lists, sorted, the entries of directory dir whose names end
// in one of suffixes (as filepath.Glob lists *suffix, but reading the
// directory once, and taking dir as a name, not a pattern).
func namesEnding(dir string, suffixes ...string) []string {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	var out []string
	for _, n := range names {
		for _, suffix := range suffixes {
			if strings.HasSuffix(n, suffix) {
				out = append(out, filepath.Join(dir, n))
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// fork returns a world sharing w's parsed modules, with its own snapshot
// and diagnostics, for evaluating one root.
func (w *world) fork() *world {
	return &world{mu: w.mu, readAhead: w.readAhead, listings: w.listings, read: w.read, files: w.files, byDir: w.byDir, only: w.only, parsed: w.parsed, failed: w.failed, cache: w.cache,
		snap: &model.Snapshot{}, warned: map[string]bool{}, scanRoots: w.scanRoots, calls: w.calls, filesRead: w.filesRead, follower: w.follower, mirror: w.mirror,
		lazy: w.lazy, jsonDocs: w.jsonDocs, templateSyntax: w.templateSyntax}
}

// fileCount counts the configuration files parsed, each directory's once.
type fileCount struct {
	mu   sync.Mutex
	dirs map[string]int
}

func newFileCount() *fileCount { return &fileCount{dirs: map[string]int{}} }

// add counts the n files of dir, unless dir is counted already.
func (c *fileCount) add(dir string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.dirs[dir]; !ok {
		c.dirs[dir] = n
	}
}

// of returns the count of dir (false when it was not counted).
func (c *fileCount) of(dir string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.dirs[dir]
	return n, ok
}

// reset forgets the count of dir (a root loaded again).
func (c *fileCount) reset(dir string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.dirs, dir)
}

func (c *fileCount) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, k := range c.dirs {
		n += k
	}
	return n
}

// take merges what the only fork found, taking its lists rather than
// copying them where w's are empty: the fork is not used again.
func (w *world) take(f *world) {
	w.snap.Take(f.snap)
	w.diags = append(w.diags, f.diags...)
}

// merge appends what a fork found.
func (w *world) merge(f *world) {
	w.snap.Add(f.snap)
	w.diags = append(w.diags, f.diags...)
}

// module returns the parsed module in dir, parsing it on first use.
// Parsing happens outside the lock, so forks parse in parallel.
func (w *world) module(dir string) *module {
	dir = filepath.Clean(dir)
	if w.deps != nil {
		w.deps.mu.Lock()
		w.deps.dirs[dir] = true
		w.deps.mu.Unlock()
	}
	w.mu.Lock()
	m, ok := w.parsed[dir]
	failed := w.failed[dir]
	lazy := w.lazy != nil && !w.lazy.whole[dir]
	ahead := w.ahead
	if ahead != nil && ahead.dir == dir {
		w.ahead = nil
	} else {
		ahead = nil
	}
	w.mu.Unlock()
	if ok || failed {
		w.deps.noteSources(m)
		w.useLazy(m)
		return m
	}
	files := w.dirFiles(dir)
	var diags []model.Diagnostic
	switch {
	case ahead != nil:
		m, diags = ahead.m, ahead.diags
		w.cache.mu.Lock()
		w.cache.modulesAhead++
		w.cache.mu.Unlock()
	case len(files) > 0:
		m, diags = parseModule(files, w.readOnce, w.cache, w.leaderName, lazy)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if prev, ok := w.parsed[dir]; ok || w.failed[dir] {
		w.deps.noteSources(prev)
		w.useLazy(prev)
		return prev // another fork parsed it meanwhile
	}
	w.diags = append(w.diags, diags...)
	w.parsedHere = append(w.parsedHere, dir)
	if m == nil {
		w.failed[dir] = true
		return nil
	}
	m.dir = dir
	w.parsed[dir] = m
	w.filesRead.add(dir, len(m.files))
	w.deps.noteSources(m)
	if m.lazy != nil {
		w.lazy.mods = append(w.lazy.mods, m)
	}
	w.useLazy(m)
	return m
}

// useLazy records that the fork's root uses m, when m is parsed lazily.
func (w *world) useLazy(m *module) {
	if m != nil && m.lazy != nil {
		w.usedLazy = append(w.usedLazy, m)
	}
}

// forget drops a root's syntax trees once it has been evaluated.
func (w *world) forget(dir string) {
	w.mu.Lock()
	delete(w.parsed, filepath.Clean(dir))
	w.failed[filepath.Clean(dir)] = true
	w.mu.Unlock()
}

// mentionsModule reports whether a file contains the word "module" (a
// directory without it cannot call a module) and keeps its bytes.
func (w *world) mentionsModule(file string) bool {
	src, err := w.read(file)
	if err != nil {
		return false
	}
	// keep what was read for the parse, so each file is read once
	w.readAhead.Store(file, src)
	return bytes.Contains(src, []byte("module"))
}

// readOnce returns a file's bytes, from the read-ahead of mentionsModule
// when it has them.
func (w *world) readOnce(name string) ([]byte, error) {
	if src, ok := w.readAhead.LoadAndDelete(name); ok {
		return src.([]byte), nil
	}
	return w.read(name)
}

// peek returns a file's bytes as readOnce does, and leaves them for
// readOnce to return again.
func (w *world) peek(name string) ([]byte, error) {
	if src, ok := w.readAhead.Load(name); ok {
		return src.([]byte), nil
	}
	src, err := w.read(name)
	if err == nil {
		w.readAhead.Store(name, src)
	}
	return src, err
}

// parseAll parses directories in parallel, one parser per directory; the
// results are the same as parsing them one by one. It returns the
// directories parsed whole without a problem.
func (w *world) parseAll(dirs []string) (clean map[string]bool) {
	type result struct {
		m     *module
		diags []model.Diagnostic
	}
	results := make([]result, len(dirs))
	parallel.Each(len(dirs), func(i int) {
		files := w.dirFiles(dirs[i])
		if len(files) == 0 {
			return
		}
		m, diags := parseModule(files, w.readOnce, w.cache, w.leaderName, w.lazy != nil)
		if m != nil {
			m.dir = filepath.Clean(dirs[i])
			w.filesRead.add(m.dir, len(m.files))
		}
		results[i] = result{m, diags}
	})
	clean = map[string]bool{}
	for i, d := range dirs {
		d = filepath.Clean(d)
		w.diags = append(w.diags, results[i].diags...)
		if results[i].m == nil {
			w.failed[d] = true
			continue
		}
		w.parsed[d] = results[i].m
		if results[i].m.lazy != nil {
			w.lazy.mods = append(w.lazy.mods, results[i].m)
		} else if len(results[i].diags) == 0 {
			clean[d] = true
		}
	}
	return clean
}

// localCalls returns the sources of the local modules m calls, in order.
func localCalls(m *module) []string {
	var out []string
	for _, b := range m.blocks {
		if b.Type != "module" {
			continue
		}
		if src, ok := callSource(b); ok && isLocalSource(src) {
			out = append(out, src)
		}
	}
	return out
}

// loadManifest reads .terraform/modules/modules.json of a root, where
// terraform init records the directories of registry and git modules.
func (w *world) loadManifest(root string) {
	w.rootDir, w.manifest, w.funcTable = root, map[string]string{}, nil
	raw, err := w.read(filepath.Join(root, ".terraform", "modules", "modules.json"))
	if err != nil {
		return
	}
	var doc struct {
		Modules []struct{ Key, Dir string }
	}
	if json.Unmarshal(raw, &doc) != nil {
		return
	}
	for _, m := range doc.Modules {
		w.manifest[m.Key] = filepath.Join(root, filepath.FromSlash(m.Dir))
	}
}

// isLocalSource reports whether a module source is a path.
func isLocalSource(src string) bool {
	return strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../") || src == "." || src == ".."
}

// callSource returns the literal source of a module block.
func callSource(b *hcl.Block) (string, bool) {
	attrs, _ := b.Body.JustAttributes()
	a, ok := attrs["source"]
	if !ok {
		return "", false
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String || v.IsNull() {
		return "", false
	}
	return v.AsString(), true
}

// moduleKey is the manifest key of a call: the call names from the root,
// joined with dots.
func (e *evaluator) moduleKey(name string) string {
	var parts []string
	for _, seg := range strings.Split(strings.TrimSuffix(e.prefix, "."), ".") {
		if i := strings.LastIndex(seg, ":"); i >= 0 {
			seg = seg[i+1:]
		}
		if i := strings.Index(seg, "["); i >= 0 {
			seg = seg[:i]
		}
		parts = append(parts, seg)
	}
	var key []string
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "module" {
			key = append(key, parts[i+1])
		}
	}
	return strings.Join(append(key, name), ".")
}

var moduleMeta = map[string]bool{"source": true, "version": true, "count": true, "for_each": true,
	"providers": true, "depends_on": true}

// moduleValue is what module.<name> evaluates to in the caller: an object
// of the child's outputs (a tuple or map of them under count or for_each).
// The child instances are kept for extraction.
func (e *evaluator) moduleValue(name string) cty.Value {
	if e.busy["module."+name] {
		// another call's argument reads this call while it is being
		// evaluated
		e.readBusy[name] = true
		return cty.DynamicVal
	}
	if v, ok := e.modVals[name]; ok {
		return v
	}
	start, first := len(e.evaluated), len(e.world.diags)
	v := e.evalModule(name)
	if !e.readBusy[name] || e.recomputing || e.world.reevaluations >= maxReevaluations {
		return v
	}
	// Module calls may read each other's outputs (Terraform allows it where
	// no single value depends on itself). The calls first evaluated while
	// this one was, and that read it, saw it as not known: evaluate them
	// again now that it is, then this one, whose arguments may read them.
	delete(e.readBusy, name)
	e.recomputing = true
	defer func() { e.recomputing = false }()
	e.world.retract(first)
	clear(e.localVals)
	clear(e.resVals)
	e.dataVal, e.full = cty.NilVal, nil
	for _, n := range e.evaluated[start+1:] {
		e.world.reevaluations++
		e.evalModule(n)
	}
	return e.evalModule(name)
}

// maxReevaluations bounds how many module calls one root evaluates again
// because calls read each other: nested modules that all do so would
// otherwise multiply the work level by level.
const maxReevaluations = 256

// evalModule evaluates a module call's instances and their outputs.
func (e *evaluator) evalModule(name string) cty.Value {
	key := "module." + name
	e.busy[key] = true
	defer delete(e.busy, key)
	if e.recomputing {
		delete(e.children, name) // the first evaluation's instances
	} else {
		e.evaluated = append(e.evaluated, name)
	}
	e.modVals[name] = cty.DynamicVal
	b := e.modCalls[name]
	child, why := e.resolveModule(name, b)
	if child == nil {
		if strings.HasPrefix(why, cycleMessage) {
			// invalid Terraform: an input error at the call, once
			e.world.diags = append(e.world.diags, model.Diagnostic{File: b.DefRange.Filename,
				Line: b.DefRange.Start.Line, Message: "module." + name + ": " + why})
			return cty.DynamicVal
		}
		e.world.warn(b.DefRange, fmt.Sprintf("%smodule.%s not analysed: %s", e.prefix, name, why))
		return cty.DynamicVal
	}
	attrs, _ := b.Body.JustAttributes()
	insts, why := e.expand("module."+name, attrs)
	if len(insts) == 0 && why != "" {
		if !strings.HasPrefix(why, invalidExpansion) {
			e.world.warn(b.DefRange, fmt.Sprintf("%smodule.%s not analysed: %s", e.prefix, name, why))
		}
		return cty.DynamicVal
	}
	if why != "" {
		e.world.warn(b.DefRange, fmt.Sprintf("%smodule.%s is analysed as %s: %s",
			e.prefix, name, conditionalWhat(e.prefix, insts), why))
	}
	var values []cty.Value
	obj := map[string]cty.Value{}
	for _, in := range insts {
		inputs := map[string]cty.Value{}
		origins := map[string]hcl.Range{}
		derived := map[string]bool{}
		// in source order: an input may read another module call, which
		// may read this one (valid where no single value depends on
		// itself); where the calls meet, the one being evaluated is not
		// yet known, so the order must not be map order
		for _, a := range attrsInOrder(attrs) {
			an := a.Name
			if moduleMeta[an] {
				continue
			}
			origins[an] = a.Expr.Range()
			derived[an] = len(a.Expr.Variables()) > 0
			v, diags := a.Expr.Value(e.ctxFor(a.Expr, in.vars))
			e.world.fileErrors(diags)
			if diags.HasErrors() {
				v = cty.DynamicVal
			} else if tooLarge(v) {
				e.report(tooLargeAt(a.Expr.Range(), "module."+name+"'s argument "+an))
				v = cty.DynamicVal
			}
			inputs[an] = v
		}
		ce, diags := newEvaluator(e.world, child, e.prefix+in.addr+".", inputs, origins, derived, e.depth+1)
		ce.parent = e
		ce.callArgs = attrs
		ce.ifCreated = e.ifCreated
		if in.conditional && ce.ifCreated == "" {
			ce.ifCreated = e.prefix + in.addr
		}
		ce.callSite, ce.callers = e.callSite, e.callers
		src, _ := callSource(b)
		ce.vendored = e.vendored || !isLocalSource(src)
		if !e.vendored {
			if e.callSite.File != "" {
				ce.callers = append(slices.Clip(e.callers), e.callSite)
			}
			ce.callSite = e.mod.blockSource(b)
		}
		e.each = in.partial
		for an, v := range inputs {
			if !v.IsWhollyKnown() {
				ce.varsWhy[an] = e.unknownReason(attrs[an].Expr, e.ctxFor(attrs[an].Expr, in.vars))
			}
		}
		e.each = ""
		// a value Terraform refuses depends on the instance; the rest of
		// what newEvaluator finds (duplicates) is wrong in any instance
		for _, d := range diags {
			if strings.HasPrefix(d.Summary, "Invalid value for variable") {
				ce.report(convertDiags(hcl.Diagnostics{d}))
			} else {
				e.world.diags = append(e.world.diags, convertDiags(hcl.Diagnostics{d})...)
			}
		}
		e.children[name] = append(e.children[name], ce)
		out := ce.outputValues()
		values = append(values, out)
		if in.key != cty.NilVal && in.key.Type() == cty.String && in.key.IsKnown() {
			obj[in.key.AsString()] = out
		}
	}
	var v cty.Value
	switch {
	case len(insts) == 1 && insts[0].conditional && !insts[0].key.IsKnown() && insts[0].key.Type() == cty.String:
		v = cty.DynamicVal // the keys are not known
	case len(insts) == 1 && insts[0].key == cty.NilVal:
		v = values[0]
	case len(insts) > 0 && insts[0].key.Type() == cty.String:
		v = cty.ObjectVal(obj)
	case len(insts) == 0 && attrs["for_each"] != nil:
		v = cty.EmptyObjectVal // for_each over nothing: a map of no instances
	default:
		v = cty.TupleVal(values)
		if len(values) == 0 {
			v = cty.EmptyTupleVal
		}
	}
	e.modVals[name] = v
	return v
}

// resolveModule finds the directory a module call loads.
func (e *evaluator) resolveModule(name string, b *hcl.Block) (*module, string) {
	if e.depth >= maxModuleDepth {
		return nil, fmt.Sprintf("modules nest deeper than %d levels", maxModuleDepth)
	}
	src, ok := callSource(b)
	if !ok {
		return nil, "its source is not a literal string"
	}
	var dir string
	if isLocalSource(src) {
		dir = filepath.Clean(filepath.Join(e.mod.dir, filepath.FromSlash(src)))
		if chain := e.cycle(dir); chain != "" {
			return nil, cycleMessage + chain
		}
	} else if d, ok := e.world.manifest[e.moduleKey(name)]; ok {
		dir = d
	} else {
		return nil, fmt.Sprintf("source %q is not available locally (run terraform init so that .terraform/modules holds it)", src)
	}
	m := e.world.module(dir)
	if m == nil {
		if isLocalSource(src) {
			if empty, submodule := e.world.emptyAncestor(dir); empty != "" {
				what := "which is empty"
				if submodule {
					what = "an empty git submodule (run git submodule update --init)"
				}
				return nil, fmt.Sprintf("source %q is in %s, %s", src, DisplayPath(empty), what)
			}
		}
		return nil, fmt.Sprintf("no configuration files in %s", DisplayPath(dir))
	}
	return m, ""
}

// emptyAncestor returns the directory holding dir (dir included) that
// holds no file at all: the innermost that is a git submodule's path
// (submodule set: one not checked out), else the outermost (a folder whose
// modules were not copied); "" when dir itself holds a file.
func (w *world) emptyAncestor(dir string) (empty string, submodule bool) {
	for d := filepath.Clean(dir); d != filepath.Dir(d) && w.holdsNothing(d); d = filepath.Dir(d) {
		if isSubmodule(d) {
			return d, true
		}
		empty = d
	}
	return empty, false
}

// holdsNothing reports whether no file lies under directory d (which may
// not exist).
func (w *world) holdsNothing(d string) bool {
	if w.files != nil {
		prefix := d + string(filepath.Separator)
		for _, f := range w.files {
			if strings.HasPrefix(filepath.Clean(f), prefix) {
				return false
			}
		}
		return true
	}
	empty := true
	filepath.WalkDir(d, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			empty = false
			return filepath.SkipAll
		}
		return nil
	})
	return empty
}

// isSubmodule reports whether dir is a submodule's path in the .gitmodules
// of the git work tree holding it.
func isSubmodule(dir string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for top := filepath.Dir(abs); top != filepath.Dir(top); top = filepath.Dir(top) {
		if _, err := os.Stat(filepath.Join(top, ".git")); err != nil {
			continue
		}
		src, err := safeio.ReadFile(filepath.Join(top, ".gitmodules"))
		if err != nil {
			return false
		}
		rel, _ := filepath.Rel(top, abs)
		for _, line := range strings.Split(string(src), "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && strings.TrimSpace(k) == "path" &&
				filepath.Clean(filepath.FromSlash(strings.TrimSpace(v))) == rel {
				return true
			}
		}
		return false
	}
	return false
}

// cycleMessage starts the why of a module call that closes a cycle.
const cycleMessage = "the module calls itself: "

// cycle returns the chain of module directories from the one at dir to
// this one when dir is this module or one of its callers, else "".
func (e *evaluator) cycle(dir string) string {
	var chain []string
	for a := e; a != nil; a = a.parent {
		chain = append([]string{DisplayPath(a.mod.dir)}, chain...)
		if filepath.Clean(a.mod.dir) == dir {
			return strings.Join(append(chain, DisplayPath(dir)), " → ")
		}
	}
	return ""
}

// outputValues evaluates the module's outputs.
func (e *evaluator) outputValues() cty.Value {
	out := map[string]cty.Value{}
	for name, a := range e.outputs {
		v, diags := a.Expr.Value(e.ctxFor(a.Expr, nil))
		if diags.HasErrors() {
			v = cty.DynamicVal
		} else if tooLarge(v) {
			e.report(tooLargeAt(a.Expr.Range(), "output "+name))
			v = cty.DynamicVal
		}
		out[name] = v
	}
	return cty.ObjectVal(out)
}

// childModules returns the instances of every module call, in name order,
// evaluating those nothing referred to yet.
func (e *evaluator) childModules() []*evaluator {
	names := make([]string, 0, len(e.modCalls))
	for n := range e.modCalls {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []*evaluator
	for _, n := range names {
		e.moduleValue(n)
		out = append(out, e.children[n]...)
	}
	return out
}

// attrsInOrder returns the attributes of one body in source order.
func attrsInOrder(attrs hcl.Attributes) []*hcl.Attribute {
	out := slices.Collect(maps.Values(attrs))
	sortByPosition(out)
	return out
}

// sortByPosition sorts attributes of one body into source order.
func sortByPosition(attrs []*hcl.Attribute) {
	slices.SortFunc(attrs, func(a, b *hcl.Attribute) int { return a.Range.Start.Byte - b.Range.Start.Byte })
}
