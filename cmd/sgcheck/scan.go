package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/internal/safeio"
	"github.com/sgcheck/sgcheck/loader"
	"github.com/sgcheck/sgcheck/loader/gitrev"
	"github.com/sgcheck/sgcheck/loader/terraform"
	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/report"
	flag "github.com/spf13/pflag"
)

const scanUsage = `Usage: sgcheck [flags] [PATH...]
       sgcheck --base REF [flags] [PATH...]
       sgcheck --plan PLAN.json [flags] [PATH...]
       sgcheck diff [flags] OLD NEW
       sgcheck explain [flags] [PATH...]
       sgcheck simulate [flags] FILE
       sgcheck rules [--format json]

sgcheck reads Terraform (.tf, .tf.json, .tofu, tfvars, modules), AWS CLI
describe-* JSON and Terraform state or plan JSON under each PATH (default
".") and reports security group and network ACL findings: which rules
admit connection-tracked flows that outlive a revocation, and for how
long. With --base, --plan or diff it reports what a change does to live
flows, and only findings the change adds.

Exit status: 0 no findings at or above --fail-on, 1 findings at or above it,
2 usage or input errors (the other inputs are still analysed and reported).
`

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	var showVersion bool
	var baseRev, planFile string
	fs := newFlagSet("sgcheck")
	c.register(fs, strings.Join(report.Formats, "|"))
	c.registerFailOn(fs)
	registerChange(fs, &baseRev, &planFile)
	fs.BoolVar(&showVersion, "version", false, "print the version and exit")
	if code, done := parseFlags(fs, scanUsage, args, stdout, stderr); done {
		return code
	}
	if showVersion {
		fmt.Fprintf(stdout, "sgcheck %s\n", toolVersion())
		return exitClean
	}
	if baseRev != "" && planFile != "" {
		return usageError(stderr, "--base and --plan cannot be used together")
	}
	if err := c.check(report.Formats); err != nil {
		return usageError(stderr, "%v", err)
	}
	sides := 1
	switch {
	case planFile != "":
		sides = 2 // a second configuration
	case baseRev != "":
		sides = pairedSides() // its loads are paired (load)
		// git's processes run while the heap is warmed
		c.revision = readRevision(baseRev, loadPaths(fs.Args()))
	}
	limitMemory(modulePaths(fs.Args()), sides) // what load reads
	c.progress = startProgress(stderr, 2*time.Second)
	defer c.progress.stop()
	c.progress.set("reading files")
	c.prepareEngine(ctx)
	in := c.load(ctx, fs.Args(), baseRev, planFile)
	if in.err != nil {
		c.progress.stop()
		fmt.Fprintf(stderr, "sgcheck: %v\n", in.err)
		return exitError
	}
	return c.analyze(ctx, in, stdout, stderr)
}

// load reads the configurations a run compares: head alone, head and a
// git revision, or the two sides of a plan.
func (c *common) load(ctx context.Context, paths []string, baseRev, planFile string) inputs {
	if planFile == "" {
		paths = loadPaths(paths)
	} else {
		paths = modulePaths(paths)
	}
	var in inputs
	switch {
	case planFile != "":
		in.head, in.base, in.diags, in.err = loadPlan(ctx, planFile, paths, c.lopts)
	case baseRev != "":
		var tree *gitrev.Tree
		var bd []model.Diagnostic
		rev := c.revision
		if rev == nil {
			rev = readRevision(baseRev, paths)
		}
		if ctx.Value(loadApart{}) != nil {
			if tree, in.err = rev.wait(); in.err != nil {
				return in
			}
			in.head, in.diags = loader.Load(ctx, paths, c.lopts)
			in.base, bd = loader.LoadTree(ctx, tree, paths, c.lopts)
		} else if in.head, in.diags, in.base, bd, tree, in.err = loadBase(ctx, rev, paths, c.lopts, c.prepareHead); in.err != nil {
			return in
		}
		bd = prefixed("at "+baseRev, alsoIn(bd, in.diags))
		for i, d := range bd {
			// a file of the revision the repository does not hold leaves the
			// change's analysis incomplete: an input error, not a warning
			if _, ok := tree.Unreadable[filepath.Clean(d.File)]; ok {
				bd[i].Warning = false
			}
		}
		in.diags = append(in.diags, bd...)
		// what lifecycle ignore_changes keeps from being applied stays as
		// the revision has it
		in.notApplied = in.head.PinIgnoredChanges(in.base)
	default:
		in.head, in.diags = loader.Load(ctx, paths, c.lopts)
	}
	in.diags = append(c.excludedArgs(paths), in.diags...)
	return in
}

