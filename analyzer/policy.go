package analyzer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/sgcheck/sgcheck/internal/parallel"
	"github.com/sgcheck/sgcheck/internal/safeio"
	"github.com/sgcheck/sgcheck/model"
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
	File        string // where the policy is declared
	// Peers lists equivalent checks of other scanners (custom.peers).
	Peers []string
	// Off marks a check that runs only when the configuration enables it
	// (custom.enabled: false).
	Off bool
}

// Engine holds prepared policies, ready to evaluate many inputs.
type Engine struct {
	queries []policyQuery // one per policy, in id order
	// compiler holds every policy; batches are the queries that evaluate
	// several built-ins in one pass, by the policies they hold.
	compiler *ast.Compiler
	batches  sync.Map              // string → *batchQuery
	meta     map[string]PolicyMeta // by package name (last path element)
	user     map[string]bool       // packages of user policies
	timeout  time.Duration         // per user policy evaluation
}

// policyRoot is the package every policy lives under.
const policyRoot = "sgcheck.rules"

// disallowed builtins: policies get no network, environment, clock or
// randomness, so results depend on the inputs alone, and none that builds a
// value of unbounded size from a small argument.
var disallowed = map[string]string{
	"http.send":            "network",
	"net.lookup_ip_addr":   "network",
	"opa.runtime":          "environment",
	"time.now_ns":          "clock",
	"io.jwt.decode_verify": "clock (token expiry)",
	"crypto.x509.parse_and_verify_certificates":              "clock (certificate validity)",
	"crypto.x509.parse_and_verify_certificates_with_options": "clock (certificate validity)",
	"io.jwt.encode_sign":                                     "randomness (signatures)",
	"io.jwt.encode_sign_raw":                                 "randomness (signatures)",
	"rand.intn":                                              "randomness",
	"uuid.rfc4122":                                           "randomness",
	"net.cidr_expand":                                        "unbounded output (every address of a CIDR)",
	"trace":                                                  "output outside the report",
}

// DefaultPolicyTimeout bounds the evaluation of each user policy.
const DefaultPolicyTimeout = 30 * time.Second

// NewEngine parses the built-in policies plus the .rego files in dirs. A
// user policy that cannot be read, parsed, compiled or described is an
// input diagnostic with its file and line and is left out; the built-ins
// and the other policies still run. err is for the built-ins only.
func NewEngine(ctx context.Context, dirs []string) (*Engine, []model.Diagnostic, error) {
	var builtins []*ast.Module
	for _, p := range rules.BuiltIn(false) {
		m, err := parsePolicy(p.Name, p.Source)
		if err != nil {
			return nil, nil, err
		}
		builtins = append(builtins, m)
	}
	var user []*ast.Module
	var diags []model.Diagnostic
	for _, dir := range dirs {
		ms, ds := loadPolicyDir(dir)
		user, diags = append(user, ms...), append(diags, ds...)
	}
	e := &Engine{meta: map[string]PolicyMeta{}, timeout: DefaultPolicyTimeout, user: map[string]bool{}}
	for _, m := range builtins {
		meta, ok, err := metaOf(m)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			e.meta[meta.Package] = meta
		}
	}
	var kept []*ast.Module
	for _, m := range user {
		meta, ok, err := metaOf(m)
		switch {
		case err != nil:
			diags = append(diags, policyDiag(m.Package.Location, strings.TrimPrefix(err.Error(), m.Package.Location.File+": ")))
			continue
		case ok:
			if prev, dup := e.findID(meta.ID); dup {
				diags = append(diags, policyDiag(m.Package.Location,
					fmt.Sprintf("policy id %s is already used by package %s; this policy is not evaluated", meta.ID, prev)))
				continue
			}
			if _, dup := e.meta[meta.Package]; dup {
				diags = append(diags, policyDiag(m.Package.Location,
					fmt.Sprintf("package %s is already a policy; this one is not evaluated", meta.Package)))
				continue
			}
			e.meta[meta.Package] = meta
			e.user[meta.Package] = true
		}
		kept = append(kept, m)
	}
	// Compile once; each policy gets its own prepared query on the shared
	// compiler so that policies can be evaluated in parallel. A user module
	// that does not compile is left out (and what depended on it with it).
	var compiler *ast.Compiler
	for {
		byName := map[string]*ast.Module{}
		for i, m := range append(append([]*ast.Module(nil), builtins...), kept...) {
			byName[fmt.Sprintf("%03d:%s", i, m.Package.Location.File)] = m
		}
		compiler = ast.NewCompiler().WithCapabilities(capabilities())
		if compiler.Compile(byName); !compiler.Failed() {
			break
		}
		bad := map[string]bool{}
		for _, ce := range compiler.Errors {
			if ce.Location == nil || isBuiltinFile(ce.Location.File) {
				return nil, nil, fmt.Errorf("policies: %w", compiler.Errors)
			}
			bad[ce.Location.File] = true
			diags = append(diags, policyDiag(ce.Location, ce.Message))
		}
		var next []*ast.Module
		for _, m := range kept {
			if bad[m.Package.Location.File] {
				if meta, ok, _ := metaOf(m); ok {
					delete(e.meta, meta.Package)
				}
				continue
			}
			next = append(next, m)
		}
		if len(next) == len(kept) {
			return nil, nil, fmt.Errorf("policies: %w", compiler.Errors)
		}
		kept = next
	}
	e.compiler = compiler
	for _, meta := range e.Policies() {
		q, err := rego.New(rego.Query("data."+policyRoot+"."+meta.Package+".findings"), rego.Compiler(compiler)).PrepareForEval(ctx)
		if err != nil {
			if e.user[meta.Package] {
				diags = append(diags, model.Diagnostic{Message: fmt.Sprintf("policy %s: %v", meta.ID, err)})
				delete(e.meta, meta.Package)
				continue
			}
			return nil, nil, fmt.Errorf("policy %s: %w", meta.ID, err)
		}
		e.queries = append(e.queries, policyQuery{meta: meta, query: q, perAttachment: !e.user[meta.Package]})
	}
	sortDiags(diags)
	return e, diags, nil
}

