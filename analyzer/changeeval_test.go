package analyzer

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// TestChangeMatchesFullBaseEvaluation: change analysis evaluates the base
// only on the documents the change touched and takes the head's findings
// on the others as the base's. It must report exactly what evaluating
// both sides in full and subtracting the base's findings reports, on
// seeded random edits of the fixtures, with built-in and user policies.
func TestChangeMatchesFullBaseEvaluation(t *testing.T) {
	files := fixtureSources()
	edits := [][2]string{
		{`"0.0.0.0/0"`, `"10.0.0.0/8"`}, {`"10.0.0.0/8"`, `"0.0.0.0/0"`}, {`"::/0"`, `"2001:db8::/32"`},
		{`"tcp"`, `"udp"`}, {`"tcp"`, `"-1"`}, {`"-1"`, `"tcp"`}, {`= 22`, `= 2222`}, {`= 2222`, `= 22`},
		{`= 0`, `= 1024`}, {`= 443`, `= 22`}, {`egress`, `ingress`}, {`ingress`, `egress`}, {`"allow"`, `"deny"`},
		{`description`, `# description`},
		// lines added or taken away: every block below moves
		{"resource \"", "\n\n# moved\nresource \""}, {"\n\n", "\n"},
	}
	for _, policies := range [][]string{nil, {"../fixtures/policies"}} {
		e, diags, err := NewEngine(context.Background(), policies)
		if err != nil || len(diags) > 0 {
			t.Fatal(err, diags)
		}
		rng := rand.New(rand.NewPCG(3, 5))
		compared, reported := 0, 0
		for i := 0; i < 400; i++ {
			orig, mut := mutated(t, rng, files, edits)
			if rng.IntN(3) == 0 {
				// a copy of a resource under another name: a new instance
				// on groups the base has, a new group with the same rules
				mut = duplicated(rng, mut)
			}
			if rng.IntN(4) == 0 {
				mut = removed(rng, mut)
			}
			base, head := loadSource(orig), loadSource(mut)
			opts := Options{Params: tracking.DefaultParams}
			got, err := e.Analyze(context.Background(), head, base, opts)
			if err != nil {
				t.Fatal(err)
			}
			want := fullBaseReference(t, e, head, base, opts)
			if g, w := findingKeys(got.Findings), findingKeys(want); g != w {
				t.Fatalf("case %d (policies %v): change analysis reports\n%s\nbut the full evaluation of both sides\n%s\n--- base\n%s\n--- head\n%s",
					i, policies, g, w, orig, mut)
			}
			compared++
			reported += len(want)
		}
		if reported < 50 {
			t.Errorf("policies %v: only %d findings over %d changes", policies, reported, compared)
		}
	}
}

// resourceBlock matches a whole top-level resource block written as the
// fixtures write them (its closing brace alone at the start of a line).
var resourceBlock = regexp.MustCompile(`(?ms)^resource "[\w-]+" "([\w-]+)" \{.*?^\}\n`)

// duplicated appends to src a copy of one of its resource blocks, named
// anew.
func duplicated(rng *rand.Rand, src []byte) []byte {
	blocks := resourceBlock.FindAllSubmatchIndex(src, -1)
	if len(blocks) == 0 {
		return src
	}
	b := blocks[rng.IntN(len(blocks))]
	name := string(src[b[2]:b[3]])
	block := bytes.Replace(src[b[0]:b[1]], []byte(`"`+name+`" {`), []byte(`"`+name+`_copy" {`), 1)
	return append(append(slices.Clone(src), '\n'), block...)
}

// removed takes one of src's resource blocks away: the blocks below it
// move up.
func removed(rng *rand.Rand, src []byte) []byte {
	blocks := resourceBlock.FindAllIndex(src, -1)
	if len(blocks) == 0 {
		return src
	}
	b := blocks[rng.IntN(len(blocks))]
	return append(slices.Clone(src[:b[0]]), src[b[1]:]...)
}

