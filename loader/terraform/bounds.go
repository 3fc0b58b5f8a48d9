package terraform

import (
	"fmt"
	"reflect"

	"github.com/hashicorp/hcl/v2"
	"github.com/sgcheck/sgcheck/model"
	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"go.yaml.in/yaml/v3"
)

// maxExpanded bounds how many values a local, a module argument or output,
// or a resource attribute may hold once the parts it repeats are counted at
// each place. Values share
// their parts, so ten locals each a tuple of the two before it are cheap
// to build, yet hold some ninety values, and three thousand of them more
// values than there are atoms: go-cty (as Terraform) walks a value whole
// whenever a function or an operator takes it (looking for marks), so
// such a configuration would never finish. Real values, JSON documents
// decoded from files included, stay far below.
const maxExpanded = 1_000_000

// stringBytesPerValue is how many bytes of a string count as one value,
// so that strings are bounded too (64 MB): locals each a template of the
// one before twice double in length at each step.
const stringBytesPerValue = 64

// expandedSize counts the values v holds, each shared part counted at
// every place it appears, stopping once the count passes limit. The sizes
// of the collections already counted are kept by where their elements are
// stored, so a value built by sharing is counted in time proportional to
// its distinct parts.
func expandedSize(v cty.Value, limit int) int {
	var memo map[place]int // made at the first collection
	var size func(v cty.Value) int
	size = func(v cty.Value) int {
		v, _ = v.Unmark() // (sensitive values are walked as any other)
		switch {
		case !v.IsKnown() || v.IsNull():
			return 1
		case v.Type() == cty.String:
			return 1 + len(v.AsString())/stringBytesPerValue
		case !v.CanIterateElements():
			return 1
		}
		key := storage(v)
		if n, ok := memo[key]; ok && key.at != 0 {
			return n
		}
		n := 1
		for it := v.ElementIterator(); it.Next() && n <= limit; {
			_, e := it.Element()
			n += size(e)
		}
		if key.at != 0 {
			if memo == nil {
				memo = map[place]int{}
			}
			memo[key] = n
		}
		return n
	}
	return size(v)
}

// place is where a collection value keeps its elements: a slice's first
// element and its length, or a map (at 0 when it cannot tell).
type place struct {
	at  uintptr
	len int
}

// storage returns where the unmarked collection v keeps its elements.
func storage(v cty.Value) place {
	inner := reflect.ValueOf(v).FieldByName("v")
	if inner.Kind() != reflect.Interface || inner.IsNil() {
		return place{}
	}
	switch e := inner.Elem(); e.Kind() {
	case reflect.Slice:
		if e.Len() == 0 {
			return place{}
		}
		return place{e.Pointer(), e.Len()}
	case reflect.Map:
		return place{e.Pointer(), e.Len()}
	}
	return place{}
}

// tooLarge reports whether v holds more than maxExpanded values
// (expandedSize), its strings counting one value per stringBytesPerValue
// bytes.
func tooLarge(v cty.Value) bool {
	return expandedSize(v, maxExpanded) > maxExpanded
}

// tooLargeAt is the error for what, a value at r that tooLarge refuses.
func tooLargeAt(r hcl.Range, what string) []model.Diagnostic {
	return []model.Diagnostic{{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column,
		Message: fmt.Sprintf("%s holds more than %d values (or %d MB of text) once the parts it repeats are counted at each place: "+
			"Terraform walks such a value whole at every function and operator, so it is not evaluated",
			what, maxExpanded, maxExpanded*stringBytesPerValue/1_000_000)}}
}

// yamlDecodeFunc is go-cty-yaml's yamldecode refusing, before decoding
// it, a document that holds more than maxExpanded values once its aliases
// are expanded (nine lists of nine aliases of the list before, "billion
// laughs": a few hundred bytes that decode to a billion values). The
// decoder expands every alias, and the return type alone is found by
// decoding, so the check is in Type; Impl decodes with that type, as
// go-cty-yaml's own does.
var yamlDecodeFunc = function.New(&function.Spec{
	Params: ctyyaml.YAMLDecodeFunc.Params(),
	Type: func(args []cty.Value) (cty.Type, error) {
		if src := args[0]; src.IsKnown() && !src.IsNull() {
			if n := yamlExpandedSize(src.AsString(), maxExpanded); n > maxExpanded {
				return cty.NilType, function.NewArgErrorf(0,
					"the document holds more than %d values once its aliases are expanded", maxExpanded)
			}
		}
		return ctyyaml.YAMLDecodeFunc.ReturnTypeForValues(args)
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		return ctyyaml.Standard.Unmarshal([]byte(args[0].AsString()), retType)
	},
})

// yamlExpandedSize counts the nodes of the YAML document src with every
// alias expanded, stopping once the count passes limit (each anchored
// node is counted once and its size kept). A document that does not parse
// counts 0: the decoder reports it.
func yamlExpandedSize(src string, limit int) int {
	var doc yaml.Node
	if yaml.Unmarshal([]byte(src), &doc) != nil {
		return 0
	}
	memo := map[*yaml.Node]int{}
	var size func(n *yaml.Node) int
	size = func(n *yaml.Node) int {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if v, ok := memo[n]; ok {
			return v
		}
		memo[n] = 1 // an alias of a node within itself counts once
		total := 1
		for _, c := range n.Content {
			if total > limit {
				break
			}
			total += size(c)
		}
		memo[n] = total
		return total
	}
	return size(&doc)
}
