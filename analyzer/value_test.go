package analyzer

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/sgcheck/sgcheck/loader"
	"github.com/sgcheck/sgcheck/tracking"
)

// The directly built policy input equals the JSON encoding of the same
// documents, on every fixture.
func TestInputValueMatchesJSON(t *testing.T) {
	dirs, _ := filepath.Glob("../fixtures/*")
	dirs = append(dirs, "../fixtures/change/egress-removed/base")
	checked := 0
	for _, dir := range dirs {
		snap, _ := loader.Load(context.Background(), []string{dir}, loader.Options{})
		in := Input{Attachments: WithNACLs(Docs(tracking.Classify(snap, tracking.DefaultParams)), snap), NACLs: NACLDocs(snap),
			Groups: GroupDocs(snap), Subnets: SubnetDocs(snap), Params: ParamsDoc{ICMPIdleTimeout: 60}}
		direct, err := inputValue(in)
		if err != nil {
			t.Fatal(err)
		}
		viaJSON, err := toValue(in)
		if err != nil {
			t.Fatal(err)
		}
		if ast.Compare(direct, viaJSON) != 0 {
			t.Errorf("%s: direct input differs from JSON:\n%v\n%v", dir, direct, viaJSON)
		}
		checked += len(in.Attachments)
	}
	if checked == 0 {
		t.Fatal("no attachments checked")
	}
}

// toValue is the JSON round trip the direct builder replaces.
func toValue(in Input) (ast.Value, error) {
	raw, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	return ast.ValueFromReader(bytes.NewReader(raw))
}
