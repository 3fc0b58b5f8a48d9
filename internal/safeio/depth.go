package safeio

import (
	"bytes"
	"fmt"
)

// MaxDepth is the deepest nesting of brackets, braces, parentheses and
// template interpolations an input may have. The parsers recurse per level;
// real configurations stay far below it.
const MaxDepth = 512

// DepthError says where an input first nests deeper than MaxDepth.
type DepthError struct {
	Line int
}

func (e *DepthError) Error() string {
	return fmt.Sprintf("nesting deeper than %d levels: not parsed", MaxDepth)
}

// CheckJSON scans JSON (or .tf.json) for nesting deeper than MaxDepth,
// skipping string contents.
func CheckJSON(src []byte) error {
	depth, line := 0, 1
	inString := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\n' {
			line++
		}
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
			if depth > MaxDepth {
				return &DepthError{Line: line}
			}
		case ']', '}':
			depth--
		}
	}
	return nil
}

// CheckHCL scans HCL native syntax for nesting deeper than MaxDepth:
// brackets, braces and parentheses in expressions and blocks, and
// interpolations inside quoted strings and heredocs, skipping comments and
// literal string text.
func CheckHCL(src []byte) error {
	const (
		code = iota
		str
		heredoc
	)
	type frame struct {
		mode   int
		braces int    // open braces inside an interpolation
		marker []byte // heredoc end marker
	}
	stack := []frame{{mode: code}}
	line := 1
	depth := 0 // bracket nesting plus interpolations
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\n' {
			line++
		}
		top := &stack[len(stack)-1]
		switch top.mode {
		case str:
			switch {
			case c == '\\':
				i++
			case c == '"':
				stack = stack[:len(stack)-1]
			case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
				i += 2 // $${ and %%{ are literal
			case (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{':
				i++
				depth++
				if depth > MaxDepth {
					return &DepthError{Line: line}
				}
				stack = append(stack, frame{mode: code, braces: 1})
			case c == '\n':
				stack = stack[:len(stack)-1] // unterminated: the parser reports it
			}
			continue
		case heredoc:
			if c == '\n' {
				rest := src[i+1:]
				trimmed := bytes.TrimLeft(rest, " \t")
				if bytes.HasPrefix(trimmed, top.marker) {
					after := trimmed[len(top.marker):]
					if len(after) == 0 || after[0] == '\n' || after[0] == '\r' {
						stack = stack[:len(stack)-1]
					}
				}
				continue
			}
			if (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{' {
				i += 2
				continue
			}
			if (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{' {
				i++
				depth++
				if depth > MaxDepth {
					return &DepthError{Line: line}
				}
				stack = append(stack, frame{mode: code, braces: 1})
			}
			continue
		}
		// code
		switch c {
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			i--
		case '/':
			if i+1 < len(src) && src[i+1] == '/' {
				for i < len(src) && src[i] != '\n' {
					i++
				}
				i--
			} else if i+1 < len(src) && src[i+1] == '*' {
				end := bytes.Index(src[i+2:], []byte("*/"))
				if end < 0 {
					return nil
				}
				line += bytes.Count(src[i:i+2+end], []byte("\n"))
				i += end + 3
			}
		case '"':
			stack = append(stack, frame{mode: str})
		case '<':
			if i+1 < len(src) && src[i+1] == '<' {
				j := i + 2
				if j < len(src) && src[j] == '-' {
					j++
				}
				k := j
				for k < len(src) && (isIdent(src[k])) {
					k++
				}
				if k > j {
					stack = append(stack, frame{mode: heredoc, marker: append([]byte(nil), src[j:k]...)})
					i = k - 1
				}
			}
		case '(', '[', '{':
			if c == '{' && top.braces > 0 {
				top.braces++
			}
			depth++
			if depth > MaxDepth {
				return &DepthError{Line: line}
			}
		case ')', ']', '}':
			depth--
			if c == '}' && top.braces > 0 {
				top.braces--
				if top.braces == 0 && len(stack) > 1 {
					stack = stack[:len(stack)-1] // end of an interpolation
				}
			}
		}
	}
	return nil
}

func isIdent(c byte) bool {
	return c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
