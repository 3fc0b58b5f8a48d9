package analyzer

import (
	"context"
	"reflect"
	"slices"
	"sync"

	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// baseFindings is what the base configuration of a change already had, by
// the three keys a head finding is matched on (see without): the same
// fingerprint, the same policy on the same rule (an edited rule that was
// already reported), or the same policy on the same group or attachment
// with the same facts (a rule moved to another index, or from inline to a
// rule resource, is not new).
type baseFindings map[string]bool

func (b baseFindings) add(fs []Finding) {
	for _, f := range fs {
		b[f.Fingerprint] = true
		b[factsKey(f)] = true
		b[ruleKey(f)] = true
		b[anyInstanceKey(f)] = true
	}
}

// without keeps the findings the base did not already have: not the same
// finding, not the same check on the same group or attachment with the
// same facts (for a conditional instance: on any instance of the same
// resource, see anyInstanceKey), and not the same check on the same rule unless the change
// widened that rule (widened reports whether a rule admits something it did
// not admit in the base: SSH open to the world edited into RDP open to the
// world is news, a narrowed rule is not). Revocations and flips (SGC001,
// SGC002) exist only in a change and are always kept.
func (b baseFindings) without(fs []Finding, widened func(rule string) bool) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.ID == "SGC001" || f.ID == "SGC002" || (!b[f.Fingerprint] && !b[factsKey(f)] &&
			(f.Facts["conditional"] == nil || !b[anyInstanceKey(f)]) &&
			(!b[ruleKey(f)] || (f.Rule != "" && widened(f.Rule)))) {
			out = append(out, f)
		}
	}
	return out
}

// ruleWidened returns widened for without: whether a rule of head admits
// any protocol, port or peer that no rule of the same name and direction
// admits in base, or was moved to a group on attachments its group in the
// base was not on (moved between two groups of one instance, it exposes
// nothing new). Rules whose peer, ports or protocol the input does not
// determine are widened unless the base has the same rule.
func ruleWidened(head, base *model.Snapshot) func(rule string) bool {
	var before, after map[string][]model.Rule
	var onBefore, onAfter map[string]map[string]bool // group → attachments
	byName := func(s *model.Snapshot) map[string][]model.Rule {
		m := map[string][]model.Rule{}
		for _, r := range s.Rules {
			m[r.Name] = append(m[r.Name], r)
		}
		return m
	}
	attachedTo := func(s *model.Snapshot) map[string]map[string]bool {
		m := map[string]map[string]bool{}
		for _, a := range s.Attachments {
			for _, g := range a.Groups {
				if m[g] == nil {
					m[g] = map[string]bool{}
				}
				m[g][a.Name] = true
			}
		}
		return m
	}
	return func(rule string) bool {
		if before == nil {
			before, after = byName(base), byName(head)
			onBefore, onAfter = attachedTo(base), attachedTo(head)
		}
		for _, r := range after[rule] {
			covered := func(b model.Rule) bool {
				return (b.Group == r.Group || subset(onAfter[r.Group], onBefore[b.Group])) && ruleContains(b, r)
			}
			if !slices.ContainsFunc(before[rule], covered) {
				return true
			}
		}
		return false
	}
}

// subset reports whether every key of a is in b.
func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// ruleContains reports whether rule b admits everything rule r admits
// (conservatively: false when unsure).
func ruleContains(b, r model.Rule) bool {
	if b.Direction != r.Direction {
		return false
	}
	if len(r.Unknown) > 0 || len(b.Unknown) > 0 {
		return b.Protocol == r.Protocol && b.FromPort == r.FromPort && b.ToPort == r.ToPort && b.Peer == r.Peer &&
			slices.Equal(b.Unknown, r.Unknown)
	}
	switch {
	case b.Protocol == model.All:
	case b.Protocol != r.Protocol:
		return false
	case r.Protocol.HasPorts():
		if b.FromPort > r.FromPort || r.ToPort > b.ToPort {
			return false
		}
	case r.Protocol.IsICMP():
		// type and code, -1 meaning any
		if (b.FromPort != -1 && b.FromPort != r.FromPort) || (b.ToPort != -1 && b.ToPort != r.ToPort) {
			return false
		}
	}
	if b.Peer.Kind != r.Peer.Kind {
		return false
	}
	if b.Peer.Kind == model.PeerCIDR {
		return b.Peer.Prefix.Bits() <= r.Peer.Prefix.Bits() && b.Peer.Prefix.Contains(r.Peer.Prefix.Addr())
	}
	return b.Peer.Ref == r.Peer.Ref
}

