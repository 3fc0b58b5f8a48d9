// Package terraform loads Terraform configurations (HCL and .tf.json) into a
// model.Snapshot, evaluating what security group and NACL analysis needs and
// marking everything else unknown.
package terraform

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/sgcheck/sgcheck/internal/parallel"
	"github.com/sgcheck/sgcheck/internal/safeio"
	"github.com/sgcheck/sgcheck/model"
	"github.com/zclconf/go-cty/cty"
)

// Options control loading.
type Options struct {
	// VarArgs are --var NAME=VALUE and --var-file FILE, in command-line
	// order; they take precedence over tfvars files and the environment.
	VarArgs []VarArg
	// Env is the environment to read TF_VAR_ variables from; nil means the
	// process environment.
	Env []string
	// ReadFile reads a file; nil means os.ReadFile. Change analysis uses it
	// to read files from another git revision.
	ReadFile func(name string) ([]byte, error)
	// Files lists the files to consider instead of walking the file system
	// (used with ReadFile for git revisions).
	Files []string
	// Budget bounds what the load reads in all; nil means a budget of its own.
	Budget *safeio.Budget
	// Parsed shares parsed modules with the other load of a change
	// analysis; nil parses everything.
	Parsed *ParseCache
	// Follow, with a paired cache (ParseCache.Pair), makes this load the
	// follower: it evaluates each root after the other load has.
	Follow bool
	// Mirror, for a follower that loads another directory than the
	// leader (diff OLD NEW), pairs each file under its own directory with
	// the leader's file at the same place (see Mirror).
	Mirror *Mirror
	// Exclude, given a directory as DisplayPath names it, reports whether
	// the configuration excludes it: its files are not read as a root or
	// as data, as if absent (a module it holds is still read when a
	// directory that is not excluded calls it).
	Exclude func(dir string) bool
}

// VarArg is one --var or --var-file.
type VarArg struct {
	Name, Value string // --var
	File        string // --var-file
}

// IsConfigFile reports whether name is a Terraform configuration file.
func IsConfigFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json") ||
		strings.HasSuffix(name, ".tofu") || strings.HasSuffix(name, ".tofu.json")
}

// tofuFirst drops from a directory's configuration files each NAME.tf
// (NAME.tf.json) beside a NAME.tofu (NAME.tofu.json): OpenTofu reads only
// the .tofu file, which is how a module supports both tools.
func tofuFirst(files []string) []string {
	have := map[string]bool{}
	for _, f := range files {
		have[f] = true
	}
	out := files[:0:0]
	for _, f := range files {
		if stem, ok := strings.CutSuffix(f, ".tf"); ok && have[stem+".tofu"] {
			continue
		}
		if stem, ok := strings.CutSuffix(f, ".tf.json"); ok && have[stem+".tofu.json"] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// isJSONDocument reports whether a file named on the command line is JSON
// that is not Terraform configuration or variables (AWS CLI output, a state
// or plan document), which the JSON loader reads.
func isJSONDocument(name string) bool {
	return strings.HasSuffix(name, ".json") && !IsConfigFile(name) && !strings.HasSuffix(name, ".tfvars.json")
}

// IsStateFile reports whether name is a Terraform state file
// (terraform.tfstate, a copy such as prod.tfstate, or its .backup).
func IsStateFile(name string) bool {
	return strings.HasSuffix(name, ".tfstate") || strings.HasSuffix(name, ".tfstate.backup")
}

// IsDataFile reports whether name is a file configurations commonly read
// with file functions (rule lists in JSON or YAML, templates): a git revision
// is read with them so that file() sees the revision's copy.
func IsDataFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json", ".yaml", ".yml", ".tpl", ".tftpl", ".tmpl", ".txt", ".csv":
		return true
	}
	return false
}

// IsInputFile reports whether a load reads name: configuration, variable
// values and the module manifest terraform init writes.
func IsInputFile(name string) bool {
	return IsConfigFile(name) || strings.HasSuffix(name, ".tfvars") || strings.HasSuffix(name, ".tfvars.json") ||
		strings.HasSuffix(filepath.ToSlash(name), ".terraform/modules/modules.json")
}

