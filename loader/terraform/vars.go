package terraform

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/sgcheck/sgcheck/internal/safeio"
	"github.com/sgcheck/sgcheck/model"
	"github.com/zclconf/go-cty/cty"
)

// rootInputs collects the values of a root module's variables in
// Terraform's order of precedence, later winning: TF_VAR_ environment
// variables, terraform.tfvars, terraform.tfvars.json, *.auto.tfvars and
// *.auto.tfvars.json in lexical order, then --var-file and --var in the
// order given on the command line.
func rootInputs(w *world, dir string, opts Options) (map[string]cty.Value, map[string]hcl.Range, []model.Diagnostic) {
	out := map[string]cty.Value{}
	origins := map[string]hcl.Range{}
	var diags []model.Diagnostic
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if name, isVar := strings.CutPrefix(k, "TF_VAR_"); ok && isVar && name != "" {
			out[name], _ = parseVarValue(v, name)
			origins[name] = hcl.Range{Filename: "TF_VAR_" + name}
		}
	}
	files := []string{filepath.Join(dir, "terraform.tfvars"), filepath.Join(dir, "terraform.tfvars.json")}
	auto := w.autoVarFiles(dir)
	if w.deps != nil {
		w.deps.mu.Lock()
		w.deps.autos[dir] = auto
		w.deps.mu.Unlock()
	}
	for _, f := range append(files, auto...) {
		src, err := w.read(f)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				diags = append(diags, model.Diagnostic{File: DisplayPath(f), Message: "cannot be read: " + walkError(err)})
			}
			continue
		}
		diags = append(diags, readVarFile(f, src, out, origins)...)
	}
	for _, a := range opts.VarArgs {
		if a.File != "" {
			src, err := safeio.ReadFile(a.File)
			if err != nil {
				diags = append(diags, model.Diagnostic{File: DisplayPath(a.File), Message: "--var-file: " + walkError(err)})
				continue
			}
			diags = append(diags, readVarFile(a.File, src, out, origins)...)
			continue
		}
		out[a.Name], _ = parseVarValue(a.Value, a.Name)
		origins[a.Name] = hcl.Range{Filename: "--var " + a.Name}
	}
	return out, origins, diags
}

func isAutoVars(f string) bool {
	return strings.HasSuffix(f, ".auto.tfvars") || strings.HasSuffix(f, ".auto.tfvars.json")
}

// readVarFile reads a .tfvars (HCL) or .tfvars.json file into out.
func readVarFile(name string, src []byte, out map[string]cty.Value, origins map[string]hcl.Range) []model.Diagnostic {
	check := safeio.CheckHCL
	if strings.HasSuffix(name, ".json") {
		check = safeio.CheckJSON
	}
	var te *safeio.TextError
	if err := safeio.CheckText(src); errors.As(err, &te) {
		return []model.Diagnostic{{File: DisplayPath(name), Line: te.Line, Column: te.Column, Message: te.Msg}}
	}
	var de *safeio.DepthError
	if err := check(src); errors.As(err, &de) {
		return []model.Diagnostic{{File: DisplayPath(name), Line: de.Line, Message: de.Error()}}
	}
	p := hclparse.NewParser()
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(name, ".json") {
		f, diags = p.ParseJSON(src, DisplayPath(name))
	} else {
		f, diags = p.ParseHCL(src, DisplayPath(name))
	}
	if diags.HasErrors() {
		return convertDiags(diags)
	}
	attrs, diags := f.Body.JustAttributes()
	for k, a := range attrs {
		v, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			out[k] = v
			origins[k] = a.Expr.Range()
		}
	}
	return convertDiags(diags)
}

// autoVarFiles lists a directory's *.auto.tfvars and *.auto.tfvars.json,
// in order.
func (w *world) autoVarFiles(dir string) []string {
	var auto []string
	if w.files != nil {
		for _, f := range w.byDir[filepath.Clean(dir)] {
			if isAutoVars(f) {
				auto = append(auto, f)
			}
		}
	} else {
		auto = namesEnding(dir, ".auto.tfvars", ".auto.tfvars.json")
	}
	sort.Strings(auto)
	return auto
}
