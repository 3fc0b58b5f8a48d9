package analyzer

import (
	"fmt"
	"math/rand"
	"net/netip"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// bruteAdmits decides, for one address and port, what the entries (in rule
// number order) do: the first entry that matches decides (AWS VPC user
// guide, "Network ACL rules"; docs/aws-semantics.md §7).
func bruteAdmits(entries []model.ACLEntry, p model.Protocol, port int, addr netip.Addr) bool {
	for _, e := range entries {
		if naclMatches(e, p, port) && e.CIDR.Contains(addr) {
			return e.Action == model.Allow
		}
	}
	return false // the implicit deny-all
}

// Differential test of the NACL exposure computation against a brute-force
// first-match evaluation. Prefixes are at most /4 long, so the sixteen /4
// blocks, one address each, decide every address; ports are tried at every
// range boundary and at random ones.
func TestNACLExposureMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	var cells []netip.Addr
	for i := 0; i < 16; i++ {
		cells = append(cells, netip.AddrFrom4([4]byte{byte(i << 4), 1, 2, 3}))
	}
	randomPrefix := func() string {
		bits := rng.Intn(5)
		first := byte(rng.Intn(16) << 4)
		return netip.PrefixFrom(netip.AddrFrom4([4]byte{first, 0, 0, 0}), bits).Masked().String()
	}
	protocols := []model.Protocol{model.TCP, model.UDP, model.All}
	bounds := []int{0, 20, 21, 22, 23, 1023, 1024, 3389, 8080, 65535}
	worldCases, allCases := 0, 0
	for n := 0; n < 20000; n++ {
		var entries []model.ACLEntry
		for k := 0; k < 1+rng.Intn(6); k++ {
			from := bounds[rng.Intn(len(bounds))]
			to := from + rng.Intn(65536-from)
			if rng.Intn(3) == 0 {
				to = from
			}
			action := model.Allow
			if rng.Intn(3) == 0 {
				action = model.Deny
			}
			entries = append(entries, naclEntry(10*(k+1), action, protocols[rng.Intn(3)], from, to, randomPrefix()))
		}
		ports := append([]int{}, bounds...)
		for _, e := range entries {
			ports = append(ports, e.FromPort, e.ToPort, min(e.ToPort+1, 65535), max(e.FromPort-1, 0))
		}
		for k := 0; k < 5; k++ {
			ports = append(ports, rng.Intn(65536))
		}
		for _, p := range []model.Protocol{model.TCP, model.UDP} {
			allWorld := true
			for _, port := range ports {
				want := true
				for _, c := range cells {
					want = want && bruteAdmits(entries, p, port, c)
				}
				got, contrib := naclAdmits(entries, p, port, "ipv4")
				if got != want {
					t.Fatalf("%v port %d: world %v, brute force %v\nentries %s", p, port, got, want, describe(entries))
				}
				if want {
					worldCases++
					// every contributing entry is an allow that decides some address
					for _, i := range contrib {
						decides := false
						for _, c := range cells {
							for _, e := range entries {
								if naclMatches(e, p, port) && e.CIDR.Contains(c) {
									decides = decides || (e.Number == entries[i].Number && e.Action == model.Allow)
									break
								}
							}
						}
						if !decides {
							t.Fatalf("entry %d named but decides no address\nentries %s", entries[i].Number, describe(entries))
						}
					}
				}
				allWorld = allWorld && want
			}
			all, _ := naclAllPorts(entries, p, "ipv4")
			if all && !allWorld {
				t.Fatalf("%v: every port claimed, but a tried port is not world-open\nentries %s", p, describe(entries))
			}
			if all {
				allCases++
			}
			if allWorld && !all {
				// naclAllPorts tries one port per stretch between boundaries;
				// the ports tried here include every boundary, so they agree
				t.Fatalf("%v: every tried port is world-open, but not every port claimed\nentries %s", p, describe(entries))
			}
		}
	}
	if worldCases < 1000 || allCases < 100 {
		t.Errorf("too few positive cases: %d world, %d all ports", worldCases, allCases)
	}
}

func describe(entries []model.ACLEntry) string {
	s := ""
	for _, e := range entries {
		s += fmt.Sprintf("\n  %d %s %v %d-%d %s", e.Number, e.Action, e.Protocol, e.FromPort, e.ToPort, e.CIDR)
	}
	return s
}
