package terraform

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"unsafe"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/sgcheck/sgcheck/model"
	"github.com/zclconf/go-cty/cty"
)

// In change analysis the follower evaluates again every root the change
// touched, although most of a touched root's blocks are the same on both
// sides and read the same values. The leader records what extracting each
// block of a root and of the module instances below it added
// (blockEffects); the follower, extracting its copy of the root, replays
// the record of a block instead of extracting it when it is the same block
// (a file with the same bytes at the same place, or the same text at the
// same place, or on lines moved by the same count, in a file that changed
// elsewhere) and nothing it refers to, directly or through other
// declarations, differs between the sides (changedNames, replayPlan).
// Below the root, an instance whose call the change left alone replays all
// its blocks (instancePlan). The follower still evaluates everything else
// as in a load of its own: the evaluation context, the blocks that changed
// or read what changed, the links between blocks (link, markUnattached),
// and the instances of changed calls.

// replayTypes are the resource types whose extraction is recorded: the
// bulk of a configuration's blocks (groups and their rules, network ACLs,
// subnets, VPCs, instances and interfaces), whose extraction only adds to
// the lists blockEffects holds (record checks that nothing else grew).
var replayTypes = map[string]bool{}

func init() {
	for _, t := range []string{"aws_security_group", "aws_default_security_group", "aws_security_group_rule",
		"aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", "aws_network_acl",
		"aws_default_network_acl", "aws_subnet", "aws_vpc"} {
		replayTypes[t] = true
	}
	for t := range memberTypes {
		replayTypes[t] = true
	}
}

// rootRecording is what the leader recorded while extracting a root: the
// root module as it read it, and each recorded block's effects (of the
// root or an instance below it), whose elements are held in frag, in
// order.
type rootRecording struct {
	mod    *module
	prefix string
	blocks map[blockKey]*blockEffects
	// instances holds the module of every instance below the root, by
	// its prefix, as the leader read it
	instances map[string]*module
	frag      model.Snapshot
	// values are the resource values of the root's evaluator and of
	// every instance's, by prefix, of those where no value depended on
	// the order of evaluation (seedValues)
	values map[string]map[string]cty.Value
}

// blockKey names a block of a module instance: one module's blocks are
// extracted once per instance.
type blockKey struct {
	prefix string
	body   hcl.Body // *hclsyntax.Body, or *lazyBody
}

// span is a range of one of a recording's lists.
type span [2]int

// blockEffects is what extracting one block added: spans of the recording's
// lists, the lengths of the rule lists it added (moduleExtractor.rules) in
// order, the positions among its groups of those named in
// moduleExtractor.groups, its diagnostics, the warnings it asked for (every
// call: whether one is given again depends on what was warned before), and
// the unknowns it counted other than by warnings. A network ACL's position
// (moduleExtractor.naclByAddr) is found again by its address.
type blockEffects struct {
	groups, absent, ignored, nacls, subnets, vpcs, atts, uncreated span
	rules                                                          int
	pieces                                                         []int
	named                                                          []int
	diags, worldDiags                                              []model.Diagnostic
	warns                                                          []warnCall
	unknowns                                                       int
	// usedContext is set when the block read the module's full context:
	// its replay builds it, as the extraction would have
	usedContext bool
	// refs are the groups a lazily parsed block refers to (settle): the
	// follower's copy, replayed, is never parsed, and markUnattached takes
	// them from here
	refs []string
}

type warnCall struct {
	file string
	line int
	msg  string
	at   int // index of the warning in world.diags; -1 when already given
}

// extractionMark is where the extraction stood when a block began.
type extractionMark struct {
	groups, absent, ignored, nacls, subnets, vpcs, atts, uncreated      int
	rules, diags, worldDiags, warns, warned, unknowns, reevaluations, n int
	others                                                              int
	contextBuilt                                                        bool
}

func (x *moduleExtractor) mark() extractionMark {
	w, s := x.ev.world, x.snap
	return extractionMark{groups: len(s.Groups), absent: len(s.Absent), ignored: len(s.IgnoreChanges),
		nacls: len(s.NACLs), subnets: len(s.Subnets), vpcs: len(s.VPCs), atts: len(s.Attachments),
		uncreated: len(s.Uncreated), rules: len(x.rules), diags: len(x.diags), worldDiags: len(w.diags),
		warns: len(w.warnLog), warned: len(w.warned), unknowns: s.Unknowns, reevaluations: w.reevaluations,
		n: len(x.naclByAddr), others: x.others(), contextBuilt: x.ev.full != nil}
}

// others sums the lengths of what a recorded block must not change.
func (x *moduleExtractor) others() int {
	s := x.snap
	return len(s.RouteTables) + len(s.PendingRoutes) + len(s.RouteAssocs) + len(s.MainRouteAssocs) +
		len(s.Forgotten) + len(x.aclRules) + len(x.aclUnknown) + len(x.aclAssocs) + len(x.sgAttach) +
		len(x.symbolicENIs) + len(x.gatewayEndpoints) + len(x.endpointAssocs) + len(x.lazyRefs) +
		len(x.lb.eips) + len(x.lb.Kinds) + len(x.lb.Groups) + len(x.lb.Listeners) + len(x.lb.Targets) +
		len(x.lb.Accelerated)
}

