package plan

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strings"

	"github.com/sgcheck/sgcheck/model"
)

// object is a resource's attribute values with the matching after_unknown
// marks; a nil unknown means everything is known.
type object struct {
	vals    map[string]any
	unknown map[string]any
	// refs maps an attribute to the resource addresses its configuration
	// expression refers to, for values known only after apply.
	refs map[string][]string
}

// isUnknown reports whether the attribute as a whole is known only after
// apply: after_unknown holds true for it. A list or an object there (a
// collection whose elements are marked one by one, false for a known one:
// "cidr_blocks": [false]) is known as a whole; strs and blocks look at its
// elements.
func (o object) isUnknown(name string) bool {
	b, _ := o.unknown[name].(bool)
	return b
}

func (o object) str(name string) (string, bool) {
	if o.isUnknown(name) {
		return "", false
	}
	switch v := o.vals[name].(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case float64:
		return fmt.Sprint(v), true
	}
	return "", false
}

func (o object) num(name string) (int, bool) {
	if o.isUnknown(name) {
		return 0, false
	}
	switch v := o.vals[name].(type) {
	case json.Number:
		i, err := v.Int64()
		return int(i), err == nil
	case float64:
		if v == math.Trunc(v) {
			return int(v), true
		}
	case string:
		var i int
		_, err := fmt.Sscan(v, &i)
		return i, err == nil
	}
	return 0, false
}

func (o object) boolean(name string) bool {
	b, _ := o.vals[name].(bool)
	return b && !o.isUnknown(name)
}

// strs reads a list of strings; known is false when the list or an element
// is known only after apply.
func (o object) strs(name string) (out []string, known bool) {
	if o.isUnknown(name) {
		return nil, false
	}
	if um, ok := o.unknown[name].([]any); ok {
		for _, u := range um {
			if b, ok := u.(bool); ok && b {
				return nil, false
			}
		}
	}
	switch v := o.vals[name].(type) {
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	case string:
		if v != "" {
			out = []string{v}
		}
	}
	return out, true
}

// blocks returns nested objects (inline ingress/egress and the like).
func (o object) blocks(name string) []object {
	list, _ := o.vals[name].([]any)
	ulist, _ := o.unknown[name].([]any)
	var out []object
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		sub := object{vals: m}
		if i < len(ulist) {
			sub.unknown, _ = ulist[i].(map[string]any)
		}
		out = append(out, sub)
	}
	return out
}

// ref resolves a group, subnet or NACL id: a literal id, or the resource
// the configuration refers to where the id is known only after apply.
func (o object) ref(name string, prefix string) (string, bool) {
	if s, ok := o.str(name); ok && s != "" {
		return s, true
	}
	for _, r := range o.refs[name] {
		return prefix + r, true
	}
	return "", false
}

func (o object) refList(name string, prefix string) (out []string, known bool) {
	if list, ok := o.strs(name); ok {
		return list, true
	}
	if rs := o.refs[name]; len(rs) > 0 {
		for _, r := range rs {
			out = append(out, prefix+r)
		}
		return out, true
	}
	return nil, false
}

// refTarget turns a configuration reference such as
// "aws_security_group.web.id" into the resource address.
func refTarget(ref string) (string, bool) {
	parts := strings.Split(ref, ".")
	for i := 0; i+1 < len(parts); i++ {
		if strings.HasPrefix(parts[i], "aws_") {
			return parts[i] + "." + parts[i+1], true
		}
	}
	return "", false
}

func parsePrefix(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return p.Masked(), true
}

func protocolOf(o object, name string) (model.Protocol, string) {
	s, ok := o.str(name)
	if !ok {
		return model.All, name + " is known only after apply"
	}
	p, err := model.ParseProtocol(s)
	if err != nil {
		return model.All, err.Error()
	}
	return p, ""
}
