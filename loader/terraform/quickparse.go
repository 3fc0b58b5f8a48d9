package terraform

import (
	"bytes"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// quickBody reads src, a piece of a native syntax file starting at start,
// into the body hclsyntax.ParseConfig gives for it, without HCL's lexer,
// when src is written in the forms most configuration is written in:
// blocks with quoted or bare labels, one attribute per line, and values
// that are quoted strings without escapes or directives (interpolating
// the values read here), whole numbers, true, false, null, references
// (a.b.c), function calls, tuples, objects, operators and conditionals,
// with line comments, in printable ASCII without tabs or carriage returns
// (so that a column is a byte). The lexer, which makes a token of every
// symbol and measures every one in grapheme clusters, costs more than the
// tree; most resource blocks are read here in a fraction of that.
//
// It returns ok false, having built nothing the caller keeps, for
// anything else: other expressions (heredocs, for expressions, indexes,
// splats, parentheses), operators and conditionals across lines, block
// comments, one-line blocks with an attribute, and everything the parser
// would report a diagnostic for. The caller then parses src with
// hclsyntax, so the forms read here never decide what is valid. Tests
// compare the two on every configuration of the fixtures and the corpus
// and under fuzzing.
func quickBody(src []byte, name string, start hcl.Pos) (body *hclsyntax.Body, ok bool) {
	p := quickParser{src: src, name: name, base: start.Byte, line: start.Line, col0: start.Column}
	// the body's range starts at its first token; spaces are not tokens
	first := 0
	for first < len(src) && src[first] == ' ' {
		first++
	}
	from := p.pos(first)
	p.i = first
	// a line comment stands for the newline it ends with: one that ends
	// the file instead is no token
	lastComment := p.atComment() && bytes.IndexByte(src[first:], '\n') < 0
	p.i = 0
	body = &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, Blocks: hclsyntax.Blocks{}}
	if !p.items(body, true, 0) {
		return nil, false
	}
	end := p.pos(len(src))
	if lastComment {
		from = end
	}
	body.SrcRange = hcl.Range{Filename: name, Start: from, End: end}
	body.EndRange = hcl.Range{Filename: name, Start: end, End: end}
	return body, true
}

// quickReads counts the pieces the loader read with quickBody (for tests).
var quickReads atomic.Int64

// quickParser holds quickBody's place: i is the next byte, on line line,
// which starts at offset lineStart in column col0 (the start's column on
// the first line, 1 on the others).
type quickParser struct {
	src       []byte
	name      string
	base      int // the file offset of src[0]
	i         int
	line      int
	lineStart int
	col0      int
	end       hcl.Pos // the end of the last expression read
}

// quickMaxDepth bounds the nesting of blocks and of expressions read here;
// deeper ones are left to the parser.
const quickMaxDepth = 32

// pos is the position of offset off, which is on the current line.
func (p *quickParser) pos(off int) hcl.Pos {
	return hcl.Pos{Line: p.line, Column: p.col0 + off - p.lineStart, Byte: p.base + off}
}

func (p *quickParser) rng(a, b int) hcl.Range {
	return hcl.Range{Filename: p.name, Start: p.pos(a), End: p.pos(b)}
}

func (p *quickParser) span(from, to hcl.Pos) hcl.Range {
	return hcl.Range{Filename: p.name, Start: from, End: to}
}

// at reports whether the byte k after the next is c.
func (p *quickParser) at(k int, c byte) bool {
	return p.i+k < len(p.src) && p.src[p.i+k] == c
}

func (p *quickParser) spaces() {
	for p.i < len(p.src) && p.src[p.i] == ' ' {
		p.i++
	}
}

func (p *quickParser) newline() {
	p.i++
	p.line++
	p.lineStart, p.col0 = p.i, 1
}

// comment passes over a line comment (# or //) up to its newline; false
// when it holds a byte that is not printable ASCII.
func (p *quickParser) comment() bool {
	for p.i < len(p.src) && p.src[p.i] != '\n' {
		if c := p.src[p.i]; c < ' ' || c > '~' {
			return false
		}
		p.i++
	}
	return true
}

