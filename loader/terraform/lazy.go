package terraform

import (
	"bytes"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/sgcheck/sgcheck/internal/parallel"
	"github.com/zclconf/go-cty/cty"
)

// The resource blocks of a large module (lazyMinBytes of files) are parsed
// when the extraction reaches them rather than all before it (lazyFile):
// while a large root or module is evaluated, what the collector has to
// mark is then its locals, variables and values rather than the syntax
// tree of every resource, which at 10,000 rules is some 50 MB marked at
// every collection. A block is parsed from the file's own bytes with its
// true start position, so every range and every value is what parsing the
// whole file gives. The first extraction of a module lets each tree go
// once the block is extracted; a module evaluated again (a second call, or
// count) parses them again once and keeps them. A block that does not
// parse as one resource block, found when it is read or after every root
// is loaded (reloadBroken), makes the roots that used its module load
// again with that module's files parsed whole, so the diagnostics are the
// whole parse's too. In the paired loads of a change analysis both sides
// read large modules so, sharing no trees: the follower replays the
// leader's record of a block with the same text without parsing it
// (replay.go), so a file that changed in a few places costs it those
// blocks; the leader keeps nothing for the follower of a root whose lazily
// read blocks did not all parse (lazySettled).

// lazyParse turns lazy parsing on (tests compare it with parsing whole).
var lazyParse = true

// lazyMinBytes is the size of a module's files from which it is parsed
// lazily: below it, its trees are a small part of what the collector marks
// (roots are evaluated two at a time) and reading instance attributes on
// their own lines costs more than it saves (5–10 % more CPU on roots of
// 150 KB, 10–20 % less on one of 3 MB).
var lazyMinBytes = 1 << 20

// lazyParses counts the resource blocks parsed lazily (for tests).
var lazyParses atomic.Int64

// lazyAttrReads counts the lazily parsed resource blocks whose instance
// attributes were read (for tests).
var lazyAttrReads atomic.Int64

// lazyWindow is how many resource blocks may be parsed ahead of the
// extraction.
const lazyWindow = 64

// lazyBody is the body of a top-level resource block, parsed on first use.
// It implements hcl.Body by parsing; release drops the tree once the
// extraction is done with it.
type lazyBody struct {
	mu    sync.Mutex
	name  string
	src   []byte  // from the block's first byte to the next top-level line
	start hcl.Pos // where src starts in its file
	// typ and label are the block's header, checked against the parse
	typ, label string
	body       *hclsyntax.Body // nil before the parse and after release
	parsed     bool
	rng        hcl.Range // the block's whole range, once parsed
	// failed is the module's: set when the block does not parse as one
	// resource block (the root is then loaded again, parsed whole)
	failed *atomic.Bool
	// skip is set when the follower of a change analysis replayed the
	// block (the leader parsed the same text): it is never parsed here
	skip bool
}

// replayed marks the block replayed: neither the background parse nor
// reloadBroken parses it.
func (l *lazyBody) replayed() {
	l.mu.Lock()
	l.skip = true
	l.mu.Unlock()
}

