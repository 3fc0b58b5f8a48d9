package analyzer

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/sgcheck/sgcheck/internal/parallel"
	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// Options control an analysis.
type Options struct {
	Params tracking.Params
	// Enable turns on checks that are off by default (METADATA
	// custom.enabled: false).
	Enable map[string]bool
	// BaseNames, in change analysis, names a file of the base as the head
	// names the same file (diff OLD NEW: OLD/a.tf is NEW/a.tf); nil when
	// both sides name files alike. Documents are compared under it.
	BaseNames func(string) string
	// NotApplied, in change analysis, are the changes lifecycle
	// ignore_changes keeps from being applied (head is already pinned:
	// model.Snapshot.PinIgnoredChanges).
	NotApplied []model.PinnedChange
	// Prepared, if not nil, returns what Prepare computed of the head,
	// waiting for it if need be (it is called while the change between
	// the sides is computed): taken when it was computed of the same
	// snapshot with the same Params. The head's index must be built
	// before Prepare began (model.Snapshot.Index).
	Prepared func() *Prepared
}

// Prepared is what Analyze computes of the head alone: its
// classification and the documents of its attachments, network ACLs,
// groups and subnets. Change analysis computes it while the base is still
// being loaded (Prepare), where nothing changes the head after its load.
type Prepared struct {
	head    *model.Snapshot
	params  tracking.Params
	classes []tracking.AttachmentClass
	in      Input
}

// Prepare classifies head and builds its documents. head must not change
// afterwards (model.Snapshot.PinIgnoredChanges changes it).
func Prepare(head *model.Snapshot, params tracking.Params) *Prepared {
	head.Index() // the documents below are built concurrently, reading it
	p := &Prepared{head: head, params: params, in: Input{Params: ParamsDoc{ICMPIdleTimeout: params.ICMPIdleTimeout}}}
	concurrently(func() {
		p.classes = tracking.Classify(head, params)
		p.in.Attachments = WithNACLs(Docs(p.classes), head)
	}, func() {
		p.in.NACLs, p.in.Groups, p.in.Subnets = declaredNACLs(NACLDocs(head)), GroupDocs(head), SubnetDocs(head)
	})
	return p
}

// of reports whether p is what Prepare gives for head and params.
func (p *Prepared) of(head *model.Snapshot, params tracking.Params) bool {
	return p != nil && p.head == head && reflect.DeepEqual(p.params, params)
}

// Input is the document every policy evaluates (docs/policy-input.md).
type Input struct {
	Attachments []AttachmentDoc `json:"attachments"`
	NACLs       []NACLDoc       `json:"nacls"`
	Groups      []GroupDoc      `json:"groups"`
	Subnets     []SubnetDoc     `json:"subnets"`
	Changes     *ChangesDoc     `json:"changes,omitempty"`
	Params      ParamsDoc       `json:"params"`
}

// ParamsDoc exposes the model parameters to policies, so that a message
// can print the number it depends on.
type ParamsDoc struct {
	ICMPIdleTimeout int `json:"icmp_idle_timeout"`
}

// Result is the outcome of an analysis.
type Result struct {
	Findings    []Finding
	Attachments []AttachmentDoc
	// Changes is the change impact, when a base was given.
	Changes *ChangesDoc
	// Internal lists failures of sgcheck itself, e.g. a proof that did not
	// replay; the findings concerned are withheld.
	Internal []string
	// PolicyErrors are user policies that failed or ran out of time on
	// this input; their findings are left out, the others are reported.
	PolicyErrors []model.Diagnostic
}

// Analyze classifies head and evaluates the policies. With base, it also
// computes the impact of changing base into head, and reports only findings
// that base did not already have.
func (e *Engine) Analyze(ctx context.Context, head, base *model.Snapshot, opts Options) (*Result, error) {
	// the snapshots' indexes are built first: the documents below are then
	// built concurrently, reading them
	head.Index()
	if base != nil {
		base.Index()
	}
	var p *Prepared
	var changes *ChangesDoc
	concurrently(func() {
		if opts.Prepared != nil {
			p = opts.Prepared()
		}
		if !p.of(head, opts.Params) {
			p = Prepare(head, opts.Params)
		}
	}, func() {
		if base != nil {
			changes = Changes(base, head, opts.Params)
			changes.NotApplied = NotAppliedDocs(opts.NotApplied)
		}
	})
	in, classes := p.in, p.classes
	in.Changes = changes
	var fs []Finding
	var policyDiags []model.Diagnostic
	var known baseFindings
	if base == nil {
		value, err := buildInput(in)
		if err != nil {
			return nil, err
		}
		var raws []rawFinding
		if raws, policyDiags, err = e.Eval(ctx, value, opts.Enable); err != nil {
			return nil, err
		}
		if fs, err = convertFindings(raws); err != nil {
			return nil, err
		}
	} else {
		var err error
		if fs, known, policyDiags, err = e.evalChange(ctx, in, classes, head, base, opts); err != nil {
			return nil, err
		}
	}
	res := &Result{Attachments: in.Attachments, PolicyErrors: policyDiags}
	res.Findings = fs
	relocateToCalls(res.Findings, head, base)
	if base != nil {
		// only what the change adds is reported, and proved
		res.Changes = in.Changes
		res.Findings = known.without(res.Findings, ruleWidened(head, base))
	}
	res.Findings = e.prove(res, head, base, in.Changes, classes, opts.Params)
	SortFindings(res.Findings)
	return res, nil
}

// concurrently runs fs at once and returns when all have returned.
func concurrently(fs ...func()) {
	var wg sync.WaitGroup
	for _, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	wg.Wait()
}