// Load reads every Terraform file under paths. Each directory is one
// module; a directory that another one calls as a module is analysed
// through its calls, the others as roots. Problems are returned as
// diagnostics; a file that fails to parse is skipped and the rest are still
// loaded.
func Load(ctx context.Context, paths []string, opts Options) (*model.Snapshot, []model.Diagnostic) {
	read := opts.ReadFile
	if read == nil {
		b := opts.Budget
		if b == nil {
			b = new(safeio.Budget)
		}
		read = b.ReadFile
	}
	// note the files with ignore comments as they are read, so that they
	// need not be read again to check the comments
	marked := &sync.Map{}
	readFile := read
	read = func(name string) ([]byte, error) {
		src, err := readFile(name)
		if err == nil && model.HoldsIgnoreComment(src) {
			marked.Store(DisplayPath(name), true)
		}
		return src, err
	}
	w := &world{mu: &sync.Mutex{}, readAhead: &sync.Map{}, listings: &sync.Map{}, read: read, files: opts.Files, parsed: map[string]*module{}, failed: map[string]bool{},
		snap: &model.Snapshot{}, warned: map[string]bool{}, only: map[string][]string{}, scanRoots: scanRootsOf(paths),
		filesRead: newFileCount(), cache: opts.Parsed, jsonDocs: &jsonMemo{},
		templateSyntax: &templateSyntax{}}
	if lazyParse {
		w.lazy = &lazyModules{whole: map[string]bool{}}
	}
	var pair *pairing
	if opts.Parsed != nil {
		pair = opts.Parsed.pair
	}
	lead, follow := pair != nil && !opts.Follow, pair != nil && opts.Follow
	switch {
	case lead:
		defer pair.finish()
	case follow:
		defer pair.follow()
	}
	w.follower = follow
	var escaped atomic.Bool
	if follow && opts.Mirror != nil {
		w.mirror = opts.Mirror.clean()
		// a file of the leader's directory read here would be named as
		// this side's own by the renaming below: load alone instead
		leaderRead := w.read
		w.read = func(name string) ([]byte, error) {
			if under(filepath.Clean(name), w.mirror.Leader) {
				escaped.Store(true)
			}
			return leaderRead(name)
		}
	}
	dirs := map[string]bool{}
	if opts.Files != nil {
		// the file list by directory, once: looking a directory up in the
		// whole list for each root would grow with roots × files
		w.byDir = map[string][]string{}
		for _, f := range opts.Files {
			d := filepath.Clean(filepath.Dir(f))
			w.byDir[d] = append(w.byDir[d], f)
		}
		for _, fs := range w.byDir {
			sort.Strings(fs)
		}
		scanned := map[string]bool{}
		for _, p := range paths {
			scanned[filepath.Clean(p)] = true
		}
		for _, f := range opts.Files {
			if IsConfigFile(f) && !hiddenBelow(f, scanned) {
				dirs[filepath.Clean(filepath.Dir(f))] = true
			}
		}
	} else {
		for _, p := range paths {
			if IsStateFile(p) || isJSONDocument(p) {
				continue // read by the JSON loader
			}
			found, walkDiags, err := findFiles(p)
			w.diags = append(w.diags, walkDiags...)
			if err != nil {
				w.diags = append(w.diags, model.Diagnostic{File: DisplayPath(p), Message: walkError(err)})
				continue
			}
			for _, f := range found {
				dirs[filepath.Clean(filepath.Dir(f))] = true
			}
			if info, err := os.Stat(p); err == nil && !info.IsDir() {
				d := filepath.Clean(filepath.Dir(p))
				w.only[d] = append(w.only[d], p)
			}
		}
	}
	if opts.Exclude != nil {
		for d := range dirs {
			if opts.Exclude(DisplayPath(d)) {
				delete(dirs, d)
			}
		}
	}
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)
	// Only directories that mention "module" can call one: parse those first
	// to learn which directories are called. The others are roots, parsed
	// and evaluated one by one below and then dropped, so that a large tree
	// never holds every syntax tree at once. Files are read (and kept for
	// the parse) file by file, not directory by directory, so that a tree
	// of one large directory is read in parallel too.
	listed := make([][]string, len(names))
	parallel.Each(len(names), func(i int) { listed[i] = w.dirFiles(names[i]) })
	type dirFile struct {
		dir  int
		name string
	}
	var files []dirFile
	for i, fs := range listed {
		for _, f := range fs {
			files = append(files, dirFile{i, f})
		}
	}
	found := make([]bool, len(files))
	parallel.Each(len(files), func(k int) { found[k] = w.mentionsModule(files[k].name) })
	mentions := make([]bool, len(names))
	for k, f := range files {
		mentions[f.dir] = mentions[f.dir] || found[k]
	}
	var callers []string
	for i, d := range names {
		if mentions[i] {
			callers = append(callers, d)
		}
	}
	// a follower takes from the leader the calls of a directory whose
	// files are the leader's, byte for byte, rather than parse it: most
	// of them belong to roots it will take whole (takeCalls)
	var taken map[string][]string
	if follow {
		taken = w.takeCalls(callers, pair)
	}
	parse := callers
	if len(taken) > 0 {
		parse = slices.DeleteFunc(slices.Clone(callers), func(d string) bool { _, ok := taken[d]; return ok })
	}
	clean := w.parseAll(parse)
	calls := map[string][]string{} // directory → directories it calls
	called := map[string]bool{}
	published := map[string]*dirCalls{}
	for _, d := range callers {
		sources, ok := taken[d]
		if !ok {
			m := w.parsed[d]
			if m == nil {
				continue
			}
			sources = localCalls(m)
			if lead && clean[d] {
				published[d] = &dirCalls{files: m.srcs, n: len(m.files), sources: sources}
			}
		}
		for _, src := range sources {
			target := filepath.Clean(filepath.Join(d, filepath.FromSlash(src)))
			if target != d {
				called[target] = true
				calls[d] = append(calls[d], target)
			}
		}
	}
	if lead {
		w.cache.publishCalls(published)
	}
	var roots []string
	for _, d := range names {
		if !called[d] {
			roots = append(roots, d)
		}
	}
	roots = append(roots, cycleRoots(names, roots, calls)...)
	w.calls = calls
	sort.Strings(roots)
	if lead {
		pair.plan(roots)
	}
	// Roots are independent: evaluate them in parallel, each into its own
	// snapshot, and merge in directory order so the result does not depend
	// on scheduling.
	parts := make([]*world, len(roots))
	parallel.Each(len(roots), func(i int) {
		parts[i] = w.fork()
		switch {
		case lead:
			defer pair.done(roots[i])
		case follow:
			pair.waitParsed(w.leaderName(roots[i]))
			if ctx.Err() == nil {
				parts[i].parseAhead(roots[i])
			}
			pair.wait(w.leaderName(roots[i]))
			defer w.cache.releaseTrees(w.leaderName(roots[i]))
			defer w.cache.dropAhead(roots[i])
		}
		if ctx.Err() != nil || parts[i].reuseRoot(roots[i]) {
			return
		}
		if w.cache != nil {
			parts[i].deps = newRootDeps()
			parts[i].read = parts[i].deps.recordingRead(parts[i].read)
		}
		parts[i].loadRoot(roots[i], paths, opts)
		parts[i].keepRoot(roots[i])
	})
	if w.lazy != nil && ctx.Err() == nil {
		w.reloadBroken(parts, roots, paths, opts)
	}
	switch {
	case lead:
		// what was kept for the follower is edited in place once loaded
		pair.finish()
		<-pair.followed
	case follow:
		pair.follow()
	}
	if ctx.Err() != nil {
		w.diags = append(w.diags, model.Diagnostic{Message: ctx.Err().Error()})
	}
	if len(parts) == 1 && w.cache == nil {
		// one root, shared with no other load: its lists are taken as
		// they are rather than copied
		w.take(parts[0])
	} else {
		// room for every part at once, rather than growing slice by slice
		var rules, groups, atts, nacls int
		for _, p := range parts {
			rules, groups, atts, nacls = rules+len(p.snap.Rules), groups+len(p.snap.Groups), atts+len(p.snap.Attachments), nacls+len(p.snap.NACLs)
		}
		w.snap.Rules = slices.Grow(w.snap.Rules, rules)
		w.snap.Groups = slices.Grow(w.snap.Groups, groups)
		w.snap.Attachments = slices.Grow(w.snap.Attachments, atts)
		w.snap.NACLs = slices.Grow(w.snap.NACLs, nacls)
		for _, p := range parts {
			w.merge(p)
		}
	}
	if w.mirror != nil {
		if escaped.Load() {
			alone := opts
			alone.Parsed, alone.Follow, alone.Mirror = nil, false, nil
			return Load(ctx, paths, alone)
		}
		w.mirror.rename(w.snap, w.diags)
	}
	sortDiagnostics(w.diags)
	w.snap.Files = w.filesRead.total()
	marked.Range(func(k, _ any) bool {
		w.snap.IgnoreFiles = append(w.snap.IgnoreFiles, k.(string))
		return true
	})
	sort.Strings(w.snap.IgnoreFiles)
	return w.snap, sameSourceOnce(uniqueDiagnostics(w.diags))
}

