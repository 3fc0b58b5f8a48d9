package terraform

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/internal/gen"
	"github.com/sgcheck/sgcheck/model"
)

// replayRoot is a root module of several files holding what extraction
// reads: variables and locals, groups with inline, dynamic and
// conditional rules, rule resources of both kinds, a network ACL with
// standalone entries and an association, subnets, a VPC, instances and
// interfaces, a module call, a data source, whole-object reads of a
// resource type, and blocks that warn or fail, some because a local fails
// to evaluate (why quotes where it is: under each side's own file name,
// and at its own line).
var replayRoot = map[string]string{
	"main.tf": `
variable "app_ports" {
  default = [8080, 8443]
}
variable "enabled" {
  default = true
}
variable "peer_group" {}
variable "unset_cidrs" {}
variable "unset_rule" {}
locals {
  vpc_cidr   = "10.0.0.0/16"
  monitoring = "10.9.0.0/24"
  tags       = { team = "core" }
}
locals {
  admins = ["192.0.2.0/24"]
  broken = cidrsubnet("not-a-cidr", 8, 1)
}
provider "aws" {
  region = "eu-west-1"
}
`,
	"groups.tf": `
resource "aws_security_group" "web" {
  name        = "web"
  description = "web"
  vpc_id      = aws_vpc.main.id
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    protocol    = "tcp"
    from_port   = 9100
    to_port     = 9100
    cidr_blocks = [local.monitoring]
  }
  dynamic "ingress" {
    for_each = var.app_ports
    content {
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = [local.vpc_cidr]
    }
  }
  lifecycle {
    ignore_changes = [ingress]
  }
}

resource "aws_security_group" "db" {
  name   = "db"
  vpc_id = data.aws_vpc.main.id
}

resource "aws_security_group" "admin" {
  count       = var.enabled ? 1 : 0
  description = "admin"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = local.admins
  }
}

resource "aws_security_group" "per_team" {
  for_each    = local.tags
  description = "team ${each.value}"
}

resource "aws_security_group" "unused" {
  description = "declared, attached to nothing"
}

resource "aws_security_group" "counted" {
  description = "one port per rule resource"
  ingress {
    protocol    = "tcp"
    from_port   = 1000
    to_port     = 1000 + length(keys(aws_security_group_rule))
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_security_group" "subnet_peers" {
  description = "from the subnet"
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [aws_subnet.a.cidr_block]
  }
}

resource "aws_security_group" "broken" {
  description = "fails to evaluate"
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [local.undeclared]
  }
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [cidrsubnet("not-a-cidr", 8, 1)]
  }
}

resource "aws_security_group" "reads_broken" {
  description = "reads a local that fails"
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [local.broken]
  }
}

resource "aws_security_group" "open_to_unset" {
  description = "peers not known"
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = var.unset_cidrs
  }
}

resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}
`,
	"rules.tf": `
resource "aws_security_group_rule" "db_from_web" {
  type                     = "ingress"
  security_group_id        = aws_security_group.db.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = aws_security_group.web.id
}

resource "aws_security_group_rule" "ssh_world" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "from_peer" {
  type                     = "ingress"
  security_group_id        = var.peer_group
  protocol                 = "tcp"
  from_port                = 6379
  to_port                  = 6379
  source_security_group_id = aws_security_group.web.id
}

resource "aws_security_group_rule" "bad" {
  type              = "sideways"
  security_group_id = aws_security_group.db.id
  protocol          = "tcp"
  from_port         = 1
  to_port           = 2
  cidr_blocks       = ["10.0.0.0/8"]
}

resource "aws_security_group_rule" "on_broken" {
  type              = "ingress"
  security_group_id = local.broken
  protocol          = "tcp"
  from_port         = 8443
  to_port           = 8443
  cidr_blocks       = ["10.0.0.0/8"]
}

resource "aws_vpc_security_group_ingress_rule" "redis" {
  security_group_id            = aws_security_group.db.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.web.id
}

resource "aws_vpc_security_group_egress_rule" "dns" {
  security_group_id = aws_security_group.db.id
  ip_protocol       = "udp"
  from_port         = 53
  to_port           = 53
  cidr_ipv4         = "10.0.0.2/32"
}
`,
	"net.tf": `
resource "aws_vpc" "main" {
  cidr_block = local.vpc_cidr
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(local.vpc_cidr, 8, 1)
}

resource "aws_network_acl" "a" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.a.id]
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 443
    to_port    = 443
  }
  ingress {
    rule_no    = var.unset_rule
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.0.0.0/8"
    from_port  = 80
    to_port    = 80
  }
}

resource "aws_network_acl_rule" "deny_ssh" {
  network_acl_id = aws_network_acl.a.id
  rule_number    = 50
  egress         = false
  protocol       = "tcp"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
  from_port      = 22
  to_port        = 22
}

resource "aws_instance" "web" {
  subnet_id              = aws_subnet.a.id
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.web.id, aws_security_group.admin[0].id]
}

resource "aws_network_interface" "db" {
  subnet_id       = aws_subnet.a.id
  security_groups = [aws_security_group.db.id]
}

resource "aws_network_interface_sg_attachment" "extra" {
  security_group_id    = aws_security_group.web.id
  network_interface_id = aws_network_interface.db.id
}

resource "aws_instance" "typed_by_broken" {
  subnet_id              = aws_subnet.a.id
  instance_type          = local.broken
  vpc_security_group_ids = [aws_security_group.db.id]
}

resource "aws_instance" "never" {
  count                  = 0
  vpc_security_group_ids = [aws_security_group.db.id]
}
`,
	"mod.tf": `
module "m" {
  source = "../mods/m"
  cidr   = local.vpc_cidr
}

data "aws_vpc" "main" {}

variable "shared_group" {}

resource "aws_security_group_rule" "from_shared" {
  type                     = "ingress"
  security_group_id        = aws_security_group.db.id
  protocol                 = "tcp"
  from_port                = 443
  to_port                  = 443
  source_security_group_id = var.shared_group
}

resource "aws_security_group_rule" "from_module" {
  type                     = "ingress"
  security_group_id        = aws_security_group.db.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = module.m.id
}
`,
	"x.auto.tfvars": `peer_group = "sg-0123456789abcdef0"
`,
}

