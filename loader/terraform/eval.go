package terraform

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/sgcheck/sgcheck/internal/parallel"
	"github.com/sgcheck/sgcheck/model"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// refPrefix marks the id of a resource declared in the configuration. A group
// reference such as aws_security_group.web.id evaluates to
// "sgcheck-ref:aws_security_group.web", which the extractor maps back to the
// group's address.
const refPrefix = "sgcheck-ref:"

// refAttrs are the attributes a resource exposes to references besides id
// and arn, when they are literal in the configuration.
var refAttrs = []string{"cidr_block", "ipv6_cidr_block", "name", "vpc_id", "subnet_id", "load_balancer_type"}

var instanceSchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "count"}, {Name: "for_each"}}}
	for _, a := range refAttrs {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: a})
	}
	return s
}()

type resourceDecl struct {
	typ, name string
	block     *hcl.Block
	// attrs are its count, for_each and the attributes references read
	// (instanceSchema), read from the block when first needed (attributes)
	attrs     hcl.Attributes
	attrsRead bool
	data      bool // a data source: typ is data.<type>
}

// attributes returns d.attrs, reading them from the block on first use, so
// that declaring a resource does not parse a lazily parsed block.
func (d *resourceDecl) attributes() hcl.Attributes {
	if !d.attrsRead {
		d.attrsRead = true
		if lb, ok := d.block.Body.(*lazyBody); ok {
			lazyAttrReads.Add(1)
			if attrs, ok := lb.instanceAttrs(); ok {
				d.attrs = attrs
				return attrs
			}
		}
		if content, _, _ := contentOf(d.block.Body, instanceSchema); content != nil {
			d.attrs = content.Attributes
		}
	}
	return d.attrs
}

func (d *resourceDecl) address() string { return d.typ + "." + d.name }

// instance is one expansion of a resource under count or for_each.
type instance struct {
	addr string
	vars map[string]cty.Value // count / each
	key  cty.Value            // cty.NilVal for a resource without count/for_each
	// conditional marks the one instance analysed for an undetermined
	// count or for_each.
	conditional bool
	// partial says why each.value is not wholly known in an instance of a
	// for_each whose keys are known but some of whose values are not
	// (Terraform plans such instances): "depends on var.x, which …".
	partial string
}

// evaluator evaluates expressions of one module lazily: a local or a
// resource's attributes are computed the first time something refers to them.
type evaluator struct {
	// prefix is the address prefix of this module instance: the root's
	// qualifier plus "module.<name>[key]." for each call on the way.
	prefix string
	mod    *module
	world  *world
	depth  int
	parent *evaluator // the module instance that calls this one
	// callSite is the innermost module block in the user's configuration
	// that leads to this instance (zero in the root); callers are the ones
	// further out, outermost first. vendored marks a module downloaded
	// into .terraform/modules (or called from one): its own module blocks
	// are not where the user acts.
	callSite  model.Source
	callers   []model.Source
	vendored  bool
	modCalls  map[string]*hcl.Block
	modVals   map[string]cty.Value
	children  map[string][]*evaluator
	outputs   map[string]*hcl.Attribute
	vars      map[string]cty.Value
	varsUnset map[string]bool
	// varsWhy says why a module argument the caller gives is undetermined.
	varsWhy map[string]string
	// defaulted, in a root, names the variables no value is given for
	// (tfvars, --var, TF_VAR_): they hold their defaults. callArgs, in a
	// module instance, are the arguments of the call that made it.
	defaulted map[string]bool
	callArgs  hcl.Attributes
	// each is the partial reason of the instance whose attributes are
	// being read (instance.partial), while they are
	each string
	// varObj is var, made once from vars (varObject)
	varObj    cty.Value
	varMade   bool
	locals    map[string]*hcl.Attribute
	localVals map[string]cty.Value
	busy      map[string]bool
	// readBusy names the module calls an argument of another call read
	// while they were being evaluated; recomputing is set while such
	// calls are evaluated again (moduleValue).
	readBusy    map[string]bool
	recomputing bool
	// evaluated lists the module calls in the order their first
	// evaluation began.
	evaluated []string
	// ifCreated is the conditional module instance (x[0?], x[?]) this
	// instance is, or is inside: one that exists only if a count or
	// for_each the input does not determine says so.
	ifCreated string
	// localStack is the chain of locals being evaluated, for cycles.
	localStack []string
	resources  map[string]map[string]*resourceDecl
	resVals    map[string]cty.Value
	// data holds the data sources; dataVal is what data evaluates to.
	data    map[string]map[string]*resourceDecl
	dataVal cty.Value
	full    *hcl.EvalContext
	// cycles counts the references met while what they name was being
	// evaluated (a local or resource that refers to itself): values then
	// depend on the order of evaluation
	cycles int
}

// newEvaluator prepares one instance of module m. inputs are the values
// the caller (or, for a root, the command line and tfvars) gives variables.
//
// derived names the inputs computed from references (a module call's
// arguments that read resources, data sources, modules, locals or
// variables): sgcheck models only some attributes of a resource, so such a
// value may lack attributes Terraform's has (setVariable).
func newEvaluator(w *world, m *module, prefix string, inputs map[string]cty.Value, origins map[string]hcl.Range,
	derived map[string]bool, depth int) (*evaluator, hcl.Diagnostics) {
	e := &evaluator{
		prefix: prefix, mod: m, world: w, depth: depth,
		modCalls: map[string]*hcl.Block{}, modVals: map[string]cty.Value{}, children: map[string][]*evaluator{},
		outputs: map[string]*hcl.Attribute{},
		vars:    map[string]cty.Value{}, varsUnset: map[string]bool{}, varsWhy: map[string]string{},
		defaulted: map[string]bool{},
		locals:    map[string]*hcl.Attribute{}, localVals: map[string]cty.Value{},
		busy: map[string]bool{}, readBusy: map[string]bool{}, resources: map[string]map[string]*resourceDecl{},
		resVals: map[string]cty.Value{},
	}
	var diags hcl.Diagnostics
	seen := map[string]hcl.Range{}
	duplicate := func(kind, name string, r hcl.Range) bool {
		key := kind + " " + name
		if first, dup := seen[key]; dup {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate " + kind,
				Detail: fmt.Sprintf("%s %s is already declared at %s:%d", kind, name, first.Filename, first.Start.Line), Subject: &r})
			return true
		}
		seen[key] = r
		return false
	}
	for _, b := range m.blocks {
		label := strings.Join(b.Labels, ".")
		switch b.Type {
		case "variable", "resource", "data", "module", "output":
			if duplicate(b.Type, label, b.DefRange) {
				continue
			}
		}
		switch b.Type {
		case "variable":
			diags = append(diags, e.setVariable(b, inputs, origins, derived)...)
		case "locals":
			attrs, d := b.Body.JustAttributes()
			diags = append(diags, d...)
			for name, a := range attrs {
				if !duplicate("local", name, a.NameRange) {
					e.locals[name] = a
				}
			}
		case "resource":
			e.addResource(b)
		case "data":
			e.addData(b)
		case "module":
			e.modCalls[b.Labels[0]] = b
		case "output":
			content, _, _ := b.Body.PartialContent(outputSchema)
			if v, ok := content.Attributes["value"]; ok {
				e.outputs[b.Labels[0]] = v
			}
		}
	}
	e.addProviderFuncs()
	return e, diags
}

