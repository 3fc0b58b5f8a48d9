package terraform

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// terraformFunctions is Terraform's documented list of built-in functions
// (developer.hashicorp.com/terraform/language/functions, v1.14), the
// reference for the table.
var terraformFunctions = strings.Fields(`
abs ceil floor log max min parseint pow signum
chomp endswith format formatlist indent join lower regex regexall replace split startswith strcontains
strrev substr templatestring title trim trimprefix trimsuffix trimspace upper
alltrue anytrue chunklist coalesce coalescelist compact concat contains distinct element flatten index
keys length list lookup map matchkeys merge one range reverse setintersection setproduct setsubtract
setunion slice sort sum transpose values zipmap
base64decode base64encode base64gzip csvdecode jsondecode jsonencode textdecodebase64 textencodebase64
urldecode urlencode yamldecode yamlencode
abspath dirname pathexpand basename file fileexists fileset filebase64 templatefile
formatdate plantimestamp timeadd timecmp timestamp
base64sha256 base64sha512 bcrypt filebase64sha256 filebase64sha512 filemd5 filesha1 filesha256
filesha512 md5 rsadecrypt sha1 sha256 sha512 uuid uuidv5
cidrhost cidrnetmask cidrsubnet cidrsubnets
can ephemeralasnull issensitive nonsensitive sensitive tobool tolist tomap tonumber toset tostring try type
`)

var fileFunctionNames = map[string]bool{"file": true, "fileexists": true, "fileset": true, "filebase64": true,
	"templatefile": true, "filebase64sha256": true, "filebase64sha512": true, "filemd5": true, "filesha1": true,
	"filesha256": true, "filesha512": true}

// Every Terraform built-in is either evaluated or deliberately absent, and
// every absent one is named, with its reason, in docs/limitations.md.
func TestFunctionTableCoversTerraform(t *testing.T) {
	limitations, err := os.ReadFile("../../docs/limitations.md")
	if err != nil {
		t.Fatal(err)
	}
	e := &evaluator{world: &world{}, mod: &module{}}
	table := e.funcs()
	for _, name := range terraformFunctions {
		if _, ok := table[name]; !ok {
			t.Errorf("%s: not in the function table", name)
		}
		if why, absent := absentFunctions[name]; absent {
			if !strings.Contains(string(limitations), "`"+name+"`") {
				t.Errorf("%s is deliberately absent (%s) but docs/limitations.md does not name it", name, why)
			}
		} else if _, pure := functions[name]; !pure && !fileFunctionNames[name] {
			t.Errorf("%s is neither pure, a file function nor listed as absent", name)
		}
	}
}

func evalExpr(t *testing.T, src string) cty.Value {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "test", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s: %v", src, diags)
	}
	v, diags := expr.Value(&hcl.EvalContext{Functions: functions})
	if diags.HasErrors() {
		t.Fatalf("%s: %v", src, diags)
	}
	return v
}

