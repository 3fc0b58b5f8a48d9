package analyzer

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// The built-ins are evaluated in one query; when it fails, the error
// names the policy that fails, as evaluating them one by one would.
func TestBatchErrorNamesThePolicy(t *testing.T) {
	modules := map[string]string{
		"ok.rego": `package sgcheck.rules.ok
findings contains {"message": "fine"} if true
`,
		"bad.rego": `package sgcheck.rules.bad
default v := 0
v := 1 if input.x == 1
v := 2 if input.x == 1
findings contains {"message": sprintf("%d", [v])} if true
`,
	}
	parsed := map[string]*ast.Module{}
	for name, src := range modules {
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		parsed[name] = m
	}
	c := ast.NewCompiler()
	if c.Compile(parsed); c.Failed() {
		t.Fatal(c.Errors)
	}
	e := &Engine{compiler: c}
	for _, pkg := range []string{"bad", "ok"} {
		q, err := rego.New(rego.Query("data.sgcheck.rules."+pkg+".findings"), rego.Compiler(c)).PrepareForEval(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		e.queries = append(e.queries, policyQuery{meta: PolicyMeta{ID: "ID-" + pkg, Package: pkg}, query: q, perAttachment: true})
	}
	b, err := e.batch(context.Background(), []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	good, err := b.eval(context.Background(), e.queries, ast.MustParseTerm(`{"x": 2}`).Value)
	if err != nil || len(good[0]) != 1 || len(good[1]) != 1 {
		t.Fatalf("on good input: %v, %v", good, err)
	}
	_, err = b.eval(context.Background(), e.queries, ast.MustParseTerm(`{"x": 1}`).Value)
	if err == nil || !strings.Contains(err.Error(), "policy ID-bad") {
		t.Fatalf("error %v, want one naming policy ID-bad", err)
	}
}
