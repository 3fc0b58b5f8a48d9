package terraform

import (
	"fmt"
	"reflect"

	"github.com/hashicorp/hcl/v2"
	"github.com/sgcheck/sgcheck/model"
	"github.com/zclconf/go-cty/cty"
)

// maxExpanded bounds how many values a local or a resource attribute may
// hold once the parts it repeats are counted at each place. Values share
// their parts, so ten locals each a tuple of the two before it are cheap
// to build, yet hold some ninety values, and three thousand of them more
// values than there are atoms: go-cty (as Terraform) walks a value whole
// whenever a function or an operator takes it (looking for marks), so
// such a configuration would never finish. Real values, JSON documents
// decoded from files included, stay far below.
const maxExpanded = 1_000_000

// expandedSize counts the values v holds, each shared part counted at
// every place it appears, stopping once the count passes limit. The sizes
// of the collections already counted are kept by where their elements are
// stored, so a value built by sharing is counted in time proportional to
// its distinct parts.
func expandedSize(v cty.Value, limit int) int {
	memo := map[place]int{}
	var size func(v cty.Value) int
	size = func(v cty.Value) int {
		v, _ = v.Unmark() // (sensitive values are walked as any other)
		if !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
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
// (expandedSize).
func tooLarge(v cty.Value) bool {
	if u, _ := v.Unmark(); !u.IsKnown() || u.IsNull() || !u.CanIterateElements() || u.LengthInt() == 0 {
		return false
	}
	return expandedSize(v, maxExpanded) > maxExpanded
}

// tooLargeAt is the error for what, a value at r that tooLarge refuses.
func tooLargeAt(r hcl.Range, what string) []model.Diagnostic {
	return []model.Diagnostic{{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column,
		Message: fmt.Sprintf("%s holds more than %d values once the parts it repeats are counted at each place: "+
			"Terraform walks such a value whole at every function and operator, so it is not evaluated", what, maxExpanded)}}
}
