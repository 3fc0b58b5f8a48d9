package terraform

import (
	"os"
	"reflect"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// requiredName asks for an attribute few bodies hold, as required.
var requiredName = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "name", Required: true}}}

// contentSchemas are the schemas resource bodies are read with, plus two
// that make PartialContent report diagnostics.
func contentSchemas() []*hcl.BodySchema {
	seen := map[*hcl.BodySchema]bool{}
	out := []*hcl.BodySchema{instanceSchema, lifecycleSchema, ruleListAttrs, requiredName,
		{Blocks: []hcl.BlockHeaderSchema{{Type: "ingress", LabelNames: []string{"name"}}, {Type: "lifecycle"}}}}
	for _, ex := range extractors {
		if !seen[ex.schema] {
			seen[ex.schema] = true
			out = append(out, ex.schema)
		}
	}
	return out
}

// contentOf's content is PartialContent's, and its rest reads as
// PartialContent's rest, for every resource body (and block directly in
// one) of every fixture and corpus file (and a few written to make PartialContent report diagnostics, where
// contentOf is PartialContent itself) and every schema a resource is read
// with; a rest that may not hold an attribute holds none.
func TestContentOfMatchesPartialContent(t *testing.T) {
	extra := []string{
		"resource \"a\" \"b\" {\n  lifecycle \"x\" {\n  }\n  ingress \"n\" {}\n  ingress {}\n}\n",
		"resource \"a\" \"b\" {\n  ingress = [{ from_port = 1 }]\n  name = \"x\"\n}\n",
	}
	compared, fallbacks, unmade := 0, 0, 0
	check := func(name string, body *hclsyntax.Body) {
		for _, schema := range contentSchemas() {
			want, wantRest, wantDiags := body.PartialContent(schema)
			got, ok := syntaxContent(body, schema)
			if !ok {
				fallbacks++
				if len(wantDiags) == 0 {
					t.Errorf("%s: %s: contentOf falls back where PartialContent reports nothing", name, body.SrcRange)
				}
				continue
			}
			compared++
			if len(wantDiags) > 0 {
				t.Errorf("%s: %s: PartialContent reports %v, contentOf nothing", name, body.SrcRange, wantDiags)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %s: content %+v, PartialContent %+v", name, body.SrcRange, got, want)
			}
			rest := &restOf{body: body, schema: schema}
			if rest.PartialContent(ruleListAttrs); rest.rest == nil {
				unmade++ // read without making the rest
			}
			for _, s := range []*hcl.BodySchema{ruleListAttrs, instanceSchema, lifecycleSchema, requiredName} {
				gc, gr, gd := rest.PartialContent(s)
				wc, wr, wd := wantRest.PartialContent(s)
				if !reflect.DeepEqual(gc, wc) || !reflect.DeepEqual(gd, wd) {
					t.Fatalf("%s: %s: the rest's content differs", name, body.SrcRange)
				}
				ga, _ := gr.JustAttributes()
				wa, _ := wr.JustAttributes()
				if !reflect.DeepEqual(ga, wa) {
					t.Fatalf("%s: %s: what the rest leaves differs", name, body.SrcRange)
				}
			}
			ga, gd := rest.JustAttributes()
			wa, wd := wantRest.JustAttributes()
			if !reflect.DeepEqual(ga, wa) || !reflect.DeepEqual(gd, wd) || rest.MissingItemRange() != wantRest.MissingItemRange() {
				t.Fatalf("%s: %s: the rest's attributes differ", name, body.SrcRange)
			}
		}
	}
	// resource bodies and the blocks directly in them
	walk := func(name string, body *hclsyntax.Body) {
		for _, b := range body.Blocks {
			if b.Type != "resource" {
				continue
			}
			check(name, b.Body)
			for _, nb := range b.Body.Blocks {
				check(name, nb.Body)
			}
		}
	}
	for i, src := range extra {
		f, _ := hclsyntax.ParseConfig([]byte(src), "extra.tf", hcl.InitialPos)
		walk("extra"+string(rune('0'+i)), f.Body.(*hclsyntax.Body))
	}
	eachParsedConfig(t, walk)
	t.Logf("compared %d bodies and schemas, %d fell back, %d schemas", compared, fallbacks, len(contentSchemas()))
	if compared < 10000 || fallbacks == 0 || unmade == 0 {
		t.Errorf("compared %d bodies and schemas, %d fell back, %d rests read unmade", compared, fallbacks, unmade)
	}
}

// literalString gives what TemplateExpr.Value gives for every string
// template of literal parts in the fixtures and corpus, and declines every
// other expression.
func TestLiteralStringMatchesValue(t *testing.T) {
	literals, others := 0, 0
	eachParsedConfig(t, func(path string, body *hclsyntax.Body) {
		hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
			expr, ok := n.(hclsyntax.Expression)
			if !ok {
				return nil
			}
			got, ok := literalString(expr)
			if !ok {
				others++
				return nil
			}
			literals++
			want, diags := expr.Value(nil)
			if diags.HasErrors() || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %s: %#v, Value gives %#v %v", path, expr.Range(), got, want, diags)
			}
			return nil
		})
	})
	if literals < 1000 || others < 1000 {
		t.Errorf("%d literal strings, %d other expressions", literals, others)
	}
}

// eachParsedConfig calls f with the body of every fixture and corpus
// configuration file that parses.
func eachParsedConfig(t *testing.T, f func(path string, body *hclsyntax.Body)) {
	t.Helper()
	for _, path := range configFiles(t) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		file, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
		if diags.HasErrors() {
			continue
		}
		f(path, file.Body.(*hclsyntax.Body))
	}
}

// variables gives what Variables gives for every expression of the
// fixtures and corpus.
func TestVariablesMatchesWalk(t *testing.T) {
	n := 0
	eachParsedConfig(t, func(path string, body *hclsyntax.Body) {
		hclsyntax.VisitAll(body, func(node hclsyntax.Node) hcl.Diagnostics {
			if expr, ok := node.(hclsyntax.Expression); ok {
				n++
				if got, want := variables(expr), expr.Variables(); len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
					t.Fatalf("%s: %s: %v, Variables gives %v", path, expr.Range(), got, want)
				}
			}
			return nil
		})
	})
	if n < 5000 { // the fixtures alone hold some 6,000
		t.Errorf("only %d expressions", n)
	}
}
