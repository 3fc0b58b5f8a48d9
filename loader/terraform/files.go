package terraform

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/hashicorp/hcl/v2"
	"github.com/sgcheck/sgcheck/model"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Terraform's file functions, as Terraform resolves them: a relative path
// is relative to the directory Terraform runs in (the root module), which
// is why configurations write "${path.module}/rules.json". sgcheck reads only
// inside the scanned tree: a path that leaves it is an input error, and the
// file is never opened.

// maxDataFile bounds what a file function reads.
const maxDataFile = 16 << 20

// maxFileSet bounds how many files fileset returns.
const maxFileSet = 10000

// escapeMarker starts the error of a file function given a path outside the
// scanned tree; evaluation turns it into an input error at the call.
const escapeMarker = "reads outside the scanned tree"

// missingMarker starts the error of a file function given a path inside
// the scanned tree where no file is: often one the build makes before
// Terraform runs (a Lambda package, a rendered policy), so what reads it is
// not determined rather than an input error (evaluator.evalErrors).
const missingMarker = "no file exists at"

// pathValues are path.module, path.root and path.cwd for a module: the
// module's directory relative to the root, as Terraform gives them.
func (e *evaluator) pathValues() cty.Value {
	mod := "."
	if rel, err := filepath.Rel(e.world.rootDir, e.mod.dir); err == nil {
		mod = filepath.ToSlash(rel)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"module": cty.StringVal(mod),
		"root":   cty.StringVal("."),
		"cwd":    cty.StringVal("."),
	})
}

// funcs is the function library with the file functions bound to the
// root being evaluated (one table per root; what jsondecode decoded and
// how a template file parses are kept for every root, as they are the same
// wherever they are read).
func (e *evaluator) funcs() map[string]function.Function {
	if e.world.funcTable != nil {
		return e.world.funcTable
	}
	out := make(map[string]function.Function, len(functions)+12)
	for k, v := range functions {
		out[k] = v
	}
	w := e.world
	w.dataFiles = &sync.Map{}
	out["file"] = w.fileFunc("file", func(b []byte) (cty.Value, error) {
		if !utf8.Valid(b) {
			return cty.NilVal, errors.New("contents are not valid UTF-8; use filebase64 instead")
		}
		return cty.StringVal(string(b)), nil
	})
	out["filebase64"] = w.fileFunc("filebase64", func(b []byte) (cty.Value, error) {
		return cty.StringVal(base64.StdEncoding.EncodeToString(b)), nil
	})
	for name, h := range map[string]func() hash.Hash{"filemd5": md5.New, "filesha1": sha1.New,
		"filesha256": sha256.New, "filesha512": sha512.New} {
		h := h
		out[name] = w.fileFunc(name, func(b []byte) (cty.Value, error) {
			s := h()
			s.Write(b)
			return cty.StringVal(hex.EncodeToString(s.Sum(nil))), nil
		})
	}
	for name, h := range map[string]func() hash.Hash{"filebase64sha256": sha256.New, "filebase64sha512": sha512.New} {
		h := h
		out[name] = w.fileFunc(name, func(b []byte) (cty.Value, error) {
			s := h()
			s.Write(b)
			return cty.StringVal(base64.StdEncoding.EncodeToString(s.Sum(nil))), nil
		})
	}
	out["fileexists"] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p, err := w.confine("fileexists", args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			return cty.BoolVal(w.exists(p)), nil
		},
	})
	out["fileset"] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "pattern", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Set(cty.String)),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			dir, err := w.confine("fileset", args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			names, err := w.fileSet(dir, args[1].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			if len(names) == 0 {
				return cty.SetValEmpty(cty.String), nil
			}
			vals := make([]cty.Value, len(names))
			for i, n := range names {
				vals[i] = cty.StringVal(n)
			}
			return cty.SetVal(vals), nil
		},
	})
	docs := w.jsonDocs
	if docs == nil {
		docs = &jsonMemo{}
	}
	out["jsondecode"] = docs.function()
	plain := out
	var noNesting map[string]function.Function // plain without templatefile
	var nestingMu sync.Mutex
	ts := &templates{syntax: w.templateSyntax}
	out["templatefile"] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String},
			{Name: "vars", Type: cty.DynamicPseudoType, AllowNull: true}},
		Type: function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p, err := w.confine("templatefile", args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			src, err := w.readData(p)
			if err != nil {
				return cty.NilVal, err
			}
			nestingMu.Lock()
			if len(noNesting) != len(plain)-1 { // made again when functions were added
				noNesting = make(map[string]function.Function, len(plain))
				for k, v := range plain {
					if k != "templatefile" {
						noNesting[k] = v
					}
				}
			}
			funcs := noNesting
			nestingMu.Unlock()
			return ts.render(src, DisplayPath(p), args[1], funcs)
		},
	})
	// Terraform 1.8 names every built-in also as core::NAME
	names := make([]string, 0, len(out))
	for k := range out {
		names = append(names, k)
	}
	for _, k := range names {
		out["core::"+k] = out[k]
	}
	e.world.funcTable = out
	return out
}

// providerCall matches a call of a provider-defined function (Terraform
// 1.8): provider::LOCAL_NAME::FUNCTION.
var providerCall = regexp.MustCompile(`provider::[A-Za-z_][A-Za-z0-9_-]*::[A-Za-z_][A-Za-z0-9_-]*`)

