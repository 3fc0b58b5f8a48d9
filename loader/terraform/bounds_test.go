package terraform

import (
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
	if !tooLarge(b) || tooLarge(shared) || tooLarge(cty.StringVal("a")) {
		t.Error("tooLarge")
	}
}
