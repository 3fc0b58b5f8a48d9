package loader

import (
	"context"
	"encoding/json"
	"flag"
	"github.com/sgcheck/sgcheck/internal/coverage"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus.golden.json")

const corpus = "../../shared/corpus"

type corpusCounts struct {
	Groups      int      `json:"groups"`
	Rules       int      `json:"rules"`
	Attachments int      `json:"attachments"`
	NACLs       int      `json:"nacls"`
	NACLEntries int      `json:"nacl_entries"`
	Unknowns    int      `json:"unknowns"`
	Errors      []string `json:"errors"`
	Warnings    []string `json:"warnings"`
}

// TestCorpus loads every source of the shared real-world corpus and checks,
// per source, what was found against a golden file. Every error and every
// value left unknown is listed by file and line, so a silent drop shows as
// a changed count. A fresh clone has no ../shared: the test then skips.
func TestCorpus(t *testing.T) {
	sources, err := filepath.Glob(filepath.Join(corpus, "*"))
	if err != nil || len(sources) == 0 {
		t.Skipf("no corpus at %s (it lives beside the repository, not in it)", corpus)
	}
	got := map[string]corpusCounts{}
	for _, src := range sources {
		if info, err := os.Stat(src); err != nil || !info.IsDir() {
			continue
		}
		snap, diags := Load(context.Background(), []string{src}, Options{})
		c := corpusCounts{Groups: len(snap.Groups), Rules: len(snap.Rules), Attachments: len(snap.Attachments),
			NACLs: len(snap.NACLs), Unknowns: snap.Unknowns, Errors: []string{}, Warnings: []string{}}
		for _, n := range snap.NACLs {
			c.NACLEntries += len(n.Entries)
		}
		for _, d := range diags {
			s := strings.TrimPrefix(d.String(), corpus+"/")
			if d.Warning {
				c.Warnings = append(c.Warnings, s)
			} else {
				c.Errors = append(c.Errors, s)
			}
		}
		got[filepath.Base(src)] = c
	}
	raw, _ := json.MarshalIndent(got, "", "  ")
	raw = append(raw, '\n')
	path := filepath.Join("testdata", "corpus.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(raw) {
		t.Errorf("corpus results differ from %s (go test ./loader -update to accept):\n%s", path, raw)
	}
	// The one documented error: the published describe-security-groups
	// example has a trailing comma at line 51.
	aws := got["aws__aws-cli"]
	if len(aws.Errors) != 1 || !strings.Contains(aws.Errors[0], "describe-security-groups.vpc.json:51:") {
		t.Errorf("aws-cli errors %v, want exactly the trailing comma at line 51", aws.Errors)
	}
	for name, c := range got {
		if name != "aws__aws-cli" && len(c.Errors) > 0 {
			t.Errorf("%s: errors %v", name, c.Errors)
		}
	}
}

// The VPC module's examples/network-acls, with an instance placed in one of
// its public subnets: every NACL entry the example declares is loaded, and
// the instance's subnet resolves to the public NACL.
func TestCorpusVPCNetworkACLs(t *testing.T) {
	vpc := filepath.Join(corpus, "terraform-aws-modules__terraform-aws-vpc")
	if _, err := os.Stat(vpc); err != nil {
		t.Skipf("no corpus at %s", vpc)
	}
	tmp := t.TempDir()
	example := filepath.Join(tmp, "examples", "network-acls")
	if err := os.MkdirAll(example, 0o755); err != nil {
		t.Fatal(err)
	}
	copyTF := func(from, to string) {
		files, _ := filepath.Glob(filepath.Join(from, "*.tf"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	copyTF(vpc, tmp)
	copyTF(filepath.Join(vpc, "examples", "network-acls"), example)
	instance := `resource "aws_instance" "web" {
  ami                    = "ami-0123456789abcdef0"
  subnet_id              = module.vpc.public_subnets[0]
  vpc_security_group_ids = [aws_security_group.web.id]
}
resource "aws_security_group" "web" {
  vpc_id = module.vpc.vpc_id
}
`
	if err := os.WriteFile(filepath.Join(example, "instance.tf"), []byte(instance), 0o644); err != nil {
		t.Fatal(err)
	}
	snap, diags := Load(context.Background(), []string{example}, Options{})
	for _, d := range diags {
		if !d.Warning {
			t.Errorf("error: %s", d)
		}
	}
	entries := map[string]int{}
	for _, n := range snap.NACLs {
		if len(n.Unknown) > 0 {
			t.Errorf("%s: entries not determined: %v", n.Address, n.Unknown)
		}
		entries[n.Address] = len(n.Entries)
	}
	// public: default_inbound (1) + public_inbound (5), default_outbound (1)
	// + public_outbound (6); elasticache: ingress allow-all (1) +
	// default_outbound (1) + elasticache_outbound (4); the managed default
	// NACL: two ingress and two egress entries.
	want := map[string]int{"module.vpc.aws_network_acl.public[0?]": 13, "module.vpc.aws_network_acl.elasticache[0?]": 6,
		"module.vpc.aws_default_network_acl.this[0]": 4}
	for name, n := range want {
		if entries[name] != n {
			t.Errorf("%s: %d entries, want %d (all: %v)", name, entries[name], n, entries)
		}
	}
	for _, a := range snap.Attachments {
		if a.Name != "aws_instance.web" {
			continue
		}
		n, why := snap.NACLFor(a.Subnet)
		if n == nil || n.Address != "module.vpc.aws_network_acl.public[0?]" {
			t.Errorf("instance in %s: NACL %v (%s), want the public NACL", a.Subnet, n, why)
		}
		return
	}
	t.Errorf("aws_instance.web not loaded")
}

// Every security group and NACL rule block of the corpus is accounted for:
// a rule or entry explain lists, a block that creates nothing (with why), or
// a diagnostic in its resource. None is dropped in silence.
func TestCorpusEveryRuleBlockAccountedFor(t *testing.T) {
	sources, _ := filepath.Glob(filepath.Join(corpus, "*"))
	if len(sources) == 0 {
		t.Skipf("no corpus at %s", corpus)
	}
	total := 0
	for _, src := range sources {
		if info, err := os.Stat(src); err != nil || !info.IsDir() {
			continue
		}
		snap, diags := Load(context.Background(), []string{src}, Options{})
		blocks, err := coverage.RuleBlocks(src)
		if err != nil {
			t.Fatal(err)
		}
		total += len(blocks)
		unmatched, err := coverage.Unmatched(src, snap, diags)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range unmatched {
			t.Errorf("not accounted for: %s", b)
		}
	}
	if total < 50 {
		t.Errorf("only %d rule blocks found in the corpus", total)
	}
}
