package terraform

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// value is an evaluated attribute: its value, or why it is unknown.
type value struct {
	v   cty.Value
	why string // non-empty when the value is not determined
	set bool   // the attribute is present
	rng hcl.Range
}

func (x value) known() bool { return x.set && x.why == "" }

// get evaluates attribute name of attrs in ctx.
func (x *moduleExtractor) get(attrs hcl.Attributes, name string, ctx *hcl.EvalContext) value {
	a, ok := attrs[name]
	if !ok {
		return value{}
	}
	return x.eval(a.Expr, name, ctx)
}

// eval evaluates the expression of attribute name (see get).
func (x *moduleExtractor) eval(expr hcl.Expression, name string, ctx *hcl.EvalContext) value {
	if v, ok := literalString(expr); ok {
		return value{v: v, set: true, rng: expr.Range()}
	}
	v, diags := expr.Value(ctx)
	x.ev.world.fileErrors(diags)
	out := value{v: v, set: true, rng: expr.Range()}
	switch {
	case diags.HasErrors():
		out.why = name + " " + x.ev.unknownReason(expr, ctx)
		if !mentionsUnknown(expr, ctx) {
			out.why = name + ": " + diags[0].Summary
			if diags[0].Detail != "" {
				out.why += " (" + diags[0].Detail + ")"
			}
			switch {
			case x.conditional:
			case x.ruleBearing:
				x.ev.evalErrors(expr, ctx, diags)
			default:
				x.ev.world.warn(expr.Range(), out.why+"; the value is left undetermined")
			}
		}
	case !v.IsWhollyKnown():
		out.why = name + " " + x.ev.unknownReason(expr, ctx)
	case v.IsNull():
		out.set = false
	}
	return out
}

// mentionsUnknown reports whether an expression refers to a value the
// configuration does not determine, which explains an evaluation error:
// an unknown value, or one holding what a resource or data source is
// known by only after apply (its id or arn, which sgcheck represents by a
// reference, so that an expression splitting an arn fails where Terraform
// would give an unknown).
func mentionsUnknown(expr hcl.Expression, ctx *hcl.EvalContext) bool {
	for _, t := range expr.Variables() {
		if v, diags := t.TraverseAbs(ctx); diags.HasErrors() || undetermined(v) {
			return true
		}
	}
	return false
}

// undetermined reports whether v is not wholly known or holds a reference
// to what a resource or data source is known by after apply.
func undetermined(v cty.Value) bool {
	if !v.IsWhollyKnown() {
		return true
	}
	ref := false
	cty.Walk(v, func(_ cty.Path, v cty.Value) (bool, error) {
		if !ref && !v.IsNull() && v.Type() == cty.String && strings.HasPrefix(v.AsString(), refPrefix) {
			ref = true
		}
		return !ref, nil
	})
	return ref
}

// afterApply says why a string that stands for what a resource is known by
// only after apply (its id or arn) is not a value of the field: a random_pet
// or random_id's id used as a protocol or CIDR, say. "" for any other string.
func afterApply(field, s string) string {
	m := refInText.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return fmt.Sprintf("%s depends on %s, which is known only after apply", field, m[1])
}

// refInText finds the address of a reference string at the start of a text
// that may go on ("${aws_instance.a.id}/32").
var refInText = regexp.MustCompile(`^` + regexp.QuoteMeta(refPrefix) + `((?:[^\s:]+:)?[A-Za-z_][\w-]*(?:\.[\w-]+|\[[^\]]*\])*)`)

func asString(v cty.Value) (string, bool) {
	if v.IsNull() || !v.IsKnown() {
		return "", false
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		return "", false
	}
	return s.AsString(), true
}

func asInt(v cty.Value) (int, bool) {
	if v.IsNull() || !v.IsKnown() {
		return 0, false
	}
	n, err := convert.Convert(v, cty.Number)
	if err != nil {
		return 0, false
	}
	i, acc := n.AsBigFloat().Int64()
	if acc != big.Exact {
		return 0, false
	}
	return int(i), true
}

func asBool(v cty.Value) (bool, bool) {
	if v.IsNull() || !v.IsKnown() {
		return false, false
	}
	b, err := convert.Convert(v, cty.Bool)
	if err != nil {
		return false, false
	}
	return b.True(), true
}

// asStrings converts a list, set or tuple of strings.
func asStrings(v cty.Value) ([]string, bool) {
	if v.IsNull() {
		return nil, true
	}
	if !v.IsWhollyKnown() {
		return nil, false
	}
	ty := v.Type()
	if !(ty.IsListType() || ty.IsSetType() || ty.IsTupleType()) {
		if s, ok := asString(v); ok {
			return []string{s}, true
		}
		return nil, false
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			continue
		}
		s, ok := asString(e)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// refAddress maps an evaluated id back to the resource it names: the full
// address for a resource declared in the configuration, else the literal.
func refAddress(s string) string {
	return strings.TrimPrefix(s, refPrefix)
}