// atComment reports whether a line comment starts at the next byte.
func (p *quickParser) atComment() bool {
	return p.at(0, '#') || (p.at(0, '/') && p.at(1, '/'))
}

// atEquals reports whether the next byte is an equals sign, not the start
// of == or =>.
func (p *quickParser) atEquals() bool {
	return p.at(0, '=') && !p.at(1, '=') && !p.at(1, '>')
}

// lineEnds reports whether the line ends after spaces (a newline, a
// comment or the end of src), as an attribute or a block must.
func (p *quickParser) lineEnds() bool {
	p.spaces()
	return p.i >= len(p.src) || p.src[p.i] == '\n' || p.atComment()
}

// gap passes over what a bracketed list ignores: spaces, newlines and
// line comments.
func (p *quickParser) gap() bool {
	for p.i < len(p.src) {
		switch {
		case p.src[p.i] == ' ':
			p.i++
		case p.src[p.i] == '\n':
			p.newline()
		case p.atComment():
			if !p.comment() {
				return false
			}
		default:
			return true
		}
	}
	return true
}

// ident reads an identifier at the next byte and returns its end.
func (p *quickParser) ident() int {
	k := p.i + 1
	for k < len(p.src) && identByte(p.src[k]) {
		k++
	}
	p.i = k
	return k
}

// items reads body items up to the end of src (top) or to a closing brace,
// which it leaves unread; depth is the block nesting.
func (p *quickParser) items(body *hclsyntax.Body, top bool, depth int) bool {
	for {
		p.spaces()
		if p.i >= len(p.src) {
			return top
		}
		switch c := p.src[p.i]; {
		case c == '\n':
			p.newline()
		case p.atComment():
			if !p.comment() {
				return false
			}
		case c == '}':
			return !top
		case identStart(c):
			if !p.item(body, depth) {
				return false
			}
		default:
			return false
		}
	}
}

// item reads an attribute or a block.
func (p *quickParser) item(body *hclsyntax.Body, depth int) bool {
	a := p.i
	b := p.ident()
	name := string(p.src[a:b])
	nameRange := p.rng(a, b)
	p.spaces()
	if p.atEquals() {
		eq := p.rng(p.i, p.i+1)
		p.i++
		p.spaces()
		expr, ok := p.expr(0)
		if !ok || !p.lineEnds() {
			return false
		}
		if _, dup := body.Attributes[name]; dup {
			return false
		}
		body.Attributes[name] = &hclsyntax.Attribute{Name: name, Expr: expr,
			SrcRange: p.span(nameRange.Start, p.end), NameRange: nameRange, EqualsRange: eq}
		return true
	}
	if depth >= quickMaxDepth {
		return false
	}
	blk := &hclsyntax.Block{Type: name, TypeRange: nameRange}
	for !p.at(0, '{') {
		switch {
		case p.at(0, '"'):
			q := p.i
			end, ok := p.quoted()
			if !ok {
				return false
			}
			blk.Labels = append(blk.Labels, string(p.src[q+1:end-1]))
			blk.LabelRanges = append(blk.LabelRanges, p.rng(q, end))
		case p.i < len(p.src) && identStart(p.src[p.i]):
			l := p.i
			end := p.ident()
			blk.Labels = append(blk.Labels, string(p.src[l:end]))
			blk.LabelRanges = append(blk.LabelRanges, p.rng(l, end))
		default:
			return false
		}
		p.spaces()
	}
	blk.OpenBraceRange = p.rng(p.i, p.i+1)
	p.i++
	p.spaces()
	inner := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, Blocks: hclsyntax.Blocks{}}
	switch {
	case p.at(0, '}'):
	case p.at(0, '\n') || p.atComment():
		if !p.items(inner, false, depth+1) {
			return false
		}
	default:
		return false // a one-line block with an attribute, or an error
	}
	blk.CloseBraceRange = p.rng(p.i, p.i+1)
	p.i++
	inner.SrcRange = p.span(blk.OpenBraceRange.Start, blk.CloseBraceRange.End)
	inner.EndRange = p.span(blk.CloseBraceRange.End, blk.CloseBraceRange.End)
	blk.Body = inner
	if !p.lineEnds() {
		return false
	}
	body.Blocks = append(body.Blocks, blk)
	return true
}