// spanOf appends src[from:] to *dst and returns where it went.
func spanOf[T any](dst *[]T, src []T, from int) span {
	start := len(*dst)
	*dst = append(*dst, src[from:]...)
	return span{start, len(*dst)}
}

// record stores the effects of block b, extracted since m, unless they are
// not all of a kind blockEffects holds: the block built the module's full
// context (its effects are the context's too), module calls were
// evaluated again (diagnostics were taken back), or something else grew.
// What linking the module's blocks edits in place later (an ACL's
// entries and subnets, an attachment's groups) is copied.
func (x *moduleExtractor) record(rec *rootRecording, b *hcl.Block, body hcl.Body, m extractionMark) {
	w, s := x.ev.world, x.snap
	if (!m.contextBuilt && x.ev.full != nil) || w.reevaluations != m.reevaluations || len(w.diags) < m.worldDiags ||
		x.others() != m.others || len(x.naclByAddr)-m.n != len(s.NACLs)-m.nacls {
		return
	}
	if x.quotesPlace(m) {
		return
	}
	e := &blockEffects{usedContext: x.ev.full != nil}
	f := &rec.frag
	e.groups = spanOf(&f.Groups, s.Groups, m.groups)
	e.absent = spanOf(&f.Absent, s.Absent, m.absent)
	e.ignored = spanOf(&f.IgnoreChanges, s.IgnoreChanges, m.ignored)
	e.subnets = spanOf(&f.Subnets, s.Subnets, m.subnets)
	e.vpcs = spanOf(&f.VPCs, s.VPCs, m.vpcs)
	e.nacls = spanOf(&f.NACLs, s.NACLs, m.nacls)
	for i := e.nacls[0]; i < e.nacls[1]; i++ {
		n := &f.NACLs[i]
		n.Entries, n.Unknown, n.Subnets = slices.Clone(n.Entries), slices.Clone(n.Unknown), slices.Clone(n.Subnets)
		n.SubnetSources = maps.Clone(n.SubnetSources)
	}
	e.atts = spanOf(&f.Attachments, s.Attachments, m.atts)
	e.uncreated = spanOf(&f.Uncreated, s.Uncreated, m.uncreated)
	for _, list := range [][]model.Attachment{f.Attachments[e.atts[0]:e.atts[1]], f.Uncreated[e.uncreated[0]:e.uncreated[1]]} {
		for i := range list {
			list[i].Groups = slices.Clone(list[i].Groups)
		}
	}
	e.rules = len(f.Rules)
	for _, piece := range x.rules[m.rules:] {
		e.pieces = append(e.pieces, len(piece))
		f.Rules = append(f.Rules, piece...)
	}
	if len(b.Labels) == 2 {
		for _, i := range x.groups[b.Labels[1]] {
			if i >= m.groups {
				e.named = append(e.named, i-m.groups)
			}
		}
	}
	e.diags = append(e.diags, x.diags[m.diags:]...)
	e.warns = append(e.warns, w.warnLog[m.warns:]...)
	var given map[int]bool // the warnings given, among the diagnostics
	for _, c := range e.warns {
		if c.at >= 0 {
			if given == nil {
				given = map[int]bool{}
			}
			given[c.at] = true
		}
	}
	for i := m.worldDiags; i < len(w.diags); i++ {
		if !given[i] {
			e.worldDiags = append(e.worldDiags, w.diags[i])
		}
	}
	e.unknowns = s.Unknowns - m.unknowns - (len(w.warned) - m.warned)
	rec.blocks[blockKey{x.ev.prefix, body}] = e
}

// quotesPlace reports whether a reason the block gave since m for what is
// not known quotes a file: a side evaluates it under its own file names,
// which a record taken from the other side would not have.
func (x *moduleExtractor) quotesPlace(m extractionMark) bool {
	s := x.snap
	quotes := func(why string) bool {
		return strings.Contains(why, ".tf:") || strings.Contains(why, ".json:") || strings.Contains(why, ".tofu:")
	}
	for _, piece := range x.rules[m.rules:] {
		for _, r := range piece {
			if quotes(r.Peer.Ref) || slices.ContainsFunc(r.Unknown, quotes) {
				return true
			}
		}
	}
	for _, a := range s.Absent[m.absent:] {
		if quotes(a.Why) {
			return true
		}
	}
	for _, n := range s.NACLs[m.nacls:] {
		for _, a := range n.Unknown {
			if quotes(a.Why) {
				return true
			}
		}
	}
	for _, list := range [][]model.Attachment{s.Attachments[m.atts:], s.Uncreated[m.uncreated:]} {
		for _, a := range list {
			if slices.ContainsFunc(a.GroupsUnknown, quotes) {
				return true
			}
		}
	}
	return false
}