// evalChange evaluates the policies for change analysis and returns the
// head's findings with what the base already had.
//
// A built-in policy looks at one attachment, NACL or group at a time, so
// it finds on the base's copy of a document exactly what it finds on an
// identical head document. The documents are split into those the change
// left as they were and those it touched: the head's findings on the
// untouched ones are the base's findings there too, and the base is
// evaluated only on the documents the change touched. Of the untouched
// documents, only those that name what a touched finding names are
// evaluated at all (naming): the others' findings are never reported, and
// match none that is. User policies see the whole input, so both sides are
// evaluated in full for them.
func (e *Engine) evalChange(ctx context.Context, in Input, classes []tracking.AttachmentClass, head, base *model.Snapshot,
	opts Options) ([]Finding, baseFindings, []model.Diagnostic, error) {
	if opts.BaseNames != nil {
		// the base's documents under the head's names, so that a document
		// the change left alone is equal on both sides: a finding is matched
		// to the base's by keys without files (baseFindings), so which
		// name a base document carries changes no result
		named := *base
		named.RenameFiles(opts.BaseNames)
		base = &named
	}
	// the documents below are built concurrently and read the index: build
	// it first (the renamed copy has none)
	base.Index()
	baseIn := Input{Params: in.Params}
	concurrently(func() {
		baseIn.Attachments = baseAttachmentDocs(in.Attachments, classes, head, base, opts.Params)
	}, func() {
		baseIn.NACLs, baseIn.Groups, baseIn.Subnets = declaredNACLs(baseNACLDocs(in.NACLs, head, base)), GroupDocs(base), SubnetDocs(base)
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
	// the built-ins on the touched and the base's own documents at once
	// (built-ins report errors, never diagnostics, so nothing is shared but
	// the engine)
	var unchanged, touched, before []rawFinding
	var errs [2]error
	concurrently(
		func() { touched, errs[0] = eval(headOnly, builtin, false) },
		func() { before, errs[1] = eval(baseOnly, builtin, false) })
	for _, err := range errs {
		if err != nil {
			return nil, nil, nil, err
		}
	}
	// then on the documents the change left alone: their findings are the
	// base's too, and count only where one of the touched findings may be
	// matched to them
	found, err := convertFindings(touched)
	if err != nil {
		return nil, nil, nil, err
	}
	unchanged, err = eval(naming(same, found), builtin, false)
	if err != nil {
		return nil, nil, nil, err
	}
	if e.hasUser(opts.Enable) {
		// user policies: the whole head, and the whole base
		users, err := eval(in, user, true)
		if err != nil {
			return nil, nil, nil, err
		}
		fs, err := convertFindings(users)
		if err != nil {
			return nil, nil, nil, err
		}
		// as converting the built-ins' and the users' raw findings together
		found = firstOfEach(append(found, fs...))
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
	return found, known, diags, nil
}

// naming keeps the documents of in that hold, as a value anywhere in them,
// the resource or rule of one of fs (with instance keys left out, for a
// finding on a conditional instance). A finding is matched to the base's by
// keys that hold its resource or its rule (baseFindings), and a built-in
// policy names in a finding the resource and rule of the document it
// judges as the document gives them: another document's findings cannot
// match fs.
func naming(in Input, fs []Finding) Input {
	names, wild := map[string]bool{}, map[string]bool{}
	for _, f := range fs {
		names[f.Resource] = true
		if f.Rule != "" {
			names[f.Rule] = true
		}
		if f.Facts["conditional"] != nil {
			wild[instanceKey.ReplaceAllString(f.Resource, "[*]")] = true
		}
	}
	match := func(s string) bool {
		return names[s] || (len(wild) > 0 && wild[instanceKey.ReplaceAllString(s, "[*]")])
	}
	out := Input{Params: in.Params, Changes: in.Changes}
	out.Attachments = keepNaming(in.Attachments, match)
	out.NACLs = keepNaming(in.NACLs, match)
	out.Groups = keepNaming(in.Groups, match)
	out.Subnets = keepNaming(in.Subnets, match)
	return out
}

func keepNaming[D any](docs []D, match func(string) bool) []D {
	var out []D
	for i := range docs {
		if holds(reflect.ValueOf(&docs[i]).Elem(), match) {
			out = append(out, docs[i])
		}
	}
	return out
}

// holds reports whether a string in v (a field, element, map key or
// value, at any depth) matches.
func holds(v reflect.Value, match func(string) bool) bool {
	switch v.Kind() {
	case reflect.String:
		return match(v.String())
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && holds(v.Elem(), match)
	case reflect.Struct:
		for _, i := range stringFields(v.Type()) {
			if holds(v.Field(i), match) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if !mayHoldString(v.Type().Elem()) {
			return false
		}
		for i := 0; i < v.Len(); i++ {
			if holds(v.Index(i), match) {
				return true
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if holds(iter.Key(), match) || holds(iter.Value(), match) {
				return true
			}
		}
	}
	return false
}

// fieldsHolding and typesHolding cache stringFields and mayHoldString by
// type: holds asks for every struct and slice it visits.
var fieldsHolding, typesHolding sync.Map // reflect.Type → []int, bool

// stringFields lists the exported fields of struct type t that may hold a
// string (holds looks at no other).
func stringFields(t reflect.Type) []int {
	if f, ok := fieldsHolding.Load(t); ok {
		return f.([]int)
	}
	var out []int
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && mayHoldString(f.Type) {
			out = append(out, i)
		}
	}
	fieldsHolding.Store(t, out)
	return out
}

// mayHoldString reports whether a value of type t may hold a string.
func mayHoldString(t reflect.Type) bool {
	if b, ok := typesHolding.Load(t); ok {
		return b.(bool)
	}
	b := mayHoldStringIn(t, map[reflect.Type]bool{})
	typesHolding.Store(t, b)
	return b
}

func mayHoldStringIn(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false // a recursive type: what it holds is found elsewhere
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return mayHoldStringIn(t.Elem(), seen)
	case reflect.Map:
		return mayHoldStringIn(t.Key(), seen) || mayHoldStringIn(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && mayHoldStringIn(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// baseNACLDocs is NACLDocs(base), taking the head's document (headDocs:
// the head's declared NACLs', in order) for a NACL equal to one of the
// head's, as a document is a function of its NACL alone.
func baseNACLDocs(headDocs []NACLDoc, head, base *model.Snapshot) []NACLDoc {
	type declared struct {
		nacl *model.NetworkACL
		doc  NACLDoc
	}
	byAddr := map[string][]declared{}
	k := 0
	for i := range head.NACLs {
		if n := &head.NACLs[i]; !n.Implicit && k < len(headDocs) {
			byAddr[n.Address] = append(byAddr[n.Address], declared{n, headDocs[k]})
			k++
		}
	}
	out := make([]NACLDoc, 0, len(base.NACLs))
	for _, n := range base.NACLs {
		i := slices.IndexFunc(byAddr[n.Address], func(d declared) bool { return reflect.DeepEqual(*d.nacl, n) })
		if i >= 0 {
			out = append(out, byAddr[n.Address][i].doc)
		} else {
			out = append(out, naclDoc(n))
		}
	}
	return out
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
// documents with one in the base equal but for where its blocks are,
// sameDoc), headOnly (the other head documents, with the changes) and
// baseOnly (the other base documents).
func splitInputs(head, base Input) (same, headOnly, baseOnly Input) {
	same = Input{Params: head.Params}
	headOnly = Input{Params: head.Params, Changes: head.Changes}
	baseOnly = Input{Params: head.Params}
	same.Attachments, headOnly.Attachments, baseOnly.Attachments = split(head.Attachments, base.Attachments,
		func(d AttachmentDoc) string { return d.Name }, sameDoc[AttachmentDoc])
	same.NACLs, headOnly.NACLs, baseOnly.NACLs = split(head.NACLs, base.NACLs,
		func(d NACLDoc) string { return d.Name }, sameDoc[NACLDoc])
	same.Groups, headOnly.Groups, baseOnly.Groups = split(head.Groups, base.Groups,
		func(d GroupDoc) string { return d.Name }, sameDoc[GroupDoc])
	same.Subnets, headOnly.Subnets, baseOnly.Subnets = split(head.Subnets, base.Subnets,
		func(d SubnetDoc) string { return d.Name }, sameDoc[SubnetDoc])
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

// baseAttachmentDocs returns the base's attachment documents, in the
// base's order. An attachment whose classification reads exactly what it
// reads in the head (the attachment, each group and its rules, the NACL
// of its subnet and how that was found) has the head's document, which
// is taken rather than classified again; the others are classified.
func baseAttachmentDocs(headDocs []AttachmentDoc, headClasses []tracking.AttachmentClass, head, base *model.Snapshot,
	params tracking.Params) []AttachmentDoc {
	byName := map[string][]int{}
	for i, c := range headClasses {
		byName[c.Attachment.Name] = append(byName[c.Attachment.Name], i)
	}
	groups := map[string]bool{}
	sameGroup := func(g string) bool {
		if v, ok := groups[g]; ok {
			return v
		}
		db, okb := base.Group(g)
		dh, okh := head.Group(g)
		v := okb == okh && reflect.DeepEqual(db, dh) && reflect.DeepEqual(base.RulesOfGroup(g), head.RulesOfGroup(g))
		groups[g] = v
		return v
	}
	sameInputs := func(b, h model.Attachment) bool {
		if !reflect.DeepEqual(b, h) {
			return false
		}
		for _, g := range b.Groups {
			if !sameGroup(g) {
				return false
			}
		}
		nb, wb := base.NACLFor(b.Subnet)
		nh, wh := head.NACLFor(h.Subnet)
		return wb == wh && (nb == nil) == (nh == nil) && (nb == nil || reflect.DeepEqual(*nb, *nh))
	}
	atts := tracking.Attachments(base)
	reuse := make([]int, len(atts))
	used := make([]bool, len(headClasses))
	var rest []model.Attachment
	for j, a := range atts {
		reuse[j] = -1
		for _, i := range byName[a.Name] {
			if !used[i] && sameInputs(a, headClasses[i].Attachment) {
				reuse[j], used[i] = i, true
				break
			}
		}
		if reuse[j] < 0 {
			rest = append(rest, a)
		}
	}
	computed := WithNACLs(Docs(tracking.ClassifyEach(base, rest, params)), base)
	out := make([]AttachmentDoc, 0, len(atts))
	for j := range atts {
		if i := reuse[j]; i >= 0 {
			out = append(out, headDocs[i]) // shares its rules with the head's document
			continue
		}
		out = append(out, computed[0])
		computed = computed[1:]
	}
	return out
}

// sameDoc compares two documents but for the lines of their locations
// and their rules' subjects (which number the attachments of each side).
// A built-in policy copies a document's locations into its findings and
// decides nothing on their lines, and a finding is matched to the base's
// by keys without locations (baseFindings): a document whose blocks only
// moved, as every block below a removed one in its file does, has the
// base's findings. Files are compared, and so is every string, such as a
// reason that quotes where a value fails to evaluate.
func sameDoc[D any](a, b *D) bool {
	return equalDoc(reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem())
}

var (
	locationType = reflect.TypeFor[Location]()
	ruleDocType  = reflect.TypeFor[RuleDoc]()
	ruleSubject  = func() int { f, _ := ruleDocType.FieldByName("Subject"); return f.Index[0] }()
)

func equalDoc(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		if a.Pointer() == b.Pointer() {
			return true
		}
		if a.Type().Elem() == locationType {
			return a.Interface().(*Location).File == b.Interface().(*Location).File
		}
		return equalDoc(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if i == ruleSubject && a.Type() == ruleDocType {
				continue
			}
			if !equalDoc(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		if a.Len() == 0 || a.UnsafePointer() == b.UnsafePointer() {
			return true
		}
		for i := range a.Len() {
			if !equalDoc(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	default:
		return reflect.DeepEqual(a.Interface(), b.Interface())
	}
}