// syntax returns the block's body, parsing it when it is not held. A
// block that does not parse as it should sets failed and reads as empty.
func (l *lazyBody) syntax() *hclsyntax.Body {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.body != nil {
		return l.body
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	body, quick := quickBody(l.src, l.name, l.start)
	if quick {
		f = &hcl.File{Body: body, Bytes: l.src}
		quickReads.Add(1)
	} else {
		f, diags = hclsyntax.ParseConfig(l.src, l.name, l.start)
		body, _ = f.Body.(*hclsyntax.Body)
	}
	if len(diags) > 0 || body == nil || len(body.Attributes) > 0 || len(body.Blocks) != 1 ||
		body.Blocks[0].Type != "resource" || len(body.Blocks[0].Labels) != 2 ||
		body.Blocks[0].Labels[0] != l.typ || body.Blocks[0].Labels[1] != l.label {
		l.failed.Store(true)
		empty := &hclsyntax.Body{Attributes: hclsyntax.Attributes{},
			SrcRange: hcl.Range{Filename: l.name, Start: l.start, End: l.start}, EndRange: hcl.Range{Filename: l.name, Start: l.start, End: l.start}}
		l.body, l.parsed = empty, true
		return empty
	}
	if bytes.Contains(l.src, []byte("resource.")) {
		unaliasResourceRefs(f, l.src)
	}
	blk := body.Blocks[0]
	l.body, l.parsed, l.rng = blk.Body, true, blk.Range()
	lazyParses.Add(1)
	return l.body
}

// prefetch parses the block unless it has been parsed already (or
// replayed).
func (l *lazyBody) prefetch() {
	l.mu.Lock()
	done := l.parsed || l.skip
	l.mu.Unlock()
	if !done {
		l.syntax()
	}
}

// release lets the syntax tree go.
func (l *lazyBody) release() {
	l.mu.Lock()
	l.body = nil
	l.mu.Unlock()
}

// srcRange is the whole block's range (type keyword to closing brace),
// known from the first parse.
func (l *lazyBody) srcRange() hcl.Range {
	l.mu.Lock()
	parsed := l.parsed
	l.mu.Unlock()
	if !parsed {
		l.syntax()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rng
}

func (l *lazyBody) Content(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	return l.syntax().Content(schema)
}

func (l *lazyBody) PartialContent(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	return l.syntax().PartialContent(schema)
}

func (l *lazyBody) JustAttributes() (hcl.Attributes, hcl.Diagnostics) {
	return l.syntax().JustAttributes()
}

func (l *lazyBody) MissingItemRange() hcl.Range { return l.syntax().MissingItemRange() }

// instanceAttrs reads the attributes of instanceSchema (count, for_each
// and those references read) from the block's bytes, each parsed from its
// own lines at its true position, without parsing the rest of the block:
// a resource's value, which every evaluation context holds, needs only
// them, and the block is parsed when the extraction reaches it. ok is false
// when the body's lines are not certain (a body that starts on the header
// line, say); the block is then parsed.
func (l *lazyBody) instanceAttrs() (attrs hcl.Attributes, ok bool) {
	nl := bytes.IndexByte(l.src, '\n')
	if nl < 0 {
		return nil, false
	}
	brace := bytes.IndexByte(l.src[:nl], '{')
	if brace < 0 || len(bytes.TrimSpace(l.src[brace+1:nl])) > 0 {
		return nil, false
	}
	lines, end := scanLines(l.src, 1)
	if end < 0 {
		return nil, false
	}
	attrs = hcl.Attributes{}
	for k, ln := range lines {
		stop := end
		if k+1 < len(lines) {
			stop = lines[k+1].Byte
		}
		text := l.src[ln.Byte:stop]
		item := bytes.TrimLeft(text, " \t")
		n := 0
		for n < len(item) && identByte(item[n]) {
			n++
		}
		name := string(item[:n])
		if !instanceAttr[name] {
			continue
		}
		if rest := bytes.TrimLeft(item[n:], " \t"); len(rest) == 0 || rest[0] != '=' {
			continue // a block of that name: not an attribute
		}
		if attrs[name] != nil {
			return nil, false // defined twice: the parse reports it
		}
		pos := hcl.Pos{Line: l.start.Line + ln.Line - 1, Column: 1, Byte: l.start.Byte + ln.Byte}
		line := attrLine{text: text, pos: pos, file: l.name}
		if a := literalAttr(line, name); a != nil {
			attrs[name] = a
			continue
		}
		if a := traversalAttr(line, name); a != nil {
			attrs[name] = a
			continue
		}
		// read without the lexer where it can be (a function call such as
		// cidrsubnet(...), an operator), as whole blocks are
		body, quick := quickBody(text, l.name, pos)
		if !quick {
			f, diags := hclsyntax.ParseConfig(text, l.name, pos)
			body, _ = f.Body.(*hclsyntax.Body)
			if len(diags) > 0 {
				return nil, false
			}
		}
		if body == nil || len(body.Blocks) > 0 || len(body.Attributes) != 1 || body.Attributes[name] == nil {
			return nil, false
		}
		attrs[name] = body.Attributes[name].AsHCLAttribute()
	}
	return attrs, true
}

// attrLine is an attribute line of a lazily parsed block: text starts at
// the start of its line, at pos in file.
type attrLine struct {
	text []byte
	pos  hcl.Pos
	file string
}

// blank returns the offset of the first byte from i on that is not a
// space or a tab.
func (l attrLine) blank(i int) int {
	for i < len(l.text) && (l.text[i] == ' ' || l.text[i] == '\t') {
		i++
	}
	return i
}

// rng is the range of text[a:b] (on the line: one column per byte).
func (l attrLine) rng(a, b int) hcl.Range {
	return hcl.Range{Filename: l.file, Start: hcl.Pos{Line: l.pos.Line, Column: a + 1, Byte: l.pos.Byte + a},
		End: hcl.Pos{Line: l.pos.Line, Column: b + 1, Byte: l.pos.Byte + b}}
}

// value returns where the line's name starts and where the expression
// after `name =` starts; ok is false for a line of another form.
func (l attrLine) value(name string) (start, expr int, ok bool) {
	start = l.blank(0)
	i := l.blank(start + len(name))
	if i >= len(l.text) || l.text[i] != '=' {
		return 0, 0, false
	}
	return start, l.blank(i + 1), true
}

// ends reports whether nothing but spaces follows i on the line.
func (l attrLine) ends(i int) bool {
	i = l.blank(i)
	if i < len(l.text) && l.text[i] == '\r' {
		i++
	}
	return i >= len(l.text) || l.text[i] == '\n'
}

// attr is the attribute name = expr, expr ending at end.
func (l attrLine) attr(name string, start, end int, expr hclsyntax.Expression) *hcl.Attribute {
	return &hcl.Attribute{Name: name, Expr: expr, Range: l.rng(start, end), NameRange: l.rng(start, start+len(name))}
}

// literalAttr reads an attribute line of the form `name = "literal"` (a
// literal of letters, digits and . _ : / - and spaces, nothing after it
// but spaces) as the parser reads it, without parsing: most instance
// attributes (a group's name, a VPC id) are written so. It returns nil for
// any other line. (Whether the rest of the block is valid is found when it
// is parsed.)
func literalAttr(l attrLine, name string) *hcl.Attribute {
	start, q, ok := l.value(name)
	if !ok || q >= len(l.text) || l.text[q] != '"' {
		return nil
	}
	c := q + 1
	for c < len(l.text) && (isLetter(l.text[c]) || isDigit(l.text[c]) || bytes.IndexByte([]byte(" ._:/-"), l.text[c]) >= 0) {
		c++
	}
	if c == q+1 || c >= len(l.text) || l.text[c] != '"' || !l.ends(c+1) {
		return nil
	}
	lit := &hclsyntax.LiteralValueExpr{Val: cty.StringVal(string(l.text[q+1 : c])), SrcRange: l.rng(q+1, c)}
	return l.attr(name, start, c+1, &hclsyntax.TemplateExpr{Parts: []hclsyntax.Expression{lit}, SrcRange: l.rng(q, c+1)})
}

// traversalAttr reads an attribute line of the form `name = a.b.c` (a
// reference such as aws_subnet.app.id or var.vpc_id: identifiers of ASCII
// letters, digits, _ and -, each after the first preceded by a dot, nothing
// after the last but spaces) as the parser reads it, without parsing, as
// literalAttr does. It returns nil for any other line.
func traversalAttr(l attrLine, name string) *hcl.Attribute {
	start, root, ok := l.value(name)
	if !ok {
		return nil
	}
	ident := func(i int) int { // the end of the identifier at i, i if none
		if i >= len(l.text) || !isLetter(l.text[i]) {
			return i
		}
		for i < len(l.text) && identByte(l.text[i]) {
			i++
		}
		return i
	}
	end := ident(root)
	if end == root {
		return nil
	}
	switch string(l.text[root:end]) {
	case "true", "false", "null":
		return nil // literals, not references
	}
	trav := hcl.Traversal{hcl.TraverseRoot{Name: string(l.text[root:end]), SrcRange: l.rng(root, end)}}
	for end < len(l.text) && l.text[end] == '.' {
		next := ident(end + 1)
		if next == end+1 {
			return nil // a splat, an index written .0, or an error
		}
		trav = append(trav, hcl.TraverseAttr{Name: string(l.text[end+1 : next]), SrcRange: l.rng(end, next)})
		end = next
	}
	if len(trav) < 2 || !l.ends(end) {
		return nil
	}
	return l.attr(name, start, end, &hclsyntax.ScopeTraversalExpr{Traversal: trav, SrcRange: l.rng(root, end)})
}

// instanceAttr holds the names of instanceSchema.
var instanceAttr = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range instanceSchema.Attributes {
		m[a.Name] = true
	}
	return m
}()

// lazyFile reads a native syntax file's top-level blocks, each resource
// block with a lazyBody, the others parsed (consecutive ones together). It
// returns ok false when the file is better parsed whole: its top-level
// lines are not certain (topLevelLines), it starts with a byte order mark,
// or a part parsed has a diagnostic or a top-level attribute (the whole
// parse then reports what it reports).
func lazyFile(src []byte, name string, failed *atomic.Bool) (file *hcl.File, blocks hcl.Blocks, lazies []*lazyBody, ok bool) {
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		return nil, nil, nil, false
	}
	lines := topLevelLines(src)
	if len(lines) == 0 {
		return nil, nil, nil, false
	}
	syntax := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}}
	// chunk is the start of the parts not yet parsed, or -1
	chunk, chunkPos := 0, hcl.InitialPos
	flush := func(end int) bool {
		if chunk < 0 || chunk == end {
			chunk = -1
			return true
		}
		piece := src[chunk:end]
		chunk = -1
		f, diags := hclsyntax.ParseConfig(piece, name, chunkPos)
		body, isNative := f.Body.(*hclsyntax.Body)
		if len(diags) > 0 || !isNative || len(body.Attributes) > 0 {
			return false
		}
		if bytes.Contains(piece, []byte("resource.")) {
			unaliasResourceRefs(f, piece)
		}
		content, _, diags := body.PartialContent(topSchema)
		if len(diags) > 0 {
			return false
		}
		blocks = append(blocks, content.Blocks...)
		syntax.Blocks = append(syntax.Blocks, body.Blocks...)
		return true
	}
	for i, l := range lines {
		end := len(src)
		if i+1 < len(lines) {
			end = lines[i+1].Byte
		}
		blk := resourceHeader(src, l, end, name)
		if blk == nil {
			if chunk < 0 {
				chunk, chunkPos = l.Byte, l
			}
			continue
		}
		if !flush(l.Byte) {
			return nil, nil, nil, false
		}
		lb := &lazyBody{name: name, src: src[l.Byte:end], start: l, typ: blk.Labels[0], label: blk.Labels[1], failed: failed}
		blk.Body = lb
		blocks = append(blocks, blk)
		lazies = append(lazies, lb)
	}
	if !flush(len(src)) {
		return nil, nil, nil, false
	}
	// the file's body holds the blocks parsed; its range names the file
	// (what blockSource and markUnattached read of it)
	last := lines[len(lines)-1]
	syntax.SrcRange = hcl.Range{Filename: name, Start: hcl.InitialPos, End: last}
	syntax.EndRange = hcl.Range{Filename: name, Start: last, End: last}
	return &hcl.File{Body: syntax, Bytes: src}, blocks, lazies, true
}

