package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sgcheck/sgcheck/loader"
	"github.com/sgcheck/sgcheck/loader/terraform"
	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/report"
)

// loadPlan reads a plan; a plan that cannot be read is an input error.
func loadPlan(ctx context.Context, file string, paths []string, opts loader.Options) (head, base *model.Snapshot, diags []model.Diagnostic, err error) {
	head, base, diags = loader.LoadPlan(ctx, file, paths, opts)
	if head == nil {
		var msgs []string
		for _, d := range diags {
			msgs = append(msgs, d.String())
		}
		return nil, nil, nil, errors.New(strings.Join(msgs, "; "))
	}
	return head, base, diags, nil
}

const diffUsage = `Usage: sgcheck diff [flags] OLD NEW

Compares two inputs of the same kind (two folders, two files) and reports what
changing OLD into NEW does to flows that are live: which revocations will not
cut them, for how long, and what would.
`

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("sgcheck diff")
	c.register(fs, strings.Join(report.Formats, "|"))
	c.registerFailOn(fs)
	if code, done := parseFlags(fs, diffUsage, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() != 2 {
		return usageError(stderr, "diff needs two inputs, OLD and NEW")
	}
	if err := c.check(report.Formats); err != nil {
		return usageError(stderr, "%v", err)
	}
	paired := pairedDiff(ctx, fs.Arg(0), fs.Arg(1))
	if paired {
		limitMemory([]string{fs.Arg(1)}, pairedSides()) // paired (loadBoth), as --base
	} else {
		limitMemory([]string{fs.Arg(0), fs.Arg(1)}, 1) // both sides are under the paths
	}
	c.progress = startProgress(stderr, 2*time.Second)
	defer c.progress.stop()
	c.progress.set("reading files")
	c.prepareEngine(ctx)
	base, bd, head, hd := loadBoth(ctx, fs.Arg(0), fs.Arg(1), paired, c.lopts, c.prepareHead)
	if fatal := missing(bd, hd); fatal != "" {
		c.progress.stop()
		fmt.Fprintf(stderr, "sgcheck: %s\n", fatal)
		return exitError
	}
	in := inputs{head: head, base: base, diags: append(bd, hd...), notApplied: head.PinIgnoredChanges(base)}
	if paired {
		in.baseNames = terraform.Counterpart(fs.Arg(0), fs.Arg(1))
	}
	return c.analyze(ctx, in, stdout, stderr)
}

// loadApart, as a context value, makes diff and --base load their sides
// apart, sharing nothing (tests compare the paired loads with it).
type loadApart struct{}

// pairedDiff says whether diff pairs its two sides: two separate
// directories, unless the context says to load them apart.
func pairedDiff(ctx context.Context, old, new string) bool {
	return ctx.Value(loadApart{}) == nil && separateDirs(old, new)
}

// loadBoth loads the two sides of diff. Paired (two separate directories),
// they load at the same time, root by root (ParseCache.Pair,
// terraform.Mirror): a file of OLD with the same bytes as the file at the
// same place in NEW is parsed once, and a root whose files are all the
// same is evaluated once. NEW leads, unless it is the working directory:
// what the follower takes from the leader is renamed by swapping the
// leader's folder for its own where it begins a file's name or a path a
// message quotes, and the working directory begins none of its files'
// names (a.tf, not ./a.tf), so it can only follow.
func loadBoth(ctx context.Context, old, new string, paired bool, opts loader.Options,
	onHead func(*model.Snapshot)) (base *model.Snapshot, bd []model.Diagnostic, head *model.Snapshot, hd []model.Diagnostic) {
	if !paired {
		base, bd = loader.Load(ctx, []string{old}, opts)
		head, hd = loader.Load(ctx, []string{new}, opts)
		return
	}
	loadOf := func(dir string) func(loader.Options) (*model.Snapshot, []model.Diagnostic) {
		return func(o loader.Options) (*model.Snapshot, []model.Diagnostic) {
			return loader.Load(ctx, []string{dir}, o)
		}
	}
	if workDir(new) {
		base, bd, head, hd = loadPaired(opts, terraform.NewParseCache(), &terraform.Mirror{Own: new, Leader: old}, nil,
			loadOf(old), loadOf(new))
		return
	}
	head, hd, base, bd = loadPaired(opts, terraform.NewParseCache(), &terraform.Mirror{Own: old, Leader: new}, onHead,
		loadOf(new), loadOf(old))
	return
}

// loadPaired runs the two loads of a change analysis at the same time,
// paired through cache (ParseCache.Pair): lead loads one side (the head,
// but for diff from inside NEW), follow the other (with mirror for diff),
// each given opts that share the cache. onLead, if not nil, is given the
// leader's snapshot as soon as it is loaded, while the follower may still
// be loading.
func loadPaired(opts loader.Options, cache *terraform.ParseCache, mirror *terraform.Mirror, onLead func(*model.Snapshot),
	lead, follow func(loader.Options) (*model.Snapshot, []model.Diagnostic)) (led *model.Snapshot, ld []model.Diagnostic, followed *model.Snapshot, fd []model.Diagnostic) {
	cache.Pair()
	l, f := opts, opts
	l.Terraform.Parsed, f.Terraform.Parsed = cache, cache
	f.Terraform.Follow, f.Terraform.Mirror = true, mirror
	done := make(chan struct{})
	go func() {
		defer close(done)
		followed, fd = follow(f)
	}()
	led, ld = lead(l)
	if onLead != nil && led != nil {
		onLead(led)
	}
	<-done
	return led, ld, followed, fd
}

// realDir is directory p's absolute path with symbolic links resolved;
// ok is false when p is not a directory.
func realDir(p string) (string, bool) {
	info, err := os.Stat(p)
	if err != nil || !info.IsDir() {
		return "", false
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	return abs, true
}

// inside reports whether p is dir or below it (both real paths).
func inside(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// workDir reports whether p names the working directory as reports name
// it (".", or its absolute path).
func workDir(p string) bool {
	return terraform.DisplayPath(p) == "."
}

// holdsWorkDir reports whether p is an absolute path to a directory the
// working directory is below: reports name the files below the working
// directory relative to it, the others by their absolute paths, so p is
// not a prefix of every file's name.
func holdsWorkDir(p string) bool {
	if !filepath.IsAbs(p) {
		return false // names are kept as given: p begins every one
	}
	wd, err := os.Getwd()
	if err != nil {
		return true
	}
	rel, err := filepath.Rel(wd, p)
	if err != nil || rel == "." {
		return false
	}
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if part != ".." {
			return false
		}
	}
	return true
}

// separateDirs reports whether a and b are directories, neither inside the
// other, whose names begin the names reports give their files (which is
// how a file is paired with its counterpart): one may be the working
// directory, whose files' names have no prefix at all, but an absolute
// path above it may not.
func separateDirs(a, b string) bool {
	ra, okA := realDir(a)
	rb, okB := realDir(b)
	return okA && okB && !inside(ra, rb) && !inside(rb, ra) && !holdsWorkDir(a) && !holdsWorkDir(b)
}

// missing reports an input that could not be read at all.
func missing(ds ...[]model.Diagnostic) string {
	for _, d := range ds {
		for _, x := range d {
			if x.Line == 0 && !x.Warning && strings.Contains(x.Message, "no such file") {
				return x.String()
			}
		}
	}
	return ""
}
