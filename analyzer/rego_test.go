package analyzer

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/sgcheck/sgcheck/rules"
)

// TestRegoPolicies runs every _test.rego beside the built-in policies, so
// that `go test ./...` covers the Rego too.
func TestRegoPolicies(t *testing.T) {
	modules := map[string]*ast.Module{}
	tests := 0
	for _, p := range rules.BuiltIn(true) {
		m, err := parsePolicy(p.Name, p.Source)
		if err != nil {
			t.Fatal(err)
		}
		modules[p.Name] = m
		if strings.HasSuffix(p.Name, "_test.rego") {
			tests++
		}
	}
	if tests == 0 {
		t.Fatal("no Rego tests found")
	}
	ctx := context.Background()
	store := inmem.New()
	txn := storage.NewTransactionOrDie(ctx, store)
	defer store.Abort(ctx, txn)
	ch, err := tester.NewRunner().SetStore(store).SetModules(modules).RunTests(ctx, txn)
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for res := range ch {
		ran++
		if res.Error != nil {
			t.Errorf("%s.%s: %v", res.Package, res.Name, res.Error)
		} else if !res.Pass() {
			t.Errorf("%s.%s failed (%s)", res.Package, res.Name, res.Location)
		}
	}
	if ran == 0 {
		t.Fatal("the Rego runner ran no test")
	}
}

// Every built-in policy declares id, title and severity in METADATA, with
// distinct ids.
func TestPolicyMetadata(t *testing.T) {
	e, err := NewEngine(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, p := range e.Policies() {
		if ids[p.ID] {
			t.Errorf("duplicate id %s", p.ID)
		}
		ids[p.ID] = true
		if p.Description == "" || p.HelpURI == "" {
			t.Errorf("%s: description or related resource missing", p.ID)
		}
	}
	for _, id := range []string{"SGC003", "SGC005"} {
		if !ids[id] {
			t.Errorf("policy %s missing", id)
		}
	}
}

// A policy without METADATA, or one that calls a network builtin, is refused.
func TestUserPolicyChecks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := writeFile(dir+"/"+name, src); err != nil {
			t.Fatal(err)
		}
	}
	write("nometa.rego", "package sgcheck.rules.mine\nfindings contains 1 if false\n")
	if _, err := NewEngine(context.Background(), []string{dir}); err == nil || !strings.Contains(err.Error(), "METADATA") {
		t.Errorf("missing METADATA accepted: %v", err)
	}
	write("nometa.rego", `# METADATA
# title: net
# custom:
#   id: ORG001
#   severity: LOW
package sgcheck.rules.mine

findings contains f if {
	r := http.send({"method": "GET", "url": "http://example.invalid"})
	f := {"message": r.body}
}
`)
	if _, err := NewEngine(context.Background(), []string{dir}); err == nil {
		t.Error("a policy calling http.send was accepted")
	}
}
