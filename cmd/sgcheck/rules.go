package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sgcheck/sgcheck/analyzer"
)

const rulesUsage = `Usage: sgcheck rules [--format text|json]

Lists every built-in check: id, severity, title, equivalent checks of other
scanners, and its documentation.
`

// runRules lists the built-in checks.
func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sgcheck rules")
	var format string
	fs.StringVarP(&format, "format", "f", "text", "output format: text|json")
	if code, done := parseFlags(fs, rulesUsage, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "rules takes no arguments")
	}
	if format != "text" && format != "json" {
		return usageError(stderr, "unknown --format %q (want text, json)", format)
	}
	eng, _, err := analyzer.NewEngine(ctx, nil)
	if err != nil {
		fmt.Fprintf(stderr, "sgcheck: %v\n", err)
		return exitError
	}
	type ruleDoc struct {
		ID       string   `json:"id"`
		Severity string   `json:"severity"`
		Title    string   `json:"title"`
		Peers    []string `json:"peers"`
		Doc      string   `json:"doc"`
	}
	var docs []ruleDoc
	for _, p := range eng.Policies() {
		peers := p.Peers
		if peers == nil {
			peers = []string{}
		}
		docs = append(docs, ruleDoc{p.ID, p.Severity, p.Title, peers, "docs/rules/" + p.ID + ".md"})
	}
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(docs); err != nil {
			fmt.Fprintf(stderr, "sgcheck: %v\n", err)
			return exitError
		}
		return exitClean
	}
	for _, d := range docs {
		fmt.Fprintf(stdout, "%-7s %-8s %s\n", d.ID, d.Severity, d.Title)
		// peers folded at 100 columns, one peer never split
		line := strings.Repeat(" ", 17) + "like"
		for i, p := range d.Peers {
			sep := " "
			if i < len(d.Peers)-1 {
				p += ","
			}
			if len(line)+1+len(p) > 100 {
				fmt.Fprintln(stdout, line)
				line, sep = strings.Repeat(" ", 22), ""
			}
			line += sep + p
		}
		if len(d.Peers) > 0 {
			fmt.Fprintln(stdout, line)
		}
	}
	return exitClean
}
