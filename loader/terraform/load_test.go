package terraform

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/sgcheck/sgcheck/model"
)

func loadSrc(t *testing.T, files map[string]string) (*model.Snapshot, []model.Diagnostic) {
	t.Helper()
	return Load(context.Background(), []string{writeFiles(t, files)}, Options{})
}

// writeFiles writes files (by path) into a new temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func rulesByName(s *model.Snapshot) map[string][]model.Rule {
	out := map[string][]model.Rule{}
	for _, r := range s.Rules {
		out[r.Name] = append(out[r.Name], r)
	}
	return out
}

func TestExpressions(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
variable "admin_cidrs" { default = ["203.0.113.7/32", "2001:db8::/64"] }
variable "ports" { default = [80, 443] }
variable "unset" {}
locals {
  ssh = 22
  office = var.admin_cidrs[0]
}
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = local.ssh
    to_port     = local.ssh
    protocol    = "6"
    cidr_blocks = [local.office, "10.0.0.0/8"]
  }
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id, "sg-0123456789abcdef0"]
    self            = true
  }
  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "all"
    cidr_blocks = var.unset
  }
  egress {
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    ipv6_cidr_blocks = ["::/0"]
  }
}
resource "aws_security_group" "app" { name = "app" }
resource "aws_instance" "web" { vpc_security_group_ids = [aws_security_group.web.id] }
`})
	for _, d := range diags {
		if !d.Warning {
			t.Errorf("diagnostic: %s", d)
		}
	}
	rules := rulesByName(snap)
	ssh := rules["aws_security_group.web.ingress[0]"]
	if len(ssh) != 2 || ssh[0].FromPort != 22 || ssh[0].Protocol != model.TCP ||
		ssh[0].Peer.String() != "203.0.113.7/32" || ssh[1].Peer.String() != "10.0.0.0/8" {
		t.Errorf("ingress[0]: %+v", ssh)
	}
	if r := rules["aws_security_group.web.ingress[2]"]; len(r) != 1 || r[0].FromPort != 443 || !r[0].Peer.IsOpen() {
		t.Errorf("dynamic ingress[2]: %+v", r)
	}
	refs := rules["aws_security_group.web.ingress[3]"]
	if len(refs) != 3 || refs[0].Peer.Ref != "aws_security_group.app" || refs[1].Peer.Ref != "sg-0123456789abcdef0" ||
		refs[2].Peer.Kind != model.PeerSelf {
		t.Errorf("group references: %+v", refs)
	}
	unk := rules["aws_security_group.web.ingress[4]"]
	if len(unk) != 1 || unk[0].Peer.Kind != model.PeerUnknown || !strings.Contains(unk[0].Peer.Ref, "var.unset") {
		t.Errorf("unset variable: %+v", unk)
	}
	if snap.Unknowns == 0 {
		t.Error("unknowns not counted")
	}
	if len(snap.Attachments) != 1 || snap.Attachments[0].Groups[0] != "aws_security_group.web" {
		t.Errorf("attachments: %+v", snap.Attachments)
	}
	if r := rules["aws_security_group.web.egress[0]"]; len(r) != 1 || r[0].Protocol != model.All || r[0].ToPort != 65535 {
		t.Errorf("egress: %+v", r)
	}
	src := ssh[0].Source
	if src.StartLine != 11 || src.EndLine != 16 {
		t.Errorf("source %v, want lines 11-16", src)
	}
}

func TestProtocolSpellings(t *testing.T) {
	for spelling, want := range map[string]model.Protocol{"-1": model.All, "all": model.All, "tcp": model.TCP,
		"udp": model.UDP, "icmp": model.ICMP, "icmpv6": model.ICMPv6, "58": model.ICMPv6, "6": model.TCP, "47": 47} {
		snap, diags := loadSrc(t, map[string]string{"main.tf": `
resource "aws_vpc_security_group_ingress_rule" "r" {
  security_group_id = "sg-1"
  ip_protocol = "` + spelling + `"
  from_port = 1
  to_port = 2
  cidr_ipv4 = "0.0.0.0/0"
}`})
		if len(diags) > 0 || len(snap.Rules) != 1 || snap.Rules[0].Protocol != want {
			t.Errorf("%q: %+v %v", spelling, snap.Rules, diags)
		}
	}
}

func TestCountForEachAndStandaloneRules(t *testing.T) {
	snap, _ := loadSrc(t, map[string]string{"main.tf": `
