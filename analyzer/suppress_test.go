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
	kept, sup := Suppress(fs, read, nil)
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

// An ignore naming an id no check has, and one that suppresses nothing, are
// warnings with their line; in change analysis unused ones are not reported.
func TestCheckIgnores(t *testing.T) {
	src := "# sgcheck:ignore SGC999 -- typo\nresource \"x\" \"y\" {}\n# sgcheck:ignore SGC202\n# sgcheck:ignore SGC003 -- used\n"
	read := func(string) ([]byte, error) { return []byte(src), nil }
	used := []Suppressed{{Suppression: Suppression{Location: &Location{File: "m.tf", StartLine: 4, EndLine: 4}}}}
	known := map[string]bool{"SGC202": true, "SGC003": true}
	ds := CheckIgnores([]string{"m.tf"}, used, known, true, read)
	if len(ds) != 2 || ds[0].Line != 1 || !strings.Contains(ds[0].Message, "SGC999") || ds[1].Line != 3 ||
		!strings.Contains(ds[1].Message, "suppresses nothing") {
		t.Fatalf("got %v", ds)
	}
	if ds := CheckIgnores([]string{"m.tf"}, used, known, false, read); len(ds) != 1 {
		t.Fatalf("change analysis: %v", ds)
	}
}

// exp:YYYY-MM-DD: an ignore applies through that day (UTC, SOURCE_DATE_EPOCH
// when set), then stops suppressing and says so; a bad date is a warning.
func TestExpiringIgnores(t *testing.T) {
	src := "# sgcheck:ignore SGC202 exp:2026-06-30 -- until the VPN is up\nresource \"x\" \"y\" {}\n# sgcheck:ignore SGC202 exp:soon\n"
	read := func(string) ([]byte, error) { return []byte(src), nil }
	fs := []Finding{{ID: "SGC202", Location: &Location{File: "m.tf", StartLine: 2, EndLine: 2}}}
	t.Setenv("SOURCE_DATE_EPOCH", "1782777600") // 2026-06-30
	if kept, sup := Suppress(fs, read, nil); len(kept) != 0 || len(sup) != 1 {
		t.Fatalf("on its last day: kept %v", kept)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1782864000") // 2026-07-01
	kept, sup := Suppress(fs, read, nil)
	if len(kept) != 1 || len(sup) != 0 {
		t.Fatalf("expired: suppressed %v", sup)
	}
	ds := CheckIgnores([]string{"m.tf"}, sup, map[string]bool{"SGC202": true}, true, read)
	if len(ds) != 2 || !strings.Contains(ds[0].Message, "expired on 2026-06-30") || !strings.Contains(ds[1].Message, "exp:soon is not a date") {
		t.Fatalf("got %v", ds)
	}
}

// An ignore with a value (SGC204:8080) suppresses only findings one of
// whose facts has that value.
func TestPerValueIgnores(t *testing.T) {
	src := "# sgcheck:ignore SGC204:8080, SGC202:203.0.113.0/24 -- the dashboard port\nresource \"x\" \"y\" {}\n"
	read := func(string) ([]byte, error) { return []byte(src), nil }
	at := &Location{File: "m.tf", StartLine: 2, EndLine: 2}
	fs := []Finding{
		{ID: "SGC204", Location: at, Facts: map[string]any{"from_port": float64(8080)}},
		{ID: "SGC204", Location: at, Facts: map[string]any{"from_port": float64(9090)}},
		{ID: "SGC202", Location: at, Facts: map[string]any{"peers": []any{"0.0.0.0/0"}}},
		{ID: "SGC202", Location: at, Facts: map[string]any{"peers": []any{"203.0.113.0/24", "198.51.100.0/24"}}},
	}
	kept, sup := Suppress(fs, read, nil)
	if len(sup) != 2 || len(kept) != 2 || kept[0].Facts["from_port"] != float64(9090) {
		t.Fatalf("kept %v", kept)
	}
	if ds := CheckIgnores([]string{"m.tf"}, sup, map[string]bool{"SGC204": true, "SGC202": true}, true, read); len(ds) != 0 {
		t.Fatalf("warnings %v", ds)
	}
}
