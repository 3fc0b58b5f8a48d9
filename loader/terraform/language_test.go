package terraform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// languageSurface holds, per Terraform block type, a valid use of it beside
// security group code. Each is loaded alone with an open SSH rule: no
// diagnostic may be an error and the rule must still be found.
var languageSurface = map[string]string{
	"terraform": `terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
  backend "s3" {
    bucket = "state"
    key    = "k"
  }
  experiments = []
}`,
	"terraform-cloud": `terraform {
  cloud {
    organization = "org"
    workspaces { name = "ws" }
  }
}`,
	"provider": `provider "aws" {
  region = "eu-west-1"
  default_tags { tags = { team = "net" } }
  assume_role { role_arn = "arn:aws:iam::123456789012:role/x" }
}
provider "aws" {
  alias  = "us"
  region = "us-east-1"
}`,
	"variable-validation": `variable "env" {
  type        = string
  default     = "prod"
  description = "environment"
  nullable    = false
  validation {
    condition     = contains(["prod", "dev"], var.env)
    error_message = "env must be prod or dev"
  }
  validation {
    condition     = length(var.env) > 0
    error_message = "empty"
  }
}`,
	"variable-sensitive-ephemeral": `variable "token" {
  type      = string
  sensitive = true
  ephemeral = true
  default   = "x"
}`,
	"locals": `locals {
  a = 1
  b = { x = [1, 2] }
}`,
	"output": `output "id" {
  value       = aws_security_group.t.id
  description = "the group"
  sensitive   = false
  depends_on  = [aws_security_group.t]
  precondition {
    condition     = true
    error_message = "never"
  }
}`,
	"output-ephemeral": `output "tok" {
  value     = var.tok
  ephemeral = true
}
variable "tok" {
  type      = string
  ephemeral = true
  default   = "t"
}`,
	"lifecycle": `resource "aws_instance" "i" {
  ami                    = "ami-123"
  vpc_security_group_ids = [aws_security_group.t.id]
  lifecycle {
    create_before_destroy = true
    prevent_destroy       = false
    ignore_changes        = [tags]
    replace_triggered_by  = [aws_security_group.t.id]
    precondition {
      condition     = true
      error_message = "x"
    }
    postcondition {
      condition     = self.ami != ""
      error_message = "y"
    }
  }
  provisioner "local-exec" {
    command = "echo hi"
  }
  connection {
    host = "x"
  }
}`,
	"moved": `moved {
  from = aws_security_group.old
  to   = aws_security_group.t
}`,
	"import": `import {
  to = aws_security_group.t
  id = "sg-0123456789abcdef0"
}`,
	"import-for-each": `import {
  for_each = { a = "sg-1" }
  to       = aws_security_group.t
  id       = each.value
}`,
	"removed": `removed {
  from = aws_security_group.gone
  lifecycle {
    destroy = false
  }
}`,
	"check": `check "health" {
  data "http" "x" {
    url = "https://example.com"
  }
  assert {
    condition     = true
    error_message = "down"
  }
}`,
	"data": `data "aws_vpc" "main" {
  default = true
  filter {
    name   = "tag:Name"
    values = ["main"]
  }
}`,
	"ephemeral-resource": `ephemeral "aws_secretsmanager_secret_version" "s" {
  secret_id = "x"
}`,
	"module-depends-on": `module "m" {
  source     = "./m"
  depends_on = [aws_security_group.t]
  providers  = { aws = aws }
}`,
	"resource-meta": `resource "aws_security_group" "meta" {
  provider   = aws
  depends_on = [aws_security_group.t]
  timeouts {
    create = "5m"
  }
}`,
	"unknown-top-level-block": `action "aws_lambda_invoke" "x" {
  config {
    function_name = "f"
  }
}`,
}

const surfaceRule = `resource "aws_security_group" "t" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`

func TestLanguageSurface(t *testing.T) {
	for name, src := range languageSurface {
		if src == "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			files := map[string]string{"main.tf": surfaceRule, "other.tf": src}
			if strings.Contains(src, `"./m"`) {
				files["m/main.tf"] = `variable "x" {
  default = 1
  validation {
    condition     = var.x > 0
    error_message = "positive"
  }
}`
			}
			snap, diags := loadSrc(t, files)
			for _, d := range diags {
				if !d.Warning {
					t.Errorf("error on valid Terraform: %s", d)
				}
			}
			if len(rulesByName(snap)["aws_security_group.t.ingress[0]"]) != 1 {
				t.Errorf("the rule beside it was not loaded: %v", rulesByName(snap))
			}
		})
	}
}

