package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/sgcheck/sgcheck/analyzer"
)

// Text prints findings for people: location, severity, id, title, then the
// message, remediation, related locations and proof steps, indented.
func Text(w io.Writer, run Run) error {
	b := bufio.NewWriter(w)
	for _, e := range run.Errors {
		fmt.Fprintf(b, "error: %s\n", e)
	}
	for _, e := range run.Internal {
		fmt.Fprintf(b, "internal error: %s\n", e)
	}
	if len(run.Errors)+len(run.Internal) > 0 {
		b.WriteString("\n")
	}
	for _, f := range run.Findings {
		loc := "<no location>"
		if f.Location != nil {
			loc = fmt.Sprintf("%s:%d", f.Location.File, f.Location.StartLine)
			if f.Location.EndLine > f.Location.StartLine {
				loc += fmt.Sprintf("-%d", f.Location.EndLine)
			}
		}
		fmt.Fprintf(b, "%s: %s %s %s\n", loc, f.Severity, f.ID, f.Title)
		wrap(b, "  ", f.Message)
		if f.Remediation != "" {
			wrap(b, "  fix: ", f.Remediation)
		}
		for _, r := range f.Related {
			if r.Location != nil {
				fmt.Fprintf(b, "  see: %s:%d (%s)\n", r.Location.File, r.Location.StartLine, r.Message)
			}
		}
		if f.Proof != nil {
			status := "verified in the simulator"
			if !f.Proof.Verified {
				status = "NOT verified"
			}
			fmt.Fprintf(b, "  proof (%s):\n", status)
			for _, ev := range f.Proof.Events {
				line := fmt.Sprintf("t=%-7s %s", Clock(ev.T), ev.Event)
				if ev.Verdict != "" {
					line += " → " + ev.Verdict
				}
				if ev.Why != "" {
					line += " (" + ev.Why + ")"
				}
				fmt.Fprintf(b, "    %s\n", line)
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "%s; %s", summary(run.Findings), plural(len(run.Errors), "input error"))
	if len(run.Suppressed) > 0 {
		fmt.Fprintf(b, "; %d suppressed by sgcheck:ignore comments", len(run.Suppressed))
	}
	if run.Unknowns > 0 {
		fmt.Fprintf(b, "; %s not determined by the input (see `sgcheck explain`)", plural(run.Unknowns, "value"))
	}
	fmt.Fprintf(b, "\nread %s: %s, %s, %s\n", plural(run.Read.Files, "file"), plural(run.Read.Groups, "security group"),
		plural(run.Read.Rules, "rule"), plural(run.Read.NACLEntries, "NACL entry"))
	for _, n := range run.Notes {
		fmt.Fprintf(b, "%s\n", n)
	}
	return b.Flush()
}

// Clock renders a timeline offset compactly: 45s, 3m20s, 5d0h0m1s.
func Clock(t int) string {
	if t < 60 {
		return fmt.Sprintf("%ds", t)
	}
	var parts []string
	for _, u := range []struct {
		n int
		s string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}} {
		if t >= u.n {
			parts = append(parts, fmt.Sprintf("%d%s", t/u.n, u.s))
			t %= u.n
		}
	}
	if t > 0 {
		parts = append(parts, fmt.Sprintf("%ds", t))
	}
	return strings.Join(parts, "")
}

func summary(fs []analyzer.Finding) string {
	counts := map[string]int{}
	for _, f := range fs {
		counts[f.Severity]++
	}
	var parts []string
	for _, s := range []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], strings.ToLower(s)))
		}
	}
	out := plural(len(fs), "finding")
	if len(parts) > 0 {
		out += " (" + strings.Join(parts, ", ") + ")"
	}
	return out
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(what, "y"))
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// wrap prints text after prefix, its first line folded at 100 columns; the
// lines after it (code snippets) are printed as they are, indented.
func wrap(b *bufio.Writer, prefix, text string) {
	const width = 100
	indent := strings.Repeat(" ", len(prefix))
	first, rest, _ := strings.Cut(text, "\n")
	defer func() {
		for _, l := range strings.Split(strings.TrimRight(rest, "\n"), "\n") {
			if l != "" {
				b.WriteString(indent + l + "\n")
			}
		}
	}()
	for _, para := range []string{first} {
		line := prefix
		n := len(line)
		for i, word := range strings.Fields(para) {
			if i > 0 && n+1+len(word) > width {
				b.WriteString(line + "\n")
				line, n = indent, len(indent)
			} else if i > 0 {
				line += " "
				n++
			}
			line += word
			n += len(word)
		}
		b.WriteString(line + "\n")
	}
}