// fullBaseReference is change analysis evaluated the plain way: every
// policy over the whole head (with the changes) and the whole base, the
// base's findings subtracted.
func fullBaseReference(t *testing.T, e *Engine, head, base *model.Snapshot, opts Options) []Finding {
	t.Helper()
	classes := tracking.Classify(head, opts.Params)
	in := Input{Attachments: WithNACLs(Docs(classes), head), NACLs: declaredNACLs(NACLDocs(head)), Groups: GroupDocs(head), Subnets: SubnetDocs(head),
		Params: ParamsDoc{ICMPIdleTimeout: opts.Params.ICMPIdleTimeout}, Changes: Changes(base, head, opts.Params)}
	value, err := buildInput(in)
	if err != nil {
		t.Fatal(err)
	}
	raws, _, err := e.Eval(context.Background(), value, opts.Enable)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := convertFindings(raws)
	if err != nil {
		t.Fatal(err)
	}
	old, err := e.Analyze(context.Background(), base, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	known := baseFindings{}
	known.add(old.Findings)
	return known.without(fs, ruleWidened(head, base))
}

func findingKeys(fs []Finding) string {
	var keys []string
	for _, f := range fs {
		loc := ""
		if f.Location != nil {
			loc = fmt.Sprintf("%s:%d", f.Location.File, f.Location.StartLine)
		}
		keys = append(keys, fmt.Sprintf("%s %s %s %s", f.ID, loc, f.Fingerprint, f.Message))
	}
	sort.Strings(keys)
	return strings.Join(keys, "\n")
}

// TestBaseFindingsMatch: a head finding is the base's when the same policy
// fired on the same rule (unless the change widened it), or on the same
// group or attachment with the same facts (the rule moved within it); the
// same facts on another resource are a new exposure (a second group opening
// SSH to the world is news even if a bastion's group already did).
func TestBaseFindingsMatch(t *testing.T) {
	facts := map[string]any{"family": "ipv4", "peers": []any{"0.0.0.0/0"}, "ports": []any{22}}
	base := Finding{ID: "SGC202", Resource: "aws_security_group.bastion", Rule: "aws_security_group.bastion.ingress[0]",
		Facts: facts, Fingerprint: "a"}
	known := baseFindings{}
	known.add([]Finding{base, {ID: "SGC202", Resource: base.Resource, Rule: "widened", Facts: facts, Fingerprint: "g"},
		naclFinding("public[0]", 120, false)})
	widened := func(rule string) bool { return rule == "widened" }
	for _, c := range []struct {
		name string
		f    Finding
		new  bool
	}{
		{"same rule", Finding{ID: "SGC202", Resource: base.Resource, Rule: base.Rule, Facts: map[string]any{"ports": []any{2222}}, Fingerprint: "b"}, false},
		{"same rule, widened", Finding{ID: "SGC202", Resource: base.Resource, Rule: "widened", Facts: map[string]any{"ports": []any{3389}}, Fingerprint: "f"}, true},
		{"moved within the group", Finding{ID: "SGC202", Resource: base.Resource, Rule: "aws_security_group_rule.bastion_ssh", Facts: facts, Fingerprint: "c"}, false},
		{"same fingerprint", Finding{ID: "SGC202", Resource: "x", Rule: "y", Fingerprint: "a"}, false},
		{"another group", Finding{ID: "SGC202", Resource: "aws_security_group.db", Rule: "aws_security_group.db.ingress[0]", Facts: facts, Fingerprint: "d"}, true},
		{"another policy", Finding{ID: "SGC203", Resource: base.Resource, Rule: "aws_security_group_rule.bastion_ssh", Facts: facts, Fingerprint: "e"}, true},
		// an instance the head no longer determines (X[0] become X[0?]):
		// the same finding on it is the base's; other facts are news, and a
		// determined instance is matched by its own name only
		{"instance become conditional", naclFinding("public[0?]", 120, true), false},
		{"conditional, other facts", naclFinding("public[0?]", 130, true), true},
		{"another determined instance", naclFinding("public[1]", 120, false), true},
	} {
		if got := len(known.without([]Finding{c.f}, widened)) == 1; got != c.new {
			t.Errorf("%s: new = %v, want %v", c.name, got, c.new)
		}
	}
}

// TestBaseNACLDocs: the base's NACL documents, taken from the head where a
// NACL is the same on both sides, equal the base's own, on random edits of
// the fixtures (with the implicit default NACLs, which are not taken).
func TestBaseNACLDocs(t *testing.T) {
	var files []string
	for _, f := range fixtureSources() {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte("aws_network_acl")) {
			files = append(files, f)
		}
	}
	edits := [][2]string{{`"allow"`, `"deny"`}, {`"deny"`, `"allow"`}, {`= 100`, `= 90`}, {`"0.0.0.0/0"`, `"10.0.0.0/8"`},
		{`egress`, `ingress`}, {`= 443`, `= 22`}, {`subnet_ids`, `# subnet_ids`}}
	rng := rand.New(rand.NewPCG(8, 13))
	taken := 0
	for i := 0; i < 300; i++ {
		orig, mut := mutated(t, rng, files, edits)
		base, head := loadSource(orig), loadSource(mut)
		base.AddImplicitDefaultNACLs()
		head.AddImplicitDefaultNACLs()
		headDocs := declaredNACLs(NACLDocs(head))
		got, want := baseNACLDocs(headDocs, head, base), NACLDocs(base)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d:\n%+v\nwant\n%+v\n--- base\n%s\n--- head\n%s", i, got, want, orig, mut)
		}
		for _, g := range got {
			for _, h := range headDocs {
				if len(g.Entries) > 0 && len(h.Entries) > 0 && &g.Entries[0] == &h.Entries[0] {
					taken++
				}
			}
		}
	}
	if taken < 50 {
		t.Errorf("only %d documents taken from the head", taken)
	}
}

