package terraform

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// memFS serves files from a map, as a git revision is read.
func memFS(files map[string]string) ([]string, func(string) ([]byte, error)) {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, func(name string) ([]byte, error) {
		if s, ok := files[filepath.Clean(name)]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
}

// sshGroup declares group name admitting SSH from cidr, and an instance
// carrying it.
func sshGroup(name, cidr string) string {
	return fmt.Sprintf(`resource "aws_security_group" %q {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [%q]
  }
}
resource "aws_instance" "i_%s" { vpc_security_group_ids = [aws_security_group.%s.id] }
`, name, cidr, name, name)
}

func loadMem(t *testing.T, files map[string]string, cache *ParseCache) (*model.Snapshot, []model.Diagnostic) {
	t.Helper()
	names, read := memFS(files)
	return Load(context.Background(), []string{"infra"}, Options{Files: names, ReadFile: read, Parsed: cache})
}

// Change analysis reuses a root's evaluation from the other side only when
// everything it read is the same: the result equals a load of its own.
func TestRootReuse(t *testing.T) {
	group := func(cidr string) string { return sshGroup("g", cidr) }
	base := map[string]string{
		"infra/a/main.tf":          group("10.0.0.0/8"),
		"infra/b/main.tf":          group("10.1.0.0/16"),
		"infra/c/main.tf":          group("var.x") + `variable "x" {}`,
		"infra/c/terraform.tfvars": `x = "10.2.0.0/16"`,
		"infra/d/main.tf":          group("10.3.0.0/16") + `locals { f = fileexists("x") }`,
		"infra/e/main.tf":          `module "m" { source = "../shared" }`,
		"infra/shared/main.tf":     group("10.4.0.0/16"),
		"infra/f/main.tf":          group("10.5.0.0/16"),
		"infra/f/x.auto.tfvars":    `y = 1`,
	}
	head := map[string]string{}
	for k, v := range base {
		head[k] = v
	}
	head["infra/b/main.tf"] = group("10.1.0.0/24")         // changed root
	head["infra/c/terraform.tfvars"] = `x = "10.9.0.0/16"` // changed variable file
	head["infra/shared/main.tf"] = group("10.4.0.0/24")    // changed module
	delete(head, "infra/f/x.auto.tfvars")                  // one file fewer
	cache := NewParseCache()
	loadMem(t, head, cache)
	got, gotDiags := loadMem(t, base, cache)
	want, wantDiags := loadMem(t, base, nil)
	// a is the same on both sides; d lists files (not reused)
	if cache.reused != 1 {
		t.Errorf("reused %d roots, want 1 (a)", cache.reused)
	}
	if !reflect.DeepEqual(got.Rules, want.Rules) || !reflect.DeepEqual(got.Groups, want.Groups) ||
		!reflect.DeepEqual(got.Attachments, want.Attachments) || !reflect.DeepEqual(gotDiags, wantDiags) {
		t.Errorf("with reuse:\n%+v\nwithout:\n%+v", got.Rules, want.Rules)
	}
}

// Paired loads (the working tree leading, the revision following root by
// root) give each side what a load of its own gives, reuse the roots that
// did not change, and leave no syntax tree of a finished root behind. Roots
// may be on one side only; the follower never waits for a root the leader
// does not have, nor for a leader that fails.
func TestPairedLoads(t *testing.T) {
	group := func(cidr string) string { return sshGroup("g", cidr) }
	base := map[string]string{
		"infra/a/main.tf":      group("10.0.0.0/8"),
		"infra/a/other.tf":     `resource "aws_security_group" "h" {}`,
		"infra/b/main.tf":      group("10.1.0.0/16"),
		"infra/e/main.tf":      `module "m" { source = "../shared" }`,
		"infra/shared/main.tf": group("10.4.0.0/16"),
		"infra/gone/main.tf":   group("10.6.0.0/16"),
	}
	head := map[string]string{}
	for k, v := range base {
		head[k] = v
	}
	head["infra/b/main.tf"] = group("10.1.0.0/24")
	head["infra/new/main.tf"] = group("10.7.0.0/16")
	delete(head, "infra/gone/main.tf")
	wantHead, wantHeadDiags := loadMem(t, head, nil)
	wantBase, wantBaseDiags := loadMem(t, base, nil)
	same := func(side string, got, want *model.Snapshot, gotDiags, wantDiags []model.Diagnostic) {
		t.Helper()
		if !reflect.DeepEqual(got.Rules, want.Rules) || !reflect.DeepEqual(got.Groups, want.Groups) ||
			!reflect.DeepEqual(got.Attachments, want.Attachments) || !reflect.DeepEqual(gotDiags, wantDiags) {
			t.Fatalf("%s paired:\n%+v\nalone:\n%+v", side, got.Rules, want.Rules)
		}
	}
	for i := 0; i < 20; i++ {
		cache := NewParseCache()
		cache.Pair()
		headNames, headRead := memFS(head)
		baseNames, memRead := memFS(base)
		var mu sync.Mutex
		reads := map[string]int{}
		baseRead := func(name string) ([]byte, error) {
			mu.Lock()
			reads[name]++
			mu.Unlock()
			return memRead(name)
		}
		var gotBase *model.Snapshot
		var gotBaseDiags []model.Diagnostic
		done := make(chan struct{})
		go func() {
			defer close(done)
			gotBase, gotBaseDiags = Load(context.Background(), []string{"infra"},
				Options{Files: baseNames, ReadFile: baseRead, Parsed: cache, Follow: true})
		}()
		gotHead, gotHeadDiags := Load(context.Background(), []string{"infra"},
			Options{Files: headNames, ReadFile: headRead, Parsed: cache})
		<-done
		same("head", gotHead, wantHead, gotHeadDiags, wantHeadDiags)
		same("base", gotBase, wantBase, gotBaseDiags, wantBaseDiags)
		if cache.reused != 2 { // a and e (with shared) are the same on both sides
			t.Fatalf("reused %d roots, want 2", cache.reused)
		}
		// a root taken from the head is compared with the bytes read
		// ahead, not read again
		for _, name := range []string{"infra/a/main.tf", "infra/a/other.tf"} {
			if reads[name] != 1 {
				t.Errorf("%s read %d times by the base", name, reads[name])
			}
		}
		for name, f := range cache.m {
			if f.file != nil && (cacheDir(name) == "infra/a" || cacheDir(name) == "infra/b") {
				t.Errorf("%s: syntax tree kept after both sides evaluated its root", name)
			}
		}
	}

	// a leader that finds nothing still lets the follower go
	cache := NewParseCache()
	cache.Pair()
	done := make(chan struct{})
	go func() {
		defer close(done)
		names, read := memFS(base)
		Load(context.Background(), []string{"infra"}, Options{Files: names, ReadFile: read, Parsed: cache, Follow: true})
	}()
	Load(context.Background(), []string{"missing"}, Options{Files: []string{}, ReadFile: func(string) ([]byte, error) { return nil, fs.ErrNotExist }, Parsed: cache})
	<-done
}

// A mirrored follower (diff OLD NEW) takes trees and roots from the leader
// under the leader's names and renames them: its snapshot and diagnostics
// must be those of a load of its own, to the last source. Layouts: roots
// the same on both sides, one changed, a module beside the compared
// directories (each side's own), one of the old side's modules inside the
// new directory (its files are the new side's: the follower loads alone),
// and problems that quote their file.
func TestMirroredFollower(t *testing.T) {
	group := sshGroup
	call := func(src string) string { return fmt.Sprintf("module \"m\" {\n  source = %q\n}\n", src) }
	for _, tc := range []struct {
		name      string
		old, new  map[string]string
		reuseSome bool
	}{
		{"roots", map[string]string{
			"x/old/a/main.tf":   group("a", "10.0.0.0/8") + group("a", "10.0.0.0/16"),
			"x/old/b/main.tf":   group("b", "10.1.0.0/16"),
			"x/old/c/main.tf":   call("./m"),
			"x/old/c/m/main.tf": group("m", "${var.v}") + `variable "v" {}`,
		}, map[string]string{
			"x/new/a/main.tf":   group("a", "10.0.0.0/8") + group("a", "10.0.0.0/16"),
			"x/new/b/main.tf":   group("b", "10.1.0.0/24"),
			"x/new/c/main.tf":   call("./m"),
			"x/new/c/m/main.tf": group("m", "${var.v}") + `variable "v" {}`,
		}, true},
		{"module beside", map[string]string{
			"x/old/a/main.tf":      call("../../modules/sg"),
			"x/modules/sg/main.tf": group("sg", "0.0.0.0/0"),
			"x/new/a/main.tf":      call("../../modules/sg"),
			"x/newmods/sg/main.tf": group("sg", "10.0.0.0/8"),
		}, map[string]string{
			"x/new/a/main.tf":      call("../../newmods/sg"),
			"x/newmods/sg/main.tf": group("sg", "10.0.0.0/8"),
			"x/modules/sg/main.tf": group("sg", "0.0.0.0/0"),
		}, false},
		{"module inside the new side", map[string]string{
			"x/old/a/main.tf":   call("../../new/mod"),
			"x/new/mod/main.tf": group("m", "0.0.0.0/0") + `resource "aws_security_group" "m" {}`,
		}, map[string]string{
			"x/new/a/main.tf":   call("../mod"),
			"x/new/mod/main.tf": group("m", "0.0.0.0/0") + `resource "aws_security_group" "m" {}`,
		}, false},
	} {
		for _, at := range workDirs {
			t.Run(tc.name+"/from "+at, func(t *testing.T) {
				got, gotDiags, want, wantDiags, cache := mirroredFrom(at, tc.old, tc.new)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("paired:\n%+v\nalone:\n%+v", got, want)
				}
				if !reflect.DeepEqual(gotDiags, wantDiags) {
					t.Errorf("paired:\n%v\nalone:\n%v", gotDiags, wantDiags)
				}
				if tc.reuseSome != (cache.reused > 0) {
					t.Errorf("reused %d roots", cache.reused)
				}
			})
		}
	}
}