var replayModule = map[string]string{
	"main.tf": `
variable "cidr" {}
resource "aws_security_group" "m" {
  ingress {
    protocol    = "tcp"
    from_port   = 80
    to_port     = 80
    cidr_blocks = [var.cidr]
  }
}
resource "aws_security_group_rule" "m_out" {
  type              = "egress"
  security_group_id = aws_security_group.m.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = [var.cidr]
}
resource "aws_security_group" "n" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}
output "id" {
  value = aws_security_group.m.id
}
`,
}

// The follower of a mirrored pair replays the leader's extraction of the
// blocks that did not change and read nothing that changed; whatever the
// change, its snapshot and diagnostics are those of a load of its own.
// Each case edits the old side of replayRoot; replay says whether blocks
// must have been replayed (changes outside the root's own files, or to
// its providers, replay nothing, nor does a change most of the root reads).
func TestReplayMatchesAlone(t *testing.T) {
	edit := editor(t)
	block := func(file, header string) (string, string) {
		src := replayRoot[file]
		i := strings.Index(src, header)
		if i < 0 {
			t.Fatalf("%s holds no %q", file, header)
		}
		j := strings.Index(src[i:], "\n}\n")
		return file, src[i : i+j+3]
	}
	remove := func(file, header string) func(map[string]string) {
		f, b := block(file, header)
		return edit(f, b, "")
	}
	for _, tc := range []struct {
		name   string
		change func(root map[string]string)
		module func(mod map[string]string)
		replay bool
		below  bool // the module's instance replayed too
		// how many blocks of the module's instance are replayed (when not
		// 0), those on moved lines too: their rules name the call, which
		// did not move (the module's first block builds the evaluation
		// context, which no record holds: it is extracted again)
		wantBelow int
	}{
		{name: "a rule removed", change: remove("rules.tf", `resource "aws_security_group_rule" "ssh_world"`), replay: true, below: true},
		{name: "a rule narrowed", change: edit("rules.tf", `cidr_blocks       = ["0.0.0.0/0"]`, `cidr_blocks       = ["10.0.0.0/8"]`), replay: true, below: true},
		{name: "a subnet's block", change: edit("net.tf", `cidrsubnet(local.vpc_cidr, 8, 1)`, `cidrsubnet(local.vpc_cidr, 8, 2)`), replay: true, below: true},
		{name: "a local read by groups", change: edit("main.tf", `"10.9.0.0/24"`, `"10.8.0.0/24"`), replay: true, below: true},
		// most of the root reads it: extracted whole
		{name: "a local read by a module and the network", change: edit("main.tf", `"10.0.0.0/16"`, `"10.1.0.0/16"`)},
		{name: "a variable's default", change: edit("main.tf", `[8080, 8443]`, `[8080]`), replay: true, below: true},
		{name: "a condition", change: edit("main.tf", `default = true`, `default = false`), replay: true, below: true},
		{name: "a group renamed", change: func(root map[string]string) {
			// net.tf and mod.tf still name the old group
			root["rules.tf"] = strings.ReplaceAll(root["rules.tf"], "aws_security_group.db", "aws_security_group.data")
			edit("groups.tf", `"aws_security_group" "db"`, `"aws_security_group" "data"`)(root)
		}, replay: true, below: true},
		{name: "a block added", change: func(root map[string]string) {
			root["rules.tf"] += `
resource "aws_security_group_rule" "late" {
  type              = "egress"
  security_group_id = aws_security_group.web.id
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}
`
		}, replay: true, below: true},
		{name: "a block moved to another file", change: func(root map[string]string) {
			f, b := block("rules.tf", `resource "aws_vpc_security_group_egress_rule" "dns"`)
			edit(f, b, "")(root)
			root["net.tf"] += b
		}, replay: true, below: true},
		// blocks that read the group's id are the same: replayed
		{name: "a group's inline rule narrowed", change: edit("groups.tf", `cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    protocol    = "tcp"
    from_port   = 9100`, `cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    protocol    = "tcp"
    from_port   = 9100`), replay: true, below: true},
		{name: "a group's name", change: edit("groups.tf", `name        = "web"`, `name        = "web2"`), replay: true, below: true},
		{name: "a group's count", change: edit("groups.tf", `count       = var.enabled ? 1 : 0`, `count       = var.enabled ? 2 : 0`),
			replay: true, below: true},
		{name: "a module argument", change: edit("mod.tf", `cidr   = local.vpc_cidr`, `cidr   = "10.7.0.0/16"`), replay: true},
		{name: "an error fixed", change: edit("rules.tf", `"sideways"`, `"egress"`), replay: true, below: true},
		{name: "a warning added", change: edit("groups.tf", `name   = "db"`, `name   = var.missing`), replay: true, below: true},
		{name: "the whole type read", change: remove("rules.tf", `resource "aws_security_group_rule" "bad"`), replay: true, below: true},
		{name: "an ACL entry removed", change: remove("net.tf", `resource "aws_network_acl_rule" "deny_ssh"`), replay: true, below: true},
		{name: "an interface's attachment removed", change: remove("net.tf", `resource "aws_network_interface_sg_attachment" "extra"`), replay: true, below: true},
		{name: "a file only on one side", change: func(root map[string]string) { delete(root, "mod.tf") }, replay: true},
		{name: "a local's lines shifted", change: edit("main.tf", "\nlocals {\n  admins", "\n\n\nlocals {\n  admins"), replay: true, below: true},
		{name: "lines shifted", change: edit("groups.tf", "\nresource \"aws_security_group\" \"web\"", "\n\n\n# web\nresource \"aws_security_group\" \"web\""), replay: true, below: true},
		// the module's group and what reads it, in the module and in the
		// root (module.m.id), are extracted again
		{name: "the module", module: edit("main.tf", `from_port   = 80`, `from_port   = 81`), replay: true, below: true},
		{name: "a module's rule", module: edit("main.tf", `from_port         = 443`, `from_port         = 444`), replay: true, below: true},
		{name: "a module's output", module: edit("main.tf", `value = aws_security_group.m.id`, `value = aws_security_group.m.name`), replay: true, below: true},
		{name: "a module's lines shifted", module: edit("main.tf", "}\nresource \"aws_security_group\" \"n\"", "}\n\n\nresource \"aws_security_group\" \"n\""),
			replay: true, below: true, wantBelow: 2},
		{name: "a module's rule removed", module: func(m map[string]string) {
			// the old side has a rule the new one lacks, above the others
			edit("main.tf", "resource \"aws_security_group_rule\" \"m_out\"", `resource "aws_security_group_rule" "m_extra" {
  type              = "ingress"
  security_group_id = aws_security_group.m.id
  protocol          = "tcp"
  from_port         = 8080
  to_port           = 8080
  cidr_blocks       = [var.cidr]
}
resource "aws_security_group_rule" "m_out"`)(m)
		}, replay: true, below: true, wantBelow: 2},
		// every block reads it
		{name: "a module's variable", module: edit("main.tf", `variable "cidr" {}`, `variable "cidr" { default = "10.0.0.0/8" }`), replay: true},
		{name: "a module's file added", module: func(m map[string]string) { m["extra.tf"] = `output "extra" { value = var.cidr }` + "\n" }, replay: true, below: true},
		{name: "a variable file", change: edit("x.auto.tfvars", `sg-0123456789abcdef0`, `sg-0fedcba9876543210`)},
		{name: "the provider", change: edit("main.tf", `"eu-west-1"`, `"eu-west-2"`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oldRoot, oldMod := maps.Clone(replayRoot), maps.Clone(replayModule)
			if tc.change != nil {
				tc.change(oldRoot)
			}
			if tc.module != nil {
				tc.module(oldMod)
			}
			old, new := map[string]string{}, map[string]string{}
			for name, src := range oldRoot {
				old["x/old/a/"+name] = src
			}
			for name, src := range replayRoot {
				new["x/new/a/"+name] = src
			}
			for name, src := range oldMod {
				old["x/old/mods/m/"+name] = src
			}
			for name, src := range replayModule {
				new["x/new/mods/m/"+name] = src
			}
			cache, want, wantDiags := mirroredMatchesAlone(t, old, new)
			if tc.replay != (cache.replayed > 0) {
				t.Errorf("%d blocks replayed", cache.replayed)
			}
			if tc.below != (cache.replayedBelow > 0) {
				t.Errorf("%d blocks of the module's instance replayed", cache.replayedBelow)
			}
			if tc.wantBelow > 0 && cache.replayedBelow != tc.wantBelow {
				t.Errorf("%d blocks of the module's instance replayed, not %d", cache.replayedBelow, tc.wantBelow)
			}
			if len(want.Rules) == 0 || len(wantDiags) == 0 {
				t.Errorf("%d rules, %d diagnostics: the root is not read as meant", len(want.Rules), len(wantDiags))
			}
		})
	}
}

