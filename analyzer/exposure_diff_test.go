package analyzer

import (
	"math/rand"
	"net/netip"
	"testing"

	"github.com/sgcheck/sgcheck/model"
	"github.com/sgcheck/sgcheck/tracking"
)

// Differential test of the security group exposure computation: a port is
// exposed when the attachment's ingress rules together admit it from every
// address (rules are a union; docs/aws-semantics.md §2). Prefixes are at
// most /4 long, so one address per /4 block decides; the brute force checks
// each well-known port and every port (all-ports class).
func TestExposuresMatchBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	var cells []netip.Addr
	for i := 0; i < 16; i++ {
		cells = append(cells, netip.AddrFrom4([4]byte{byte(i << 4), 9, 9, 9}))
	}
	admitted := func(rules []model.Rule, port int) bool {
		for _, c := range cells {
			ok := false
			for _, r := range rules {
				if r.Peer.Prefix.Contains(c) && (r.Protocol == model.All || (r.FromPort <= port && port <= r.ToPort)) {
					ok = true
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}
	bounds := []int{0, 20, 21, 22, 23, 80, 443, 1433, 3306, 3389, 5432, 6379, 65535}
	checked, positives := 0, 0
	for n := 0; n < 20000; n++ {
		var rules []model.Rule
		var ac tracking.AttachmentClass
		for k := 0; k < 1+rng.Intn(5); k++ {
			from := bounds[rng.Intn(len(bounds))]
			to := from + rng.Intn(65536-from)
			if rng.Intn(2) == 0 {
				to = from
			}
			p := model.TCP
			if rng.Intn(6) == 0 {
				p = model.All
			}
			prefix := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(rng.Intn(16) << 4), 0, 0, 0}), rng.Intn(5)).Masked()
			r := ingress("r", prefix.String(), p, from, to)
			r.Name = "r" + string(rune('a'+k))
			rules = append(rules, r)
			ac.Rules = append(ac.Rules, tracking.RuleClass{Rule: r})
		}
		got := map[int]bool{}
		allPorts := false
		for _, x := range exposures(ac) {
			if x.Family == "ipv4" {
				got[x.Port] = true
				allPorts = allPorts || x.Class == "all-ports"
			}
		}
		// every port open from the world: reported as all ports (by
		// SGC201 itself when one rule is open on every port), not per port
		everyPort := true
		for _, port := range append(bounds, 1, 1024, 8080) {
			everyPort = everyPort && admitted(rules, port)
		}
		if everyPort {
			continue // SGC201's (one open all-ports rule returns nothing)
		}
		if allPorts {
			t.Fatalf("all ports claimed, but a port is not world-open: %+v", rules)
		}
		for _, s := range exposureServices {
			if want := admitted(rules, s.port); got[s.port] != want {
				t.Fatalf("port %d: exposed %v, brute force %v\nrules %+v", s.port, got[s.port], want, rules)
			}
			checked++
			if got[s.port] {
				positives++
			}
		}
	}
	if checked < 100000 || positives < 1000 {
		t.Errorf("only %d port checks, %d exposed", checked, positives)
	}
}
