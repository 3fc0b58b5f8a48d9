package plan

import (
	"github.com/sgcheck/sgcheck/loader/jsonpos"
	"github.com/sgcheck/sgcheck/model"
)

// IsState reports whether a document is the JSON of a Terraform state
// (terraform show -json without a plan).
func IsState(root *jsonpos.Node) bool {
	v := root.Get("values")
	return v != nil && v.Get("root_module") != nil && root.Get("resource_changes") == nil
}

// IsPlanDoc reports whether a document is the JSON of a saved plan.
func IsPlanDoc(root *jsonpos.Node) bool {
	return root.Get("resource_changes") != nil && root.Get("format_version") != nil
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

// AddPlanned adds what a plan makes (the after side) to snap.
func AddPlanned(snap *model.Snapshot, path, file, prefix string) []model.Diagnostic {
	_, after, diags := Load(path, file)
	if after == nil {
		return diags
	}
	snap.Groups = append(snap.Groups, after.Groups...)
	snap.Rules = append(snap.Rules, after.Rules...)
	snap.Attachments = append(snap.Attachments, after.Attachments...)
	snap.NACLs = append(snap.NACLs, after.NACLs...)
	snap.Subnets = append(snap.Subnets, after.Subnets...)
	snap.Unknowns += after.Unknowns
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