func TestLanguageSurfaceJSON(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": surfaceRule, "vars.tf.json": `{
  "variable": {"env": {"type": "string", "default": "prod",
    "validation": [{"condition": "${length(var.env) > 0}", "error_message": "empty"}]}},
  "output": {"o": {"value": "${var.env}", "precondition": [{"condition": "${true}", "error_message": "x"}]}},
  "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}}
}`})
	for _, d := range diags {
		if !d.Warning {
			t.Errorf("error on valid Terraform JSON: %s", d)
		}
	}
	if len(snap.Rules) != 1 {
		t.Errorf("rules %v", snap.Rules)
	}
}

// A module called three times reports a problem in its source once.
func TestModuleDiagnosticOncePerLocation(t *testing.T) {
	_, diags := loadSrc(t, map[string]string{
		"main.tf": `module "a" { source = "./m" }
module "b" { source = "./m" }
module "c" { source = "./m" }`,
		"m/main.tf": `variable "x" {
  default = 1
}
resource "aws_security_group" "g" {
  ingress {
    from_port = 22
    to_port = 22
    protocol = "bogus"
    cidr_blocks = ["10.0.0.0/8"]
  }
}`,
	})
	if len(diags) == 0 {
		t.Fatal("want the bad protocol reported")
	}
	seen := map[string]int{}
	for _, d := range diags {
		seen[d.String()]++
	}
	var bad []string
	for s, n := range seen {
		if n > 1 {
			t.Errorf("%d times: %s", n, s)
		}
		if strings.Contains(s, "protocol") {
			bad = append(bad, s)
		}
	}
	if len(bad) != 1 || !strings.Contains(bad[0], "same in 2 other module instances") {
		t.Errorf("want the protocol error once, naming the other instances: %q", bad)
	}
}

// An unknown's warning names its root cause through locals and module
// arguments: the unset variable, the module not downloaded, the function
// sgcheck does not evaluate, the data source.
func TestUnknownRootCause(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"main.tf": `variable "open" {}
module "label" { source = "cloudposse/label/null" }
locals {
  cidrs   = var.open ? ["0.0.0.0/0"] : ["10.0.0.0/8"]
  enabled = module.label.enabled
  stamp   = timestamp()
}
data "aws_vpc" "main" {}
module "child" {
  source = "./child"
  cidr   = data.aws_vpc.main.cidr_block
}
resource "aws_security_group_rule" "a" {
  count             = local.enabled ? 1 : 0
  type              = "ingress"
  security_group_id = "sg-1"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = local.cidrs
}
resource "aws_security_group_rule" "b" {
  type              = "ingress"
  security_group_id = "sg-1"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  description       = local.stamp
  cidr_blocks       = [local.stamp]
}`,
		"child/main.tf": `variable "cidr" {}
