package analyzer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sgcheck/sgcheck/internal/parallel"
	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// proved lists the policies whose claims the simulator replays.
var proved = map[string]bool{"SGC001": true, "SGC002": true, "SGC003": true}

// prove attaches a replayed witness timeline to every SGC001, SGC002 and
// SGC003 finding. A finding whose witness does not replay as claimed is a
// bug in sgcheck: it is withheld and reported as an internal error.
func (e *Engine) prove(res *Result, head, base *model.Snapshot, changes *ChangesDoc,
	classes []tracking.AttachmentClass, params tracking.Params) []Finding {
	// proofs are independent: replayed in parallel, kept in order
	head.Index()
	if base != nil {
		base.Index()
	}
	proofs := make([]*Proof, len(res.Findings))
	errs := make([]error, len(res.Findings))
	parallel.Each(len(res.Findings), func(i int) {
		f := res.Findings[i]
		if !proved[f.ID] || f.subject == "" {
			return
		}
		p, err := e.replay(f, head, base, changes, classes, params)
		if err == nil && !p.Verified {
			err = fmt.Errorf("%s", p.Failure)
		}
		if err == nil {
			proofs[i] = proofOf(p)
		}
		errs[i] = err
	})
	var out []Finding
	for i, f := range res.Findings {
		if errs[i] != nil {
			res.Internal = append(res.Internal, fmt.Sprintf("%s on %s: the proof did not replay as claimed, so the finding is withheld: %v", f.ID, f.Rule, errs[i]))
			continue
		}
		f.Proof = proofs[i]
		out = append(out, f)
	}
	return out
}

// replay is a seam for tests: it builds and runs the witness of a finding.
var replayHook func(f Finding, p tracking.Proof) tracking.Proof

func (e *Engine) replay(f Finding, head, base *model.Snapshot, changes *ChangesDoc,
	classes []tracking.AttachmentClass, params tracking.Params) (tracking.Proof, error) {
	kind, rest, _ := strings.Cut(f.subject, ":")
	var p tracking.Proof
	switch kind {
	case "revocation", "flip":
		if changes == nil || base == nil {
			return p, fmt.Errorf("no change to replay")
		}
		i, err := strconv.Atoi(rest)
		if err != nil {
			return p, err
		}
		var name string
		if kind == "revocation" && i < len(changes.revs) {
			name = changes.revs[i].Attachment.Name
		} else if kind == "flip" && i < len(changes.flips) {
			name = changes.flips[i].Attachment.Name
		} else {
			return p, fmt.Errorf("unknown subject %s", f.subject)
		}
		before, ok1 := tracking.SimConfigFor(base, name)
		after, ok2 := tracking.SimConfigFor(head, name)
		if !ok1 || !ok2 {
			return p, fmt.Errorf("attachment %s not found on both sides", name)
		}
		if kind == "flip" {
			p = tracking.ProveFlip(before, after, changes.flips[i], params)
		} else {
			m := changes.revs[i]
			var remedy *model.NetworkACL
			if m.witness == nil {
				// a revocation joined from parts proposes no exact entry
				remedy = remedyNACL(m.Revocation, head)
			}
			p = tracking.ProveRevocation(before, after, m.proved(), remedy, params)
		}
	case "rule":
		a, r, ok := strings.Cut(rest, ":")
		ai, err1 := strconv.Atoi(a)
		ri, err2 := strconv.Atoi(r)
		if !ok || err1 != nil || err2 != nil || ai >= len(classes) || ri >= len(classes[ai].Rules) {
			return p, fmt.Errorf("unknown subject %s", f.subject)
		}
		cfg, found := tracking.SimConfigFor(head, classes[ai].Attachment.Name)
		if !found {
			return p, fmt.Errorf("attachment %s not found", classes[ai].Attachment.Name)
		}
		p = tracking.ProveAlwaysTracked(cfg, classes[ai].Rules[ri].Rule, params)
	default:
		return p, fmt.Errorf("unknown subject %s", f.subject)
	}
	if replayHook != nil {
		p = replayHook(f, p)
	}
	return p, nil
}

// remedyNACL is the subnet's NACL with the proposed entries added, or nil.
func remedyNACL(rv tracking.Revocation, head *model.Snapshot) *model.NetworkACL {
	rem, _ := ProposeNACL(rv, head)
	if rem == nil {
		return nil
	}
	n := rem.NACL
	n.Entries = append([]model.ACLEntry(nil), n.Entries...)
	for _, e := range rem.Entries {
		e.Name = tracking.RemedyEntryName()
		n.Entries = append(n.Entries, e)
	}
	return &n
}

func proofOf(p tracking.Proof) *Proof {
	out := &Proof{Verified: p.Verified}
	for _, st := range p.Steps {
		ev := Event{T: st.T, Event: st.Event, Verdict: st.Verdict, Why: st.Why}
		if st.Rule != nil {
			ev.Location = LocationOf(st.Rule.Source)
		}
		out.Events = append(out.Events, ev)
	}
	return out
}
