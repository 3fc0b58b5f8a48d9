package analyzer

import (
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sgcheck/sgcheck/model"
)

// GroupDoc is one declared security group as the group-level checks see
// it (SGC207, SGC208, SGC209).
type GroupDoc struct {
	Name          string `json:"name"`
	Default       bool   `json:"default,omitempty"`
	NoDescription bool   `json:"no_description,omitempty"`
	Unattached    bool   `json:"unattached,omitempty"`
	// Inline and Standalone name the group's rules of each origin when it
	// has both (the AWS provider overwrites one set with the other).
	Inline     []string  `json:"inline,omitempty"`
	Standalone []string  `json:"standalone,omitempty"`
	Location   *Location `json:"location,omitempty"`
	Related    []Related `json:"related,omitempty"`
}

// GroupDocs converts the snapshot's declared groups (not symbolic ones).
func GroupDocs(s *model.Snapshot) []GroupDoc {
	type origins struct {
		inline, standalone []string
		locs               []*Location
		seen               map[string]bool
	}
	byGroup := map[string]*origins{}
	for _, r := range s.Rules {
		if r.Origin != "inline" && r.Origin != "standalone" {
			continue
		}
		o := byGroup[r.Group]
		if o == nil {
			o = &origins{seen: map[string]bool{}}
			byGroup[r.Group] = o
		}
		if o.seen[r.Name] {
			continue
		}
		o.seen[r.Name] = true
		if r.Origin == "inline" {
			o.inline = append(o.inline, r.Name)
		} else {
			o.standalone = append(o.standalone, r.Name)
			o.locs = append(o.locs, LocationOf(r.Source))
		}
	}
	out := make([]GroupDoc, 0, len(s.Groups))
	for _, g := range s.Groups {
		if g.Symbolic {
			continue
		}
		d := GroupDoc{Name: g.Address, Default: g.Default, NoDescription: g.NoDescription, Unattached: g.Unattached,
			Location: LocationOf(g.Source)}
		if o := byGroup[g.Address]; o != nil && len(o.inline) > 0 && len(o.standalone) > 0 {
			d.Inline, d.Standalone = o.inline, o.standalone
			for i, l := range o.locs {
				if l != nil {
					d.Related = append(d.Related, Related{Message: o.standalone[i], Location: l})
				}
			}
		}
		out = append(out, d)
	}
	return out
}

func (in interner) group(d *GroupDoc) *ast.Term {
	b := &objBuilder{in: in}
	b.str("name", d.Name)
	for _, f := range []struct {
		k string
		v bool
	}{{"default", d.Default}, {"no_description", d.NoDescription}, {"unattached", d.Unattached}} {
		if f.v {
			b.put(f.k, ast.BooleanTerm(true))
		}
	}
	b.strs("inline", d.Inline, true)
	b.strs("standalone", d.Standalone, true)
	b.location("location", d.Location, true)
	b.related(d.Related)
	return b.term()
}