// unavailableCall matches the warning for a module call whose source
// terraform init has not downloaded: the call's address, the root's
// directory (before the address, when it is below the scanned path) and
// the source.
var unavailableCall = regexp.MustCompile(`^((?:([^\s:]+):)?\S+) not analysed: source ("[^"]*") is not available locally \(run terraform init so that \.terraform/modules holds it\)`)

// emptyCall matches the warning of a module call whose source lies in an
// empty directory (emptyAncestor): one per root and directory, like
// unavailableCall's.
var emptyCall = regexp.MustCompile(`^((?:([^\s:]+):)?\S+) not analysed: source "[^"]*" is in (\S+), (?:which is empty|an empty git submodule)`)

// sameSourceOnce reports a module source that is not available locally
// once per root, at its first call, naming the root's other calls of it
// (the first few with their lines): a root that calls one registry module
// a hundred times gets one line, not a hundred, about the same missing
// download (terraform init is run per root).
func sameSourceOnce(d []model.Diagnostic) []model.Diagnostic {
	const named = 5
	first := map[string]int{}
	others := map[int][]string{}
	var out []model.Diagnostic
	for _, x := range d {
		m := unavailableCall.FindStringSubmatch(x.Message)
		if m == nil {
			m = emptyCall.FindStringSubmatch(x.Message)
		}
		if m != nil && x.Warning {
			key := m[2] + "\x00" + m[3]
			if i, ok := first[key]; ok {
				others[i] = append(others[i], fmt.Sprintf("%s (%s:%d)", m[1], x.File, x.Line))
				continue
			}
			first[key] = len(out)
		}
		out = append(out, x)
	}
	for i, calls := range others {
		list := strings.Join(calls[:min(len(calls), named)], ", ")
		if len(calls) > named {
			list += fmt.Sprintf(" and %d more", len(calls)-named)
		}
		out[i].Message += fmt.Sprintf("; nor are the root's other calls of it: %s", list)
	}
	return out
}