// changedModules is a root calling a module twice (count) that calls
// another, which the root also calls directly, and a module called with
// count = 0 (no instance on either side).
var changedModules = map[string]string{
	"a/main.tf": `
module "outer" {
  source = "../mods/outer"
  count  = 2
  cidr   = "10.0.0.0/16"
}
module "other" {
  source = "../mods/inner"
  cidr   = "10.1.0.0/16"
}
module "off" {
  source = "../mods/off"
  count  = 0
}
resource "aws_security_group" "root" {
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group_rule" "from_outer" {
  type                     = "ingress"
  security_group_id        = aws_security_group.root.id
  protocol                 = "tcp"
  from_port                = 8443
  to_port                  = 8443
  source_security_group_id = module.outer[0].id
}
`,
	"mods/outer/main.tf": `
variable "cidr" {}
locals {
  inner_cidr = var.cidr
}
module "inner" {
  source = "../inner"
  cidr   = local.inner_cidr
}
resource "aws_security_group" "outer" {
  ingress {
    protocol    = "tcp"
    from_port   = 80
    to_port     = 80
    cidr_blocks = [var.cidr]
  }
}
resource "aws_security_group_rule" "to_inner" {
  type                     = "egress"
  security_group_id        = aws_security_group.outer.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = module.inner.id
}
resource "aws_security_group" "plain" {
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}
output "id" {
  value = module.inner.id
}
`,
	"mods/inner/main.tf": `
variable "cidr" {}
resource "aws_security_group" "first" {
  name = "first"
}
resource "aws_security_group" "i" {
  ingress {
    protocol    = "tcp"
    from_port   = 5432
    to_port     = 5432
    cidr_blocks = [var.cidr]
  }
}
resource "aws_security_group" "j" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}
output "id" {
  value = aws_security_group.i.id
}
`,
	"mods/off/main.tf": sshGroup("off", "0.0.0.0/0"),
}

