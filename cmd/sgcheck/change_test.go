package main

import (
	"encoding/json"
	"github.com/sgcheck/sgcheck/internal/gen"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// essence is what must agree between the ways into change analysis: the
// findings' ids, messages and fingerprints (locations differ by design).
func essence(t *testing.T, out string) []string {
	t.Helper()
	var doc struct {
		Findings []struct {
			ID, Message, Fingerprint string
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	var s []string
	for _, f := range doc.Findings {
		s = append(s, f.ID+" "+f.Fingerprint+" "+f.Message)
	}
	sort.Strings(s)
	return s
}

func changeCases(t *testing.T) []string {
	dirs, err := filepath.Glob("fixtures/change/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no change fixtures: %v", err)
	}
	return dirs
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			copyDir(t, filepath.Join(from, e.Name()), filepath.Join(to, e.Name()))
			continue
		}
		raw, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// revocationRepo makes a git repository in dir on branch main whose one
// commit holds the ssh-32-revoked fixture's base under infra/, and puts its
// head (the contractor's /32 SSH rule removed) in the working tree.
func revocationRepo(t *testing.T, dir string) {
	t.Helper()
	gitRun(t, dir, "init", "-q", "-b", "main")
	copyDir(t, "fixtures/change/ssh-32-revoked/base", filepath.Join(dir, "infra"))
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "base")
	if err := os.RemoveAll(filepath.Join(dir, "infra")); err != nil {
		t.Fatal(err)
	}
	copyDir(t, "fixtures/change/ssh-32-revoked/head", filepath.Join(dir, "infra"))
}

// revocationPR makes revocationRepo a pull request: the change committed on
// branch pr, main checked out again. It returns main's commit.
func revocationPR(t *testing.T, dir string) string {
	t.Helper()
	revocationRepo(t, dir)
	gitRun(t, dir, "checkout", "-q", "-b", "pr")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "revoke the contractor's SSH")
	gitRun(t, dir, "checkout", "-q", "main")
	return strings.TrimSpace(gitOut(t, dir, "rev-parse", "main"))
}

// gitOut runs git in dir and returns its output.
func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}

// inDir runs f with the working directory set to dir.
func inDir(t *testing.T, dir string, f func()) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := os.Chdir(wd); err != nil {
			t.Fatal(err)
		}
	}()
	f()
}

// TestChangeSourcesAgree: diff, --base (a temporary git repository, run
// from its root and from a subfolder) and --plan (hand-written plan JSON,
// alone and with the HCL) give the same findings for each change fixture.
func TestChangeSourcesAgree(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	for _, dir := range changeCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			out, _, _ := sgcheck(t, "diff", "--format", "json", dir+"/base", dir+"/head")
			want := essence(t, out)

			repo := t.TempDir()
			gitRun(t, repo, "init", "-q")
			copyDir(t, dir+"/base", filepath.Join(repo, "infra"))
			gitRun(t, repo, "add", "-A")
			gitRun(t, repo, "commit", "-q", "-m", "base")
			if err := os.RemoveAll(filepath.Join(repo, "infra")); err != nil {
				t.Fatal(err)
			}
			copyDir(t, dir+"/head", filepath.Join(repo, "infra"))
			for _, run := range []struct{ cwd, path string }{{repo, "infra"}, {filepath.Join(repo, "infra"), "."}} {
				inDir(t, run.cwd, func() {
					out, stderr, code := sgcheck(t, "--format", "json", "--base", "HEAD", run.path)
					if code == exitError {
						t.Fatalf("--base from %s: exit 2: %s", run.cwd, stderr)
					}
					if got := essence(t, out); strings.Join(got, "\n") != strings.Join(want, "\n") {
						t.Errorf("--base from %s differs from diff:\n got %q\nwant %q", run.cwd, got, want)
					}
				})
			}

			plan := filepath.Join(dir, "plan.json")
			if _, err := os.Stat(plan); err != nil {
				return
			}
			for _, args := range [][]string{{"--plan", plan}, {"--plan", plan, dir + "/head"}} {
				out, stderr, code := sgcheck(t, append([]string{"--format", "json"}, args...)...)
				if code == exitError {
					t.Fatalf("%v: exit 2: %s", args, stderr)
				}
				if got := essence(t, out); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%v differs from diff:\n got %q\nwant %q", args, got, want)
				}
			}
		})
	}
}

