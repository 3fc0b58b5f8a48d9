package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/sgcheck/sgcheck/analyzer"
)

// The Markdown report stays under GitHub's 65,536-character comment limit:
// the table stops at markdownTableBudget characters, the details at
// markdownDetailsBudget (a finding's details are at most a few thousand).
const (
	markdownTableBudget   = 30000
	markdownDetailsBudget = 55000
)

// Markdown prints a summary sized for a pull request comment or a job
// summary: the counts, a table of the findings, then each finding with its
// remedy and proof folded in <details>.
func Markdown(w io.Writer, run Run) error {
	var b strings.Builder
	b.WriteString("## sgcheck\n\n")
	fmt.Fprintf(&b, "**%s**; %s", summary(run.Findings), plural(len(run.Errors), "input error"))
	if len(run.Suppressed) > 0 {
		fmt.Fprintf(&b, "; %d suppressed by ignore comments", len(run.Suppressed))
	}
	fmt.Fprintf(&b, ". Read %s: %s, %s, %s.\n\n", plural(run.Read.Files, "file"), plural(run.Read.Groups, "security group"),
		plural(run.Read.Rules, "rule"), plural(run.Read.NACLEntries, "NACL entry"))
	for _, e := range run.Errors {
		fmt.Fprintf(&b, "- :x: input error: %s\n", mdInline(e.String()))
	}
	for _, e := range run.Internal {
		fmt.Fprintf(&b, "- :x: internal error: %s\n", mdInline(e))
	}
	if len(run.Errors)+len(run.Internal) > 0 {
		b.WriteString("\n")
	}
	// GitHub takes comments up to 65,536 characters: the table and the
	// details stop before that, saying how many findings they leave out
	rows := 0
	if len(run.Findings) > 0 {
		b.WriteString("| severity | check | where | what |\n|---|---|---|---|\n")
		for _, f := range run.Findings {
			if b.Len() > markdownTableBudget {
				break
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", f.Severity, f.ID, mdCell(mdWhere(f.Location)), mdCell(firstSentence(f.Message)))
			rows++
		}
		if rows < len(run.Findings) {
			fmt.Fprintf(&b, "\n%d more findings are not in this table; the SARIF report and the job log list every one.\n", len(run.Findings)-rows)
		}
		b.WriteString("\n")
	}
	details := 0
	for _, f := range run.Findings {
		if b.Len() > markdownDetailsBudget {
			break
		}
		details++
		fmt.Fprintf(&b, "<details><summary><b>%s %s</b> %s at %s</summary>\n\n", f.Severity, f.ID, mdHTML(f.Title),
			mdHTML(mdWhere(f.Location)))
		fmt.Fprintf(&b, "%s\n\n", mdInline(f.Message))
		if f.Remediation != "" {
			fmt.Fprintf(&b, "**Fix:** %s\n\n", mdFix(f.Remediation))
		}
		for _, r := range f.Related {
			if r.Location != nil {
				fmt.Fprintf(&b, "- see %s (%s)\n", mdWhere(r.Location), mdInline(r.Message))
			}
		}
		if len(f.Related) > 0 {
			b.WriteString("\n")
		}
		if f.Proof != nil {
			fmt.Fprintf(&b, "Proof (%s):\n\n```\n", proofStatus(f))
			for _, ev := range f.Proof.Events {
				line := fmt.Sprintf("t=%-7s %s", Clock(ev.T), proofStep(ev))
				b.WriteString(strings.ReplaceAll(line, "```", "'''") + "\n")
			}
			b.WriteString("```\n\n")
		}
		b.WriteString("</details>\n\n")
	}
	if details < len(run.Findings) {
		fmt.Fprintf(&b, "Details of %d more findings are left out to keep this under GitHub's comment size.\n\n", len(run.Findings)-details)
	}
	for _, n := range run.Notes {
		fmt.Fprintf(&b, "> %s\n", mdInline(n))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdWhere(l *analyzer.Location) string {
	if l == nil {
		return "no location"
	}
	if l.EndLine > l.StartLine {
		return fmt.Sprintf("%s:%d-%d", l.File, l.StartLine, l.EndLine)
	}
	return fmt.Sprintf("%s:%d", l.File, l.StartLine)
}

// firstSentence shortens a message for the table: up to its first colon
// or full stop followed by a space, at most 160 characters.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for _, sep := range []string{": ", ". ", "; "} {
		if i := strings.Index(s, sep); i > 40 {
			s = s[:i]
		}
	}
	if r := []rune(s); len(r) > 160 {
		s = string(r[:159]) + "…"
	}
	return s
}

// mdInline escapes text for a Markdown paragraph: no HTML, no line breaks.
func mdInline(s string) string {
	return mdHTML(strings.Join(strings.Fields(s), " "))
}

// mdCell escapes text for a table cell.
func mdCell(s string) string { return strings.ReplaceAll(mdInline(s), "|", "\\|") }

func mdHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