// variableSchema is what a variable block holds. Blocks such as validation
// are valid Terraform but say nothing about the value: PartialContent
// leaves them out without an error.
var variableSchema = &hcl.BodySchema{Attributes: attrSchema("type", "default", "description", "sensitive",
	"nullable", "ephemeral")}

// outputSchema is what an output block holds besides precondition blocks.
var outputSchema = &hcl.BodySchema{Attributes: attrSchema("value", "description", "sensitive", "depends_on",
	"ephemeral")}

// setVariable records a variable declaration and its value: a given value
// wins over the default; with neither the variable is unknown. Values are
// converted to the declared type, as Terraform does. A derived value
// (newEvaluator) that lacks object attributes the type requires has them
// added as unknown: they are attributes of a resource that sgcheck does
// not model (a queue's url), which Terraform knows after apply.
func (e *evaluator) setVariable(b *hcl.Block, inputs map[string]cty.Value, origins map[string]hcl.Range,
	derived map[string]bool) hcl.Diagnostics {
	name := b.Labels[0]
	decl := e.mod.variable(b)
	diags := slices.Clip(decl.diags)
	v, given := inputs[name]
	// Terraform: a null argument sets a nullable variable (the default)
	// to null, whatever its default; only nullable = false falls back to
	// the default
	if given && v.IsNull() && decl.nullable {
		if decl.ty != cty.NilType {
			v = cty.NullVal(decl.ty)
		}
		e.vars[name] = v
		return diags
	}
	if !given || v.IsNull() {
		// the default's value is the same in every instance of the module
		def := decl.defaultValue(b)
		diags = append(diags, def.diags...)
		e.vars[name] = def.v
		if def.unset {
			e.varsUnset[name] = true
		} else if !given && e.depth == 0 {
			e.defaulted[name] = true
		}
		if def.why != "" {
			e.varsWhy[name] = def.why
		}
		return diags
	}
	if decl.ty == cty.NilType {
		e.vars[name] = v
		return diags
	}
	// Terraform converts a module argument or a default to the declared
	// type even when parts of it are unknown, so that conditionals over
	// it see one type on both sides.
	if decl.defaults != nil {
		v = decl.defaults.Apply(v)
	}
	cv, err := convert.Convert(v, decl.ty)
	if err != nil && derived[name] {
		cv, err = convert.Convert(withMissingUnknown(v, decl.ty), decl.ty)
	}
	if err != nil {
		// Terraform refuses the value: an input error where it is given
		subject, where := b.DefRange, "its default"
		if o, ok := origins[name]; ok {
			subject, where = o, "the value given"
		}
		d, why := invalidValue(name, subject, where, decl.ty, err)
		e.vars[name] = cty.DynamicVal
		e.varsWhy[name] = why
		return append(diags, d)
	}
	e.vars[name] = cv
	return diags
}

// invalidValue is the error for a value Terraform refuses for variable
// name, and why the variable is then undetermined.
func invalidValue(name string, subject hcl.Range, where string, ty cty.Type, err error) (*hcl.Diagnostic, string) {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("Invalid value for variable %q", name),
		Detail: fmt.Sprintf("%s is not a %s: %s", where, ty.FriendlyNameForConstraint(), err.Error())}
	if subject.Start.Line > 0 {
		d.Subject = &subject
	} else {
		d.Detail = subject.Filename + ": " + d.Detail
	}
	return d, "is invalid (" + d.Detail + ")"
}

// variableDecl is what a variable block declares, read once per module
// rather than once per instance: a module repository's examples call a
// module declaring hundreds of variables, most left at their defaults.
type variableDecl struct {
	diags    hcl.Diagnostics // reading the block
	attrs    hcl.Attributes
	ty       cty.Type // cty.NilType: no type, or one that is not valid
	defaults *typeexpr.Defaults
	nullable bool
	def      sync.Once
	defVal   defaultValue
}

// defaultValue is a variable's value where no argument sets it: its
// default converted to its type, or unknown.
type defaultValue struct {
	v     cty.Value
	unset bool   // no default: the value is not determined
	why   string // the default is not a value of the type
	diags hcl.Diagnostics
}

// variable reads a variable block of m, once.
func (m *module) variable(b *hcl.Block) *variableDecl {
	m.declMu.Lock()
	defer m.declMu.Unlock()
	if d, ok := m.vars[b]; ok {
		return d
	}
	content, _, diags := b.Body.PartialContent(variableSchema)
	d := &variableDecl{diags: diags, attrs: content.Attributes, ty: cty.NilType, nullable: nullable(content.Attributes)}
	if t, ok := d.attrs["type"]; ok {
		ty, defaults, td := typeexpr.TypeConstraintWithDefaults(t.Expr)
		if !td.HasErrors() {
			d.ty, d.defaults = ty, defaults
		}
	}
	if m.vars == nil {
		m.vars = map[*hcl.Block]*variableDecl{}
	}
	m.vars[b] = d
	return d
}

