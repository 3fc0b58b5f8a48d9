package analyzer

import (
	"strings"
	"testing"
)

func TestSuppress(t *testing.T) {
	src := `resource "aws_security_group" "g" {
  # sgcheck:ignore SGC003 -- monitoring needs ping
  ingress {
    protocol = "icmp"
  }
  // sgcheck:ignore sgc006,SGC005
  ingress {
    protocol = "tcp"
  }
}
`
	read := func(string) ([]byte, error) { return []byte(src), nil }
	fs := []Finding{
		{ID: "SGC003", Location: &Location{File: "m.tf", StartLine: 3, EndLine: 5}},
		{ID: "SGC006", Location: &Location{File: "m.tf", StartLine: 7, EndLine: 9}},
		{ID: "SGC006", Location: &Location{File: "m.tf", StartLine: 3, EndLine: 5}},
		{ID: "SGC001", Location: nil},
	}
	kept, sup := Suppress(fs, read)
	if len(kept) != 2 || kept[0].Location.StartLine != 3 || kept[0].ID != "SGC006" || kept[1].ID != "SGC001" {
		t.Errorf("kept %+v", kept)
	}
	if len(sup) != 2 || sup[0].Suppression.Reason != "monitoring needs ping" || sup[0].Suppression.Location.StartLine != 2 ||
		sup[1].Suppression.Reason != "" {
		t.Errorf("suppressed %+v", sup)
	}
	if !strings.Contains(ignoreRe.String(), "sgcheck:ignore") {
		t.Fatal("pattern")
	}
}