// replay adds what the block recorded in e added in the leader's
// extraction; frag is the follower's copy of the recording's elements.
func (x *moduleExtractor) replay(b *hcl.Block, e *blockEffects, frag *model.Snapshot) {
	if e.usedContext {
		x.ev.fullContext()
	}
	if lb, ok := b.Body.(*lazyBody); ok {
		// never parsed here: the leader parsed the same text, and
		// markUnattached reads its references from the record
		lb.replayed()
		if x.lazyRefs == nil {
			x.lazyRefs = map[string]bool{}
		}
		for _, g := range e.refs {
			x.lazyRefs[g] = true
		}
	}
	s, w := x.snap, x.ev.world
	if len(e.named) > 0 {
		if x.groups == nil {
			x.groups = map[string][]int{}
		}
		for _, k := range e.named {
			x.groups[b.Labels[1]] = append(x.groups[b.Labels[1]], len(s.Groups)+k)
		}
	}
	for i := e.nacls[0]; i < e.nacls[1]; i++ {
		x.naclByAddr[frag.NACLs[i].Address] = len(s.NACLs) + i - e.nacls[0]
	}
	s.Groups = append(s.Groups, frag.Groups[e.groups[0]:e.groups[1]]...)
	s.Absent = append(s.Absent, frag.Absent[e.absent[0]:e.absent[1]]...)
	s.IgnoreChanges = append(s.IgnoreChanges, frag.IgnoreChanges[e.ignored[0]:e.ignored[1]]...)
	s.NACLs = append(s.NACLs, frag.NACLs[e.nacls[0]:e.nacls[1]]...)
	s.Subnets = append(s.Subnets, frag.Subnets[e.subnets[0]:e.subnets[1]]...)
	s.VPCs = append(s.VPCs, frag.VPCs[e.vpcs[0]:e.vpcs[1]]...)
	s.Attachments = append(s.Attachments, frag.Attachments[e.atts[0]:e.atts[1]]...)
	s.Uncreated = append(s.Uncreated, frag.Uncreated[e.uncreated[0]:e.uncreated[1]]...)
	at := e.rules
	for _, n := range e.pieces {
		x.rules = append(x.rules, frag.Rules[at:at+n:at+n])
		at += n
	}
	x.diags = append(x.diags, e.diags...)
	w.diags = append(w.diags, e.worldDiags...)
	for _, c := range e.warns {
		w.warnAt(c.file, c.line, c.msg)
	}
	s.Unknowns += e.unknowns
}

// replayPlan returns, for the follower's root module mine (its instance
// prefix), the leader's records of the blocks that may be replayed
// (planBlocks), with the follower's copy of the elements of every record
// (the instances' too); nil when none may.
func replayPlan(rec *rootRecording, mine *module, prefix string, mc *moduleChange) (map[hcl.Body]*blockEffects, *model.Snapshot) {
	if len(rec.blocks) == 0 {
		return nil, nil
	}
	plan, moved := planBlocks(rec, mine, prefix, mc)
	if len(plan) == 0 && len(rec.instances) == 0 {
		return nil, nil
	}
	frag := rec.frag.Clone()
	shiftAll(frag, plan, moved, mc, nil)
	return plan, frag
}

// planBlocks returns the records of the resource blocks of module mine (of
// instance prefix) that may be replayed, and those of them on moved lines.
// A block may be replayed when it is the leader's block (mc.same) and
// declares nothing changed (mc.changed holds what reads a changed
// declaration too); one on moved lines only when its record holds no
// diagnostic or warning, which may name lines.
func planBlocks(rec *rootRecording, mine *module, prefix string, mc *moduleChange) (map[hcl.Body]*blockEffects, []hcl.Body) {
	plan := map[hcl.Body]*blockEffects{}
	var moved []hcl.Body
	for _, b := range mine.blocks {
		body := b.Body
		if !replayable(body) || b.Type != "resource" || len(b.Labels) != 2 {
			continue
		}
		sb, ok := mc.same[body]
		if !ok {
			continue
		}
		e := rec.blocks[blockKey{prefix, sb.body}]
		if e == nil || mc.changed.declares(b) {
			continue
		}
		if _, lazy := body.(*lazyBody); lazy {
			if _, leaderLazy := sb.body.(*lazyBody); !leaderLazy {
				continue // its references are recorded only for lazy blocks
			}
		}
		if sb.shift != 0 {
			if len(e.diags) > 0 || len(e.worldDiags) > 0 || len(e.warns) > 0 {
				continue // they may name the lines: extracted again
			}
			moved = append(moved, body)
		}
		plan[body] = e
	}
	return plan, moved
}

// shiftAll moves the sources of the moved blocks' records in frag
// (shiftLines); a block one of whose sources is not within it, nor one of
// calls (the module calls that made the instance, which stay where they
// are), is taken out of plan, to be extracted.
func shiftAll(frag *model.Snapshot, plan map[hcl.Body]*blockEffects, moved []hcl.Body, mc *moduleChange, calls []model.Source) {
	for _, body := range moved {
		if !shiftLines(frag, plan[body], mc.same[body], calls) {
			delete(plan, body)
		}
	}
}

// instanceReplay is what the follower needs to replay the blocks of the
// module instances below a root.
type instanceReplay struct {
	rec        *rootRecording
	leaderName func(string) string
	// differing holds the prefixes of the leader's instances of a module
	// whose files differ between the sides
	differing []string
	// states holds what changed in each instance extracted so far, by
	// prefix (the root's included): its calls' instances are extracted
	// after it
	states map[string]*moduleChange
}

