package loader

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sgcheck/sgcheck/loader/awsjson"
	"github.com/sgcheck/sgcheck/loader/jsonpos"
	"github.com/sgcheck/sgcheck/loader/plan"
	"github.com/sgcheck/sgcheck/loader/terraform"
	"github.com/sgcheck/sgcheck/model"
)

func seed(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src)
		}
	}
}

// FuzzJSONInputs: no JSON document makes the AWS CLI or state loaders panic.
func FuzzJSONInputs(f *testing.F) {
	seed(f, "../fixtures/*/*.json")
	seed(f, "../fixtures/change/*/plan.json")
	f.Fuzz(func(t *testing.T, src []byte) {
		root, err := jsonpos.Parse(src)
		if err != nil {
			if _, ok := err.(*jsonpos.Error); !ok {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		snap := &model.Snapshot{}
		b := awsjson.NewBuilder(snap, "")
		b.Add(root, "f.json")
		b.Finish()
		plan.AddState(snap, root, "f.json", "")
	})
}

// FuzzTerraform: no configuration makes the Terraform loader panic, and a
// file it cannot parse is reported with a line.
func FuzzTerraform(f *testing.F) {
	seed(f, "../fixtures/*/*.tf")
	seed(f, "../fixtures/change/*/base/*.tf")
	f.Fuzz(func(t *testing.T, src []byte) {
		opts := terraform.Options{Files: []string{"m/main.tf"}, Env: []string{},
			ReadFile: func(string) ([]byte, error) { return src, nil }}
		_, diags := terraform.Load(context.Background(), []string{"m"}, opts)
		for _, d := range diags {
			if !d.Warning && d.File != "" && d.Line == 0 {
				t.Fatalf("diagnostic without a line: %s", d)
			}
		}
	})
}