resource "aws_security_group_rule" "c" {
  type              = "ingress"
  security_group_id = "sg-2"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = [var.cidr]
}`,
	})
	all := ""
	for _, d := range diags {
		all += d.String() + "\n"
	}
	for _, r := range snap.Rules {
		all += r.Name + ": " + strings.Join(r.Unknown, "; ") + "\n"
	}
	for _, want := range []string{
		"cidr_blocks depends on local.cidrs, which depends on var.open, which has no default or value",
		"count depends on local.enabled, which depends on module.label, which is not analysed: source \"cloudposse/label/null\" is not available locally",
		"depends on local.stamp, which uses timestamp(), which sgcheck does not evaluate",
		"var.cidr, which is given a value that depends on data.aws_vpc.main.cidr_block, which is read from AWS by a data source",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
}

// A resource whose count or for_each is not determined is analysed as
// conditional instances: bounded by the branches of a conditional where
// they are known (x[0?]), else one instance x[?]; references reach them.
func TestConditionalInstances(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `module "this" { source = "cloudposse/label/null" }
variable "rules" {}
locals {
  ports = { ssh = 22, rdp = 3389 }
}
resource "aws_security_group" "g" {
  count = module.this.enabled ? 1 : 0
}
resource "aws_security_group_rule" "bounded" {
  for_each          = module.this.enabled ? local.ports : {}
  type              = "ingress"
  security_group_id = one(aws_security_group.g[*].id)
  from_port         = each.value
  to_port           = each.value
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
resource "aws_security_group_rule" "open" {
  for_each          = var.rules
  type              = "egress"
  security_group_id = aws_security_group.g[0].id
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}`})
	for _, d := range diags {
		if !d.Warning {
			t.Errorf("error: %s", d)
		}
	}
	rules := rulesByName(snap)
	for name, port := range map[string]int{`aws_security_group_rule.bounded["ssh"?]`: 22, `aws_security_group_rule.bounded["rdp"?]`: 3389} {
		r := rules[name]
		if len(r) != 1 || r[0].FromPort != port || r[0].Group != "aws_security_group.g[0?]" || len(r[0].Unknown) != 0 {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if r := rules["aws_security_group_rule.open[?]"]; len(r) != 1 || r[0].Group != "aws_security_group.g[0?]" {
		t.Errorf("open[?]: %+v (all %v)", r, rules)
	}
	if len(snap.Groups) != 1 || snap.Groups[0].Address != "aws_security_group.g[0?]" || snap.Groups[0].Symbolic {
		t.Errorf("groups %+v", snap.Groups)
	}
}

// A rule whose peer attributes are all undetermined is one indeterminate
// rule naming each cause.
func TestAllPeersUnknownIsOneRule(t *testing.T) {
	snap, _ := loadSrc(t, map[string]string{"main.tf": `variable "v4" {}
variable "v6" {}
resource "aws_security_group_rule" "r" {
  type              = "ingress"
  security_group_id = "sg-1"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = var.v4
  ipv6_cidr_blocks  = var.v6
}`})
	if len(snap.Rules) != 1 || len(snap.Rules[0].Unknown) != 2 {
		t.Errorf("rules %+v", snap.Rules)
	}
}

// Modules that call each other in a cycle, or themselves, are input errors
// naming the chain; each rule is analysed once.
func TestModuleCycles(t *testing.T) {
	rule := `resource "aws_security_group" "g" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`
	for name, files := range map[string]map[string]string{
		"pair": {"a/main.tf": `module "b" { source = "../b" }` + "\n" + rule, "b/main.tf": `module "a" { source = "../a" }`},
		"self": {"main.tf": `module "me" { source = "./" }` + "\n" + rule},
	} {
		snap, diags := loadSrc(t, files)
		errs := 0
		for _, d := range diags {
			if !d.Warning && strings.Contains(d.Message, "the module calls itself") {
				errs++
			}
		}
		if errs != 1 {
			t.Errorf("%s: %d cycle errors: %v", name, errs, diags)
		}
		if len(snap.Rules) != 1 {
			t.Errorf("%s: the rule is analysed %d times", name, len(snap.Rules))
		}
	}
}

// A module argument that passes a resource (or a data source, or a module
// output holding one) to an object-typed variable is valid Terraform even
// where sgcheck does not model every attribute the type requires (a
// queue's url): the missing ones are unknown, the modelled ones are kept.
// A literal object lacking a required attribute is still Terraform's
// error.
func TestPartialObjectArguments(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"main.tf": `resource "aws_sqs_queue" "q" {
  name = "builds"
}
resource "aws_security_group" "g" {
  name = "runners"
}
data "aws_vpc" "v" {
  default = true
}
module "runners" {
  source = "./m"
  queue  = aws_sqs_queue.q
  queues = [aws_sqs_queue.q]
  group  = aws_security_group.g
  vpc    = data.aws_vpc.v
}`,
		"m/main.tf": `variable "queue" {
  type = object({ arn = string, url = string })
}
variable "queues" {
  type = list(object({ url = string, visibility_timeout_seconds = number }))
}
variable "group" {
  type = object({ id = string, arn = string, owner_id = string })
}
variable "vpc" {
  type = object({ id = string, cidr_block = string })
}
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = var.group.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = [var.vpc.cidr_block]
  description       = var.queue.url
}`,
	})
	for _, e := range inputErrors(diags) {
		t.Errorf("valid Terraform reported as an error: %s", e)
	}
	rules := rulesByName(snap)["module.runners.aws_security_group_rule.ssh"]
	if len(rules) != 1 || rules[0].Group != "aws_security_group.g" || len(rules[0].Unknown) == 0 {
		t.Errorf("want the rule in aws_security_group.g with its undetermined peer, got %+v", rules)
	}

	_, diags = loadSrc(t, map[string]string{
		"main.tf": `module "m" {
  source = "./m"
  queue  = { arn = "arn:aws:sqs:eu-west-1:123456789012:builds" }
}`,
		"m/main.tf": `variable "queue" {
  type = object({ arn = string, url = string })
}`,
	})
	if len(diags) != 1 || diags[0].Warning || !strings.Contains(diags[0].Message, `attribute "url" is required`) {
		t.Errorf("want the literal object's missing attribute as an error, got %v", diags)
	}
}

// sgcheck knows a resource's id and arn as references: an expression that
// takes one apart (splitting an arn, slicing the pieces) is unknown, as in
// Terraform before apply, not an input error. An expression that fails on
// its own is still one.
func TestExpressionOverResourceIdentity(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"main.tf": `resource "aws_lb_target_group" "api" {
  name = "api"
}
locals {
  target = join("/", slice(split("/", aws_lb_target_group.api.arn), 1, 3))
  suffix = element(split(":", aws_lb_target_group.api.arn), 5)
  broken = slice(["a"], 1, 3)
}
resource "aws_security_group" "g" {
  name = "g"
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [local.target]
  }
}`,
	})
	errs := inputErrors(diags)
	if len(errs) != 1 || !strings.Contains(errs[0], "main.tf:7") {
		t.Errorf("want only local.broken as an input error, got %q", errs)
	}
	var why []string
	for _, r := range snap.Rules {
		why = append(why, r.Unknown...)
	}
	if len(why) != 1 || !strings.Contains(why[0], "aws_lb_target_group.api") || !strings.Contains(why[0], "known only after apply") {
		t.Errorf("want the rule's peer unknown because of the target group's arn, got %q", why)
	}
}

// Module calls into a directory that holds nothing (a git submodule not
// checked out) are one warning per root and directory, naming the other
// calls and saying what to run; a directory holding other files keeps the
// plain message.
func TestCallsIntoEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{".git", "shared/modules", "lib", "docs/only"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		".gitmodules":         "[submodule \"shared/modules\"]\n\tpath = shared/modules\n\turl = https://example.com/modules.git\n",
		"docs/only/README.md": "no configuration here\n",
		"main.tf": `module "a" { source = "./shared/modules/a" }
