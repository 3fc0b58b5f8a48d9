package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/sgcheck/sgcheck/internal/safeio"
	"github.com/sgcheck/sgcheck/report"
	"github.com/sgcheck/sgcheck/scenario"
)

const simulateUsage = `Usage: sgcheck simulate [flags] FILE

Replays a scenario (YAML) in sgcheck's simulator of security group
connection tracking and network ACLs: a configuration, a target attachment,
and a timeline of traffic, revocations, configuration changes and NACL
entries. Exit 1 when an expect step fails, 2 when the file is invalid.
`

func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("sgcheck simulate")
	c.register(fs, "text|json")
	if code, done := parseFlags(fs, simulateUsage, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(stderr, "simulate needs one scenario FILE")
	}
	if err := c.check([]string{"text", "json"}); err != nil {
		return usageError(stderr, "%v", err)
	}
	file := fs.Arg(0)
	src, err := safeio.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "sgcheck: %v\n", err)
		return exitError
	}
	s, err := scenario.Parse(src)
	if err == nil {
		var res *scenario.Result
		if res, err = scenario.Run(ctx, s, filepath.Dir(file), c.params(), c.lopts); err == nil {
			return c.writeTimeline(res, stdout, stderr)
		}
	}
	var se *scenario.Error
	if errors.As(err, &se) && se.Line > 0 {
		fmt.Fprintf(stderr, "%s:%d: %s\n", file, se.Line, se.Msg)
	} else {
		fmt.Fprintf(stderr, "%s: %v\n", file, err)
	}
	return exitError
}

func (c *common) writeTimeline(res *scenario.Result, stdout, stderr io.Writer) int {
	write := report.TimelineText
	if c.format == "json" {
		write = report.TimelineJSON
	}
	if !c.emit(stdout, stderr, func(w io.Writer) error { return write(w, res) }) {
		return exitError
	}
	if res.Failed > 0 {
		return exitFindings
	}
	return exitClean
}