// convertFindings converts what the policies emitted (in parallel, each
// to its own index), then keeps the first of each fingerprint, in order.
func convertFindings(raws []rawFinding) ([]Finding, error) {
	conv := make([]Finding, len(raws))
	errs := make([]error, len(raws))
	parallel.Each(len(raws), func(i int) { conv[i], errs[i] = convertFinding(raws[i]) })
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return firstOfEach(conv), nil
}

// firstOfEach keeps the first finding of each fingerprint, in order.
func firstOfEach(fs []Finding) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[f.Fingerprint] {
			seen[f.Fingerprint] = true
			out = append(out, f)
		}
	}
	return out
}

func convertFinding(raw rawFinding) (Finding, error) {
	o := raw.obj
	f := Finding{ID: raw.policy.ID, Title: raw.policy.Title, Severity: raw.policy.Severity}
	f.Message, _ = o["message"].(string)
	if f.Message == "" {
		return f, fmt.Errorf("policy %s: finding without a message", f.ID)
	}
	if s, ok := o["severity"].(string); ok && SeverityRank(s) >= 0 {
		f.Severity = s
	}
	f.Resource, _ = o["resource"].(string)
	f.Rule, _ = o["rule"].(string)
	f.Remediation, _ = o["remediation"].(string)
	f.subject, _ = o["subject"].(string)
	f.Location = locationFrom(o["location"])
	if rel, ok := o["related"].([]any); ok {
		for _, item := range rel {
			m, _ := item.(map[string]any)
			msg, _ := m["message"].(string)
			f.Related = append(f.Related, Related{Message: msg, Location: locationFrom(m["location"])})
		}
	}
	f.Facts, _ = o["facts"].(map[string]any)
	if f.Facts == nil {
		f.Facts = map[string]any{}
	}
	if c := findConditional(f.Resource + " " + f.Rule + " " + f.Message); c != "" {
		// a resource whose count or for_each the input does not determine
		// is analysed as one conditional instance: say so
		f.Facts["conditional"] = c
		base := c[:strings.LastIndex(c, "[")]
		f.Message += " (if created: " + base + " has a count or for_each the input does not determine)"
	}
	if c, ok := f.Facts["contested"].(string); ok && c != "" && !strings.Contains(f.Message, c) {
		f.Message += " (contested: " + c + ")"
	}
	f.Fingerprint = f.fingerprint()
	return f, nil
}

// conditionalAddress finds the address of a conditional instance, which
// ends in [?], [0?] or ["key"?].
var conditionalAddress = regexp.MustCompile(`[^\s,;()]*\[[^\]\s]*\?\]`)

// findConditional returns the first conditional instance address in s, or
// "". Most texts hold none, and "?]" ends every one: the expression runs
// only on those that hold it.
func findConditional(s string) string {
	if !strings.Contains(s, "?]") {
		return ""
	}
	return conditionalAddress.FindString(s)
}

func locationFrom(v any) *Location {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	l := &Location{}
	l.File, _ = m["file"].(string)
	l.StartLine = intOf(m["start_line"])
	l.EndLine = intOf(m["end_line"])
	if l.File == "" {
		return nil
	}
	return l
}

func intOf(v any) int {
	switch n := v.(type) {
	case json.Number:
		i, _ := n.Int64()
		return int(i)
	case float64:
		return int(n)
	case int:
		return n
	}
	return 0
}

// relocateToCalls moves findings on rules declared in a module to the
// module block of the root module that creates them, where the user can act
// (and an sgcheck:ignore applies to that instance only); the declaration in
// the module becomes the first related location. A finding on a rule that
// only base has (a change removed it) stays where it is reported, in the
// module's code, but knows the calls that created that instance
// (ModuleLocation, CallerLocations): the same removal in every instance
// of the module is then one finding (MergeInstances), and an ignore at a
// call applies.
func relocateToCalls(fs []Finding, s, base *model.Snapshot) {
	type calls struct {
		site    model.Source
		callers []model.Source
	}
	collect := func(s *model.Snapshot) map[string]calls {
		sites := map[string]calls{}
		for _, g := range s.Groups {
			if g.CallSite.File != "" {
				sites[g.Address] = calls{g.CallSite, g.Callers}
			}
		}
		for _, r := range s.Rules {
			if r.CallSite.File != "" {
				sites[r.Name] = calls{r.CallSite, r.Callers}
			}
		}
		for _, n := range s.NACLs {
			for _, e := range n.Entries {
				if e.CallSite.File != "" {
					sites[e.Name] = calls{e.CallSite, e.Callers}
				}
			}
		}
		return sites
	}
	sites := collect(s)
	var removed map[string]calls
	if base != nil {
		removed = collect(base)
		for name := range sites {
			delete(removed, name)
		}
	}
	if len(sites)+len(removed) == 0 {
		return
	}
	for i := range fs {
		f := &fs[i]
		if c, ok := removed[f.Rule]; ok && f.Location != nil {
			if h, ok := sites[f.Resource]; ok {
				c = h // the head's calls of the same instance, where its group still is
			}
			f.ModuleLocation = f.Location
			f.CallerLocations = append(f.CallerLocations, LocationOf(c.site))
			for j := len(c.callers) - 1; j >= 0; j-- {
				f.CallerLocations = append(f.CallerLocations, LocationOf(c.callers[j]))
			}
			continue
		}
		c, ok := sites[f.Rule]
		if !ok || f.Location == nil {
			continue
		}
		f.ModuleLocation = f.Location
		related := []Related{{Message: "declared in the module: " + f.Rule, Location: f.Location}}
		for j := len(c.callers) - 1; j >= 0; j-- {
			l := LocationOf(c.callers[j])
			f.CallerLocations = append(f.CallerLocations, l)
			related = append(related, Related{Message: "module call further out", Location: l})
		}
		f.Related = append(related, f.Related...)
		f.Location = LocationOf(c.site)
	}
}