module "b" { source = "./shared/modules/b" }
module "c" { source = "./lib/c" }
module "d" { source = "./docs/only" }`,
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, diags := Load(context.Background(), []string{dir}, Options{})
	var got []string
	for _, d := range diags {
		got = append(got, d.Message)
	}
	want := []string{
		`module.a not analysed: source "./shared/modules/a" is in ` + DisplayPath(filepath.Join(dir, "shared/modules")) +
			`, an empty git submodule (run git submodule update --init); nor are the root's other calls of it: module.b (` +
			DisplayPath(filepath.Join(dir, "main.tf")) + `:2)`,
		`module.c not analysed: source "./lib/c" is in ` + DisplayPath(filepath.Join(dir, "lib")) + `, which is empty`,
		`module.d not analysed: no configuration files in ` + DisplayPath(filepath.Join(dir, "docs/only")),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A dynamic block whose for_each reads an attribute of resources or data
// sources that sgcheck does not model (a subnet's availability_zone) has
// that attribute unknown, as before apply: the group and every rule are
// read, and nothing is an input error.
func TestDynamicOverUnmodelledAttributes(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"main.tf": `resource "aws_subnet" "p" {
  count      = 2
  vpc_id     = "vpc-1"
  cidr_block = "10.0.${count.index}.0/24"
}
data "aws_subnet" "d" {
  for_each = toset(["a", "b"])
  id       = each.key
}
resource "aws_security_group" "b" {
  name = "b"
  dynamic "egress" {
    for_each = [for s in aws_subnet.p : { cidr = s.cidr_block, zone = s.availability_zone }]
    content {
      protocol    = "tcp"
      from_port   = 8001
      to_port     = 8001
      cidr_blocks = [egress.value.cidr]
      description = "to ${egress.value.zone}"
    }
  }
  dynamic "ingress" {
    for_each = { for k, s in data.aws_subnet.d : k => s.availability_zone_id }
    content {
      protocol    = "tcp"
      from_port   = 22
      to_port     = 22
      cidr_blocks = ["192.0.2.0/24"]
      description = ingress.value
    }
  }
  egress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}`,
	})
	for _, e := range inputErrors(diags) {
		t.Errorf("valid Terraform reported as an error: %s", e)
	}
	var got []string
	for _, r := range snap.Rules {
		got = append(got, fmt.Sprintf("%s %d %s", r.Direction, r.FromPort, r.Peer))
	}
	wantLines(t, "rules", got, []string{"egress 8001 10.0.0.0/24", "egress 8001 10.0.1.0/24", "ingress 22 192.0.2.0/24",
		"ingress 22 192.0.2.0/24", "egress 443 0.0.0.0/0"})

	// an attribute missing from the configuration's own object is its error
	_, diags = loadSrc(t, map[string]string{
		"main.tf": `locals {
  ports = [{ port = 22 }]
}
resource "aws_security_group" "c" {
  dynamic "ingress" {
    for_each = [for p in local.ports : p.number]
    content {
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["192.0.2.0/24"]
    }
  }
}`,
	})
	if errs := inputErrors(diags); len(errs) != 1 || !strings.Contains(errs[0], `attribute named "number"`) {
		t.Errorf("want the local's missing attribute as an input error, got %q", errs)
	}
}