resource "aws_security_group" "g" {
  count = 2
  name  = "g${count.index}"
}
resource "aws_security_group_rule" "ssh" {
  for_each          = toset(["10.0.0.0/8", "192.168.0.0/16"])
  type              = "ingress"
  security_group_id = aws_security_group.g[1].id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = [each.value]
}
resource "aws_network_interface" "eni" {
  security_groups = aws_security_group.g[*].id
}
`})
	if len(snap.Groups) != 2 || snap.Groups[1].Address != "aws_security_group.g[1]" {
		t.Fatalf("groups: %+v", snap.Groups)
	}
	rules := rulesByName(snap)
	r := rules[`aws_security_group_rule.ssh["10.0.0.0/8"]`]
	if len(r) != 1 || r[0].Group != "aws_security_group.g[1]" {
		t.Errorf("for_each rule: %+v", snap.Rules)
	}
	if len(snap.Attachments) != 1 || len(snap.Attachments[0].Groups) != 2 {
		t.Errorf("splat: %+v", snap.Attachments)
	}
}

func TestSyntaxErrorKeepsOtherFiles(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"good.tf": `resource "aws_security_group" "ok" { name = "ok" }`,
		"bad.tf":  "resource \"aws_security_group\" \"bad\" {\n  name = \n}\n",
	})
	if len(snap.Groups) != 1 {
		t.Errorf("good file lost: %+v", snap.Groups)
	}
	if len(diags) == 0 || !strings.HasSuffix(diags[0].File, "bad.tf") || diags[0].Line != 2 {
		t.Errorf("diagnostics: %v", diags)
	}
}

func TestSkipsHiddenAndTerraformDirs(t *testing.T) {
	snap, _ := loadSrc(t, map[string]string{
		"main.tf":                      `resource "aws_security_group" "a" {}`,
		".terraform/modules/x/main.tf": `resource "aws_security_group" "b" {}`,
		".hidden/main.tf":              `resource "aws_security_group" "c" {}`,
		"sub/main.tf":                  `resource "aws_security_group" "d" {}`,
	})
	var got []string
	for _, g := range snap.Groups {
		got = append(got, g.Address)
	}
	if strings.Join(got, ",") != "aws_security_group.a,sub:aws_security_group.d" {
		t.Errorf("groups %v", got)
	}
}

// NACL entries built from a list of maps with lookup(m, "k", null), as the
// terraform-aws-modules VPC module writes them, and typed variables.
func TestNACLFromListOfMaps(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
variable "rules" {
  type = list(map(string))
  default = [
    { rule_no = 100, action = "allow", from_port = 22, to_port = 22, protocol = "tcp", cidr_block = "10.0.0.0/8" },
    { rule_no = 101, action = "deny", from_port = 0, to_port = 0, protocol = "-1", ipv6_cidr_block = "::/0" },
  ]
}
resource "aws_subnet" "a" { cidr_block = "10.0.1.0/24" }
resource "aws_network_acl" "main" {
  subnet_ids = [aws_subnet.a.id]
  dynamic "ingress" {
    for_each = var.rules
    content {
      rule_no         = ingress.value.rule_no
      action          = ingress.value.action
      protocol        = ingress.value.protocol
      from_port       = ingress.value.from_port
      to_port         = ingress.value.to_port
      cidr_block      = lookup(ingress.value, "cidr_block", null)
      ipv6_cidr_block = lookup(ingress.value, "ipv6_cidr_block", null)
    }
  }
}
resource "aws_network_acl_rule" "out" {
  network_acl_id = aws_network_acl.main.id
  rule_number    = 100
  egress         = true
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
}
`})
	if len(diags) > 0 || len(snap.NACLs) != 1 {
		t.Fatalf("%v %+v", diags, snap.NACLs)
	}
	n := snap.NACLs[0]
	if len(n.Entries) != 3 || n.Entries[0].Number != 100 || n.Entries[1].CIDR.String() != "::/0" ||
		n.Entries[1].Action != model.Deny || !n.Entries[2].Egress || n.Subnets[0] != "aws_subnet.a" {
		t.Errorf("entries %+v subnets %v", n.Entries, n.Subnets)
	}
}

func TestModulesAndVariables(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"root/main.tf": `
variable "office" {}
module "web" {
  source = "../modules/sg"
  name   = "web"
  cidrs  = [var.office]
}
module "many" {
  source   = "../modules/sg"
  for_each = toset(["a", "b"])
  name     = each.key
  cidrs    = ["10.0.0.0/8"]
}
resource "aws_instance" "web" { vpc_security_group_ids = [module.web.id] }
`,
		"root/terraform.tfvars": `office = "192.0.2.0/24"`,
		"root/x.auto.tfvars":    `office = "198.51.100.0/24"`,
		"modules/sg/main.tf": `
variable "name" { type = string }
variable "cidrs" { type = list(string) }
resource "aws_security_group" "this" {
  name = var.name
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = var.cidrs
  }
}
output "id" { value = aws_security_group.this.id }
`,
	})
	for _, d := range diags {
		t.Errorf("diagnostic %s", d)
	}
	rules := rulesByName(snap)
	web := rules["root:module.web.aws_security_group.this.ingress[0]"]
	if len(web) != 1 || web[0].Peer.String() != "198.51.100.0/24" {
		t.Errorf("module rule (auto.tfvars wins over terraform.tfvars): %+v\n%v", web, rules)
	}
	if len(rules[`root:module.many["b"].aws_security_group.this.ingress[0]`]) != 1 {
		t.Errorf("for_each module instances: %v", rules)
	}
	if len(snap.Attachments) != 1 || snap.Attachments[0].Groups[0] != "root:module.web.aws_security_group.this" {
		t.Errorf("module output reference: %+v", snap.Attachments)
	}
}

