package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/loader"
	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/report"
	flag "github.com/spf13/pflag"
)

const scanUsage = `Usage: sgcheck [flags] [PATH...]
       sgcheck explain [flags] [PATH...]

sgcheck reads Terraform under each PATH (default ".") and reports security
group and network ACL findings: which rules admit connection-tracked flows
that outlive a revocation, and for how long.

Exit status: 0 no findings at or above --fail-on, 1 findings at or above it,
2 usage or input errors (the other inputs are still analysed and reported).
`

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	var failOn string
	var showVersion bool
	fs := newFlagSet("sgcheck", scanUsage, stderr)
	c.register(fs, strings.Join(report.Formats, "|"))
	fs.StringVar(&failOn, "fail-on", "low", "exit 1 when a finding has at least this `SEVERITY` (info|low|medium|high|critical|none)")
	fs.BoolVar(&showVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError
	}
	if showVersion {
		fmt.Fprintf(stdout, "sgcheck %s\n", version)
		return exitClean
	}
	if !validFormat(c.format, report.Formats) {
		return usageError(stderr, "unknown --format %q (want %s)", c.format, strings.Join(report.Formats, ", "))
	}
	threshold, ok := failThreshold(failOn)
	if !ok {
		return usageError(stderr, "unknown --fail-on %q", failOn)
	}
	if err := c.validate(); err != nil {
		return usageError(stderr, "%v", err)
	}
	lopts, err := c.loadOptions()
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	eng, err := analyzer.NewEngine(ctx, c.policies)
	if err != nil {
		fmt.Fprintf(stderr, "sgcheck: %v\n", err)
		return exitError
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	snap, diags := loader.Load(ctx, paths, lopts)
	errs, warnings := splitDiagnostics(diags)
	res, err := eng.Analyze(ctx, snap, analyzer.Options{Params: c.params()})
	if err != nil {
		fmt.Fprintf(stderr, "sgcheck: %v\n", err)
		return exitError
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	out, done, err := c.openOutput(stdout)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	run := report.Run{ToolVersion: version, Findings: res.Findings, Errors: errs, Internal: res.Internal,
		Policies: eng.Policies(), Unknowns: snap.Unknowns, Notes: paramNotes(res.Findings, c.icmpTimeout)}
	if err := report.Write(out, c.format, run); err != nil {
		fmt.Fprintf(stderr, "sgcheck: %v\n", err)
		return exitError
	}
	if err := done(); err != nil {
		fmt.Fprintf(stderr, "sgcheck: %v\n", err)
		return exitError
	}
	if len(errs) > 0 || len(res.Internal) > 0 {
		if c.format != "text" || c.output != "" {
			for _, e := range errs {
				fmt.Fprintf(stderr, "error: %s\n", e)
			}
		}
		return exitError
	}
	for _, f := range res.Findings {
		if analyzer.SeverityRank(f.Severity) >= threshold {
			return exitFindings
		}
	}
	return exitClean
}

// paramNotes names the model parameters that a reported number depends on.
func paramNotes(fs []analyzer.Finding, icmp int) []string {
	for _, f := range fs {
		if f.Facts["window_source"] == "model-parameter" {
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