// Where the change is in the modules a root calls, the follower replays
// the blocks of their instances that are the same and read nothing that
// changed, and of the root those that read no call below which a module
// changed; its snapshot and diagnostics are those of a load of its own.
func TestReplayInChangedModules(t *testing.T) {
	edit := editor(t)
	for _, tc := range []struct {
		name   string
		change func(map[string]string)
		below  bool // blocks of the instances must have been replayed
		// at least how many: those on moved lines too, whose rules name
		// the calls above them, which did not move
		wantBelow int
	}{
		{name: "a rule in the inner module", change: edit("mods/inner/main.tf", `from_port   = 22`, `from_port   = 2222`), below: true},
		{name: "the inner module's output", change: edit("mods/inner/main.tf", `value = aws_security_group.i.id`, `value = aws_security_group.j.id`), below: true},
		{name: "the outer module's call of the inner", change: edit("mods/outer/main.tf", `cidr   = local.inner_cidr`, `cidr   = "10.9.0.0/16"`), below: true},
		{name: "what the call of the inner reads", change: edit("mods/outer/main.tf", `inner_cidr = var.cidr`, `inner_cidr = "10.9.0.0/16"`), below: true},
		{name: "the inner module's variable", change: edit("mods/inner/main.tf", `variable "cidr" {}`, `variable "cidr" { default = "10.2.0.0/16" }`), below: true},
		{name: "a block removed from the outer module", change: edit("mods/outer/main.tf", `resource "aws_security_group" "plain" {`, `resource "aws_security_group" "plain2" {`), below: true},
		// i and j of the three instances of the inner module, and plain of
		// the outer module's two (to_inner too, when the modules are not
		// read lazily)
		{name: "lines moved in the inner module", change: edit("mods/inner/main.tf", "}\nresource \"aws_security_group\" \"i\"", "}\n\n\nresource \"aws_security_group\" \"i\""),
			below: true, wantBelow: 8},
		// a module of which the leader made no instance: nothing replayed
		{name: "a module called with count = 0", change: edit("mods/off/main.tf", "0.0.0.0/0", "10.0.0.0/8")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oldTree := maps.Clone(changedModules)
			tc.change(oldTree)
			old, new := map[string]string{}, map[string]string{}
			for name, src := range oldTree {
				old["x/old/"+name] = src
			}
			for name, src := range changedModules {
				new["x/new/"+name] = src
			}
			cache, want, _ := mirroredMatchesAlone(t, old, new)
			if tc.below != (cache.replayedBelow > 0) {
				t.Errorf("%d blocks of instances replayed", cache.replayedBelow)
			}
			if cache.replayedBelow < tc.wantBelow {
				t.Errorf("%d blocks of instances replayed, not %d", cache.replayedBelow, tc.wantBelow)
			}
			if len(want.Rules) < 8 {
				t.Errorf("%d rules: the tree is not read as meant", len(want.Rules))
			}
			// as --base: the same paths, syntax trees kept only for the
			// directories whose files changed
			base, head := map[string]string{}, map[string]string{}
			changedDirs := map[string]bool{}
			for name, src := range oldTree {
				base["x/"+name] = src
				if changedModules[name] != src {
					changedDirs[cacheDir("x/"+name)] = true
				}
			}
			for name, src := range changedModules {
				head["x/"+name] = src
			}
			baseNames, baseRead := memFS(base)
			headNames, headRead := memFS(head)
			wantBase, wantBaseDiags := Load(context.Background(), []string{"x"}, Options{Files: baseNames, ReadFile: baseRead, Env: []string{}})
			cache = NewParseCache()
			cache.Pair()
			cache.KeepTrees(func(dir string) bool { return changedDirs[dir] })
			var gotBase *model.Snapshot
			var gotBaseDiags []model.Diagnostic
			done := make(chan struct{})
			go func() {
				defer close(done)
				gotBase, gotBaseDiags = Load(context.Background(), []string{"x"}, Options{Files: baseNames, ReadFile: baseRead, Env: []string{},
					Parsed: cache, Follow: true})
			}()
			Load(context.Background(), []string{"x"}, Options{Files: headNames, ReadFile: headRead, Env: []string{}, Parsed: cache})
			<-done
			gotBase.Index()
			wantBase.Index()
			if !reflect.DeepEqual(gotBase, wantBase) || !reflect.DeepEqual(gotBaseDiags, wantBaseDiags) {
				t.Errorf("as --base, paired:\n%+v\nalone:\n%+v", gotBase, wantBase)
			}
			if tc.below != (cache.replayedBelow > 0) {
				t.Errorf("as --base: %d blocks of instances replayed", cache.replayedBelow)
			}
			if cache.replayedBelow < tc.wantBelow {
				t.Errorf("as --base: %d blocks of instances replayed, not %d", cache.replayedBelow, tc.wantBelow)
			}
		})
	}
}