func TestVariablePrecedence(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.tf", `
variable "cidr" { default = "10.0.0.0/8" }
resource "aws_security_group" "g" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [var.cidr]
  }
}`)
	peer := func(opts Options) string {
		snap, _ := Load(context.Background(), []string{dir}, opts)
		return snap.Rules[0].Peer.String()
	}
	env := []string{"TF_VAR_cidr=172.16.0.0/12"}
	if got := peer(Options{Env: []string{}}); got != "10.0.0.0/8" {
		t.Errorf("default: %s", got)
	}
	if got := peer(Options{Env: env}); got != "172.16.0.0/12" {
		t.Errorf("TF_VAR_: %s", got)
	}
	write("terraform.tfvars", `cidr = "192.168.0.0/16"`)
	if got := peer(Options{Env: env}); got != "192.168.0.0/16" {
		t.Errorf("terraform.tfvars over TF_VAR_: %s", got)
	}
	extra := filepath.Join(t.TempDir(), "extra.tfvars")
	if err := os.WriteFile(extra, []byte(`cidr = "198.18.0.0/15"`), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := peer(Options{Env: env, VarArgs: []VarArg{{Name: "cidr", Value: "203.0.113.0/24"}, {File: extra}}}); got != "198.18.0.0/15" {
		t.Errorf("the later of --var and --var-file wins: %s", got)
	}
	if got := peer(Options{Env: env, VarArgs: []VarArg{{File: extra}, {Name: "cidr", Value: "203.0.113.0/24"}}}); got != "203.0.113.0/24" {
		t.Errorf("the later of --var-file and --var wins: %s", got)
	}
}

func TestUnresolvedModuleIsReported(t *testing.T) {
	_, diags := loadSrc(t, map[string]string{"main.tf": `
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"
}`})
	if len(diags) != 1 || !diags[0].Warning || !strings.Contains(diags[0].Message, "terraform init") {
		t.Errorf("diagnostics %v", diags)
	}
}

func TestJSONSyntax(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf.json": `{
  "variable": {"cidr": {"default": "192.0.2.0/24"}},
  "resource": {"aws_security_group": {"j": {
    "name": "j",
    "ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["${var.cidr}"]}]
  }}}
}`})
	if len(diags) > 0 || len(snap.Rules) != 1 || snap.Rules[0].Peer.String() != "192.0.2.0/24" || snap.Rules[0].Source.StartLine != 5 {
		t.Errorf("%v %+v", diags, snap.Rules)
	}
}

// Registry and git modules are read where terraform init left them, as
// recorded in .terraform/modules/modules.json.
func TestDownloadedModule(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"main.tf": `
module "sg" {
  source  = "terraform-aws-modules/security-group/aws"
  version = "5.0.0"
  port    = 3389
}`,
		".terraform/modules/modules.json": `{"Modules":[{"Key":"","Source":"","Dir":"."},
  {"Key":"sg","Source":"registry.terraform.io/terraform-aws-modules/security-group/aws","Version":"5.0.0","Dir":".terraform/modules/sg"}]}`,
		".terraform/modules/sg/main.tf": `
variable "port" {}
resource "aws_security_group" "this" {
  ingress {
    protocol    = "tcp"
    from_port   = var.port
    to_port     = var.port
    cidr_blocks = ["10.0.0.0/8"]
  }
}
module "inner" {
  source = "./modules/inner"
}`,
		".terraform/modules/sg/modules/inner/main.tf": `
resource "aws_security_group" "inner" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["10.0.0.0/8"]
  }
}`,
	})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	rules := rulesByName(snap)
	if r := rules["module.sg.aws_security_group.this.ingress[0]"]; len(r) != 1 || r[0].FromPort != 3389 {
		t.Errorf("rules %+v", snap.Rules)
	}
	// A call inside a downloaded module is not the user's to change: both
	// rules are located at the root's call.
	for name, rs := range rules {
		if len(rs) != 1 || filepath.Base(rs[0].CallSite.File) != "main.tf" || strings.Contains(rs[0].CallSite.File, ".terraform") || rs[0].CallSite.StartLine != 2 || len(rs[0].Callers) != 0 {
			t.Errorf("%s: call site %+v, callers %+v", name, rs[0].CallSite, rs[0].Callers)
		}
	}
}

// docs/aws-semantics.md §8: the Cloud Control provider's interface declares
// connection-tracking timeouts too.
func TestAwsccInterfaceTimeouts(t *testing.T) {
	snap, _ := loadSrc(t, map[string]string{"main.tf": `
resource "aws_security_group" "g" {}
resource "awscc_ec2_network_interface" "eni" {
  subnet_id = "subnet-1"
  group_set = [aws_security_group.g.id]
  connection_tracking_specification = {
    tcp_established_timeout = 120
    udp_stream_timeout      = 60
    udp_timeout             = 30
  }
}`})
	if len(snap.Attachments) != 1 {
		t.Fatalf("%+v", snap.Attachments)
	}
	tr := snap.Attachments[0].Tracking
	if tr.TCPEstablished == nil || *tr.TCPEstablished != 120 || *tr.UDPStream != 60 || *tr.UDP != 30 ||
		snap.Attachments[0].Groups[0] != "aws_security_group.g" {
		t.Errorf("%+v", snap.Attachments[0])
	}
}

// docs/aws-semantics.md §8: aws_network_interface_sg_attachment adds a group
// to an interface declared elsewhere in the module.
func TestInterfaceGroupAttachment(t *testing.T) {
	snap, _ := loadSrc(t, map[string]string{"main.tf": `
resource "aws_security_group" "a" {}
resource "aws_security_group" "b" {}
resource "aws_network_interface" "eni" {
  subnet_id       = "subnet-1"
  security_groups = [aws_security_group.a.id]
}
resource "aws_network_interface_sg_attachment" "b" {
  security_group_id    = aws_security_group.b.id
  network_interface_id = aws_network_interface.eni.id
}`})
	if len(snap.Attachments) != 1 || strings.Join(snap.Attachments[0].Groups, ",") != "aws_security_group.a,aws_security_group.b" {
		t.Errorf("%+v", snap.Attachments)
	}
}

// docs/aws-semantics.md §6: the groups attached to one interface act
// together. An interface the configuration does not declare (an existing
// instance's, read by a data source, or a variable) is named after the
// reference: the groups attached to the same reference form one attachment,
// whose groups attached elsewhere are not known; a reference that differs
// per instance (each.value) is not grouped.
func TestGroupsAttachedToAnUndeclaredInterface(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
variable "enis" { type = set(string) }
data "aws_instance" "pkg" {}
resource "aws_security_group" "ssh" {}
resource "aws_security_group" "http" {}
resource "aws_security_group" "each" {}
resource "aws_network_interface_sg_attachment" "ssh" {
  security_group_id    = aws_security_group.ssh.id
  network_interface_id = data.aws_instance.pkg.network_interface_id
}
resource "aws_network_interface_sg_attachment" "http" {
  security_group_id    = aws_security_group.http.id
  network_interface_id = data.aws_instance.pkg.network_interface_id
}
resource "aws_network_interface_sg_attachment" "each" {
  for_each             = var.enis
  security_group_id    = aws_security_group.each.id
  network_interface_id = each.value
}`})
	var atts []string
	for _, a := range snap.Attachments {
		atts = append(atts, fmt.Sprintf("%s %s %v %d", a.Name, a.Kind, a.Groups, len(a.GroupsUnknown)))
	}
	want := []string{"data.aws_instance.pkg.network_interface_id aws_network_interface [aws_security_group.ssh aws_security_group.http] 1"}
	if fmt.Sprint(atts) != fmt.Sprint(want) {
		t.Errorf("attachments %q, want %q", atts, want)
	}
	var warned []string
	for _, d := range diags {
		if !d.Warning {
			t.Errorf("input error: %v", d)
		}
		warned = append(warned, d.Message)
	}
	all := strings.Join(warned, "\n")
	if !strings.Contains(all, "aws_network_interface_sg_attachment.ssh, aws_network_interface_sg_attachment.http: ") ||
		!strings.Contains(all, "aws_network_interface_sg_attachment.each[?]: network_interface_id depends on each.value") {
		t.Errorf("warnings %q, want one for the interface and one for the for_each attachment", warned)
	}
	for _, g := range snap.Groups {
		if g.Address != "aws_security_group.each" && !snap.GroupAttached(g) {
			t.Errorf("%s is not attached", g.Address)
		}
	}
}

