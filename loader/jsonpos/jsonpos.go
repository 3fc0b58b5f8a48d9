// Package jsonpos decodes JSON into a tree that remembers the line of every
// value, so that loaders can point findings and errors into JSON files.
package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Node is a JSON value with its line.
type Node struct {
	Line int
	// exactly one of these is meaningful, by the JSON kind
	Object map[string]*Node
	Keys   []string // object keys in document order
	Array  []*Node
	Value  any // string, json.Number, bool, or nil
	IsObj  bool
	IsArr  bool
}

// Error is a decoding error with its line.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Parse decodes src.
func Parse(src []byte) (*Node, error) {
	p := &parser{src: src, dec: json.NewDecoder(bytes.NewReader(src))}
	p.dec.UseNumber()
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, &Error{Line: p.line(p.dec.InputOffset()), Msg: "unexpected data after the top-level value"}
	}
	return n, nil
}

type parser struct {
	src   []byte
	dec   *json.Decoder
	lines []int // offsets of line starts, built lazily
}

func (p *parser) line(off int64) int {
	if p.lines == nil {
		p.lines = []int{0}
		for i, b := range p.src {
			if b == '\n' {
				p.lines = append(p.lines, i+1)
			}
		}
	}
	return sort.Search(len(p.lines), func(i int) bool { return int64(p.lines[i]) > off })
}

// start returns the offset where the next token begins.
func (p *parser) start() int64 {
	off := p.dec.InputOffset()
	for off < int64(len(p.src)) {
		switch p.src[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (p *parser) fail(err error) error {
	var syn *json.SyntaxError
	off := p.dec.InputOffset()
	if errors.As(err, &syn) {
		off = syn.Offset
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Line: p.line(int64(len(p.src))), Msg: "unexpected end of JSON"}
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	// The decoder reports an invalid character where it stopped; the cause
	// (a trailing comma, say) is the last significant byte before it.
	at := off - 1
	for at > 0 && at < int64(len(p.src)) && strings.ContainsRune(" \t\r\n", rune(p.src[at])) {
		at--
	}
	if at < 0 {
		at = 0
	}
	if at < int64(len(p.src)) && p.src[at] == ',' {
		return &Error{Line: p.line(at), Msg: "trailing comma: " + msg}
	}
	return &Error{Line: p.line(off), Msg: msg}
}

func (p *parser) value() (*Node, error) {
	off := p.start()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.fail(err)
	}
	n := &Node{Line: p.line(off)}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.IsObj, n.Object = true, map[string]*Node{}
			for p.dec.More() {
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.fail(err)
				}
				k, _ := kt.(string)
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				if _, dup := n.Object[k]; dup {
					// which value counts is up to the reader: refuse it
					return nil, &Error{Line: v.Line, Msg: fmt.Sprintf("duplicate key %q", k)}
				}
				n.Keys = append(n.Keys, k)
				n.Object[k] = v
			}
		case '[':
			n.IsArr = true
			for p.dec.More() {
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.Array = append(n.Array, v)
			}
		}
		if _, err := p.dec.Token(); err != nil {
			return nil, p.fail(err)
		}
	default:
		n.Value = t
	}
	return n, nil
}

// Get returns the member k of an object node, or nil.
func (n *Node) Get(k string) *Node {
	if n == nil || !n.IsObj {
		return nil
	}
	return n.Object[k]
}

// Items returns the elements of an array node; nil for anything else.
func (n *Node) Items() []*Node {
	if n == nil || !n.IsArr {
		return nil
	}
	return n.Array
}

// Str returns a string value.
func (n *Node) Str() (string, bool) {
	if n == nil {
		return "", false
	}
	s, ok := n.Value.(string)
	return s, ok
}

// Int returns an integer value (numbers, or strings holding one).
func (n *Node) Int() (int, bool) {
	if n == nil {
		return 0, false
	}
	switch v := n.Value.(type) {
	case json.Number:
		i, err := v.Int64()
		return int(i), err == nil
	case string:
		var i int
		_, err := fmt.Sscan(v, &i)
		return i, err == nil
	}
	return 0, false
}

// Bool returns a boolean value.
func (n *Node) Bool() bool {
	if n == nil {
		return false
	}
	b, _ := n.Value.(bool)
	return b
}

// Plain converts the node to plain Go values (map[string]any, []any, …).
func (n *Node) Plain() any {
	switch {
	case n == nil:
		return nil
	case n.IsObj:
		m := make(map[string]any, len(n.Object))
		for k, v := range n.Object {
			m[k] = v.Plain()
		}
		return m
	case n.IsArr:
		a := make([]any, len(n.Array))
		for i, v := range n.Array {
			a[i] = v.Plain()
		}
		return a
	}
	return n.Value
}