// defaultValue evaluates and converts the default of the variable b
// declares, once.
func (d *variableDecl) defaultValue(b *hcl.Block) defaultValue {
	d.def.Do(func() {
		out := &d.defVal
		var v cty.Value
		if def, ok := d.attrs["default"]; ok {
			dv, diags := def.Expr.Value(nil)
			out.diags = diags
			if !diags.HasErrors() {
				v = dv
			}
		}
		if v == cty.NilVal {
			out.v, out.unset = cty.DynamicVal, true
			return
		}
		if d.ty == cty.NilType {
			out.v = v
			return
		}
		if d.defaults != nil {
			v = d.defaults.Apply(v)
		}
		cv, err := convert.Convert(v, d.ty)
		if err != nil {
			diag, why := invalidValue(b.Labels[0], b.DefRange, "its default", d.ty, err)
			out.diags = append(out.diags, diag)
			out.v, out.why = cty.DynamicVal, why
			return
		}
		out.v = cv
	})
	return d.defVal
}

// nullable reads a variable's nullable argument (true unless it is false).
func nullable(attrs hcl.Attributes) bool {
	a, ok := attrs["nullable"]
	if !ok {
		return true
	}
	v, d := a.Expr.Value(nil)
	return d.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.Bool || v.True()
}

// withMissingUnknown returns v with the attributes that object types in ty
// require and v's objects lack added as unknown values, at any depth of
// objects, maps, lists, sets and tuples; anything else is v as it is.
func withMissingUnknown(v cty.Value, ty cty.Type) cty.Value {
	if !v.IsKnown() || v.IsNull() {
		return v
	}
	vt := v.Type()
	switch {
	case ty.IsObjectType() && (vt.IsObjectType() || vt.IsMapType()):
		attrs := v.AsValueMap()
		if attrs == nil {
			attrs = map[string]cty.Value{}
		}
		for name, at := range ty.AttributeTypes() {
			if a, ok := attrs[name]; ok {
				attrs[name] = withMissingUnknown(a, at)
			} else if !ty.AttributeOptional(name) {
				attrs[name] = cty.UnknownVal(at)
			}
		}
		return cty.ObjectVal(attrs)
	case (ty.IsListType() || ty.IsSetType()) && (vt.IsTupleType() || vt.IsListType() || vt.IsSetType()):
		var out []cty.Value
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			out = append(out, withMissingUnknown(ev, ty.ElementType()))
		}
		if len(out) == 0 {
			return v
		}
		return cty.TupleVal(out)
	case ty.IsMapType() && (vt.IsObjectType() || vt.IsMapType()):
		attrs := v.AsValueMap()
		for k, ev := range attrs {
			attrs[k] = withMissingUnknown(ev, ty.ElementType())
		}
		if len(attrs) == 0 {
			return v
		}
		return cty.ObjectVal(attrs)
	case ty.IsTupleType() && (vt.IsTupleType() || vt.IsListType()) && v.LengthInt() == len(ty.TupleElementTypes()):
		var out []cty.Value
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			_, ev := it.Element()
			out = append(out, withMissingUnknown(ev, ty.TupleElementTypes()[i]))
		}
		if len(out) == 0 {
			return v
		}
		return cty.TupleVal(out)
	}
	return v
}

// parseVarValue reads a --var value as Terraform does: an HCL expression where
// one parses (lists, maps, numbers), else the literal string.
func parseVarValue(raw, name string) (cty.Value, hcl.Diagnostics) {
	expr, diags := hclsyntax.ParseExpression([]byte(raw), "--var "+name, hcl.InitialPos)
	if !diags.HasErrors() {
		if v, d := expr.Value(nil); !d.HasErrors() {
			return v, nil
		}
	}
	return cty.StringVal(raw), nil
}

// addData records a data source. Reading it needs AWS, so of its attributes
// only the id (and arn) are given, as a symbolic reference to the data
// source: a group or prefix list looked up by a data source is analysed
// under that name.
func (e *evaluator) addData(b *hcl.Block) {
	typ, name := b.Labels[0], b.Labels[1]
	content, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: attrSchema("count", "for_each")})
	if e.data == nil {
		e.data = map[string]map[string]*resourceDecl{}
	}
	if e.data[typ] == nil {
		e.data[typ] = map[string]*resourceDecl{}
	}
	d := &resourceDecl{typ: "data." + typ, name: name, block: b, data: true, attrsRead: true}
	if content != nil {
		d.attrs = content.Attributes
	}
	e.data[typ][name] = d
}

// dataObject is what data evaluates to: every data source of the module.
func (e *evaluator) dataObject() cty.Value {
	if e.dataVal != cty.NilVal {
		return e.dataVal
	}
	if e.busy["data"] {
		return cty.DynamicVal
	}
	e.busy["data"] = true
	defer delete(e.busy, "data")
	types := map[string]cty.Value{}
	for _, typ := range slices.Sorted(maps.Keys(e.data)) {
		byName := e.data[typ]
		obj := map[string]cty.Value{}
		for _, name := range slices.Sorted(maps.Keys(byName)) {
			obj[name] = e.resourceValue(byName[name])
		}
		types[typ] = cty.ObjectVal(obj)
	}
	e.dataVal = cty.ObjectVal(types)
	return e.dataVal
}

// withData adds data source typ.name, when declared, to prev, an object
// of data sources by type and name (cty.NilVal: none yet).
func (e *evaluator) withData(prev cty.Value, typ, name string) cty.Value {
	types := map[string]cty.Value{}
	if prev != cty.NilVal && prev.Type().IsObjectType() && prev.LengthInt() > 0 {
		types = prev.AsValueMap()
	}
	if d := e.data[typ][name]; d != nil {
		names := map[string]cty.Value{}
		if p, ok := types[typ]; ok && p.LengthInt() > 0 {
			names = p.AsValueMap()
		}
		names[name] = e.resourceValue(d)
		types[typ] = cty.ObjectVal(names)
	}
	return cty.ObjectVal(types)
}

func (e *evaluator) addResource(b *hcl.Block) {
	typ, name := b.Labels[0], b.Labels[1]
	if e.resources[typ] == nil {
		e.resources[typ] = map[string]*resourceDecl{}
	}
	e.resources[typ][name] = &resourceDecl{typ: typ, name: name, block: b}
}

// local evaluates a local value once.
func (e *evaluator) local(name string) cty.Value {
	if v, ok := e.localVals[name]; ok {
		return v
	}
	attr, ok := e.locals[name]
	key := "local." + name
	if !ok {
		return cty.DynamicVal
	}
	if e.busy[key] {
		e.cycles++
		e.localCycle(name)
		return cty.DynamicVal
	}
	e.busy[key] = true
	e.localStack = append(e.localStack, name)
	ctx := e.ctxFor(attr.Expr, nil)
	v, diags := attr.Expr.Value(ctx)
	e.localStack = e.localStack[:len(e.localStack)-1]
	delete(e.busy, key)
	e.world.fileErrors(diags)
	if diags.HasErrors() {
		e.evalErrors(attr.Expr, ctx, diags)
		v = cty.DynamicVal
	} else if tooLarge(v) {
		e.report(tooLargeAt(attr.Expr.Range(), "local."+name))
		v = cty.DynamicVal
	}
	e.localVals[name] = v
	return v
}

