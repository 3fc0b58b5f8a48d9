package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseErrorsHaveLines(t *testing.T) {
	for _, tc := range []struct {
		src  string
		line int
		msg  string
	}{
		{"inputs: [a.tf]\ntarget: x\ntimeline:\n  - at: 5x\n    revoke: r\n", 4, "invalid duration"},
		{"inputs: [a.tf]\ntarget: x\ntimeline:\n  - at: 1s\n    send: {from: 1.2.3.4, protocol: tcp}\n", 5, "needs a port"},
		{"inputs: [a.tf]\ntarget: x\ntimeline:\n  - at: 1s\n    expect: {from: 1.2.3.4, protocol: icmp}\n", 5, "needs a verdict"},
		{"inputs: [a.tf]\ntarget: x\ntimeline:\n  - at: 1s\n    bogus: 1\n", 5, "unknown key"},
		{"inputs: [a.tf]\ntarget: x\ntimeline:\n  - at: 1s\n", 4, "exactly one"},
		{"inputs: [a.tf]\ntarget: x\nextra: 1\ntimeline: []\n", 3, "unknown key"},
		{"inputs: [a.tf]\ntimeline: []\n", 1, "missing \"target\""},
		{"inputs: [a.tf]\ntarget: x\ntimeline:\n  - at: 1s\n    send: {from: 300.1.1.1, protocol: udp, port: 53}\n", 5, "invalid address"},
		{"inputs: [a.tf\ntarget: x\n", 1, "expected"},
		{"inputs: [a.tf]\ntarget: x\nroutes:\n  - {to: 10.0.0.1/8, via: nat-gateway}\ntimeline: []\n", 4, "CIDR block"},
		{"inputs: [a.tf]\ntarget: x\nroutes:\n  - {to: 10.0.0.0/8, via: teleport}\ntimeline: []\n", 4, "via must be one of"},
		{"inputs: [a.tf]\ntarget: x\nroutes:\n  - {to: 10.0.0.0/8}\ntimeline: []\n", 4, "needs to and via"},
		{"inputs: [a.tf]\ntarget: x\nroutes: 5\ntimeline: []\n", 3, "routes is a list"},
		{"inputs: [a.tf]\ntarget: x\ntimeline:\n  - at: 1s\n    nacl: {add: {rule_no: 5}}\n", 5, "missing cidr"},
		{"inputs: [a.tf]\ntarget: x\ntimeline:\n  - at: 10s\n    revoke: r\n  - at: 5s\n    revoke: r\n", 6, "time order"},
		{"inputs: [a.tf]\ntarget: x\ntimeline:\n  - at: 30s\n    send: {from: 1.2.3.4, protocol: icmp, every: 1s, until: 10s}\n", 4, "until (10s) is before at (30s)"},
	} {
		_, err := Parse([]byte(tc.src))
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("%q: got %v, want a line-numbered error", tc.src, err)
			continue
		}
		if e.Line != tc.line || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%q: got line %d %q, want line %d containing %q", tc.src, e.Line, e.Msg, tc.line, tc.msg)
		}
	}
}

func TestParseDurations(t *testing.T) {
	s, err := Parse([]byte("inputs: [a.tf]\ntarget: x\ntimeline:\n  - at: 90\n    revoke: r\n  - at: 3m\n    revoke: r\n  - at: 2h\n    revoke: r\n  - at: 5d\n    revoke: r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []int{90, 180, 7200, 432000}
	for i, it := range s.Items {
		if it.At != want[i] {
			t.Errorf("item %d at %d, want %d", i, it.At, want[i])
		}
	}
}

// FuzzParse: no input makes the parser panic or hang, and every error it
// returns carries a line.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../fixtures/scenarios/*/scenario.yaml")
	for _, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("inputs: [a]\ntarget: t\ntimeline:\n  - at: 1s\n    send: {from: ::1, protocol: icmpv6, every: 1s, until: 2s}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		_, err := Parse(src)
		if err == nil {
			return
		}
		e, ok := err.(*Error)
		if !ok || e.Line < 1 {
			t.Fatalf("error without a line: %v", err)
		}
	})
}