// resourceHeader reads the header of a top-level line written
// `resource "TYPE" "NAME" {` (labels of letters, digits, _ and -, so that
// a column is a byte) and returns the block it starts, without its body;
// nil for any other line.
func resourceHeader(src []byte, l hcl.Pos, end int, name string) *hcl.Block {
	const kw = "resource"
	line := src[l.Byte:end]
	if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
		line = line[:nl]
	}
	if !bytes.HasPrefix(line, []byte(kw)) {
		return nil
	}
	pos := func(i int) hcl.Pos { return hcl.Pos{Line: l.Line, Column: i + 1, Byte: l.Byte + i} }
	rng := func(a, b int) hcl.Range { return hcl.Range{Filename: name, Start: pos(a), End: pos(b)} }
	i := len(kw)
	var labels []string
	var ranges []hcl.Range
	for len(labels) < 2 {
		j := i
		for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
			j++
		}
		if j == i || j >= len(line) || line[j] != '"' {
			return nil
		}
		k := j + 1
		for k < len(line) && identByte(line[k]) {
			k++
		}
		if k == j+1 || k >= len(line) || line[k] != '"' {
			return nil
		}
		labels = append(labels, string(line[j+1:k]))
		ranges = append(ranges, rng(j, k+1))
		i = k + 1
	}
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i >= len(line) || line[i] != '{' {
		return nil
	}
	typeRange := rng(0, len(kw))
	return &hcl.Block{Type: kw, Labels: labels, TypeRange: typeRange, LabelRanges: ranges,
		DefRange: hcl.RangeBetween(typeRange, ranges[1])}
}

