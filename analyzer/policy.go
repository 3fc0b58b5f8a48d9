package analyzer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/sgcheck/sgcheck/rules"
)

// PolicyMeta is what a policy's METADATA says about it; reports use it for
// rule descriptions (one source of truth for docs and SARIF).
type PolicyMeta struct {
	ID          string
	Title       string
	Description string
	Severity    string
	HelpURI     string
	Package     string
}

// Engine holds prepared policies, ready to evaluate many inputs.
type Engine struct {
	query rego.PreparedEvalQuery
	meta  map[string]PolicyMeta // by package name (last path element)
}

// policyRoot is the package every policy lives under.
const policyRoot = "sgcheck.rules"

// disallowed builtins: policies get no network, environment, clock or
// randomness, so results depend on the inputs alone.
var disallowed = map[string]bool{
	"http.send": true, "net.lookup_ip_addr": true, "opa.runtime": true, "time.now_ns": true,
	"rand.intn": true, "uuid.rfc4122": true, "uuid.parse": false, "trace": true,
}

// NewEngine parses the built-in policies plus the .rego files in dirs.
func NewEngine(ctx context.Context, dirs []string) (*Engine, error) {
	var modules []*ast.Module
	for _, p := range rules.BuiltIn(false) {
		m, err := parsePolicy(p.Name, p.Source)
		if err != nil {
			return nil, err
		}
		modules = append(modules, m)
	}
	for _, dir := range dirs {
		ms, err := loadPolicyDir(dir)
		if err != nil {
			return nil, err
		}
		modules = append(modules, ms...)
	}
	e := &Engine{meta: map[string]PolicyMeta{}}
	opts := []func(*rego.Rego){rego.Query("data." + policyRoot), rego.Capabilities(capabilities())}
	for _, m := range modules {
		opts = append(opts, rego.ParsedModule(m))
		meta, ok, err := metaOf(m)
		if err != nil {
			return nil, err
		}
		if ok {
			if prev, dup := e.findID(meta.ID); dup {
				return nil, fmt.Errorf("%s: policy id %s is already used by package %s", m.Package.Location.File, meta.ID, prev)
			}
			e.meta[meta.Package] = meta
		}
	}
	q, err := rego.New(opts...).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	e.query = q
	return e, nil
}

func (e *Engine) findID(id string) (string, bool) {
	for pkg, m := range e.meta {
		if m.ID == id {
			return pkg, true
		}
	}
	return "", false
}

// Policies returns the metadata of every policy, sorted by id.
func (e *Engine) Policies() []PolicyMeta {
	out := make([]PolicyMeta, 0, len(e.meta))
	for _, m := range e.meta {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	var keep []*ast.Builtin
	for _, b := range c.Builtins {
		if !disallowed[b.Name] {
			keep = append(keep, b)
		}
	}
	c.Builtins = keep
	return c
}

func parsePolicy(name, src string) (*ast.Module, error) {
	return ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
}

func loadPolicyDir(dir string) ([]*ast.Module, error) {
	var out []*ast.Module
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".rego") || strings.HasSuffix(path, "_test.rego") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m, err := parsePolicy(filepath.ToSlash(path), string(src))
		if err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// metaOf reads the package METADATA of a policy module. Modules outside
// sgcheck.rules (helpers) have none.
func metaOf(m *ast.Module) (PolicyMeta, bool, error) {
	path := m.Package.Path.String()
	pkg := strings.TrimPrefix(path, "data.")
	if !strings.HasPrefix(pkg, policyRoot+".") {
		return PolicyMeta{}, false, nil
	}
	name := strings.TrimPrefix(pkg, policyRoot+".")
	file := m.Package.Location.File
	for _, a := range m.Annotations {
		if a.Scope != "package" {
			continue
		}
		meta := PolicyMeta{Title: a.Title, Description: a.Description, Package: name}
		meta.ID, _ = a.Custom["id"].(string)
		meta.Severity, _ = a.Custom["severity"].(string)
		meta.Severity = strings.ToUpper(meta.Severity)
		for _, r := range a.RelatedResources {
			if r.Ref.String() != "" {
				meta.HelpURI = r.Ref.String()
				break
			}
		}
		if meta.ID == "" || SeverityRank(meta.Severity) < 0 || meta.Title == "" {
			return meta, false, fmt.Errorf("%s: METADATA needs title, custom.id and custom.severity (INFO, LOW, MEDIUM, HIGH or CRITICAL)", file)
		}
		return meta, true, nil
	}
	return PolicyMeta{}, false, fmt.Errorf("%s: package %s has no package METADATA (title, custom.id, custom.severity)", file, pkg)
}

// rawFinding is what a policy emits.
type rawFinding struct {
	policy PolicyMeta
	obj    map[string]any
}

// Eval evaluates every policy over input.
func (e *Engine) Eval(ctx context.Context, input ast.Value) ([]rawFinding, error) {
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, fmt.Errorf("policy evaluation: %w", err)
	}
	var out []rawFinding
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, nil
	}
	pkgs, _ := rs[0].Expressions[0].Value.(map[string]any)
	names := make([]string, 0, len(pkgs))
	for name := range pkgs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		meta, ok := e.meta[name]
		if !ok {
			continue
		}
		doc, _ := pkgs[name].(map[string]any)
		list, _ := doc["findings"].([]any)
		for _, item := range list {
			obj, ok := item.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("policy %s: a finding must be an object, got %T", meta.ID, item)
			}
			out = append(out, rawFinding{policy: meta, obj: obj})
		}
	}
	return out, nil
}