// uniqueDiagnostics reports a problem once per source location: a module
// called from several places (or several roots) has the same problem in each
// instance, with only the instance's address in front differing. The first
// is kept and says how many other instances share it.
func uniqueDiagnostics(d []model.Diagnostic) []model.Diagnostic {
	type key struct {
		file         string
		line, column int
		warning      bool
		msg          string
	}
	first := map[key]int{}
	extra := map[int]int{}
	var out []model.Diagnostic
	for _, x := range d {
		k := key{x.File, x.Line, x.Column, x.Warning, instanceFree(x.Message)}
		if i, ok := first[k]; ok {
			if out[i].Message != x.Message {
				extra[i]++
			}
			continue
		}
		first[k] = len(out)
		out = append(out, x)
	}
	for i, n := range extra {
		s := "s"
		if n == 1 {
			s = ""
		}
		out[i].Message += fmt.Sprintf(" (same in %d other module instance%s)", n, s)
	}
	return out
}

// instanceFree removes from a message the root qualifiers and module paths
// of the addresses in it, which differ between instances of one module.
func instanceFree(msg string) string {
	return modulePath.ReplaceAllString(qualifier.ReplaceAllString(inInstance.ReplaceAllString(msg, ""), "$1"), "")
}

var (
	// a root's directory before an address (examples/complete:module.x…,
	// :aws_…, :data.…); not a colon inside an address (["::/0"])
	qualifier  = regexp.MustCompile(`[^\s:]+:([A-Za-z])`)
	modulePath = regexp.MustCompile(`module\.[\w-]+(\[[^\]]*\])?\.`)
	// the module instance an error is in (evaluator.report)
	inInstance = regexp.MustCompile(` \(in [^\s()]*module\.[^\s()]*\)$`)
)

