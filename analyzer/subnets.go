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
	out := []SubnetDoc{}
	done := map[string]bool{}
	add := func(name string, loc *Location) {
		if done[name] {
			return
		}
		done[name] = true
		nacls := slices.DeleteFunc(s.NACLsNaming(name), func(n *model.NetworkACL) bool { return n.Implicit })
		if len(nacls) == 0 {
			return
		}
		d := SubnetDoc{Name: name, Location: loc}
		for _, n := range nacls {
			d.NACLs = append(d.NACLs, n.Address)
			// related locations only where there is a contest to point at:
			// where each network ACL is given the subnet, else the network ACL
			if len(nacls) > 1 {
				if src, ok := n.SubnetSources[name]; ok && src.File != "" {
					d.Related = append(d.Related, Related{Message: "associated with " + n.Address + " here", Location: LocationOf(src)})
				} else if l := LocationOf(n.Source); l != nil {
					d.Related = append(d.Related, Related{Message: n.Address, Location: l})
				}
			}
		}
		out = append(out, d)
	}
	for _, sub := range s.Subnets {
		add(sub.Address, LocationOf(sub.Source))
	}
	for _, n := range s.NACLs {
		for _, sub := range n.Subnets {
			add(sub, nil)
		}
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
