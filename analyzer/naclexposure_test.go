package analyzer

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

func naclEntry(no int, action model.ACLAction, p model.Protocol, from, to int, cidr string) model.ACLEntry {
	return model.ACLEntry{Name: fmt.Sprintf("e%d", no), Number: no, Action: action, Protocol: p, FromPort: from, ToPort: to,
		CIDR: netip.MustParsePrefix(cidr)}
}

// exposedSummary writes each exposure as kind:family:what:entries.
func exposedSummary(entries ...model.ACLEntry) string {
	var out []string
	for _, x := range naclExposures(&model.NetworkACL{Address: "n", Entries: entries}) {
		what := fmt.Sprint(x.Ports)
		if x.Kind == "all" {
			what = fmt.Sprint(x.Protocols, x.AllTraffic)
		}
		out = append(out, fmt.Sprintf("%s:%s:%s:%v", x.Kind, x.Family, what, x.Numbers))
	}
	return strings.Join(out, " ")
}

// docs/aws-semantics.md §7 (AWS VPC user guide, "Network ACL rules"): rules
// are evaluated in number order, the first match decides, so what an allow
// entry admits is what no earlier entry matched. Split halves add up to the
// world; the return-traffic range does not make a port reported on its own.
func TestNACLExposures(t *testing.T) {
	A, D := model.Allow, model.Deny
	tcp := model.TCP
	cases := []struct {
		name    string
		entries []model.ACLEntry
		want    string
	}{
		{"one entry, services listed", []model.ACLEntry{naclEntry(100, A, tcp, 0, 3389, "0.0.0.0/0")},
			"ports:ipv4:[20 21 22 3389]:[100]"},
		{"split halves", []model.ACLEntry{naclEntry(100, A, tcp, 22, 22, "0.0.0.0/1"), naclEntry(110, A, tcp, 22, 22, "128.0.0.0/1")},
			"ports:ipv4:[22]:[100 110]"},
		{"half alone", []model.ACLEntry{naclEntry(100, A, tcp, 22, 22, "0.0.0.0/1")}, ""},
		{"earlier denies take SSH and RDP back", []model.ACLEntry{
			naclEntry(10, D, tcp, 22, 22, "0.0.0.0/0"), naclEntry(20, D, tcp, 3389, 3389, "0.0.0.0/0"),
			naclEntry(100, A, tcp, 0, 65535, "0.0.0.0/0")}, ""},
		{"earlier deny of some addresses keeps the port open from the rest? no: from the world it is not",
			[]model.ACLEntry{naclEntry(10, D, tcp, 22, 22, "0.0.0.0/1"), naclEntry(100, A, tcp, 22, 22, "0.0.0.0/0")}, ""},
		{"later deny changes nothing", []model.ACLEntry{naclEntry(100, A, tcp, 22, 22, "0.0.0.0/0"), naclEntry(200, D, tcp, 22, 22, "0.0.0.0/0")},
			"ports:ipv4:[22]:[100]"},
		{"deny of another protocol changes nothing", []model.ACLEntry{naclEntry(10, D, model.UDP, 0, 65535, "0.0.0.0/0"), naclEntry(100, A, tcp, 22, 22, "0.0.0.0/0")},
			"ports:ipv4:[22]:[100]"},
		{"return-traffic range alone", []model.ACLEntry{naclEntry(100, A, tcp, 1024, 65535, "0.0.0.0/0")}, ""},
		{"all traffic", []model.ACLEntry{naclEntry(100, A, model.All, 0, 0, "0.0.0.0/0"), naclEntry(101, A, model.All, 0, 0, "::/0")},
			"all:ipv4:[tcp udp] true:[100] all:ipv6:[tcp udp] true:[101]"},
		{"every TCP port from ranges that add up", []model.ACLEntry{naclEntry(100, A, tcp, 0, 1023, "0.0.0.0/0"), naclEntry(110, A, tcp, 1024, 65535, "0.0.0.0/0")},
			"all:ipv4:[tcp] false:[100 110]"},
		// an earlier deny takes part of the traffic back: not "all traffic"
		{"every port but SSH", []model.ACLEntry{naclEntry(10, D, tcp, 22, 22, "0.0.0.0/0"), naclEntry(100, A, model.All, 0, 0, "0.0.0.0/0")},
			"all:ipv4:[udp] false:[100]"},
		{"ICMP denied first", []model.ACLEntry{naclEntry(50, D, model.ICMP, -1, -1, "0.0.0.0/0"), naclEntry(100, A, model.All, 0, 0, "0.0.0.0/0")},
			"all:ipv4:[tcp udp] false:[100]"},
		{"a deny after the allow-all changes nothing", []model.ACLEntry{naclEntry(100, A, model.All, 0, 0, "0.0.0.0/0"), naclEntry(200, D, model.ICMP, -1, -1, "0.0.0.0/0")},
			"all:ipv4:[tcp udp] true:[100]"},
		{"IPv6 SSH", []model.ACLEntry{naclEntry(100, A, tcp, 22, 22, "::/0")}, "ports:ipv6:[22]:[100]"},
		{"two entries, two findings", []model.ACLEntry{naclEntry(100, A, tcp, 22, 22, "0.0.0.0/0"), naclEntry(110, A, tcp, 3389, 3389, "0.0.0.0/0")},
			"ports:ipv4:[22]:[100] ports:ipv4:[3389]:[110]"},
		// an entry open to the world that covers it all is named alone: the
		// narrow allow before it decides some addresses, and changes nothing
		{"narrow allow before allow-all", []model.ACLEntry{naclEntry(90, A, tcp, 22, 22, "10.0.0.0/8"), naclEntry(100, A, model.All, 0, 0, "0.0.0.0/0")},
			"all:ipv4:[tcp udp] true:[100]"},
		{"narrow allow before a world range", []model.ACLEntry{naclEntry(90, A, tcp, 22, 22, "10.0.0.0/8"), naclEntry(100, A, tcp, 20, 22, "0.0.0.0/0")},
			"ports:ipv4:[20 21 22]:[100]"},
		{"return-traffic range is not named alone", []model.ACLEntry{naclEntry(90, A, tcp, 3389, 3389, "10.0.0.0/8"), naclEntry(100, A, tcp, 1024, 65535, "0.0.0.0/0")},
			"ports:ipv4:[3389]:[90 100]"},
		{"UDP half open: the TCP entry says it all", []model.ACLEntry{naclEntry(90, A, model.All, 0, 0, "0.0.0.0/1"), naclEntry(100, A, tcp, 0, 65535, "0.0.0.0/0")},
			"all:ipv4:[tcp] false:[100]"},
		{"no entry covers both protocols: both named", []model.ACLEntry{naclEntry(90, A, model.UDP, 0, 65535, "0.0.0.0/0"), naclEntry(100, A, tcp, 0, 65535, "0.0.0.0/0")},
			"all:ipv4:[tcp udp] false:[90 100]"},
	}
	for _, c := range cases {
		if got := exposedSummary(c.entries...); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	egress := naclEntry(100, A, tcp, 22, 22, "0.0.0.0/0")
	egress.Egress = true
	if got := exposedSummary(egress); got != "" {
		t.Errorf("egress: %q", got)
	}
}
