package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/sgcheck/sgcheck/report"
)

// TestFixtures runs every fixture through text, JSON and SARIF output and
// compares with its golden files. The exit code is part of the golden output.
func TestFixtures(t *testing.T) {
	for _, dir := range cases(t) {
		t.Run(dir, func(t *testing.T) {
			args := caseArgs(t, dir)
			for _, format := range []string{"text", "json"} {
				out, stderr, code := sgcheck(t, withFlags(args, "--format", format)...)
				golden(t, filepath.Join(dir, "want", "scan."+format), out+"exit "+strconv.Itoa(code)+"\n")
				if strings.Contains(stderr, "panic") {
					t.Fatalf("stderr: %s", stderr)
				}
			}
			sarifOut, _, _ := sgcheck(t, withFlags(args, "--format", "sarif")...)
			checkSARIF(t, sarifOut)
			if args[0] == dir {
				out, _, code := sgcheck(t, "explain", "--format", "json", dir)
				golden(t, filepath.Join(dir, "want", "explain.json"), out+"exit "+strconv.Itoa(code)+"\n")
			}
		})
	}
}

// withFlags puts flags after the subcommand, if args start with one.
func withFlags(args []string, flags ...string) []string {
	if len(args) > 0 && (args[0] == "diff" || args[0] == "explain" || args[0] == "simulate") {
		return append(append([]string{args[0]}, flags...), args[1:]...)
	}
	return append(flags, args...)
}

// checkSARIF validates against the SARIF 2.1.0 schema and checks what code
// scanning needs: relative URIs, regions and fingerprints on every result.
func checkSARIF(t *testing.T, out string) {
	t.Helper()
	rep, err := sarif.FromString(out)
	if err != nil {
		t.Fatalf("SARIF does not parse: %v", err)
	}
	if err := rep.Validate(); err != nil {
		t.Fatalf("SARIF is not schema-valid: %v", err)
	}
	for _, run := range rep.Runs {
		for _, res := range run.Results {
			if res.PartialFingerprints["sgcheck/v1"] == "" {
				t.Errorf("result %v has no partial fingerprint", *res.RuleID)
			}
			if len(res.Locations) == 0 {
				t.Errorf("result %v has no location", *res.RuleID)
			}
			for _, loc := range res.Locations {
				uri := *loc.PhysicalLocation.ArtifactLocation.URI
				if filepath.IsAbs(uri) || strings.Contains(uri, "://") || strings.HasPrefix(uri, "..") {
					t.Errorf("URI %q is not repository-relative", uri)
				}
				if loc.PhysicalLocation.Region == nil || loc.PhysicalLocation.Region.StartLine == nil {
					t.Errorf("result %v has no region", *res.RuleID)
				}
			}
		}
	}
}

// TestSeedPing is the first promise in the README: the ping rule is reported
// at its lines.
func TestSeedPing(t *testing.T) {
	out, _, code := sgcheck(t, "fixtures/seed/ping")
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	if !strings.Contains(out, "fixtures/seed/ping/main.tf:8-14: LOW SGC003") {
		t.Errorf("SGC003 not reported at the ICMP rule's lines:\n%s", out)
	}
}

