package tracking

import (
	"slices"
	"strings"

	"github.com/sgcheck/sgcheck/model"
)

// membership knows which attachments the configuration makes members of
// each group, before and after a change, so that a change that moves a
// group's members to another group an attachment admits (a per-service
// group replaced by a shared "client" group, say) is not taken for a
// revocation of those members: their flows are admitted by the new rule,
// whatever the tracking of the old one.
type membership struct {
	declared map[string]bool             // groups the base declares (not symbolic)
	deleted  map[string]bool             // of those, the ones the head does not have
	before   map[string][]string         // group → the base's attachments carrying it
	after    map[string]model.Attachment // the head's attachments by name
	// uncreated maps a group to the base's members declared with no
	// instance that carry it (model.Snapshot.Uncreated), by resource
	// address; afterRes maps a resource address to what the head has of
	// it (byResource), nil when the base has no such member.
	uncreated map[string][]string
	afterRes  map[string][]model.Attachment
}

func newMembership(base, head *model.Snapshot, baseAtts []model.Attachment, after map[string]model.Attachment,
	afterRes map[string][]model.Attachment) *membership {
	m := &membership{declared: map[string]bool{}, deleted: map[string]bool{}, before: map[string][]string{}, after: after,
		uncreated: map[string][]string{}, afterRes: afterRes}
	for _, g := range base.Groups {
		if !g.Symbolic {
			m.declared[g.Address] = true
			if _, ok := head.Group(g.Address); !ok {
				m.deleted[g.Address] = true
			}
		}
	}
	for _, a := range baseAtts {
		if a.Assumed {
			continue // a group analysed alone: not a member the input gives it
		}
		for _, g := range a.Groups {
			m.before[g] = append(m.before[g], a.Name)
		}
	}
	for _, a := range base.Uncreated {
		for _, g := range a.Groups {
			m.uncreated[g] = append(m.uncreated[g], a.Name)
		}
	}
	return m
}

// resourceOf is the resource address of an attachment's name: the name
// without its instance key (aws_instance.web[0], aws_instance.web["a"]).
func resourceOf(name string) string {
	if !strings.HasSuffix(name, "]") {
		return name
	}
	if strings.HasSuffix(name, `"]`) {
		if i := strings.LastIndex(name, `["`); i > 0 {
			return name[:i]
		}
	}
	if i := strings.LastIndex(name, "["); i > 0 {
		return name[:i]
	}
	return name
}

// moved reports whether every member the configuration gives group g
// before the change is, after it, gone (its flows end with it) or a member
// of a group whose members still admits: the configuration declares g and
// gives it at least one member, so its members are taken to be those (a
// group that only other configurations attach, or one given no member
// here, is not judged moved). A member declared with no instance (count 0
// by default, set per deployment) counts: where it is created, it carries
// the groups it names, so what it names after the change decides. A group
// the change deletes has no other members: EC2 refuses to delete a group
// an instance or network interface is associated with
// (DeleteSecurityGroup fails with DependencyViolation, docs/semantics.md),
// so whatever else used it has left it, and what becomes of that member's
// flows is decided where it went, not by the rules of this change.
func (m *membership) moved(g string, still PeerSet) bool {
	members, decls := m.before[g], m.uncreated[g]
	if !m.declared[g] || (len(members) == 0 && len(decls) == 0 && !m.deleted[g]) {
		return false
	}
	for _, name := range members {
		if a, ok := m.after[name]; ok && !carriesAdmitted(a, g, still) {
			return false
		}
	}
	for _, name := range decls {
		for _, a := range m.afterRes[name] {
			if !carriesAdmitted(a, g, still) {
				return false
			}
		}
	}
	return true
}

// carriesAdmitted reports whether attachment a carries a group other than g
// whose members still admits; not when some of its groups are not known (it
// may or may not carry one).
func carriesAdmitted(a model.Attachment, g string, still PeerSet) bool {
	if len(a.GroupsUnknown) > 0 {
		return false
	}
	for _, h := range a.Groups {
		if h != g && slices.Contains(still.Atoms, string(model.PeerGroup)+":"+h) {
			return true
		}
	}
	return false
}

// withoutMoved drops from revoked the groups whose members moved to a group
// that still admits.
func (m *membership) withoutMoved(revoked, still PeerSet) PeerSet {
	if m == nil || len(revoked.Atoms) == 0 {
		return revoked
	}
	var atoms []string
	for _, a := range revoked.Atoms {
		g, ok := strings.CutPrefix(a, string(model.PeerGroup)+":")
		if ok && m.moved(g, still) {
			continue
		}
		atoms = append(atoms, a)
	}
	if len(atoms) == len(revoked.Atoms) {
		return revoked
	}
	return PeerSet{IPs: revoked.IPs, Atoms: atoms}
}