// FuzzMirroredFollower: whatever two configurations hold (one root changed
// from old to new, one the same on both sides, a module beside them), the
// follower of a mirrored pair loads what it loads alone, diagnostics and
// all.
func FuzzMirroredFollower(f *testing.F) {
	for _, c := range mirroredSeeds() {
		f.Add(c[0], c[1])
	}
	f.Fuzz(mirroredFollowerCase)
}

// mirroredSeeds are pairs of sources (old, new) from the fixtures: each
// file with itself, and each change fixture's base with its head.
func mirroredSeeds() (seeds [][2][]byte) {
	files, _ := filepath.Glob("../../fixtures/*/*.tf")
	more, _ := filepath.Glob("../../fixtures/change/*/base/*.tf")
	for _, name := range append(files, more...) {
		src, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		seeds = append(seeds, [2][]byte{src, src})
		if head, err := os.ReadFile(strings.Replace(name, "/base/", "/head/", 1)); err == nil {
			seeds = append(seeds, [2][]byte{src, head})
		}
	}
	return seeds
}

// mirroredFollowerCase loads a root of oldSrc as the mirrored follower of
// one of newSrc (beside a root and a module the same on both sides), and
// fails unless it gives what a load of its own gives.
func mirroredFollowerCase(t *testing.T, oldSrc, newSrc []byte) {
	shared := sshGroup("b", "10.1.0.0/16") + "module \"m\" {\n  source = \"../../mods/m\"\n}\n"
	old := map[string]string{"x/old/a/main.tf": string(oldSrc), "x/old/b/main.tf": shared,
		"x/old/a/other.tf": string(newSrc), "x/mods/m/main.tf": sshGroup("m", "0.0.0.0/0")}
	new := map[string]string{"x/new/a/main.tf": string(newSrc), "x/new/b/main.tf": shared,
		"x/new/a/other.tf": string(newSrc), "x/mods/m/main.tf": sshGroup("m", "0.0.0.0/0")}
	for _, at := range workDirs {
		got, gotDiags, want, wantDiags, _ := mirroredFrom(at, old, new)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotDiags, wantDiags) {
			t.Fatalf("from x/%s: paired:\n%+v\n%v\nalone:\n%+v\n%v", at, got, gotDiags, want, wantDiags)
		}
	}
}

