package loader

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sgcheck/sgcheck/internal/safeio"
	"github.com/sgcheck/sgcheck/loader/awsjson"
	"github.com/sgcheck/sgcheck/loader/jsonpos"
	"github.com/sgcheck/sgcheck/loader/plan"
	"github.com/sgcheck/sgcheck/loader/terraform"
	"github.com/sgcheck/sgcheck/model"
)

type jsonFile struct {
	path     string
	explicit bool // named on the command line, not found by walking
}

// markers are keys one of the JSON inputs must contain; a walked JSON file
// without any is someone else's and is not read.
var markers = [][]byte{[]byte(`"SecurityGroups"`), []byte(`"SecurityGroupRules"`), []byte(`"NetworkAcls"`),
	[]byte(`"NetworkInterfaces"`), []byte(`"RouteTables"`), []byte(`"root_module"`), []byte(`"resource_changes"`)}

func isJSONInput(name string) bool {
	return strings.HasSuffix(name, ".json") && !strings.HasSuffix(name, ".tf.json") && !strings.HasSuffix(name, ".tofu.json") && !strings.HasSuffix(name, ".tfvars.json")
}

// findJSON lists JSON files at or below p, skipping .terraform and hidden
// directories.
func findJSON(p string) ([]jsonFile, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		// a Terraform state file is read when named: found by a walk, a
		// local backend's state beside the configuration would count
		// every resource twice
		if isJSONInput(p) || terraform.IsStateFile(p) {
			return []jsonFile{{p, true}}, nil
		}
		return nil, nil
	}
	var out []jsonFile
	root := terraform.WalkRoot(p)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			// the Terraform walk reports unreadable folders; go on
			if d != nil && d.IsDir() && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != root && (d.Name() == ".terraform" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if isJSONInput(d.Name()) {
			out = append(out, jsonFile{path, false})
		}
		return nil
	})
	return out, err
}

// loadJSONDir loads the JSON inputs of one directory; AWS CLI documents of
// a directory form one account snapshot.
func loadJSONDir(snap *model.Snapshot, files []jsonFile, prefix string, budget *safeio.Budget, read map[string]bool) []model.Diagnostic {
	var diags []model.Diagnostic
	b := awsjson.NewBuilder(snap, prefix)
	for _, f := range files {
		name := terraform.DisplayPath(f.path)
		src, err := budget.ReadFile(f.path)
		if err != nil {
			d := model.Diagnostic{File: name, Message: "cannot be read: " + pathless(err)}
			if errors.Is(err, safeio.ErrNotRegular) {
				d.Message, d.Warning = err.Error(), !f.explicit
			}
			diags = append(diags, d)
			continue
		}
		if !f.explicit && !mentionsMarker(src) {
			continue
		}
		var de *safeio.DepthError
		if err := safeio.CheckJSON(src); errors.As(err, &de) {
			diags = append(diags, model.Diagnostic{File: name, Line: de.Line, Message: de.Error()})
			continue
		}
		root, err := jsonpos.Parse(src)
		if err != nil {
			d := model.Diagnostic{File: name, Message: "invalid JSON: " + err.Error()}
			if je, ok := err.(*jsonpos.Error); ok {
				d.Line, d.Message = je.Line, "invalid JSON: "+je.Msg
			}
			diags = append(diags, d)
			continue
		}
		switch {
		case awsjson.Detect(root), plan.IsState(root), plan.IsPlanDoc(root), plan.IsRawState(root):
			snap.Files++
			read[f.path] = true
		}
		switch {
		case awsjson.Detect(root):
			b.Add(root, name)
		case plan.IsState(root):
			diags = append(diags, plan.AddState(snap, root, name, prefix)...)
		case plan.IsRawState(root):
			diags = append(diags, plan.AddRawState(snap, root, name, prefix)...)
		case plan.IsPlanDoc(root):
			diags = append(diags, plan.AddPlanned(snap, f.path, name, prefix)...)
		case f.explicit:
			diags = append(diags, model.Diagnostic{File: name, Line: 1,
				Message: "not an input sgcheck reads (AWS CLI describe-* output, Terraform state or plan JSON)"})
		}
	}
	return append(diags, b.Finish()...)
}

func mentionsMarker(src []byte) bool {
	for _, m := range markers {
		if bytes.Contains(src, m) {
			return true
		}
	}
	return false
}

// pathless is an error without the path the diagnostic already names.
func pathless(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