// quoted reads a quoted string (a block label) of printable ASCII without
// escapes, template sequences, $$ or %% at the next byte and returns the
// offset after its closing quote.
func (p *quickParser) quoted() (int, bool) {
	k := p.i + 1
	for k < len(p.src) {
		c := p.src[k]
		if c == '"' {
			p.i = k + 1
			return k + 1, true
		}
		if c < ' ' || c > '~' || c == '\\' || ((c == '$' || c == '%') && k+1 < len(p.src) && (p.src[k+1] == '{' || p.src[k+1] == c)) {
			return 0, false
		}
		k++
	}
	return 0, false
}

// expr reads a value: terms joined by operators, or a conditional
// cond ? a : b of values, on one line; what follows it is for the caller
// to check.
func (p *quickParser) expr(depth int) (hclsyntax.Expression, bool) {
	cond, ok := p.binary(0, depth)
	if !ok {
		return nil, false
	}
	p.spaces()
	if !p.at(0, '?') {
		return cond, true
	}
	yes, ok := p.operand(depth)
	if !ok || !p.at(0, ':') {
		return nil, false
	}
	no, ok := p.operand(depth)
	if !ok {
		return nil, false
	}
	return &hclsyntax.ConditionalExpr{Condition: cond, TrueResult: yes, FalseResult: no,
		SrcRange: p.span(cond.Range().Start, no.Range().End)}, true
}

// operand reads the value after a conditional's ? or :, and the spaces
// around it.
func (p *quickParser) operand(depth int) (hclsyntax.Expression, bool) {
	p.i++
	p.spaces()
	e, ok := p.expr(depth + 1)
	p.spaces()
	return e, ok
}

// quickOps are the binary operators, by precedence from the lowest, as the
// parser has them (operators of one level associate to the left).
var quickOps = [][]struct {
	sym string
	op  *hclsyntax.Operation
}{
	{{"||", hclsyntax.OpLogicalOr}},
	{{"&&", hclsyntax.OpLogicalAnd}},
	{{"==", hclsyntax.OpEqual}, {"!=", hclsyntax.OpNotEqual}},
	{{">=", hclsyntax.OpGreaterThanOrEqual}, {"<=", hclsyntax.OpLessThanOrEqual},
		{">", hclsyntax.OpGreaterThan}, {"<", hclsyntax.OpLessThan}},
	{{"+", hclsyntax.OpAdd}, {"-", hclsyntax.OpSubtract}},
	{{"*", hclsyntax.OpMultiply}, {"/", hclsyntax.OpDivide}, {"%", hclsyntax.OpModulo}},
}

// binary reads operands joined by the operators of quickOps[level:], on one
// line.
func (p *quickParser) binary(level, depth int) (hclsyntax.Expression, bool) {
	if level == len(quickOps) {
		return p.unary(depth)
	}
	lhs, ok := p.binary(level+1, depth)
	for ok {
		p.spaces()
		op := p.operator(level)
		if op == nil {
			return lhs, true
		}
		p.spaces()
		var rhs hclsyntax.Expression
		if rhs, ok = p.binary(level+1, depth); ok {
			lhs = &hclsyntax.BinaryOpExpr{LHS: lhs, Op: op, RHS: rhs, SrcRange: p.span(lhs.Range().Start, rhs.Range().End)}
		}
	}
	return nil, false
}

// operator reads an operator of quickOps[level] at the next byte; nil for
// none (and for what only starts like one: a comment, a heredoc, a
// template directive).
func (p *quickParser) operator(level int) *hclsyntax.Operation {
	if p.i >= len(p.src) {
		return nil
	}
	rest := p.src[p.i:]
	switch {
	case bytes.HasPrefix(rest, []byte("//")), bytes.HasPrefix(rest, []byte("/*")),
		bytes.HasPrefix(rest, []byte("<<")), bytes.HasPrefix(rest, []byte("%{")):
		return nil
	}
	for _, o := range quickOps[level] {
		if bytes.HasPrefix(rest, []byte(o.sym)) {
			p.i += len(o.sym)
			return o.op
		}
	}
	return nil
}

