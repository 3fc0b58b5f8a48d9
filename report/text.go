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
		wrapHang(b, run.width(), "error: ", "  ", e.String())
	}
	for _, e := range run.Internal {
		wrapHang(b, run.width(), "internal error: ", "  ", e)
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
		// the severity is coloured after folding, so that escape codes take no columns
		header := fmt.Sprintf("%s: %s %s %s", loc, f.Severity, f.ID, f.Title)
		var hb strings.Builder
		hw := bufio.NewWriter(&hb)
		wrapHang(hw, run.width(), "", "    ", header)
		hw.Flush()
		b.WriteString(strings.Replace(hb.String(), " "+f.Severity+" "+f.ID, " "+run.paint(f.Severity)+" "+f.ID, 1))
		wrapTo(b, run.width(), "  ", f.Message)
		if f.Remediation != "" {
			wrapTo(b, run.width(), "  fix: ", f.Remediation)
		}
		for _, r := range f.Related {
			if r.Location != nil {
				wrapHang(b, run.width(), "  see: ", "        ", fmt.Sprintf("%s:%d (%s)", r.Location.File, r.Location.StartLine, r.Message))
			}
		}
		if f.Proof != nil {
			fmt.Fprintf(b, "  proof (%s):\n", proofStatus(f))
			for _, ev := range f.Proof.Events {
				wrapTo(b, run.width(), fmt.Sprintf("    t=%-7s ", Clock(ev.T)), proofStep(ev))
			}
		}
		b.WriteString("\n")
	}
	total := fmt.Sprintf("%s; %s", summary(run.Findings), plural(len(run.Errors), "input error"))
	if len(run.Suppressed) > 0 {
		total += fmt.Sprintf("; %d suppressed by ignore comments", len(run.Suppressed))
	}
	if run.Unknowns > 0 {
		total += fmt.Sprintf("; %s not determined by the input (see `sgcheck explain`)", plural(run.Unknowns, "value"))
	}
	wrapHang(b, run.width(), "", "  ", total)
	fmt.Fprintf(b, "read %s: %s, %s, %s\n", plural(run.Read.Files, "file"), plural(run.Read.Groups, "security group"),
		plural(run.Read.Rules, "rule"), plural(run.Read.NACLEntries, "NACL entry"))
	for _, n := range run.Notes {
		wrapHang(b, run.width(), "", "  ", n)
	}
	return b.Flush()
}

// proofStatus says whether a proof replayed as claimed and, for a finding
// folded from several attachments (analyzer.MergeAttachments), on which.
func proofStatus(f analyzer.Finding) string {
	status := "NOT verified"
	if f.Proof.Verified {
		status = "verified in the simulator"
	}
	return status + proofScope(f)
}

// proofScope names the attachment a folded finding's proof replays on.
func proofScope(f analyzer.Finding) string {
	if _, folded := f.Facts["attachments"]; folded {
		if att, ok := f.Facts["attachment"].(string); ok {
			return ", on " + att
		}
	}
	return ""
}

// stepText is one step of a timeline, after its time: what happened, the
// verdict and why (proofs and scenarios alike).
func stepText(event, verdict, why string) string {
	if verdict != "" {
		event += " → " + verdict
	}
	if why != "" {
		event += " (" + why + ")"
	}
	return event
}

// proofStep is one step of a proof timeline, after its time.
func proofStep(ev analyzer.Event) string { return stepText(ev.Event, ev.Verdict, ev.Why) }

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
	more := 0
	for _, f := range fs {
		more += len(f.Instances)
	}
	if more > 0 {
		out += fmt.Sprintf(", also in %s", plural(more, "more module instance"))
	}
	return out
}

// instancesNote names the other module instances that give the same
// finding (analyzer.MergeInstances), or is "".
func instancesNote(f analyzer.Finding) string {
	if len(f.Instances) == 0 {
		return ""
	}
	return fmt.Sprintf("Also in %s: %s.", plural(len(f.Instances), "more module instance"), strings.Join(f.Instances, ", "))
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

// DefaultWidth is the width text reports fold to when not on a terminal.
const DefaultWidth = 100

// width is the column the text report folds at.
func (r Run) width() int {
	if r.Width > 0 {
		return r.Width
	}
	return DefaultWidth
}

// severityColour is the ANSI colour of each severity on a terminal.
var severityColour = map[string]string{"CRITICAL": "1;31", "HIGH": "1;31", "MEDIUM": "1;33", "LOW": "36", "INFO": "2"}

// paint colours a severity when the report goes to a colour terminal.
func (r Run) paint(sev string) string {
	if !r.Color || severityColour[sev] == "" {
		return sev
	}
	return "\x1b[" + severityColour[sev] + "m" + sev + "\x1b[0m"
}

// wrapTo prints text after prefix, its first line folded at width columns
// (a word longer than a line is never split); continuation lines are
// indented as deep as the prefix. The lines after the first (code
// snippets) are printed as they are, indented.
func wrapTo(b *bufio.Writer, width int, prefix, text string) {
	wrapHang(b, width, prefix, strings.Repeat(" ", len([]rune(prefix))), text)
}

// wrapHang is wrapTo with the continuation lines indented by indent.
func wrapHang(b *bufio.Writer, width int, prefix, indent, text string) {
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
		n := len([]rune(line))
		for i, word := range strings.Fields(para) {
			if i > 0 && n+1+len([]rune(word)) > width {
				b.WriteString(line + "\n")
				line, n = indent, len(indent)
			} else if i > 0 {
				line += " "
				n++
			}
			line += word
			n += len([]rune(word))
		}
		b.WriteString(line + "\n")
	}
}
