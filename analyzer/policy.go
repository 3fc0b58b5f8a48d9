package analyzer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

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
	queries []policyQuery         // one per policy, in id order
	meta    map[string]PolicyMeta // by package name (last path element)
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
	byName := map[string]*ast.Module{}
	builtin := map[string]bool{}
	for i, m := range modules {
		if i < len(rules.BuiltIn(false)) {
			builtin[strings.TrimPrefix(m.Package.Path.String(), "data."+policyRoot+".")] = true
		}
		byName[fmt.Sprintf("%03d:%s", i, m.Package.Location.File)] = m
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
	// Compile once; each policy gets its own prepared query on the shared
	// compiler so that policies can be evaluated in parallel.
	compiler := ast.NewCompiler().WithCapabilities(capabilities())
	if compiler.Compile(byName); compiler.Failed() {
		return nil, fmt.Errorf("policies: %w", compiler.Errors)
	}
	for _, meta := range e.Policies() {
		q, err := rego.New(rego.Query("data."+policyRoot+"."+meta.Package+".findings"), rego.Compiler(compiler)).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", meta.ID, err)
		}
		e.queries = append(e.queries, policyQuery{meta: meta, query: q, perAttachment: builtin[meta.Package]})
	}
	return e, nil
}

type policyQuery struct {
	meta  PolicyMeta
	query rego.PreparedEvalQuery
	// perAttachment policies (the built-ins) look at one attachment at a
	// time, so they are evaluated on parts of the input in parallel; user
	// policies always see the whole input.
	perAttachment bool
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

// Eval evaluates every policy over input, in parallel (policies, and parts
// of the input for per-attachment policies); the result is in policy id and
// attachment order whatever the scheduling.
func (e *Engine) Eval(ctx context.Context, input *policyInput) ([]rawFinding, error) {
	type task struct {
		query int
		input ast.Value
	}
	var tasks []task
	for i, pq := range e.queries {
		if pq.perAttachment {
			for _, part := range input.parts {
				tasks = append(tasks, task{i, part})
			}
		} else {
			tasks = append(tasks, task{i, input.full})
		}
	}
	results := make([][]rawFinding, len(tasks))
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, t := range tasks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i], errs[i] = evalPolicy(ctx, e.queries[t.query], t.input)
		}()
	}
	wg.Wait()
	var out []rawFinding
	for i := range results {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, results[i]...)
	}
	return out, nil
}

func evalPolicy(ctx context.Context, pq policyQuery, input ast.Value) ([]rawFinding, error) {
	rs, err := pq.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", pq.meta.ID, err)
	}
	var out []rawFinding
	for _, r := range rs {
		for _, ex := range r.Expressions {
			list, _ := ex.Value.([]any)
			for _, item := range list {
				obj, ok := item.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("policy %s: a finding must be an object, got %T", pq.meta.ID, item)
				}
				out = append(out, rawFinding{policy: pq.meta, obj: obj})
			}
		}
	}
	return out, nil
}
