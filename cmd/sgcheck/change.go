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
// same is evaluated once.
func loadBoth(ctx context.Context, old, new string, paired bool, opts loader.Options,
	onHead func(*model.Snapshot)) (base *model.Snapshot, bd []model.Diagnostic, head *model.Snapshot, hd []model.Diagnostic) {
	if !paired {
		base, bd = loader.Load(ctx, []string{old}, opts)
		head, hd = loader.Load(ctx, []string{new}, opts)
		return
	}
	head, hd, base, bd = loadPaired(opts, terraform.NewParseCache(), &terraform.Mirror{Own: old, Leader: new}, onHead,
		func(o loader.Options) (*model.Snapshot, []model.Diagnostic) {
			return loader.Load(ctx, []string{new}, o)
		},
		func(o loader.Options) (*model.Snapshot, []model.Diagnostic) {
			return loader.Load(ctx, []string{old}, o)
		})
	return
}

// loadPaired runs the two loads of a change analysis at the same time,
// paired through cache (ParseCache.Pair): lead loads the head, follow the
// base (with mirror for diff), each given opts that share the cache.
// onHead, if not nil, is given the head as soon as it is loaded, while the
// base may still be loading.
func loadPaired(opts loader.Options, cache *terraform.ParseCache, mirror *terraform.Mirror, onHead func(*model.Snapshot),
	lead, follow func(loader.Options) (*model.Snapshot, []model.Diagnostic)) (head *model.Snapshot, hd []model.Diagnostic, base *model.Snapshot, bd []model.Diagnostic) {
	cache.Pair()
	l, f := opts, opts
	l.Terraform.Parsed, f.Terraform.Parsed = cache, cache
	f.Terraform.Follow, f.Terraform.Mirror = true, mirror
	done := make(chan struct{})
	go func() {
		defer close(done)
		base, bd = follow(f)
	}()
	head, hd = lead(l)
	if onHead != nil && head != nil {
		onHead(head)
	}
	<-done
	return head, hd, base, bd
}

// separateDirs reports whether a and b are directories, neither the
// working directory, and neither inside the other.
func separateDirs(a, b string) bool {
	real := func(p string) (string, bool) {
		info, err := os.Stat(p)
		if err != nil || !info.IsDir() || filepath.Clean(p) == "." || terraform.DisplayPath(p) == "." {
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
	ra, okA := real(a)
	rb, okB := real(b)
	inside := func(p, dir string) bool {
		return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
	}
	return okA && okB && !inside(ra, rb) && !inside(rb, ra)
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