// below returns the module calls of mod (of instance prefix) below which
// the leader made an instance of a module whose files differ here: their
// outputs may differ.
func (ir *instanceReplay) below(mod *module, prefix string) nameSet {
	seed := nameSet{}
	for _, b := range mod.blocks {
		if b.Type != "module" || len(b.Labels) != 1 {
			continue
		}
		at := prefix + "module." + b.Labels[0]
		for _, q := range ir.differing {
			if strings.HasPrefix(q, at+".") || strings.HasPrefix(q, at+"[") {
				seed.add("module", b.Labels[0])
				break
			}
		}
	}
	return seed
}

// plan returns the records of the blocks of module instance ev (below the
// root) that may be replayed, in frag (the follower's copy of the
// recording's elements): none when the call that made it may pass other
// arguments (the parent's call changed or reads what changed) or the
// leader made no such instance; else those of its blocks that are the
// leader's and read nothing changed in the instance (changedNames, with
// the calls below which a module differs).
func (ir *instanceReplay) plan(ev *evaluator, frag *model.Snapshot) map[hcl.Body]*blockEffects {
	parent := ir.states[ev.parent.prefix]
	theirs := ir.rec.instances[ev.prefix]
	call := ""
	for name, cs := range ev.parent.children {
		if slices.Contains(cs, ev) {
			call = name
		}
	}
	if parent == nil || theirs == nil || call == "" || parent.calls[call] {
		return nil
	}
	mc, ok := changedNames(theirs, ev.mod, ir.leaderName, ir.below(ev.mod, ev.prefix))
	if !ok {
		return nil
	}
	ir.states[ev.prefix] = mc
	if ev.full == nil {
		seedValues(ev, ir.rec.values[ev.prefix], mc.changed)
	}
	plan, moved := planBlocks(ir.rec, ev.mod, ev.prefix, mc)
	if len(moved) == 0 {
		return plan
	}
	// the instance's call and its callers, as the leader names their
	// files: the same as the leader's (the calls are unchanged, else no
	// block is replayed)
	var calls []model.Source
	for _, c := range append(slices.Clip(ev.callers), ev.callSite) {
		if c.File != "" {
			c.File = ir.leaderName(c.File)
			calls = append(calls, c)
		}
	}
	shiftAll(frag, plan, moved, mc, calls)
	return plan
}

// shiftLines moves the sources of what the block recorded in e added, in
// frag (the follower's own copy), by sb.shift lines: those within the
// leader's block; false, with nothing moved, when one is neither within it
// nor one of calls.
func shiftLines(frag *model.Snapshot, e *blockEffects, sb sameBlock, calls []model.Source) bool {
	n := 0
	for _, k := range e.pieces {
		n += k
	}
	// the record's lists, as a snapshot of their own sharing frag's
	view := model.Snapshot{Groups: frag.Groups[e.groups[0]:e.groups[1]], Absent: frag.Absent[e.absent[0]:e.absent[1]],
		IgnoreChanges: frag.IgnoreChanges[e.ignored[0]:e.ignored[1]], NACLs: frag.NACLs[e.nacls[0]:e.nacls[1]],
		Subnets: frag.Subnets[e.subnets[0]:e.subnets[1]], VPCs: frag.VPCs[e.vpcs[0]:e.vpcs[1]],
		Attachments: frag.Attachments[e.atts[0]:e.atts[1]], Uncreated: frag.Uncreated[e.uncreated[0]:e.uncreated[1]],
		Rules: frag.Rules[e.rules : e.rules+n]}
	within := func(src *model.Source) bool {
		return src.File == sb.file && src.StartLine >= sb.first && src.EndLine <= sb.last
	}
	inside := true
	view.EachSource(func(src *model.Source) {
		if src.File != "" && !within(src) && !slices.Contains(calls, *src) {
			inside = false
		}
	})
	if !inside {
		return false
	}
	view.EachSource(func(src *model.Source) {
		if within(src) {
			src.StartLine += sb.shift
			src.EndLine += sb.shift
		}
	})
	return true
}

// sameBlock is the leader's block a block of the follower is: the same
// text at the same place, or, with shift, on lines moved by shift (in file,
// where the leader's block spans lines first to last).
type sameBlock struct {
	body        hcl.Body
	shift       int
	file        string
	first, last int
}

// seedable returns the values of evaluator e's resources that another
// side may take (seedValues): those of blocks of native syntax without
// count or for_each. A block the other side did not change has the same
// text, so it has neither there either, and the other side need not read
// its attributes to know it.
func seedable(e *evaluator) map[string]cty.Value {
	values := make(map[string]cty.Value, len(e.resVals))
	for _, byName := range e.resources {
		for _, d := range byName {
			switch body := d.block.Body.(type) {
			case *hclsyntax.Body:
				if body.Attributes["count"] != nil || body.Attributes["for_each"] != nil {
					continue
				}
			case *lazyBody:
				if attrs := d.attributes(); attrs["count"] != nil || attrs["for_each"] != nil {
					continue
				}
			default:
				continue
			}
			if v, ok := e.resVals[d.address()]; ok {
				values[d.address()] = v
			}
		}
	}
	return values
}

