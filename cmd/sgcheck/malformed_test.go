package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// malformedCase is fixtures/malformed/<case>/expect.json: the error the
// case must produce (file relative to the case, line, a part of the
// message), and whether the good input's finding must survive beside it.
type malformedCase struct {
	File    string   `json:"file"`
	Line    int      `json:"line"`
	Message string   `json:"message"`
	Good    bool     `json:"good"`
	Args    []string `json:"args"`
}

// TestMalformedInputs runs every case of fixtures/malformed and
// testdata/costly beside fixtures/malformed/good: no crash, no hang past
// 10 s, exit 2, the error at its file and line, and the good file's finding
// still reported. testdata/costly holds the cases that take a second or
// more by design (building the value a bound refuses), kept out of the
// tests that scan every fixture many times.
func TestMalformedInputs(t *testing.T) {
	dirs, err := filepath.Glob("fixtures/malformed/*/expect.json")
	if err != nil || len(dirs) < 80 {
		t.Fatalf("%d malformed cases (want at least 80): %v", len(dirs), err)
	}
	costly, err := filepath.Glob("testdata/costly/*/expect.json")
	if err != nil || len(costly) < 2 {
		t.Fatalf("%d costly cases (want at least 2): %v", len(costly), err)
	}
	dirs = append(dirs, costly...)
	good := "fixtures/malformed/good"
	for _, exp := range dirs {
		dir := filepath.ToSlash(filepath.Dir(exp))
		t.Run(filepath.Base(dir), func(t *testing.T) {
			raw, err := os.ReadFile(exp)
			if err != nil {
				t.Fatal(err)
			}
			var c malformedCase
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatal(err)
			}
			args := []string{"--format", "json"}
			if c.Args == nil {
				args = append(args, good, dir)
			}
			for _, a := range c.Args {
				args = append(args, strings.NewReplacer("{dir}", dir, "{good}", good).Replace(a))
			}
			type result struct {
				out, stderr string
				code        int
			}
			done := make(chan result, 1)
			go func() {
				out, stderr, code := sgcheck(t, args...)
				done <- result{out, stderr, code}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("%v: still running after 10 s", args)
			}
			if r.code != exitError {
				t.Errorf("exit %d, want %d\n%s\n%s", r.code, exitError, r.out, r.stderr)
			}
			var doc struct {
				Findings []struct{ ID, Resource string }
				Errors   []struct {
					File    string
					Line    int
					Message string
				}
			}
			if r.out != "" {
				if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
					t.Fatalf("output is not JSON: %v\n%s", err, r.out)
				}
			}
			want := ""
			if c.File != "" {
				want = dir + "/" + c.File
			}
			matched := false
			for _, e := range doc.Errors {
				if (want == "" || e.File == want) && (c.Line == 0 || e.Line == c.Line) && strings.Contains(e.Message, c.Message) {
					matched = true
				}
			}
			if !matched && want != "" && strings.Contains(r.stderr, want+":"+strconv.Itoa(c.Line)) &&
				strings.Contains(r.stderr, c.Message) {
				matched = true // a run that cannot start says so on stderr
			}
			if !matched {
				t.Errorf("no error at %s:%d containing %q\nerrors: %+v\nstderr: %s", want, c.Line, c.Message, doc.Errors, r.stderr)
			}
			if c.Good {
				found := false
				for _, f := range doc.Findings {
					found = found || (f.ID == "SGC003" && strings.HasSuffix(f.Resource, "aws_security_group.good"))
				}
				if !found {
					t.Errorf("the good file's finding was lost: %+v", doc.Findings)
				}
			}
		})
	}
}
