package terraform

import (
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// compareQuick checks that src, read by quickBody from start, is what
// hclsyntax parses, when quickBody reads it: a body with the same
// attributes, blocks and ranges, and no diagnostic. It reports whether
// quickBody read it.
func compareQuick(t *testing.T, name string, src []byte, start hcl.Pos) bool {
	t.Helper()
	quick, ok := quickBody(src, name, start)
	if !ok {
		return false
	}
	f, diags := hclsyntax.ParseConfig(src, name, start)
	if len(diags) > 0 {
		t.Fatalf("%s: read quickly, but the parser reports %v", name, diags)
	}
	if want := f.Body.(*hclsyntax.Body); !reflect.DeepEqual(quick, want) {
		t.Fatalf("%s: read quickly as\n%#v\nparsed as\n%#v", name, quick, want)
	}
	return true
}

// Every piece of every configuration of the fixtures and the corpus that
// quickBody reads (each top-level block with what follows it up to the
// next) is what the parser gives, ranges included; and most resource
// blocks are read so.
func TestQuickBodyMatchesParse(t *testing.T) {
	pieces, quick, resources, quickResources := 0, 0, 0, 0
	for _, path := range configFiles(t) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		compareQuick(t, path, src, hcl.InitialPos)
		lines := topLevelLines(src)
		for k, l := range lines {
			end := len(src)
			if k+1 < len(lines) {
				end = lines[k+1].Byte
			}
			piece := src[l.Byte:end]
			pieces++
			resource := strings.HasPrefix(string(piece), "resource ")
			if resource {
				resources++
			}
			if compareQuick(t, path, piece, l) {
				quick++
				if resource {
					quickResources++
				}
			}
		}
	}
	t.Logf("%d of %d pieces read quickly; resources %d of %d", quick, pieces, quickResources, resources)
	// the fixtures alone hold about 500 resource blocks, most of them in
	// the forms read quickly (the corpus's modules, where present, write
	// more of theirs with objects and templates)
	if quickResources < 400 || quickResources*2 < resources {
		t.Errorf("only %d of %d resource blocks read quickly", quickResources, resources)
	}
}