func registerChange(fs *flag.FlagSet, baseRev, planFile *string) {
	fs.StringVar(baseRev, "base", "", "analyse what changed since git revision `REF` (the working tree is the change)")
	fs.StringVar(planFile, "plan", "", "analyse what the Terraform plan in `FILE` (terraform show -json) changes")
}

// inputs are the loaded configurations: head, and base for change analysis.
type inputs struct {
	head, base *model.Snapshot
	diags      []model.Diagnostic
	err        error
	// baseNames names base files as the head does (analyzer.Options).
	baseNames func(string) string
	// notApplied are the changes lifecycle ignore_changes keeps from being
	// applied; head is pinned to base there.
	notApplied []model.PinnedChange
}

// prefixed marks diagnostics of a base revision so that they are not taken
// for problems of the working tree. They are warnings: a change that fixes
// a broken file must not fail because the file was broken before it.
func prefixed(what string, ds []model.Diagnostic) []model.Diagnostic {
	for i := range ds {
		ds[i].Message = "(" + what + ") " + ds[i].Message
		ds[i].Warning = true
	}
	return ds
}

// alsoIn returns the revision's diagnostics that the working tree does not
// repeat: a problem the change leaves as it was (same file, same message,
// wherever its line moved) is reported once, for the working tree.
func alsoIn(base, head []model.Diagnostic) []model.Diagnostic {
	type key struct {
		file, msg string
		warning   bool
	}
	inHead := map[key]bool{}
	for _, d := range head {
		inHead[key{d.File, d.Message, d.Warning}] = true
	}
	var out []model.Diagnostic
	for _, d := range base {
		if !inHead[key{d.File, d.Message, d.Warning}] {
			out = append(out, d)
		}
	}
	return out
}

// engineResult is what compiling the policies gave.
type engineResult struct {
	eng   *analyzer.Engine
	diags []model.Diagnostic
	err   error
}

// prepareEngine starts compiling the policies, which depends on nothing
// the inputs hold, so that it happens while they load.
func (c *common) prepareEngine(ctx context.Context) {
	c.engine = make(chan engineResult, 1)
	go func() {
		eng, diags, err := analyzer.NewEngine(ctx, c.policies)
		c.engine <- engineResult{eng, diags, err}
	}()
}

// loadBase loads the working tree and the revision rev, paired root by
// root (ParseCache.Pair): the revision's copy of a root is evaluated right
// after the working tree's, reusing its syntax trees (and its result, when
// nothing the root depends on changed), which are then let go. The
// revision's files are read while the working tree begins to load (the
// working tree's configuration files whose bytes are the revision's are
// taken from there, read once for both sides, SharedReads); once they are
// known, only the directories the change touched keep syntax trees. A
// revision that cannot be read stops both loads.
func loadBase(ctx context.Context, rev *revisionRead, paths []string, opts loader.Options, onHead func(*model.Snapshot)) (head *model.Snapshot, hd []model.Diagnostic,
	base *model.Snapshot, bd []model.Diagnostic, tree *gitrev.Tree, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cache := terraform.NewParseCache()
	read := make(chan struct{})
	go func() {
		defer close(read)
		if tree, err = rev.wait(); err != nil {
			cancel()
			return
		}
		cache.KeepTrees(loader.ChangedDirs(tree))
	}()
	head, hd, base, bd = loadPaired(rev.shared.Options(opts), cache, nil, onHead,
		func(o loader.Options) (*model.Snapshot, []model.Diagnostic) { return loader.Load(ctx, paths, o) },
		func(o loader.Options) (*model.Snapshot, []model.Diagnostic) {
			<-read
			if err != nil {
				// nothing to load, but the leader waits for the follower
				return loader.LoadTree(ctx, &gitrev.Tree{}, nil, o)
			}
			return loader.LoadTree(ctx, tree, paths, o)
		})
	<-read
	return head, hd, base, bd, tree, err
}

// loadPaths are the paths a load reads for the command-line arguments
// args: the current directory when there are none.
func loadPaths(args []string) []string {
	if len(args) == 0 {
		args = []string{"."}
	}
	return modulePaths(args)
}

// revisionRead is git's reading of a revision's files (loader.ReadRevision),
// begun as soon as the command line is read, and the working tree's reads,
// which its comparisons begin and the working tree's load shares.
type revisionRead struct {
	done   chan struct{}
	tree   *gitrev.Tree
	err    error
	shared *loader.SharedReads
}

