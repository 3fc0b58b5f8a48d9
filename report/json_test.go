package report

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/model"
)

// A report with many findings is encoded in parallel pieces of 64; its
// bytes are those of encoding the whole document at once, for any number
// of findings (none, one piece, several, a last one not full), with HTML
// characters, nested values and empty collections in them.
func TestParallelJSONReport(t *testing.T) {
	old := parallelFindings
	defer func() { parallelFindings = old }()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8)) // pieces left empty too
	for _, n := range []int{0, 1, 2, 3, 7, 64, 65, 129, 200} {
		var fs []analyzer.Finding
		for i := 0; i < n; i++ {
			fs = append(fs, analyzer.Finding{ID: fmt.Sprintf("SGC%03d", i), Title: "a <b> & c", Severity: "HIGH",
				Message: fmt.Sprintf("rule %d admits \"tcp\" from 0.0.0.0/0", i), Rule: "r", Resource: "g",
				Facts:    map[string]any{"ports": []any{22, 3389}, "empty": []any{}, "nested": map[string]any{"a": 1}},
				Location: &analyzer.Location{File: "main.tf", StartLine: i + 1, EndLine: i + 2}})
		}
		run := Run{ToolVersion: "1.0", Findings: fs, Errors: []model.Diagnostic{{File: "x.tf", Line: 1, Message: `"findings": []`}},
			Notes: []string{"n"}}
		parallelFindings = 1 << 30
		var whole bytes.Buffer
		if err := JSON(&whole, run); err != nil {
			t.Fatal(err)
		}
		parallelFindings = 0
		var pieces bytes.Buffer
		if err := JSON(&pieces, run); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(whole.Bytes(), pieces.Bytes()) {
			t.Fatalf("%d findings: encoded in pieces\n%s\nwhole\n%s", n, pieces.Bytes(), whole.Bytes())
		}
	}
}
