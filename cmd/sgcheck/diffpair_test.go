package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// diff loads two separate directories paired (loadBoth): trees and roots
// the two sides share are parsed and evaluated once, under the new side's
// names, and renamed. Whatever the layout, the report must be byte for
// byte the one of the two sides loaded apart, in every format: for every
// fixture against a randomly edited copy of itself, every change fixture,
// and layouts chosen to trip the renaming (modules beside or outside the
// compared directories, a module of the old side inside the new one, a
// root's own path in a value, problems quoted with their file).
func TestPairedDiffMatchesApart(t *testing.T) {
	apart := context.WithValue(context.Background(), loadApart{}, true)
	for i, p := range diffPairs(t) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), fmt.Sprint(i))
			p.write(t, dir)
			old, new := filepath.Join(dir, p.args[0]), filepath.Join(dir, p.args[1])
			if !separateDirs(old, new) {
				t.Fatalf("%s and %s are not paired", old, new)
			}
			p.compare(t, apart, old, new)
		})
	}
}

// The same cases, run from inside one of the two folders, as a user in
// a checkout runs diff ../old . (or diff . ../new): that side's files are
// named with no prefix, and the other side's under the name given for it.
// Those loads pair too (the working directory's side follows, so that
// what it takes from the other is renamed by dropping a prefix). Named by
// absolute paths, the working directory may also be one side; but not
// below one, where reports name some of that side's files relative to it
// and some not: there diff loads apart.
func TestPairedDiffFromInside(t *testing.T) {
	apart := context.WithValue(context.Background(), loadApart{}, true)
	rel := func(t *testing.T, from, to string) string {
		r, err := filepath.Rel(from, to)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for i, p := range diffPairs(t) {
		// the fixtures' second random edits would add time (each case
		// runs alone) and no layout
		if strings.HasSuffix(p.name, "#1") {
			continue
		}
		layout := !strings.HasPrefix(p.name, "fixtures/")
		plain := strings.HasSuffix(p.name, "#0") && !strings.HasPrefix(p.name, "fixtures/malformed/")
		switch {
		case raceEnabled && !layout:
			// about ten times slower: the layouts only, in JSON, from
			// inside a folder (the second and third ways below)
			continue
		case raceEnabled, strings.HasPrefix(p.name, "fixtures/change/"):
			p.formats = []string{"json"} // the layouts have every format
		}
		// which of the ways below the pair is run in: every one, or, for
		// the fixtures that are not malformed, the first three (relative
		// paths)
		runs := func(k int) bool {
			switch {
			case raceEnabled:
				return k == 1 || k == 2
			case plain:
				return k <= 2
			}
			return true
		}
		t.Run(p.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), fmt.Sprint(i))
			p.write(t, dir)
			old, new := filepath.Join(dir, p.args[0]), filepath.Join(dir, p.args[1])
			for k, c := range []struct {
				name, wd, old, new string
				paired             bool
			}{
				{"relative, above both", dir, rel(t, dir, old), rel(t, dir, new), true},
				{"diff OLD . in NEW", new, rel(t, new, old), ".", true},
				{"diff . NEW in OLD", old, ".", rel(t, old, new), true},
				{"absolute, in NEW", new, old, new, true},
				{"absolute, in OLD", old, old, new, true},
				{"absolute, below NEW", below(t, new), old, new, false},
				{"absolute, below OLD", below(t, old), old, new, false},
			} {
				if c.wd == "" || !runs(k) {
					continue // no folder below, or not run for this pair
				}
				t.Run(c.name, func(t *testing.T) {
					t.Chdir(c.wd)
					if got := separateDirs(c.old, c.new); got != c.paired {
						t.Fatalf("separateDirs(%s, %s) = %v from %s", c.old, c.new, got, c.wd)
					}
					p.compare(t, apart, c.old, c.new)
				})
			}
		})
	}
}

// below is a folder inside dir ("" if none).
func below(t *testing.T, dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			return filepath.Join(dir, e.Name())
		}
	}
	return ""
}

// diffPair is a case of TestPairedDiffMatchesApart: two folders' files.
type diffPair struct {
	name     string
	old, new map[string]string // files, relative to the case's folder
	args     [2]string         // OLD and NEW, relative to the case's folder
	formats  []string          // json, text and sarif when empty
}

