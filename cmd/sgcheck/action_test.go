package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The Action's scan step (action/scan.sh), run as GitHub runs it on a pull
// request: inputs in the environment, the default inputs, a clone made
// like actions/checkout makes it (shallow, and full with fetch-depth: 0).
// A PR that revokes a /32 SSH rule gives SGC001 in the annotations, the
// job summary and the SARIF file, from one scan, and the outputs.
func TestActionScanStep(t *testing.T) {
	for _, tool := range []string{"git", "bash", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed")
		}
	}
	if testing.Short() {
		t.Skip("builds sgcheck")
	}
	wd, _ := os.Getwd()
	bin := filepath.Join(t.TempDir(), "sgcheck")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/sgcheck").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	origin := t.TempDir()
	baseSHA := revocationPR(t, origin)

	clones := map[string][]string{
		"shallow": {"clone", "-q", "--depth", "1", "--branch", "pr", "file://" + origin},
		"full":    {"clone", "-q", "--branch", "pr", "file://" + origin},
	}
	for kind, cloneArgs := range clones {
		t.Run(kind, func(t *testing.T) {
			parent := t.TempDir()
			repo := filepath.Join(parent, "repo")
			gitRun(t, parent, append(cloneArgs, repo)...)
			gitRun(t, repo, "checkout", "-q", "--detach")
			runner := t.TempDir()
			output, summary := filepath.Join(runner, "output"), filepath.Join(runner, "summary.md")
			cmd := exec.Command("bash", filepath.Join(wd, "action", "scan.sh"))
			cmd.Dir = repo
			cmd.Env = append(os.Environ(), "SGCHECK_BIN="+bin, "RUNNER_TEMP="+runner, "GITHUB_OUTPUT="+output,
				"GITHUB_STEP_SUMMARY="+summary, "GITHUB_EVENT_NAME=pull_request", "PR_BASE_SHA="+baseSHA,
				// the action's defaults
				"INPUT_PATHS=.", "INPUT_BASE=", "INPUT_CONFIG=", "INPUT_FAIL_ON=low", "INPUT_SARIF=sgcheck.sarif")
			stdout, err := cmd.Output()
			code, stderr := 0, ""
			if e, ok := err.(*exec.ExitError); ok {
				code, stderr = e.ExitCode(), string(e.Stderr)
			} else if err != nil {
				t.Fatal(err)
			}
			if code != exitFindings {
				t.Fatalf("exit %d, want 1 (findings)\n%s\n%s", code, stdout, stderr)
			}
			if !strings.Contains(string(stdout), "::error file=infra/main.tf,") || !strings.Contains(string(stdout), "title=SGC001 ") {
				t.Errorf("annotations:\n%s", stdout)
			}
			sum, _ := os.ReadFile(summary)
			if !strings.Contains(string(sum), "<b>HIGH SGC001</b>") {
				t.Errorf("job summary:\n%s", sum)
			}
			sarifOut, err := os.ReadFile(filepath.Join(repo, "sgcheck.sarif"))
			if err != nil {
				t.Fatal(err)
			}
			checkSARIF(t, string(sarifOut))
			if !strings.Contains(string(sarifOut), `"ruleId": "SGC001"`) {
				t.Errorf("SARIF has no SGC001")
			}
			outs, _ := os.ReadFile(output)
			jsonOut, _, _ := sgcheck(t, "diff", "fixtures/change/ssh-32-revoked/base", "fixtures/change/ssh-32-revoked/head", "--format", "json")
			want := fmt.Sprintf("findings=%d\n", strings.Count(jsonOut, `"fingerprint"`))
			if !strings.Contains(string(outs), "sarif=sgcheck.sarif") || !strings.Contains(string(outs), want) {
				t.Errorf("outputs:\n%s", outs)
			}
		})
	}
}

// The Action's first step: pinned to a branch or commit (not a release
// tag), it builds the source it was pinned to, with a cache key from
// go.sum, and passes the ref on for the version stamp.
func TestActionSourceStep(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	wd, _ := os.Getwd()
	actions := filepath.Join(t.TempDir(), "_actions", "sgcheck", "sgcheck")
	if err := os.MkdirAll(actions, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(actions, "0123456789abcdef0123456789abcdef01234567")
	if err := os.Symlink(wd, path); err != nil {
		t.Skip("no symlinks here")
	}
	runner := t.TempDir()
	out, env := filepath.Join(runner, "output"), filepath.Join(runner, "env")
	cmd := exec.Command("bash", filepath.Join(wd, "action", "source.sh"))
	cmd.Env = append(os.Environ(), "GITHUB_ACTION_PATH="+path, "RUNNER_TEMP="+runner, "GITHUB_OUTPUT="+out, "GITHUB_ENV="+env)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	o, _ := os.ReadFile(out)
	e, _ := os.ReadFile(env)
	for _, want := range []string{"release=false\n", "gomod=" + path + "/go.mod\n", "key="} {
		if !strings.Contains(string(o), want) {
			t.Errorf("outputs lack %q:\n%s", want, o)
		}
	}
	if !strings.Contains(string(e), "SGCHECK_REF=0123456789abcdef0123456789abcdef01234567") {
		t.Errorf("env: %s", e)
	}
}
