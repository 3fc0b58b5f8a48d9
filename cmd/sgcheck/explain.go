package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/report"
	"github.com/sgcheck/sgcheck/tracking"
)

const explainUsage = `Usage: sgcheck explain [flags] [PATH...]

Prints, per attachment (interface, instance, launch template, or a group
analysed alone), every rule: what it admits, whether its flows are
connection-tracked, why, and how long live flows outlive a revocation; and
every network ACL with its entries in evaluation order and its subnets. With
--base or --plan it also lists every revocation of the change, tracked or
not, and every NACL change.
`

func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	var baseRev, planFile string
	fs := newFlagSet("sgcheck explain")
	c.register(fs, "text|json")
	registerChange(fs, &baseRev, &planFile)
	if code, done := parseFlags(fs, explainUsage, args, stdout, stderr); done {
		return code
	}
	if err := c.check([]string{"text", "json"}); err != nil {
		return usageError(stderr, "%v", err)
	}
	in := c.load(ctx, fs.Args(), baseRev, planFile)
	if in.err != nil {
		fmt.Fprintf(stderr, "sgcheck: %v\n", in.err)
		return exitError
	}
	errs, warnings := splitDiagnostics(in.diags)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	params := c.params()
	e := report.Explanation{Attachments: analyzer.WithNACLs(analyzer.Docs(tracking.Classify(in.head, params)), in.head),
		NACLs: analyzer.NACLDocs(in.head), NotCreated: analyzer.AbsentDocs(in.head), Errors: errs,
		Params: analyzer.ParamsDoc{ICMPIdleTimeout: c.icmpTimeout}, Unknowns: in.head.Unknowns}
	if in.base != nil {
		e.Changes = analyzer.Changes(in.base, in.head, params)
	}
	write := report.ExplainText
	if c.format == "json" {
		write = report.ExplainJSON
	}
	if !c.emit(stdout, stderr, func(w io.Writer) error { return write(w, e) }) {
		return exitError
	}
	if len(errs) > 0 {
		return exitError
	}
	return exitClean
}