// seedValues gives evaluator e (of a root or an instance whose call passes
// the same arguments) the leader's values (seedable) of the resources that
// neither changed nor read what changed (changed): such a value is the
// resource's address and the attributes its block sets, evaluated from
// what did not change, and evaluating it reports nothing (an expansion
// may: resources with count or for_each are evaluated here). What the
// attributes read is evaluated here all the same, with the full context.
// A resource given its value is not expanded here, so its attributes are
// never read (readLazyAttributes).
func seedValues(e *evaluator, values map[string]cty.Value, changed nameSet) {
	for typ, byName := range e.resources {
		for name, d := range byName {
			if changed[typ][name] {
				continue
			}
			if v, ok := values[d.address()]; ok {
				e.resVals[d.address()] = v
			}
		}
	}
}

// nameSet holds declarations by the word a reference starts with (var,
// local, module, data or a resource type) and their name.
type nameSet map[string]map[string]bool

func (n nameSet) add(root string, names ...string) {
	if n[root] == nil {
		n[root] = map[string]bool{}
	}
	for _, name := range names {
		n[root][name] = true
	}
}

func (n nameSet) size() int {
	k := 0
	for _, names := range n {
		k += len(names)
	}
	return k
}

// declares reports whether block b declares a name in n.
func (n nameSet) declares(b *hcl.Block) bool {
	root, names := declared(b)
	for _, name := range names {
		if n[root][name] {
			return true
		}
	}
	return false
}

// declared returns what block b declares, as references name it: the word
// a reference starts with and the attribute that follows it. A locals
// block declares each of its attributes (see units).
func declared(b *hcl.Block) (root string, names []string) {
	switch {
	case b.Type == "resource" && len(b.Labels) == 2:
		return b.Labels[0], b.Labels[1:]
	case b.Type == "data" && len(b.Labels) == 2:
		return "data", b.Labels[:1] // data.TYPE.NAME: every source of the type, to be safe
	case b.Type == "variable" && len(b.Labels) == 1:
		return "var", b.Labels
	case b.Type == "module" && len(b.Labels) == 1:
		return "module", b.Labels
	case b.Type == "locals":
		if body, ok := b.Body.(*hclsyntax.Body); ok {
			for name := range body.Attributes {
				names = append(names, name)
			}
		}
		return "local", names
	}
	return "", nil
}

// inert are the block types that declare nothing another block reads.
var inert = map[string]bool{"output": true, "removed": true, "moved": true, "import": true, "check": true}

// moduleChange is what differs between the sides in a module instance:
// the declarations whose value may differ, the leader's block each block
// of the follower's is (sameBlock; absent where none), and the module
// calls whose arguments may differ.
type moduleChange struct {
	changed nameSet
	same    map[hcl.Body]sameBlock
	calls   map[string]bool
}

