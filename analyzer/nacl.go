package analyzer

import (
	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// NACLDoc is one network ACL as policies see it.
type NACLDoc struct {
	Name    string   `json:"name"`
	Default bool     `json:"default"`
	VPC     string   `json:"vpc,omitempty"`
	Subnets []string `json:"subnets"`
	// Implicit marks the default NACL AWS gives a declared VPC whose
	// default NACL the input does not manage (allow all).
	Implicit bool       `json:"implicit,omitempty"`
	Location *Location  `json:"location,omitempty"`
	Entries  []EntryDoc `json:"entries"`
	// Exposed says what the ingress entries together admit from a whole
	// address family (SGC103, SGC104).
	Exposed []NACLExposureDoc `json:"exposed,omitempty"`
	// Unknown lists entries the input does not determine (left out).
	Unknown []AbsentDoc `json:"unknown_entries,omitempty"`
	// Inline and Standalone name the entries of each kind when the network
	// ACL has both (the AWS provider overwrites one set with the other).
	Inline     []string `json:"inline,omitempty"`
	Standalone []string `json:"standalone,omitempty"`
}

// EntryDoc is one NACL entry. ShadowedBy names the lower-numbered entry
// that matches everything this one would, so that it never applies;
// DuplicateOf names the entry before it with the same direction and rule
// number (a network ACL holds one entry per number and direction).
type EntryDoc struct {
	Entry            string    `json:"entry"`
	Number           int       `json:"number"`
	Direction        string    `json:"direction"`
	Action           string    `json:"action"`
	Protocol         string    `json:"protocol"`
	FromPort         *int      `json:"from_port,omitempty"`
	ToPort           *int      `json:"to_port,omitempty"`
	ICMPType         *int      `json:"icmp_type,omitempty"`
	ICMPCode         *int      `json:"icmp_code,omitempty"`
	CIDR             string    `json:"cidr"`
	Open             bool      `json:"open"`
	ShadowedBy       *int      `json:"shadowed_by,omitempty"`
	ShadowedByAction string    `json:"shadowed_by_action,omitempty"`
	DuplicateOf      string    `json:"duplicate_of,omitempty"`
	Location         *Location `json:"location,omitempty"`
}

// NACLDocs converts a snapshot's NACLs, with the shadowing worked out.
func NACLDocs(s *model.Snapshot) []NACLDoc {
	out := make([]NACLDoc, 0, len(s.NACLs))
	for _, n := range s.NACLs {
		out = append(out, naclDoc(n))
	}
	return out
}

// naclDoc is the document of one NACL: a function of the NACL alone.
func naclDoc(n model.NetworkACL) NACLDoc {
	d := NACLDoc{Name: n.Address, Default: n.Default, VPC: n.VPC, Implicit: n.Implicit, Subnets: n.Subnets,
		Location: LocationOf(n.Source), Entries: make([]EntryDoc, 0, len(n.Entries))}
	if d.Subnets == nil {
		d.Subnets = []string{}
	}
	for _, u := range n.Unknown {
		d.Unknown = append(d.Unknown, AbsentDoc{Address: u.Address, Why: u.Why, Location: LocationOf(u.Source)})
	}
	if !n.Implicit {
		d.Exposed = naclExposures(&n)
	}
	shadow := tracking.ShadowedBy(n)
	// the first entry of each direction and number, and the first
	// conditional instance (a resource whose count or for_each the input
	// does not determine): two conditional instances may be alternatives,
	// never created together, so they are not reported as duplicates of
	// each other
	type slot struct {
		egress, conditional bool
		number              int
	}
	first := map[slot]string{}
	for i, e := range n.Entries {
		ed := EntryDoc{Entry: e.Name, Number: e.Number, Direction: "ingress", Action: string(e.Action),
			Protocol: e.Protocol.String(), CIDR: e.CIDR.String(), Open: e.CIDR.Bits() == 0, Location: LocationOf(e.Source)}
		if e.Egress {
			ed.Direction = "egress"
		}
		switch {
		case e.Protocol.HasPorts():
			ed.FromPort, ed.ToPort = intp(e.FromPort), intp(e.ToPort)
		case e.Protocol.IsICMP():
			ed.ICMPType, ed.ICMPCode = intp(e.ICMPType), intp(e.ICMPCode)
		}
		if by, ok := shadow[i]; ok {
			ed.ShadowedBy, ed.ShadowedByAction = intp(by.Number), string(by.Action)
		}
		cond := findConditional(e.Name) != ""
		known, conditional := first[slot{e.Egress, false, e.Number}], first[slot{e.Egress, true, e.Number}]
		switch {
		case known != "":
			ed.DuplicateOf = known
		case conditional != "" && !cond:
			ed.DuplicateOf = conditional
		}
		if _, ok := first[slot{e.Egress, cond, e.Number}]; !ok {
			first[slot{e.Egress, cond, e.Number}] = e.Name
		}
		d.Entries = append(d.Entries, ed)
		if e.Standalone {
			d.Standalone = append(d.Standalone, e.Name)
		} else {
			d.Inline = append(d.Inline, e.Name)
		}
	}
	if len(d.Inline) == 0 || len(d.Standalone) == 0 {
		d.Inline, d.Standalone = nil, nil
	}
	return d
}

// declaredNACLs leaves out the implicit default NACLs: policies judge what
// the configuration declares.
func declaredNACLs(docs []NACLDoc) []NACLDoc {
	out := docs[:0:0]
	for _, d := range docs {
		if !d.Implicit {
			out = append(out, d)
		}
	}
	return out
}

// WithNACLs records, on each attachment whose subnet is known, the network
// ACL that filters it, or why it cannot be determined.
func WithNACLs(docs []AttachmentDoc, s *model.Snapshot) []AttachmentDoc {
	for i := range docs {
		if docs[i].Subnet == "" {
			continue
		}
		n, why := s.NACLFor(docs[i].Subnet)
		if n != nil {
			docs[i].NACL = n.Address
		}
		docs[i].NACLReason = why
	}
	return docs
}

// AbsentDoc is a rule-bearing block the configuration creates nothing of.
type AbsentDoc struct {
	Address  string    `json:"address"`
	Why      string    `json:"why"`
	Location *Location `json:"location,omitempty"`
}

// AbsentDocs lists what the snapshot's configuration creates nothing of.
func AbsentDocs(s *model.Snapshot) []AbsentDoc {
	out := make([]AbsentDoc, 0, len(s.Absent))
	for _, a := range s.Absent {
		out = append(out, AbsentDoc{Address: a.Address, Why: a.Why, Location: LocationOf(a.Source)})
	}
	return out
}