// write puts the pair's files under dir.
func (p diffPair) write(t *testing.T, dir string) {
	t.Helper()
	for _, files := range []map[string]string{p.old, p.new} {
		for name, src := range files {
			path := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// compare fails unless diff old new reports, in each of the pair's
// formats, what it reports with the sides loaded apart (context apart).
func (p diffPair) compare(t *testing.T, apart context.Context, old, new string) {
	t.Helper()
	formats := p.formats
	if len(formats) == 0 {
		formats = []string{"json", "text", "sarif"}
	}
	for _, format := range formats {
		gotOut, gotErr, gotCode := sgcheck(t, "diff", "--format", format, old, new)
		var out, errb bytes.Buffer
		wantCode := run(apart, []string{"diff", "--format", format, old, new}, &out, &errb)
		wantOut, wantErr := out.String(), errb.String()
		if gotOut != wantOut || gotErr != wantErr || gotCode != wantCode {
			t.Fatalf("%s: paired (exit %d):\n%s\n%s\napart (exit %d):\n%s\n%s", format, gotCode, gotErr, gotOut, wantCode, wantErr, wantOut)
		}
	}
}

// diffPairs are TestPairedDiffMatchesApart's cases.
func diffPairs(t *testing.T) []diffPair {
	type pair = diffPair
	var pairs []pair
	rng := rand.New(rand.NewPCG(7, 11))
	sides := func(old, new map[string]string) (map[string]string, map[string]string) {
		o, n := map[string]string{}, map[string]string{}
		for k, v := range old {
			o["old/"+k] = v
		}
		for k, v := range new {
			n["new/"+k] = v
		}
		return o, n
	}
	dirs, _ := filepath.Glob("fixtures/*")
	// the malformed inputs whose problems name files or come from files
	// read beside the configuration
	more, _ := filepath.Glob("fixtures/malformed/*")
	named := regexp.MustCompile(`/(module|file|duplicate|local-cycle|syntax|tfvars|var-file|tf-json-syntax|state-syntax|plan-syntax|aws-duplicate|unknown-function|good)`)
	for _, dir := range more {
		if named.MatchString(dir) {
			dirs = append(dirs, dir)
		}
	}
	for _, dir := range dirs {
		files := treeFiles(t, dir)
		if !hasInput(files) {
			continue
		}
		for k := 0; k < 2; k++ {
			old, new := sides(files, editedTree(rng, files))
			pairs = append(pairs, pair{name: fmt.Sprintf("%s#%d", dir, k), old: old, new: new, args: [2]string{"old", "new"},
				formats: []string{"json"}})
		}
	}
	changes, _ := filepath.Glob("fixtures/change/*")
	for _, dir := range changes {
		old, new := sides(treeFiles(t, dir+"/base"), treeFiles(t, dir+"/head"))
		pairs = append(pairs, pair{name: dir, old: old, new: new, args: [2]string{"old", "new"}})
	}

	group := func(name, cidr, extra string) string {
		return fmt.Sprintf(`resource "aws_security_group" %q {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [%q]%s
  }
}
resource "aws_instance" "i_%s" { vpc_security_group_ids = [aws_security_group.%s.id] }
`, name, cidr, extra, name, name)
	}
	call := func(src string) string { return fmt.Sprintf("module \"m\" {\n  source = %q\n}\n", src) }
	both := func(files map[string]string, edits map[string]string) (map[string]string, map[string]string) {
		old, new := sides(files, files)
		for k, v := range edits {
			if v == "" {
				delete(new, "new/"+k)
			} else {
				new["new/"+k] = v
			}
		}
		return old, new
	}
	layout := func(name string, files, edits map[string]string, args [2]string) {
		old, new := both(files, edits)
		for k, v := range files { // files outside both sides
			if strings.HasPrefix(k, "../") {
				delete(old, "old/"+k)
				delete(new, "new/"+k)
				old[strings.TrimPrefix(k, "../")] = v
			}
		}
		pairs = append(pairs, pair{name: name, old: old, new: new, args: args})
	}
	// modules beside the compared folders: each side's own
	layout("sibling modules", map[string]string{
		"infra/a/main.tf":       call("../../modules/sg"),
		"infra/b/main.tf":       group("b", "10.1.0.0/16", ""),
		"modules/sg/main.tf":    group("sg", "0.0.0.0/0", ""),
		"modules/sg/outputs.tf": `output "x" { value = 1 }`,
	}, map[string]string{"modules/sg/main.tf": group("sg", "10.0.0.0/8", "")}, [2]string{"old/infra", "new/infra"})
	// the same, unchanged: the old side must still read its own modules
	layout("sibling modules, root unchanged", map[string]string{
		"infra/a/main.tf":    call("../../modules/sg"),
		"modules/sg/main.tf": group("sg", "0.0.0.0/0", ""),
	}, map[string]string{"modules/sg/main.tf": group("sg", "10.9.0.0/16", "")}, [2]string{"old/infra", "new/infra"})
	// a module outside both, called by both
	layout("shared module", map[string]string{
		"infra/a/main.tf":      call("../../../shared/sg"),
		"infra/b/main.tf":      group("b", "10.1.0.0/16", ""),
		"../shared/sg/main.tf": group("sg", "0.0.0.0/0", ""),
	}, map[string]string{"infra/b/main.tf": group("b", "10.1.0.0/24", "")}, [2]string{"old/infra", "new/infra"})
	// the old side calls a module inside the new one
	layout("old calls into new", map[string]string{
		"a/main.tf":   group("a", "10.0.0.0/8", ""),
		"mod/main.tf": group("m", "0.0.0.0/0", "") + group("u", "${var.u}/32", "") + `variable "u" {}`,
	}, map[string]string{"a/main.tf": group("a", "10.0.0.0/16", "")}, [2]string{"old", "new"})
	pairs[len(pairs)-1].old["old/b/main.tf"] = call("../../new/mod")
	// paths in values (relative to the root, as Terraform gives them),
	// the roots unchanged
	layout("paths in values", map[string]string{
		"a/main.tf": group("a", "0.0.0.0/0", "\n    description = \"from ${path.module}\"") + call("../modules/sg"),
		"modules/sg/main.tf": `resource "aws_security_group" "s" {
  description = "${path.module} ${path.root} ${path.cwd}"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [file("${path.module}/cidr.txt")]
  }
}
`,
		"modules/sg/cidr.txt": "0.0.0.0/0",
		"b/main.tf":           group("b", "10.1.0.0/16", ""),
	}, map[string]string{"b/main.tf": group("b", "10.2.0.0/16", "")}, [2]string{"old", "new"})
	// problems quoted with their file, the same on both sides
	layout("quoted problems", map[string]string{
		"a/main.tf":  group("a", "0.0.0.0/0", "") + group("a", "10.0.0.0/8", ""),
		"a/bad.tf":   `resource "aws_security_group" "x" {`,
		"b/main.tf":  group("b", "10.1.0.0/16", ""),
		"c/vars.tf":  `variable "v" { type = number }` + "\n" + group("c", "${var.v}", ""),
		"c/x.tfvars": `v = "x"`,
	}, map[string]string{"b/main.tf": ""}, [2]string{"old", "new"})
	// modules terraform init downloaded, different on the two sides
	layout("installed modules", map[string]string{
		"a/main.tf": `module "sg" {
  source = "terraform-aws-modules/security-group/aws"
}
`,
		"a/.terraform/modules/modules.json":   `{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"sg","Source":"x","Dir":".terraform/modules/sg"}]}`,
		"a/.terraform/modules/sg/main.tf":     group("sg", "0.0.0.0/0", ""),
		"a/.terraform/modules/sg/versions.tf": `terraform {}`,
	}, map[string]string{"a/.terraform/modules/sg/main.tf": group("sg", "10.0.0.0/8", "")}, [2]string{"old", "new"})

	return pairs
}

// treeFiles reads every file under dir (but its golden outputs), by
// slash-separated path relative to it.
func treeFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "want" {
			return filepath.SkipDir
		}
		if d.IsDir() || d.Name() == "args" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func hasInput(files map[string]string) bool {
	for name := range files {
		if strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".json") {
			return true
		}
	}
	return false
}

var resourceBlock = regexp.MustCompile(`(?ms)^resource "[^"]+" "[^"]+" \{.*?^\}\n`)

// editedTree is a copy of files with one to three random edits of
// configuration and JSON files: a value changed, or a resource removed.
func editedTree(rng *rand.Rand, files map[string]string) map[string]string {
	edits := [][2]string{
		{`"0.0.0.0/0"`, `"10.0.0.0/8"`}, {`"10.0.0.0/8"`, `"0.0.0.0/0"`}, {`"::/0"`, `"2001:db8::/32"`},
		{`"tcp"`, `"udp"`}, {`"-1"`, `"tcp"`}, {`= 22`, `= 2222`}, {`= 443`, `= 22`}, {`"allow"`, `"deny"`},
	}
	out := map[string]string{}
	var names []string
	for k, v := range files {
		out[k] = v
		if strings.HasSuffix(k, ".tf") || strings.HasSuffix(k, ".json") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for n := 1 + rng.IntN(3); n > 0; n-- {
		name := names[rng.IntN(len(names))]
		src := out[name]
		if rng.IntN(3) == 0 {
			if blocks := resourceBlock.FindAllStringIndex(src, -1); len(blocks) > 0 {
				b := blocks[rng.IntN(len(blocks))]
				out[name] = src[:b[0]] + src[b[1]:]
			}
			continue
		}
		ed := edits[rng.IntN(len(edits))]
		var at []int
		for i := strings.Index(src, ed[0]); i >= 0; {
			at = append(at, i)
			next := strings.Index(src[i+1:], ed[0])
			if next < 0 {
				break
			}
			i += 1 + next
		}
		if len(at) > 0 {
			i := at[rng.IntN(len(at))]
			out[name] = src[:i] + ed[1] + src[i+len(ed[0]):]
		}
	}
	return out
}

// --base loads its sides paired too (the revision following the working
// tree root by root, sharing trees and unchanged roots): on every fixture
// in one repository, with random edits across its folders, the report is
// byte for byte the one of the sides loaded apart.
func TestPairedBaseMatchesApart(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := t.TempDir()
	gitRun(t, repo, "init", "-q", "-b", "main")
	files := treeFiles(t, "fixtures")
	for name := range files {
		if strings.Contains(name, "/want/") || strings.HasSuffix(name, "/args") {
			delete(files, name)
		}
	}
	write := func(files map[string]string) {
		for name, src := range files {
			path := filepath.Join(repo, "infra", filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// a module that many roots call, changed in every round: a root is
	// reused from the other side only if its module is the same there,
	// however the two loads interleave
	files["shared/mod/main.tf"] = `variable "name" {}
resource "aws_security_group" "this" {
  name = var.name
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["10.0.0.0/8"]
  }
}
resource "aws_instance" "this" { vpc_security_group_ids = [aws_security_group.this.id] }
`
	for i := range 12 {
		files[fmt.Sprintf("shared/root%02d/main.tf", i)] = fmt.Sprintf("module \"m\" {\n  source = \"../mod\"\n  name   = \"r%d\"\n}\n", i)
	}
	write(files)
	gitRun(t, repo, "add", "-A")
	gitRun(t, repo, "commit", "-q", "-m", "base")
	apart := context.WithValue(context.Background(), loadApart{}, true)
	rng := rand.New(rand.NewPCG(5, 9))
	inDir(t, repo, func() {
		for k := 0; k < 6; k++ {
			gitRun(t, repo, "checkout", "-q", "--", ".")
			edited := files
			for n := 0; n < 8; n++ {
				edited = editedTree(rng, edited)
			}
			edited = maps.Clone(edited)
			edited["shared/mod/main.tf"] = strings.Replace(files["shared/mod/main.tf"], "10.0.0.0/8", "0.0.0.0/0", 1)
			write(edited)
			for _, format := range []string{"json", "text"} {
				args := []string{"--base", "HEAD", "--format", format, "infra"}
				gotOut, gotErr, gotCode := sgcheck(t, args...)
				var out, errb bytes.Buffer
				wantCode := run(apart, args, &out, &errb)
				if gotOut != out.String() || gotErr != errb.String() || gotCode != wantCode {
					t.Fatalf("edit %d, %s: paired (exit %d):\n%s\n%s\napart (exit %d):\n%s\n%s", k, format,
						gotCode, gotErr, gotOut, wantCode, errb.String(), out.String())
				}
				if format == "json" && !strings.Contains(gotOut, `"id"`) {
					t.Fatalf("edit %d: no finding at all", k)
				}
				for i := range 12 {
					// SSH newly open to the world through the shared module
					if r := fmt.Sprintf(`"resource": "shared/root%02d:module.m.aws_security_group.this"`, i); format == "json" && !strings.Contains(gotOut, r) {
						t.Fatalf("edit %d: no finding on %s", k, r)
					}
				}
			}
		}
	})
}
