package loader

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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
	f.Add([]byte(`{"version": 4, "serial": 1, "lineage": "x", "resources": [{"mode": "managed", "type": "aws_security_group",
  "name": "a", "module": "module.m[\"k\"]", "instances": [{"index_key": 0, "attributes": {"id": "sg-1", "ingress": [{"protocol": "tcp",
  "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]}}, {"deposed": "d", "attributes": {}}]}]}`))
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
		plan.AddRawState(snap, root, "f.json", "")
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

// FuzzOverride: no pair of a configuration file and an override file
// makes the loader panic (override bodies are read as Terraform merges
// them), and errors carry their line.
func FuzzOverride(f *testing.F) {
	files, _ := filepath.Glob("../fixtures/*/*.tf")
	for i, name := range files {
		a, err1 := os.ReadFile(name)
		b, err2 := os.ReadFile(files[(i+1)%len(files)])
		if err1 == nil && err2 == nil {
			f.Add(a, b)
			f.Add(a, a)
		}
	}
	f.Fuzz(func(t *testing.T, src, over []byte) {
		opts := terraform.Options{Files: []string{"m/main.tf", "m/main_override.tf"}, Env: []string{},
			ReadFile: func(name string) ([]byte, error) {
				if strings.HasSuffix(name, "_override.tf") {
					return over, nil
				}
				return src, nil
			}}
		_, diags := terraform.Load(context.Background(), []string{"m"}, opts)
		for _, d := range diags {
			if !d.Warning && d.File != "" && d.Line == 0 {
				t.Fatalf("diagnostic without a line: %s", d)
			}
		}
	})
}

// FuzzPlanJSON: no saved plan makes the plan loader panic, and its errors
// carry the file.
func FuzzPlanJSON(f *testing.F) {
	seed(f, "../fixtures/change/*/plan.json")
	seed(f, "../fixtures/malformed/plan-*/plan.json")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		path := filepath.Join(dir, "plan.json")
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, diags := plan.Load(path, "plan.json")
		for _, d := range diags {
			if d.File == "" {
				t.Fatalf("diagnostic without a file: %s", d)
			}
		}
	})
}

// FuzzTFJSON: no .tf.json makes the Terraform loader panic.
func FuzzTFJSON(f *testing.F) {
	seed(f, "../fixtures/*/*.tf.json")
	seed(f, "../fixtures/malformed/tf-json-*/*.tf.json")
	f.Add([]byte(`{"resource": {"aws_security_group": {"a": {"ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}}}}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		opts := terraform.Options{Files: []string{"m/main.tf.json"}, Env: []string{},
			ReadFile: func(string) ([]byte, error) { return src, nil }}
		_, diags := terraform.Load(context.Background(), []string{"m"}, opts)
		for _, d := range diags {
			if !d.Warning && d.File == "" {
				t.Fatalf("diagnostic without a file: %s", d)
			}
		}
	})
}

// FuzzVarInputs: no tfvars file, --var value or module manifest makes the
// loader panic.
func FuzzVarInputs(f *testing.F) {
	files, _ := filepath.Glob("../fixtures/malformed/*/*.tfvars")
	for _, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src, "port=abc")
		}
	}
	f.Add([]byte(`port = 22`), "port=22")
	f.Add([]byte(`{"Modules": [{"Key": "m", "Source": "x", "Dir": "."}]}`), "cidrs=[\"10.0.0.0/8\"]")
	f.Fuzz(func(t *testing.T, src []byte, arg string) {
		name, value, _ := strings.Cut(arg, "=")
		config := []byte(`variable "port" { type = number }
variable "cidrs" { type = list(string) }
module "m" { source = "org/m/aws" }
resource "aws_security_group" "g" {
  ingress {
    from_port   = var.port
    to_port     = var.port
    protocol    = "tcp"
    cidr_blocks = var.cidrs
  }
}`)
		opts := terraform.Options{Files: []string{"m/main.tf", "m/terraform.tfvars", "m/x.auto.tfvars.json"}, Env: []string{},
			VarArgs: []terraform.VarArg{{Name: name, Value: value}},
			ReadFile: func(p string) ([]byte, error) {
				if strings.HasSuffix(p, "main.tf") {
					return config, nil
				}
				return src, nil
			}}
		terraform.Load(context.Background(), []string{"m"}, opts)
	})
}
