package terraform

import (
	"bytes"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Configurations often decode the same document once per element of a
// loop: { for k in keys(jsondecode(templatefile(F, v))) :
// k => jsondecode(templatefile(F, v))[k] } renders and decodes F once per
// key. Terraform does that work each time; sgcheck keeps the results, so
// such a local costs one rendering and one decoding, whatever its size.

// memoMinBytes is the length from which a decoded document is kept; a
// shorter one is decoded again, which costs less than keeping it.
const memoMinBytes = 256

// memoMaxBytes bounds the documents one load keeps.
const memoMaxBytes = 64 << 20

// jsonMemo keeps the values of the JSON documents jsondecode decoded, for
// every root of a load (world.jsonDocs). Roots are evaluated in parallel:
// a document two of them need at once is decoded by one, the other waits.
type jsonMemo struct {
	mu    sync.Mutex
	vals  map[string]*decoded
	bytes int
}

// decoded is one document's value, or the error decoding it gave.
type decoded struct {
	once sync.Once
	v    cty.Value
	err  error
}

// jsonDecodes and templateParses count the documents decoded and the
// template files parsed (for tests).
var jsonDecodes, templateParses atomic.Int64

// decode is jsondecode(s), kept when s was decoded before.
func (m *jsonMemo) decode(s string) (cty.Value, error) {
	m.mu.Lock()
	d, ok := m.vals[s]
	if !ok && m.bytes+len(s) <= memoMaxBytes {
		if m.vals == nil {
			m.vals = map[string]*decoded{}
		}
		d = &decoded{}
		m.vals[s] = d
		m.bytes += len(s)
	}
	m.mu.Unlock()
	if d == nil { // the memo is full
		d = &decoded{}
	}
	d.once.Do(func() {
		jsonDecodes.Add(1)
		d.v, d.err = stdlib.JSONDecodeFunc.Call([]cty.Value{cty.StringVal(s)})
	})
	return d.v, d.err
}

// function is go-cty's jsondecode, with the documents of at least
// memoMinBytes decoded once; anything else (a short, unknown or invalid
// document) is go-cty's as it is, errors included.
func (m *jsonMemo) function() function.Function {
	return function.New(&function.Spec{
		Description: stdlib.JSONDecodeFunc.Description(),
		Params:      stdlib.JSONDecodeFunc.Params(),
		Type: func(args []cty.Value) (cty.Type, error) {
			if s, ok := memoable(args[0]); ok {
				if v, err := m.decode(s); err == nil {
					return v.Type(), nil
				}
			}
			return stdlib.JSONDecodeFunc.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if s, ok := memoable(args[0]); ok {
				if v, err := m.decode(s); err == nil {
					return v, nil
				}
			}
			return stdlib.JSONDecodeFunc.Call(args)
		},
	})
}

// memoable returns a known, unmarked string argument of at least
// memoMinBytes.
func memoable(v cty.Value) (string, bool) {
	if !v.IsKnown() || v.IsNull() || v.IsMarked() || v.Type() != cty.String {
		return "", false
	}
	s := v.AsString()
	return s, len(s) >= memoMinBytes
}

// templates keeps, for one function table (one root), each template file's
// parsed form and its last rendering: templatefile(F, v) called again with
// an equal v is that rendering. Parsed forms are shared by every root of
// a load (syntax); renderings are each root's, as its file functions are.
type templates struct {
	mu     sync.Mutex
	by     map[string]*template
	syntax *templateSyntax
}

// templateSyntax keeps each template file's parsed form, by name, for
// every root of a load (a name read with other bytes is parsed apart).
type templateSyntax struct {
	mu sync.Mutex
	by map[string]*parsedTemplate
}

type parsedTemplate struct {
	src  []byte
	once sync.Once
	expr hclsyntax.Expression
	err  error
}

// parse returns src parsed as the template file name, parsed once per
// name and bytes; a nil syntax parses.
func (ts *templateSyntax) parse(src []byte, name string) (hclsyntax.Expression, error) {
	var p *parsedTemplate
	if ts != nil {
		ts.mu.Lock()
		p = ts.by[name]
		if p == nil {
			if ts.by == nil {
				ts.by = map[string]*parsedTemplate{}
			}
			p = &parsedTemplate{src: src}
			ts.by[name] = p
		}
		ts.mu.Unlock()
	}
	if p == nil || !bytes.Equal(p.src, src) {
		p = &parsedTemplate{src: src}
	}
	p.once.Do(func() {
		templateParses.Add(1)
		expr, diags := hclsyntax.ParseTemplate(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			p.err = diags
			return
		}
		p.expr = expr
	})
	return p.expr, p.err
}

type template struct {
	src  []byte
	expr hclsyntax.Expression
	// vars and out are the last rendering (a template is kept once
	// rendered)
	vars, out cty.Value
}

// render is templateFunc(src, name, vars, funcs), parsing src once per
// name and rendering it once per run of calls with equal vars.
func (ts *templates) render(src []byte, name string, vars cty.Value, funcs map[string]function.Function) (cty.Value, error) {
	ts.mu.Lock()
	t, ok := ts.by[name]
	if ok && !bytes.Equal(t.src, src) {
		ok = false
	}
	if ok && t.vars.RawEquals(vars) {
		out := t.out
		ts.mu.Unlock()
		return out, nil
	}
	ts.mu.Unlock()
	if !ok {
		expr, err := ts.syntax.parse(src, name)
		if err != nil {
			return cty.NilVal, err
		}
		t = &template{src: src, expr: expr}
	}
	out, err := evalTemplate(t.expr, vars, funcs)
	if err != nil {
		return cty.NilVal, err
	}
	ts.mu.Lock()
	if ts.by == nil {
		ts.by = map[string]*template{}
	}
	ts.by[name] = &template{src: src, expr: t.expr, vars: vars, out: out}
	ts.mu.Unlock()
	return out, nil
}
