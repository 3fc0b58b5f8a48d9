// Package report provides sgcheck's output formats: text, JSON (contract v1)
// and SARIF 2.1.0. Writers only print; they compute nothing.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/model"
)

// Run is everything a report prints about one invocation.
type Run struct {
	ToolVersion string
	Findings    []analyzer.Finding
	// Suppressed are findings an inline sgcheck:ignore comment suppressed.
	Suppressed []analyzer.Suppressed
	Errors     []model.Diagnostic
	Internal   []string
	Policies   []analyzer.PolicyMeta
	Unknowns   int
	// Read is what the inputs held.
	Read Counts
	// Notes are lines printed under the text summary, e.g. the model
	// parameters in force.
	Notes []string
	// RepoPrefix is the working directory relative to the repository root
	// ("infra/"), so that SARIF URIs are relative to the root as code
	// scanning expects, wherever sgcheck ran.
	RepoPrefix string
	// Width is the column text reports fold at (0: DefaultWidth); Color
	// colours severities (a terminal that wants colour).
	Width int
	Color bool
	// AutomationID is SARIF's automationDetails.id (GitHub's category),
	// which tells apart the runs of one repository that scan several roots.
	AutomationID string
}

// Counts says how much input a run read.
type Counts struct {
	Files       int `json:"files"`
	Groups      int `json:"groups"`
	Rules       int `json:"rules"`
	NACLEntries int `json:"nacl_entries"`
}

// CountsOf counts what a snapshot holds (symbolic groups and AWS's implicit
// default NACLs are not read from the input, so not counted).
func CountsOf(s *model.Snapshot) Counts {
	c := Counts{Files: s.Files, Rules: len(s.Rules)}
	for _, g := range s.Groups {
		if !g.Symbolic {
			c.Groups++
		}
	}
	for _, n := range s.NACLs {
		if !n.Implicit {
			c.NACLEntries += len(n.Entries)
		}
	}
	return c
}

// Formats lists the output formats of the scan command.
var Formats = []string{"text", "json", "sarif", "github", "junit", "markdown"}

// Write prints run in format.
func Write(w io.Writer, format string, run Run) error {
	switch format {
	case "text":
		return Text(w, run)
	case "json":
		return JSON(w, run)
	case "sarif":
		return SARIF(w, run)
	case "github":
		return GitHub(w, run)
	case "junit":
		return JUnit(w, run)
	case "markdown":
		return Markdown(w, run)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}
