package loader

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// rawState rewrites a terraform show -json state document as the state file
// Terraform itself writes (format version 4): resources with mode, type,
// name and module, and instances with index_key and attributes.
func rawState(t *testing.T, shown []byte) []byte {
	t.Helper()
	var doc struct {
		Values struct {
			RootModule json.RawMessage `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(shown, &doc); err != nil {
		t.Fatal(err)
	}
	type instance struct {
		IndexKey   any            `json:"index_key,omitempty"`
		Attributes map[string]any `json:"attributes"`
	}
	type resource struct {
		Module    string     `json:"module,omitempty"`
		Mode      string     `json:"mode"`
		Type      string     `json:"type"`
		Name      string     `json:"name"`
		Instances []instance `json:"instances"`
	}
	var out []resource
	var walk func(raw json.RawMessage)
	walk = func(raw json.RawMessage) {
		var m struct {
			Address   string `json:"address"`
			Resources []struct {
				Mode   string         `json:"mode"`
				Type   string         `json:"type"`
				Name   string         `json:"name"`
				Index  any            `json:"index"`
				Values map[string]any `json:"values"`
			} `json:"resources"`
			ChildModules []json.RawMessage `json:"child_modules"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for _, r := range m.Resources {
			out = append(out, resource{Module: m.Address, Mode: r.Mode, Type: r.Type, Name: r.Name,
				Instances: []instance{{IndexKey: r.Index, Attributes: r.Values}}})
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(doc.Values.RootModule)
	b, err := json.MarshalIndent(map[string]any{"version": 4, "terraform_version": "1.9.8", "serial": 3,
		"lineage": "00000000-0000-0000-0000-000000000000", "outputs": map[string]any{}, "resources": out}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withoutSources drops what differs between two files holding the same
// resources: where each is written.
func withoutSources(s *model.Snapshot) *model.Snapshot {
	c := *s
	c.Groups = append([]model.SecurityGroup(nil), s.Groups...)
	for i := range c.Groups {
		c.Groups[i].Source = model.Source{}
	}
	c.Rules = append([]model.Rule(nil), s.Rules...)
	for i := range c.Rules {
		c.Rules[i].Source = model.Source{}
	}
	c.Attachments = append([]model.Attachment(nil), s.Attachments...)
	for i := range c.Attachments {
		c.Attachments[i].Source = model.Source{}
	}
	return &c
}

// A Terraform state file (terraform.tfstate, format version 4) named on the
// command line is read as terraform show -json's state is: the same
// resources give the same snapshot. Found by walking a folder it is not
// read (a local backend's state beside the configuration would count every
// resource twice); an older format is an error saying what to do.
func TestRawStateFile(t *testing.T) {
	shown, err := os.ReadFile("../fixtures/state/terraform.tfstate.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	raw := filepath.Join(dir, "prod.tfstate")
	if err := os.WriteFile(raw, rawState(t, shown), 0o644); err != nil {
		t.Fatal(err)
	}
	want, wd := Load(context.Background(), []string{"../fixtures/state/terraform.tfstate.json"}, Options{})
	got, gd := Load(context.Background(), []string{raw}, Options{})
	if len(wd)+len(gd) > 0 {
		t.Fatalf("diagnostics: %v %v", wd, gd)
	}
	if len(got.Rules) == 0 || len(got.Attachments) == 0 {
		t.Fatalf("nothing read: %+v", got)
	}
	if w, g := withoutSources(want), withoutSources(got); !reflect.DeepEqual(w.Groups, g.Groups) ||
		!reflect.DeepEqual(w.Rules, g.Rules) || !reflect.DeepEqual(w.Attachments, g.Attachments) {
		t.Errorf("state file read differently from show -json:\n got %+v\nwant %+v", g, w)
	}

	// a walk does not read it
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`resource "aws_security_group" "a" {}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	walked, _ := Load(context.Background(), []string{dir}, Options{})
	if len(walked.Groups) != 1 || len(walked.Rules) != 0 {
		t.Errorf("walk read the state file: %d groups, %d rules", len(walked.Groups), len(walked.Rules))
	}

	// format version 3 (Terraform 0.11)
	old := filepath.Join(dir, "old.tfstate")
	if err := os.WriteFile(old, []byte(`{"version": 3, "serial": 1, "lineage": "x", "modules": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags := Load(context.Background(), []string{old}, Options{})
	if len(diags) != 1 || diags[0].Warning || !strings.Contains(diags[0].Message, "format version 3") ||
		!strings.Contains(diags[0].Message, "terraform show -json") {
		t.Errorf("version 3: %v", diags)
	}
}

// A JSON document named on the command line is read once, as JSON: broken,
// it is one error (not also Terraform JSON's); a saved plan that changes
// nothing (planned_values, no resource_changes) is a plan.
func TestNamedJSONDocuments(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(broken, []byte(`{"format_version": "1.2", "planned_values": {}} trailing`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags := Load(context.Background(), []string{broken}, Options{})
	if len(diags) != 1 || diags[0].Warning || !strings.Contains(diags[0].Message, "invalid JSON") {
		t.Errorf("broken plan: %v, want one invalid JSON error", diags)
	}
	empty := filepath.Join(dir, "noop.json")
	if err := os.WriteFile(empty, []byte(`{"format_version": "1.2", "planned_values": {"root_module": {}}, "complete": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if snap, diags := Load(context.Background(), []string{empty}, Options{}); len(diags) > 0 || snap.Files != 1 {
		t.Errorf("plan without changes: files %d, %v", snap.Files, diags)
	}
}