// The fuzz test's seeds with every module read lazily on both sides.
func TestMirroredFollowerSeedsReadLazily(t *testing.T) {
	seeds := mirroredSeeds()
	if len(seeds) < 20 {
		t.Fatalf("%d seeds: the fixtures are not found", len(seeds))
	}
	withLazyModules(t, func(t *testing.T) {
		for i, c := range seeds {
			t.Run(fmt.Sprint(i), func(t *testing.T) { mirroredFollowerCase(t, c[0], c[1]) })
		}
	})
}

// mirroredAndAlone loads x/old (files old) as the mirrored follower of x/new
// (files new), and alone, indexed for comparison.
func mirroredAndAlone(old, new map[string]string) (got *model.Snapshot, gotDiags []model.Diagnostic,
	want *model.Snapshot, wantDiags []model.Diagnostic, cache *ParseCache) {
	return mirroredFrom("", old, new)
}

// workDirs are the places mirroredFrom may load from: above both sides
// (""), or inside one of them, whose files then have no prefix.
var workDirs = []string{"", "old", "new"}

// mirroredFrom is mirroredAndAlone with the working directory x/at (""
// for the one above x): every name is relative to it. From inside x/new,
// x/new is the follower (diff OLD . from inside NEW) and x/old leads.
func mirroredFrom(at string, old, new map[string]string) (got *model.Snapshot, gotDiags []model.Diagnostic,
	want *model.Snapshot, wantDiags []model.Diagnostic, cache *ParseCache) {
	from := func(files map[string]string) map[string]string {
		if at == "" {
			return files
		}
		out := map[string]string{}
		for name, src := range files {
			rel, err := filepath.Rel(filepath.FromSlash("x/"+at), filepath.FromSlash(name))
			if err != nil {
				panic(err)
			}
			out[rel] = src
		}
		return out
	}
	dir := func(side string) string {
		if at == "" {
			return "x/" + side
		}
		rel, _ := filepath.Rel(filepath.FromSlash("x/"+at), filepath.FromSlash("x/"+side))
		return rel
	}
	follow, lead := old, new
	fdir, ldir := dir("old"), dir("new")
	if at == "new" {
		follow, lead = new, old
		fdir, ldir = ldir, fdir
	}
	followNames, followRead := memFS(from(follow))
	leadNames, leadRead := memFS(from(lead))
	want, wantDiags = Load(context.Background(), []string{fdir}, Options{Files: followNames, ReadFile: followRead, Env: []string{}})
	cache = NewParseCache()
	cache.Pair()
	done := make(chan struct{})
	go func() {
		defer close(done)
		got, gotDiags = Load(context.Background(), []string{fdir}, Options{Files: followNames, ReadFile: followRead, Env: []string{},
			Parsed: cache, Follow: true, Mirror: &Mirror{Own: fdir, Leader: ldir}})
	}()
	Load(context.Background(), []string{ldir}, Options{Files: leadNames, ReadFile: leadRead, Env: []string{}, Parsed: cache})
	<-done
	got.Index()
	want.Index()
	return got, gotDiags, want, wantDiags, cache
}