// readRevision begins reading revision rev's files under paths.
func readRevision(rev string, paths []string) *revisionRead {
	r := &revisionRead{done: make(chan struct{}), shared: loader.NewSharedReads()}
	go func() {
		defer close(r.done)
		r.tree, r.err = loader.ReadRevision(rev, paths, r.shared.ReadFile)
	}()
	return r
}

// wait returns the revision's files once read.
func (r *revisionRead) wait() (*gitrev.Tree, error) {
	<-r.done
	return r.tree, r.err
}

// prepareHead classifies the head of a change analysis and builds its
// documents (analyzer.Prepare) while the base is still loading, unless
// lifecycle ignore_changes will change the head once the base is loaded
// (model.Snapshot.PinIgnoredChanges).
func (c *common) prepareHead(head *model.Snapshot) {
	if len(head.IgnoreChanges) > 0 {
		return
	}
	params := c.params()
	// the index here, before Prepare's goroutine and the analysis (which
	// computes the change while waiting for Prepare) read it
	head.Index()
	ch := make(chan *analyzer.Prepared, 1)
	go func() { ch <- analyzer.Prepare(head, params) }()
	c.prepared = ch
}

// analyze evaluates the policies over the inputs, writes the report and
// returns the exit code.
func (c *common) analyze(ctx context.Context, in inputs, stdout, stderr io.Writer) int {
	if c.engine == nil {
		c.prepareEngine(ctx)
	}
	r := <-c.engine
	eng, policyDiags, err := r.eng, r.diags, r.err
	if err != nil {
		fmt.Fprintf(stderr, "sgcheck: %v\n", err)
		return exitError
	}
	eng.SetPolicyTimeout(c.policyTimeout)
	cfg, err := c.config(eng.Policies())
	if err != nil {
		fmt.Fprintf(stderr, "sgcheck: %v\n", err)
		return exitError
	}
	c.progress.set("analysing")
	var prepared func() *analyzer.Prepared
	if ch := c.prepared; ch != nil {
		prepared = func() *analyzer.Prepared { return <-ch }
	}
	res, err := eng.Analyze(ctx, in.head, in.base, analyzer.Options{Params: c.params(), Enable: cfg.enable, BaseNames: in.baseNames,
		NotApplied: in.notApplied, Prepared: prepared})
	c.progress.stop() // before anything is printed
	if err != nil {
		fmt.Fprintf(stderr, "sgcheck: %v\n", err)
		return exitError
	}
	errs, warnings := splitDiagnostics(cfg.diagnostics(append(append(in.diags, policyDiags...), res.PolicyErrors...)))
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	var peers analyzer.PeerIgnores
	if !cfg.noPeerIgnores {
		peers = analyzer.PeerIgnoresOf(eng.Policies())
	}
	findings, suppressed := analyzer.Suppress(cfg.apply(res.Findings), ignoreReader(in.head.IgnoreFiles), peers)
	if c.minRank > 0 {
		kept := findings[:0]
		for _, f := range findings {
			if analyzer.SeverityRank(f.Severity) >= c.minRank {
				kept = append(kept, f)
			}
		}
		findings = kept
	}
	findings = analyzer.MergeInstances(analyzer.MergeAttachments(findings))
	known := map[string]bool{}
	for _, p := range eng.Policies() {
		known[p.ID] = true
	}
	for _, w := range analyzer.CheckIgnores(in.head.IgnoreFiles, suppressed, known, in.base == nil, nil) {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	run := report.Run{ToolVersion: toolVersion(), Findings: findings, Suppressed: suppressed, Errors: errs,
		Internal: res.Internal, Policies: eng.Policies(), Unknowns: in.head.Unknowns, Read: report.CountsOf(in.head),
		Notes: paramNotes(findings, c.icmpTimeout), AutomationID: c.automationID}
	if tty := terminalOf(stdout, c.noColor); c.textOnStdout() && c.output == "" {
		run.Width, run.Color = tty.width, tty.color
	}
	for _, o := range c.outputs {
		if o.format == "sarif" || o.format == "github" {
			run.RepoPrefix = repoPrefix()
			break
		}
	}
	if res.Changes != nil {
		run.Notes = append(run.Notes, changeNotes(res.Changes)...)
	}
	if !c.emitAll(stdout, stderr, func(w io.Writer, format string) error { return report.Write(w, format, run) }) {
		return exitError
	}
	if len(errs) > 0 || len(res.Internal) > 0 {
		if !c.textOnStdout() {
			for _, e := range errs {
				fmt.Fprintf(stderr, "error: %s\n", e)
			}
		}
		return exitError
	}
	for _, f := range findings {
		if analyzer.SeverityRank(f.Severity) >= c.threshold {
			return exitFindings
		}
	}
	return exitClean
}

// modulePaths replaces each Terraform configuration file named on the
// command line by its directory: Terraform reads a module's files together,
// and one of them alone (without its variables, its locals) is not valid
// (git diff --name-only | xargs sgcheck gave false errors). Other paths are
// kept, each once, in order. sgcheck diff keeps its two paths as named.
func modulePaths(paths []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range paths {
		if terraform.IsConfigFile(p) {
			if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
				p = filepath.Dir(p)
			}
		}
		if !seen[filepath.Clean(p)] {
			seen[filepath.Clean(p)] = true
			out = append(out, p)
		}
	}
	return out
}