// changedNames returns what differs between the leader's module (theirs)
// and the follower's (mine) of one instance, where the calls of seed may
// differ below (their outputs). The changed declarations are those found
// on one side only, in the files the sides do not share (sameFiles),
// compared by their text (and, for locals, variables and module calls, by
// their place too: why a value is not known may quote where a local, or a
// module's argument or output, fails to evaluate); then every declaration
// whose text reads one of those (readIn), until none is added. ok is false
// when a block of another kind differs (providers, the terraform block), a
// file is not native syntax, or more than half the declarations changed
// (a replay would save little).
func changedNames(theirs, mine *module, leaderName func(string) string, seed nameSet) (*moduleChange, bool) {
	tf, ok1 := filesOf(theirs)
	mf, ok2 := filesOf(mine)
	if !ok1 || !ok2 {
		return nil, false
	}
	same, matched := sameFiles(tf, mf, leaderName)
	mc := &moduleChange{changed: seed, same: same, calls: map[string]bool{}}
	if len(matched) == len(tf.files) && len(matched) == len(mf.files) && seed.size() == 0 {
		return mc, true // the same files: nothing differs
	}
	theirUnits, ok1 := tf.units(func(name string) bool { return !matched[name] })
	myUnits, ok2 := mf.units(func(string) bool { return true })
	if !ok1 || !ok2 {
		return nil, false
	}
	// keys: the text at its place, the text alone, the text in a file
	// and column; each unit's text is made a string once
	key := func(u *unit) unitKey { return unitKey{u.file, u.at.Line, u.at.Column, u.str} }
	declKey := func(u *unit) unitKey {
		if u.root == "local" || u.root == "module" || u.root == "var" {
			return key(u)
		}
		return unitKey{text: u.str}
	}
	textKey := func(u *unit) unitKey { return unitKey{file: u.file, col: u.at.Column, text: u.str} }
	// the declarations of the files the sides do not share: -1 for the
	// leader's, +1 for the follower's
	decls := make(map[unitKey]int, len(theirUnits))
	// a resource block of such a file the same at the same place is the
	// same block; of the same text in the same file and column on other
	// lines (lines above it changed), the same block moved (shiftLines)
	type placed struct {
		body        hcl.Body
		first, last int
		n           int // blocks of that text there
	}
	theirAt, theirText := make(map[unitKey]hcl.Body, len(theirUnits)), make(map[unitKey]*placed, len(theirUnits))
	for i := range theirUnits {
		u := &theirUnits[i]
		u.file, u.str = u.name, textString(u.text)
		decls[declKey(u)]--
		if u.block.Type == "resource" {
			theirAt[key(u)] = u.node
			if p := theirText[textKey(u)]; p != nil {
				p.n++
			} else {
				theirText[textKey(u)] = &placed{u.node, u.at.Line, u.last, 1}
			}
		}
	}
	// the follower's units of the files not shared, then the leader's
	apart := make([]*unit, 0, 2*len(theirUnits))
	for i := range myUnits {
		u := &myUnits[i]
		u.file = leaderName(u.name)
		if matched[u.file] {
			continue
		}
		u.str = textString(u.text)
		decls[declKey(u)]++
		apart = append(apart, u)
		if u.block.Type != "resource" {
			continue
		}
		if tb := theirAt[key(u)]; tb != nil {
			same[u.node] = sameBlock{body: tb}
		} else if p := theirText[textKey(u)]; p != nil && p.n == 1 {
			same[u.node] = sameBlock{body: p.body, shift: u.at.Line - p.first, file: u.file, first: p.first, last: p.last}
		}
	}
	changed, seeded := nameSet{}, seed.size()
	for root, names := range seed {
		changed[root] = maps.Clone(names)
	}
	for i := range theirUnits {
		apart = append(apart, &theirUnits[i])
	}
	// a resource on both sides whose text changed but not its instances
	// (count and for_each) changes only what reads more of it than its
	// address (addressOnly): shallow, unless it reads what changed
	type side struct {
		seen, ok bool              // declared (once, unless !ok), and read
		meta     string            // its count and for_each
		attrs    map[string]string // the attributes its value holds (refAttrs)
	}
	metas := map[string]*[2]side{} // by "type name": the leader's, the follower's
	note := func(u *unit, i int) {
		if decls[declKey(u)] == 0 || u.block.Type != "resource" || len(u.names) != 1 {
			return
		}
		key := u.root + " " + u.names[0]
		if metas[key] == nil {
			metas[key] = &[2]side{}
		}
		s := &metas[key][i]
		if s.seen {
			s.ok = false // declared twice: never the same
			return
		}
		s.seen = true
		s.meta, s.attrs, s.ok = instanceMeta(u)
	}
	for i := range theirUnits {
		note(&theirUnits[i], 0)
	}
	for _, u := range apart[:len(apart)-len(theirUnits)] {
		note(u, 1)
	}
	sameMeta := func(u *unit) bool {
		m := metas[u.root+" "+u.names[0]]
		return m != nil && m[0].ok && m[1].ok && m[0].meta == m[1].meta
	}
	shallow := nameSet{}
	for _, u := range apart {
		if decls[declKey(u)] == 0 {
			continue // on both sides
		}
		switch {
		case u.block.Type == "resource" && len(u.names) == 1 && sameMeta(u) && !changed.declaresAll(u.root, u.names):
			shallow.add(u.root, u.names...)
		case len(u.names) > 0:
			changed.add(u.root, u.names...)
			if u.block.Type == "module" {
				mc.calls[u.names[0]] = true
			}
		case !inert[u.block.Type]:
			return nil, false
		}
	}
	// what a reference to a shallow resource may read without reading
	// its change: what its address makes, an attribute its value does not
	// hold, and one it holds (refAttrs) written the same on both sides
	// and reading nothing that changed
	var reads func(text []byte) bool
	visiting := map[string]bool{}
	unchanged := func(typ, name, attr string) bool {
		if addressOnly[attr] || addressOnlyOf[typ][attr] {
			return true
		}
		if !slices.Contains(refAttrs, attr) {
			return true
		}
		m, key := metas[typ+" "+name], typ+" "+name+"."+attr
		if m == nil || !m[0].ok || !m[1].ok || visiting[key] {
			return false
		}
		text, ok := m[1].attrs[attr]
		if theirs, ok0 := m[0].attrs[attr]; ok != ok0 || text != theirs {
			return false
		}
		visiting[key] = true
		defer delete(visiting, key)
		return !reads([]byte(text))
	}
	reads = func(text []byte) bool { return changed.readIn(text) || shallow.readBeyondAddress(text, unchanged) }
	// what reads a changed declaration may change with it
	for grew := true; grew; {
		if 2*(changed.size()+shallow.size()-seeded) > len(myUnits) {
			return nil, false
		}
		grew = false
		for _, u := range myUnits {
			if len(u.names) == 0 || changed.declaresAll(u.root, u.names) || !reads(u.body) {
				continue
			}
			changed.add(u.root, u.names...)
			grew = true
		}
	}
	// a call passes other arguments when its text changed or it reads
	// what changed (not the outputs seed marks)
	for _, u := range myUnits {
		if u.block.Type == "module" && len(u.names) == 1 && !mc.calls[u.names[0]] && reads(u.body) {
			mc.calls[u.names[0]] = true
		}
	}
	// the shallow ones are changed declarations too: extracted again,
	// and their values never taken from the leader (seedValues)
	for root, names := range shallow {
		for name := range names {
			changed.add(root, name)
		}
	}
	mc.changed = changed
	return mc, true
}

