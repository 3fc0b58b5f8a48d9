package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var hclBlock = regexp.MustCompile("(?s)```hcl\n(.*?)```")

// docSection returns the hcl code blocks of a "## NAME" section of a rule's
// documentation.
func docSection(doc, name string) []string {
	i := strings.Index(doc, "\n## "+name+"\n")
	if i < 0 {
		return nil
	}
	sec := doc[i+len(name)+5:]
	if j := strings.Index(sec, "\n## "); j >= 0 {
		sec = sec[:j]
	}
	var out []string
	for _, m := range hclBlock.FindAllStringSubmatch(sec, -1) {
		out = append(out, m[1])
	}
	return out
}

// findingIDs scans the example (one block) or analyses the change from the
// first block to the second (two blocks), with the check enabled, and
// returns the ids of the findings.
func findingIDs(t *testing.T, id string, blocks []string) []string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sgcheck.yaml")
	if err := os.WriteFile(cfg, []byte("enable: ["+id+"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var args []string
	for i, b := range blocks {
		sub := filepath.Join(dir, []string{"base", "head"}[i])
		if len(blocks) == 1 {
			sub = filepath.Join(dir, "head")
		}
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, "main.tf"), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, sub)
	}
	if len(blocks) == 2 {
		args = append([]string{"diff"}, args...)
	}
	out, stderr, code := sgcheck(t, append(args, "--config", cfg, "--format", "json", "--fail-on", "none")...)
	if code != exitClean {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct{ Findings []struct{ ID string } }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var ids []string
	for _, f := range rep.Findings {
		ids = append(ids, f.ID)
	}
	return ids
}

// Every rule's documentation has a bad and a good example, and they are
// tested: the bad one gives the rule's finding, the good one does not. A
// section with two code blocks is a change: the first block is the
// configuration before it, the second after.
func TestRuleDocExamples(t *testing.T) {
	docs, _ := filepath.Glob("docs/rules/SGC*.md")
	if len(docs) < 19 {
		t.Fatalf("only %d rule docs", len(docs))
	}
	for _, path := range docs {
		id := strings.TrimSuffix(filepath.Base(path), ".md")
		t.Run(id, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, sec := range []string{"Bad", "Good"} {
				blocks := docSection(string(b), sec)
				if len(blocks) == 0 || len(blocks) > 2 {
					t.Errorf("%s: section %q has %d hcl examples (want 1, or 2 for a change)", path, sec, len(blocks))
					continue
				}
				n := 0
				for _, got := range findingIDs(t, id, blocks) {
					if got == id {
						n++
					}
				}
				if sec == "Bad" && n == 0 {
					t.Errorf("%s: the bad example gives no %s finding", path, id)
				}
				if sec == "Good" && n > 0 {
					t.Errorf("%s: the good example gives %d %s finding(s)", path, n, id)
				}
			}
		})
	}
}