// Managed services carry groups too; Lambda functions and interface VPC
// endpoints are automatically tracked (docs/aws-semantics.md §3).
func TestServiceAttachments(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
resource "aws_security_group" "g" {}
resource "aws_db_instance" "db" { vpc_security_group_ids = [aws_security_group.g.id] }
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  vpc_config {
    subnet_ids         = ["subnet-1"]
    security_group_ids = [aws_security_group.g.id]
  }
}
resource "aws_vpc_endpoint" "s3" {
  vpc_id             = "vpc-1"
  service_name       = "com.amazonaws.eu-west-1.s3"
  vpc_endpoint_type  = "Interface"
  security_group_ids = [aws_security_group.g.id]
}
resource "aws_ecs_service" "svc" {
  name = "svc"
  network_configuration {
    subnets         = ["subnet-1"]
    security_groups = [aws_security_group.g.id]
  }
}`})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	got := map[string]string{}
	for _, a := range snap.Attachments {
		if len(a.Groups) != 1 || a.Groups[0] != "aws_security_group.g" {
			t.Errorf("%s groups %v", a.Name, a.Groups)
		}
		got[a.Name] = a.AutoTracked
	}
	want := map[string]string{"aws_db_instance.db": "", "aws_lambda_function.fn": "lambda",
		"aws_vpc_endpoint.s3": "vpc-endpoint", "aws_ecs_service.svc": ""}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: auto-tracked %q (present %v), want %q", k, g, ok, v)
		}
	}
}

// More services whose interfaces carry security groups, each where its
// resource lists them: the groups act together on them (§6), and what the
// remedy can offer depends on the kind. EKS also attaches the cluster
// group it creates, which the configuration does not hold.
func TestMoreServiceAttachments(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
resource "aws_security_group" "a" {}
resource "aws_security_group" "b" {}
resource "aws_elasticache_replication_group" "redis" {
  replication_group_id = "redis"
  description          = "cache"
  security_group_ids   = [aws_security_group.a.id, aws_security_group.b.id]
}
resource "aws_elb" "classic" { security_groups = [aws_security_group.a.id] }
resource "aws_launch_configuration" "old" {
  image_id        = "ami-1"
  instance_type   = "m5.large"
  security_groups = [aws_security_group.b.id]
}
resource "aws_opensearch_domain" "search" {
  vpc_options { security_group_ids = [aws_security_group.a.id] }
}
resource "aws_msk_cluster" "kafka" {
  broker_node_group_info { security_groups = [aws_security_group.b.id] }
}
resource "aws_eks_cluster" "k8s" {
  vpc_config { security_group_ids = [aws_security_group.a.id] }
}`})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	got := map[string]string{}
	for _, a := range snap.Attachments {
		got[a.Name] = fmt.Sprintf("%s %v %s %d", a.Kind, a.Groups, a.InstanceType, len(a.GroupsUnknown))
	}
	want := map[string]string{
		"aws_elasticache_replication_group.redis": "aws_elasticache_replication_group [aws_security_group.a aws_security_group.b]  0",
		"aws_elb.classic":                         "aws_elb [aws_security_group.a]  0",
		"aws_launch_configuration.old":            "aws_launch_configuration [aws_security_group.b] m5.large 0",
		"aws_opensearch_domain.search":            "aws_opensearch_domain [aws_security_group.a]  0",
		"aws_msk_cluster.kafka":                   "aws_msk_cluster [aws_security_group.b]  0",
		"aws_eks_cluster.k8s":                     "aws_eks_cluster [aws_security_group.a]  1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("attachments\n got %q\nwant %q", got, want)
	}
}

// A cycle of locals is reported the same way on every run, whichever
// value needs the locals first: the module's values are evaluated in name
// order, not in the order of a Go map.
func TestLocalCycleReportIsDeterministic(t *testing.T) {
	files := map[string]string{"main.tf": `locals {
  d = local.c
  c = local.b
  b = local.a
  a = local.d
}
resource "aws_security_group" "g" {
  description = local.a
}
`}
	var first string
	for i := 0; i < 30; i++ {
		_, diags := loadSrc(t, files)
		var msgs []string
		for _, d := range diags {
			msgs = append(msgs, fmt.Sprintf("%d:%d: %s", d.Line, d.Column, d.Message))
		}
		got := strings.Join(msgs, "\n")
		if !strings.Contains(got, "refers to itself") {
			t.Fatalf("no cycle reported: %s", got)
		}
		if i == 0 {
			first = got
		} else if got != first {
			t.Fatalf("run %d reports\n%s\nrun 0\n%s", i, got, first)
		}
	}
}