// The forms quickBody reads, each compared with the parser's tree; and
// forms it leaves to the parser (each close to one it reads).
func TestQuickBodyForms(t *testing.T) {
	read := map[string]string{
		"attributes": "a = \"x\"\nb = 1\nc = true\nd = false\ne = null\nf = var.g\ng = \"\"\nh = 0755\n",
		"block":      "resource \"aws_security_group\" \"web\" {\n  name   = \"web\"\n  vpc_id = aws_vpc.main.id\n}\n",
		"nested": "resource \"a\" \"b\" {\n  ingress {\n    from_port = 443\n    cidr_blocks = [\"0.0.0.0/0\", local.x]\n  }\n" +
			"  dynamic \"egress\" {\n    for_each = var.ports\n    content {\n      to_port = egress.value\n    }\n  }\n}\n",
		"empty blocks":     "locals {}\nresource \"a\" \"b\" {\n}\nx {  }\n",
		"bare labels":      "block a b {\n}\n",
		"labels together":  "block \"a\"\"b\"{\n}\n",
		"comments":         "# one\n// two\nresource \"a\" \"b\" { # three\n  # four\n  a = 1 # five\n  b = [ # six\n    1, // seven\n  ]\n} // eight\n# nine",
		"leading lines":    "\n\n   \n  resource \"a\" \"b\" {\n  }\n",
		"no final newline": "a = 1",
		"calls":            "a = cidrsubnet(local.vpc_cidr, 8, 200)\nb = list(string)\nc = f()\nd = g(\n  1,\n  [2, 3],\n)\ne = h(x.y, \"z\")\n",
		"tuples":           "a = []\nb = [1]\nc = [1,]\nd = [\n  \"x\",\n  \"y\"\n]\ne = [[1], [], [a.b]]\n",
		"objects": "a = {}\nb = { c = 1 }\nc = { d = 1, e = \"x\", }\nd = {\n  # c\n  Name = \"n\" # c\n  \"k\": [1, 2]\n\n  f = { g = h.i }\n}\n" +
			"e = [{ a = 1 }, {\n  b = 2\n}]\nf = merge(var.tags, {\n  Name = \"x\"\n})\n",
		"conditionals": "a = var.create ? 1 : 0\nb = x ? \"a\" : y ? \"b\" : \"c\"\nc = [a ? b : c]\nd = \"${a ? \"x\" : \"y\"}\"\n" +
			"e = f(a ? 1 : 2)\nf = { k = a ? b : c }\ng = a?b:c\nh = a ? b ? c : d : e\ni = f(x) ? [1] : []\n",
		"operators": "a = 1 + 2 * 3 - 4 / 5 % 6\nb = x == \"y\" ? 1 : 0\nc = !a && b || c\nd = -1\ne = - - 1\n" +
			"f = a >= 1 && a <= 2 && a > 0 && a < 9\ng = a != b\nh = \"${a + 1}\"\ni = [a == b, !c]\nj = length(x) > 0 // c\nk = 1-2\nl = a -b\n",
		"strings":                    "a = \"$x %y $ % {}\"\nb = \"a/b:c-d.e_f g\"\nc = \"'~!@#^&*()\"\n",
		"identifiers":                "a_b-c = x-y.z_w\n_a = _b._c\n",
		"only comments":              "# nothing\n",
		"comment, no newline":        "# nothing",
		"spaced comment, no newline": "  // nothing",
		"nothing":                    "",
		"spaces then block":          "   a {\n}\n",
	}
	for name, src := range read {
		t.Run(name, func(t *testing.T) {
			if !compareQuick(t, name, []byte(src), hcl.InitialPos) {
				t.Errorf("not read quickly")
			}
			// and from a position inside a file, as pieces are read
			if !compareQuick(t, name, []byte(src), hcl.Pos{Line: 40, Column: 1, Byte: 1234}) {
				t.Errorf("not read quickly from a later position")
			}
		})
	}
	left := map[string]string{
		"strip markers":                "a = \"${~x}\"\nb = \"${x~}\"\n",
		"unclosed interpolation":       "a = \"${x\"\n",
		"interpolation across lines":   "a = \"${f(\n1)}\"\n",
		"doubled dollar":               "a = \"a$$b\"\n",
		"doubled percent":              "a = \"a%%b\"\n",
		"template directive":           "a = \"%{if x}y%{endif}\"\n",
		"escaped dollar":               "a = \"$${x}\"\n",
		"escape":                       "a = \"a\\nb\"\n",
		"non-ASCII string":             "a = \"é\"\n",
		"non-ASCII comment":            "# é\na = 1\n",
		"tab":                          "a\t= 1\n",
		"carriage return":              "a = 1\r\n",
		"object without separator":     "a = { b = 1 c = 2 }\n",
		"comma on the next line":       "a = {\n  b = 1\n  , c = 2\n}\n",
		"object for":                   "a = { for k, v in x : k => v }\n",
		"parenthesised key":            "a = { (b) = 1 }\n",
		"key compared":                 "a = { b == 1 }\n",
		"unclosed object":              "a = {\n  b = 1\n",
		"heredoc":                      "a = <<EOT\nx\nEOT\n",
		"conditional across lines":     "a = b ?\n  c : d\n",
		"conditional without else":     "a = b ? c\n",
		"conditional in a list, split": "a = [b\n  ? c : d]\n",
		"decimal":                      "a = 1.5\n",
		"exponent":                     "a = 1e3\n",
		"index":                        "a = b[0]\n",
		"legacy index":                 "a = b.0\n",
		"splat":                        "a = b.*.c\n",
		"spaced dot":                   "a = b . c\n",
		"literal then dot":             "a = true.x\n",
		"call then dot":                "a = f().x\n",
		"spaced call":                  "a = f (1)\n",
		"namespaced call":              "a = provider::p::f(1)\n",
		"expansion":                    "a = f(b...)\n",
		"for expression":               "a = [for x in y : x]\n",
		"parentheses":                  "a = (1)\n",
		"operator across lines":        "a = [b\n  + c]\n",
		"heredoc after an operand":     "a = b << c\n",
		"single ampersand":             "a = b & c\n",
		"single bar":                   "a = b | c\n",
		"operator, no operand":         "a = b +\n",
		"not equals as a term":         "a = != b\n",
		"exponent after minus":         "a = 1e-2\n",
		"operand then directive":       "a = b %{c}\n",
		"one-line block":               "a { b = 1 }\n",
		"block comment":                "/* x */\na = 1\n",
		"two values":                   "a = 1 2\n",
		"missing comma":                "a = [1\n2]\n",
		"unclosed tuple":               "a = [1,\n",
		"unclosed block":               "a {\n  b = 1\n",
		"unclosed string":              "a = \"x\n",
		"stray brace":                  "}\n",
		"redefined":                    "a = 1\na = 2\n",
		"equals twice":                 "a == 1\n",
		"arrow":                        "a => 1\n",
		"block then more":              "a {\n} b\n",
		"block without brace":          "a \"b\"\n",
		"attribute then brace":         "a {\n  b = 1 }\n",
		"quoted name":                  "\"a\" = 1\n",
		"byte order mark":              "\xef\xbb\xbfa = 1\n",
	}
	for name, src := range left {
		t.Run(name, func(t *testing.T) {
			if _, ok := quickBody([]byte(src), name, hcl.InitialPos); ok {
				t.Errorf("read quickly: %q", src)
			}
		})
	}
	// nesting deeper than quickMaxDepth is left to the parser
	deep := strings.Repeat("a {\n", quickMaxDepth+1) + strings.Repeat("}\n", quickMaxDepth+1)
	if _, ok := quickBody([]byte(deep), "deep", hcl.InitialPos); ok {
		t.Errorf("%d nested blocks read quickly", quickMaxDepth+1)
	}
	tuples := "a = " + strings.Repeat("[", quickMaxDepth+1) + strings.Repeat("]", quickMaxDepth+1) + "\n"
	if _, ok := quickBody([]byte(tuples), "deep", hcl.InitialPos); ok {
		t.Errorf("%d nested tuples read quickly", quickMaxDepth+1)
	}
}

