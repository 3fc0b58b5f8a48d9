package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

var (
	checksLine = regexp.MustCompile(`(?m)^# checks: (.+)$`)
	expectLine = regexp.MustCompile(`^# expect: (.+)$`)
)

type peerLoc struct {
	File      string `json:"file"`
	StartLine int    `json:"start_line"`
}

// TestPeerStyleFixtures runs the fixture sets in fixtures/peers, written
// the way checkov, Trivy and KICS test their checks: one file per check
// family, each top-level block preceded by "# expect: pass" or
// "# expect: ID ...". A block takes part in a finding when the finding is
// located in it or names it as a related location; every block must take
// part in exactly the expected findings among the family's checks (the
// "# checks:" line).
func TestPeerStyleFixtures(t *testing.T) {
	dirs, _ := filepath.Glob("fixtures/peers/*/main.tf")
	if len(dirs) < 10 {
		t.Fatalf("only %d peer fixture sets", len(dirs))
	}
	for _, file := range dirs {
		dir := filepath.Dir(file)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, "main.tf"))
			if err != nil {
				t.Fatal(err)
			}
			m := checksLine.FindSubmatch(src)
			if m == nil {
				t.Fatal("no # checks: line")
			}
			family := strings.Fields(string(m[1]))
			cfg := filepath.Join(t.TempDir(), "sgcheck.yaml")
			if err := os.WriteFile(cfg, []byte("enable: ["+strings.Join(family, ", ")+"]\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			out, stderr, code := sgcheck(t, dir, "--config", cfg, "--format", "json", "--fail-on", "none")
			if code != exitClean {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var rep struct {
				Findings []struct {
					ID       string
					Location peerLoc
					Related  []struct{ Location peerLoc }
				}
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			f, diags := hclsyntax.ParseConfig(src, "main.tf", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			lines := strings.Split(string(src), "\n")
			blocks := 0
			for _, b := range f.Body.(*hclsyntax.Body).Blocks {
				start, end := b.Range().Start.Line, b.Range().End.Line
				em := expectLine.FindStringSubmatch(strings.TrimSpace(lines[start-2]))
				if em == nil {
					t.Errorf("%s:%d: block without an # expect: line above it", dir, start)
					continue
				}
				blocks++
				want := strings.Fields(em[1])
				if len(want) == 1 && want[0] == "pass" {
					want = nil
				}
				got := map[string]bool{}
				in := func(l peerLoc) bool {
					return filepath.Base(l.File) == "main.tf" && l.StartLine >= start && l.StartLine <= end
				}
				for _, fd := range rep.Findings {
					hit := in(fd.Location)
					for _, r := range fd.Related {
						hit = hit || in(r.Location)
					}
					for _, id := range family {
						if hit && fd.ID == id {
							got[id] = true
						}
					}
				}
				var gotIDs []string
				for id := range got {
					gotIDs = append(gotIDs, id)
				}
				sort.Strings(gotIDs)
				sort.Strings(want)
				if strings.Join(gotIDs, " ") != strings.Join(want, " ") {
					t.Errorf("%s:%d %s: got %v, want %v", dir, start, strings.Join(b.Labels, "."), gotIDs, want)
				}
			}
			if blocks < 4 {
				t.Errorf("%s: only %d annotated blocks", dir, blocks)
			}
		})
	}
}
