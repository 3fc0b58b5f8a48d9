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

// RulesPerFile is how many security group rules one generated file holds.
const RulesPerFile = 10

// Write creates a tree under dir with about rules security group rules, in
// directories of 50 files (each directory a root module). It returns the
// number of files written.
func Write(dir string, rules int) (int, error) {
	files := (rules + RulesPerFile - 1) / RulesPerFile
	for i := 0; i < files; i++ {
		sub := filepath.Join(dir, fmt.Sprintf("stack%03d", i/50))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return 0, err
		}
		if i%50 == 0 {
			if err := os.WriteFile(filepath.Join(sub, "variables.tf"), []byte(variables), 0o644); err != nil {
				return 0, err
			}
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("svc%04d.tf", i)), []byte(file(i)), 0o644); err != nil {
			return 0, err
		}
	}
	return files, nil
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

// file is one service: a group with inline rules (two of them from a
// dynamic block over a variable), standalone rules, a VPC rule resource, an
// instance, a subnet and its NACL. Every tenth service also admits SSH from
// the office ranges and ping from anywhere, so the tree has findings to
// report (SGC003 and SGC006, 3 per 100 rules).
func file(i int) string {
	var b strings.Builder
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

  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group_rule" "svc%[1]d_db" {
  type                     = "ingress"
  security_group_id        = aws_security_group.svc%[1]d.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = aws_security_group.svc%[1]d.id
}

resource "aws_vpc_security_group_ingress_rule" "svc%[1]d_peer" {
  security_group_id            = aws_security_group.svc%[1]d.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.svc%[1]d.id
}
`, i)
	if i%10 == 0 {
		fmt.Fprintf(&b, `
resource "aws_security_group_rule" "svc%[1]d_office" {
  type              = "ingress"
  security_group_id = aws_security_group.svc%[1]d.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = var.office_cidrs
}

resource "aws_security_group_rule" "svc%[1]d_ping" {
  type              = "ingress"
  security_group_id = aws_security_group.svc%[1]d.id
  protocol          = "icmp"
  from_port         = 8
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}
`, i)
	} else {
		fmt.Fprintf(&b, `
resource "aws_vpc_security_group_egress_rule" "svc%[1]d_dns" {
  security_group_id = aws_security_group.svc%[1]d.id
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

resource "aws_instance" "svc%[1]d" {
  ami                    = "ami-0abcdef1234567890"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.svc%[1]d.id
  vpc_security_group_ids = [aws_security_group.svc%[1]d.id]
}
`, i, i%250)
	return b.String()
}
