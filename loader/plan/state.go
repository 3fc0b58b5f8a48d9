package plan

import (
	"fmt"

	"github.com/sgcheck/sgcheck/loader/jsonpos"
	"github.com/sgcheck/sgcheck/model"
)

// IsState reports whether a document is the JSON of a Terraform state
// (terraform show -json without a plan).
func IsState(root *jsonpos.Node) bool {
	v := root.Get("values")
	return v != nil && v.Get("root_module") != nil && root.Get("resource_changes") == nil
}

// IsRawState reports whether a document is a Terraform state file itself
// (terraform.tfstate: "version", "lineage" and "resources" at the top).
func IsRawState(root *jsonpos.Node) bool {
	return root.Get("lineage") != nil && root.Get("version") != nil &&
		(root.Get("resources") != nil || root.Get("modules") != nil) && root.Get("values") == nil
}

// AddRawState adds the managed resources of a Terraform state file (format
// version 4, Terraform 0.12 and later) to snap: each instance's attributes
// are what terraform show -json prints as its values. prefix qualifies
// addresses.
func AddRawState(snap *model.Snapshot, root *jsonpos.Node, file, prefix string) []model.Diagnostic {
	if v, _ := root.Get("version").Int(); v != 4 {
		line := 1
		if n := root.Get("version"); n != nil {
			line = n.Line
		}
		return []model.Diagnostic{{File: file, Line: line, Message: fmt.Sprintf(
			"a Terraform state file of format version %d is not read (only version 4, Terraform 0.12 and later): run terraform show -json on it and scan that", v)}}
	}
	c := newConverter(snap)
	for _, r := range root.Get("resources").Items() {
		if mode, _ := r.Get("mode").Str(); mode != "managed" {
			continue
		}
		typ, _ := r.Get("type").Str()
		name, _ := r.Get("name").Str()
		module, _ := r.Get("module").Str()
		if module != "" {
			module += "."
		}
		for _, in := range r.Get("instances").Items() {
			if in.Get("deposed") != nil {
				continue // an object replaced by a create-before-destroy, about to go
			}
			vals, ok := in.Get("attributes").Plain().(map[string]any)
			if !ok {
				continue
			}
			addr := module + typ + "." + name + indexOf(in.Get("index_key"))
			c.prefix = prefix + module
			c.resource(prefix+addr, typ, object{vals: vals}, model.Source{File: file, StartLine: in.Line, EndLine: in.Line})
		}
	}
	c.finish()
	return c.diags
}

// indexOf renders an instance key as an address does: [0], ["a"], or ""
// for a resource without count or for_each.
func indexOf(k *jsonpos.Node) string {
	if k == nil {
		return ""
	}
	if s, ok := k.Str(); ok {
		return fmt.Sprintf("[%q]", s)
	}
	if i, ok := k.Int(); ok {
		return fmt.Sprintf("[%d]", i)
	}
	return ""
}

// IsPlanDoc reports whether a document is the JSON of a saved plan (a plan
// that changes nothing has planned_values and no resource_changes).
func IsPlanDoc(root *jsonpos.Node) bool {
	return (root.Get("resource_changes") != nil || root.Get("planned_values") != nil) && root.Get("format_version") != nil
}

// AddState adds the resources of a state document (values.root_module and
// its child modules, recursively) to snap. prefix qualifies addresses.
func AddState(snap *model.Snapshot, root *jsonpos.Node, file, prefix string) []model.Diagnostic {
	c := newConverter(snap)
	var walk func(m *jsonpos.Node)
	walk = func(m *jsonpos.Node) {
		if m == nil {
			return
		}
		for _, r := range m.Get("resources").Items() {
			if mode, _ := r.Get("mode").Str(); mode != "managed" {
				continue
			}
			addr, _ := r.Get("address").Str()
			typ, _ := r.Get("type").Str()
			vals, ok := r.Get("values").Plain().(map[string]any)
			if !ok {
				continue
			}
			c.prefix = prefix + moduleOf(addr)
			c.resource(prefix+addr, typ, object{vals: vals}, model.Source{File: file, StartLine: r.Line, EndLine: r.Line})
		}
		for _, child := range m.Get("child_modules").Items() {
			walk(child)
		}
	}
	walk(root.Get("values").Get("root_module"))
	c.finish()
	return c.diags
}

// AddPlanned adds what a plan makes (the after side) to snap, with
// addresses qualified by prefix.
func AddPlanned(snap *model.Snapshot, path, file, prefix string) []model.Diagnostic {
	_, after, diags := load(path, file, prefix)
	if after == nil {
		return diags
	}
	snap.Take(after)
	return diags
}

// moduleOf returns the module part of a resource address, with a trailing
// dot ("module.a.module.b."), or "".
func moduleOf(addr string) string {
	last := ""
	rest := addr
	for len(rest) > 7 && rest[:7] == "module." {
		end := 7
		depth := 0
		for end < len(rest) {
			ch := rest[end]
			if ch == '[' {
				depth++
			} else if ch == ']' {
				depth--
			} else if ch == '.' && depth == 0 {
				break
			}
			end++
		}
		if end >= len(rest) {
			break
		}
		last += rest[:end+1]
		rest = rest[end+1:]
	}
	return last
}
