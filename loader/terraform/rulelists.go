package terraform

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/sgcheck/sgcheck/model"
	"github.com/zclconf/go-cty/cty"
)

// ruleItem is one inline rule of a group or entry of a NACL, written as a
// block (ingress { … }, also from dynamic "ingress") or as an element of a
// list attribute (ingress = [{ … }]): Terraform accepts both spellings for
// these nested lists ("attributes as blocks").
type ruleItem struct {
	typ  string // ingress or egress
	name string // <resource>.<typ>[i], counted per type in written order
	src  model.Source
	get  func(attr string) value
	// expr returns an attribute's expression as written, for an item
	// written as a block (nil for an element of a list attribute)
	expr func(attr string) hcl.Expression
	// unknown is set when the whole list is not determined: the item
	// stands for its rules, every field unknown for this reason.
	unknown string
}

// ruleListTypes are the nested lists an extractor reads as rules.
var ruleListTypes = []string{"ingress", "egress"}

var ruleListAttrs = &hcl.BodySchema{Attributes: attrSchema(ruleListTypes...)}

// inSchema reports whether the schema names attribute name.
func inSchema(s *hcl.BodySchema, name string) bool {
	for _, a := range s.Attributes {
		if a.Name == name {
			return true
		}
	}
	return false
}

// ruleItems lists the inline rules of a resource instance in both spellings.
// fields is the schema of one rule.
func (x *moduleExtractor) ruleItems(r *resourceInstance, fields *hcl.BodySchema) []ruleItem {
	var out []ruleItem
	if len(r.content.Blocks) > 0 {
		out = make([]ruleItem, 0, len(r.content.Blocks)) // one per block
	}
	counts := map[string]int{}
	for _, blk := range r.content.Blocks {
		ctx := r.ctx
		var expr func(string) hcl.Expression
		if body, ok := blk.Body.(*hclsyntax.Body); ok {
			// a block as written: its attributes are read in place (the
			// schema has no required attribute and no block, so
			// PartialContent could report nothing, and would copy them)
			expr = func(name string) hcl.Expression {
				if a, ok := body.Attributes[name]; ok && inSchema(fields, name) {
					return a.Expr
				}
				return nil
			}
		} else {
			content, _, diags := blk.Body.PartialContent(fields)
			if diags.HasErrors() {
				x.hclDiags(diags)
				continue
			}
			expr = func(name string) hcl.Expression {
				if a, ok := content.Attributes[name]; ok {
					return a.Expr
				}
				return nil
			}
		}
		get := func(name string) value {
			if e := expr(name); e != nil {
				return x.eval(e, name, ctx)
			}
			return value{}
		}
		out = append(out, ruleItem{typ: blk.Type, name: fmt.Sprintf("%s.%s[%d]", r.addr, blk.Type, counts[blk.Type]),
			src: x.m.blockSource(blk), get: get, expr: expr})
		counts[blk.Type]++
	}
	if r.rest == nil {
		return out
	}
	content, _, _ := r.rest.PartialContent(ruleListAttrs)
	if content == nil {
		return out
	}
	// in written order, as blocks are
	attrs := make([]*hcl.Attribute, 0, len(ruleListTypes))
	for _, typ := range ruleListTypes {
		if attr, ok := content.Attributes[typ]; ok {
			attrs = append(attrs, attr)
		}
	}
	sortByPosition(attrs)
	for _, attr := range attrs {
		typ := attr.Name
		if counts[typ] > 0 {
			// Terraform does not mix the spellings; in JSON the same
			// property has already been read as blocks.
			continue
		}
		for _, it := range x.listItems(attr, r.ctx) {
			it.typ = typ
			it.name = fmt.Sprintf("%s.%s[%d]", r.addr, typ, counts[typ])
			counts[typ]++
			out = append(out, it)
		}
	}
	return out
}