func TestBaseUnknownRef(t *testing.T) {
	_, stderr, code := sgcheck(t, "--base", "no-such-ref-anywhere", "fixtures/seed/ping")
	if code != exitError || !strings.Contains(stderr, "no-such-ref-anywhere") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestPlanErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(bad, []byte("{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [,]\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := sgcheck(t, "--plan", bad)
	if code != exitError || !strings.Contains(stderr, "plan.json:3") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// The expert-advice shape of an SGC001 in text: what, why, for how long,
// and how to cut it now, with the exact NACL entry where the NACL is known.
func TestSGC001Advice(t *testing.T) {
	out, _, _ := sgcheck(t, "diff", "fixtures/change/ssh-32-revoked/base", "fixtures/change/ssh-32-revoked/head")
	out = strings.Join(strings.Fields(out), " ") // undo line folding
	for _, want := range []string{
		"HIGH SGC001",
		"revokes tcp port 22 from 203.0.113.7/32 on aws_instance.bastion",
		"the rule was not open to all addresses, so its flows are tracked",
		"until idle for 5 days (432000 s: tcp_established_timeout, the AWS default)",
		`resource "aws_network_acl_rule"`,
		"rule_number = 99",
		`cidr_block = "203.0.113.7/32"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

// SARIF URIs are relative to the repository root, as code scanning expects,
// even when sgcheck runs in a subfolder.
func TestSARIFURIsFromSubfolder(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := t.TempDir()
	gitRun(t, repo, "init", "-q")
	copyDir(t, "fixtures/seed/ping", filepath.Join(repo, "infra"))
	inDir(t, filepath.Join(repo, "infra"), func() {
		out, _, _ := sgcheck(t, "--format", "sarif", ".")
		if !strings.Contains(out, `"uri": "infra/main.tf"`) {
			t.Errorf("URI not relative to the repository root:\n%s", out)
		}
	})
}

// --base as CI has it: actions/checkout leaves a detached head, no local
// branches, and by default a shallow clone. A branch resolves through its
// remote-tracking branch; a shallow clone without the base says how to
// fetch it.
func TestBaseInCIClones(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	origin := t.TempDir()
	baseSHA := revocationPR(t, origin)

	full := filepath.Join(t.TempDir(), "full")
	gitRun(t, filepath.Dir(full), "clone", "-q", "file://"+origin, full)
	gitRun(t, full, "checkout", "-q", "--detach", "origin/pr")
	gitRun(t, full, "branch", "-q", "-D", "main")
	for _, base := range []string{"main", "origin/main", baseSHA} {
		inDir(t, full, func() {
			out, stderr, code := sgcheck(t, "--format", "json", "--base", base, "infra")
			if code != exitFindings || !strings.Contains(out, `"id": "SGC001"`) {
				t.Errorf("full clone, --base %s: exit %d, %s%s", base, code, stderr, out)
			}
		})
	}

	shallow := filepath.Join(t.TempDir(), "shallow")
	gitRun(t, filepath.Dir(shallow), "clone", "-q", "--depth", "1", "--branch", "pr", "file://"+origin, shallow)
	for _, base := range []string{"main", baseSHA} {
		inDir(t, shallow, func() {
			_, stderr, code := sgcheck(t, "--base", base, "infra")
			if code != exitError || !strings.Contains(stderr, "shallow") || !strings.Contains(stderr, "fetch-depth: 0") {
				t.Errorf("shallow clone, --base %s: exit %d, %s", base, code, stderr)
			}
		})
	}
	// fetching the base, as the error says, makes it work
	gitRun(t, shallow, "fetch", "-q", "--depth=1", "origin", "main:refs/remotes/origin/main")
	inDir(t, shallow, func() {
		out, stderr, code := sgcheck(t, "--format", "json", "--base", "main", "infra")
		if code != exitFindings || !strings.Contains(out, `"id": "SGC001"`) {
			t.Errorf("shallow clone after fetching the base: exit %d, %s", code, stderr)
		}
	})
}

// --base reuses the evaluation of roots whose files did not change (the
// head's); the result is what diff, which loads both sides in full, gives.
func TestBaseReuseAgreesWithDiff(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	tmp := t.TempDir()
	base, head := filepath.Join(tmp, "base"), filepath.Join(tmp, "head")
	if _, err := gen.WriteShape(base, 1500, gen.Stacks); err != nil { // three roots
		t.Fatal(err)
	}
	copyDir(t, base, head)
	file := filepath.Join(head, "stack001", "svc0050.tf")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	start := strings.Index(text, `resource "aws_security_group_rule" "svc50_db"`)
	end := start + strings.Index(text[start:], "\n}\n") + 3
	if err := os.WriteFile(file, []byte(text[:start]+text[end:]), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, _ := sgcheck(t, "diff", "--format", "json", base, head)
	want := essence(t, strings.ReplaceAll(out, head+"/", "infra/"))

	repo := t.TempDir()
	gitRun(t, repo, "init", "-q")
	copyDir(t, base, filepath.Join(repo, "infra"))
	gitRun(t, repo, "add", "-A")
	gitRun(t, repo, "commit", "-q", "-m", "base")
	if err := os.RemoveAll(filepath.Join(repo, "infra")); err != nil {
		t.Fatal(err)
	}
	copyDir(t, head, filepath.Join(repo, "infra"))
	inDir(t, repo, func() {
		out, stderr, code := sgcheck(t, "--format", "json", "--base", "HEAD", "infra")
		if code == exitError {
			t.Fatalf("exit 2: %s", stderr)
		}
		got := essence(t, out)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("--base differs from diff:\n got %q\nwant %q", got, want)
		}
		if !strings.Contains(strings.Join(got, "\n"), "SGC001") {
			t.Errorf("no SGC001 for the removed rule: %q", got)
		}
	})
}

// --base gives the same findings however the path is written: relative,
// with ./, absolute, or as . from inside it, and in a repository under a
// hidden directory (only hidden directories below the scanned path are
// skipped, as a scan skips them). An absolute path once matched no file of
// the revision, so every finding looked new and no revocation was seen.
func TestBasePathForms(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := filepath.Join(t.TempDir(), ".hidden", "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	revocationRepo(t, repo)
	if err := os.Symlink("infra", filepath.Join(repo, "link")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if err := os.MkdirAll(filepath.Join(repo, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(dir, path string) []string {
		var got []string
		inDir(t, dir, func() {
			out, stderr, code := sgcheck(t, append([]string{"--format", "json", "--fail-on", "none", "--base", "HEAD"}, strings.Fields(path)...)...)
			if code != exitClean {
				t.Fatalf("%s from %s: exit %d: %s", path, dir, code, stderr)
			}
			got = essence(t, out)
		})
		return got
	}
	want := run(repo, "infra")
	if !strings.Contains(strings.Join(want, "\n"), "SGC001") {
		t.Fatalf("no SGC001 for the revoked rule: %q", want)
	}
	for _, c := range []struct{ dir, path string }{
		{repo, "./infra"}, {repo, "infra/"}, {repo, filepath.Join(repo, "infra")}, {filepath.Join(repo, "infra"), "."},
		{filepath.Join(repo, "docs"), "../infra"}, {repo, "link"},
	} {
		if got := run(c.dir, c.path); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("--base HEAD %s (from %s):\n got %q\nwant %q", c.path, c.dir, got, want)
		}
	}
	// the folder and a link to it: two roots, each with the revocation and
	// nothing else (the link's files are in the revision under its name too)
	for _, f := range run(repo, "infra link") {
		if !strings.HasPrefix(f, "SGC001 ") {
			t.Errorf("--base HEAD infra link reports %q as new", f)
		}
	}
}

// A problem the change leaves as it was is reported once, for the working
// tree, though its line moved; one the change fixes is still said, marked
// with the revision.
func TestBaseProblemsOnce(t *testing.T) {
	dir := t.TempDir()
	write := func(src string) {
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kept := "module \"kept\" {\n  source = \"example/kept/aws\"\n}\n"
	gitRun(t, dir, "init", "-q", "-b", "main")
	write(kept + "module \"gone\" {\n  source = \"example/gone/aws\"\n}\n")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "base")
	write("# moved down a line\n" + kept)
	var stderr string
	inDir(t, dir, func() { _, stderr, _ = sgcheck(t, "--base", "HEAD", ".") })
	if strings.Count(stderr, "not analysed") != 2 || !strings.Contains(stderr, "warning: main.tf:2: module.kept not analysed") ||
		!strings.Contains(stderr, "warning: main.tf:4: (at HEAD) module.gone not analysed") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// With --base, calls into a git submodule that is not checked out are said
// once, as in a plain scan, not again for the revision.
func TestBaseEmptySubmoduleOnce(t *testing.T) {
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q", "-b", "main")
	files := map[string]string{
		".gitmodules": "[submodule \"mods\"]\n\tpath = mods\n\turl = https://example.com/mods.git\n",
		"main.tf": `module "a" { source = "./mods/a" }
module "b" { source = "./mods/b" }
resource "aws_security_group" "g" { name = "g" }
`,
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "commit", "-q", "-m", "base")
	if err := os.MkdirAll(filepath.Join(dir, "mods"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(files["main.tf"]+"# changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr string
	inDir(t, dir, func() { _, stderr, _ = sgcheck(t, "--base", "HEAD", ".", "--fail-on", "none") })
	var warnings []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.HasPrefix(l, "warning:") {
			warnings = append(warnings, l)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "an empty git submodule") || !strings.Contains(warnings[0], "module.b (main.tf:2)") {
		t.Errorf("want one warning naming the submodule and both calls, got:\n%s", strings.Join(warnings, "\n"))
	}
}

// A file of the base revision whose content the repository lacks (a
// partial clone without network) is an input error naming it; the other
// roots are still analysed and reported.
func TestBaseBlobMissing(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := t.TempDir()
	revocationRepo(t, repo)
	copyDir(t, "fixtures/nlb-target", filepath.Join(repo, "other"))
	if err := os.RemoveAll(filepath.Join(repo, "other", "want")); err != nil {
		t.Fatal(err)
	}
	// the base's infra/main.tf, which the working tree has changed: its
	// blob is removed from the object store
	oid := strings.TrimSpace(gitOut(t, repo, "rev-parse", "HEAD:infra/main.tf"))
	if err := os.Remove(filepath.Join(repo, ".git", "objects", oid[:2], oid[2:])); err != nil {
		t.Fatal(err)
	}
	inDir(t, repo, func() {
		out, _, code := sgcheck(t, "--format", "json", "--base", "HEAD", ".")
		if code != exitError {
			t.Errorf("exit %d, want %d", code, exitError)
		}
		var rep struct {
			Findings []struct{ ID, Resource string }
			Errors   []struct{ File, Message string }
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Errors) != 1 || rep.Errors[0].File != "infra/main.tf" || !strings.Contains(rep.Errors[0].Message, oid+" is missing") {
			t.Errorf("errors %+v, want one naming infra/main.tf and its missing object", rep.Errors)
		}
		found := false
		for _, f := range rep.Findings {
			found = found || strings.HasPrefix(f.Resource, "other:")
		}
		if !found {
			t.Errorf("findings %+v, want those of other/ still reported", rep.Findings)
		}
	})
}

// A rule removed from a module's code is one finding for its instances
// alike; an ignore comment at one instance's module call suppresses that
// instance only, as it does for a finding the head still has.
func TestRemovedModuleRuleIgnoredPerCall(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "fixtures/change/module-rule-removed", dir)
	main := filepath.Join(dir, "head", "main.tf")
	src, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	diff := func() string {
		out, _, _ := sgcheck(t, "diff", filepath.Join(dir, "base"), filepath.Join(dir, "head"), "--format", "text")
		return out
	}
	if out := diff(); !strings.Contains(out, "1 finding (1 high), also in 1 more module instance") {
		t.Fatalf("not one finding for both instances:\n%s", out)
	}
	ignored := strings.Replace(string(src), `module "worker" {`, "# sgcheck:ignore SGC001 -- the worker's peers drain first\nmodule \"worker\" {", 1)
	if err := os.WriteFile(main, []byte(ignored), 0o644); err != nil {
		t.Fatal(err)
	}
	out := diff()
	if !strings.Contains(out, "1 finding (1 high); ") || !strings.Contains(out, "module.api.aws_security_group_rule.peers") ||
		strings.Contains(out, "module.worker.aws_security_group_rule.peers") {
		t.Errorf("the ignore at the worker's call did not suppress that instance alone:\n%s", out)
	}
}