// settle is done with a lazily parsed resource block once it has been
// extracted: while its tree is held it reads what references to the
// resource (its count, for_each and referenced attributes) and
// markUnattached need, then, with release, lets the tree go. A block of a
// type that is not extracted is parsed here, so that an error in it is
// found as in a whole parse.
// With refs, it returns the groups the block refers to.
func (x *moduleExtractor) settle(b *hcl.Block, lb *lazyBody, release, refs bool) []string {
	body := lb.syntax()
	if d := x.ev.resources[b.Labels[0]][b.Labels[1]]; d != nil {
		d.attributes()
	}
	if x.lazyRefs == nil {
		x.lazyRefs = map[string]bool{}
	}
	var mine []string
	if refs {
		own := map[string]bool{}
		x.blockGroupRefs(b, []*hclsyntax.Body{body}, own)
		mine = slices.Sorted(maps.Keys(own))
		for _, g := range mine {
			x.lazyRefs[g] = true
		}
	} else {
		x.blockGroupRefs(b, []*hclsyntax.Body{body}, x.lazyRefs)
	}
	if release {
		lb.release()
	}
	return mine
}

// prefetch parses lazily parsed blocks, in order, in the background (as
// many at a time as there are cores), at most lazyWindow ahead of the
// extraction and never behind it: advance says the extraction has settled
// one more block; stop ends the prefetch.
func prefetch(lazies []*lazyBody) (advance, stop func()) {
	if len(lazies) == 0 {
		return func() {}, func() {}
	}
	var mu sync.Mutex
	more := sync.NewCond(&mu)
	// settled blocks are done with; the extraction is at lazies[settled];
	// next is the next block to prefetch
	settled, next, done := 0, 0, false
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			for {
				next = max(next, settled+1)
				for !done && next < len(lazies) && next >= settled+lazyWindow {
					more.Wait()
					next = max(next, settled+1)
				}
				if done || next >= len(lazies) {
					return
				}
				k := next
				next++
				mu.Unlock()
				lazies[k].prefetch()
				mu.Lock()
			}
		}()
	}
	advance = func() {
		mu.Lock()
		settled++
		mu.Unlock()
		more.Broadcast()
	}
	stop = func() {
		mu.Lock()
		done = true
		mu.Unlock()
		more.Broadcast()
		wg.Wait()
	}
	return advance, stop
}