// A root is kept with the bytes its own side evaluated, whatever the other
// side put in the cache meanwhile: here the follower's copy of a changed
// module file is parsed into the cache while the leader is still
// evaluating a root that calls the module (as paired loads interleave).
// The follower must not take that root: its module differs.
func TestRootKeptWithItsOwnBytes(t *testing.T) {
	head := map[string]string{
		"infra/a/main.tf":   `module "m" { source = "../m" }`,
		"infra/m/main.tf":   sshGroup("g", "10.0.0.0/8") + `locals { note = file("${path.module}/note.txt") }` + "\n",
		"infra/m/note.txt":  "n",
		"infra/m/other.tf":  `output "note" { value = local.note }`,
		"infra/z/main.tf":   sshGroup("z", "10.9.0.0/16"),
		"infra/z/other.tf":  `output "x" { value = 1 }`,
		"infra/zz/main.tf":  sshGroup("zz", "10.8.0.0/16"),
		"infra/zz/other.tf": `output "x" { value = 2 }`,
	}
	base := map[string]string{}
	for k, v := range head {
		base[k] = v
	}
	base["infra/m/main.tf"] = strings.Replace(head["infra/m/main.tf"], "10.0.0.0/8", "0.0.0.0/0", 1)
	want, wantDiags := loadMem(t, base, nil)

	cache := NewParseCache()
	headNames, headRead := memFS(head)
	read := func(name string) ([]byte, error) {
		if filepath.ToSlash(name) == "infra/m/note.txt" {
			// the other side parses its own copy of the module now
			cache.parse("infra/m/main.tf", "infra/m/main.tf", []byte(base["infra/m/main.tf"]), false)
		}
		return headRead(name)
	}
	Load(context.Background(), []string{"infra"}, Options{Files: headNames, ReadFile: read, Parsed: cache})
	baseNames, baseRead := memFS(base)
	got, gotDiags := Load(context.Background(), []string{"infra"}, Options{Files: baseNames, ReadFile: baseRead, Parsed: cache, Follow: true})
	if !reflect.DeepEqual(got.Rules, want.Rules) || !reflect.DeepEqual(gotDiags, wantDiags) {
		t.Fatalf("base with the cache:\n%+v\nalone:\n%+v", got.Rules, want.Rules)
	}
	if cache.reused != 2 { // z and zz; a calls the changed module
		t.Errorf("reused %d roots, want 2", cache.reused)
	}
}