// TestRuleWidened: a rule is widened when some part of it in the head (one
// rule per peer) admits what no part of the base's rule of that name did.
func TestRuleWidened(t *testing.T) {
	r := func(proto model.Protocol, from, to int, peer string) model.Rule {
		p := model.Peer{Kind: model.PeerGroup, Ref: peer}
		if pfx, err := netip.ParsePrefix(peer); err == nil {
			p = model.Peer{Kind: model.PeerCIDR, Prefix: pfx}
		}
		return model.Rule{Name: "r", Group: "g", Direction: model.Ingress, Protocol: proto, FromPort: from, ToPort: to, Peer: p}
	}
	ssh := r(model.TCP, 22, 22, "10.0.0.0/8")
	for _, c := range []struct {
		name       string
		base, head []model.Rule
		widened    bool
	}{
		{"same", []model.Rule{ssh}, []model.Rule{ssh}, false},
		{"narrower peer", []model.Rule{ssh}, []model.Rule{r(model.TCP, 22, 22, "10.1.0.0/16")}, false},
		{"wider peer", []model.Rule{ssh}, []model.Rule{r(model.TCP, 22, 22, "0.0.0.0/0")}, true},
		{"other family", []model.Rule{ssh}, []model.Rule{r(model.TCP, 22, 22, "::/0")}, true},
		{"other port", []model.Rule{ssh}, []model.Rule{r(model.TCP, 3389, 3389, "10.0.0.0/8")}, true},
		{"narrower ports", []model.Rule{r(model.TCP, 20, 25, "10.0.0.0/8")}, []model.Rule{ssh}, false},
		{"wider ports", []model.Rule{ssh}, []model.Rule{r(model.TCP, 22, 23, "10.0.0.0/8")}, true},
		{"under all protocols", []model.Rule{r(model.All, 0, 65535, "10.0.0.0/8")}, []model.Rule{ssh}, false},
		{"to all protocols", []model.Rule{ssh}, []model.Rule{r(model.All, 0, 65535, "10.0.0.0/8")}, true},
		{"other protocol", []model.Rule{ssh}, []model.Rule{r(model.UDP, 22, 22, "10.0.0.0/8")}, true},
		{"icmp any to one", []model.Rule{r(model.ICMP, -1, -1, "10.0.0.0/8")}, []model.Rule{r(model.ICMP, 8, 0, "10.0.0.0/8")}, false},
		{"icmp one to any", []model.Rule{r(model.ICMP, 8, 0, "10.0.0.0/8")}, []model.Rule{r(model.ICMP, -1, -1, "10.0.0.0/8")}, true},
		{"peer group", []model.Rule{r(model.TCP, 22, 22, "sg-a")}, []model.Rule{r(model.TCP, 22, 22, "sg-b")}, true},
		{"a peer added", []model.Rule{ssh}, []model.Rule{ssh, r(model.TCP, 22, 22, "192.168.0.0/16")}, true},
		{"a peer removed", []model.Rule{ssh, r(model.TCP, 22, 22, "192.168.0.0/16")}, []model.Rule{ssh}, false},
		{"new rule", nil, []model.Rule{ssh}, true},
		{"another group", []model.Rule{ssh}, []model.Rule{func() model.Rule { x := ssh; x.Group = "h"; return x }()}, false},
		{"another group, on another instance", []model.Rule{ssh}, []model.Rule{func() model.Rule { x := ssh; x.Group = "other"; return x }()}, true},
		{"another direction", []model.Rule{ssh}, []model.Rule{func() model.Rule { x := ssh; x.Direction = model.Egress; return x }()}, true},
		{"unknown, same", []model.Rule{func() model.Rule { x := ssh; x.Unknown = []string{"u"}; return x }()},
			[]model.Rule{func() model.Rule { x := ssh; x.Unknown = []string{"u"}; return x }()}, false},
		{"unknown, narrower", []model.Rule{func() model.Rule { x := r(model.TCP, 0, 65535, "10.0.0.0/8"); x.Unknown = []string{"u"}; return x }()},
			[]model.Rule{func() model.Rule { x := ssh; x.Unknown = []string{"u"}; return x }()}, true},
	} {
		// g and h are on one instance; other is on another
		atts := []model.Attachment{{Name: "i", Groups: []string{"g", "h"}}, {Name: "j", Groups: []string{"other"}}}
		widened := ruleWidened(&model.Snapshot{Rules: c.head, Attachments: atts}, &model.Snapshot{Rules: c.base, Attachments: atts})
		if got := widened("r"); got != c.widened {
			t.Errorf("%s: widened = %v, want %v", c.name, got, c.widened)
		}
	}
}