// The follower parses its copies of the root's files that differ while
// the leader evaluates the root, and its load takes those trees: the
// result is a load of its own, and nothing parsed ahead is left over.
func TestParseAhead(t *testing.T) {
	old, new := map[string]string{}, map[string]string{}
	for _, name := range []string{"a.tf", "b.tf", "c.tf"} {
		src := sshGroup(strings.TrimSuffix(name, ".tf"), "10.0.0.0/8")
		new["x/new/a/"+name] = src
		if name == "b.tf" {
			src = sshGroup("b", "0.0.0.0/0")
		}
		old["x/old/a/"+name] = src
	}
	// a root that calls a module is parsed before any root is evaluated:
	// the one here is not parsed ahead
	for dir, side := range map[string]map[string]string{"x/old/": old, "x/new/": new} {
		side[dir+"s/m/main.tf"] = `module "l" { source = "../../lib" }` + "\n" + sshGroup("m", "10.0.0.0/8")
		side[dir+"lib/main.tf"] = sshGroup("l", "10.0.0.0/8")
	}
	old["x/old/s/m/main.tf"] = strings.Replace(old["x/old/s/m/main.tf"], "10.0.0.0/8", "0.0.0.0/0", 1)
	cache, _, _ := mirroredMatchesAlone(t, old, new)
	if cache.madeAhead != 1 || cache.takenAhead != 1 || len(cache.ahead) != 0 {
		t.Errorf("%d trees parsed ahead, %d taken (want 1: a/b.tf), %d left", cache.madeAhead, cache.takenAhead, len(cache.ahead))
	}
}

// editor returns edits of a tree: in file, from replaced by to (once).
func editor(t *testing.T) func(file, from, to string) func(map[string]string) {
	return func(file, from, to string) func(map[string]string) {
		return func(tree map[string]string) {
			if !strings.Contains(tree[file], from) {
				t.Fatalf("%s holds no %q", file, from)
			}
			tree[file] = strings.Replace(tree[file], from, to, 1)
		}
	}
}