// The follower does not parse a directory only to learn which modules it
// calls when its files are the leader's: it takes the leader's calls (a
// module repository's examples, which the follower then takes whole). A
// changed caller, one whose parse had a problem, and one that calls
// another module than the leader's copy are parsed.
func TestFollowerTakesCalls(t *testing.T) {
	call := func(src string) string { return fmt.Sprintf("module \"m\" {\n  source = %q\n}\n", src) }
	side := func(root string, edits map[string]string) map[string]string {
		files := map[string]string{
			"examples/a/main.tf": call("../../mod"),
			"examples/b/main.tf": call("../../mod"),
			"examples/c/main.tf": call("../../mod") + "locals {\n  x = \n}\n",
			"examples/d/main.tf": call("../../mod"),
			"mod/main.tf":        sshGroup("m", "10.0.0.0/8"),
			"mod2/main.tf":       sshGroup("m2", "0.0.0.0/0"),
		}
		maps.Copy(files, edits)
		out := map[string]string{}
		for k, v := range files {
			out[root+k] = v
		}
		return out
	}
	old := side("x/old/", map[string]string{"examples/d/main.tf": call("../../mod2")})
	new := side("x/new/", map[string]string{"examples/b/main.tf": call("../../mod") + sshGroup("b", "10.1.0.0/16")})
	for _, at := range workDirs {
		got, gotDiags, want, wantDiags, cache := mirroredFrom(at, old, new)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotDiags, wantDiags) {
			t.Fatalf("from x/%s: paired:\n%+v\n%v\nalone:\n%+v\n%v", at, got, gotDiags, want, wantDiags)
		}
		// examples/a only: b and d differ, c does not parse
		if cache.callsTaken != 1 {
			t.Errorf("from x/%s: the calls of %d directories taken, want 1", at, cache.callsTaken)
		}
	}
}
