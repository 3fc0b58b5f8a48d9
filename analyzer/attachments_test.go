package analyzer

import (
	"fmt"
	"slices"
	"testing"
)

func onAttachment(att, remedy string) Finding {
	f := Finding{ID: "SGC001", Severity: "HIGH", Rule: "aws_security_group.ops.ingress[0]", Resource: "aws_security_group.ops",
		Message:     "Removing aws_security_group.ops.ingress[0] revokes tcp port 22 on " + att + ", but its flows are tracked",
		Location:    &Location{File: "main.tf", StartLine: 1, EndLine: 9},
		Related:     []Related{{Message: "the rule before the change", Location: &Location{File: "old/main.tf", StartLine: 3, EndLine: 8}}},
		Facts:       map[string]any{"attachment": att, "window_seconds": 432000},
		Remediation: remedy,
		Proof:       &Proof{Verified: true, Events: []Event{{Event: "open a flow on " + att}}}}
	f.Fingerprint = f.fingerprint()
	return f
}

// One revocation on a group shared by several instances is one finding
// that names them all (in the order people number them), with the proof
// and fingerprint of the first; a finding that differs in anything but
// the attachment (another NACL deny to add) stays apart, as do findings
// about no attachment, and the report order holds.
func TestMergeAttachments(t *testing.T) {
	other := Finding{ID: "SGC206", Severity: "LOW", Message: "no description", Facts: map[string]any{}}
	web10, web2, web1 := onAttachment("aws_instance.web[10]", "deny A"), onAttachment("aws_instance.web[2]", "deny A"), onAttachment("aws_instance.web[1]", "deny A")
	db := onAttachment("aws_instance.db", "deny B")
	out := MergeAttachments([]Finding{other, web10, db, web2, web1})
	if len(out) != 3 || out[0].ID != "SGC206" || out[2].Facts["attachment"] != "aws_instance.db" {
		t.Fatalf("merged: %+v", out)
	}
	m := out[1]
	if want := "Removing aws_security_group.ops.ingress[0] revokes tcp port 22 on aws_instance.web[1], aws_instance.web[2] and aws_instance.web[10], but its flows are tracked"; m.Message != want {
		t.Errorf("message %q", m.Message)
	}
	if !slices.Equal(m.Facts["attachments"].([]string), []string{"aws_instance.web[1]", "aws_instance.web[2]", "aws_instance.web[10]"}) ||
		m.Facts["attachment"] != "aws_instance.web[1]" || m.Fingerprint != web1.Fingerprint || m.Proof.Events[0].Event != "open a flow on aws_instance.web[1]" {
		t.Errorf("merged finding: %+v", m)
	}
	if _, ok := web1.Facts["attachments"]; ok || web1.Message != onAttachment("aws_instance.web[1]", "deny A").Message {
		t.Error("the input findings were changed")
	}

	var many []Finding
	for i := range 7 {
		many = append(many, onAttachment(fmt.Sprintf("aws_instance.app[%d]", i), "deny A"))
	}
	if out := MergeAttachments(many); len(out) != 1 || out[0].Message !=
		"Removing aws_security_group.ops.ingress[0] revokes tcp port 22 on aws_instance.app[0], aws_instance.app[1], aws_instance.app[2], aws_instance.app[3] and 3 other attachments, but its flows are tracked" ||
		len(out[0].Facts["attachments"].([]string)) != 7 {
		t.Errorf("seven attachments: %+v", out)
	}

	// the name twice in the message: not rewritten, not folded
	twice := []Finding{onAttachment("aws_instance.a", "deny A"), onAttachment("aws_instance.b", "deny A")}
	for i := range twice {
		twice[i].Message += " on " + twice[i].Facts["attachment"].(string)
	}
	if out := MergeAttachments(twice); len(out) != 2 {
		t.Errorf("name twice: %+v", out)
	}
}

func TestNaturalCompare(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"web[2]", "web[10]", -1}, {"web[10]", "web[2]", 1}, {"web[02]", "web[2]", 0}, {"a", "b", -1},
		{"web", "web[0]", -1}, {"x9y", "x10a", -1}, {"x10a", "x10b", -1}, {"", "", 0},
	} {
		if got := NaturalCompare(c.a, c.b); got != c.want {
			t.Errorf("NaturalCompare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
