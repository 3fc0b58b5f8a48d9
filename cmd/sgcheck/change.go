package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sgcheck/sgcheck/loader"
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
	limitMemory([]string{fs.Arg(0), fs.Arg(1)}, 1) // both sides are under the paths
	c.progress = startProgress(stderr, 2*time.Second)
	defer c.progress.stop()
	c.progress.set("reading files")
	c.prepareEngine(ctx)
	base, bd := loader.Load(ctx, []string{fs.Arg(0)}, c.lopts)
	head, hd := loader.Load(ctx, []string{fs.Arg(1)}, c.lopts)
	if fatal := missing(bd, hd); fatal != "" {
		c.progress.stop()
		fmt.Fprintf(stderr, "sgcheck: %s\n", fatal)
		return exitError
	}
	return c.analyze(ctx, inputs{head: head, base: base, diags: append(bd, hd...)}, stdout, stderr)
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