// A module called with for_each over nothing is an empty map of instances,
// as in Terraform: values(), keys() and for expressions over it give
// nothing, not an error.
func TestModuleForEachOverNothing(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"main.tf": `module "m" {
  for_each = {}
  source   = "./m"
}
module "n" {
  count  = 0
  source = "./m"
}
resource "aws_security_group" "g" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = concat(["10.0.0.0/8"], [for m in values(module.m) : m.cidr], keys(module.m), module.n[*].cidr)
  }
}`,
		"m/main.tf": `output "cidr" {
  value = "192.0.2.0/24"
}`,
	})
	for _, e := range inputErrors(diags) {
		t.Errorf("valid Terraform reported as an error: %s", e)
	}
	var got []string
	for _, r := range snap.Rules {
		got = append(got, r.Peer.String())
	}
	wantLines(t, "peers", got, []string{"10.0.0.0/8"})
}

// What a resource is known by only after apply (an id, an arn, a
// random_pet's name) is unknown to every function that reads its
// characters, and unknown where a protocol, port or CIDR is expected: never
// the characters of sgcheck's reference (length 24, startswith false), and
// never an input error. Functions that keep a reference whole still do
// (join then split of group ids).
func TestAfterApplyValuesStayUnknown(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{"main.tf": `
resource "random_pet" "p" {}
resource "aws_security_group" "peer" {}
locals {
  ids = compact(split(",", join(",", [aws_security_group.peer.id])))
}
resource "aws_security_group" "a" {
  name = "a"
  ingress {
    from_port   = length(random_pet.p.id)
    to_port     = length(random_pet.p.id)
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = random_pet.p.id
    cidr_blocks = ["${random_pet.p.id}/32"]
  }
  ingress {
    from_port       = 22
    to_port         = 22
    protocol        = startswith(aws_security_group.peer.id, "sg-") ? "tcp" : "udp"
    security_groups = local.ids
  }
}`})
	if errs := inputErrors(diags); len(errs) > 0 {
		t.Fatalf("input errors: %q", errs)
	}
	rules := rulesByName(snap)
	for i, want := range []string{"from_port depends on random_pet.p.id", "protocol depends on random_pet.p", "protocol depends on aws_security_group.peer.id"} {
		rs := rules[fmt.Sprintf("aws_security_group.a.ingress[%d]", i)]
		if len(rs) == 0 || len(rs[0].Unknown) == 0 || !strings.Contains(rs[0].Unknown[0], want) || !strings.Contains(rs[0].Unknown[0], "known only after apply") {
			t.Errorf("ingress[%d]: %+v, want unknown: %s…", i, rs, want)
		}
	}
	if rs := rules["aws_security_group.a.ingress[2]"]; len(rs) != 1 || rs[0].Peer.Ref != "aws_security_group.peer" {
		t.Errorf("ingress[2] peers %+v, want aws_security_group.peer through join and split", rs)
	}
}

