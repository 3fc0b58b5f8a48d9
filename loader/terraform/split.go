package terraform

import (
	"bytes"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/sgcheck/sgcheck/internal/parallel"
)

// splitMinBytes is the size from which a native syntax file's pieces are
// read in parallel, in runs of about splitPieceBytes (a smaller file's
// pieces are read one after the other). The pieces themselves keep a
// large file's memory down: HCL's lexer holds every token of what it
// parses at once (a 3 MB file parsed whole: about 290 MiB).
var splitMinBytes = 256 << 10

// splitPieceBytes is about how much of a large file one run holds.
var splitPieceBytes = 128 << 10

// parseNative parses a native syntax file in pieces cut between top-level
// blocks: each piece written in the common forms quickBody reads is read
// so, runs of the others are parsed by hclsyntax, and a large file's
// pieces are read in parallel; the bodies are joined in order. The pieces
// are read from the file's own bytes with their true start positions, so
// every range is the one a whole parse gives. Where the cut points are not
// certain, or a piece has a diagnostic or a top-level attribute, the file
// is parsed whole, so diagnostics are the whole parse's.
func parseNative(src []byte, name string) (*hcl.File, hcl.Diagnostics) {
	starts := pieceStarts(src)
	if starts == nil {
		return hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	}
	end := func(k int) int {
		if k < len(starts) {
			return starts[k].Byte
		}
		return len(src)
	}
	chunks := chunkStarts(starts, len(src))
	bodies := make([][]*hclsyntax.Body, len(chunks))
	failed := make([]bool, len(chunks))
	read := func(c int) {
		to := len(starts)
		if c+1 < len(chunks) {
			to = chunks[c+1]
		}
		slow := -1 // the first of the pieces not read quickly, not yet parsed
		parseSlow := func(k int) bool {
			if slow < 0 {
				return true
			}
			f, diags := hclsyntax.ParseConfig(src[starts[slow].Byte:end(k)], name, starts[slow])
			slow = -1
			body, ok := f.Body.(*hclsyntax.Body)
			if len(diags) > 0 || !ok || len(body.Attributes) > 0 {
				return false
			}
			bodies[c] = append(bodies[c], body)
			return true
		}
		for k := chunks[c]; k < to; k++ {
			body, ok := quickBody(src[starts[k].Byte:end(k+1)], name, starts[k])
			if !ok || len(body.Attributes) > 0 {
				if slow < 0 {
					slow = k
				}
				continue
			}
			if !parseSlow(k) {
				failed[c] = true
				return
			}
			quickReads.Add(1)
			bodies[c] = append(bodies[c], body)
		}
		failed[c] = !parseSlow(to)
	}
	if len(chunks) == 1 {
		read(0)
	} else {
		parallel.Each(len(chunks), read)
	}
	n := 0
	for c, bad := range failed {
		if bad {
			return hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		}
		for _, b := range bodies[c] {
			n += len(b.Blocks)
		}
	}
	first, tail := bodies[0][0], bodies[len(bodies)-1]
	last := tail[len(tail)-1]
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, Blocks: make(hclsyntax.Blocks, 0, n),
		SrcRange: hcl.Range{Filename: name, Start: first.SrcRange.Start, End: last.SrcRange.End},
		EndRange: last.EndRange}
	for _, bs := range bodies {
		for _, b := range bs {
			body.Blocks = append(body.Blocks, b.Blocks...)
		}
	}
	return &hcl.File{Body: body, Bytes: src}, nil
}

// pieceStarts returns where the pieces of src start: the first at the
// beginning of the file, the others at the start of every line that begins
// a top-level block. It returns nil when it cannot tell where the
// top-level blocks start.
func pieceStarts(src []byte) []hcl.Pos {
	lines := topLevelLines(src)
	if len(lines) == 0 {
		return nil
	}
	starts := []hcl.Pos{hcl.InitialPos}
	for _, l := range lines {
		if l.Byte > 0 {
			starts = append(starts, l)
		}
	}
	return starts
}

// chunkStarts returns the indexes in starts of the pieces that begin the
// runs one goroutine reads: in a file of size splitMinBytes or more, about
// every splitPieceBytes; in a smaller one, the first only.
func chunkStarts(starts []hcl.Pos, size int) []int {
	chunks := []int{0}
	if size < splitMinBytes {
		return chunks
	}
	for k, s := range starts {
		if k > 0 && s.Byte-starts[chunks[len(chunks)-1]].Byte >= splitPieceBytes {
			chunks = append(chunks, k)
		}
	}
	return chunks
}

// topLevelLines scans src as HCL's lexer would for nesting (brackets,
// quoted strings and their template sequences, heredocs, comments) and
// returns the start of every line that begins, outside any of them, with
// a letter: where a top-level block can start. It returns nil when the
// file does not end at the top level (it has an error the parser reports),
// or is not valid UTF-8: the lexer measures positions in grapheme
// clusters, and a newline after an invalid byte may not count as one, so
// the lines of such a file are not certain.
func topLevelLines(src []byte) []hcl.Pos {
	if !utf8.Valid(src) {
		return nil
	}
	lines, _ := scanLines(src, 0)
	return lines
}

