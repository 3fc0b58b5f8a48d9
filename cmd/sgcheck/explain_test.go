package main

import (
	"encoding/json"
	"testing"
)

type explainDoc struct {
	Attachments []struct {
		Name    string
		Assumed bool
		Groups  []string
		Rules   []struct {
			Rule, Protocol, Peer, Family, Reason string
			Tracked                              *bool
			ReverseRule                          string `json:"reverse_rule"`
			TimeoutSeconds                       *int   `json:"timeout_seconds"`
		}
	}
}

func explainJSON(t *testing.T, dir string) explainDoc {
	t.Helper()
	out, stderr, code := sgcheck(t, "explain", "--format", "json", dir)
	if code != exitClean {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var d explainDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

type verdict struct {
	tracked bool
	reverse string
	timeout int
}

func checkExplain(t *testing.T, d explainDoc, attachment string, want map[string]verdict) {
	t.Helper()
	for _, a := range d.Attachments {
		if a.Name != attachment {
			continue
		}
		for _, r := range a.Rules {
			w, ok := want[r.Rule+" "+r.Peer]
			if !ok {
				continue
			}
			delete(want, r.Rule+" "+r.Peer)
			if r.Tracked == nil || *r.Tracked != w.tracked || r.ReverseRule != w.reverse {
				t.Errorf("%s %s: tracked=%v reverse=%q (%s), want tracked=%v reverse=%q", r.Rule, r.Peer, r.Tracked, r.ReverseRule, r.Reason, w.tracked, w.reverse)
			}
			got := 0
			if r.TimeoutSeconds != nil {
				got = *r.TimeoutSeconds
			}
			if got != w.timeout {
				t.Errorf("%s: timeout %d, want %d", r.Rule, got, w.timeout)
			}
		}
	}
	for k := range want {
		t.Errorf("%s: no such rule on %s", k, attachment)
	}
}

// docs/aws-semantics.md §2.4 (S1's worked example) and §2.5: SSH from one /32
// tracked; HTTP from 0.0.0.0/0 and ::/0 untracked thanks to the open egress
// of each family; ICMP tracked.
func TestExplainAWSExample(t *testing.T) {
	checkExplain(t, explainJSON(t, "fixtures/aws-example"), "aws_instance.example", map[string]verdict{
		"aws_security_group.example.ingress[0] 203.0.113.1/32": {true, "", 432000},
		"aws_security_group.example.ingress[1] 0.0.0.0/0":      {false, "aws_security_group.example.egress[0]", 0},
		"aws_security_group.example.ingress[2] ::/0":           {false, "aws_security_group.example.egress[1]", 0},
		"aws_security_group.example.ingress[3] 0.0.0.0/0":      {true, "", 60},
	})
}

// docs/aws-semantics.md §2.4: without the outbound IPv4 rule, all IPv4
// traffic is tracked, HTTP included; IPv6 HTTP stays untracked.
func TestExplainAWSExampleWithoutIPv4Egress(t *testing.T) {
	checkExplain(t, explainJSON(t, "fixtures/aws-example-no-ipv4-egress"), "aws_instance.example", map[string]verdict{
		"aws_security_group.example.ingress[1] 0.0.0.0/0": {true, "", 432000},
		"aws_security_group.example.ingress[2] ::/0":      {false, "aws_security_group.example.egress[0]", 0},
	})
}

// docs/aws-semantics.md §2.1 and §6: on one interface, the open egress of
// one group makes the open HTTP of the other untracked; analysed alone, the
// HTTP group's flows would be tracked.
func TestExplainTwoGroups(t *testing.T) {
	d := explainJSON(t, "fixtures/two-groups")
	checkExplain(t, d, "aws_network_interface.both", map[string]verdict{
		"aws_vpc_security_group_ingress_rule.http 0.0.0.0/0": {false, "aws_security_group_rule.egress_all", 0},
	})
	for _, a := range d.Attachments {
		if a.Assumed {
			t.Errorf("%s analysed alone although attached", a.Name)
		}
	}
}