// Module calls may read each other's outputs where no single value depends
// on itself (Terraform builds its graph per value). Here "net" reads
// "app" and "app" reads "net": whichever is evaluated first, the other's
// outputs are known in the end, and the result does not depend on the
// order of a call's arguments (the loader evaluated them in map order, so
// two runs could attach the instance to its group or leave it unknown).
func TestModulesReadingEachOther(t *testing.T) {
	files := map[string]string{
		"main.tf": `module "app" {
  source  = "./app"
  sg_ids  = module.net.sg_ids
  enabled = module.net.enabled
  subnet  = "subnet-1"
  cidr    = "10.0.0.0/8"
  tags    = { a = "b" }
}
module "net" {
  source = "./net"
  cidr   = module.app.cidr
  name   = "net"
}
`,
		"app/main.tf": `variable "sg_ids" { type = list(string) }
variable "enabled" { type = bool }
variable "subnet" {}
variable "cidr" {}
variable "tags" {}
resource "aws_instance" "i" {
  count                  = var.enabled ? 1 : 0
  subnet_id              = var.subnet
  vpc_security_group_ids = var.sg_ids
}
output "cidr" { value = var.cidr }
`,
		"net/main.tf": `variable "cidr" {}
variable "name" {}
resource "aws_security_group" "g" {
  name = var.name
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
output "sg_ids" { value = [aws_security_group.g.id] }
output "enabled" { value = true }
`,
	}
	for i := 0; i < 20; i++ {
		snap, diags := loadSrc(t, files)
		for _, d := range diags {
			t.Errorf("run %d: %s", i, d)
		}
		if len(snap.Attachments) != 1 || len(snap.Attachments[0].Groups) != 1 ||
			snap.Attachments[0].Groups[0] != "module.net.aws_security_group.g" || len(snap.Attachments[0].GroupsUnknown) > 0 {
			t.Fatalf("run %d: attachments %+v", i, snap.Attachments)
		}
		if len(snap.Rules) != 1 || snap.Rules[0].Peer.String() != "10.0.0.0/8" {
			t.Fatalf("run %d: rules %+v", i, snap.Rules)
		}
	}
}

// Terraform (variable "nullable"): a null module argument sets a nullable
// variable, the default, to null, overriding its default; with nullable =
// false the default is used. A required variable given null is null, not
// undetermined.
func TestNullModuleArguments(t *testing.T) {
	snap, diags := loadSrc(t, map[string]string{
		"main.tf": `variable "office" {
  type    = string
  default = null
}
module "m" {
  source   = "./m"
  extra    = var.office
  fallback = null
  required = null
}
`,
		"m/main.tf": `variable "extra" {
  type    = string
  default = "192.0.2.0/24"
}
variable "fallback" {
  type     = string
  default  = "198.51.100.0/24"
  nullable = false
}
variable "required" { type = string }
resource "aws_security_group" "g" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = compact([var.extra, var.fallback, var.required == null ? "203.0.113.0/24" : "10.0.0.0/8"])
  }
}
`,
	})
	for _, d := range diags {
		t.Errorf("%s", d)
	}
	var got []string
	for _, r := range snap.Rules {
		got = append(got, r.Peer.String())
	}
	wantLines(t, "peers", got, []string{"198.51.100.0/24", "203.0.113.0/24"})
}