// mirroredMatchesAlone loads old as a mirrored follower of new and alone,
// fails unless both give the same snapshot and diagnostics, and returns
// the cache and what the load alone gave.
func mirroredMatchesAlone(t *testing.T, old, new map[string]string) (*ParseCache, *model.Snapshot, []model.Diagnostic) {
	t.Helper()
	got, gotDiags, want, wantDiags, cache := mirroredAndAlone(old, new)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("paired:\n%+v\nalone:\n%+v", got, want)
	}
	if !reflect.DeepEqual(gotDiags, wantDiags) {
		t.Errorf("paired:\n%v\nalone:\n%v", gotDiags, wantDiags)
	}
	return cache, want, wantDiags
}

// withLazyModules runs test with every module read lazily (lazyMinBytes
// 0), as modules of 1 MiB or more are.
func withLazyModules(t *testing.T, test func(t *testing.T)) {
	was := lazyMinBytes
	lazyMinBytes = 0
	defer func() { lazyMinBytes = was }()
	test(t)
}

// The paired loads' tests again with every module read lazily on both
// sides: the follower pairs and replays blocks it has not parsed, and its
// snapshot and diagnostics are still those of a load of its own.
func TestPairedLoadsReadLazily(t *testing.T) {
	for _, test := range []struct {
		name string
		f    func(*testing.T)
	}{
		{"ReplayMatchesAlone", TestReplayMatchesAlone},
		{"ReplayInChangedModules", TestReplayInChangedModules},
		{"PairedLoads", TestPairedLoads},
		{"MirroredFollower", TestMirroredFollower},
		{"RootReuse", TestRootReuse},
		{"RootKeptWithItsOwnBytes", TestRootKeptWithItsOwnBytes},
	} {
		t.Run(test.name, func(t *testing.T) { withLazyModules(t, test.f) })
	}
}

// A lazily read block the follower replays is never parsed: of a root
// whose one rule changed, the follower parses that block and the first.
func TestReplayedLazyBlocksNotParsed(t *testing.T) {
	withLazyModules(t, func(t *testing.T) {
		var groups strings.Builder
		for i := range 40 {
			fmt.Fprintf(&groups, "resource \"aws_security_group\" \"g%d\" {\n  name = \"g%d\"\n  ingress {\n    protocol    = \"tcp\"\n    from_port   = %d\n    to_port     = %d\n    cidr_blocks = [\"10.%d.0.0/16\"]\n  }\n}\n\n", i, i, 1000+i, 1000+i, i)
		}
		src := groups.String()
		changed := strings.Replace(src, `cidr_blocks = ["10.7.0.0/16"]`, `cidr_blocks = ["0.0.0.0/0"]`, 1)
		old := map[string]string{"x/old/a/main.tf": changed}
		new := map[string]string{"x/new/a/main.tf": src}
		before := lazyParses.Load()
		cache, want, _ := mirroredMatchesAlone(t, old, new)
		// the leader's 40, the load alone's 40, the follower's two: the
		// changed one, and the first, which builds the module's context
		// and so is not recorded (record)
		if n := lazyParses.Load() - before; n != 82 {
			t.Errorf("%d blocks parsed lazily, want 82", n)
		}
		if cache.replayed != 38 {
			t.Errorf("%d blocks replayed, want 38", cache.replayed)
		}
		// read while the leader evaluated its copy
		if cache.modulesAhead != 1 {
			t.Errorf("%d roots read ahead, want 1", cache.modulesAhead)
		}
		if len(want.Groups) != 40 {
			t.Errorf("%d groups", len(want.Groups))
		}
	})
}

// A follower reads no attributes of the lazily read blocks whose values it
// takes from the leader (seedValues): of 40 groups, it reads those of the
// one that changed, of the one with count, whose expansion it evaluates
// itself, and of the first, which builds the module's context and so is
// not recorded (TestReplayedLazyBlocksNotParsed), and nothing else; its
// snapshot is a load's of its own.
func TestSeededBlocksAttributesNotRead(t *testing.T) {
	withLazyModules(t, func(t *testing.T) {
		var groups strings.Builder
		for i := range 40 {
			count := ""
			if i == 20 {
				count = "  count = 2\n"
			}
			fmt.Fprintf(&groups, "resource \"aws_security_group\" \"g%d\" {\n%s  name = \"g%d\"\n  ingress {\n    protocol    = \"tcp\"\n    from_port   = %d\n    to_port     = %d\n    cidr_blocks = [\"10.%d.0.0/16\"]\n  }\n}\n\n", i, count, i, 1000+i, 1000+i, i)
		}
		src := groups.String() + "resource \"aws_security_group_rule\" \"r\" {\n  type = \"ingress\"\n  security_group_id = aws_security_group.g3.id\n  source_security_group_id = aws_security_group.g20[1].id\n  protocol = \"tcp\"\n  from_port = 22\n  to_port = 22\n}\n"
		changed := strings.Replace(src, `cidr_blocks = ["10.7.0.0/16"]`, `cidr_blocks = ["0.0.0.0/0"]`, 1)
		before := lazyAttrReads.Load()
		_, want, _ := mirroredMatchesAlone(t, map[string]string{"x/old/a/main.tf": changed}, map[string]string{"x/new/a/main.tf": src})
		// the leader's 41, the load alone's 41, the follower's three
		if n := lazyAttrReads.Load() - before; n != 85 {
			t.Errorf("attributes of %d blocks read, want 85", n)
		}
		if len(want.Groups) != 41 {
			t.Errorf("%d groups, want 41", len(want.Groups))
		}
	})
}

