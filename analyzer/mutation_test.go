package analyzer

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// TestProofsHoldOnMutatedConfigurations: every claim sgcheck makes is
// replayed before it is printed, so an internal error is a bug. Seeded
// random edits of the fixtures (numbers, CIDRs, protocols changed), analysed
// alone and as a change from the original, must never produce one.
func TestProofsHoldOnMutatedConfigurations(t *testing.T) {
	files := fixtureSources()
	e, _, err := NewEngine(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	edits := [][2]string{
		{`"0.0.0.0/0"`, `"10.0.0.0/8"`}, {`"10.0.0.0/8"`, `"0.0.0.0/0"`}, {`"::/0"`, `"2001:db8::/32"`},
		{`"tcp"`, `"udp"`}, {`"tcp"`, `"-1"`}, {`"-1"`, `"tcp"`}, {`"icmp"`, `"icmpv6"`}, {`= 22`, `= 2222`},
		{`= 0`, `= 1024`}, {`= 443`, `= 80`}, {`"203.0.113.7/32"`, `"203.0.113.0/24"`}, {`egress`, `ingress`},
		{`ingress`, `egress`}, {`= -1`, `= 8`}, {`"allow"`, `"deny"`},
	}
	rng := rand.New(rand.NewPCG(7, 11))
	checked := 0
	for i := 0; i < 800; i++ {
		orig, mut := mutated(t, rng, files, edits)
		base, head := loadSource(orig), loadSource(mut)
		for _, b := range []*model.Snapshot{nil, base} {
			res, err := e.Analyze(context.Background(), head, b, Options{Params: tracking.DefaultParams})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Internal) > 0 {
				t.Fatalf("case %d (change=%v): %v\n--- base\n%s\n--- head\n%s", i, b != nil, res.Internal, orig, mut)
			}
			checked += len(res.Findings)
		}
	}
	if checked < 500 {
		t.Errorf("only %d findings checked", checked)
	}
}

// replaceNth replaces one random occurrence of old.
func replaceNth(src []byte, old, new string, rng *rand.Rand) []byte {
	var idx []int
	for i := 0; i+len(old) <= len(src); i++ {
		if string(src[i:i+len(old)]) == old {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return src
	}
	at := idx[rng.IntN(len(idx))]
	out := append([]byte(nil), src[:at]...)
	out = append(out, new...)
	return append(out, src[at+len(old):]...)
}