// cycleRoots returns directories that only modules calling each other in a
// cycle call (so no root reaches them): the first of each such group in
// order becomes a root, so that its rules are analysed once and the cycle
// is reported at the call that closes it.
func cycleRoots(names, roots []string, calls map[string][]string) []string {
	reached := map[string]bool{}
	var visit func(d string)
	visit = func(d string) {
		if reached[d] {
			return
		}
		reached[d] = true
		for _, c := range calls[d] {
			visit(c)
		}
	}
	for _, r := range roots {
		visit(r)
	}
	var extra []string
	for _, d := range names {
		if !reached[d] {
			extra = append(extra, d)
			visit(d)
		}
	}
	return extra
}

// loadRoot evaluates and extracts one root module, then lets its syntax
// trees go: no other directory calls a root.
func (w *world) loadRoot(dir string, paths []string, opts Options) {
	m := w.module(dir)
	if w.cache != nil && w.cache.pair != nil && !w.follower {
		w.cache.pair.parsedRoot(dir)
	}
	if m == nil {
		return
	}
	defer w.forget(dir)
	inputs, origins, vd := rootInputs(w, dir, opts)
	w.diags = append(w.diags, vd...)
	w.loadManifest(dir)
	e, diags := newEvaluator(w, m, Qualifier(dir, paths), inputs, origins, nil, 0)
	w.diags = append(w.diags, convertDiags(diags)...)
	switch {
	case w.follower:
		w.replays, w.replayed = w.replayFor(dir, m, e)
	case w.records(dir):
		w.recording = &rootRecording{mod: m, prefix: e.prefix, blocks: map[blockKey]*blockEffects{},
			instances: map[string]*module{}}
	}
	extractAll(w, e)
	w.replays, w.replayed, w.replay = nil, nil, nil
	if w.recording != nil && w.reevaluations == 0 {
		w.recording.values = map[string]map[string]cty.Value{}
		var note func(e *evaluator)
		note = func(e *evaluator) {
			if e.cycles == 0 {
				w.recording.values[e.prefix] = seedable(e)
			}
			for _, cs := range e.children {
				for _, c := range cs {
					note(c)
				}
			}
		}
		note(e)
	}
}

// extractAll extracts the resources of a module instance and of every module
// it calls.
func extractAll(w *world, e *evaluator) {
	w.diags = append(w.diags, e.mod.extract(w.snap, e)...)
	// Terraform evaluates every local, used or not: so do its errors
	names := make([]string, 0, len(e.locals))
	for name := range e.locals {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		e.local(name)
	}
	for _, c := range e.childModules() {
		extractAll(w, c)
	}
}

// hiddenBelow reports whether file f is in a hidden directory below the
// scanned path that holds it (the nearest of scanned), as the walk of a
// directory skips them (a scanned path may itself be under a hidden
// directory).
func hiddenBelow(f string, scanned map[string]bool) bool {
	for d := filepath.Clean(f); ; d = filepath.Dir(d) {
		if scanned[d] {
			rel, err := filepath.Rel(d, f)
			return err == nil && hiddenPath(rel)
		}
		if up := filepath.Dir(d); up == d {
			return hiddenPath(f)
		}
	}
}

func hiddenPath(p string) bool {
	for _, d := range strings.Split(filepath.ToSlash(filepath.Dir(p)), "/") {
		if d == ".terraform" || (strings.HasPrefix(d, ".") && d != "." && d != "..") {
			return true
		}
	}
	return false
}

