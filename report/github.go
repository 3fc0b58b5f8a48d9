package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// GitHub prints GitHub Actions workflow commands, so that findings show as
// annotations on the pull request's files.
func GitHub(w io.Writer, run Run) error {
	b := bufio.NewWriter(w)
	for _, e := range run.Errors {
		fmt.Fprintf(b, "::error file=%s,line=%d::%s\n", ghProp(e.File), max(e.Line, 1), ghData(e.Message))
	}
	for _, f := range run.Findings {
		cmd := map[string]string{"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning"}[f.Severity]
		if cmd == "" {
			cmd = "notice"
		}
		props := fmt.Sprintf("title=%s", ghProp(f.ID+" "+f.Title))
		if f.Location != nil {
			props = fmt.Sprintf("file=%s,line=%d,endLine=%d,%s", ghProp(f.Location.File), f.Location.StartLine,
				f.Location.EndLine, props)
		}
		msg := f.Message
		if f.Remediation != "" {
			msg += "\n\n" + f.Remediation
		}
		fmt.Fprintf(b, "::%s %s::%s\n", cmd, props, ghData(msg))
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