// SetPolicyTimeout bounds the evaluation of each user policy.
func (e *Engine) SetPolicyTimeout(d time.Duration) { e.timeout = d }

func isBuiltinFile(file string) bool {
	for _, p := range rules.BuiltIn(false) {
		if p.Name == file {
			return true
		}
	}
	return false
}

func policyDiag(loc *ast.Location, msg string) model.Diagnostic {
	d := model.Diagnostic{Message: "policy: " + msg}
	if loc != nil {
		d.File, d.Line, d.Column = loc.File, loc.Row, loc.Col
	}
	return d
}

func sortDiags(d []model.Diagnostic) {
	sort.SliceStable(d, func(i, j int) bool {
		if d[i].File != d[j].File {
			return d[i].File < d[j].File
		}
		return d[i].Line < d[j].Line
	})
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
		if _, no := disallowed[b.Name]; !no {
			keep = append(keep, b)
		}
	}
	c.Builtins = keep
	return c
}

func parsePolicy(name, src string) (*ast.Module, error) {
	return ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
}

// loadPolicyDir parses the policies under dir (not _test.rego files); a file
// that cannot be read or parsed is a diagnostic, and the others are kept.
func loadPolicyDir(dir string) ([]*ast.Module, []model.Diagnostic) {
	var out []*ast.Module
	var diags []model.Diagnostic
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		msg := "--policy needs a folder of .rego files"
		if err != nil {
			msg = "--policy: " + pathless(err)
		}
		return nil, []model.Diagnostic{{File: filepath.ToSlash(dir), Message: msg}}
	}
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		name := filepath.ToSlash(path)
		if err != nil {
			diags = append(diags, model.Diagnostic{File: name, Message: "cannot be read: " + pathless(err)})
			if d != nil && d.IsDir() && path != dir {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !strings.HasSuffix(path, ".rego") || strings.HasSuffix(path, "_test.rego") {
			return nil
		}
		src, err := safeio.ReadFile(path)
		if err != nil {
			diags = append(diags, model.Diagnostic{File: name, Message: "cannot be read: " + pathless(err)})
			return nil
		}
		m, err := parsePolicy(name, string(src))
		if err != nil {
			var errs ast.Errors
			if errors.As(err, &errs) {
				for _, pe := range errs {
					diags = append(diags, policyDiag(pe.Location, pe.Message))
				}
			} else {
				diags = append(diags, model.Diagnostic{File: name, Message: "policy: " + err.Error()})
			}
			return nil
		}
		out = append(out, m)
		return nil
	})
	return out, diags
}

