// Package gen writes synthetic Terraform trees shaped like a large
// infrastructure repository, for benchmarks: groups with inline and
// standalone rules, variables, locals, dynamic blocks, instances and NACLs.
package gen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RulesPerFile is how many security group rules one generated service
// holds.
const RulesPerFile = 10

// Shape is the layout and content of a generated tree. Every shape holds
// the same services (about RulesPerFile rules each); they differ in how
// files, folders and modules hold them and in what the rules admit.
type Shape string

const (
	// Stacks: root modules of 50 files, one service per file, every group
	// attached to an instance; 3 findings per 100 rules.
	Stacks Shape = "stacks"
	// OneRoot: one root module of 200 files, groups without attachments.
	OneRoot Shape = "one-root"
	// OneFile: one root module, every service in one file.
	OneFile Shape = "one-file"
	// Flat: one root module, one file per service (1,000 files at 10k rules).
	Flat Shape = "flat"
	// Module: the services in one module instance, three calls deep.
	Module Shape = "module"
	// Open: Stacks with every narrow range replaced by 0.0.0.0/0: many findings.
	Open Shape = "open"
	// Quiet: Stacks without anything to report.
	Quiet Shape = "quiet"
	// Examples: a shared module of 50 services (fewer in a small tree)
	// with hundreds of variables and outputs, called by example roots (20
	// at 10k rules), as public module repositories are laid out.
	Examples Shape = "examples"
)

// Shapes lists every shape, in the order the benchmarks run them.
var Shapes = []Shape{Stacks, OneRoot, OneFile, Flat, Module, Open, Quiet, Examples}

// Write creates a Stacks tree under dir with about rules security group
// rules. It returns the number of files written.
func Write(dir string, rules int) (int, error) { return WriteShape(dir, rules, Stacks) }

// WriteShape creates a tree of the shape under dir with about rules
// security group rules and returns the number of files written.
func WriteShape(dir string, rules int, shape Shape) (int, error) {
	services := (rules + RulesPerFile - 1) / RulesPerFile
	o := options{attach: shape != OneRoot, open: shape == Open, quiet: shape == Quiet}
	files := 0
	write := func(path, src string) error {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		files++
		return os.WriteFile(path, []byte(src), 0o644)
	}
	vars := variables
	if o.open {
		vars = strings.NewReplacer("198.51.100.0/24", "0.0.0.0/0", "203.0.113.0/24", "0.0.0.0/0").Replace(vars)
	}
	root := dir
	switch shape {
	case Examples:
		return files, writeExamples(dir, services, o, write)
	case Module:
		// root → a → b → c, which holds the services
		calls := []string{"a", "b", "c"}
		for _, name := range calls {
			src := fmt.Sprintf("module %q {\n  source = \"./%s\"\n}\n", name, name)
			if err := write(filepath.Join(root, "main.tf"), src); err != nil {
				return 0, err
			}
			root = filepath.Join(root, name)
		}
	}
	switch shape {
	case OneFile:
		var b strings.Builder
		b.WriteString(vars)
		for i := 0; i < services; i++ {
			b.WriteString(service(i, o))
		}
		return files, write(filepath.Join(root, "main.tf"), b.String())
	case OneRoot:
		perFile := (services + 199) / 200
		if err := write(filepath.Join(root, "variables.tf"), vars); err != nil {
			return 0, err
		}
		for f := 0; f*perFile < services; f++ {
			var b strings.Builder
			for i := f * perFile; i < min(services, (f+1)*perFile); i++ {
				b.WriteString(service(i, o))
			}
			if err := write(filepath.Join(root, fmt.Sprintf("svc%04d.tf", f)), b.String()); err != nil {
				return 0, err
			}
		}
		return files, nil
	case Flat, Module:
		if err := write(filepath.Join(root, "variables.tf"), vars); err != nil {
			return 0, err
		}
		for i := 0; i < services; i++ {
			if err := write(filepath.Join(root, fmt.Sprintf("svc%04d.tf", i)), service(i, o)); err != nil {
				return 0, err
			}
		}
		return files, nil
	}
	for i := 0; i < services; i++ {
		sub := filepath.Join(root, fmt.Sprintf("stack%03d", i/50))
		if i%50 == 0 {
			if err := write(filepath.Join(sub, "variables.tf"), vars); err != nil {
				return 0, err
			}
		}
		if err := write(filepath.Join(sub, fmt.Sprintf("svc%04d.tf", i)), service(i, o)); err != nil {
			return 0, err
		}
	}
	return files, nil
}