// localCycle reports a local that refers to itself, with the chain, at the
// local's definition.
func (e *evaluator) localCycle(name string) {
	start := 0
	for i, n := range e.localStack {
		if n == name {
			start = i
			break
		}
	}
	chain := append(append([]string(nil), e.localStack[start:]...), name)
	for i := range chain {
		chain[i] = "local." + chain[i]
	}
	r := e.locals[name].Range
	e.world.diags = append(e.world.diags, model.Diagnostic{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column,
		Message: "local." + name + " refers to itself: " + strings.Join(chain, " → ")})
}

// evalErrors reports the errors of an expression whose references are all
// determined: the configuration itself is wrong (a failing function, a
// type error), as Terraform would say. Errors caused by what the input does
// not determine are not errors: the value is unknown.
func (e *evaluator) evalErrors(expr hcl.Expression, ctx *hcl.EvalContext, diags hcl.Diagnostics) bool {
	if mentionsUnknown(expr, ctx) {
		return false
	}
	for _, d := range diags {
		switch {
		case d.Severity != hcl.DiagError:
		case strings.Contains(d.Detail, escapeMarker):
			return true // reported by fileErrors
		case strings.Contains(d.Detail, missingMarker):
			// a file not in the tree, which the build may make: the value
			// is not determined (exprCause names the file)
			return false
		case d.Summary == "Unsupported attribute":
			// resources and data sources carry only the attributes sgcheck
			// models: another one is unknown, not an error
			return false
		}
	}
	if root := e.defaultedRoot(expr); root != "" {
		// a root variable left at its default: a deployment gives root
		// variables their values (tfvars, -var, a wrapper such as
		// Terragrunt or Atmos), so the configuration fails only as read
		// here, without them; the value is undetermined
		for _, d := range convertDiags(diags) {
			msg := d.Message + " (" + withDefault(root) + "; the value is left undetermined)" + e.instanceNote()
			if e.ifCreated != "" {
				msg += " (if " + e.ifCreated + " is created)"
			}
			e.world.warnAt(d.File, d.Line, msg)
		}
		return false
	}
	e.report(convertDiags(diags))
	return true
}

// withDefault says that a root variable was read at its default.
func withDefault(root string) string {
	return "with " + root + " at its default: no value is given for it by --var, --var-file, a .tfvars file or TF_VAR_"
}

// instanceNote names the module instance a message is about, where it is
// not a root.
func (e *evaluator) instanceNote() string {
	if e.parent == nil {
		return ""
	}
	return " (in " + strings.TrimSuffix(e.prefix, ".") + ")"
}

// defaultedRoot names a root variable left at its default (evaluator
// defaulted) that expr reads: itself, through locals, or through the
// arguments of the module calls that made this instance. "" when none.
func (e *evaluator) defaultedRoot(expr hcl.Expression) string {
	type read struct {
		e    *evaluator
		name string
	}
	seen := map[read]bool{}
	var walk func(e *evaluator, expr hcl.Expression) string
	walk = func(e *evaluator, expr hcl.Expression) string {
		for _, t := range expr.Variables() {
			name := attrName(t, 1)
			r := read{e, t.RootName() + "." + name}
			if name == "" || seen[r] {
				continue
			}
			seen[r] = true
			switch t.RootName() {
			case "var":
				if e.defaulted[name] {
					return "var." + name
				}
				if a := e.callArgs[name]; a != nil && e.parent != nil {
					if root := walk(e.parent, a.Expr); root != "" {
						return root
					}
				}
			case "local":
				if a := e.locals[name]; a != nil {
					if root := walk(e, a.Expr); root != "" {
						return root
					}
				}
			}
		}
		return ""
	}
	return walk(e, expr)
}

// report records errors in the module instance's configuration, naming
// the instance where it is not a root. In an
// instance whose existence the input does not determine (a module call's
// count or for_each is not known), Terraform fails only if it is created:
// there they are warnings that say so.
func (e *evaluator) report(diags []model.Diagnostic) {
	if e.ifCreated == "" {
		// a module's file is evaluated once per instance, with that
		// instance's arguments: name the one that fails
		for i := range diags {
			diags[i].Message += e.instanceNote()
		}
		e.world.diags = append(e.world.diags, diags...)
		return
	}
	for _, d := range diags {
		e.world.warnAt(d.File, d.Line, fmt.Sprintf("%s (if %s is created: its count or for_each is not determined by the input)",
			d.Message, e.ifCreated))
	}
}

// instances expands a resource's count or for_each. ok is false when the
// expansion is unknown.
func (e *evaluator) instances(d *resourceDecl) (out []instance, why string) {
	return e.expand(d.address(), d.attributes())
}

