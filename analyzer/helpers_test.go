package analyzer

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/sgcheck/sgcheck/loader/terraform"
	"github.com/sgcheck/sgcheck/model"
)

func writeFile(path, src string) error { return os.WriteFile(path, []byte(src), 0o644) }

// fixtureSources are the single-file configurations the mutation tests
// edit: every fixture, and the base of every change fixture.
func fixtureSources() []string {
	files, _ := filepath.Glob("../fixtures/*/*.tf")
	more, _ := filepath.Glob("../fixtures/change/*/base/*.tf")
	return append(files, more...)
}

// loadSource loads src as the one file of a root module.
func loadSource(src []byte) *model.Snapshot {
	opts := terraform.Options{Files: []string{"m/main.tf"}, Env: []string{},
		ReadFile: func(string) ([]byte, error) { return src, nil }}
	s, _ := terraform.Load(context.Background(), []string{"m"}, opts)
	return s
}

// mutated reads a random file of files and applies one to three random
// edits (each replaces one random occurrence of its first string).
func mutated(t *testing.T, rng *rand.Rand, files []string, edits [][2]string) (orig, mut []byte) {
	t.Helper()
	orig, err := os.ReadFile(files[rng.IntN(len(files))])
	if err != nil {
		t.Fatal(err)
	}
	mut = orig
	for k := 0; k < 1+rng.IntN(3); k++ {
		ed := edits[rng.IntN(len(edits))]
		mut = replaceNth(mut, ed[0], ed[1], rng)
	}
	return orig, mut
}
