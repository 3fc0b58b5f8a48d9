package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/report"
)

// Not a terminal: 100 columns, no colour, no progress line; the text report
// folds every line at 100 columns (a single word longer than that aside).
func TestTextOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	if tty := terminalOf(&buf, false); tty.width != report.DefaultWidth || tty.color {
		t.Errorf("buffer: %+v", tty)
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if tty := terminalOf(f, false); tty.width != report.DefaultWidth || tty.color {
		t.Errorf("file: %+v", tty)
	}
	p := startProgress(&buf, 0)
	p.set("reading files")
	time.Sleep(10 * time.Millisecond)
	p.stop()
	if buf.Len() != 0 {
		t.Errorf("progress off a terminal: %q", buf.String())
	}
	out, _, _ := sgcheck(t, "diff", "fixtures/change/ssh-32-revoked/base", "fixtures/change/ssh-32-revoked/head")
	for _, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > 100 && strings.Contains(strings.TrimSpace(l), " ") && longestWord(l) < 60 {
			t.Errorf("line of %d columns: %s", len([]rune(l)), l)
		}
		if strings.Contains(l, "\x1b[") {
			t.Errorf("colour off a terminal: %q", l)
		}
	}
}

func longestWord(l string) int {
	n := 0
	for _, w := range strings.Fields(l) {
		n = max(n, len([]rune(w)))
	}
	return n
}

// On a colour terminal the severity is coloured, and folding counts only
// visible columns; at another width the report folds there.
func TestTextOnTerminal(t *testing.T) {
	out, _, _ := sgcheck(t, "fixtures/exposure", "--format", "json")
	var rep struct{ Findings []analyzer.Finding }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Text(&buf, report.Run{Findings: rep.Findings, Width: 60, Color: true}); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if !strings.Contains(text, "\x1b[1;31mHIGH\x1b[0m SGC20") {
		t.Errorf("no coloured HIGH:\n%s", text)
	}
	for _, l := range strings.Split(text, "\n") {
		plain := strings.NewReplacer("\x1b[1;31m", "", "\x1b[1;33m", "", "\x1b[36m", "", "\x1b[2m", "", "\x1b[0m", "").Replace(l)
		if len([]rune(plain)) > 60 && longestWord(plain) < 40 {
			t.Errorf("line of %d columns at width 60: %s", len([]rune(plain)), plain)
		}
	}
}
