package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// .sgcheck.yaml (docs/config.md): disabled checks, severity overrides,
// allowed ports and excluded paths change what is reported; the command
// line wins over the file; unknown keys and ids are errors with the line.
func TestConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sgcheck.yaml")
	write := func(src string) {
		if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("disable: [SGC006, SGC201]\nseverity:\n  SGC203: medium\nallow-ports:\n  SGC202: [22, 23]\nexclude: [\"fixtures/seed/**\"]\nfail-on: high\n")
	out, stderr, code := sgcheck(t, "--config", cfg, "fixtures/exposure", "fixtures/seed/ping")
	if code != exitClean || strings.Contains(out, "SGC006") || strings.Contains(out, "SGC202") || strings.Contains(out, "fixtures/seed") ||
		!strings.Contains(out, "MEDIUM SGC203") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	// checks that are off by default run when enabled
	if out, _, _ := sgcheck(t, "fixtures/seed/ping"); strings.Contains(out, "SGC206") {
		t.Errorf("SGC206 is off by default:\n%s", out)
	}
	write("enable: [SGC206]\n")
	if out, _, _ := sgcheck(t, "--config", cfg, "fixtures/seed/ping"); !strings.Contains(out, "INFO SGC206") {
		t.Errorf("enabled SGC206 missing:\n%s", out)
	}
	write("disable: [SGC006, SGC201]\nseverity:\n  SGC203: medium\nallow-ports:\n  SGC202: [22, 23]\nexclude: [\"fixtures/seed/**\"]\nfail-on: high\n")
	// the command line wins
	if _, _, code := sgcheck(t, "--config", cfg, "--fail-on", "medium", "fixtures/exposure"); code != exitFindings {
		t.Errorf("--fail-on medium: exit %d", code)
	}
	for src, want := range map[string]string{
		"disable: [SGC999]\n":           ":1: unknown check id \"SGC999\"",
		"fail-on: low\nbogus: 1\n":      ":2: unknown key \"bogus\"",
		"severity:\n  SGC202: loud\n":   ":2: unknown severity \"loud\"",
		"allow-ports:\n  SGC202: [x]\n": ":2: port \"x\" is not a number",
	} {
		write(src)
		_, stderr, code := sgcheck(t, "--config", cfg, "fixtures/exposure")
		if code != exitError || !strings.Contains(stderr, want) {
			t.Errorf("%q: exit %d, %s", src, code, stderr)
		}
	}
}

// Ignore comments are checked where the loader found them: an unknown id
// and an ignore that suppresses nothing are warnings with their line.
func TestIgnoreWarnings(t *testing.T) {
	dir := t.TempDir()
	src := "resource \"aws_security_group\" \"a\" {\n  # sgcheck:ignore SGC999\n  ingress {\n    from_port   = 8080\n    to_port     = 8080\n    protocol    = \"tcp\"\n    cidr_blocks = [\"10.0.0.0/8\"]\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := sgcheck(t, dir)
	if code != exitClean || !strings.Contains(stderr, "main.tf:2: sgcheck:ignore names SGC999") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
