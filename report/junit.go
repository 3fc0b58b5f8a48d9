package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/sgcheck/sgcheck/analyzer"
)

// JUnit XML, as CI systems read test reports (the junit-10.xsd shape that
// Jenkins, GitLab and most test-report actions accept): one test suite per
// check, one failing test case per finding (its location the class name),
// a passing case for a check without findings, and a suite "input" whose
// cases are the input errors.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit prints the run as JUnit XML.
func JUnit(w io.Writer, run Run) error {
	byID := map[string][]analyzer.Finding{}
	for _, f := range run.Findings {
		byID[f.ID] = append(byID[f.ID], f)
	}
	doc := junitSuites{Name: "sgcheck"}
	var ids []string
	titles := map[string]string{}
	for _, p := range run.Policies {
		ids = append(ids, p.ID)
		titles[p.ID] = p.Title
	}
	for _, f := range run.Findings { // findings of checks not listed (none today)
		if _, ok := titles[f.ID]; !ok {
			titles[f.ID] = f.Title
			ids = append(ids, f.ID)
		}
	}
	for _, id := range ids {
		s := junitSuite{Name: id + " " + titles[id]}
		for _, f := range byID[id] {
			where := "<no location>"
			if f.Location != nil {
				where = fmt.Sprintf("%s:%d", f.Location.File, f.Location.StartLine)
			}
			text := f.Message
			if f.Remediation != "" {
				text += "\n\nfix: " + f.Remediation
			}
			s.Cases = append(s.Cases, junitCase{Name: f.ID + " " + f.Resource, Classname: where,
				Failure: &junitProblem{Message: f.Message, Type: f.Severity, Text: text}})
			s.Failures++
		}
		if len(s.Cases) == 0 {
			s.Cases = []junitCase{{Name: id + " no findings", Classname: "sgcheck"}}
		}
		s.Tests = len(s.Cases)
		doc.Suites = append(doc.Suites, s)
	}
	if len(run.Errors)+len(run.Internal) > 0 {
		s := junitSuite{Name: "input"}
		for _, e := range run.Errors {
			where := e.File
			if e.Line > 0 {
				where = fmt.Sprintf("%s:%d", e.File, e.Line)
			}
			s.Cases = append(s.Cases, junitCase{Name: "input error", Classname: where,
				Error: &junitProblem{Message: e.Message, Type: "input-error", Text: e.String()}})
		}
		for _, e := range run.Internal {
			s.Cases = append(s.Cases, junitCase{Name: "internal error", Classname: "sgcheck",
				Error: &junitProblem{Message: e, Type: "internal-error", Text: e}})
		}
		s.Tests, s.Errors = len(s.Cases), len(s.Cases)
		doc.Suites = append(doc.Suites, s)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// Markdown prints a summary sized for a pull request comment or a job
// summary: the counts, a table of the findings, then each finding with its
// remedy and proof folded in <details>.
func Markdown(w io.Writer, run Run) error {
	var b strings.Builder
	b.WriteString("## sgcheck\n\n")
	fmt.Fprintf(&b, "**%s**; %s", summary(run.Findings), plural(len(run.Errors), "input error"))
	if len(run.Suppressed) > 0 {
		fmt.Fprintf(&b, "; %d suppressed by sgcheck:ignore comments", len(run.Suppressed))
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
	if len(run.Findings) > 0 {
		b.WriteString("| severity | check | where | what |\n|---|---|---|---|\n")
		for _, f := range run.Findings {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", f.Severity, f.ID, mdCell(mdWhere(f.Location)), mdCell(firstSentence(f.Message)))
		}
		b.WriteString("\n")
	}
	for _, f := range run.Findings {
		fmt.Fprintf(&b, "<details><summary><b>%s %s</b> %s at %s</summary>\n\n", f.Severity, f.ID, mdHTML(f.Title),
			mdHTML(mdWhere(f.Location)))
		fmt.Fprintf(&b, "%s\n\n", mdInline(f.Message))
		if f.Remediation != "" {
			fmt.Fprintf(&b, "**Fix:** %s\n\n", mdInline(f.Remediation))
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
			status := "verified in the simulator"
			if !f.Proof.Verified {
				status = "NOT verified"
			}
			fmt.Fprintf(&b, "Proof (%s):\n\n```\n", status)
			for _, ev := range f.Proof.Events {
				line := fmt.Sprintf("t=%-7s %s", Clock(ev.T), ev.Event)
				if ev.Verdict != "" {
					line += " → " + ev.Verdict
				}
				if ev.Why != "" {
					line += " (" + ev.Why + ")"
				}
				b.WriteString(strings.ReplaceAll(line, "```", "'''") + "\n")
			}
			b.WriteString("```\n\n")
		}
		b.WriteString("</details>\n\n")
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