// A scanned path that is a symbolic link to a directory is scanned: the
// walk enters the directory and names its files under the link.
func TestSymlinkedScanPath(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	src := `resource "aws_security_group" "g" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`
	if err := os.WriteFile(filepath.Join(real, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	snap, diags := Load(context.Background(), []string{link}, Options{})
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if len(snap.Rules) != 1 || snap.Rules[0].Source.File != DisplayPath(filepath.Join(link, "main.tf")) {
		t.Fatalf("rules %+v, want the one rule of link/main.tf", snap.Rules)
	}
}

// TestBlockSourceLines checks the lines reported for blocks read as written,
// blocks of a body that dynamic expansion wraps (found again in the syntax
// tree), dynamic blocks (their whole block), module calls and JSON files
// (the range the JSON parser gives).
func TestBlockSourceLines(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
resource "aws_security_group" "plain" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_security_group" "wrapped" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["10.0.0.0/8"]
  }
  dynamic "ingress" {
    for_each = [80, 443]
    content {
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
  egress {
    protocol = "-1"
    from_port = 0
    to_port = 0
    cidr_blocks = ["0.0.0.0/0"]
    }
}
`, "rules.tf.json": `{"resource": {"aws_security_group": {"json": {
  "ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"],
    "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""}]
}}}}
`})
	for _, d := range diags {
		if !d.Warning {
			t.Errorf("diagnostic: %s", d)
		}
	}
	want := map[string][2]int{
		"aws_security_group.plain.ingress[0]":   {3, 8},
		"aws_security_group.wrapped.ingress[0]": {12, 17},
		"aws_security_group.wrapped.ingress[1]": {18, 26},
		"aws_security_group.wrapped.ingress[2]": {18, 26},
		"aws_security_group.wrapped.egress[0]":  {27, 32},
		"aws_security_group.json.ingress[0]":    {2, 3},
	}
	got := map[string][2]int{}
	for _, r := range snap.Rules {
		got[r.Name] = [2]int{r.Source.StartLine, r.Source.EndLine}
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: lines %v, want %v", name, got[name], w)
		}
	}
	// a block that is not in the tree (or a file without one) is not found
	body := &hclsyntax.Body{}
	if b := syntaxBlock(body, 0); b != nil {
		t.Errorf("empty body: found %v", b)
	}
	if b := syntaxBlock(nil, 0); b != nil {
		t.Errorf("no body: found %v", b)
	}
}

// A problem repeated in several module instances is reported once; two
// instances of one resource (for_each keys holding "::") are different
// problems, each reported.
func TestUniqueDiagnosticsKeepsResourceInstances(t *testing.T) {
	mk := func(msg string) model.Diagnostic {
		return model.Diagnostic{File: "main.tf", Line: 9, Column: 3, Message: msg}
	}
	got := uniqueDiagnostics([]model.Diagnostic{
		mk(`aws_security_group_rule.svc["web-443-::/0"]: ::/0 is an IPv6 range in an IPv4 field`),
		mk(`aws_security_group_rule.svc["web-80-::/0"]: ::/0 is an IPv6 range in an IPv4 field`),
		mk(`a:module.m.aws_security_group.x: bad`),
		mk(`b:module.m.aws_security_group.x: bad`),
	})
	var msgs []string
	for _, d := range got {
		msgs = append(msgs, d.Message)
	}
	want := []string{
		`aws_security_group_rule.svc["web-443-::/0"]: ::/0 is an IPv6 range in an IPv4 field`,
		`aws_security_group_rule.svc["web-80-::/0"]: ::/0 is an IPv6 range in an IPv4 field`,
		`a:module.m.aws_security_group.x: bad (same in 1 other module instance)`,
	}
	wantLines(t, "diagnostics", msgs, want)
}

// A locked git-crypt file and a file that is not UTF-8 are one input error
// each (the parser would give one per character), and the other files of
// the root are still read.
func TestBinaryFilesAreOneError(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"main.tf": `variable "cidr" { default = "10.0.0.0/8" }
resource "aws_security_group" "a" {
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [var.cidr]
  }
}
`,
		"terraform.tfvars": "\x00GITCRYPT\x00" + strings.Repeat("\x8f\xfe\x01\x00binary", 200),
		"legacy.tf":        "# caf\xe9\n" + strings.Repeat("locals { x\xe9 = 1 }\n", 50),
	})
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%s:%d:%d %s", filepath.Base(d.File), d.Line, d.Column, d.Message))
	}
	sort.Strings(got)
	want := []string{
		"legacy.tf:1:6 is not UTF-8 (a binary or encrypted file?): not read; configuration files are UTF-8 text",
		"terraform.tfvars:1:1 encrypted with git-crypt: not read (run git-crypt unlock to analyse it)",
	}
	wantLines(t, "diagnostics", got, want)
	if len(snap.Rules) != 1 || snap.Rules[0].Peer.String() != "10.0.0.0/8" {
		t.Errorf("rules: %+v", snap.Rules)
	}
}

// A local that reads one data source is not in a cycle with another data
// source whose for_each reads that local: Terraform evaluates the data
// sources a reference names, not all of them (alphagov/govuk-infrastructure
// was reported "local.repositories refers to itself").
func TestDataReferenceIsNotACycle(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
data "aws_vpc" "main" {
  id = "vpc-0a1b2c3d"
}
locals {
  names  = distinct(concat(["app"], [data.aws_vpc.main.id]))
  byName = { for n in local.names : n => n }
}
data "aws_iam_policy_document" "per_name" {
  for_each = local.byName
}
resource "aws_security_group" "a" {
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["10.0.0.0/8"]
    description = join(",", local.names)
  }
}
`})
	for _, d := range diags {
		t.Errorf("diagnostic: %s", d)
	}
	if len(snap.Rules) != 1 {
		t.Errorf("%d rules, want 1", len(snap.Rules))
	}
}

