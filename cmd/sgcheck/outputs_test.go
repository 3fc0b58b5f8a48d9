package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/internal/gen"
)

// One scan writes every report: --format FORMAT=FILE, repeatable, and one
// FORMAT on standard output; the files hold what a run of that format alone
// prints.
func TestSeveralFormatsOneScan(t *testing.T) {
	dir := t.TempDir()
	sarifFile, junitFile := filepath.Join(dir, "out.sarif"), filepath.Join(dir, "out.xml")
	out, stderr, code := sgcheck(t, "fixtures/exposure", "--format", "sarif="+sarifFile, "--format", "junit="+junitFile,
		"--format", "text")
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	alone, _, _ := sgcheck(t, "fixtures/exposure")
	if out != alone {
		t.Errorf("text on standard output differs from a text-only run")
	}
	for format, file := range map[string]string{"sarif": sarifFile, "junit": junitFile} {
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		want, _, _ := sgcheck(t, "fixtures/exposure", "--format", format)
		if string(got) != want {
			t.Errorf("%s file differs from a %s-only run", format, format)
		}
	}
	for _, args := range [][]string{
		{"--format", "json", "--format", "text"},            // two on standard output
		{"--format", "sarif="},                              // no file
		{"--format", "xml=out.xml"},                         // unknown format
		{"explain", "--format", "json", "--format", "text"}, // explain writes one
		{"--format", "json=x.json", "--output", "y.txt"},    // --output with nothing for it
	} {
		if _, stderr, code := sgcheck(t, append(args, "fixtures/exposure")...); code != exitError || stderr == "" {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
}

// --minimum-severity leaves findings below it out of every report and of
// the exit code.
func TestMinimumSeverity(t *testing.T) {
	all, _, _ := sgcheck(t, "fixtures/exposure", "--format", "junit")
	high, _, code := sgcheck(t, "fixtures/exposure", "--format", "junit", "--minimum-severity", "high")
	if code != exitFindings || !strings.Contains(all, `type="MEDIUM"`) || !strings.Contains(all, `type="INFO"`) ||
		strings.Contains(high, `type="MEDIUM"`) || strings.Contains(high, `type="INFO"`) || !strings.Contains(high, `type="HIGH"`) {
		t.Errorf("exit %d:\n%s", code, high)
	}
	if _, _, code := sgcheck(t, "fixtures/exposure", "--minimum-severity", "critical"); code != exitClean {
		t.Errorf("nothing critical: exit %d", code)
	}
	if _, _, code := sgcheck(t, "fixtures/exposure", "--minimum-severity", "none"); code != exitError {
		t.Errorf("--minimum-severity none: exit %d", code)
	}
}

// junit10 is the part of the JUnit XML schema (junit-10.xsd, the one
// Jenkins, GitLab and the test-report actions read) that a report must
// satisfy: required attributes, and counts that add up.
type junit10 struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    *int     `xml:"tests,attr"`
	Failures *int     `xml:"failures,attr"`
	Errors   *int     `xml:"errors,attr"`
	Suites   []struct {
		Name     *string `xml:"name,attr"`
		Tests    *int    `xml:"tests,attr"`
		Failures *int    `xml:"failures,attr"`
		Errors   *int    `xml:"errors,attr"`
		Cases    []struct {
			Name      *string `xml:"name,attr"`
			Classname *string `xml:"classname,attr"`
			Failure   []struct {
				Message *string `xml:"message,attr"`
				Type    *string `xml:"type,attr"`
			} `xml:"failure"`
			Error []struct {
				Message *string `xml:"message,attr"`
				Type    *string `xml:"type,attr"`
			} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func checkJUnit(t *testing.T, doc string) (failures, errors int) {
	t.Helper()
	var j junit10
	dec := xml.NewDecoder(strings.NewReader(doc))
	dec.Strict = true
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("not XML: %v\n%s", err, doc)
	}
	if j.Tests == nil || j.Failures == nil || j.Errors == nil || len(j.Suites) == 0 {
		t.Fatalf("testsuites lacks tests, failures, errors or suites:\n%s", doc)
	}
	tests := 0
	for _, s := range j.Suites {
		if s.Name == nil || s.Tests == nil || s.Failures == nil || s.Errors == nil {
			t.Fatalf("a testsuite lacks a required attribute:\n%s", doc)
		}
		f, e := 0, 0
		for _, c := range s.Cases {
			if c.Name == nil || c.Classname == nil || len(c.Failure)+len(c.Error) > 1 {
				t.Fatalf("a testcase lacks name or classname, or has two results:\n%s", doc)
			}
			for _, p := range append(c.Failure, c.Error...) {
				if p.Message == nil || p.Type == nil {
					t.Fatalf("a failure or error lacks message or type:\n%s", doc)
				}
			}
			f, e = f+len(c.Failure), e+len(c.Error)
		}
		if *s.Tests != len(s.Cases) || *s.Failures != f || *s.Errors != e {
			t.Errorf("suite %s: counts %d/%d/%d, cases %d/%d/%d", *s.Name, *s.Tests, *s.Failures, *s.Errors, len(s.Cases), f, e)
		}
		tests, failures, errors = tests+len(s.Cases), failures+f, errors+e
	}
	if *j.Tests != tests || *j.Failures != failures || *j.Errors != errors {
		t.Errorf("testsuites counts do not add up")
	}
	return failures, errors
}

// The JUnit report satisfies the schema; findings are failures, input
// errors are errors.
func TestJUnitReport(t *testing.T) {
	out, _, _ := sgcheck(t, "fixtures/exposure", "--format", "junit")
	jsonOut, _, _ := sgcheck(t, "fixtures/exposure", "--format", "json")
	if f, _ := checkJUnit(t, out); f != strings.Count(jsonOut, `"fingerprint"`) {
		t.Errorf("%d failures for %d findings", f, strings.Count(jsonOut, `"fingerprint"`))
	}
	out, _, code := sgcheck(t, "fixtures/bad-input", "--format", "junit")
	if _, e := checkJUnit(t, out); code != exitError || e == 0 {
		t.Errorf("bad input: exit %d, %d errors", code, e)
	}
}

// The Markdown report: counts, a table, each finding folded with its
// proof; nothing in it is raw HTML from the input.
func TestMarkdownReport(t *testing.T) {
	out, _, _ := sgcheck(t, "diff", "fixtures/change/ssh-32-revoked/base", "fixtures/change/ssh-32-revoked/head", "--format", "markdown")
	for _, want := range []string{"## sgcheck", "| severity | check | where | what |", "<details><summary><b>HIGH SGC001</b>",
		"Proof (verified in the simulator):", "```\nt=0s", "</details>",
		"numbered below its first entry that matches this traffic:\n\n```hcl\nresource \"aws_network_acl_rule\""} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Errorf("unbalanced details")
	}
}

// --format github: paths from the repository root, most severe first, and
// a notice when GitHub will not show every annotation.
func TestGitHubAnnotationOrder(t *testing.T) {
	out, _, _ := sgcheck(t, "fixtures/exposure", "--format", "github")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	rank := map[string]int{"::error": 3, "::warning": 2, "::notice": 1}
	last := 4
	for _, l := range lines[:len(lines)-1] {
		kind, _, _ := strings.Cut(l, " ")
		if rank[kind] > last {
			t.Errorf("%q after a less severe annotation", l)
		}
		last = rank[kind]
		if !strings.Contains(l, "file=fixtures/exposure/") && !strings.Contains(l, "title=sgcheck") {
			t.Errorf("path not from the repository root: %s", l)
		}
	}
	inDir(t, "fixtures", func() {
		out, _, _ := sgcheck(t, "exposure", "--format", "github")
		if !strings.Contains(out, "file=fixtures/exposure/main.tf") {
			t.Errorf("run from a subfolder: %s", out)
		}
	})
	tree := filepath.Join(t.TempDir(), "tree")
	if _, err := gen.WriteShape(tree, 300, gen.Open); err != nil {
		t.Fatal(err)
	}
	out, _, _ = sgcheck(t, tree, "--format", "github")
	lines = strings.Split(strings.TrimSpace(out), "\n")
	notices := strings.Count(out, "::notice file=")
	if notices <= 10 || !strings.Contains(lines[len(lines)-2], fmt.Sprintf("%d notice annotations above are in this log only", notices-10)) {
		t.Errorf("%d notices; closing lines:\n%s", notices, strings.Join(lines[len(lines)-2:], "\n"))
	}
}

// What GitHub code scanning displays of a result, pinned: the alert's
// title is the rule's shortDescription, its text the message (which carries
// the remedy: the network ACL entry that cuts the flows now), "Show more"
// the rule's help (the rule's own page), the link its helpUri; severity
// from security-severity; the category from automationDetails.id; input
// errors as notifications with their location.
func TestSARIFAsCodeScanningShowsIt(t *testing.T) {
	out, _, _ := sgcheck(t, "diff", "fixtures/change/ssh-32-revoked/base", "fixtures/change/ssh-32-revoked/head",
		"--format", "sarif", "--sarif-category", "infra/prod")
	checkSARIF(t, out)
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID               string
						ShortDescription struct{ Text string }
						HelpURI          string
						Help             struct{ Text, Markdown string }
						Properties       map[string]any
					}
				}
			}
			AutomationDetails struct{ ID string }
			Results           []struct {
				RuleID  string
				Message struct{ Text, Markdown string }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if run.AutomationDetails.ID != "infra/prod" {
		t.Errorf("automationDetails.id %q", run.AutomationDetails.ID)
	}
	page, _ := os.ReadFile("docs/rules/SGC001.md")
	for _, r := range run.Tool.Driver.Rules {
		if r.ID != "SGC001" {
			continue
		}
		if r.ShortDescription.Text != "Revocation does not cut live tracked flows" || r.Help.Markdown != string(page) ||
			r.HelpURI != "https://github.com/sgcheck/sgcheck/blob/main/docs/rules/SGC001.md" || r.Properties["security-severity"] != "8.0" {
			t.Errorf("rule SGC001 as displayed: %+v", r)
		}
	}
	found := false
	for _, res := range run.Results {
		if res.RuleID == "SGC001" {
			found = true
			for _, m := range []string{res.Message.Text, res.Message.Markdown} {
				if !strings.Contains(m, "aws_network_acl_rule") || !strings.Contains(m, "5 days") {
					t.Errorf("the alert text lacks the NACL remedy or the window:\n%s", m)
				}
			}
		}
	}
	if !found {
		t.Fatal("no SGC001 result")
	}

	out, _, _ = sgcheck(t, "fixtures/bad-input", "--format", "sarif")
	checkSARIF(t, out)
	var bad struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful        bool
				ToolExecutionNotifications []struct {
					Level     string
					Message   struct{ Text string }
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI string }
							Region           struct{ StartLine int }
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &bad); err != nil {
		t.Fatal(err)
	}
	inv := bad.Runs[0].Invocations
	if len(inv) != 1 || inv[0].ExecutionSuccessful || len(inv[0].ToolExecutionNotifications) == 0 {
		t.Fatalf("invocations: %+v", inv)
	}
	n := inv[0].ToolExecutionNotifications[0]
	if n.Level != "error" || len(n.Locations) != 1 || !strings.HasPrefix(n.Locations[0].PhysicalLocation.ArtifactLocation.URI, "fixtures/bad-input/") ||
		n.Locations[0].PhysicalLocation.Region.StartLine == 0 {
		t.Errorf("input error notification: %+v", n)
	}
}

// A Markdown report of many findings stays under GitHub's comment limit and
// says what it leaves out.
func TestMarkdownReportSize(t *testing.T) {
	tree := filepath.Join(t.TempDir(), "tree")
	if _, err := gen.WriteShape(tree, 3000, gen.Open); err != nil {
		t.Fatal(err)
	}
	out, _, _ := sgcheck(t, tree, "--format", "markdown")
	if len(out) > 65536 || !strings.Contains(out, "more findings are not in this table") ||
		!strings.Contains(out, "left out to keep this under GitHub's comment size") {
		t.Errorf("%d characters; end:\n%s", len(out), out[max(0, len(out)-400):])
	}
}
