# METADATA
# title: Database, cache or infrastructure port open to the world
# description: >-
#   The ingress rules of an attachment admit a well-known database, cache,
#   file-sharing or infrastructure API port from every address: one rule
#   open to 0.0.0.0/0 or ::/0, or several whose ranges add up to it. These
#   services are attacked as soon as they are reachable; admit them from the
#   application's own groups or ranges. The ports are listed in
#   docs/rules/SGC203.md. One finding per set of rules, naming every port; a
#   rule open on every port is SGC201's.
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
#     description: Security group rules
# custom:
#   id: SGC203
#   severity: HIGH
#   peers:
#     - Trivy AWS-0107
#     - KICS 381c3f2a-ef6f-4eff-99f7-b169cda3422c
package sgcheck.rules.sgc203

import data.sgcheck.lib

findings := lib.exposure_findings("sensitive")