// instanceMeta is the text of a resource unit's count and for_each, which
// decide its instances; ok is false where they cannot be read (a block
// read lazily, or a type whose address-only attributes depend on others:
// a launch configuration's name).
func instanceMeta(u *unit) (meta string, attrs map[string]string, ok bool) {
	body, ok := u.node.(*hclsyntax.Body)
	if !ok || u.root == "aws_launch_configuration" {
		return "", nil, false
	}
	text := func(name string) (string, bool, bool) {
		a := body.Attributes[name]
		if a == nil {
			return "", false, true
		}
		r := a.Expr.Range()
		start, end := r.Start.Byte-u.at.Byte, r.End.Byte-u.at.Byte
		if start < 0 || start > end || end > len(u.text) {
			return "", false, false
		}
		return string(u.text[start:end]), true, true
	}
	var m strings.Builder
	for _, name := range []string{"count", "for_each"} {
		t, _, ok := text(name)
		if !ok {
			return "", nil, false
		}
		m.WriteString(name + "=" + t + "\x00")
	}
	attrs = map[string]string{}
	for _, name := range refAttrs {
		t, present, ok := text(name)
		if !ok {
			return "", nil, false
		}
		if present {
			attrs[name] = t
		}
	}
	return m.String(), attrs, true
}

// textString is text as a string without a copy: a unit's text is a
// slice of its file's bytes, which nothing writes after they are read,
// and the strings live no longer than changedNames.
func textString(text []byte) string {
	if len(text) == 0 {
		return ""
	}
	return unsafe.String(&text[0], len(text))
}

// unitKey compares units by their text, and, where set, their place.
type unitKey struct {
	file      string
	line, col int
	text      string
}

// moduleFiles is a module's native files and their blocks, by file name.
type moduleFiles struct {
	files  map[string]*hcl.File
	blocks map[string][]*hcl.Block
}

// filesOf indexes module m; ok is false when a file is not native syntax.
func filesOf(m *module) (moduleFiles, bool) {
	mf := moduleFiles{files: map[string]*hcl.File{}, blocks: map[string][]*hcl.Block{}}
	for _, f := range m.files {
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return mf, false
		}
		mf.files[body.SrcRange.Filename] = f
	}
	for _, b := range m.blocks {
		mf.blocks[b.DefRange.Filename] = append(mf.blocks[b.DefRange.Filename], b)
	}
	return mf, true
}

// units returns the declarations of the files of mf that keep selects;
// ok is false when the text of one cannot be found.
func (mf moduleFiles) units(keep func(name string) bool) ([]unit, bool) {
	n := 0
	for name := range mf.files {
		if keep(name) {
			n += len(mf.blocks[name])
		}
	}
	out := make([]unit, 0, n)
	for name, f := range mf.files {
		if !keep(name) {
			continue
		}
		for _, b := range mf.blocks[name] {
			var ok bool
			if out, ok = units(out, f, b, name); !ok {
				return nil, false
			}
		}
	}
	return out, true
}

// sameFiles pairs the files of the follower (mine) with the leader's
// (theirs) at the same place (leaderName) with the same bytes (the same
// tree, or parsed on each side): their blocks are the same, in the same
// order. matched holds the leader's names of the files paired.
func sameFiles(theirs, mine moduleFiles, leaderName func(string) string) (same map[hcl.Body]sameBlock, matched map[string]bool) {
	n := 0
	for _, bs := range mine.blocks {
		n += len(bs)
	}
	same, matched = make(map[hcl.Body]sameBlock, n), make(map[string]bool, len(mine.files))
	for name, f := range mine.files {
		their := leaderName(name)
		g := theirs.files[their]
		if g == nil || (g != f && !bytes.Equal(g.Bytes, f.Bytes)) || len(mine.blocks[name]) != len(theirs.blocks[their]) {
			continue
		}
		matched[their] = true
		for i, b := range mine.blocks[name] {
			if tb := theirs.blocks[their][i].Body; replayable(b.Body) && replayable(tb) {
				same[b.Body] = sameBlock{body: tb}
			}
		}
	}
	return same, matched
}

// unit is a declaration compared and searched on its own: a block, or one
// attribute of a locals block. text is the whole of it, body what it
// evaluates.
type unit struct {
	block      *hcl.Block
	node       hcl.Body // the block's body (*hclsyntax.Body or *lazyBody)
	last       int      // the line the block ends on
	root       string
	names      []string
	text, body []byte
	str        string  // text, as a string (changedNames)
	at         hcl.Pos // where it starts
	name       string  // its file
	file       string  // its file as the leader names it (changedNames)
}