// A module source that is not downloaded is one warning per root, at its
// first call, naming the root's other calls of it (the first five with
// their lines, then how many more).
func TestSameSourceOnce(t *testing.T) {
	w := func(file string, line int, addr, src string) model.Diagnostic {
		return model.Diagnostic{File: file, Line: line, Warning: true, Message: addr + ` not analysed: source "` + src +
			`" is not available locally (run terraform init so that .terraform/modules holds it)`}
	}
	got := sameSourceOnce([]model.Diagnostic{
		w("a/main.tf", 1, "a:module.one", "x/iam/aws"),
		w("a/main.tf", 9, "a:module.two", "x/iam/aws"),
		w("a/main.tf", 20, "a:module.vpc", "x/vpc/aws"),
		w("a/more.tf", 3, "a:module.three", "x/iam/aws"),
		w("b/main.tf", 1, "b:module.one", "x/iam/aws"),
		w("main.tf", 1, "module.one", "x/iam/aws"),
		w("main.tf", 5, "module.two", "x/iam/aws"),
	})
	many := []model.Diagnostic{}
	for i := 1; i <= 8; i++ {
		many = append(many, w("c/main.tf", i, fmt.Sprintf("c:module.m%d", i), "x/iam/aws"))
	}
	if m := sameSourceOnce(many); len(m) != 1 || !strings.HasSuffix(m[0].Message,
		"c:module.m2 (c/main.tf:2), c:module.m3 (c/main.tf:3), c:module.m4 (c/main.tf:4), c:module.m5 (c/main.tf:5), c:module.m6 (c/main.tf:6) and 2 more") {
		t.Errorf("eight calls: %v", m)
	}
	var msgs []string
	for _, d := range got {
		msgs = append(msgs, fmt.Sprintf("%s:%d %s", d.File, d.Line, d.Message[strings.Index(d.Message, "holds it)")+len("holds it)"):]))
	}
	want := []string{
		"a/main.tf:1 ; nor are the root's other calls of it: a:module.two (a/main.tf:9), a:module.three (a/more.tf:3)",
		"a/main.tf:20 ",
		"b/main.tf:1 ",
		"main.tf:1 ; nor are the root's other calls of it: module.two (main.tf:5)",
	}
	wantLines(t, "diagnostics", msgs, want)
}

// cond ? [] : toset(data.x.ids) with cond true is an empty for_each, as
// Terraform makes [] a set of the other result's type; a for_each of []
// alone is the tuple Terraform refuses (2i2c-org/infrastructure was
// reported "for_each must be a map or a set of strings, not tuple").
func TestForEachEmptyTupleBesideUnknown(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
variable "disable" { default = true }
data "aws_subnets" "nodes" {}
resource "aws_security_group_rule" "per_subnet" {
  for_each          = var.disable ? [] : toset(data.aws_subnets.nodes.ids)
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = 2049
  to_port           = 2049
  cidr_blocks       = ["10.0.0.0/8"]
}
resource "aws_security_group_rule" "literal" {
  for_each          = []
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["10.0.0.0/8"]
}
`})
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%d %s", d.Line, d.Message))
	}
	if len(got) != 1 || !strings.Contains(got[0], "14 ") || !strings.Contains(got[0], "not tuple") {
		t.Errorf("diagnostics: %q", got)
	}
	if len(snap.Rules) != 0 {
		t.Errorf("rules: %+v", snap.Rules)
	}
}

// A rule whose group is a resource the module does not declare (Terraform
// refuses the reference) is analysed under a symbolic group, and the
// warning says the resource is not declared, not that its value is
// undetermined.
func TestUndeclaredResourceReference(t *testing.T) {
	_, diags := loadSrc(t, map[string]string{"main.tf": `
resource "aws_security_group" "web" {}
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = aws_security_group.bar.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["10.0.0.0/8"]
}
`})
	if len(diags) != 1 || !diags[0].Warning || diags[0].Line != 3 ||
		!strings.Contains(diags[0].Message, "aws_security_group.bar.id, which names a resource not declared in this module") {
		t.Errorf("diagnostics: %v", diags)
	}
}

// A for_each whose keys are known but some of whose values are not (a map
// holding a module output sgcheck cannot read) has its instances, as
// Terraform plans them: each rule keeps what is known (its ports), and
// what is not names the for_each value's cause. The same for a module
// call's for_each, and for a group declared with one and referred to by
// key. A set with an undetermined element is not determined (Terraform
// refuses it): one conditional instance.
func TestForEachWithUndeterminedValues(t *testing.T) {
	s, diags := loadSrc(t, map[string]string{"main.tf": `
