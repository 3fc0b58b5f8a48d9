package analyzer

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

func pingSnapshot() *model.Snapshot {
	return &model.Snapshot{
		Groups: []model.SecurityGroup{{Address: "aws_security_group.web"}},
		Rules: []model.Rule{{Name: "aws_security_group.web.ingress[0]", Group: "aws_security_group.web",
			Direction: model.Ingress, Protocol: model.ICMP, FromPort: -1, ToPort: -1,
			Peer: model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")}}},
	}
}

// Every SGC003 finding carries a verified proof.
func TestFindingsCarryProofs(t *testing.T) {
	e, _, err := NewEngine(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Analyze(context.Background(), pingSnapshot(), nil, Options{Params: tracking.DefaultParams})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Proof == nil || !res.Findings[0].Proof.Verified {
		t.Fatalf("findings %+v", res.Findings)
	}
	last := res.Findings[0].Proof.Events[len(res.Findings[0].Proof.Events)-1]
	if last.Verdict != "drop" || last.T != 6+30+60 {
		t.Errorf("last event %+v, want a drop once idle past 60 s", last)
	}
}

// A witness that does not replay as claimed withholds the finding and
// reports an internal error (DESIGN.md "Semantics" 6).
func TestUnverifiedProofWithholdsFinding(t *testing.T) {
	replayHook = func(f Finding, p tracking.Proof) tracking.Proof {
		p.Verified, p.Failure = false, "injected disagreement"
		return p
	}
	defer func() { replayHook = nil }()
	e, _, err := NewEngine(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Analyze(context.Background(), pingSnapshot(), nil, Options{Params: tracking.DefaultParams})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("finding printed despite a failed proof: %+v", res.Findings)
	}
	if len(res.Internal) != 1 || !strings.Contains(res.Internal[0], "injected disagreement") {
		t.Errorf("internal errors %q", res.Internal)
	}
}

// A false claim fails its replay: claiming that an untracked revocation
// survives (docs/aws-semantics.md §2.3 says it is cut at once) must not verify.
func TestFalseClaimFailsReplay(t *testing.T) {
	open := model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")}
	ssh := model.Rule{Name: "ssh", Group: "sg", Direction: model.Ingress, Protocol: model.TCP, FromPort: 22, ToPort: 22, Peer: open}
	out := model.Rule{Name: "out", Group: "sg", Direction: model.Egress, Protocol: model.All, FromPort: 0, ToPort: 65535, Peer: open}
	base := &model.Snapshot{Groups: []model.SecurityGroup{{Address: "sg"}}, Rules: []model.Rule{ssh, out}}
	head := &model.Snapshot{Groups: []model.SecurityGroup{{Address: "sg"}}, Rules: []model.Rule{out}}
	imp := tracking.Compare(base, head, tracking.DefaultParams)
	if len(imp.Revocations) != 1 || imp.Revocations[0].Tracked {
		t.Fatalf("revocations %+v", imp.Revocations)
	}
	before, _ := tracking.SimConfigFor(base, "sg")
	after, _ := tracking.SimConfigFor(head, "sg")
	p := tracking.ProveRevocation(before, after, imp.Revocations[0], nil, tracking.DefaultParams)
	if p.Verified {
		t.Errorf("a survival claim about an untracked flow replayed as verified: %+v", p.Steps)
	}
}