func FuzzQuickBody(f *testing.F) {
	for _, src := range []string{
		"resource \"a\" \"b\" {\n  x = [1, \"y\", z.w]\n  c {\n    d = f(1,\n2)\n  }\n}\n",
		"a = \"\"\n# c\nb = null // d\n",
		"a = x-y.z\nb {}\n",
		"a = [ # c\n]\n",
		"a = \"x${b.c}y${f(\"z\")}\"\nb = { k = \"${v}\" }\n",
		"a = b ? [c] : d ? \"e\" : f(g)\n",
		"a = !b && c == -1 || d * 2 >= e % 3\n",
	} {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		compareQuick(t, "fuzz.tf", src, hcl.InitialPos)
	})
}

// The loader reads pieces with quickBody, both when it parses a file
// (parseNative) and when it parses a lazily read resource block.
func TestLoaderReadsQuickly(t *testing.T) {
	src := []byte("resource \"aws_security_group\" \"a\" {\n  name = \"a\"\n}\n\n" +
		"resource \"aws_security_group\" \"b\" {\n  name = \"b\"\n  description = var.names[0]\n}\n\n" +
		"resource \"aws_security_group\" \"c\" {\n  vpc_id = var.vpc\n}\n")
	before := quickReads.Load()
	f, diags := parseNative(src, "main.tf")
	if len(diags) > 0 || len(f.Body.(*hclsyntax.Body).Blocks) != 3 {
		t.Fatalf("%v", diags)
	}
	if n := quickReads.Load() - before; n != 2 {
		t.Errorf("%d of the file's 3 blocks read quickly, want 2 (the second has an index)", n)
	}
	var failed atomic.Bool
	_, _, lazies, ok := lazyFile(src, "main.tf", &failed)
	if !ok || len(lazies) != 3 {
		t.Fatalf("not read lazily")
	}
	before = quickReads.Load()
	for _, lb := range lazies {
		lb.syntax()
	}
	if n := quickReads.Load() - before; n != 2 || failed.Load() {
		t.Errorf("%d of 3 lazily read blocks read quickly, want 2", n)
	}
}
