package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestScenarios replays every fixture scenario: all its expect steps hold
// (exit 0), and the timelines match their golden files. Together they cover
// the ping story, SSH open to the world (cut at once), a tracked /32 SSH
// session (survives, new connections refused, dies after 432000 s idle),
// the 600 s rule of other protocols, and a NACL deny cutting a tracked flow.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("fixtures/scenarios/*/scenario.yaml")
	if err != nil || len(files) < 5 {
		t.Fatalf("scenarios: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f)), func(t *testing.T) {
			for _, format := range []string{"text", "json"} {
				out, stderr, code := sgcheck(t, "simulate", "--format", format, f)
				if code != exitClean {
					t.Errorf("%s: exit %d\n%s%s", format, code, out, stderr)
				}
				golden(t, filepath.Join(filepath.Dir(f), "want."+format), out+"exit "+strconv.Itoa(code)+"\n")
			}
		})
	}
}

func TestSimulateExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	abs, _ := filepath.Abs("fixtures/seed/ping/main.tf")
	failing := write("failing.yaml", "inputs: ["+abs+"]\ntarget: aws_instance.web\ntimeline:\n"+
		"  - at: 0s\n    send: {from: 198.51.100.10, protocol: icmp}\n"+
		"  - at: 1s\n    revoke: aws_security_group.wbc_web.ingress[0]\n"+
		"  - at: 2s\n    expect: {from: 198.51.100.10, protocol: icmp, verdict: drop}\n")
	out, _, code := sgcheck(t, "simulate", failing)
	if code != exitFindings || !strings.Contains(out, "✗ expected drop (line 8)") {
		t.Errorf("failing expect: exit %d\n%s", code, out)
	}
	bad := write("bad.yaml", "inputs: ["+abs+"]\ntarget: aws_instance.web\ntimeline:\n  - at: soon\n    revoke: x\n")
	_, stderr, code := sgcheck(t, "simulate", bad)
	if code != exitError || !strings.Contains(stderr, "bad.yaml:4:") {
		t.Errorf("bad file: exit %d, stderr %q", code, stderr)
	}
	unknownRule := write("rule.yaml", "inputs: ["+abs+"]\ntarget: aws_instance.web\ntimeline:\n  - at: 1s\n    revoke: nope\n")
	_, stderr, code = sgcheck(t, "simulate", unknownRule)
	if code != exitError || !strings.Contains(stderr, "rule.yaml:4:") || !strings.Contains(stderr, `"nope"`) {
		t.Errorf("unknown rule: exit %d, stderr %q", code, stderr)
	}
	target := write("target.yaml", "inputs: ["+abs+"]\ntarget: aws_instance.nope\ntimeline: []\n")
	_, stderr, code = sgcheck(t, "simulate", target)
	if code != exitError || !strings.Contains(stderr, "aws_instance.web") {
		t.Errorf("unknown target: exit %d, stderr %q", code, stderr)
	}
}