// A block that does not parse, read lazily in paired loads, gives both
// sides the diagnostics of a whole parse: the leader keeps nothing of a
// root with such a block for the follower, and the follower's own copy
// loads again parsed whole.
func TestPairedLazyParseError(t *testing.T) {
	withLazyModules(t, func(t *testing.T) {
		ok := sshGroup("ok", "10.0.0.0/8")
		bad := "resource \"aws_security_group\" \"bad\" {\n  name = \n}\n"
		badVar := "variable \"bad\" {\n  default = \n}\n"
		for name, tc := range map[string]struct{ old, new string }{
			"on both sides":       {ok + bad, ok + bad},
			"in the base":         {ok + bad, ok},
			"in the head":         {ok, ok + bad},
			"elsewhere in a root": {ok + bad + sshGroup("c", "10.2.0.0/16"), ok + bad + sshGroup("c", "10.3.0.0/16")},
			"unread, in a module": {ok + "module \"m\" {\n  source = \"../m\"\n  count  = 0\n}\n", ok + "module \"m\" {\n  source = \"../m\"\n  count  = 0\n}\n"},
			// an error outside resource blocks: the file is parsed whole
			"a variable, on both sides": {ok + badVar, ok + badVar},
			"a variable, in the base":   {ok + badVar + sshGroup("c", "10.2.0.0/16"), ok + sshGroup("c", "10.2.0.0/16")},
		} {
			t.Run(name, func(t *testing.T) {
				old := map[string]string{"x/old/a/main.tf": tc.old, "x/old/m/main.tf": bad}
				new := map[string]string{"x/new/a/main.tf": tc.new, "x/new/m/main.tf": bad}
				_, _, wantDiags := mirroredMatchesAlone(t, old, new)
				if !strings.Contains(tc.old, "= \n") && !strings.Contains(tc.old, "module") {
					return
				}
				found := false
				for _, d := range wantDiags {
					found = found || strings.Contains(d.File, "main.tf") && d.Line > 0
				}
				if !found {
					t.Errorf("no parse error reported: %v", wantDiags)
				}
			})
		}
	})
}

// On generated trees of one large root, read lazily on both sides at the
// size lazyMinBytes takes (1 MiB), with a rule removed from every tenth
// service, the follower's snapshot and diagnostics are those of a load of
// its own, and it parses only a few of the blocks.
func TestPairedLazyGeneratedTrees(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 1.2 MB trees three times")
	}
	for _, shape := range []gen.Shape{gen.OneFile, gen.Flat, gen.Module} {
		t.Run(string(shape), func(t *testing.T) {
			dir := t.TempDir()
			if _, err := gen.WriteShape(dir, 4000, shape); err != nil {
				t.Fatal(err)
			}
			old, new := map[string]string{}, map[string]string{}
			size := 0
			err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				src, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(dir, path)
				rel = filepath.ToSlash(rel)
				text := string(src)
				new["x/new/"+rel] = text
				size += len(text)
				for i := 0; i < 4000; i += 10 {
					header := fmt.Sprintf("resource \"aws_security_group_rule\" \"svc%d_db\" {", i)
					if k := strings.Index(text, header); k >= 0 {
						end := k + strings.Index(text[k:], "\n}\n") + 3
						text = text[:k] + text[end:]
					}
				}
				old["x/old/"+rel] = text
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if size < lazyMinBytes {
				t.Fatalf("%d bytes: not read lazily", size)
			}
			before := lazyParses.Load()
			cache, want, _ := mirroredMatchesAlone(t, old, new)
			parsed := lazyParses.Load() - before
			// the leader's blocks (new) and the load alone's (old), each
			// once, and the few the follower extracts
			count := func(tree map[string]string) (n int64) {
				for _, src := range tree {
					n += int64(strings.Count("\n"+src, "\nresource \""))
				}
				return n
			}
			blocks := count(old)
			if mine := parsed - count(new) - blocks; mine < 1 || mine > blocks/10 {
				t.Errorf("the follower parsed %d of %d blocks", mine, blocks)
			}
			if int64(cache.replayed) < blocks*9/10 {
				t.Errorf("%d of %d blocks replayed", cache.replayed, blocks)
			}
			if len(want.Rules) < 3000 {
				t.Errorf("%d rules: the tree is not read as meant", len(want.Rules))
			}
		})
	}
}