// options say what a service holds.
type options struct {
	attach bool // an instance attaches the group
	open   bool // narrow ranges are 0.0.0.0/0
	quiet  bool // nothing to report
}

const variables = `variable "office_cidrs" {
  type    = list(string)
  default = ["198.51.100.0/24", "203.0.113.0/24"]
}

variable "app_ports" {
  type    = list(number)
  default = [8080, 8443]
}

locals {
  vpc_cidr  = "10.0.0.0/16"
  monitoring = cidrsubnet(local.vpc_cidr, 8, 200)
}
`

// service is one service: a group with inline rules (two of them from a
// dynamic block over a variable), a second group with standalone rules and
// a VPC rule resource, an instance with both, a subnet and its NACL. Every tenth service also admits SSH from
// the office ranges and ping from anywhere, so the tree has findings to
// report (SGC003 and SGC006, 3 per 100 rules).
func service(i int, o options) string {
	var b strings.Builder
	monitoring := "local.monitoring"
	if o.open {
		monitoring = `"0.0.0.0/0"`
	}
	fmt.Fprintf(&b, `resource "aws_security_group" "svc%[1]d" {
  name        = "svc%[1]d"
  description = "service %[1]d"
  vpc_id      = "vpc-0a1b2c3d"

  ingress {
    description = "https"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "monitoring"
    protocol    = "tcp"
    from_port   = 9100
    to_port     = 9100
    cidr_blocks = [%[2]s]
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

  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "svc%[1]d_data" {
  name        = "svc%[1]d-data"
  description = "service %[1]d data access"
  vpc_id      = "vpc-0a1b2c3d"
}

resource "aws_security_group_rule" "svc%[1]d_db" {
  type                     = "ingress"
  security_group_id        = aws_security_group.svc%[1]d_data.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = aws_security_group.svc%[1]d.id
}

resource "aws_vpc_security_group_ingress_rule" "svc%[1]d_peer" {
  security_group_id            = aws_security_group.svc%[1]d_data.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.svc%[1]d.id
}
`, i, monitoring)
	if i%10 == 0 && !o.quiet {
		fmt.Fprintf(&b, `
resource "aws_security_group_rule" "svc%[1]d_office" {
  type              = "ingress"
  security_group_id = aws_security_group.svc%[1]d_data.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = var.office_cidrs
}

resource "aws_security_group_rule" "svc%[1]d_ping" {
  type              = "ingress"
  security_group_id = aws_security_group.svc%[1]d_data.id
  protocol          = "icmp"
  from_port         = 8
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}
`, i)
	} else {
		fmt.Fprintf(&b, `
resource "aws_vpc_security_group_egress_rule" "svc%[1]d_dns" {
  security_group_id = aws_security_group.svc%[1]d_data.id
  ip_protocol       = "udp"
  from_port         = 53
  to_port           = 53
  cidr_ipv4         = "10.0.0.2/32"
}
`, i)
	}
	fmt.Fprintf(&b, `
resource "aws_subnet" "svc%[1]d" {
  vpc_id     = "vpc-0a1b2c3d"
  cidr_block = cidrsubnet(local.vpc_cidr, 8, %[2]d)
}

resource "aws_network_acl" "svc%[1]d" {
  vpc_id     = "vpc-0a1b2c3d"
  subnet_ids = [aws_subnet.svc%[1]d.id]

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 443
    to_port    = 443
    cidr_block = "0.0.0.0/0"
  }

  ingress {
    rule_no    = 110
    action     = "allow"
    protocol   = "-1"
    from_port  = 0
    to_port    = 0
    cidr_block = local.vpc_cidr
  }

  ingress {
    rule_no    = 120
    action     = "allow"
    protocol   = "tcp"
    from_port  = 1024
    to_port    = 65535
    cidr_block = "0.0.0.0/0"
  }

  ingress {
    rule_no    = 130
    action     = "allow"
    protocol   = "udp"
    from_port  = 1024
    to_port    = 65535
    cidr_block = "0.0.0.0/0"
  }

  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    from_port  = 0
    to_port    = 0
    cidr_block = "0.0.0.0/0"
  }
}
`, i, i%250)
	if o.attach {
		fmt.Fprintf(&b, `
resource "aws_instance" "svc%[1]d" {
  ami                    = "ami-0abcdef1234567890"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.svc%[1]d.id
  vpc_security_group_ids = [aws_security_group.svc%[1]d.id, aws_security_group.svc%[1]d_data.id]
}
`, i)
	}
	return b.String()
}