// The functions written here, to Terraform's documented behaviour.
func TestFunctionBehaviour(t *testing.T) {
	for src, want := range map[string]cty.Value{
		`index(["a", "b", "c"], "b")`:                             cty.NumberIntVal(1),
		`one(["x"])`:                                              cty.StringVal("x"),
		`one([]) == null`:                                         cty.True,
		`alltrue([true, true])`:                                   cty.True,
		`alltrue([])`:                                             cty.True,
		`anytrue([false, true])`:                                  cty.True,
		`anytrue([])`:                                             cty.False,
		`startswith("sg-123", "sg-")`:                             cty.True,
		`endswith("web.tf", ".tf")`:                               cty.True,
		`strcontains("0.0.0.0/0", "/0")`:                          cty.True,
		`sum([1, 2, 3.5])`:                                        cty.NumberFloatVal(6.5),
		`length("héllo")`:                                         cty.NumberIntVal(5),
		`length([1, 2])`:                                          cty.NumberIntVal(2),
		`replace("a-b-c", "-", "+")`:                              cty.StringVal("a+b+c"),
		`replace("port 22", "/[0-9]+/", "N")`:                     cty.StringVal("port N"),
		`coalesce("", "b")`:                                       cty.StringVal("b"),
		`transpose({a = ["1", "2"], b = ["2"]})["2"][1]`:          cty.StringVal("b"),
		`matchkeys(["i-1", "i-2"], ["a", "b"], ["b"])[0]`:         cty.StringVal("i-2"),
		`timecmp("2026-01-01T00:00:00Z", "2025-01-01T00:00:00Z")`: cty.NumberIntVal(1),
		`base64sha256("hello")`:                                   cty.StringVal("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="),
		`textdecodebase64(textencodebase64("ü", "UTF-16LE"), "UTF-16LE")`: cty.StringVal("ü"),
		`urldecode("a%20b")`:              cty.StringVal("a b"),
		`yamldecode("a: 1")["a"]`:         cty.NumberIntVal(1),
		`tobool("true")`:                  cty.True,
		`sensitive("x")`:                  cty.StringVal("x"),
		`cidrsubnet("10.0.0.0/16", 8, 2)`: cty.StringVal("10.0.2.0/24"),
		`cidrnetmask("10.0.0.0/16")`:      cty.StringVal("255.255.0.0"),
		// cidrnetmask is IPv4 only, as in Terraform: can() keeps IPv4
		// addresses out of a mixed list (jenkins-infra/aws does this)
		`[for ip in ["46.101.121.132", "2a03:b0c0:3:d0::9bc:d001"] : ip if can(cidrnetmask("${ip}/32"))]`: cty.TupleVal([]cty.Value{cty.StringVal("46.101.121.132")}),
		// Terraform's length counts an object's attributes (merge of objects
		// gives an object) and a tuple's elements
		`length(merge({a = 1}, {b = "x"}))`: cty.NumberIntVal(2),
		`length([1, "a", true])`:            cty.NumberIntVal(3),
		`length(toset(["a", "b"]))`:         cty.NumberIntVal(2),
		// lookup's default is optional (deprecated since Terraform 0.7)
		`lookup({a = "x"}, "a")`:        cty.StringVal("x"),
		`lookup(tomap({a = "x"}), "a")`: cty.StringVal("x"),
		`lookup({a = "x"}, "b", "d")`:   cty.StringVal("d"),
	} {
		got := evalExpr(t, src)
		if !got.RawEquals(want) && !(got.Type() == cty.Number && want.Type() == cty.Number && got.Equals(want).True()) {
			t.Errorf("%s = %#v, want %#v", src, got, want)
		}
	}
	// lookup without a default of a key that is not there fails, as index does
	for _, src := range []string{`lookup({a = "x"}, "b")`, `lookup(tomap({a = "x"}), "b")`, `lookup({a = 1}, "a", 2, 3)`} {
		expr, _ := hclsyntax.ParseExpression([]byte(src), "t", hcl.InitialPos)
		if v, diags := expr.Value(&hcl.EvalContext{Functions: functions}); !diags.HasErrors() {
			t.Errorf("%s = %#v, want an error", src, v)
		}
	}
	// length of an unknown value of unknown type is unknown, not an error
	expr, _ := hclsyntax.ParseExpression([]byte(`length(x)`), "t", hcl.InitialPos)
	if v, diags := expr.Value(&hcl.EvalContext{Functions: functions, Variables: map[string]cty.Value{"x": cty.DynamicVal}}); diags.HasErrors() || v.IsKnown() {
		t.Errorf("length(unknown) = %#v, %v", v, diags)
	}
	// an absent function gives an unknown value, never a guess
	if v := evalExpr(t, `timestamp()`); v.IsKnown() {
		t.Errorf("timestamp() = %#v, want unknown", v)
	}
}

