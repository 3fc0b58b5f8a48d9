// Package plan loads the JSON of a saved Terraform plan (terraform show -json)
// into two snapshots: what is live before the plan, and what the plan makes.
package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"regexp"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/sgcheck/sgcheck/internal/safeio"
	"github.com/sgcheck/sgcheck/model"
)

// pathless is an error without the path the diagnostic already names.
func pathless(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// IsPlan reports whether a decoded JSON document looks like a plan.
func IsPlan(doc map[string]json.RawMessage) bool {
	_, rc := doc["resource_changes"]
	_, pv := doc["planned_values"]
	return rc || pv
}

// Load reads a plan file. name is how reports show the file.
func Load(path, name string) (before, after *model.Snapshot, diags []model.Diagnostic) {
	return load(path, name, "")
}

// load is Load with addresses qualified by qualifier (see AddPlanned).
func load(path, name, qualifier string) (before, after *model.Snapshot, diags []model.Diagnostic) {
	raw, err := safeio.ReadFile(path)
	if err != nil {
		return nil, nil, []model.Diagnostic{{File: name, Message: "--plan: " + pathless(err)}}
	}
	var de *safeio.DepthError
	if err := safeio.CheckJSON(raw); errors.As(err, &de) {
		return nil, nil, []model.Diagnostic{{File: name, Line: de.Line, Message: de.Error()}}
	}
	var p tfjson.Plan
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, nil, []model.Diagnostic{JSONError(name, raw, err)}
	}
	before, after = &model.Snapshot{}, &model.Snapshot{}
	lines := addressLines(raw)
	refs := configRefs(p.Config)
	bc, ac := newConverter(before), newConverter(after)
	for _, rc := range p.ResourceChanges {
		if rc == nil || rc.Mode != tfjson.ManagedResourceMode || rc.Change == nil {
			continue
		}
		src := model.Source{File: name, StartLine: lines[rc.Address], EndLine: lines[rc.Address]}
		prefix := qualifier
		if rc.ModuleAddress != "" {
			prefix += rc.ModuleAddress + "."
		}
		if m, ok := rc.Change.Before.(map[string]any); ok {
			bc.prefix = prefix
			bc.resource(qualifier+rc.Address, rc.Type, object{vals: m}, src)
		}
		if m, ok := rc.Change.After.(map[string]any); ok {
			unknown, _ := rc.Change.AfterUnknown.(map[string]any)
			ac.prefix = prefix
			ac.resource(qualifier+rc.Address, rc.Type, object{vals: m, unknown: unknown,
				refs: refs[configKey(rc.Address)]}, src)
		}
	}
	bc.finish()
	ac.finish()
	return before, after, uniqueDiags(append(bc.diags, ac.diags...))
}