// units appends to out the declarations of block b of file f (named
// name); ok is false when their text cannot be found.
func units(out []unit, f *hcl.File, b *hcl.Block, name string) ([]unit, bool) {
	if lb, ok := b.Body.(*lazyBody); ok {
		// a resource block not parsed: its text is its bytes up to the
		// next top-level line, without the blank lines before it
		// (its body, what it reads, from the brace after the header)
		text := bytes.TrimRight(lb.src, " \t\r\n")
		head := b.DefRange.End.Byte - lb.start.Byte
		if b.DefRange.Start.Byte != lb.start.Byte || head < 0 || head > len(text) {
			return nil, false
		}
		brace := bytes.IndexByte(text[head:], '{')
		if brace < 0 {
			return nil, false
		}
		root, names := declared(b)
		return append(out, unit{block: b, node: lb, last: lb.start.Line + bytes.Count(text, []byte("\n")), root: root, names: names,
			text: text, body: text[head+brace:], at: b.DefRange.Start, name: name}), true
	}
	body, ok := b.Body.(*hclsyntax.Body)
	text := blockText(f, b)
	if !ok || text == nil {
		return nil, false
	}
	if b.Type != "locals" {
		root, names := declared(b)
		r := body.SrcRange
		return append(out, unit{block: b, node: body, last: r.End.Line, root: root, names: names, text: text, body: f.Bytes[r.Start.Byte:r.End.Byte],
			at: b.DefRange.Start, name: name}), true
	}
	if len(body.Blocks) > 0 {
		return nil, false // not Terraform: compared as a whole elsewhere
	}
	for local, a := range body.Attributes {
		r := a.SrcRange
		if r.Start.Byte < 0 || r.Start.Byte > r.End.Byte || r.End.Byte > len(f.Bytes) {
			return nil, false
		}
		at := f.Bytes[r.Start.Byte:r.End.Byte]
		out = append(out, unit{block: b, node: body, last: r.End.Line, root: "local", names: []string{local}, text: at, body: at, at: r.Start, name: name})
	}
	return out, true
}

func (n nameSet) declaresAll(root string, names []string) bool {
	for _, name := range names {
		if !n[root][name] {
			return false
		}
	}
	return true
}

// readIn reports whether text may read a declaration of n: where a
// reference word of n stands as a word of its own, followed by a dot and a
// name of n, or by anything but a dot and a name (an index, a splat, the
// whole object, a space): text, not syntax, so that no way of writing a
// reference is missed. A data source is named by its type.
func (n nameSet) readIn(text []byte) bool {
	return n.readBeyondAddress(text, nil)
}

// addressOnly are the attributes of a resource instance's value that its
// address alone makes (evaluator.instanceValue), whatever its block holds:
// a reference that reads only these does not read what changed in the
// block.
var addressOnly = map[string]bool{"id": true, "arn": true}

// addressOnlyOf are the further such attributes of some types.
var addressOnlyOf = map[string]map[string]bool{
	"aws_vpc": {"default_network_acl_id": true, "default_security_group_id": true, "default_route_table_id": true,
		"main_route_table_id": true},
	"aws_vpc_endpoint": {"prefix_list_id": true},
}

// readBeyondAddress reports whether text may read what changed in a
// resource of n: readIn, but a reference followed by indexes or splats
// and then an attribute that unchanged says did not change does not
// count (a nil unchanged: none is unchanged). Anything else does: the
// whole object, an index it cannot follow.
func (n nameSet) readBeyondAddress(text []byte, unchanged func(typ, name, attr string) bool) bool {
	for root, names := range n {
		for at := 0; ; {
			k := bytes.Index(text[at:], []byte(root))
			if k < 0 {
				break
			}
			start, end := at+k, at+k+len(root)
			at = end
			if start > 0 && identByte(text[start-1]) || end < len(text) && identByte(text[end]) {
				continue // part of a longer word
			}
			if end+1 >= len(text) || text[end] != '.' || !identStart(text[end+1]) {
				return true
			}
			next := end + 1
			for next < len(text) && identByte(text[next]) {
				next++
			}
			if next < len(text) && text[next] >= 0x80 {
				return true
			}
			name := string(text[end+1 : next])
			if !names[name] {
				continue
			}
			if unchanged == nil {
				return true
			}
			if attr, ok := attributeRead(text[next:]); !ok || !unchanged(root, name, attr) {
				return true
			}
			at = next
		}
	}
	return false
}

// attributeRead returns the attribute that rest, what follows a
// reference to a resource, reads after indexes or splats; ok is false for
// anything else (the whole object, an index it cannot follow).
func attributeRead(rest []byte) (attr string, ok bool) {
	i := 0
	for i < len(rest) {
		switch {
		case rest[i] == '[':
			depth, j := 0, i
			for ; j < len(rest); j++ {
				if rest[j] == '[' {
					depth++
				} else if rest[j] == ']' {
					depth--
					if depth == 0 {
						break
					}
				} else if rest[j] == '"' || rest[j] == '\n' {
					return "", false // a string or a line break in an index: not followed
				}
			}
			if j == len(rest) {
				return "", false
			}
			i = j + 1
		case rest[i] == '.' && i+1 < len(rest) && rest[i+1] == '*':
			i += 2
		case rest[i] == '.' && i+1 < len(rest) && identStart(rest[i+1]):
			j := i + 1
			for j < len(rest) && identByte(rest[j]) {
				j++
			}
			if j < len(rest) && rest[j] >= 0x80 {
				return "", false
			}
			return string(rest[i+1 : j]), true
		default:
			return "", false
		}
	}
	return "", false
}

// blockText is block b's text in file f, header and body.
func blockText(f *hcl.File, b *hcl.Block) []byte {
	body, ok := b.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	start, end := b.DefRange.Start.Byte, body.SrcRange.End.Byte
	if start < 0 || end > len(f.Bytes) || start > end {
		return nil
	}
	return f.Bytes[start:end]
}

// replayable reports whether a block with body may be paired with the
// other side's (sameFiles, changedNames) and replayed: its body is native
// syntax, parsed whole or lazily.
func replayable(body hcl.Body) bool {
	switch body.(type) {
	case *hclsyntax.Body, *lazyBody:
		return true
	}
	return false
}