// providerFuncs lists the provider-defined functions the files in srcs
// name (a mention in a comment or string too: a function never called is
// harmless), sorted.
func providerFuncs(srcs map[string][]byte) []string {
	seen := map[string]bool{}
	for _, src := range srcs {
		if !bytes.Contains(src, []byte("provider::")) {
			continue
		}
		for _, m := range providerCall.FindAll(src, -1) {
			seen[string(m)] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// addProviderFuncs puts the provider-defined functions the module calls in
// the function table: sgcheck runs no provider, so each gives an unknown
// value, and the configuration stays valid.
func (e *evaluator) addProviderFuncs() {
	if e.mod == nil || len(e.mod.providerFuncs) == 0 {
		return
	}
	t := e.funcs()
	for _, name := range e.mod.providerFuncs {
		if _, ok := t[name]; !ok {
			t[name] = absentFunc(name, providerFuncReason)
		}
	}
}

// providerFuncReason is why a provider-defined function is not evaluated.
const providerFuncReason = "it is a provider-defined function, which only the provider can run"

// fileFunc is a function of one path argument over the file's bytes.
func (w *world) fileFunc(name string, conv func([]byte) (cty.Value, error)) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p, err := w.confine(name, args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			b, err := w.readData(p)
			if err != nil {
				return cty.NilVal, err
			}
			return conv(b)
		},
	})
}

// confine resolves a path as Terraform does and refuses one outside the
// scanned tree, symbolic links included.
func (w *world) confine(fn, p string) (string, error) {
	full := p
	if !filepath.IsAbs(full) {
		full = filepath.Join(w.rootDir, filepath.FromSlash(p))
	}
	full = filepath.Clean(full)
	check := full
	if w.files == nil {
		if real, err := filepath.EvalSymlinks(full); err == nil {
			check = real
		}
	}
	for _, root := range w.scanRoots {
		if within(root, check) {
			return full, nil
		}
	}
	return "", fmt.Errorf("%s(%q) %s (%s); sgcheck does not read it", fn, p, escapeMarker, strings.Join(w.scanRoots, ", "))
}

func within(root, p string) bool {
	ap, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(root, ap)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// scanRootsOf returns the absolute directories a load may read from.
func scanRootsOf(paths []string) []string {
	var out []string
	for _, p := range paths {
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			p = filepath.Dir(p)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		out = append(out, abs)
	}
	return out
}

// readData reads a file for a file function: a regular file of bounded
// size (never a device or pipe), or the revision's copy.
func (w *world) readData(p string) ([]byte, error) {
	if w.dataFiles != nil {
		if b, ok := w.dataFiles.Load(p); ok {
			return b.([]byte), nil
		}
	}
	b, err := w.readDataOnce(p)
	if err == nil && w.dataFiles != nil {
		w.dataFiles.Store(p, b)
	}
	return b, err
}

// readDataOnce reads a file a file function names.
func (w *world) readDataOnce(p string) ([]byte, error) {
	if w.files == nil {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s %s", missingMarker, DisplayPath(p))
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a regular file", DisplayPath(p))
		}
		if info.Size() > maxDataFile {
			return nil, fmt.Errorf("%s is larger than %d MiB", DisplayPath(p), maxDataFile>>20)
		}
	}
	b, err := w.read(p)
	if err != nil {
		return nil, fmt.Errorf("%s %s", missingMarker, DisplayPath(p))
	}
	return b, nil
}

func (w *world) exists(p string) bool {
	w.listed()
	if w.files != nil {
		for _, f := range w.files {
			if filepath.Clean(f) == p {
				return true
			}
		}
		return false
	}
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

// fileSet lists the regular files under dir whose path relative to dir
// matches pattern, in order, as fileset does.
func (w *world) fileSet(dir, pattern string) ([]string, error) {
	w.listed()
	if !doublestar.ValidatePattern(pattern) {
		return nil, fmt.Errorf("invalid pattern %q", pattern)
	}
	var out []string
	add := func(rel string) error {
		if ok, _ := doublestar.Match(pattern, rel); ok {
			if len(out) == maxFileSet {
				return fmt.Errorf("more than %d files match %q", maxFileSet, pattern)
			}
			out = append(out, rel)
		}
		return nil
	}
	if w.files != nil {
		for _, f := range w.files {
			if rel, err := filepath.Rel(dir, filepath.Clean(f)); err == nil && !strings.HasPrefix(rel, "..") {
				if err := add(filepath.ToSlash(rel)); err != nil {
					return nil, err
				}
			}
		}
	} else {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // unreadable parts are left out, as Terraform does
			}
			if !d.Type().IsRegular() {
				return nil
			}
			rel, _ := filepath.Rel(dir, p)
			return add(filepath.ToSlash(rel))
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

// fileErrors turns the diagnostics of a file function refused a path into
// input errors at the call.
func (w *world) fileErrors(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Severity != hcl.DiagError || !strings.Contains(d.Detail, escapeMarker) || d.Subject == nil {
			continue
		}
		w.diags = append(w.diags, model.Diagnostic{File: d.Subject.Filename, Line: d.Subject.Start.Line,
			Column: d.Subject.Start.Column, Message: d.Detail})
	}
}

// listed notes that the root being evaluated depends on what directories
// hold, which change analysis does not compare: its result is not reused.
func (w *world) listed() {
	if w.deps != nil {
		w.deps.mu.Lock()
		w.deps.listing = true
		w.deps.mu.Unlock()
	}
}