// examplesServices is how many services the shared module of the Examples
// shape holds; the number of example roots makes up the size.
const examplesServices = 50

// examplesSettings is how many settings variables the shared module
// declares besides the ones its services read.
const examplesSettings = 200

// writeExamples writes the Examples shape: modules/services, whose
// services take their names and VPC from variables, declares
// examplesSettings more variables and an output per group, and
// examples/NNN call it, each with its own name.
func writeExamples(dir string, services int, o options, write func(path, src string) error) error {
	mod := filepath.Join(dir, "modules", "services")
	var b strings.Builder
	b.WriteString(variables)
	b.WriteString("\nvariable \"name\" {\n  type = string\n}\n\nvariable \"vpc_id\" {\n  type    = string\n  default = \"vpc-0a1b2c3d\"\n}\n")
	for i := 0; i < examplesSettings; i++ {
		fmt.Fprintf(&b, "\nvariable \"setting_%03d\" {\n  description = \"setting %d\"\n  type        = string\n  default     = \"value-%d\"\n}\n", i, i, i)
	}
	if err := write(filepath.Join(mod, "variables.tf"), b.String()); err != nil {
		return err
	}
	b.Reset()
	named := strings.NewReplacer(`vpc_id      = "vpc-0a1b2c3d"`, `vpc_id      = var.vpc_id`, `vpc_id     = "vpc-0a1b2c3d"`, `vpc_id     = var.vpc_id`)
	per := min(examplesServices, services)
	for i := 0; i < per; i++ {
		src := strings.Replace(service(i, o), fmt.Sprintf(`name        = "svc%d"`, i), fmt.Sprintf(`name        = "${var.name}-svc%d"`, i), 1)
		if err := write(filepath.Join(mod, fmt.Sprintf("svc%04d.tf", i)), named.Replace(src)); err != nil {
			return err
		}
		fmt.Fprintf(&b, "output \"svc%[1]d_id\" {\n  value = try(aws_security_group.svc%[1]d.id, null)\n}\n\n", i)
	}
	for i := 0; i < examplesSettings; i += 2 {
		fmt.Fprintf(&b, "output \"setting_%03[1]d\" {\n  value = var.setting_%03[1]d\n}\n\n", i)
	}
	if err := write(filepath.Join(mod, "outputs.tf"), b.String()); err != nil {
		return err
	}
	for e := 0; e*per < services; e++ {
		src := fmt.Sprintf(`module "services" {
  source = "../../modules/services"

  name        = "example-%[1]d"
  setting_000 = "example-%[1]d"
}

output "first_group" {
  value = module.services.svc0_id
}
`, e)
		if err := write(filepath.Join(dir, "examples", fmt.Sprintf("ex%03d", e), "main.tf"), src); err != nil {
			return err
		}
	}
	return nil
}