// Where only the follower's copy of a root is large enough to be read
// lazily, its blocks are not replayed from the leader's, parsed whole
// (the leader records the references of lazily read blocks alone), and
// the follower's snapshot is still that of a load of its own.
func TestReplayLazyAgainstWhole(t *testing.T) {
	var b strings.Builder
	for i := range 10 {
		fmt.Fprintf(&b, "resource \"aws_security_group\" \"g%d\" {\n  name = \"g%d\"\n}\n\n", i, i)
		fmt.Fprintf(&b, "resource \"aws_instance\" \"i%d\" {\n  vpc_security_group_ids = [aws_security_group.g%d.id]\n}\n\n", i, i)
	}
	src := b.String()
	old := map[string]string{"x/old/a/main.tf": src + sshGroup("c", "10.2.0.0/16")}
	new := map[string]string{"x/new/a/main.tf": src}
	was := lazyMinBytes
	lazyMinBytes = len(src) + 1
	defer func() { lazyMinBytes = was }()
	before := lazyParses.Load()
	cache, want, _ := mirroredMatchesAlone(t, old, new)
	if lazyParses.Load() == before {
		t.Error("the follower's copy is not read lazily")
	}
	if cache.replayed != 0 {
		t.Errorf("%d blocks replayed", cache.replayed)
	}
	if len(want.Groups) != 11 {
		t.Errorf("%d groups", len(want.Groups))
	}
}

// A resource whose text changed but not its count or for_each changes
// only what reads more of it than its address makes, or an attribute its
// value holds (refAttrs) that changed or reads what changed: the blocks
// that read its id stay the same, and are replayed.
func TestChangedNamesShallow(t *testing.T) {
	base := map[string]string{
		"x/main.tf": `locals {
  net = "10.0.0.0/16"
}
resource "aws_vpc" "this" {
  count      = 1
  cidr_block = local.net
  tags       = { Name = "a" }
}
resource "aws_subnet" "by_id" {
  vpc_id = aws_vpc.this[0].id
}
resource "aws_subnet" "by_splat" {
  vpc_id = one(aws_vpc.this[*].id)
}
resource "aws_subnet" "by_default" {
  vpc_id = aws_vpc.this[0].default_security_group_id
}
resource "aws_subnet" "by_cidr" {
  cidr_block = aws_vpc.this[0].cidr_block
}
resource "aws_subnet" "by_whole" {
  for_each = { for k, v in aws_vpc.this : k => v }
}
resource "aws_subnet" "by_other" {
  availability_zone = aws_vpc.this[0].instance_tenancy
}
resource "aws_security_group" "reads_subnet" {
  vpc_id = aws_subnet.by_cidr.vpc_id
}
`,
	}
	for i := range 10 { // unrelated: fewer than half the declarations change
		base["x/main.tf"] += fmt.Sprintf("resource \"aws_eip\" \"e%d\" {}\n", i)
	}
	load := func(t *testing.T, files map[string]string) *module {
		names, read := memFS(files)
		m, diags := parseModule(names, read, nil, func(s string) string { return s }, false)
		if m == nil || len(diags) > 0 {
			t.Fatalf("parse: %v", diags)
		}
		return m
	}
	for _, tc := range []struct {
		name, from, to string
		changed        []string // resources changed besides aws_vpc.this
	}{
		{"a tag", `Name = "a"`, `Name = "b"`, []string{"by_whole"}},
		{"a comment", `count      = 1`, `count      = 1 # one`, []string{"by_whole"}},
		{"an attribute its value holds", `cidr_block = local.net`, `cidr_block = "10.1.0.0/16"`,
			[]string{"by_cidr", "by_whole", "reads_subnet"}},
		// the same text reading what changed: changed in full
		{"what it reads", `net = "10.0.0.0/16"`, `net = "10.2.0.0/16"`,
			[]string{"by_id", "by_splat", "by_default", "by_cidr", "by_whole", "by_other", "reads_subnet"}},
		{"its instances", `count      = 1`, `count      = 2`,
			[]string{"by_id", "by_splat", "by_default", "by_cidr", "by_whole", "by_other", "reads_subnet"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edited := map[string]string{"x/main.tf": strings.Replace(base["x/main.tf"], tc.from, tc.to, 1)}
			if edited["x/main.tf"] == base["x/main.tf"] {
				t.Fatal("no edit")
			}
			mc, ok := changedNames(load(t, base), load(t, edited), func(s string) string { return s }, nameSet{})
			if !ok {
				t.Fatal("not compared")
			}
			var got []string
			for _, typ := range []string{"aws_subnet", "aws_security_group"} {
				for name := range mc.changed[typ] {
					got = append(got, name)
				}
			}
			sort.Strings(got)
			want := slices.Sorted(slices.Values(tc.changed))
			if !slices.Equal(got, want) || !mc.changed["aws_vpc"]["this"] {
				t.Errorf("changed %v (aws_vpc.this %v), want %v", got, mc.changed["aws_vpc"]["this"], want)
			}
		})
	}
}