// lazyModules is what the forks of a load share about lazily parsed
// modules: every one parsed so (mods) and the directories to parse whole
// (whole), guarded by the world's mutex.
type lazyModules struct {
	mods  []*module
	whole map[string]bool
}

// reloadBroken parses every lazily parsed block that no extraction read
// (a module called with no instance), so that an error in it is reported
// as a whole parse reports it, then loads again, with the broken modules'
// files parsed whole, every root that used a module with a block that did
// not parse as one.
func (w *world) reloadBroken(parts []*world, roots, paths []string, opts Options) {
	w.mu.Lock()
	mods := slices.Clone(w.lazy.mods)
	w.mu.Unlock()
	var unread []*lazyBody
	for _, m := range mods {
		for _, file := range slices.Sorted(maps.Keys(m.lazy)) {
			for _, lb := range m.lazy[file] {
				lb.mu.Lock()
				if !lb.parsed && !lb.skip {
					unread = append(unread, lb)
				}
				lb.mu.Unlock()
			}
		}
	}
	parallel.Each(len(unread), func(i int) {
		unread[i].syntax()
		unread[i].release()
	})
	broken := map[*module]bool{}
	for _, m := range mods {
		if m.lazyFailed.Load() {
			broken[m] = true
		}
	}
	if len(broken) == 0 {
		return
	}
	var again []int
	for i, p := range parts {
		if slices.ContainsFunc(p.usedLazy, func(m *module) bool { return broken[m] }) {
			again = append(again, i)
		}
	}
	// what those roots parsed is parsed again (its diagnostics were the
	// discarded forks'), the broken modules whole
	w.mu.Lock()
	for m := range broken {
		w.lazy.whole[m.dir] = true
	}
	var dirs []string
	for _, i := range again {
		dirs = append(dirs, filepath.Clean(roots[i]))
		dirs = append(dirs, parts[i].parsedHere...)
	}
	for m := range broken {
		dirs = append(dirs, m.dir)
	}
	for _, d := range dirs {
		delete(w.parsed, d)
		delete(w.failed, d)
	}
	w.mu.Unlock()
	for _, d := range dirs {
		w.filesRead.reset(d)
	}
	parallel.Each(len(again), func(k int) {
		i := again[k]
		parts[i] = w.fork()
		parts[i].loadRoot(roots[i], paths, opts)
	})
}