// ignoreReader reads, for suppressions, only the files the load saw an
// ignore comment in (files): the others hold none, and need not be read
// again.
func ignoreReader(files []string) func(string) ([]byte, error) {
	marked := map[string]bool{}
	for _, f := range files {
		marked[f] = true
	}
	return func(name string) ([]byte, error) {
		if !marked[name] {
			return nil, fs.ErrNotExist
		}
		return safeio.ReadFile(name)
	}
}

// repoPrefix is the working directory relative to the enclosing git
// repository's root, or "" outside one.
func repoPrefix() string {
	out, err := exec.Command("git", "rev-parse", "--show-prefix").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// changeNotes lists what the change does that is not a finding: NACL changes
// (stateless, at once) and revocations whose flows are untracked.
func changeNotes(ch *analyzer.ChangesDoc) []string {
	var out []string
	// one note for the attachments a revocation cuts alike (a group on
	// several instances with the same reverse rule)
	type cut struct{ rule, what, direction, peer, reverse, assumption string }
	var cuts []cut
	on := map[cut][]string{}
	for _, rv := range ch.Revocations {
		if !rv.Tracked {
			c := cut{rv.Rule, rv.What, rv.Direction, rv.Peer, rv.ReverseRule, rv.RouteAssumption}
			if on[c] == nil {
				cuts = append(cuts, c)
			}
			on[c] = append(on[c], rv.Attachment)
		}
	}
	for _, c := range cuts {
		atts := on[c]
		slices.SortStableFunc(atts, analyzer.NaturalCompare)
		list := strings.Join(atts[:len(atts)-1], ", ") + " and " + atts[len(atts)-1]
		if len(atts) == 1 {
			list = atts[0]
		}
		note := fmt.Sprintf("note: %s revokes %s %s %s on %s; those flows are untracked (reverse rule %s), so the cut is immediate",
			c.rule, c.what, peerWord(c.direction), c.peer, list, c.reverse)
		if c.assumption != "" {
			note += " " + c.assumption
		}
		out = append(out, note)
	}
	for _, n := range ch.NACLChanges {
		dir := "ingress"
		if n.Egress {
			dir = "egress"
		}
		out = append(out, fmt.Sprintf("note: %s %s entry %d (%s) %s: NACLs are stateless, so this takes effect at once for every flow",
			n.NACL, dir, n.Number, n.Action, n.Kind))
	}
	for _, s := range ch.Incomplete {
		out = append(out, "note: change analysis incomplete: "+s)
	}
	return out
}

func peerWord(direction string) string {
	if direction == "egress" {
		return "to"
	}
	return "from"
}

// paramNotes names the model parameters that a reported number depends on.
func paramNotes(fs []analyzer.Finding, icmp int) []string {
	for _, f := range fs {
		// a merged revocation names the parameter in its message, beside
		// the window of its ICMP part
		if f.Facts["window_source"] == "model-parameter" || strings.Contains(f.Message, analyzer.ModelParameterMark) {
			return []string{fmt.Sprintf("note: ICMP windows use the model parameter icmp-idle-timeout = %d s (AWS does not document it; change with --icmp-idle-timeout)", icmp)}
		}
	}
	return nil
}

func splitDiagnostics(diags []model.Diagnostic) (errs, warnings []model.Diagnostic) {
	for _, d := range diags {
		if d.Warning {
			warnings = append(warnings, d)
		} else {
			errs = append(errs, d)
		}
	}
	return errs, warnings
}

// failThreshold maps --fail-on to a severity rank; "none" never fails.
func failThreshold(s string) (int, bool) {
	if strings.EqualFold(s, "none") {
		return 1 << 30, true
	}
	r := analyzer.SeverityRank(s)
	return r, r >= 0
}

func validFormat(f string, formats []string) bool {
	for _, v := range formats {
		if v == f {
			return true
		}
	}
	return false
}
