package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/internal/gen"
)

// The JSON report on a small generated tree of every shape is golden, so
// that changes made for speed keep the output byte for byte (the fixtures'
// goldens do the same for hand-written inputs). Update with -update.
func TestGeneratedTreesGolden(t *testing.T) {
	for _, shape := range gen.Shapes {
		t.Run(string(shape), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tree")
			if _, err := gen.WriteShape(dir, 100, shape); err != nil {
				t.Fatal(err)
			}
			out, stderr, code := sgcheck(t, dir, "--format", "json", "--fail-on", "none")
			if code != exitClean {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			golden(t, filepath.Join("testdata", "generated", string(shape)+".json"), strings.ReplaceAll(out, dir, "TREE"))
		})
	}
}