// findFiles lists configuration files at or below p, skipping .terraform and
// hidden directories. A folder or file that cannot be read is an input
// error naming it, and the walk goes on.
func findFiles(p string) ([]string, []model.Diagnostic, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	if !info.IsDir() {
		return []string{p}, nil, nil
	}
	var out []string
	var diags []model.Diagnostic
	root := WalkRoot(p)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			diags = append(diags, model.Diagnostic{File: DisplayPath(path), Message: "cannot be read: " + walkError(err)})
			if d != nil && d.IsDir() && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == ".terraform" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if IsConfigFile(d.Name()) {
			out = append(out, path)
		}
		return nil
	})
	return out, diags, err
}

// WalkRoot is the root to walk for a scanned directory p: p itself, or,
// where p is a symbolic link to a directory, p with a trailing separator,
// so that the walk enters the directory it names (filepath.WalkDir does
// not follow a link, not even its root) and names files under p.
func WalkRoot(p string) string {
	if info, err := os.Lstat(p); err == nil && info.Mode()&os.ModeSymlink != 0 && !strings.HasSuffix(p, string(filepath.Separator)) {
		return p + string(filepath.Separator)
	}
	return p
}

// HasConfig reports whether p is, or holds, a Terraform configuration file.
func HasConfig(p string) bool {
	found, _, _ := findFiles(p)
	return len(found) > 0
}

// walkError is an error without the path the diagnostic already names.
func walkError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// DisplayPath makes p relative to the working directory where it lies below
// it, with forward slashes, so that reports carry repository-relative paths.
func DisplayPath(p string) string {
	if filepath.IsAbs(p) {
		wd, _ := os.Getwd()
		return displayPathIn(wd, p)
	}
	return filepath.ToSlash(filepath.Clean(p))
}

// displayPathIn is DisplayPath with the working directory given (read
// once for many files: os.Getwd costs system calls; "" if unknown).
func displayPathIn(wd, p string) string {
	if filepath.IsAbs(p) && wd != "" {
		if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
			p = rel
		}
	}
	return filepath.ToSlash(filepath.Clean(p))
}

// Qualifier is the prefix of addresses in the module at dir: none for the
// scanned directory itself, else the directory relative to it, so that two
// roots declaring aws_security_group.web never collide.
func Qualifier(dir string, roots []string) string {
	if len(roots) == 1 {
		root := roots[0]
		if info, err := os.Stat(root); err == nil && !info.IsDir() {
			root = filepath.Dir(root)
		}
		if rel, err := filepath.Rel(root, dir); err == nil && !strings.HasPrefix(rel, "..") {
			if rel == "." {
				return ""
			}
			return filepath.ToSlash(rel) + ":"
		}
	}
	return DisplayPath(dir) + ":"
}

// module is one directory's parsed files.
type module struct {
	dir    string
	files  []*hcl.File
	blocks []*hcl.Block
	// srcs holds the bytes of each file read, by name (as listed), even
	// one that did not parse: what a root that used the module depended on.
	srcs map[string][]byte
	// syntax holds each native file's body by name, so that a block
	// reached through dynamic expansion (whose body hides the syntax tree)
	// is found again to give its end line.
	syntax map[string]*hclsyntax.Body
	// lazy holds, by file name, the resource bodies parsed on first use
	// (lazyFile), in source order; lazyFailed is set when one of them did
	// not parse as it should.
	lazy       map[string][]*lazyBody
	lazyFailed *atomic.Bool
	// extractions counts the extractions of the module's instances begun
	extractions atomic.Int32
	// providerFuncs are the provider-defined functions its files name.
	providerFuncs []string
	// vars holds its variable blocks as read once for every instance
	declMu sync.Mutex
	vars   map[*hcl.Block]*variableDecl
}

var topSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "provider", LabelNames: []string{"name"}},
	{Type: "terraform"},
	{Type: "moved"},
	{Type: "import"},
	{Type: "check", LabelNames: []string{"name"}},
	{Type: "removed"},
}}