// scanLines is topLevelLines for lines at bracket depth depth. With depth
// above 0 (the body of a block that starts src) a line may be indented: the
// position returned is the start of the line; the scan ends at the bracket
// that closes depth, whose offset is end (-1, and no lines, if none does).
func scanLines(src []byte, depth int) (lines []hcl.Pos, end int) {
	type frame struct {
		kind   byte   // 'c' code, 's' quoted string, 'h' heredoc
		depth  int    // open brackets, in code
		marker []byte // a heredoc's closing marker
	}
	stack := []frame{{kind: 'c'}}
	var out []hcl.Pos
	line := 1
	lineStart := true
	i := 0
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		i = 3 // a byte order mark
	}
	lineAt := 0 // where the current line starts
	for i < len(src) {
		top := &stack[len(stack)-1]
		c := src[i]
		if lineStart && depth > 0 && (c == ' ' || c == '\t') {
			i++
			continue
		}
		if lineStart && len(stack) == 1 && top.depth == depth && isLetter(c) {
			at := i
			if depth > 0 {
				at = lineAt
			}
			out = append(out, hcl.Pos{Line: line, Column: 1, Byte: at})
		}
		lineStart = false
		switch top.kind {
		case 'c':
			switch {
			case c == '\n':
				line++
				lineStart = true
				i++
				lineAt = i
			case c == '#' || (c == '/' && i+1 < len(src) && src[i+1] == '/'):
				for i < len(src) && src[i] != '\n' {
					i++
				}
			case c == '/' && i+1 < len(src) && src[i+1] == '*':
				end := bytes.Index(src[i+2:], []byte("*/"))
				if end < 0 {
					return nil, -1
				}
				line += bytes.Count(src[i:i+2+end+2], []byte("\n"))
				i += 2 + end + 2
			case c == '"':
				stack = append(stack, frame{kind: 's'})
				i++
			case c == '<' && i+1 < len(src) && src[i+1] == '<':
				j := i + 2
				if j < len(src) && src[j] == '-' {
					j++
				}
				k := j
				for k < len(src) && identByte(src[k]) {
					k++
				}
				if k == j || k >= len(src) || (src[k] != '\n' && src[k] != '\r') {
					i += 2 // not a heredoc: a comparison, or an error
					continue
				}
				stack = append(stack, frame{kind: 'h', marker: append([]byte(nil), src[j:k]...)})
				for k < len(src) && src[k] != '\n' {
					k++
				}
				i = k // the newline ends the introducer
				if i < len(src) {
					line++
					i++
				}
			case c == '{' || c == '[' || c == '(':
				top.depth++
				i++
			case c == '}' || c == ']' || c == ')':
				if depth > 0 && len(stack) == 1 && top.depth == depth {
					if c != '}' {
						return nil, -1
					}
					return out, i
				}
				if top.depth == 0 {
					if len(stack) == 1 {
						return nil, -1
					}
					stack = stack[:len(stack)-1] // a template sequence ends
				} else {
					top.depth--
				}
				i++
			default:
				i = skipPlain(src, i+1, &plainCode)
			}
		case 's':
			switch {
			case c == '\\':
				i += 2
			case c == '"':
				stack = stack[:len(stack)-1]
				i++
			case c == '\n':
				return nil, -1 // a quoted string cannot span lines
			case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
				i += 3 // $${ and %%{ are literal
			case (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{':
				stack = append(stack, frame{kind: 'c'})
				i += 2
			default:
				i = skipPlain(src, i+1, &plainString)
			}
		case 'h':
			if lineStartAt(src, i) && closesHeredoc(src[i:], top.marker) {
				stack = stack[:len(stack)-1]
				for i < len(src) && src[i] != '\n' {
					i++
				}
				continue
			}
			switch {
			case c == '\n':
				line++
				i++
			case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
				i += 3
			case (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{':
				stack = append(stack, frame{kind: 'c'})
				i += 2
			default:
				i = skipPlain(src, i+1, &plainHeredoc)
			}
		}
	}
	if depth > 0 || len(stack) != 1 || stack[0].depth != 0 {
		return nil, -1
	}
	return out, len(src)
}

// Bytes scanLines passes over one by one in code, in a quoted string and in
// a heredoc: every byte but those its cases look at. None ends a line, so
// none can be followed by the start of one.
var plainCode, plainString, plainHeredoc = plainBytes("\n#/\"<{[(}])"), plainBytes("\n\\\"$%"), plainBytes("\n$%")

func plainBytes(special string) (t [256]bool) {
	for i := range t {
		t[i] = true
	}
	for i := 0; i < len(special); i++ {
		t[special[i]] = false
	}
	return t
}

// skipPlain returns the offset of the first byte from i on that plain does
// not hold (len(src) if none).
func skipPlain(src []byte, i int, plain *[256]bool) int {
	for i < len(src) && plain[src[i]] {
		i++
	}
	return i
}

// lineStartAt reports whether i is the first byte of a line.
func lineStartAt(src []byte, i int) bool { return i == 0 || src[i-1] == '\n' }

// closesHeredoc reports whether the line starting rest is a heredoc's
// closing marker (leading spaces allowed, as for <<-).
func closesHeredoc(rest []byte, marker []byte) bool {
	end := bytes.IndexByte(rest, '\n')
	if end < 0 {
		end = len(rest)
	}
	return bytes.Equal(bytes.TrimSpace(rest[:end]), marker)
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// identStart and identByte are the ASCII bytes that start and continue an
// HCL identifier.
func identStart(c byte) bool { return isLetter(c) || c == '_' }

func identByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' || c == '-' }
