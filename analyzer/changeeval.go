package analyzer

import (
	"context"
	"reflect"

	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// baseFindings is what the base configuration of a change already had, by
// the three keys a head finding is matched on: the same fingerprint, the
// same policy on the same rule (an edited rule that was already reported),
// or the same policy with the same facts (a rule moved to another place or
// index is not new).
type baseFindings map[string]bool

func (b baseFindings) add(fs []Finding) {
	for _, f := range fs {
		b[f.Fingerprint] = true
		b[factsKey(f)] = true
		b[ruleKey(f)] = true
	}
}

// without keeps the findings the base did not already have; revocations
// and flips (SGC001, SGC002) exist only in a change and are always kept.
func (b baseFindings) without(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.ID == "SGC001" || f.ID == "SGC002" || (!b[f.Fingerprint] && !b[factsKey(f)] && !b[ruleKey(f)]) {
			out = append(out, f)
		}
	}
	return out
}

// evalChange evaluates the policies for change analysis and returns the
// head's raw findings with what the base already had.
//
// A built-in policy looks at one attachment, NACL or group at a time, so
// it finds on the base's copy of a document exactly what it finds on an
// identical head document. The documents are split into those the change
// left as they were and those it touched: the head's findings on the
// untouched ones are the base's findings there too, and the base is
// evaluated only on the documents the change touched. User policies see
// the whole input, so both sides are evaluated in full for them.
func (e *Engine) evalChange(ctx context.Context, in Input, base *model.Snapshot, opts Options) ([]rawFinding, baseFindings, []model.Diagnostic, error) {
	baseIn := Input{Params: in.Params}
	concurrently(func() {
		baseIn.Attachments = WithNACLs(Docs(tracking.Classify(base, opts.Params)), base)
	}, func() {
		baseIn.NACLs, baseIn.Groups = declaredNACLs(NACLDocs(base)), GroupDocs(base)
	})
	same, headOnly, baseOnly := splitInputs(in, baseIn)
	builtin := func(pq policyQuery) bool { return pq.perAttachment }
	user := func(pq policyQuery) bool { return !pq.perAttachment }
	var diags []model.Diagnostic
	// the base's policy errors are not reported: the head's are the ones
	// that matter, and a user policy failing on both would be said twice
	eval := func(doc Input, which func(policyQuery) bool, report bool) ([]rawFinding, error) {
		value, err := buildInput(doc)
		if err != nil {
			return nil, err
		}
		raws, ds, err := e.evalSome(ctx, value, opts.Enable, which)
		if report {
			diags = append(diags, ds...)
		}
		return raws, err
	}
	known := baseFindings{}
	unchanged, err := eval(same, builtin, true)
	if err != nil {
		return nil, nil, nil, err
	}
	touched, err := eval(headOnly, builtin, true)
	if err != nil {
		return nil, nil, nil, err
	}
	before, err := eval(baseOnly, builtin, false)
	if err != nil {
		return nil, nil, nil, err
	}
	if e.hasUser(opts.Enable) {
		// user policies: the whole head, and the whole base
		users, err := eval(in, user, true)
		if err != nil {
			return nil, nil, nil, err
		}
		touched = append(touched, users...)
		baseUsers, err := eval(baseIn, user, false)
		if err != nil {
			return nil, nil, nil, err
		}
		before = append(before, baseUsers...)
	}
	for _, raws := range [][]rawFinding{unchanged, before} {
		fs, err := convertFindings(raws)
		if err != nil {
			return nil, nil, nil, err
		}
		known.add(fs)
	}
	return touched, known, diags, nil
}

// hasUser reports whether any user policy is evaluated.
func (e *Engine) hasUser(enable map[string]bool) bool {
	for _, pq := range e.queries {
		if !pq.perAttachment && (!pq.meta.Off || enable[pq.meta.ID]) {
			return true
		}
	}
	return false
}

// splitInputs divides the documents of head and base into same (head's
// documents with an identical one in the base), headOnly (the other head
// documents, with the changes) and baseOnly (the other base documents).
func splitInputs(head, base Input) (same, headOnly, baseOnly Input) {
	same = Input{Params: head.Params}
	headOnly = Input{Params: head.Params, Changes: head.Changes}
	baseOnly = Input{Params: head.Params}
	same.Attachments, headOnly.Attachments, baseOnly.Attachments = split(head.Attachments, base.Attachments,
		func(d AttachmentDoc) string { return d.Name }, sameAttachmentDoc)
	same.NACLs, headOnly.NACLs, baseOnly.NACLs = split(head.NACLs, base.NACLs,
		func(d NACLDoc) string { return d.Name }, func(a, b *NACLDoc) bool { return reflect.DeepEqual(a, b) })
	same.Groups, headOnly.Groups, baseOnly.Groups = split(head.Groups, base.Groups,
		func(d GroupDoc) string { return d.Name }, func(a, b *GroupDoc) bool { return reflect.DeepEqual(a, b) })
	return same, headOnly, baseOnly
}

// split pairs documents by name: a head document equal to a base document
// of its name goes to same, the others to headOnly; base documents left
// unpaired go to baseOnly. Order within each list is kept.
func split[D any](head, base []D, name func(D) string, equal func(a, b *D) bool) (same, headOnly, baseOnly []D) {
	byName := map[string][]int{}
	for i := range base {
		byName[name(base[i])] = append(byName[name(base[i])], i)
	}
	paired := make([]bool, len(base))
	for i := range head {
		found := false
		for _, j := range byName[name(head[i])] {
			if !paired[j] && equal(&head[i], &base[j]) {
				paired[j], found = true, true
				break
			}
		}
		if found {
			same = append(same, head[i])
		} else {
			headOnly = append(headOnly, head[i])
		}
	}
	for j := range base {
		if !paired[j] {
			baseOnly = append(baseOnly, base[j])
		}
	}
	return same, headOnly, baseOnly
}

// sameAttachmentDoc compares two attachment documents but for their rules'
// subjects, which number the attachments of each side.
func sameAttachmentDoc(a, b *AttachmentDoc) bool {
	if len(a.Rules) != len(b.Rules) {
		return false
	}
	for i := range a.Rules {
		ra, rb := a.Rules[i], b.Rules[i]
		ra.Subject, rb.Subject = "", ""
		if !reflect.DeepEqual(ra, rb) {
			return false
		}
	}
	x, y := *a, *b
	x.Rules, y.Rules = nil, nil
	return reflect.DeepEqual(x, y)
}
