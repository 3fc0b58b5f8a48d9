package analyzer

import (
	"reflect"
	"testing"
)

func TestSameCode(t *testing.T) {
	for in, want := range map[string]string{
		"examples/basic:module.app.module.blue.aws_security_group_rule.admin admits tcp port 8443": "aws_security_group_rule.admin admits tcp port 8443",
		`module.db["eu"].aws_security_group.db[0] and module.x.aws_lb.y`:                           "aws_security_group.db[0] and aws_lb.y",
		"aws_security_group.web.ingress[0] admits tcp from ::/0":                                   "aws_security_group.web.ingress[0] admits tcp from ::/0",
		"stacks/a:aws_security_group.web":                                                          "stacks/a:aws_security_group.web",
	} {
		if got := sameCode(in); got != want {
			t.Errorf("sameCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// The same finding of the same module code in several instances is one
// finding naming the others; an instance where the text differs (another
// port), a finding outside a module, or another location stays apart.
func TestMergeInstances(t *testing.T) {
	at := func(line int) *Location {
		return &Location{File: "modules/app/main.tf", StartLine: line, EndLine: line + 4}
	}
	decl := &Location{File: "modules/web/main.tf", StartLine: 15, EndLine: 23}
	f := func(root string, port string, line int, inModule bool) Finding {
		x := Finding{ID: "SGC204", Severity: "LOW", Rule: root + ":module.app.module.blue.aws_security_group_rule.admin",
			Message:  root + ":module.app.module.blue.aws_security_group_rule.admin admits tcp port " + port + " from 0.0.0.0/0",
			Location: at(line), CallerLocations: []*Location{{File: root + "/main.tf", StartLine: 1, EndLine: 3}}}
		if inModule {
			x.ModuleLocation = decl
		}
		return x
	}
	got := MergeInstances([]Finding{
		f("examples/basic", "8443", 8, true),
		f("examples/complete", "9443", 8, true),
		f("examples/other", "8443", 8, true),
		f("examples/basic", "8443", 14, true),
		f("examples/root", "8443", 8, false),
		f("examples/again", "8443", 8, true),
	})
	var ids []string
	for _, g := range got {
		ids = append(ids, g.Rule+" "+g.Message[len(g.Message)-19:])
	}
	if len(got) != 4 {
		t.Fatalf("%d findings, want 4: %q", len(got), ids)
	}
	want := []string{"examples/other:module.app.module.blue.aws_security_group_rule.admin",
		"examples/again:module.app.module.blue.aws_security_group_rule.admin"}
	if !reflect.DeepEqual(got[0].Instances, want) {
		t.Errorf("instances %q, want %q", got[0].Instances, want)
	}
	if r := got[0].Related[len(got[0].Related)-1]; r.Location.File != "examples/again/main.tf" ||
		r.Message != "the same finding in "+want[1] {
		t.Errorf("related %+v, want the module call of examples/again", r)
	}
	for _, g := range got[1:] {
		if len(g.Instances) > 0 {
			t.Errorf("%s merged with %q", g.Rule, g.Instances)
		}
	}
}