// TestBadInputKeepsOtherResults: a syntax error is reported with file and
// line, the good file's finding is still reported, and the exit code is 2,
// in every format.
func TestBadInputKeepsOtherResults(t *testing.T) {
	for _, format := range []string{"text", "json", "sarif"} {
		out, stderr, code := sgcheck(t, "--format", format, "fixtures/bad-input")
		if code != exitError {
			t.Errorf("%s: exit %d, want %d", format, code, exitError)
		}
		if !strings.Contains(out+stderr, "fixtures/bad-input/bad.tf:11") {
			t.Errorf("%s: error without file and line:\n%s\n%s", format, out, stderr)
		}
		if !strings.Contains(out, "SGC003") {
			t.Errorf("%s: the good file's finding is missing:\n%s", format, out)
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, format := range []string{"text", "json", "sarif"} {
		a, _, _ := sgcheck(t, "--format", format, "fixtures")
		b, _, _ := sgcheck(t, "--format", format, "fixtures")
		if a != b {
			t.Errorf("%s output differs between two runs", format)
		}
		// the same bytes on one processor as on many
		prev := runtime.GOMAXPROCS(1)
		c, _, _ := sgcheck(t, "--format", format, "fixtures")
		runtime.GOMAXPROCS(prev)
		if a != c {
			t.Errorf("%s output differs with GOMAXPROCS=1", format)
		}
	}
	// and with the paths given in another order
	x, _, _ := sgcheck(t, "--format", "json", "fixtures/two-groups", "fixtures/aws-example")
	y, _, _ := sgcheck(t, "--format", "json", "fixtures/aws-example", "fixtures/two-groups")
	if x != y {
		t.Errorf("output depends on the order of the paths")
	}
}

// fixtures/aws-example has a LOW (SGC003) and a MEDIUM (SGC006) finding.
func TestFailOn(t *testing.T) {
	for _, tc := range []struct {
		failOn string
		want   int
	}{{"info", exitFindings}, {"low", exitFindings}, {"medium", exitFindings}, {"high", exitClean},
		{"critical", exitClean}, {"none", exitClean}} {
		_, _, code := sgcheck(t, "--fail-on", tc.failOn, "fixtures/aws-example")
		if code != tc.want {
			t.Errorf("--fail-on %s: exit %d, want %d", tc.failOn, code, tc.want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--format", "xml", "fixtures/seed/ping"},
		{"--fail-on", "urgent", "fixtures/seed/ping"},
		{"--no-such-flag"},
		{"explain", "--format", "sarif", "fixtures/seed/ping"},
		{"--var", "novalue", "fixtures/seed/ping"},
	} {
		if _, _, code := sgcheck(t, args...); code != exitError {
			t.Errorf("%v: exit %d, want %d", args, code, exitError)
		}
	}
	// the path is named once, before what is wrong with it
	if out, _, code := sgcheck(t, "no/such/dir"); code != exitError || !strings.Contains(out, "error: no/such/dir: no such file or directory\n") {
		t.Errorf("missing path: exit %d, want %d\n%s", code, exitError, out)
	}
}

func TestVersionAndHelp(t *testing.T) {
	out, _, code := sgcheck(t, "--version")
	if code != exitClean || !strings.HasPrefix(out, "sgcheck ") {
		t.Errorf("--version: %q exit %d", out, code)
	}
	for _, args := range [][]string{{"--help"}, {"help"}, {"explain", "--help"}, {"diff", "-h"}, {"simulate", "--help"}} {
		stdout, stderr, code := sgcheck(t, args...)
		if code != exitClean || !strings.Contains(stdout, "--format") || stderr != "" {
			t.Errorf("%v: exit %d, usage must go to stdout\nstdout: %s\nstderr: %s", args, code, stdout, stderr)
		}
		// not a terminal: the report's width, 100 columns
		for _, line := range strings.Split(stdout, "\n") {
			if n := utf8.RuneCountInString(line); n > report.DefaultWidth {
				t.Errorf("%v: a help line of %d columns: %q", args, n, line)
			}
		}
	}
	if out, _, code := sgcheck(t, "version"); code != exitClean || !strings.HasPrefix(out, "sgcheck ") {
		t.Errorf("version: %q exit %d", out, code)
	}
}

// Every usage error prints one line naming the problem and a hint.
func TestUsageErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--fromat", "json", "fixtures/seed/ping"}, "--fromat"},
		{[]string{"--var", "bogus", "fixtures/seed/ping"}, "bogus"},
		{[]string{"--icmp-idle-timeout", "abc", "fixtures/seed/ping"}, "--icmp-idle-timeout"},
		{[]string{"explain", "--bogus"}, "--bogus"},
		{[]string{"explain", "--fail-on", "none"}, "--fail-on"},
		{[]string{"--policy-timeout", "soon", "fixtures/seed/ping"}, "--policy-timeout"},
		{[]string{"--format", "xml", "fixtures/seed/ping"}, "xml"},
		{[]string{"simulate"}, "scenario"},
	} {
		out, stderr, code := sgcheck(t, tc.args...)
		if code != exitError || out != "" || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "sgcheck --help") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, code, out, stderr)
		}
	}
	// a folder without inputs is an error, not a clean run
	out, _, code := sgcheck(t, "--format", "json", t.TempDir())
	if code != exitError || !strings.Contains(out, "no Terraform, plan, state or AWS JSON input here") {
		t.Errorf("empty folder: exit %d\n%s", code, out)
	}
	// a folder of Terragrunt configurations says what to scan instead
	live := t.TempDir()
	for _, d := range []string{"prod/mysql", "prod/web", ".terragrunt-cache/x"} {
		if err := os.MkdirAll(filepath.Join(live, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(live, d, "terragrunt.hcl"), []byte("terraform { source = \"../modules//web\" }\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, _, code = sgcheck(t, live)
	if code != exitError || !strings.Contains(out, "the 2 terragrunt.hcl files below it are Terragrunt's") || !strings.Contains(out, "--plan") {
		t.Errorf("Terragrunt folder: exit %d\n%s", code, out)
	}
}

func TestOutputFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.json")
	out, _, code := sgcheck(t, "--format", "json", "--output", path, "fixtures/seed/ping")
	if code != exitFindings || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version  int
		Findings []struct{ ID string }
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Version != 1 || len(doc.Findings) != 2 || doc.Findings[0].ID != "SGC003" {
		t.Errorf("bad report %s (%v)", raw, err)
	}
}

// A user policy from --policy runs over the same input as the built-ins
// (docs/policies.md) and its findings are reported like theirs.
func TestUserPolicy(t *testing.T) {
	out, _, code := sgcheck(t, "--format", "json", "--policy", "fixtures/policies", "fixtures/seed/ping")
	if code != exitFindings {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Findings []struct {
			ID, Severity, Message string
			Location              struct {
				StartLine int `json:"start_line"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range doc.Findings {
		if f.ID == "ORG001" {
			found = f.Severity == "HIGH" && f.Location.StartLine == 16 && strings.Contains(f.Message, "admits SSH from 0.0.0.0/0")
		}
	}
	if !found {
		t.Errorf("ORG001 not reported as expected:\n%s", out)
	}
}

func TestGitHubAnnotations(t *testing.T) {
	out, _, code := sgcheck(t, "--format", "github", "fixtures/change/ssh-32-revoked/head")
	if code == exitError || !strings.Contains(out, "::notice file=fixtures/change/ssh-32-revoked/head/main.tf") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	out2, _, _ := sgcheck(t, "diff", "--format", "github", "fixtures/change/ssh-32-revoked/base", "fixtures/change/ssh-32-revoked/head")
	for _, want := range []string{"::error file=fixtures/change/ssh-32-revoked/head/main.tf,line=3,endLine=12,title=SGC001 ", "%0A"} {
		if !strings.Contains(out2, want) {
			t.Errorf("missing %q in\n%s", want, out2)
		}
	}
	if strings.Contains(out, "::error") {
		t.Errorf("no change source, no SGC001:\n%s", out)
	}
}

// A folder holding only AWS CLI JSON is an input however it is named (".",
// "./dir", "dir/"): it was "no input here" when the path was not spelled as
// the files' paths begin.
func TestJSONFolderNamedAnyWay(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "fixtures/aws-cli-snapshot", filepath.Join(dir, "acct"))
	if err := os.RemoveAll(filepath.Join(dir, "acct", "want")); err != nil {
		t.Fatal(err)
	}
	for _, run := range []struct{ cwd, path string }{
		{filepath.Join(dir, "acct"), "."}, {dir, "./acct"}, {dir, "acct/"}, {dir, "acct"},
	} {
		inDir(t, run.cwd, func() {
			out, stderr, code := sgcheck(t, "--format", "json", "--fail-on", "none", run.path)
			if code != exitClean || strings.Contains(out, "no Terraform, plan, state or AWS JSON input here") {
				t.Errorf("%s from %s: exit %d\n%s%s", run.path, run.cwd, code, out, stderr)
			}
		})
	}
}

// A Terraform file named on the command line stands for its module's
// directory (git diff --name-only | xargs sgcheck): read alone, a main.tf
// whose variables are in variables.tf gave false errors. diff keeps a file
// named as it is.
func TestConfigFileNamedStandsForItsModule(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"variables.tf": "variable \"admin_cidr\" {\n  default = \"0.0.0.0/0\"\n}\n",
		"main.tf": `resource "aws_security_group" "web" {
  name        = "web"
  description = "web"
  ingress {
    description = "ssh"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [var.admin_cidr]
  }
}
`,
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{filepath.Join(dir, "main.tf")}, {filepath.Join(dir, "main.tf"), filepath.Join(dir, "variables.tf")}} {
		out, stderr, code := sgcheck(t, append([]string{"--format", "json", "--fail-on", "none"}, args...)...)
		if code != exitClean || !strings.Contains(out, `"SGC202"`) {
			t.Errorf("%v: exit %d, want the module's SGC202\n%s%s", args, code, out, stderr)
		}
	}
}