// checkSource returns what the checks made before a parse find wrong in
// a file's bytes (a *safeio.TextError or *safeio.DepthError), or nil.
func checkSource(name string, src []byte) error {
	var te *safeio.TextError
	if err := safeio.CheckText(src); errors.As(err, &te) {
		return te
	}
	check := safeio.CheckHCL
	if strings.HasSuffix(name, ".json") {
		check = safeio.CheckJSON
	}
	var de *safeio.DepthError
	if err := check(src); errors.As(err, &de) {
		return de
	}
	return nil
}

// parseModule parses a module's files; with a cache, a file is looked up
// under the name key gives it (the leader's name for it, see Mirror).
//
// With lazy, the resource blocks of native syntax files of a module of
// lazyMinBytes or more are parsed when first read (lazyFile), unless the
// module has override files; the files read so are neither taken from
// the cache nor kept in it (the other side of a change analysis replays
// the blocks it shares with this one without parsing them, replay.go).
func parseModule(files []string, read func(string) ([]byte, error), cache *ParseCache, key func(string) string, lazy bool) (*module, []model.Diagnostic) {
	// files are read and parsed in parallel, each by its own parser, and
	// assembled in order: the result is the same as parsing them in turn
	type parsed struct {
		src    []byte
		file   *hcl.File
		blocks hcl.Blocks
		lazies []*lazyBody
		diags  []model.Diagnostic
	}
	results := make([]parsed, len(files))
	lazy = lazy && !slices.ContainsFunc(files, isOverrideFile)
	failed := new(atomic.Bool)
	// a lazy parse pays where the trees are large: read the files first
	// and parse lazily from lazyMinBytes of them
	pre := make([]struct {
		src []byte
		err error
	}, len(files))
	if lazy {
		parallel.Each(len(files), func(i int) { pre[i].src, pre[i].err = read(files[i]) })
		total := 0
		for _, p := range pre {
			total += len(p.src)
		}
		lazy = total >= lazyMinBytes
	}
	wd, _ := os.Getwd()
	one := func(i int) {
		name := files[i]
		src, err := pre[i].src, pre[i].err
		if src == nil && err == nil {
			src, err = read(name)
		}
		if err != nil {
			d := model.Diagnostic{File: displayPathIn(wd, name), Message: "cannot be read: " + walkError(err)}
			if errors.Is(err, safeio.ErrNotRegular) {
				d.Message, d.Warning = err.Error(), true
			}
			results[i].diags = []model.Diagnostic{d}
			return
		}
		results[i].src = src
		disp := displayPathIn(wd, name)
		k := disp
		if kn := key(name); kn != name {
			k = displayPathIn(wd, kn)
		}
		done := func(f *hcl.File, hd hcl.Diagnostics) {
			if hd.HasErrors() {
				results[i].diags = convertDiags(hd)
				return
			}
			content, _, hd := f.Body.PartialContent(topSchema)
			if hd.HasErrors() {
				results[i].diags = convertDiags(hd)
				return
			}
			results[i].file, results[i].blocks = f, content.Blocks
		}
		if f, hd, ok := cache.lookup(k, src); ok && !lazy {
			// the other side's tree for the same bytes, which passed the
			// checks below there
			done(f, hd)
			return
		}
		switch e := checkSource(name, src).(type) {
		case *safeio.TextError:
			results[i].diags = []model.Diagnostic{{File: disp, Line: e.Line, Column: e.Column, Message: e.Msg}}
			return
		case *safeio.DepthError:
			results[i].diags = []model.Diagnostic{{File: disp, Line: e.Line, Message: e.Error()}}
			return
		}
		if lazy && !strings.HasSuffix(name, ".json") {
			if f, blocks, lazies, ok := lazyFile(src, disp, failed); ok {
				results[i].file, results[i].blocks, results[i].lazies = f, blocks, lazies
				return
			}
		}
		done(cache.parse(disp, k, src, strings.HasSuffix(name, ".json")))
	}
	if len(files) >= 4 {
		parallel.Each(len(files), one)
	} else {
		for i := range files {
			one(i)
		}
	}
	var diags []model.Diagnostic
	m := &module{syntax: map[string]*hclsyntax.Body{}, srcs: map[string][]byte{}, lazyFailed: failed}
	var over []*hcl.Block // the override files' blocks, merged in last
	for i, r := range results {
		diags = append(diags, r.diags...)
		if r.src != nil {
			m.srcs[files[i]] = r.src
		}
		if r.file == nil {
			continue
		}
		if body, ok := r.file.Body.(*hclsyntax.Body); ok {
			m.syntax[body.SrcRange.Filename] = body
			if len(r.lazies) > 0 {
				if m.lazy == nil {
					m.lazy = map[string][]*lazyBody{}
				}
				m.lazy[body.SrcRange.Filename] = r.lazies
			}
		}
		m.files = append(m.files, r.file)
		if isOverrideFile(files[i]) {
			over = append(over, r.blocks...)
		} else {
			m.blocks = append(m.blocks, r.blocks...)
		}
	}
	if len(m.files) == 0 {
		return nil, diags
	}
	if len(over) > 0 {
		var od []model.Diagnostic
		m.blocks, od = applyOverrides(m.blocks, over)
		diags = append(diags, od...)
	}
	m.providerFuncs = providerFuncs(m.srcs)
	return m, diags
}