// listItems evaluates a rule list attribute. An element's source is its own
// object constructor where the list is written out, else the attribute. A
// list the configuration does not determine gives one item whose every field
// is unknown for that reason, so the rule is indeterminate, not dropped.
func (x *moduleExtractor) listItems(attr *hcl.Attribute, ctx *hcl.EvalContext) []ruleItem {
	whole := x.get(hcl.Attributes{attr.Name: attr}, attr.Name, ctx)
	attrSrc := rangeSource(attr.Range)
	if !whole.set {
		return nil
	}
	if whole.why != "" {
		why, rng := whole.why, attr.Expr.Range()
		return []ruleItem{{src: attrSrc, unknown: why, get: func(name string) value {
			return value{set: true, why: why, rng: rng}
		}}}
	}
	v := whole.v
	ty := v.Type()
	if !(ty.IsListType() || ty.IsTupleType() || ty.IsSetType()) {
		x.errorf(attr.Expr.Range(), "%s must be a list of objects", attr.Name)
		return nil
	}
	var elems []hcl.Range
	if !ty.IsSetType() {
		elems = elementRanges(attr.Expr, ctx)
	}
	var out []ruleItem
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, ev := it.Element()
		src, rng := attrSrc, attr.Expr.Range()
		if len(elems) == v.LengthInt() {
			rng = elems[i]
			src = rangeSource(rng)
		}
		if ev.IsNull() {
			continue
		}
		if !ev.Type().IsObjectType() && !ev.Type().IsMapType() {
			x.errorf(rng, "%s: element %d is not an object", attr.Name, i)
			continue
		}
		obj, r := ev, rng
		out = append(out, ruleItem{src: src, get: func(name string) value {
			f := objectField(obj, name, r)
			if f.why != "" {
				f.why = name + " " + x.ev.unknownReason(attr.Expr, ctx)
			}
			return f
		}})
	}
	return out
}

// elementRanges maps the elements of a rule list to where each is written:
// a tuple's elements, a for expression's object template (as a dynamic
// block's content), and the arguments of concat in turn. It returns nil
// where the list is built some other way.
func elementRanges(expr hcl.Expression, ctx *hcl.EvalContext) []hcl.Range {
	switch e := expr.(type) {
	case *hclsyntax.TupleConsExpr:
		out := make([]hcl.Range, len(e.Exprs))
		for i, el := range e.Exprs {
			out[i] = el.Range()
		}
		return out
	case *hclsyntax.ForExpr:
		v, diags := e.Value(ctx)
		if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
			return nil
		}
		out := make([]hcl.Range, v.LengthInt())
		for i := range out {
			out[i] = e.ValExpr.Range()
		}
		return out
	case *hclsyntax.FunctionCallExpr:
		if e.Name != "concat" || e.ExpandFinal {
			return nil
		}
		var out []hcl.Range
		for _, arg := range e.Args {
			part := elementRanges(arg, ctx)
			if part == nil {
				return nil
			}
			out = append(out, part...)
		}
		return out
	case *hclsyntax.ParenthesesExpr:
		return elementRanges(e.Expression, ctx)
	}
	return nil
}

// objectField reads one field of a rule written as an object, with the
// meaning x.get gives an attribute: absent or null is not set.
func objectField(obj cty.Value, name string, rng hcl.Range) value {
	ty := obj.Type()
	if (ty.IsObjectType() && !ty.HasAttribute(name)) || (ty.IsMapType() && !obj.HasIndex(cty.StringVal(name)).True()) {
		return value{}
	}
	var f cty.Value
	if ty.IsObjectType() {
		f = obj.GetAttr(name)
	} else {
		f = obj.Index(cty.StringVal(name))
	}
	if f.IsNull() {
		return value{}
	}
	out := value{v: f, set: true, rng: rng}
	if !f.IsWhollyKnown() {
		out.why = name + " is not determined by the configuration"
	}
	return out
}

func rangeSource(r hcl.Range) model.Source {
	return model.Source{File: r.Filename, StartLine: r.Start.Line, EndLine: r.End.Line, StartCol: r.Start.Column}
}
