// Package rules provides sgcheck's built-in Rego policies, embedded in the
// binary so that nothing is read or fetched at run time.
package rules

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed rego/*.rego
var files embed.FS

// Policy is one Rego source file.
type Policy struct {
	Name   string // path, e.g. rego/sgc003.rego
	Source string
}

// BuiltIn returns the built-in policies; with tests it also returns their
// _test.rego files.
func BuiltIn(tests bool) []Policy {
	var out []Policy
	_ = fs.WalkDir(files, "rego", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
			return err
		}
		if strings.HasSuffix(path, "_test.rego") && !tests {
			return nil
		}
		src, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		out = append(out, Policy{Name: path, Source: string(src)})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