func pathless(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
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
		meta := PolicyMeta{Title: a.Title, Description: a.Description, Package: name, File: file}
		meta.ID, _ = a.Custom["id"].(string)
		meta.Severity, _ = a.Custom["severity"].(string)
		meta.Severity = strings.ToUpper(meta.Severity)
		if on, ok := a.Custom["enabled"].(bool); ok && !on {
			meta.Off = true
		}
		if ps, ok := a.Custom["peers"].([]any); ok {
			for _, p := range ps {
				if s, ok := p.(string); ok {
					meta.Peers = append(meta.Peers, s)
				}
			}
		}
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
// attachment order whatever the scheduling. A user policy that fails or
// runs out of time is a diagnostic and its findings are left out; a
// built-in that fails is an error. Checks that are off unless enabled are
// evaluated only when enable names them.
func (e *Engine) Eval(ctx context.Context, input *policyInput, enable map[string]bool) ([]rawFinding, []model.Diagnostic, error) {
	return e.evalSome(ctx, input, enable, func(policyQuery) bool { return true })
}

// evalSome is Eval restricted to the policies for which which is true.
func (e *Engine) evalSome(ctx context.Context, input *policyInput, enable map[string]bool, which func(policyQuery) bool) ([]rawFinding, []model.Diagnostic, error) {
	// The built-ins are evaluated together, one evaluation per part of the
	// input: what their helpers compute (the open rules, say) is then
	// computed once per part, not once per policy. User policies are
	// evaluated one by one, each with its time limit.
	var builtins, users []int
	for i, pq := range e.queries {
		switch {
		case pq.meta.Off && !enable[pq.meta.ID], !which(pq):
			// off unless enabled: not evaluated at all
		case pq.perAttachment:
			builtins = append(builtins, i)
		default:
			users = append(users, i)
		}
	}
	var batch *batchQuery
	if len(builtins) > 0 {
		var err error
		if batch, err = e.batch(ctx, builtins); err != nil {
			return nil, nil, err
		}
	}
	type task struct {
		query int // a user policy, or -1 for the built-ins' batch
		input ast.Value
	}
	var tasks []task
	if batch != nil {
		for _, part := range input.parts {
			tasks = append(tasks, task{-1, part})
		}
	}
	for _, i := range users {
		tasks = append(tasks, task{i, input.full})
	}
	results := make([][][]rawFinding, len(tasks)) // per task, per policy
	errs := make([]error, len(tasks))
	parallel.Each(len(tasks), func(i int) {
		t := tasks[i]
		if t.query < 0 {
			results[i], errs[i] = batch.eval(ctx, e.queries, t.input)
			return
		}
		pq := e.queries[t.query]
		qctx := ctx
		if e.timeout > 0 {
			var cancel context.CancelFunc
			qctx, cancel = context.WithTimeout(ctx, e.timeout)
			defer cancel()
		}
		var one []rawFinding
		one, errs[i] = evalPolicy(qctx, pq, t.input)
		results[i] = [][]rawFinding{one}
		if errs[i] != nil && qctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			errs[i] = fmt.Errorf("policy %s: evaluation ran past the %s limit (--policy-timeout); its findings are not reported", pq.meta.ID, e.timeout)
		}
	})
	// in policy id order, and within a policy in the order of the parts
	perPolicy := make([][]rawFinding, len(e.queries))
	var diags []model.Diagnostic
	for i, t := range tasks {
		if errs[i] != nil {
			if t.query < 0 {
				return nil, nil, errs[i]
			}
			diags = append(diags, model.Diagnostic{File: e.queries[t.query].meta.File, Message: errs[i].Error()})
			continue
		}
		if t.query < 0 {
			for k, q := range builtins {
				perPolicy[q] = append(perPolicy[q], results[i][k]...)
			}
		} else {
			perPolicy[t.query] = append(perPolicy[t.query], results[i][0]...)
		}
	}
	var out []rawFinding
	for _, fs := range perPolicy {
		out = append(out, fs...)
	}
	return out, diags, nil
}

// batchQuery evaluates several built-in policies in one query: one
// expression per policy, in the order of members (indexes of queries).
type batchQuery struct {
	members []int
	query   rego.PreparedEvalQuery
}

// batch returns the prepared query that evaluates the policies members.
func (e *Engine) batch(ctx context.Context, members []int) (*batchQuery, error) {
	var key strings.Builder
	var refs []string
	for _, i := range members {
		fmt.Fprintf(&key, "%d,", i)
		refs = append(refs, "data."+policyRoot+"."+e.queries[i].meta.Package+".findings")
	}
	if b, ok := e.batches.Load(key.String()); ok {
		return b.(*batchQuery), nil
	}
	q, err := rego.New(rego.Query(strings.Join(refs, "; ")), rego.Compiler(e.compiler)).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	b, _ := e.batches.LoadOrStore(key.String(), &batchQuery{members: members, query: q})
	return b.(*batchQuery), nil
}

// eval evaluates the batch on one input; the result holds each member's
// findings.
func (b *batchQuery) eval(ctx context.Context, queries []policyQuery, input ast.Value) ([][]rawFinding, error) {
	rs, err := b.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		// say which policy fails: evaluate them one by one
		for _, i := range b.members {
			if _, perr := evalPolicy(ctx, queries[i], input); perr != nil {
				return nil, perr
			}
		}
		return nil, fmt.Errorf("policies: %w", err)
	}
	out := make([][]rawFinding, len(b.members))
	for _, r := range rs {
		if len(r.Expressions) != len(b.members) {
			return nil, fmt.Errorf("policies: %d results for %d policies", len(r.Expressions), len(b.members))
		}
		for k, ex := range r.Expressions {
			fs, err := findingsOf(queries[b.members[k]].meta, ex.Value)
			if err != nil {
				return nil, err
			}
			out[k] = append(out[k], fs...)
		}
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
			fs, err := findingsOf(pq.meta, ex.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, fs...)
		}
	}
	return out, nil
}

// findingsOf checks and collects what a policy's findings evaluated to.
func findingsOf(meta PolicyMeta, v any) ([]rawFinding, error) {
	var out []rawFinding
	list, _ := v.([]any)
	for _, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("policy %s: a finding must be an object, got %T", meta.ID, item)
		}
		if msg, _ := obj["message"].(string); msg == "" {
			return nil, fmt.Errorf("policy %s: a finding without a message", meta.ID)
		}
		out = append(out, rawFinding{policy: meta, obj: obj})
	}
	return out, nil
}
