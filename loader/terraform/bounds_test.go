package terraform

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestExpandedSize counts shared parts at every place they appear, stops
// past the limit, and walks marked values.
func TestExpandedSize(t *testing.T) {
	pair := cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.StringVal("y")}) // 3
	shared := cty.TupleVal([]cty.Value{pair, pair, cty.ObjectVal(map[string]cty.Value{"p": pair})})
	cases := []struct {
		name string
		v    cty.Value
		want int
	}{
		{"a string", cty.StringVal("a"), 1},
		{"null", cty.NullVal(cty.List(cty.String)), 1},
		{"unknown", cty.DynamicVal, 1},
		{"a pair", pair, 3},
		{"a pair shared three times", shared, 1 + 3 + 3 + (1 + 3)},
		{"marked", pair.Mark("sensitive"), 3},
		{"marked inside", cty.TupleVal([]cty.Value{pair.Mark("sensitive"), pair}), 7},
		{"640 bytes of text", cty.StringVal(strings.Repeat("x", 640)), 1 + 640/stringBytesPerValue},
	}
	for _, tc := range cases {
		if got := expandedSize(tc.v, 100); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	// each the tuple of the two before: the 90th holds some 10^19 values,
	// counted here from its 90 distinct parts
	a, b := cty.StringVal("a"), cty.StringVal("b")
	for i := 0; i < 90; i++ {
		a, b = b, cty.TupleVal([]cty.Value{b, a})
	}
	if n := expandedSize(b, maxExpanded); n <= maxExpanded {
		t.Errorf("the 90th holds %d values", n)
	}
	long := cty.StringVal(strings.Repeat("x", maxExpanded*stringBytesPerValue))
	if !tooLarge(b) || tooLarge(shared) || tooLarge(cty.StringVal("a")) || !tooLarge(long) {
		t.Error("tooLarge")
	}
}

// TestYAMLExpandedSize counts a YAML document's nodes with its aliases
// expanded, and yamldecode refuses a document that expands past the bound
// before decoding it.
func TestYAMLExpandedSize(t *testing.T) {
	doc := "a: &a [x, y]\nb: [*a, *a]\n"
	// document, mapping, 2 keys, a (3), b's list (1 + 3 + 3)
	if got := yamlExpandedSize(doc, 100); got != 1+1+2+3+7 {
		t.Errorf("%d nodes", got)
	}
	if got := yamlExpandedSize("a: [", 100); got != 0 {
		t.Errorf("a document that does not parse: %d", got)
	}
	laughs := "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		laughs += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 8) + "*" + prev + "]\n"
		prev = name
	}
	if n := yamlExpandedSize(laughs, maxExpanded); n <= maxExpanded {
		t.Errorf("nine to the eighth laughs counted %d", n)
	}
	f := functions["yamldecode"]
	if _, err := f.Call([]cty.Value{cty.StringVal(laughs)}); err == nil || !strings.Contains(err.Error(), "aliases are expanded") {
		t.Errorf("yamldecode of the laughs: %v", err)
	}
	if v, err := f.Call([]cty.Value{cty.StringVal(doc)}); err != nil || v.GetAttr("b").LengthInt() != 2 {
		t.Errorf("yamldecode of an ordinary document: %v %v", v, err)
	}
}