// expand evaluates the count or for_each of a resource or module call.
// Where the configuration does not determine it, the instances are
// conditional: where every way the expression can go is known (cond ? n : 0,
// a local holding such a conditional, a for expression filtered by an
// unknown condition) they are the largest of them, addressed x[0?] or
// x["k"?]; otherwise one instance x[?] with count.index or each.key unknown.
// why says what is not determined. why without instances means the
// expansion is unusable.
func (e *evaluator) expand(address string, attrs hcl.Attributes) (out []instance, why string) {
	if a, ok := attrs["count"]; ok {
		ctx := e.ctxFor(a.Expr, nil)
		v, diags := a.Expr.Value(ctx)
		e.world.fileErrors(diags)
		if diags.HasErrors() && e.evalErrors(a.Expr, ctx, diags) {
			return nil, invalidExpansion + "count cannot be evaluated"
		}
		if diags.HasErrors() || !v.IsWhollyKnown() {
			why = "count " + e.unknownReason(a.Expr, nil)
			if b, ok := e.bound(a.Expr, 0); ok {
				if out, err := countInstances(address, b, true); err == "" {
					return out, why
				}
			}
			return conditional(address, true), why
		}
		out, err := countInstances(address, v, false)
		e.invalidExpansion(a, err)
		return out, err
	}
	if a, ok := attrs["for_each"]; ok {
		ctx := e.ctxFor(a.Expr, nil)
		v, diags := a.Expr.Value(ctx)
		e.world.fileErrors(diags)
		if diags.HasErrors() && e.evalErrors(a.Expr, ctx, diags) {
			return nil, invalidExpansion + "for_each cannot be evaluated"
		}
		if diags.HasErrors() || !forEachDetermined(v) {
			why = "for_each " + e.unknownReason(a.Expr, nil)
			if b, ok := e.bound(a.Expr, 0); ok {
				if out, err := forEachInstances(address, b, true); err == "" {
					return out, why
				}
			}
			return conditional(address, false), why
		}
		if emptyBeside(a.Expr, v, ctx) {
			v = cty.SetValEmpty(cty.String)
		}
		out, err := forEachInstances(address, v, false)
		e.invalidExpansion(a, err)
		if err == "" && !v.IsWhollyKnown() {
			partial := e.unknownReason(a.Expr, nil)
			for i := range out {
				if !out[i].vars["each"].IsWhollyKnown() {
					out[i].partial = partial
				}
			}
		}
		return out, err
	}
	return []instance{{addr: address}}, ""
}

// forEachDetermined reports whether a for_each value determines the
// instances: Terraform needs a map's keys (an object's attribute names),
// not its values, and every element of a set.
func forEachDetermined(v cty.Value) bool {
	if !v.IsKnown() {
		return false
	}
	if ty := v.Type(); ty.IsMapType() || ty.IsObjectType() {
		return true
	}
	return v.IsWhollyKnown()
}

// emptyBeside reports whether v, the value of expr, is the empty tuple of
// a conditional whose other result the input does not determine
// (cond ? [] : toset(data.x.ids)): Terraform, knowing the other result's
// type, makes [] an empty set of that type, so for_each has no instance;
// it is not the tuple for_each refuses.
func emptyBeside(expr hcl.Expression, v cty.Value, ctx *hcl.EvalContext) bool {
	if !v.Type().IsTupleType() || v.LengthInt() != 0 {
		return false
	}
	for {
		p, ok := expr.(*hclsyntax.ParenthesesExpr)
		if !ok {
			break
		}
		expr = p.Expression
	}
	c, ok := expr.(*hclsyntax.ConditionalExpr)
	if !ok {
		return false
	}
	t, _ := c.TrueResult.Value(ctx)
	f, _ := c.FalseResult.Value(ctx)
	return !t.IsWhollyKnown() || !f.IsWhollyKnown()
}

func countInstances(address string, v cty.Value, cond bool) ([]instance, string) {
	if v.IsNull() {
		return nil, invalidExpansion + "count is null"
	}
	n, msg := intIn(v, 0, maxInstances, "count")
	if msg != "" {
		return nil, invalidExpansion + msg
	}
	mark := ""
	if cond {
		mark = "?"
	}
	var out []instance
	for i := int64(0); i < int64(n); i++ {
		iv := cty.NumberIntVal(i)
		out = append(out, instance{
			addr:        fmt.Sprintf("%s[%d%s]", address, i, mark),
			vars:        map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": iv})},
			key:         iv,
			conditional: cond,
		})
	}
	return out, ""
}

func forEachInstances(address string, v cty.Value, cond bool) ([]instance, string) {
	if v.IsNull() {
		return nil, invalidExpansion + "for_each is null"
	}
	ty := v.Type()
	if !(ty.IsMapType() || ty.IsObjectType() || ty.IsSetType()) {
		return nil, invalidExpansion + "for_each must be a map or a set of strings, not " + ty.FriendlyName()
	}
	if v.LengthInt() > maxInstances {
		return nil, fmt.Sprintf("%sfor_each has %d elements, more than the %d instances sgcheck analyses", invalidExpansion,
			v.LengthInt(), maxInstances)
	}
	mark := ""
	if cond {
		mark = "?"
	}
	var out []instance
	for it := v.ElementIterator(); it.Next(); {
		k, val := it.Element()
		if ty.IsSetType() {
			k = val
		}
		ks, err := convert.Convert(k, cty.String)
		if err != nil || ks.IsNull() || !ks.IsKnown() {
			return nil, invalidExpansion + "a for_each key is not a string"
		}
		out = append(out, instance{
			addr:        fmt.Sprintf("%s[%q%s]", address, ks.AsString(), mark),
			vars:        map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": ks, "value": val})},
			key:         ks,
			conditional: cond,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].addr < out[j].addr })
	return out, ""
}

// bound returns the largest value a count or for_each expression can take
// when the configuration does not determine which it takes: the larger
// branch of a conditional whose condition is unknown (through locals), or a
// for expression without its unknown filter.
func (e *evaluator) bound(expr hcl.Expression, depth int) (cty.Value, bool) {
	if depth > 8 {
		return cty.NilVal, false
	}
	v, diags := expr.Value(e.ctxFor(expr, nil))
	if !diags.HasErrors() && v.IsWhollyKnown() {
		return v, true
	}
	switch x := expr.(type) {
	case *hclsyntax.ConditionalExpr:
		a, ok1 := e.bound(x.TrueResult, depth+1)
		b, ok2 := e.bound(x.FalseResult, depth+1)
		if ok1 && ok2 {
			return widest(a, b)
		}
	case *hclsyntax.ParenthesesExpr:
		return e.bound(x.Expression, depth+1)
	case *hclsyntax.ScopeTraversalExpr:
		if x.Traversal.RootName() == "local" && len(x.Traversal) == 2 {
			if attr, ok := e.locals[attrName(x.Traversal, 1)]; ok {
				return e.bound(attr.Expr, depth+1)
			}
		}
	case *hclsyntax.ForExpr:
		if x.CondExpr != nil {
			all := *x
			all.CondExpr = nil
			return e.bound(&all, depth+1)
		}
	}
	return cty.NilVal, false
}

