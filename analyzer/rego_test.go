package analyzer

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/sgcheck/sgcheck/rules"
	"github.com/sgcheck/sgcheck/tracking"
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
	e, _, err := NewEngine(context.Background(), nil)
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

// A broken user policy is a diagnostic with its file and line; the
// built-ins and the other user policies still run. Builtins that read the
// clock, network, environment or randomness, or that build unbounded
// values, are unavailable (one case per class).
func TestUserPolicyIsolation(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := writeFile(dir+"/"+name, src); err != nil {
			t.Fatal(err)
		}
	}
	policy := func(id, body string) string {
		return "# METADATA\n# title: " + id + "\n# custom:\n#   id: " + id + "\n#   severity: LOW\npackage sgcheck.rules." +
			strings.ToLower(id) + "\n\n" + body + "\n"
	}
	write("good.rego", policy("ORG001", `findings contains {"message": "always"} if true`))
	write("nometa.rego", "package sgcheck.rules.nometa\nfindings contains 1 if false\n")
	write("syntax.rego", "package sgcheck.rules.syntax\nfindings contains {\n")
	write("dup.rego", policy("ORG001", `findings contains {"message": "dup"} if true`))
	classes := map[string]string{
		"network": `findings contains {"message": r.body} if { r := http.send({"method": "GET", "url": "http://x.invalid"}) }`,
		"dns":     `findings contains {"message": "x"} if { net.lookup_ip_addr("example.com") }`,
		"env":     `findings contains {"message": "x"} if { opa.runtime().env.HOME }`,
		"clock":   `findings contains {"message": "x"} if { time.now_ns() > 0 }`,
		"jwt":     `findings contains {"message": "x"} if { io.jwt.decode_verify("a.b.c", {"secret": "s"}) }`,
		"x509":    `findings contains {"message": "x"} if { crypto.x509.parse_and_verify_certificates("x") }`,
		"random":  `findings contains {"message": "x"} if { rand.intn("a", 10) > 0 }`,
		"uuid":    `findings contains {"message": "x"} if { uuid.rfc4122("a") }`,
		"expand":  `findings contains {"message": "x"} if { count(net.cidr_expand("0.0.0.0/0")) > 0 }`,
	}
	i := 2
	for name, body := range classes {
		write(name+".rego", policy(fmt.Sprintf("ORG%03d", i), body))
		i++
	}
	e, diags, err := NewEngine(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, d := range diags {
		if d.File == "" {
			t.Errorf("diagnostic without a file: %s", d)
		}
		files[filepath.Base(d.File)] = true
	}
	if !files["dup.rego"] && !files["good.rego"] {
		t.Errorf("no diagnostic for the duplicate id: %v", diags)
	}
	for _, want := range []string{"nometa.rego", "syntax.rego"} {
		if !files[want] {
			t.Errorf("no diagnostic for %s: %v", want, diags)
		}
	}
	for name := range classes {
		if !files[name+".rego"] {
			t.Errorf("the %s builtin was accepted: %v", name, diags)
		}
	}
	ids := map[string]bool{}
	for _, p := range e.Policies() {
		ids[p.ID] = true
	}
	plain, _, _ := NewEngine(context.Background(), nil)
	if !ids["ORG001"] || !ids["SGC003"] || len(ids) != len(plain.Policies())+1 {
		t.Errorf("policies left: %v", ids)
	}
}

// A user policy that fails at evaluation, or runs past its time limit, is a
// diagnostic; the built-in findings are still reported.
func TestUserPolicyRuntimeFailures(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := writeFile(dir+"/"+name, src); err != nil {
			t.Fatal(err)
		}
	}
	write("notobj.rego", "# METADATA\n# title: n\n# custom:\n#   id: ORG010\n#   severity: LOW\npackage sgcheck.rules.notobj\n\nfindings contains 1 if true\n")
	write("slow.rego", "# METADATA\n# title: s\n# custom:\n#   id: ORG011\n#   severity: LOW\npackage sgcheck.rules.slow\n\n"+
		"findings contains {\"message\": \"x\"} if {\n\tsome a in numbers.range(1, 3000)\n\tsome b in numbers.range(1, 3000)\n\tsome c in numbers.range(1, 3000)\n\ta + b + c < 0\n}\n")
	e, diags, err := NewEngine(context.Background(), []string{dir})
	if err != nil || len(diags) != 0 {
		t.Fatalf("%v %v", err, diags)
	}
	e.SetPolicyTimeout(200 * time.Millisecond)
	snap := pingSnapshot()
	res, err := e.Analyze(context.Background(), snap, nil, Options{Params: tracking.DefaultParams})
	if err != nil {
		t.Fatal(err)
	}
	msgs := ""
	for _, d := range res.PolicyErrors {
		msgs += d.String() + "\n"
	}
	if !strings.Contains(msgs, "ORG010: a finding must be an object") || !strings.Contains(msgs, "ORG011: evaluation ran past") {
		t.Errorf("policy errors:\n%s", msgs)
	}
	found := false
	for _, f := range res.Findings {
		found = found || f.ID == "SGC003"
	}
	if !found {
		t.Errorf("built-in findings lost: %v", res.Findings)
	}
}
