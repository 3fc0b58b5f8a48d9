package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/loader"
	"github.com/sgcheck/sgcheck/report"
	"github.com/sgcheck/sgcheck/tracking"
	flag "github.com/spf13/pflag"
)

const explainUsage = `Usage: sgcheck explain [flags] [PATH...]

Prints, per attachment (interface, instance, launch template, or a group
analysed alone), every rule: what it admits, whether its flows are
connection-tracked, why, and how long live flows outlive a revocation.
`

func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("sgcheck explain", explainUsage, stderr)
	c.register(fs, "text|json")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	if c.format != "text" && c.format != "json" {
		return usageError(stderr, "unknown --format %q (want text, json)", c.format)
	}
	if err := c.validate(); err != nil {
		return usageError(stderr, "%v", err)
	}
	lopts, err := c.loadOptions()
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	snap, diags := loader.Load(ctx, paths, lopts)
	errs, warnings := splitDiagnostics(diags)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	e := report.Explanation{Attachments: analyzer.Docs(tracking.Classify(snap, c.params())), Errors: errs,
		Params: analyzer.ParamsDoc{ICMPIdleTimeout: c.icmpTimeout}, Unknowns: snap.Unknowns}
	out, done, err := c.openOutput(stdout)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if c.format == "json" {
		err = report.ExplainJSON(out, e)
	} else {
		err = report.ExplainText(out, e)
	}
	if err == nil {
		err = done()
	}
	if err != nil {
		fmt.Fprintf(stderr, "sgcheck: %v\n", err)
		return exitError
	}
	if len(errs) > 0 {
		return exitError
	}
	return exitClean
}
