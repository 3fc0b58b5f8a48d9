package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// corpusFindings are the findings per check on each source of the shared
// corpus of real repositories (../shared/corpus, beside this one), with why.
// Across all of them: no group mixes inline rules and rule resources
// (SGC208); every group is referenced by a resource, a module argument or
// an output that hands it to callers (SGC209); no default security group
// has rules (SGC205); SGC201 and SGC202 find no world-open group; the
// change checks (SGC001, SGC002) need a base; SGC003-SGC005 and SGC101-
// SGC102 find no open ICMP, no automatically tracked open rule, no
// cross-group dependence and no NACL blocking responses or shadowed entry;
// SGC206 and SGC207 are off by default.
var corpusFindings = map[string]map[string]int{
	// AWS CLI examples: the NACLs are AWS's allow-all defaults (not reported,
	// SGC104) and no group admits an administration or database port from
	// addresses on its own port.
	"aws__aws-cli": {},
	// Instances whose groups come from modules not downloaded: nothing is
	// determined enough to report.
	"cloudposse__terraform-aws-ec2-instance":           {},
	"terraform-aws-modules__terraform-aws-autoscaling": {},
	// Groups admit from other groups or the VPC's ranges on service ports;
	// no world exposure, no single admin port from addresses.
	"terraform-aws-modules__terraform-aws-ecs":             {},
	"terraform-aws-modules__terraform-aws-elasticache":     {},
	"terraform-aws-modules__terraform-aws-rds-aurora":      {},
	"terraform-aws-modules__terraform-aws-transit-gateway": {},
	// The module's examples: MySQL from 0.0.0.0/0 twice and PostgreSQL from
	// 0.0.0.0/0 (SGC203); 8080-8090 from the world (SGC204); SSH from
	// 10.10.0.0/16 and 2001:db8::/64 (one rule, one finding) and PostgreSQL
	// from two /32s, tracked with the 5-day default (SGC006: 3).
	"terraform-aws-modules__terraform-aws-security-group": {"SGC006": 3, "SGC203": 3, "SGC204": 1},
	// The network-acls example allows SSH (120) and RDP (130) from the world
	// on the public and outpost NACLs (SGC103: 4); its elasticache NACL
	// filters egress but allows all traffic in (SGC104); the complete example
	// admits PostgreSQL from 10.0.0.0/16 to an RDS group (SGC006). The
	// module's default allow-all NACLs are not reported.
	"terraform-aws-modules__terraform-aws-vpc": {"SGC006": 1, "SGC103": 4, "SGC104": 1},
}

// TestCorpusFindings: the count of findings per check on every corpus
// source is as explained above. A fresh clone without ../shared skips.
func TestCorpusFindings(t *testing.T) {
	const corpus = "../shared/corpus"
	sources, _ := filepath.Glob(filepath.Join(corpus, "*"))
	if len(sources) == 0 {
		t.Skipf("no corpus at %s", corpus)
	}
	seen := 0
	for _, src := range sources {
		if st, err := os.Stat(src); err != nil || !st.IsDir() {
			continue
		}
		name := filepath.Base(src)
		want, ok := corpusFindings[name]
		if !ok {
			t.Errorf("%s: no expected counts: add them, with why", name)
			continue
		}
		seen++
		out, stderr, code := sgcheck(t, "--format", "json", "--fail-on", "none", src)
		var doc struct {
			Findings []struct{ ID string } `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%s: exit %d, %v\n%s", name, code, err, stderr)
		}
		got := map[string]int{}
		for _, f := range doc.Findings {
			got[f.ID]++
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: findings per check %v, want %v", name, got, want)
		}
	}
	if seen != len(corpusFindings) {
		t.Errorf("%d corpus sources found, %d expected", seen, len(corpusFindings))
	}
}
