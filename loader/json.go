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
// a directory form one account snapshot. A plan or state document is a
// snapshot of its own: where the directory holds another one, or a
// Terraform configuration (whose resources it likely describes too), its
// addresses are qualified by its file rather than its directory, so that
// nothing of one is merged into another's resources.
func loadJSONDir(snap *model.Snapshot, files []jsonFile, prefix string, paths []string, budget *safeio.Budget, read map[string]bool) []model.Diagnostic {
	diags := make([][]model.Diagnostic, len(files))
	b := awsjson.NewBuilder(snap, prefix)
	type doc struct {
		at   int // index in files
		name string
		root *jsonpos.Node // a state's; a plan is read again by its loader
	}
	var docs []doc // plan and state documents, in file order
	for i, f := range files {
		name := terraform.DisplayPath(f.path)
		src, err := budget.ReadFile(f.path)
		if err != nil {
			d := model.Diagnostic{File: name, Message: "cannot be read: " + pathless(err)}
			if errors.Is(err, safeio.ErrNotRegular) {
				d.Message, d.Warning = err.Error(), !f.explicit
			}
			diags[i] = append(diags[i], d)
			continue
		}
		if !f.explicit && !mentionsMarker(src) {
			continue
		}
		var de *safeio.DepthError
		if err := safeio.CheckJSON(src); errors.As(err, &de) {
			diags[i] = append(diags[i], model.Diagnostic{File: name, Line: de.Line, Message: de.Error()})
			continue
		}
		root, err := jsonpos.Parse(src)
		if err != nil {
			d := model.Diagnostic{File: name, Message: "invalid JSON: " + err.Error()}
			if je, ok := err.(*jsonpos.Error); ok {
				d.Line, d.Message = je.Line, "invalid JSON: "+je.Msg
			}
			diags[i] = append(diags[i], d)
			continue
		}
		switch {
		case awsjson.Detect(root):
			snap.Files++
			read[f.path] = true
			b.Add(root, name)
		case plan.IsState(root), plan.IsRawState(root):
			snap.Files++
			read[f.path] = true
			docs = append(docs, doc{i, name, root})
		case plan.IsPlanDoc(root):
			snap.Files++
			read[f.path] = true
			docs = append(docs, doc{i, name, nil})
		case f.explicit:
			diags[i] = append(diags[i], model.Diagnostic{File: name, Line: 1,
				Message: "not an input sgcheck reads (AWS CLI describe-* output, Terraform state or plan JSON)"})
		}
	}
	// a configuration beside a document is loaded when the directory was
	// walked, not when the document was named
	ownPrefix := len(docs) > 1 || (len(docs) == 1 && !files[docs[0].at].explicit && holdsConfig(filepath.Dir(files[docs[0].at].path)))
	for _, d := range docs {
		f := files[d.at]
		q := prefix
		if ownPrefix {
			q = terraform.Qualifier(f.path, paths)
		}
		switch {
		case d.root == nil:
			diags[d.at] = append(diags[d.at], plan.AddPlanned(snap, f.path, d.name, q)...)
		case plan.IsState(d.root):
			diags[d.at] = append(diags[d.at], plan.AddState(snap, d.root, d.name, q)...)
		default:
			diags[d.at] = append(diags[d.at], plan.AddRawState(snap, d.root, d.name, q)...)
		}
	}
	var out []model.Diagnostic
	for _, d := range diags {
		out = append(out, d...)
	}
	return append(out, b.Finish()...)
}

// holdsConfig reports whether directory dir itself holds a Terraform
// configuration file.
func holdsConfig(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() && terraform.IsConfigFile(e.Name()) {
			return true
		}
	}
	return false
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
