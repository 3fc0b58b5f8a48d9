# METADATA
# title: Administration port open to the world
# description: >-
#   The ingress rules of an attachment admit SSH (22), RDP (3389), Telnet
#   (23) or WinRM (5985, 5986) from every address: one rule open to
#   0.0.0.0/0 or ::/0, or several whose ranges add up to it (0.0.0.0/1 and
#   128.0.0.0/1). Administration ports belong behind a bastion, a VPN or
#   Session Manager, admitted from the ranges that need them. One finding
#   per set of rules, naming every port; a rule open on every port is
#   SGC201's.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
#     description: Security group rules
# custom:
#   id: SGC202
#   severity: HIGH
#   peers:
#     - checkov CKV_AWS_24
#     - checkov CKV_AWS_25
#     - Trivy AWS-0107
#     - KICS 65905cec-d691-4320-b320-2000436cb696
#     - KICS 151187cb-0efc-481c-babd-ad24e3c9bc22
package sgcheck.rules.sgc202

import data.sgcheck.lib

findings := lib.exposure_findings("admin")
