package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/sgcheck/sgcheck/analyzer"
)

// ghShown is how many annotations of each kind (error, warning, notice)
// GitHub shows for one step; it keeps the rest in the log only.
const ghShown = 10

// GitHub prints GitHub Actions workflow commands, so that findings show as
// annotations on the pull request's files: paths relative to the
// repository root (as GitHub resolves them), most severe first, and a
// closing notice saying how many GitHub will not show as annotations.
func GitHub(w io.Writer, run Run) error {
	b := bufio.NewWriter(w)
	counts := map[string]int{}
	for _, e := range run.Errors {
		counts["error"]++
		fmt.Fprintf(b, "::error file=%s,line=%d::%s\n", ghProp(rebasePath(e.File, run.RepoPrefix)), max(e.Line, 1), ghData(e.Message))
	}
	fs := append([]analyzer.Finding(nil), run.Findings...)
	sort.SliceStable(fs, func(i, j int) bool {
		return analyzer.SeverityRank(fs[i].Severity) > analyzer.SeverityRank(fs[j].Severity)
	})
	for _, f := range fs {
		cmd := map[string]string{"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning"}[f.Severity]
		if cmd == "" {
			cmd = "notice"
		}
		counts[cmd]++
		props := fmt.Sprintf("title=%s", ghProp(f.ID+" "+f.Title))
		if l := rebase(f.Location, run.RepoPrefix); l != nil {
			props = fmt.Sprintf("file=%s,line=%d,endLine=%d,%s", ghProp(l.File), l.StartLine, l.EndLine, props)
		}
		msg := f.Message
		if n := instancesNote(f); n != "" {
			msg += "\n\n" + n
		}
		if f.Remediation != "" {
			msg += "\n\n" + f.Remediation
		}
		fmt.Fprintf(b, "::%s %s::%s\n", cmd, props, ghData(msg))
	}
	var hidden []string
	for _, kind := range []string{"error", "warning", "notice"} {
		if n := counts[kind] - ghShown; n > 0 {
			hidden = append(hidden, fmt.Sprintf("%d %s", n, kind))
		}
	}
	if len(hidden) > 0 {
		fmt.Fprintf(b, "::notice title=sgcheck::%s\n", ghData(fmt.Sprintf(
			"GitHub shows %d annotations of each kind per step: %s annotations above are in this log only (the SARIF upload or the job summary lists every finding)",
			ghShown, strings.Join(hidden, ", "))))
	}
	fmt.Fprintf(b, "%s; %s\n", summary(run.Findings), plural(len(run.Errors), "input error"))
	return b.Flush()
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProp escapes a workflow command's property value.
func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