// uniqueDiags drops repeats (a value invalid before and after the plan).
func uniqueDiags(ds []model.Diagnostic) []model.Diagnostic {
	seen := map[model.Diagnostic]bool{}
	var out []model.Diagnostic
	for _, d := range ds {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// JSONError turns a decoding error into a diagnostic with the line of the
// offending byte.
func JSONError(name string, raw []byte, err error) model.Diagnostic {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	offset := int64(-1)
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	d := model.Diagnostic{File: name, Message: "invalid JSON: " + err.Error()}
	if offset >= 0 {
		if offset > int64(len(raw)) {
			offset = int64(len(raw))
		}
		before := raw[:offset]
		d.Line = bytes.Count(before, []byte("\n")) + 1
		d.Column = int(offset) - bytes.LastIndexByte(before, '\n')
	}
	return d
}

var addressRe = regexp.MustCompile(`"address"\s*:\s*"((?:[^"\\]|\\.)*)"`)

// addressLines finds the line of each resource change's "address", so that
// findings without HCL point into the plan file.
func addressLines(raw []byte) map[string]int {
	out := map[string]int{}
	start := bytes.Index(raw, []byte(`"resource_changes"`))
	if start < 0 {
		return out
	}
	line := bytes.Count(raw[:start], []byte("\n")) + 1
	pos := start
	for _, m := range addressRe.FindAllSubmatchIndex(raw[start:], -1) {
		line += bytes.Count(raw[pos:start+m[0]], []byte("\n"))
		pos = start + m[0]
		var addr string
		if err := json.Unmarshal(raw[start+m[2]-1:start+m[3]+1], &addr); err != nil {
			continue
		}
		if _, seen := out[addr]; !seen {
			out[addr] = line
		}
	}
	return out
}

var indexRe = regexp.MustCompile(`\[[^\]]*\]`)

// configKey strips instance keys: configuration is per resource, not per
// instance.
func configKey(addr string) string { return indexRe.ReplaceAllString(addr, "") }

// configRefs maps resource → attribute → the resources its expression refers to.
func configRefs(c *tfjson.Config) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	if c == nil {
		return out
	}
	var walk func(m *tfjson.ConfigModule, prefix string)
	walk = func(m *tfjson.ConfigModule, prefix string) {
		if m == nil {
			return
		}
		for _, r := range m.Resources {
			attrs := map[string][]string{}
			for name, e := range r.Expressions {
				if e == nil || e.ExpressionData == nil {
					continue
				}
				for _, ref := range e.References {
					if t, ok := refTarget(ref); ok && !contains(attrs[name], t) {
						attrs[name] = append(attrs[name], t)
					}
				}
			}
			out[prefix+r.Address] = attrs
		}
		for name, call := range m.ModuleCalls {
			if call != nil {
				walk(call.Module, prefix+"module."+name+".")
			}
		}
	}
	walk(c.RootModule, "")
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Relocate points elements of a plan snapshot at their HCL source, matching
// resources by address and inline rules by what they admit.
func Relocate(s, hcl *model.Snapshot) {
	srcOf := map[string]model.Source{}
	for _, g := range hcl.Groups {
		srcOf[g.Address] = g.Source
	}
	for _, a := range hcl.Attachments {
		srcOf[a.Name] = a.Source
	}
	for _, n := range hcl.NACLs {
		srcOf[n.Address] = n.Source
	}
	for i := range s.Groups {
		if src, ok := srcOf[s.Groups[i].Address]; ok {
			s.Groups[i].Source = src
		}
	}
	for i := range s.Attachments {
		if src, ok := srcOf[s.Attachments[i].Name]; ok {
			s.Attachments[i].Source = src
		}
	}
	for i := range s.NACLs {
		if src, ok := srcOf[s.NACLs[i].Address]; ok {
			s.NACLs[i].Source = src
		}
	}
	used := make([]bool, len(hcl.Rules))
	groupAddr := func(snap *model.Snapshot, ref string) string {
		if g, ok := snap.Group(ref); ok {
			return g.Address
		}
		return ref
	}
	for i := range s.Rules {
		r := &s.Rules[i]
		for j, h := range hcl.Rules {
			if used[j] {
				continue
			}
			standalone := h.Name == r.Name && !strings.Contains(h.Name, ".ingress[") && !strings.Contains(h.Name, ".egress[")
			inline := groupAddr(hcl, h.Group) == groupAddr(s, r.Group) && h.Direction == r.Direction &&
				h.Protocol == r.Protocol && h.FromPort == r.FromPort && h.ToPort == r.ToPort && peerMatch(h.Peer, r.Peer, hcl, s)
			if standalone && h.Peer == r.Peer || inline {
				used[j] = true
				r.Name, r.Source = h.Name, h.Source
				break
			}
		}
	}
}

func peerMatch(h, r model.Peer, hs, rs *model.Snapshot) bool {
	if h.Kind != r.Kind {
		return false
	}
	if h.Kind == model.PeerGroup || h.Kind == model.PeerSelf {
		ha, ra := h.Ref, r.Ref
		if g, ok := hs.Group(ha); ok {
			ha = g.Address
		}
		if g, ok := rs.Group(ra); ok {
			ra = g.Address
		}
		return ha == ra
	}
	return h == r
}