// widest is the larger of two possible counts, or the union of two possible
// for_each collections.
func widest(a, b cty.Value) (cty.Value, bool) {
	if a.IsNull() {
		return b, !b.IsNull()
	}
	if b.IsNull() {
		return a, true
	}
	if an, err := convert.Convert(a, cty.Number); err == nil {
		if bn, err := convert.Convert(b, cty.Number); err == nil {
			if an.GreaterThan(bn).True() {
				return an, true
			}
			return bn, true
		}
	}
	if !a.CanIterateElements() || !b.CanIterateElements() {
		return cty.NilVal, false
	}
	if b.LengthInt() == 0 {
		return a, true
	}
	if a.LengthInt() == 0 {
		return b, true
	}
	at, bt := a.Type(), b.Type()
	if (at.IsObjectType() || at.IsMapType()) && (bt.IsObjectType() || bt.IsMapType()) {
		m := b.AsValueMap()
		for k, v := range a.AsValueMap() {
			m[k] = v
		}
		return cty.ObjectVal(m), true
	}
	if at.IsSetType() && bt.IsSetType() {
		vals := append(a.AsValueSlice(), b.AsValueSlice()...)
		if s, err := convert.Convert(cty.TupleVal(vals), cty.Set(cty.String)); err == nil {
			return s, true
		}
	}
	return cty.NilVal, false
}

// invalidExpansion reports an invalid count or for_each as an input error
// at its expression, once per location.
func (e *evaluator) invalidExpansion(a *hcl.Attribute, why string) {
	if !strings.HasPrefix(why, invalidExpansion) {
		return
	}
	r := a.Expr.Range()
	e.report([]model.Diagnostic{{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column,
		Message: strings.TrimPrefix(why, invalidExpansion)}})
}

// conditional is the one instance that stands for an undetermined count or
// for_each.
func conditional(address string, count bool) []instance {
	in := instance{addr: address + ConditionalKey, conditional: true}
	if count {
		in.key = cty.UnknownVal(cty.Number)
		in.vars = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": in.key})}
	} else {
		in.key = cty.UnknownVal(cty.String)
		in.vars = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": in.key, "value": cty.DynamicVal})}
	}
	return []instance{in}
}

// ConditionalKey ends the address of a conditional instance.
const ConditionalKey = "[?]"

// invalidExpansion starts the why of a count or for_each that is determined
// and invalid: an input error at the expression, not a warning.
const invalidExpansion = "invalid: "

// maxInstances bounds count and for_each so that a hostile input cannot make
// the analysis run without end.
const maxInstances = 10000

// resourceValue is what a reference to the resource evaluates to.
func (e *evaluator) resourceValue(d *resourceDecl) cty.Value {
	key := d.address()
	if v, ok := e.resVals[key]; ok {
		return v
	}
	if e.busy[key] {
		e.cycles++
		return cty.DynamicVal
	}
	e.busy[key] = true
	defer delete(e.busy, key)
	insts, why := e.instances(d)
	var v cty.Value
	switch {
	case len(insts) == 1 && insts[0].conditional && !insts[0].key.IsKnown() && insts[0].key.Type() == cty.Number:
		// a conditional count: references such as x[0].id, x[*].id or
		// one(x[*].id) reach the conditional instance
		v = cty.TupleVal([]cty.Value{e.instanceValue(d, insts[0])})
	case len(insts) == 1 && insts[0].conditional && !insts[0].key.IsKnown():
		v = cty.DynamicVal // for_each keys not known
	case len(insts) == 0 && why != "":
		v = cty.DynamicVal
	case len(insts) == 1 && insts[0].key == cty.NilVal:
		v = e.instanceValue(d, insts[0])
	case len(insts) == 0:
		v = cty.EmptyTupleVal
		if _, ok := d.attributes()["for_each"]; ok {
			v = cty.EmptyObjectVal
		}
	case insts[0].key.Type() == cty.Number:
		vals := make([]cty.Value, len(insts))
		for i, in := range insts {
			vals[i] = e.instanceValue(d, in)
		}
		v = cty.TupleVal(vals)
	default:
		m := map[string]cty.Value{}
		for _, in := range insts {
			m[in.key.AsString()] = e.instanceValue(d, in)
		}
		v = cty.ObjectVal(m)
	}
	e.resVals[key] = v
	return v
}

func (e *evaluator) instanceValue(d *resourceDecl, in instance) cty.Value {
	ref := cty.StringVal(refPrefix + e.prefix + in.addr)
	attrs := map[string]cty.Value{"id": ref, "arn": ref}
	if d.data {
		return cty.ObjectVal(attrs)
	}
	if d.typ == "aws_vpc" {
		// what a VPC creates with it, as symbolic references
		for _, a := range []string{"default_network_acl_id", "default_security_group_id", "default_route_table_id",
			"main_route_table_id"} {
			attrs[a] = cty.StringVal(refPrefix + e.prefix + in.addr + "." + a)
		}
	}
	if d.typ == "aws_vpc_endpoint" {
		// a gateway endpoint's prefix list: a symbolic prefix-list peer
		attrs["prefix_list_id"] = cty.StringVal(refPrefix + e.prefix + in.addr + ".prefix_list_id")
	}
	for _, name := range refAttrs {
		attrs[name] = cty.DynamicVal
		if a, ok := d.attributes()[name]; ok {
			if v, ok := literalString(a.Expr); ok {
				attrs[name] = v
				continue
			}
			if v, diags := a.Expr.Value(e.ctxFor(a.Expr, in.vars)); !diags.HasErrors() && !tooLarge(v) {
				attrs[name] = v
			}
		}
	}
	if _, ok := d.attributes()["name"]; !ok && d.typ == "aws_launch_configuration" {
		// a launch configuration's id is its name, generated when not set:
		// an Auto Scaling group names it by either
		attrs["name"] = ref
	}
	return cty.ObjectVal(attrs)
}

