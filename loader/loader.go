// Package loader provides the one entry point from input paths to a
// model.Snapshot: it detects what each input is and hands it to the loader
// for that kind.
package loader

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/sgcheck/sgcheck/internal/safeio"
	"github.com/sgcheck/sgcheck/loader/gitrev"
	"github.com/sgcheck/sgcheck/loader/plan"
	"github.com/sgcheck/sgcheck/loader/terraform"
	"github.com/sgcheck/sgcheck/model"
)

// Options control loading.
type Options struct {
	Terraform terraform.Options
}

// Load reads every input under paths into one snapshot: Terraform
// configurations, and JSON files that are AWS CLI output, Terraform state
// or a saved plan (what it makes). Diagnostics carry file and line; an
// input with errors never hides the others.
func Load(ctx context.Context, paths []string, opts Options) (*model.Snapshot, []model.Diagnostic) {
	budget := new(safeio.Budget)
	tf := opts.Terraform
	tf.Budget = budget
	snap, diags := terraform.Load(ctx, paths, tf)
	byDir := map[string][]jsonFile{}
	for _, p := range paths {
		files, err := findJSON(p)
		if err != nil {
			continue // terraform.Load reported it
		}
		for _, f := range files {
			d := filepath.Dir(f.path)
			if tf.Exclude != nil && tf.Exclude(terraform.DisplayPath(d)) {
				continue
			}
			byDir[d] = append(byDir[d], f)
		}
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	read := map[string]bool{}
	for _, d := range dirs {
		diags = append(diags, loadJSONDir(snap, byDir[d], terraform.Qualifier(d, paths), paths, budget, read)...)
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil || terraform.HasConfig(p) {
			continue // a missing path is reported by the Terraform load
		}
		any := false
		under := absPath(p)
		for f := range read {
			if af := absPath(f); af == under || strings.HasPrefix(af, strings.TrimSuffix(under, string(filepath.Separator))+string(filepath.Separator)) {
				any = true
				break
			}
		}
		if !any {
			msg := "no Terraform, plan, state or AWS JSON input here"
			if n := terragruntConfigs(p); n > 0 {
				msg += fmt.Sprintf("; the %d terragrunt.hcl files below it are Terragrunt's, which sgcheck does not read: "+
					"scan the Terraform modules they call, or their plans (terragrunt plan -out=tfplan; terragrunt show -json tfplan > plan.json; "+
					"sgcheck --plan plan.json)", n)
			}
			diags = append(diags, model.Diagnostic{File: terraform.DisplayPath(p), Message: msg})
		}
	}
	finish(snap)
	return snap, diags
}

// absPath is p absolute and clean ("." and "./x" name what "x" below the
// working directory names), or p itself if that fails.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// terragruntConfigs counts the terragrunt.hcl files under p (hidden
// folders, Terragrunt's cache among them, left out).
func terragruntConfigs(p string) int {
	n := 0
	filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir() && path != p && strings.HasPrefix(d.Name(), "."):
			return filepath.SkipDir
		case !d.IsDir() && d.Name() == "terragrunt.hcl":
			n++
		}
		return nil
	})
	return n
}

// finish completes a snapshot with what AWS implies: symbolic groups for
// rules of undeclared groups, and the default network ACL of declared VPCs.
func finish(s *model.Snapshot) {
	s.LinkRoutes()
	s.MarkContested()
	s.AddSymbolicGroups()
	s.AddImplicitDefaultNACLs()
}

// ReadRevision reads the input files under paths as they are at git
// revision rev. The configuration files are compared with the working tree
// at once, through read (nil: from disk; SharedReads.ReadFile shares the
// reads with the working tree's load), the data files a configuration may
// read when they are read.
func ReadRevision(rev string, paths []string, read func(name string) ([]byte, error)) (*gitrev.Tree, error) {
	return gitrev.Read(".", rev, paths, func(name string) bool {
		return terraform.IsInputFile(name) || terraform.IsDataFile(name)
	}, terraform.IsInputFile, read)
}

// LoadTree loads the inputs under paths from a revision's files.
func LoadTree(ctx context.Context, tree *gitrev.Tree, paths []string, opts Options) (*model.Snapshot, []model.Diagnostic) {
	o := opts.Terraform
	o.Files, o.ReadFile = tree.Names(), tree.ReadFile
	snap, diags := terraform.Load(ctx, paths, o)
	finish(snap)
	return snap, diags
}

// SharedReads reads each file of the working tree once for both sides of
// --base: git's reading of the revision compares the configuration files
// with the revision's (gitrev.Read), and the working tree's load takes the
// bytes it read, whichever reads a file first. The bytes are kept for the
// whole load: a module that many roots call is read once, however many
// roots read it (a module repository's examples calling ../../); they are
// the inputs' own size, a small part of the heap.
type SharedReads struct {
	budget *safeio.Budget
	read   sync.Map // cleaned name → its read (sync.OnceValues)
}

// NewSharedReads returns reads to share.
func NewSharedReads() *SharedReads { return &SharedReads{budget: new(safeio.Budget)} }

// ReadFile reads a file, once.
func (s *SharedReads) ReadFile(name string) ([]byte, error) {
	key := filepath.Clean(name)
	read, ok := s.read.Load(key)
	if !ok {
		read, _ = s.read.LoadOrStore(key, sync.OnceValues(func() ([]byte, error) { return s.budget.ReadFile(name) }))
	}
	return read.(func() ([]byte, error))()
}

// Options returns opts for the working tree's load, reading through s.
func (s *SharedReads) Options(opts Options) Options {
	opts.Terraform.ReadFile = s.ReadFile
	return opts
}

// ChangedDirs returns whether a directory of the working tree holds files
// other than the revision's: one added, removed or edited. Directories the
// change did not touch are loaded from the same bytes on both sides.
func ChangedDirs(tree *gitrev.Tree) func(dir string) bool {
	wd, _ := os.Getwd()
	abs := func(p string) string {
		if !filepath.IsAbs(p) {
			p = filepath.Join(wd, p)
		}
		return filepath.Clean(p)
	}
	inRev := map[string]bool{}
	changed := map[string]bool{}
	for _, name := range tree.Names() {
		inRev[abs(name)] = true
	}
	for name := range tree.Changed {
		changed[filepath.Dir(abs(name))] = true
	}
	var mu sync.Mutex
	known := map[string]bool{}
	return func(dir string) bool {
		dir = abs(dir)
		mu.Lock()
		defer mu.Unlock()
		if v, ok := known[dir]; ok {
			return v
		}
		v := changed[dir]
		if !v {
			// a file the revision does not have
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				n := e.Name()
				if !e.IsDir() && (terraform.IsInputFile(n) || terraform.IsDataFile(n)) && !inRev[filepath.Join(dir, n)] {
					v = true
					break
				}
			}
		}
		known[dir] = v
		return v
	}
}

// LoadPlan reads a saved plan's JSON: base is what is live, head what the
// plan makes. With paths, findings point at the HCL under them.
func LoadPlan(ctx context.Context, file string, paths []string, opts Options) (head, base *model.Snapshot, diags []model.Diagnostic) {
	base, head, diags = plan.Load(file, terraform.DisplayPath(file))
	if base == nil {
		return nil, nil, diags
	}
	if len(paths) > 0 {
		hcl, hd := terraform.Load(ctx, paths, opts.Terraform)
		diags = append(diags, hd...)
		plan.Relocate(base, hcl)
		plan.Relocate(head, hcl)
		head.IgnoreFiles = hcl.IgnoreFiles
	}
	finish(head)
	finish(base)
	return head, base, diags
}
