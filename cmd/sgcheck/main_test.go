package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under fixtures/*/want")

// TestMain runs every test from the repository root, so that reported paths
// are repository-relative as they are for users.
func TestMain(m *testing.M) {
	if job := os.Getenv(childJob); job != "" {
		os.Exit(runChild(job, os.Args[1:])) // a process a benchmark or test started
	}
	flag.Parse()
	if err := os.Chdir("../.."); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// sgcheck runs the command in-process and returns stdout, stderr and the
// exit code.
func sgcheck(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

// golden compares got with the file, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/sgcheck -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the output (run with -update if the change is intended)\n--- want\n%s\n--- got\n%s",
			path, want, got)
	}
}

// cases lists fixture directories with expected outputs: each has a want/
// folder and, optionally, an args file with the command line to run.
func cases(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir("fixtures", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "want" {
			out = append(out, filepath.ToSlash(filepath.Dir(path)))
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no fixtures found")
	}
	return out
}

// caseArgs returns the arguments that run a fixture: the args file (one
// argument per line, {dir} standing for the fixture) or the directory.
func caseArgs(t *testing.T, dir string) []string {
	raw, err := os.ReadFile(filepath.Join(dir, "args"))
	if os.IsNotExist(err) {
		return []string{dir}
	}
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			args = append(args, strings.ReplaceAll(line, "{dir}", dir))
		}
	}
	return args
}
