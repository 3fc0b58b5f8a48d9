package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// sgcheck rules lists every built-in check, each with its documentation
// file present and named in the README's table.
func TestRulesCommand(t *testing.T) {
	out, stderr, code := sgcheck(t, "rules", "--format", "json")
	if code != exitClean {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var docs []struct {
		ID, Severity, Title, Doc string
		Peers                    []string
	}
	if err := json.Unmarshal([]byte(out), &docs); err != nil || len(docs) < 15 {
		t.Fatalf("%v: %s", err, out)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if _, err := os.Stat(d.Doc); err != nil {
			t.Errorf("%s: %v", d.ID, err)
		}
		if !strings.Contains(string(readme), "["+d.ID+"](docs/rules/"+d.ID+".md)") {
			t.Errorf("%s is not in the README's table", d.ID)
		}
	}
	text, _, _ := sgcheck(t, "rules")
	if !strings.Contains(text, "SGC202  HIGH     Administration port open to the world") {
		t.Errorf("text:\n%s", text)
	}
	if _, _, code := sgcheck(t, "rules", "extra"); code != exitError {
		t.Errorf("an argument: exit %d", code)
	}
}
