package analyzer

import (
	"strings"
	"testing"
)

// The inline comments of checkov, Trivy and tfsec suppress the sgcheck
// checks that name the same check as a peer: checkov by its id (the reason
// kept), Trivy by AVD id, Trivy and tfsec by the check's long names (old
// aws-vpc- ones too), honouring :exp:DATE; ids without an equivalent
// suppress nothing, and nothing is reported about them as unused.
func TestPeerIgnores(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1780000000") // 2026-05-28
	peers := PeerIgnoresOf([]PolicyMeta{
		{ID: "SGC202", Peers: []string{"checkov CKV_AWS_24", "Trivy AWS-0107", "KICS 65905cec-d691-4320-b320-2000436cb696"}},
		{ID: "SGC204", Peers: []string{"checkov CKV_AWS_260", "Trivy AWS-0107"}},
		{ID: "SGC104", Peers: []string{"checkov CKV_AWS_352", "Trivy AWS-0102"}},
	})
	for key, want := range map[string]string{"ckv_aws_24": "SGC202", "avd-aws-0107": "SGC202,SGC204",
		"aws-ec2-no-public-ingress-sgr": "SGC202,SGC204", "aws-vpc-no-public-ingress-sgr": "SGC202,SGC204",
		"aws-ec2-no-excessive-port-access": "SGC104", "aws-vpc-no-public-ingress-sg": "SGC202,SGC204"} {
		if got := strings.Join(peers[key], ","); got != want {
			t.Errorf("%s: %s, want %s", key, got, want)
		}
	}
	src := `resource "aws_security_group" "a" { #checkov:skip=CKV_AWS_24:bastion, reviewed
}
#tfsec:ignore:aws-vpc-no-public-ingress-sgr
resource "aws_security_group" "b" {
}
# trivy:ignore:AVD-AWS-0107:exp:2026-01-01
resource "aws_security_group" "c" {
}
resource "aws_network_acl" "d" {
  #trivy:ignore:avd-aws-0102 tfsec:ignore:aws-ec2-no-public-ingress-acl
}
resource "aws_security_group" "e" {
  #checkov:skip=CKV_AWS_999:no equivalent
}
`
	read := func(string) ([]byte, error) { return []byte(src), nil }
	at := func(id string, start, end int) Finding {
		return Finding{ID: id, Location: &Location{File: "m.tf", StartLine: start, EndLine: end}}
	}
	fs := []Finding{at("SGC202", 1, 2), at("SGC204", 1, 2), at("SGC204", 4, 5), at("SGC202", 7, 8), at("SGC104", 9, 11),
		at("SGC202", 12, 14)}
	kept, sup := Suppress(fs, read, peers)
	var got []string
	for _, s := range sup {
		got = append(got, s.ID+" "+s.Suppression.Reason)
	}
	want := []string{"SGC202 checkov:skip=CKV_AWS_24: bastion, reviewed", "SGC204 tfsec:ignore:aws-vpc-no-public-ingress-sgr",
		"SGC104 trivy:ignore:avd-aws-0102"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("suppressed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(kept) != 3 || kept[0].ID != "SGC204" || kept[1].Location.StartLine != 7 || kept[2].Location.StartLine != 12 {
		t.Errorf("kept %+v", kept)
	}
	// without peers (peer-ignores: false) nothing is suppressed
	if kept, sup := Suppress(fs, read, nil); len(kept) != len(fs) || len(sup) != 0 {
		t.Errorf("without peers: kept %d, suppressed %d", len(kept), len(sup))
	}
	if ds := CheckIgnores([]string{"m.tf"}, sup, map[string]bool{"SGC202": true}, true, read); len(ds) != 0 {
		t.Errorf("peer comments reported: %v", ds)
	}

	// as in checkov, a skip anywhere in a resource covers the whole
	// resource (here its second ingress block), and not the next one
	src = `resource "aws_security_group" "web" {
  #checkov:skip=CKV_AWS_24:jump host
  ingress {
    from_port = 443
  }
  ingress {
    from_port = 22
  }
}
resource "aws_security_group" "other" {
  ingress {
    from_port = 22
  }
}
`
	kept, sup = Suppress([]Finding{at("SGC202", 6, 8), at("SGC202", 11, 13)}, read, peers)
	if len(sup) != 1 || sup[0].Location.StartLine != 6 || len(kept) != 1 || kept[0].Location.StartLine != 11 {
		t.Errorf("suppressed %+v, kept %+v", sup, kept)
	}
}
