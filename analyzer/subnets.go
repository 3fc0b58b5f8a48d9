package analyzer

import (
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sgcheck/sgcheck/model"
)

// SubnetDoc is a subnet that declared network ACLs name explicitly
// (subnet_ids, aws_network_acl_association): NACLs lists them in snapshot
// order. AWS gives a subnet one network ACL, so more than one is a
// contest the last apply decides (SGC106); Related then holds their
// locations.
type SubnetDoc struct {
	Name     string    `json:"name"`
	NACLs    []string  `json:"nacls"`
	Location *Location `json:"location,omitempty"`
	Related  []Related `json:"related,omitempty"`
}

// SubnetDocs lists the subnets the snapshot's declared network ACLs name:
// declared subnets first, in snapshot order, then the others in the order
// the network ACLs name them. A document is a function of the subnet and
// the network ACLs that name it.
func SubnetDocs(s *model.Snapshot) []SubnetDoc {
	type claim struct {
		nacls []string
		locs  []*Location
	}
	claims := map[string]*claim{}
	var order []string
	for _, n := range s.NACLs {
		if n.Implicit {
			continue
		}
		for _, sub := range n.Subnets {
			c := claims[sub]
			if c == nil {
				c = &claim{}
				claims[sub] = c
				order = append(order, sub)
			}
			if !slices.Contains(c.nacls, n.Address) {
				c.nacls = append(c.nacls, n.Address)
				c.locs = append(c.locs, LocationOf(n.Source))
			}
		}
	}
	out := []SubnetDoc{}
	done := map[string]bool{}
	add := func(name string, loc *Location) {
		c := claims[name]
		if c == nil || done[name] {
			return
		}
		done[name] = true
		d := SubnetDoc{Name: name, NACLs: c.nacls, Location: loc}
		if len(c.nacls) > 1 {
			for i, l := range c.locs {
				if l != nil {
					d.Related = append(d.Related, Related{Message: c.nacls[i], Location: l})
				}
			}
		}
		out = append(out, d)
	}
	for _, sub := range s.Subnets {
		add(sub.Address, LocationOf(sub.Source))
	}
	for _, name := range order {
		add(name, nil)
	}
	return out
}

func (in interner) subnet(d *SubnetDoc) *ast.Term {
	b := &objBuilder{in: in}
	b.str("name", d.Name)
	b.strs("nacls", d.NACLs, false)
	b.location("location", d.Location, true)
	b.related(d.Related)
	return b.term()
}