func naclFinding(instance string, number int, conditional bool) Finding {
	nacl := "module.vpc.aws_network_acl." + instance
	facts := map[string]any{"cidr": "0.0.0.0/0", "nacl": nacl, "number": number, "ports": []any{22}}
	if conditional {
		facts["conditional"] = nacl
	}
	return Finding{ID: "SGC103", Resource: nacl, Rule: nacl + " ingress entry",
		Facts: facts, Fingerprint: "nacl " + instance + fmt.Sprint(number)}
}

// TestNaming: of the documents a change left alone, the built-ins are
// evaluated on those holding a touched finding's resource or rule, at any
// depth, and for a finding on a conditional instance those holding another
// instance of its resource; the others are left out.
func TestNaming(t *testing.T) {
	in := Input{
		Params: ParamsDoc{ICMPIdleTimeout: 60},
		Attachments: []AttachmentDoc{
			{Name: "aws_instance.a", Groups: []string{"aws_security_group.g"}},
			{Name: "aws_instance.b", Rules: []RuleDoc{{Rule: "aws_security_group.h.ingress[0]"}}},
			{Name: "aws_instance.c", Groups: []string{"aws_security_group.other"}},
			{Name: "aws_instance.d[\"x\"]"},
		},
		Groups: []GroupDoc{{Name: "aws_security_group.g"}, {Name: "aws_security_group.other"}},
		NACLs:  []NACLDoc{{Name: "aws_network_acl.n"}},
	}
	fs := []Finding{
		{Resource: "aws_security_group.g", Facts: map[string]any{}},
		{Resource: "aws_instance.new", Rule: "aws_security_group.h.ingress[0]", Facts: map[string]any{}},
		{Resource: "aws_instance.d[\"y\"?]", Facts: map[string]any{"conditional": "aws_instance.d[\"y\"?]"}},
	}
	got := naming(in, fs)
	var names []string
	for _, d := range got.Attachments {
		names = append(names, d.Name)
	}
	for _, d := range got.Groups {
		names = append(names, d.Name)
	}
	want := []string{"aws_instance.a", "aws_instance.b", "aws_instance.d[\"x\"]", "aws_security_group.g"}
	if !slices.Equal(names, want) || len(got.NACLs) != 0 || got.Params != in.Params {
		t.Errorf("naming kept %q (and %d NACLs, params %v), want %q", names, len(got.NACLs), got.Params, want)
	}
}