// blockSource returns the whole source range of a block.
func (m *module) blockSource(b *hcl.Block) model.Source {
	var r hcl.Range
	if body, ok := b.Body.(*hclsyntax.Body); ok {
		// a native body spans the braces: the block ends where it does
		r = hcl.RangeBetween(b.DefRange, body.SrcRange)
	} else if lb, ok := b.Body.(*lazyBody); ok {
		r = lb.srcRange()
	} else if sb := m.syntaxBlock(b.DefRange.Filename, b.DefRange.Start.Byte); sb != nil {
		r = sb.Range()
	} else {
		r = hcl.RangeBetween(b.DefRange, b.Body.MissingItemRange())
	}
	return model.Source{File: r.Filename, StartLine: r.Start.Line, EndLine: r.End.Line, StartCol: r.Start.Column}
}

// syntaxBlock finds the block of a file of the module, at any depth, whose
// definition starts at byte offset off, in its blocks parsed whole or in
// the lazily parsed resource block that holds it.
func (m *module) syntaxBlock(file string, off int) *hclsyntax.Block {
	if sb := syntaxBlock(m.syntax[file], off); sb != nil {
		return sb
	}
	lazies := m.lazy[file]
	i := sort.Search(len(lazies), func(i int) bool { return lazies[i].start.Byte+len(lazies[i].src) > off })
	if i == len(lazies) || lazies[i].start.Byte > off {
		return nil
	}
	return syntaxBlock(lazies[i].syntax(), off)
}

// syntaxBlock finds the block of body, at any depth, whose definition
// starts at byte offset off; blocks are in source order, so each level is
// a binary search.
func syntaxBlock(body *hclsyntax.Body, off int) *hclsyntax.Block {
	for body != nil {
		blocks := body.Blocks
		i := sort.Search(len(blocks), func(i int) bool { return blocks[i].CloseBraceRange.End.Byte > off })
		if i == len(blocks) || blocks[i].TypeRange.Start.Byte > off {
			return nil
		}
		if blocks[i].TypeRange.Start.Byte == off {
			return blocks[i]
		}
		body = blocks[i].Body
	}
	return nil
}

func convertDiags(hd hcl.Diagnostics) []model.Diagnostic {
	var out []model.Diagnostic
	for _, d := range hd {
		if d.Severity != hcl.DiagError {
			continue
		}
		md := model.Diagnostic{Message: d.Summary}
		if d.Detail != "" {
			md.Message += ": " + d.Detail
		}
		if d.Subject != nil {
			md.File, md.Line, md.Column = d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column
		}
		out = append(out, md)
	}
	return out
}

func sortDiagnostics(d []model.Diagnostic) {
	sort.SliceStable(d, func(i, j int) bool {
		if d[i].File != d[j].File {
			return d[i].File < d[j].File
		}
		if d[i].Line != d[j].Line {
			return d[i].Line < d[j].Line
		}
		if d[i].Column != d[j].Column {
			return d[i].Column < d[j].Column
		}
		if d[i].Message != d[j].Message {
			return d[i].Message < d[j].Message
		}
		return !d[i].Warning && d[j].Warning
	})
}