module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}
module "db" {
  source = "./db"
  rules = {
    app   = { port = 5432, cidr = "10.1.0.0/16" }
    peers = { port = 5433, cidr = module.vpc.vpc_cidr_block }
  }
}
module "per_env" {
  source   = "./env"
  for_each = { prod = module.vpc.vpc_id, test = "vpc-1" }
  vpc_id   = each.value
}
resource "aws_security_group_rule" "set" {
  for_each          = toset(["10.2.0.0/16", module.vpc.vpc_cidr_block])
  type              = "ingress"
  security_group_id = "sg-1"
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = [each.value]
}
`, "db/main.tf": `
variable "rules" {
  type = map(object({ port = number, cidr = string }))
}
resource "aws_security_group" "db" {
  for_each = var.rules
  name     = each.key
}
resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each          = var.rules
  security_group_id = aws_security_group.db[each.key].id
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr
}
`, "env/main.tf": `
variable "vpc_id" {}
resource "aws_security_group" "env" {
  vpc_id = var.vpc_id
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["10.3.0.0/16"]
  }
}
`})
	rules := rulesByName(s)
	app := rules[`module.db.aws_vpc_security_group_ingress_rule.this["app"]`]
	peers := rules[`module.db.aws_vpc_security_group_ingress_rule.this["peers"]`]
	if len(app) != 1 || app[0].FromPort != 5432 || app[0].Peer.String() != "10.1.0.0/16" || len(app[0].Unknown) != 0 ||
		app[0].Group != `module.db.aws_security_group.db["app"]` {
		t.Errorf("app: %+v", app)
	}
	if len(peers) != 1 || peers[0].FromPort != 5433 || peers[0].Group != `module.db.aws_security_group.db["peers"]` ||
		len(peers[0].Unknown) != 1 || !strings.Contains(peers[0].Unknown[0],
		"cidr_ipv4 depends on each.value.cidr, which comes from the for_each value, which depends on var.rules, which is given a value that depends on module.vpc.vpc_cidr_block") {
		t.Errorf("peers: %+v", peers)
	}
	for _, env := range []string{"prod", "test"} {
		if r := rules[fmt.Sprintf(`module.per_env[%q].aws_security_group.env.ingress[0]`, env)]; len(r) != 1 || r[0].FromPort != 443 {
			t.Errorf("%s: %+v", env, r)
		}
	}
	if r := rules[`aws_security_group_rule.set[?]`]; len(r) != 1 {
		t.Errorf("set: %v", rules)
	}
	for _, d := range diags {
		if strings.Contains(d.Message, "module.db") || strings.Contains(d.Message, "module.per_env") {
			t.Errorf("diagnostic: %v", d)
		}
	}
}

// An error in a module's file names the module instance whose arguments
// make it fail: the same file is valid in the module's other instances.
// Instances failing alike are one error that counts the others.
func TestModuleErrorNamesTheInstance(t *testing.T) {
	_, diags := loadSrc(t, map[string]string{"main.tf": `
module "ok" {
  source  = "./m"
  kube_version = "1.17"
}
module "empty" {
  source  = "./m"
  kube_version = ""
}
module "empty_too" {
  source  = "./m"
  kube_version = ""
}
`, "m/main.tf": `
variable "kube_version" { type = string }
locals {
  new = var.kube_version >= 1.14
}
resource "aws_security_group" "g" {
  ingress {
    protocol    = "tcp"
    from_port   = local.new ? 443 : 80
    to_port     = local.new ? 443 : 80
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`})
	if len(diags) != 1 || diags[0].Warning || !strings.HasSuffix(diags[0].File, filepath.Join("m", "main.tf")) ||
		!strings.Contains(diags[0].Message, "a number is required. (in module.empty) (same in 1 other module instance)") {
		t.Errorf("diagnostics: %v", diags)
	}
}

// A member declared with no instance (count 0, an empty for_each) is no
// attachment, but the groups it would carry are recorded
// (Snapshot.Uncreated), evaluated with count.index or each not known, with
// neither errors nor warnings: Terraform evaluates nothing of it.
func TestUncreatedMembersRecorded(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
variable "counts" {
  default = { app = 0 }
}
variable "ids" {
  type    = list(string)
  default = []
}
resource "aws_security_group" "app" {}
resource "aws_security_group" "client" {}
resource "aws_instance" "app" {
  count                  = lookup(var.counts, "app", 0)
  vpc_security_group_ids = [aws_security_group.app.id, aws_security_group.client.id]
  subnet_id              = aws_subnet.a.id
  instance_type          = "m8g.large"
  tags                   = { Name = format("app%d", count.index) }
}
resource "aws_subnet" "a" {
  vpc_id     = "vpc-1"
  cidr_block = "10.0.1.0/24"
}
resource "aws_network_interface" "keyed" {
  for_each        = toset([])
  security_groups = [aws_security_group.app.id]
}
resource "aws_instance" "picked" {
  count                  = 0
  vpc_security_group_ids = [var.ids[count.index]]
}
resource "aws_instance" "bad" {
  count                  = 0
  vpc_security_group_ids = { a = 1 }
}
resource "aws_instance" "none" {
  count = 0
}
`})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if len(snap.Attachments) != 0 {
		t.Errorf("attachments: %+v", snap.Attachments)
	}
	got := map[string]string{}
	for _, a := range snap.Uncreated {
		got[a.Name] = fmt.Sprint(a.Groups, a.GroupsUnknown)
		if a.Subnet != "" || a.InstanceType != "" {
			got[a.Name] += " " + a.Subnet + " " + a.InstanceType
		}
	}
	want := map[string]string{
		"aws_instance.app":            "[aws_security_group.app aws_security_group.client] [] aws_subnet.a m8g.large",
		"aws_network_interface.keyed": "[aws_security_group.app] []",
		"aws_instance.picked":         "[] [vpc_security_group_ids is not determined]",
		"aws_instance.bad":            "[] [vpc_security_group_ids is not determined]",
		"aws_instance.none":           "[] []",
	}
	if !maps.Equal(got, want) {
		t.Errorf("uncreated:\n got %v\nwant %v", got, want)
	}
}

