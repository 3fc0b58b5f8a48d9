package report

import (
	"encoding/xml"
	"fmt"
	"io"

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
			if n := instancesNote(f); n != "" {
				text += "\n\n" + n
			}
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