// unary reads a term, or ! or - before one. Every expression read passes
// here, so the nesting is bounded here.
func (p *quickParser) unary(depth int) (hclsyntax.Expression, bool) {
	if depth >= quickMaxDepth {
		return nil, false
	}
	var op *hclsyntax.Operation
	switch {
	case p.at(0, '!'):
		op = hclsyntax.OpLogicalNot
	case p.at(0, '-'):
		op = hclsyntax.OpNegate
	default:
		return p.term(depth)
	}
	sym := p.rng(p.i, p.i+1)
	p.i++
	p.spaces()
	val, ok := p.unary(depth + 1)
	if !ok {
		return nil, false
	}
	return &hclsyntax.UnaryOpExpr{Op: op, Val: val, SrcRange: p.span(sym.Start, val.Range().End), SymbolRange: sym}, true
}

// term reads a quoted string, a whole number, true, false, null, a
// reference, a function call, a tuple or an object.
func (p *quickParser) term(depth int) (hclsyntax.Expression, bool) {
	if p.i >= len(p.src) {
		return nil, false
	}
	switch c := p.src[p.i]; {
	case c == '"':
		return p.template(depth)
	case isDigit(c):
		a := p.i
		for p.i < len(p.src) && isDigit(p.src[p.i]) {
			p.i++
		}
		v, err := cty.ParseNumberVal(string(p.src[a:p.i]))
		if err != nil {
			return nil, false
		}
		r := p.rng(a, p.i)
		p.end = r.End
		return &hclsyntax.LiteralValueExpr{Val: v, SrcRange: r}, true
	case identStart(c):
		return p.reference(depth)
	case c == '[':
		open := p.rng(p.i, p.i+1)
		p.i++
		exprs, closing, ok := p.list(']', depth)
		if !ok {
			return nil, false
		}
		return &hclsyntax.TupleConsExpr{Exprs: exprs, SrcRange: p.span(open.Start, closing.End), OpenRange: open}, true
	case c == '{':
		return p.object(depth)
	}
	return nil, false
}

// object reads an object constructor: items key = value (or key: value)
// separated by commas or newlines, where newlines count as they do in a
// body (a value ends at the end of its line).
func (p *quickParser) object(depth int) (hclsyntax.Expression, bool) {
	open := p.rng(p.i, p.i+1)
	p.i++
	var items []hclsyntax.ObjectConsItem
	for {
		p.spaces()
		switch {
		case p.i >= len(p.src):
			return nil, false
		case p.src[p.i] == '\n':
			p.newline()
			continue
		case p.atComment():
			if !p.comment() {
				return nil, false
			}
			continue
		case p.src[p.i] == '}':
			closing := p.rng(p.i, p.i+1)
			p.i++
			p.end = closing.End
			return &hclsyntax.ObjectConsExpr{Items: items, SrcRange: p.span(open.Start, closing.End), OpenRange: open}, true
		}
		key, ok := p.expr(depth + 1)
		if !ok {
			return nil, false
		}
		p.spaces()
		if !p.atEquals() && !p.at(0, ':') {
			return nil, false
		}
		p.i++
		p.spaces()
		value, ok := p.expr(depth + 1)
		if !ok {
			return nil, false
		}
		items = append(items, hclsyntax.ObjectConsItem{KeyExpr: &hclsyntax.ObjectConsKeyExpr{Wrapped: key}, ValueExpr: value})
		p.spaces()
		switch {
		case p.at(0, ','):
			p.i++
		case p.at(0, '}'), p.at(0, '\n'), p.atComment():
		default:
			return nil, false
		}
	}
}

