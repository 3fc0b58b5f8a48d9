package analyzer

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzSuppressComments: no comment makes the sgcheck:ignore reader, or the
// reader of other scanners' comments, panic.
func FuzzSuppressComments(f *testing.F) {
	f.Add([]byte("# sgcheck:ignore SGC003 -- pings\nresource \"x\" \"y\" {}\n"))
	f.Add([]byte("// sgcheck:ignore SGC001,SGC006\n"))
	f.Add([]byte("# sgcheck:ignore\n# sgcheck:ignore -- no ids\n"))
	f.Add([]byte("#checkov:skip=CKV_AWS_24:why\n#trivy:ignore:AVD-AWS-0107:exp:2026-01-01 tfsec:ignore:aws-vpc-no-public-ingress-sgr\n"))
	peers := PeerIgnores{"ckv_aws_24": {"SGC006"}, "avd-aws-0107": {"SGC003", "SGC006"}, "aws-vpc-no-public-ingress-sgr": {"SGC003"}}
	f.Fuzz(func(t *testing.T, src []byte) {
		fs := []Finding{{ID: "SGC003", Location: &Location{File: "m.tf", StartLine: 2, EndLine: 3}},
			{ID: "SGC006", Location: &Location{File: "m.tf", StartLine: 1, EndLine: 1}}}
		kept, suppressed := Suppress(fs, func(string) ([]byte, error) { return src, nil }, peers)
		if len(kept)+len(suppressed) != len(fs) {
			t.Fatalf("%d kept + %d suppressed of %d", len(kept), len(suppressed), len(fs))
		}
	})
}

// FuzzUserPolicy: no policy source makes the engine panic; a broken one is
// a diagnostic with its file, and the built-ins are still there.
func FuzzUserPolicy(f *testing.F) {
	if src, err := os.ReadFile("../fixtures/policies/org001.rego"); err == nil {
		f.Add(src)
	}
	f.Add([]byte("package sgcheck.rules.x\n\nfindings contains {\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		if err := os.WriteFile(filepath.Join(dir, "p.rego"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		e, diags, err := NewEngine(context.Background(), []string{dir})
		if err != nil {
			t.Fatalf("a user policy broke the built-ins: %v", err)
		}
		for _, d := range diags {
			if d.File == "" && d.Message == "" {
				t.Fatalf("empty diagnostic")
			}
		}
		if len(e.Policies()) == 0 {
			t.Fatal("no policies left")
		}
	})
}