// isLiteral reports whether expr is a literal or a string template of
// literal parts only ("vpc-0a1b2c3d"), whose value needs no context.
func isLiteral(expr hcl.Expression) bool {
	switch x := expr.(type) {
	case *hclsyntax.LiteralValueExpr:
		return true
	case *hclsyntax.TemplateExpr:
		for _, p := range x.Parts {
			if _, ok := p.(*hclsyntax.LiteralValueExpr); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// literalString is the value of a string template of literal parts only
// ("tcp"), the value hclsyntax's TemplateExpr.Value gives it, made without
// its buffer, marks and refinement; ok is false for any other expression.
func literalString(expr hcl.Expression) (v cty.Value, ok bool) {
	te, ok := expr.(*hclsyntax.TemplateExpr)
	if !ok {
		return cty.NilVal, false
	}
	var s string
	for _, p := range te.Parts {
		lit, ok := p.(*hclsyntax.LiteralValueExpr)
		if !ok || lit.Val.IsMarked() || !lit.Val.IsKnown() || lit.Val.IsNull() || lit.Val.Type() != cty.String {
			return cty.NilVal, false
		}
		s += lit.Val.AsString()
	}
	return cty.StringVal(s), true
}

// variables is expr.Variables(), without walking the expressions whose
// answer is plain: none for a literal, its own traversal for a reference.
func variables(expr hcl.Expression) []hcl.Traversal {
	switch x := expr.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		return []hcl.Traversal{x.Traversal}
	case *hclsyntax.LiteralValueExpr, *hclsyntax.TemplateExpr:
		if isLiteral(expr) {
			return nil
		}
	}
	return expr.Variables()
}

// ctxFor builds an evaluation context holding just what expr refers to.
func (e *evaluator) ctxFor(expr hcl.Expression, extra map[string]cty.Value) *hcl.EvalContext {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: e.funcs()}
	for k, v := range extra {
		ctx.Variables[k] = v
	}
	for _, t := range variables(expr) {
		root := t.RootName()
		if _, done := ctx.Variables[root]; done && root != "local" && root != "module" && root != "data" && e.resources[root] == nil {
			continue
		}
		switch {
		case root == "var":
			ctx.Variables["var"] = e.varObject()
		case root == "local":
			name := attrName(t, 1)
			if name == "" {
				continue
			}
			obj := map[string]cty.Value{}
			if prev, ok := ctx.Variables["local"]; ok {
				obj = prev.AsValueMap()
			}
			obj[name] = e.local(name)
			ctx.Variables["local"] = cty.ObjectVal(obj)
		case root == "module":
			name := attrName(t, 1)
			if _, ok := e.modCalls[name]; !ok {
				ctx.Variables[root] = cty.DynamicVal
				continue
			}
			obj := map[string]cty.Value{}
			if prev, ok := ctx.Variables[root]; ok && prev.Type().IsObjectType() {
				obj = prev.AsValueMap()
			}
			obj[name] = e.moduleValue(name)
			ctx.Variables[root] = cty.ObjectVal(obj)
		case e.resources[root] != nil:
			name := attrName(t, 1)
			d := e.resources[root][name]
			if d == nil {
				continue
			}
			obj := map[string]cty.Value{}
			if prev, ok := ctx.Variables[root]; ok {
				obj = prev.AsValueMap()
			}
			obj[name] = e.resourceValue(d)
			ctx.Variables[root] = cty.ObjectVal(obj)
		case root == "data":
			// only the data sources referred to, as Terraform evaluates
			// them: evaluating all of them (their for_each may read the
			// local being evaluated) would report cycles that are not
			ctx.Variables[root] = e.withData(ctx.Variables[root], attrName(t, 1), attrName(t, 2))
		case root == "path":
			ctx.Variables[root] = e.pathValues()
		default:
			// module outputs, path, terraform, self and any
			// resource type not declared here: not determined by the
			// configuration.
			ctx.Variables[root] = cty.DynamicVal
		}
	}
	return ctx
}

// varObject is var, the module instance's variables: made on first use
// and kept, as the variables are all set once the evaluator is made (a
// module with hundreds of variables would otherwise make the object again
// for each expression that reads one).
func (e *evaluator) varObject() cty.Value {
	if !e.varMade {
		e.varObj, e.varMade = cty.ObjectVal(e.vars), true
	}
	return e.varObj
}

// fullContext holds every variable, local and resource of the module; it is
// used for resource bodies, whose dynamic blocks hide their references.
func (e *evaluator) fullContext() *hcl.EvalContext {
	if e.full != nil {
		return e.full
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: e.funcs()}
	ctx.Variables["var"] = e.varObject()
	// in name order: evaluating one may report an error (a cycle names
	// where it was entered), and reports must not depend on map order
	locals := map[string]cty.Value{}
	for _, name := range slices.Sorted(maps.Keys(e.locals)) {
		locals[name] = e.local(name)
	}
	ctx.Variables["local"] = cty.ObjectVal(locals)
	e.readLazyAttributes()
	for _, typ := range slices.Sorted(maps.Keys(e.resources)) {
		byName := e.resources[typ]
		obj := map[string]cty.Value{}
		for _, name := range slices.Sorted(maps.Keys(byName)) {
			obj[name] = e.resourceValue(byName[name])
		}
		ctx.Variables[typ] = cty.ObjectVal(obj)
	}
	mods := map[string]cty.Value{}
	for _, name := range slices.Sorted(maps.Keys(e.modCalls)) {
		mods[name] = e.moduleValue(name)
	}
	ctx.Variables["module"] = cty.ObjectVal(mods)
	ctx.Variables["data"] = e.dataObject()
	ctx.Variables["path"] = e.pathValues()
	for _, root := range []string{"terraform"} {
		ctx.Variables[root] = cty.DynamicVal
	}
	e.full = ctx
	return ctx
}

// readLazyAttributes reads, on every processor, the instance attributes
// (resourceDecl.attributes) of the lazily parsed resources not read yet
// whose value is not known yet (a follower is given some, seedValues):
// each is read from its own lines, independently of the others, and the
// evaluation context needs all of them before the first resource is
// extracted, while the blocks' background parsing waits for it.
func (e *evaluator) readLazyAttributes() {
	var decls []*resourceDecl
	for _, byName := range e.resources {
		for _, d := range byName {
			if _, ok := d.block.Body.(*lazyBody); ok && !d.attrsRead {
				if _, seeded := e.resVals[d.address()]; !seeded {
					decls = append(decls, d)
				}
			}
		}
	}
	const chunk = 64
	parallel.Each((len(decls)+chunk-1)/chunk, func(k int) {
		for _, d := range decls[k*chunk : min((k+1)*chunk, len(decls))] {
			d.attributes()
		}
	})
}

func attrName(t hcl.Traversal, i int) string {
	if len(t) <= i {
		return ""
	}
	if a, ok := t[i].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// unknownReason names the first reference in expr whose value the
// configuration does not determine, and its root cause: the unset variable,
// the module that is not analysed, the data source, the function sgcheck
// does not evaluate.
func (e *evaluator) unknownReason(expr hcl.Expression, ctx *hcl.EvalContext) string {
	if f := absentCall(expr); f != "" {
		return "uses " + f + "(), which sgcheck does not evaluate: " + absentReason(f)
	}
	if ctx == nil {
		ctx = e.ctxFor(expr, nil)
	}
	if t, ok := firstUndetermined(expr, ctx); ok {
		name := traversalString(t)
		root, why := e.cause(t, 0)
		if root == name || root == "" {
			return "depends on " + name + ", which " + why
		}
		return "depends on " + name + ", which depends on " + root + ", which " + why
	}
	if root := e.defaultedRoot(expr); root != "" {
		return "cannot be evaluated " + withDefault(root)
	}
	return "cannot be evaluated"
}

// firstUndetermined returns the first reference in expr whose value is not
// wholly known or, failing that, the first one holding what a resource is
// known by after apply, which makes an expression fail that Terraform
// would leave unknown (mentionsUnknown).
func firstUndetermined(expr hcl.Expression, ctx *hcl.EvalContext) (hcl.Traversal, bool) {
	for _, refs := range []bool{false, true} {
		for _, t := range expr.Variables() {
			v, diags := t.TraverseAbs(ctx)
			if diags.HasErrors() || !v.IsWhollyKnown() || (refs && undetermined(v)) {
				return t, true
			}
		}
	}
	return nil, false
}

// cause follows an undetermined reference to what makes it undetermined.
func (e *evaluator) cause(t hcl.Traversal, depth int) (root, why string) {
	name := traversalString(t)
	if depth > 12 {
		return name, "the configuration does not determine"
	}
	switch r := t.RootName(); {
	case r == "var":
		v := attrName(t, 1)
		if e.varsUnset[v] {
			return "var." + v, "has no default or value"
		}
		if w, ok := e.varsWhy[v]; ok {
			return "var." + v, "is given a value that " + w
		}
	case r == "local":
		attr, ok := e.locals[attrName(t, 1)]
		if !ok {
			return name, "is not declared"
		}
		return e.exprCause(attr.Expr, "local."+attrName(t, 1), depth)
	case r == "module":
		m := attrName(t, 1)
		b, ok := e.modCalls[m]
		if !ok {
			return "module." + m, "is not declared"
		}
		if _, why := e.resolveModule(m, b); why != "" {
			return "module." + m, "is not analysed: " + why
		}
		out := attrName(t, 2)
		if children := e.children[m]; len(children) == 1 && out != "" {
			c := children[0]
			if a, ok := c.outputs[out]; ok {
				return c.exprCause(a.Expr, "module."+m+"."+out, depth)
			}
		}
	case r == "data":
		return name, "is read from AWS by a data source"
	case r == "each" && e.each != "":
		return name, "comes from the for_each value, which " + e.each
	case r == "count" || r == "each":
		return name, "belongs to a conditional instance"
	case e.resources[r] != nil:
		if d := e.resources[r][attrName(t, 1)]; d != nil && !e.busy["cause:"+d.address()] {
			e.busy["cause:"+d.address()] = true
			_, why := e.instances(d)
			delete(e.busy, "cause:"+d.address())
			if why != "" {
				return r + "." + attrName(t, 1), "is conditional: its " + why
			}
			return name, "is known only after apply"
		}
		if e.resources[r][attrName(t, 1)] == nil && attrName(t, 1) != "" {
			// Terraform refuses the reference: no such resource
			return name, "names a resource not declared in this module"
		}
	}
	return name, "the configuration does not determine"
}

// exprCause is the cause of an undetermined expression named name.
func (e *evaluator) exprCause(expr hcl.Expression, name string, depth int) (string, string) {
	if f := absentCall(expr); f != "" {
		return name, "uses " + f + "(), which sgcheck does not evaluate: " + absentReason(f)
	}
	ctx := e.ctxFor(expr, nil)
	for _, t := range expr.Variables() {
		v, diags := t.TraverseAbs(ctx)
		if diags.HasErrors() || !v.IsWhollyKnown() {
			return e.cause(t, depth+1)
		}
	}
	if _, diags := expr.Value(ctx); diags.HasErrors() {
		if t, ok := firstUndetermined(expr, ctx); ok {
			return e.cause(t, depth+1)
		}
		msg := diags[0].Summary
		if diags[0].Detail != "" {
			msg += ": " + diags[0].Detail
		}
		if diags[0].Subject != nil {
			msg += fmt.Sprintf(" (%s:%d)", e.world.ownFile(diags[0].Subject.Filename), diags[0].Subject.Start.Line)
		}
		if root := e.defaultedRoot(expr); root != "" {
			msg += ", " + withDefault(root)
		}
		return name, "cannot be evaluated: " + msg
	}
	// evaluated, yet not determined: a function read the characters of
	// what a resource is known by only after apply (opaqueToRefs)
	if t, ok := firstUndetermined(expr, ctx); ok {
		return e.cause(t, depth+1)
	}
	return name, "the configuration does not determine"
}

// absentCall returns the first function expr calls that sgcheck does not
// evaluate.
func absentCall(expr hcl.Expression) string {
	found := ""
	if se, ok := expr.(hclsyntax.Expression); ok {
		hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
			if c, ok := n.(*hclsyntax.FunctionCallExpr); ok && found == "" {
				if absentReason(c.Name) != "" {
					found = c.Name
				}
			}
			return nil
		})
	}
	return found
}

// absentReason is why sgcheck does not evaluate the function name, or ""
// when it does: a built-in left out on purpose (under its own name or as
// core::NAME), or a provider-defined function.
func absentReason(name string) string {
	if strings.HasPrefix(name, "provider::") {
		return providerFuncReason
	}
	return absentFunctions[strings.TrimPrefix(name, "core::")]
}

func traversalString(t hcl.Traversal) string {
	var b strings.Builder
	for _, step := range t {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.String {
				fmt.Fprintf(&b, "[%q]", s.Key.AsString())
			} else if s.Key.Type() == cty.Number {
				fmt.Fprintf(&b, "[%s]", s.Key.AsBigFloat().Text('f', -1))
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

// conditionalWhat describes conditional instances for a warning.
func conditionalWhat(prefix string, insts []instance) string {
	switch {
	case len(insts) == 1 && !insts[0].key.IsKnown():
		return "one conditional instance " + prefix + insts[0].addr
	case len(insts) == 1:
		return "a conditional instance " + prefix + insts[0].addr + " (if created)"
	}
	return fmt.Sprintf("%d conditional instances (%s%s, …), each if created", len(insts), prefix, insts[0].addr)
}