// template reads a quoted string: literal text of printable ASCII without
// escapes, and interpolations ${expr} of the values read here, on one line.
// A string that is one interpolation is the expression wrapped, as the
// parser has it.
func (p *quickParser) template(depth int) (hclsyntax.Expression, bool) {
	q, line := p.i, p.line
	p.i++
	var parts []hclsyntax.Expression
	lit := p.i // the start of the literal text not yet taken
	literals := 0
	take := func() {
		if p.i > lit {
			parts = append(parts, &hclsyntax.LiteralValueExpr{Val: cty.StringVal(string(p.src[lit:p.i])), SrcRange: p.rng(lit, p.i)})
			literals++
		}
	}
	for {
		if p.i >= len(p.src) {
			return nil, false
		}
		c := p.src[p.i]
		switch {
		case c == '"':
			take()
			whole := p.rng(q, p.i+1)
			p.i++
			p.end = whole.End
			switch {
			case len(parts) == 0:
				// an empty string is one empty literal, placed after
				// its closing quote
				parts = []hclsyntax.Expression{&hclsyntax.LiteralValueExpr{Val: cty.StringVal(""), SrcRange: p.rng(p.i, p.i)}}
			case len(parts) == 1 && literals == 0:
				return &hclsyntax.TemplateWrapExpr{Wrapped: parts[0], SrcRange: whole}, true
			}
			return &hclsyntax.TemplateExpr{Parts: parts, SrcRange: whole}, true
		case c == '$' && p.at(1, '{'):
			take()
			p.i += 2
			p.spaces()
			if p.at(0, '~') {
				return nil, false
			}
			e, ok := p.expr(depth + 1)
			if !ok {
				return nil, false
			}
			p.spaces()
			if !p.at(0, '}') || p.line != line {
				return nil, false
			}
			p.i++
			parts = append(parts, e)
			lit = p.i
		case c < ' ' || c > '~' || c == '\\' || ((c == '$' || c == '%') && (p.at(1, '{') || p.at(1, c))):
			// escapes, directives, $${ and %%{ (and $$ or %% before
			// anything, to keep to what is certain)
			return nil, false
		default:
			p.i++
		}
	}
}

// reference reads what starts with an identifier: true, false, null, a
// reference or a function call.
func (p *quickParser) reference(depth int) (hclsyntax.Expression, bool) {
	a := p.i
	b := p.ident()
	r := p.rng(a, b)
	name := string(p.src[a:b])
	if p.at(0, '(') {
		open := p.rng(p.i, p.i+1)
		p.i++
		args, closing, ok := p.list(')', depth)
		if !ok {
			return nil, false
		}
		return &hclsyntax.FunctionCallExpr{Name: name, Args: args, NameRange: r, OpenParenRange: open, CloseParenRange: closing}, true
	}
	p.end = r.End
	switch name {
	case "true":
		return &hclsyntax.LiteralValueExpr{Val: cty.True, SrcRange: r}, true
	case "false":
		return &hclsyntax.LiteralValueExpr{Val: cty.False, SrcRange: r}, true
	case "null":
		return &hclsyntax.LiteralValueExpr{Val: cty.NullVal(cty.DynamicPseudoType), SrcRange: r}, true
	case "for", "if":
		return nil, false // keywords where a for expression may start
	}
	trav := hcl.Traversal{hcl.TraverseRoot{Name: name, SrcRange: r}}
	for p.at(0, '.') && p.i+1 < len(p.src) && identStart(p.src[p.i+1]) {
		dot := p.i
		p.i++
		end := p.ident()
		trav = append(trav, hcl.TraverseAttr{Name: string(p.src[dot+1 : end]), SrcRange: p.rng(dot, end)})
	}
	p.end = p.pos(p.i)
	return &hclsyntax.ScopeTraversalExpr{Traversal: trav, SrcRange: p.span(r.Start, p.end)}, true
}

// list reads the comma-separated values of a tuple or of a call's
// arguments, after the opening bracket, up to closer, and returns the
// closer's range.
func (p *quickParser) list(closer byte, depth int) ([]hclsyntax.Expression, hcl.Range, bool) {
	var exprs []hclsyntax.Expression
	for {
		if !p.gap() {
			return nil, hcl.Range{}, false
		}
		if p.at(0, closer) {
			break
		}
		e, ok := p.expr(depth + 1)
		if !ok || !p.gap() {
			return nil, hcl.Range{}, false
		}
		exprs = append(exprs, e)
		if p.at(0, closer) {
			break
		}
		if !p.at(0, ',') {
			return nil, hcl.Range{}, false
		}
		p.i++
	}
	closing := p.rng(p.i, p.i+1)
	p.i++
	p.end = closing.End
	return exprs, closing, true
}
