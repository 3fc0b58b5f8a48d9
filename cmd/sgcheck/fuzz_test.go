package main

import (
	"github.com/sgcheck/sgcheck/report"
	"strings"
	"testing"
)

// FuzzFlags: no command line makes sgcheck panic; it exits 0, 1 or 2, and
// a usage error (exit 2 with nothing on stdout) says what is wrong.
func FuzzFlags(f *testing.F) {
	for _, s := range []string{
		"--format json fixtures/seed/ping", "--fromat json fixtures/seed/ping", "explain --bogus",
		"--var x fixtures/seed/ping", "--fail-on none --icmp-idle-timeout 5 fixtures/seed/ping",
		"diff fixtures/change/ssh-32-revoked/base fixtures/change/ssh-32-revoked/head", "simulate",
		"--policy-timeout 1ms fixtures/seed/ping", "version", "help", "-f sarif -o /dev/null fixtures/seed/ping",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		for _, a := range args {
			// keep the fuzzer inside the fixtures: no other paths, no git
			// revisions, no output files
			if strings.Contains(a, "/") && !strings.HasPrefix(a, "fixtures/") && a != "/dev/null" {
				return
			}
			for _, format := range report.Formats {
				if strings.Contains(a, format+"=") {
					return // --format FORMAT=FILE writes a file
				}
			}
			if strings.HasPrefix(a, "--base") || strings.HasPrefix(a, "--out") ||
				strings.HasPrefix(a, "-o") && !strings.Contains(line, "/dev/null") ||
				strings.HasPrefix(a, ".") || strings.Contains(a, "=.") {
				return // an output file, or the whole repository
			}
		}
		hasPath := false
		for i, a := range args {
			if strings.HasPrefix(a, "fixtures/") {
				if i > 0 && strings.HasPrefix(args[i-1], "-") && !strings.Contains(args[i-1], "=") {
					return // a flag may take the path as its value, leaving none: sgcheck would scan "."
				}
				hasPath = true
			}
		}
		if len(args) > 0 && strings.HasPrefix(args[len(args)-1], "-") {
			return // the same with the path appended below
		}
		if !hasPath {
			args = append(args, "fixtures/seed/ping") // never the whole repository
		}
		out, stderr, code := sgcheck(t, args...)
		if code < 0 || code > 2 {
			t.Fatalf("%q: exit %d", line, code)
		}
		if code == exitError && out == "" && strings.TrimSpace(stderr) == "" {
			t.Fatalf("%q: exit 2 with no message", line)
		}
	})
}
