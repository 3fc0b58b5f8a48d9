package analyzer

import (
	"strconv"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/tracking"
)

// appGroup is a group on one instance, whose rules the tests add.
const appGroup = `
resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = "vpc-1"
}
resource "aws_instance" "app" {
  ami                    = "ami-1"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.app.id]
}
`

// TestAllTrafficMergedAroundHoles: removing a protocol-all rule while other
// rules keep some TCP or UDP ports open is one revocation of all traffic
// except those ports, not one per protocol and port range; where what is
// left is not the same for every peer, or is part of ICMP, the parts stay
// apart (a merged text would claim holes the change does not keep).
func TestAllTrafficMergedAroundHoles(t *testing.T) {
	rule := func(name, proto string, from, to int, cidr string) string {
		return `
resource "aws_vpc_security_group_ingress_rule" "` + name + `" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "` + proto + `"
  from_port         = ` + strconv.Itoa(from) + `
  to_port           = ` + strconv.Itoa(to) + `
  cidr_ipv4         = "` + cidr + `"
}
`
	}
	all := `
resource "aws_vpc_security_group_ingress_rule" "all" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "-1"
  cidr_ipv4         = "10.0.0.0/8"
}
`
	for _, c := range []struct {
		name, kept string
		count      int
		except     []string
		parts      []string
	}{
		{"nothing kept", "", 1, nil, nil},
		{"dns kept", rule("dns_tcp", "tcp", 53, 53, "10.0.0.0/8") + rule("dns_udp", "udp", 53, 53, "10.0.0.0/8"), 1,
			[]string{"tcp port 53", "udp port 53"}, nil},
		{"ports at both ends kept", rule("low", "tcp", 0, 10, "10.0.0.0/8") + rule("high", "udp", 60000, 65535, "10.0.0.0/8"), 1,
			[]string{"tcp ports 0-10", "udp ports 60000-65535"}, nil},
		// tcp 53 stays open to part of the peers only: its other part is
		// revoked to other peers, so the holes would not be the same for all
		{"kept for some peers", rule("dns_tcp", "tcp", 53, 53, "10.1.0.0/16"), 0, nil, nil},
		{"part of icmp kept", rule("ping", "icmp", 8, 0, "10.0.0.0/8"), 1, nil,
			[]string{"tcp all ports", "udp all ports", "icmp types 0-7", "icmp types 8-255 codes 1-255", "icmp types 9-255 codes 0-0",
				"all protocols other than TCP, UDP and ICMP"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := loadSource([]byte(appGroup + all + c.kept))
			head := loadSource([]byte(appGroup + c.kept))
			d := Changes(base, head, tracking.Params{ICMPIdleTimeout: 60})
			var merged []RevocationDoc
			for _, r := range d.Revocations {
				if r.Protocol == "all" {
					merged = append(merged, r)
				}
			}
			if c.count == 0 {
				if len(merged) != 0 || len(d.Revocations) < 2 {
					t.Fatalf("want the parts apart, got %+v", d.Revocations)
				}
				return
			}
			if len(merged) != 1 || len(d.Revocations) != c.count {
				t.Fatalf("want %d revocations, one of all traffic; got %+v", c.count, d.Revocations)
			}
			r := merged[0]
			if strings.Join(r.Parts, "|") != strings.Join(c.parts, "|") {
				t.Errorf("parts = %q, want %q", r.Parts, c.parts)
			}
			if strings.Join(r.Except, "|") != strings.Join(c.except, "|") {
				t.Errorf("except = %q, want %q", r.Except, c.except)
			}
			if len(c.except) > 0 && !strings.Contains(r.What, "except "+c.except[0]) {
				t.Errorf("what = %q, does not name the holes", r.What)
			}
			if len(c.except) > 0 && strings.Contains(r.Remediation, "aws_network_acl_rule") {
				t.Errorf("an exact deny of all traffic would cut what the change keeps: %s", r.Remediation)
			}
		})
	}
}

// TestNarrowedRuleIsOneFinding: narrowing a rule resource (to fewer ports,
// or from all protocols to one) is one revocation listing its parts, said
// to narrow the rule, not to remove it.
func TestNarrowedRuleIsOneFinding(t *testing.T) {
	src := func(proto string, from, to int) string {
		return appGroup + `
resource "aws_vpc_security_group_ingress_rule" "r" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "` + proto + `"
  from_port         = ` + strconv.Itoa(from) + `
  to_port           = ` + strconv.Itoa(to) + `
  cidr_ipv4         = "10.0.0.0/8"
}
`
	}
	for _, c := range []struct {
		name       string
		base, head string
		parts      []string
	}{
		{"fewer ports", src("tcp", 0, 65535), src("tcp", 443, 443), []string{"tcp ports 0-442", "tcp ports 444-65535"}},
		{"all protocols to tcp", src("-1", -1, -1), src("tcp", 0, 65535),
			[]string{"udp all ports", "icmp all types", "all protocols other than TCP, UDP and ICMP"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := Changes(loadSource([]byte(c.base)), loadSource([]byte(c.head)), tracking.Params{ICMPIdleTimeout: 60})
			if len(d.Revocations) != 1 {
				t.Fatalf("want one revocation, got %+v", d.Revocations)
			}
			r := d.Revocations[0]
			if r.Kind != "narrowed" || strings.Join(r.Parts, "|") != strings.Join(c.parts, "|") {
				t.Errorf("kind %q, parts %q; want narrowed, %q", r.Kind, r.Parts, c.parts)
			}
		})
	}
}