// What Terraform refuses inside a module instance that exists only if a
// count the input does not determine says so is a warning naming that
// condition, not an input error: Terraform fails only if it is created.
func TestErrorsInConditionalModuleInstance(t *testing.T) {
	_, diags := loadSrc(t, map[string]string{
		"main.tf": `variable "create" { type = bool }
locals { tables = null }
module "tgw" {
  source = "./tgw"
  count  = var.create ? 1 : 0
  tables = local.tables
}
module "always" {
  source = "./tgw"
  tables = local.tables
}
output "tables" { value = [module.tgw[0].tables, module.always.tables] }
`,
		"tgw/main.tf": `variable "tables" { default = {} }
resource "aws_ec2_transit_gateway_route_table" "t" {
  for_each = { for k, v in var.tables : k => v }
}
output "tables" { value = aws_ec2_transit_gateway_route_table.t }
`,
	})
	var warned, errs int
	for _, d := range diags {
		switch {
		case d.Warning && strings.Contains(d.Message, "if module.tgw[0?] is created"):
			warned++
		case !d.Warning:
			errs++
		}
	}
	// the unconditional call fails in Terraform: an error at the line
	if warned != 1 || errs != 1 {
		t.Errorf("%d warnings, %d errors: %v", warned, errs, diags)
	}
}

// TestRootDefaultErrorsAreWarnings: a root variable no value is given for
// holds its default, and a deployment gives root variables their values
// (tfvars, -var, a wrapper such as Terragrunt or Atmos). An expression that
// fails only as read with such a default (cloudposse's context.tf declares
// enabled, stage and the rest with default = null) is a warning naming the
// variable, its value undetermined, not an input error; the resource it
// expands is analysed as a conditional instance. The same configuration
// given values evaluates without a word, and a module's own default, which
// its caller left, still fails as Terraform would.
func TestRootDefaultErrorsAreWarnings(t *testing.T) {
	files := map[string]string{
		"main.tf": `variable "enabled" {
  type    = bool
  default = null
}
variable "stage" { default = null }
variable "tables" { default = null }
locals {
  dns = "${var.stage}.example.com"
  on  = var.enabled
}
resource "aws_security_group" "ssh" {
  count = local.on ? 1 : 0
  name  = "ssh-${local.dns}"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}
module "m" {
  source = "./m"
  tables = var.tables
}
output "tables" { value = module.m.tables }
`,
		"m/main.tf": `variable "tables" { default = {} }
resource "aws_ec2_transit_gateway_route_table" "t" {
  for_each = { for k, v in var.tables : k => v }
}
output "tables" { value = aws_ec2_transit_gateway_route_table.t }
`,
	}
	dir := writeFiles(t, files)
	snap, diags := Load(context.Background(), []string{dir}, Options{})
	warned := map[string]bool{}
	for _, d := range diags {
		if !d.Warning {
			t.Errorf("an input error: %v", d)
			continue
		}
		for _, v := range []string{"var.enabled", "var.stage", "var.tables"} {
			if strings.Contains(d.Message, "with "+v+" at its default: no value is given for it") {
				warned[v] = true
			}
		}
	}
	if len(warned) != 3 {
		t.Errorf("warnings name %v, not var.enabled, var.stage and var.tables: %v", warned, diags)
	}
	if len(snap.Rules) != 1 || !strings.Contains(snap.Rules[0].Group, "aws_security_group.ssh[0?]") {
		t.Errorf("the group is not analysed as a conditional instance: %+v", snap.Rules)
	}

	// given values, nothing is said and the group is created
	snap, diags = Load(context.Background(), []string{dir}, Options{VarArgs: []VarArg{
		{Name: "enabled", Value: "true"}, {Name: "stage", Value: "prod"}, {Name: "tables", Value: "{}"}}})
	if len(diags) != 0 {
		t.Errorf("with values: %v", diags)
	}
	if len(snap.Rules) != 1 || !strings.HasSuffix(snap.Rules[0].Group, "aws_security_group.ssh[0]") {
		t.Errorf("with values, the group is not created: %+v", snap.Rules)
	}

	// a module's own default, its caller giving nothing, is the module's
	// error, with or without values for the root
	files["main.tf"] = `module "m" { source = "./m" }
output "tables" { value = module.m.tables }
`
	files["m/main.tf"] = `variable "tables" { default = null }
resource "aws_ec2_transit_gateway_route_table" "t" {
  for_each = { for k, v in var.tables : k => v }
}
output "tables" { value = aws_ec2_transit_gateway_route_table.t }
`
	_, diags = loadSrc(t, files)
	if len(diags) != 1 || diags[0].Warning || !strings.Contains(diags[0].Message, "null") {
		t.Errorf("a module's null default: %v", diags)
	}
}