// Terraform reads resource.TYPE.NAME as the managed resource TYPE.NAME
// (hashicorp/terraform internal/addrs/parse_ref.go: the "resource" prefix
// is an escape for resource types a later edition may reserve); a symbol
// named resource that a for expression or a dynamic block's iterator binds
// is that symbol.
func TestResourcePrefixedReferences(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
variable "ports" {
  default = [443]
}
resource "aws_security_group" "endpoint" {
  dynamic "ingress" {
    for_each = [for resource in [{ p = { q = 443 } }] : resource.p.q]
    content {
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["10.0.0.0/8"]
    }
  }
  dynamic "resource" {
    for_each = []
    content {
      x = resource.value.y.z
    }
  }
}
resource "aws_vpc_endpoint" "api" {
  vpc_endpoint_type  = "Interface"
  service_name       = "com.amazonaws.us-east-1.sts"
  security_group_ids = [resource.aws_security_group.endpoint.id]
}
resource "aws_security_group_rule" "self" {
  type                     = "egress"
  security_group_id        = resource.aws_security_group.endpoint.id
  protocol                 = "tcp"
  from_port                = 443
  to_port                  = 443
  source_security_group_id = "${resource.aws_security_group.endpoint.id}"
}
`})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if len(snap.Attachments) != 1 || !slices.Equal(snap.Attachments[0].Groups, []string{"aws_security_group.endpoint"}) ||
		len(snap.Attachments[0].GroupsUnknown) != 0 {
		t.Errorf("attachments: %+v", snap.Attachments)
	}
	got := map[string]string{}
	for _, r := range snap.Rules {
		got[r.Name] = r.Group + " " + r.Peer.Ref
	}
	want := map[string]string{
		"aws_security_group.endpoint.ingress[0]": "aws_security_group.endpoint ",
		"aws_security_group_rule.self":           "aws_security_group.endpoint aws_security_group.endpoint",
	}
	if !maps.Equal(got, want) {
		t.Errorf("rules:\n got %v\nwant %v", got, want)
	}
}

// A rule resource whose group peer the input does not determine (a module
// that is not downloaded, a variable without a value) still admits the
// members of one security group: its peer is a symbolic group named after
// the reference, with a warning. One that differs per instance stays
// undetermined.
func TestSymbolicPeerGroup(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
variable "bastion_sg" {}
variable "peers" {
  type = list(string)
}
module "bastion" {
  source = "github.com/example-org/bastion"
}
resource "aws_security_group" "db" {}
resource "aws_vpc_security_group_ingress_rule" "from_module" {
  security_group_id            = aws_security_group.db.id
  referenced_security_group_id = module.bastion.security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
}
resource "aws_security_group_rule" "from_var" {
  type                     = "ingress"
  security_group_id        = aws_security_group.db.id
  source_security_group_id = var.bastion_sg
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
}
resource "aws_security_group_rule" "per_instance" {
  count                    = 2
  type                     = "ingress"
  security_group_id        = aws_security_group.db.id
  source_security_group_id = var.peers[count.index]
  protocol                 = "tcp"
  from_port                = 6379
  to_port                  = 6379
}
`})
	got := map[string]string{}
	for _, r := range snap.Rules {
		got[r.Name] = string(r.Peer.Kind) + " " + r.Peer.Ref
		if r.Peer.Kind == model.PeerUnknown {
			got[r.Name] = string(r.Peer.Kind)
		}
	}
	want := map[string]string{
		"aws_vpc_security_group_ingress_rule.from_module": string(model.PeerGroup) + " module.bastion.security_group_id",
		"aws_security_group_rule.from_var":                string(model.PeerGroup) + " var.bastion_sg",
		"aws_security_group_rule.per_instance[0]":         string(model.PeerUnknown),
		"aws_security_group_rule.per_instance[1]":         string(model.PeerUnknown),
	}
	if !maps.Equal(got, want) {
		t.Errorf("peers:\n got %v\nwant %v", got, want)
	}
	warned := 0
	for _, d := range diags {
		if d.Warning && strings.Contains(d.Message, "its peers are analysed as the members of the symbolic group") {
			warned++
		}
	}
	if warned != 2 {
		t.Errorf("want 2 warnings naming the symbolic groups: %v", diags)
	}
}

// An inline rule's security_groups written out as a list, one element of
// which the input does not determine: the determined elements are their
// groups, the other a symbolic group named after its reference.
func TestSymbolicInlinePeerGroups(t *testing.T) {
	snap, _ := loadSrc(t, map[string]string{"main.tf": `
module "bastion" {
  source = "github.com/example-org/bastion"
}
resource "aws_security_group" "app" {}
resource "aws_security_group" "db" {
  ingress {
    protocol        = "tcp"
    from_port       = 5432
    to_port         = 5432
    security_groups = [aws_security_group.app.id, module.bastion.security_group_id]
  }
}
`})
	var got []string
	for _, r := range snap.Rules {
		got = append(got, string(r.Peer.Kind)+" "+r.Peer.Ref)
	}
	want := []string{string(model.PeerGroup) + " aws_security_group.app", string(model.PeerGroup) + " module.bastion.security_group_id"}
	if !slices.Equal(got, want) {
		t.Errorf("peers: got %v, want %v", got, want)
	}
}

// A folder is read whatever its name holds: characters that a glob pattern
// would read as wildcards ([, *, ?) are part of the name (a folder such as
// env[prod] was once listed as empty, its rules dropped without a word).
func TestFolderNamesAreNotPatterns(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("such names are not allowed there")
	}
	group := sshGroup("g", "${var.cidr}") + `variable "cidr" {}`
	for _, dir := range []string{"env[prod]", "a*b", "what?", `back\slash`} {
		t.Run(dir, func(t *testing.T) {
			snap, diags := loadSrc(t, map[string]string{
				dir + "/main.tf":       group,
				dir + "/x.auto.tfvars": `cidr = "10.1.0.0/16"`,
				dir + "/x.tf.json":     `{"resource": {"aws_security_group": {"j": {}}}}`,
				dir + "/not-tf.txt":    group,
				"[other]/main.tofu":    sshGroup("o", "10.0.0.0/8"),
			})
			if len(diags) != 0 {
				t.Fatalf("diagnostics: %v", diags)
			}
			if snap.Unknowns != 0 {
				t.Errorf("%d values not known: x.auto.tfvars was not read", snap.Unknowns)
			}
			if got := len(snap.Groups); got != 3 {
				t.Errorf("%d groups, want g, j and o", got)
			}
			if snap.Files != 3 {
				t.Errorf("%d files read, want 3", snap.Files)
			}
		})
	}
}