// Documents equal but for the lines of their blocks are the same to change
// analysis (sameDoc): every fixture loaded with lines added at the top of
// its file has only documents equal to the base's, and a rule's port
// changed makes the documents that hold it differ.
func TestSplitInputsIgnoresLines(t *testing.T) {
	docs := func(s *model.Snapshot) Input { return Prepare(s, tracking.DefaultParams).in }
	count := func(in Input) int { return len(in.Attachments) + len(in.NACLs) + len(in.Groups) + len(in.Subnets) }
	total, changed := 0, 0
	for _, f := range fixtureSources() {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := docs(loadSource(src))
		moved := docs(loadSource(append([]byte("\n# moved\n\n"), src...)))
		same, headOnly, baseOnly := splitInputs(moved, base)
		if count(headOnly) > 0 || count(baseOnly) > 0 || count(same) != count(base) {
			t.Errorf("%s moved 3 lines down: %d documents differ from the base's, %d are the same", f, count(headOnly), count(same))
		}
		for i, d := range moved.Attachments {
			if d.Location != nil && d.Location.StartLine != base.Attachments[i].Location.StartLine+3 {
				t.Fatalf("%s: %s moved from line %d to %d", f, d.Name, base.Attachments[i].Location.StartLine, d.Location.StartLine)
			}
		}
		total += count(base)
		if !bytes.Contains(src, []byte("= 22\n")) || !slices.ContainsFunc(base.Attachments, func(d AttachmentDoc) bool {
			return slices.ContainsFunc(d.Rules, func(r RuleDoc) bool { return r.FromPort != nil && *r.FromPort == 22 })
		}) {
			continue
		}
		edited := docs(loadSource(append([]byte("\n"), bytes.ReplaceAll(src, []byte("= 22\n"), []byte("= 2222\n"))...)))
		_, headOnly, baseOnly = splitInputs(edited, base)
		if count(headOnly) == 0 || count(baseOnly) == 0 {
			t.Errorf("%s: a port changed, yet no document differs", f)
		}
		changed++
	}
	if total < 100 || changed < 5 {
		t.Fatalf("%d documents, %d files with a port to change", total, changed)
	}
	// the file of a location counts, and so does an empty list against none
	a := AttachmentDoc{Name: "a", Location: &Location{File: "a.tf", StartLine: 1}, Rules: []RuleDoc{{Subject: "x", Rule: "r"}}}
	b := AttachmentDoc{Name: "a", Location: &Location{File: "a.tf", StartLine: 9, EndLine: 12}, Rules: []RuleDoc{{Subject: "y", Rule: "r"}}}
	if !sameDoc(&a, &b) {
		t.Error("documents differing in lines and subjects differ")
	}
	b.Location.File = "b.tf"
	if sameDoc(&a, &b) {
		t.Error("documents in two files are the same")
	}
	b.Location.File, b.Exposed = "a.tf", []ExposureDoc{}
	if sameDoc(&a, &b) {
		t.Error("an empty list is the same as none")
	}
}

// What Prepare computed of the head is taken by Analyze when it was made
// of the same snapshot with the same parameters, and gives the same
// result as computing it there; made of another snapshot or with other
// parameters, it is not taken.
func TestPreparedHead(t *testing.T) {
	e, _, err := NewEngine(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../fixtures/change/*/base/*.tf")
	if len(files) < 3 {
		t.Fatalf("%d change fixtures", len(files))
	}
	ctx, params := context.Background(), tracking.DefaultParams
	for _, f := range files {
		old, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := os.ReadFile(strings.Replace(f, "/base/", "/head/", 1))
		if err != nil {
			continue
		}
		analyze := func(p *Prepared) string {
			head, base := loadSource(cur), loadSource(old)
			if p != nil && p.head == nil {
				p = Prepare(head, p.params)
			}
			res, err := e.Analyze(ctx, head, base, Options{Params: params, Prepared: func() *Prepared { return p }})
			if err != nil {
				t.Fatal(err)
			}
			return findingKeys(res.Findings) + fmt.Sprint(len(res.Attachments))
		}
		want := analyze(nil)
		if got := analyze(&Prepared{params: params}); got != want {
			t.Errorf("%s: with the head prepared\n%s\nwithout\n%s", f, got, want)
		}
		// made of another snapshot, or with other parameters: not taken
		other := Prepare(loadSource(old), params) // the base: other documents
		if got := analyze(other); got != want {
			t.Errorf("%s: the preparation of another snapshot was taken", f)
		}
		longer := params
		longer.ICMPIdleTimeout++
		head, base := loadSource(cur), loadSource(old)
		taken := func(p *Prepared) bool {
			if len(p.in.Attachments) == 0 {
				return false
			}
			p.in.Attachments[0].Kind = "prepared"
			res, err := e.Analyze(ctx, head, base, Options{Params: params, Prepared: func() *Prepared { return p }})
			return err == nil && res.Attachments[0].Kind == "prepared"
		}
		if taken(Prepare(head, longer)) {
			t.Errorf("%s: a preparation with other parameters was taken", f)
		}
		if p := Prepare(head, params); len(p.in.Attachments) > 0 && !taken(p) {
			t.Errorf("%s: the preparation was not taken", f)
		}
	}
}