// Terraform 1.8 names every built-in also as core::NAME, and lets a
// provider define functions (provider::NAME::FUNCTION). Both are valid
// configuration: a core:: call is evaluated as the built-in, a provider
// function (in a root or in a module it calls) leaves its value unknown and
// names itself, never an input error.
func TestNamespacedFunctions(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"main.tf": `
locals {
  parsed = provider::aws::arn_parse("arn:aws:iam::444455556666:role/example")
}
resource "aws_security_group" "a" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = core::concat(["203.0.113.0/24"], [])
  }
  ingress {
    protocol    = "tcp"
    from_port   = 3389
    to_port     = 3389
    cidr_blocks = [provider::corp::office_cidr("hq")]
  }
}
module "m" {
  source = "./mod"
}
`,
		"mod/main.tf": `
resource "aws_security_group" "b" {
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [provider::corp::vpn_cidr()]
  }
}
`})
	for _, d := range diags {
		if !d.Warning {
			t.Errorf("input error: %s", d)
		}
	}
	var got []string
	for _, r := range snap.Rules {
		got = append(got, fmt.Sprintf("%s %d %s %s", r.Name, r.FromPort, r.Peer, strings.Join(r.Unknown, "; ")))
	}
	sort.Strings(got)
	want := []string{
		"aws_security_group.a.ingress[0] 22 203.0.113.0/24 ",
		"aws_security_group.a.ingress[1] 3389 unknown cidr_blocks uses provider::corp::office_cidr(), which sgcheck does not evaluate: it is a provider-defined function, which only the provider can run",
		"module.m.aws_security_group.b.ingress[0] 443 unknown cidr_blocks uses provider::corp::vpn_cidr(), which sgcheck does not evaluate: it is a provider-defined function, which only the provider can run",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A document rendered and decoded once per key of a loop (the usual
// { for k in keys(jsondecode(templatefile(F, v))) : k =>
// jsondecode(templatefile(F, v))[k] }) is rendered and decoded once: the
// kept results are the ones a fresh call gives, a call with other vars
// renders again, and an invalid document is still an input error.
func TestRenderedDocumentsKept(t *testing.T) {
	pad := strings.Repeat("x", 300)
	snap, diags := loadSrc(t, map[string]string{
		"rules.json.tpl": `{"web": {"port": 443, "cidr": "${office}"}, "ssh": {"port": 22, "cidr": "${office}"}, "pad": "` + pad + `"}`,
		"main.tf": `locals {
  doc   = "${path.module}/rules.json.tpl"
  rules = { for k in keys(jsondecode(templatefile(local.doc, { office = "198.51.100.0/24" }))) : k => jsondecode(templatefile(local.doc, { office = "198.51.100.0/24" }))[k] if k != "pad" }
  other = jsondecode(templatefile(local.doc, { office = "203.0.113.0/24" }))
  again = jsondecode(templatefile(local.doc, { office = "198.51.100.0/24" }))
  bad   = jsondecode(format("{%s", join("", [for i in range(40) : "\"key${i}\": 1,"])))
}
resource "aws_security_group" "a" {
  dynamic "ingress" {
    for_each = local.rules
    content {
      protocol    = "tcp"
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      cidr_blocks = [ingress.value.cidr]
    }
  }
}
resource "aws_security_group" "b" {
  ingress {
    protocol    = "tcp"
    from_port   = local.other.ssh.port
    to_port     = local.other.ssh.port
    cidr_blocks = [local.other.ssh.cidr, local.again.web.cidr]
  }
}`,
	})
	errs := inputErrors(diags)
	if len(errs) != 1 || !strings.Contains(errs[0], "main.tf:6") {
		t.Errorf("want local.bad's invalid document as the only input error, got %q", errs)
	}
	var got []string
	for _, r := range snap.Rules {
		got = append(got, fmt.Sprintf("%s %d %s", r.Group, r.FromPort, r.Peer))
	}
	sort.Strings(got)
	wantLines(t, "rules", got, []string{"aws_security_group.a 22 198.51.100.0/24", "aws_security_group.a 443 198.51.100.0/24",
		"aws_security_group.b 22 198.51.100.0/24", "aws_security_group.b 22 203.0.113.0/24"})
}

// The memo keeps long documents only, and a template's last rendering is
// used only for equal vars.
func TestMemoKeepsWhatItShould(t *testing.T) {
	var m jsonMemo
	long := `{"pad": "` + strings.Repeat("y", memoMinBytes) + `"}`
	f := m.function()
	for i := 0; i < 3; i++ {
		if _, err := f.Call([]cty.Value{cty.StringVal(long)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Call([]cty.Value{cty.StringVal(`{"a": 1}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if len(m.vals) != 1 || m.bytes != len(long) {
		t.Errorf("want the long document kept once, got %d documents, %d bytes", len(m.vals), m.bytes)
	}
	if _, err := f.Call([]cty.Value{cty.StringVal(long[:len(long)-1])}); err == nil {
		t.Error("an invalid document decoded without an error")
	}

	var ts templates
	src := []byte(`${x}-${x}`)
	render := func(x string) string {
		v, err := ts.render(src, "t.tpl", cty.ObjectVal(map[string]cty.Value{"x": cty.StringVal(x)}), functions)
		if err != nil {
			t.Fatal(err)
		}
		return v.AsString()
	}
	if a, b, c := render("a"), render("b"), render("a"); a != "a-a" || b != "b-b" || c != "a-a" {
		t.Errorf("renderings %q %q %q", a, b, c)
	}
	kept := ts.by["t.tpl"]
	if kept == nil || !kept.vars.RawEquals(cty.ObjectVal(map[string]cty.Value{"x": cty.StringVal("a")})) || kept.out.AsString() != "a-a" {
		t.Errorf("want the last rendering kept, got %+v", kept)
	}
}

// Roots of one load that read the same JSON document and template file
// decode and parse them once between them, and each gets its own values.
func TestMemoSharedByRoots(t *testing.T) {
	doc := `{"ports": [22, 443], "pad": "` + strings.Repeat("y", memoMinBytes) + `"}`
	root := func(cidr string) string {
		return `locals {
  rules = jsondecode(file("${path.module}/../shared/rules.json"))
  desc  = templatefile("${path.module}/../shared/desc.tpl", { cidr = "` + cidr + `" })
}
resource "aws_security_group" "g" {
  description = local.desc
  dynamic "ingress" {
    for_each = local.rules.ports
    content {
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["` + cidr + `"]
    }
  }
}
`
	}
	dir := writeFiles(t, map[string]string{
		"shared/rules.json": doc,
		"shared/desc.tpl":   "open to ${cidr}",
		"a/main.tf":         root("198.51.100.0/24"),
		"b/main.tf":         root("203.0.113.0/24"),
	})
	decodes, parses := jsonDecodes.Load(), templateParses.Load()
	snap, diags := Load(context.Background(), []string{dir}, Options{})
	if errs := inputErrors(diags); len(errs) > 0 {
		t.Fatal(errs)
	}
	if d, p := jsonDecodes.Load()-decodes, templateParses.Load()-parses; d != 1 || p != 1 {
		t.Errorf("want the document decoded once and the template parsed once, got %d and %d", d, p)
	}
	var got []string
	for _, r := range snap.Rules {
		got = append(got, fmt.Sprintf("%s %d %s", r.Group, r.FromPort, r.Peer))
	}
	for _, g := range snap.Groups {
		got = append(got, g.Address+" "+strconv.FormatBool(g.NoDescription))
	}
	sort.Strings(got)
	wantLines(t, "rules", got, []string{"a:aws_security_group.g 22 198.51.100.0/24", "a:aws_security_group.g 443 198.51.100.0/24",
		"a:aws_security_group.g false", "b:aws_security_group.g 22 203.0.113.0/24", "b:aws_security_group.g 443 203.0.113.0/24",
		"b:aws_security_group.g false"})
}
