package loader

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus.golden.json")

const corpus = "../../shared/corpus"

type corpusCounts struct {
	Groups      int      `json:"groups"`
	Rules       int      `json:"rules"`
	Attachments int      `json:"attachments"`
	NACLs       int      `json:"nacls"`
	NACLEntries int      `json:"nacl_entries"`
	Unknowns    int      `json:"unknowns"`
	Errors      []string `json:"errors"`
	Warnings    []string `json:"warnings"`
}

// TestCorpus loads every source of the shared real-world corpus and checks,
// per source, what was found against a golden file. Every error and every
// value left unknown is listed by file and line, so a silent drop shows as
// a changed count. A fresh clone has no ../shared: the test then skips.
func TestCorpus(t *testing.T) {
	sources, err := filepath.Glob(filepath.Join(corpus, "*"))
	if err != nil || len(sources) == 0 {
		t.Skipf("no corpus at %s (it lives beside the repository, not in it)", corpus)
	}
	got := map[string]corpusCounts{}
	for _, src := range sources {
		if info, err := os.Stat(src); err != nil || !info.IsDir() {
			continue
		}
		snap, diags := Load(context.Background(), []string{src}, Options{})
		c := corpusCounts{Groups: len(snap.Groups), Rules: len(snap.Rules), Attachments: len(snap.Attachments),
			NACLs: len(snap.NACLs), Unknowns: snap.Unknowns, Errors: []string{}, Warnings: []string{}}
		for _, n := range snap.NACLs {
			c.NACLEntries += len(n.Entries)
		}
		for _, d := range diags {
			s := strings.TrimPrefix(d.String(), corpus+"/")
			if d.Warning {
				c.Warnings = append(c.Warnings, s)
			} else {
				c.Errors = append(c.Errors, s)
			}
		}
		got[filepath.Base(src)] = c
	}
	raw, _ := json.MarshalIndent(got, "", "  ")
	raw = append(raw, '\n')
	path := filepath.Join("testdata", "corpus.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(raw) {
		t.Errorf("corpus results differ from %s (go test ./loader -update to accept):\n%s", path, raw)
	}
	// The one documented error: the published describe-security-groups
	// example has a trailing comma at line 51.
	aws := got["aws__aws-cli"]
	if len(aws.Errors) != 1 || !strings.Contains(aws.Errors[0], "describe-security-groups.vpc.json:51:") {
		t.Errorf("aws-cli errors %v, want exactly the trailing comma at line 51", aws.Errors)
	}
	for name, c := range got {
		if name != "aws__aws-cli" && len(c.Errors) > 0 {
			t.Errorf("%s: errors %v", name, c.Errors)
		}
	}
}
