package analyzer

import (
	"regexp"
	"strings"
	"time"
)

// Teams that move to sgcheck from checkov, Trivy or tfsec keep the
// exceptions they reviewed there as inline comments:
//
//	#checkov:skip=CKV_AWS_24:bastion, reviewed 2026-11
//	#trivy:ignore:AVD-AWS-0107
//	#tfsec:ignore:aws-ec2-no-public-ingress-sgr:exp:2027-01-01
//
// Such a comment, where an sgcheck:ignore would be (the line before the
// finding's block or any line of it), suppresses the sgcheck checks whose
// peers (custom.peers of the policy) name the same check; the finding is
// reported as suppressed, with the comment as its reason.

// PeerIgnores maps the ids other scanners' comments name, in lower case
// (checkov "ckv_aws_24"; Trivy and tfsec "avd-aws-0107" and the check's
// long names, "aws-ec2-no-public-ingress-sgr"), to the sgcheck checks that
// are their equivalents.
type PeerIgnores map[string][]string

// trivyNames are the long names Trivy and tfsec give the checks that
// sgcheck's peers name by AVD id (tfsec's older names start aws-vpc-, and
// before 0.63 it named the inline-rule variants of the -sgr checks -sg).
var trivyNames = map[string][]string{
	"AWS-0099": {"add-description-to-security-group"},
	"AWS-0124": {"add-description-to-security-group-rule"},
	"AWS-0102": {"no-excessive-port-access"},
	"AWS-0104": {"no-public-egress-sgr", "no-public-egress-sg"},
	"AWS-0105": {"no-public-ingress-acl"},
	"AWS-0107": {"no-public-ingress-sgr", "no-public-ingress-sg"},
}

// PeerIgnoresOf maps the peers the policies name.
func PeerIgnoresOf(policies []PolicyMeta) PeerIgnores {
	out := PeerIgnores{}
	add := func(key, id string) {
		key = strings.ToLower(key)
		for _, have := range out[key] {
			if have == id {
				return
			}
		}
		out[key] = append(out[key], id)
	}
	for _, p := range policies {
		for _, peer := range p.Peers {
			tool, id, ok := strings.Cut(peer, " ")
			if !ok {
				continue
			}
			switch strings.ToLower(tool) {
			case "checkov":
				add(id, p.ID)
			case "trivy":
				add("AVD-"+id, p.ID)
				for _, name := range trivyNames[strings.ToUpper(id)] {
					add("aws-ec2-"+name, p.ID)
					add("aws-vpc-"+name, p.ID)
				}
			}
		}
	}
	return out
}

// peerIgnoreRe matches one comment of another scanner: tool, id, and the
// rest (checkov's reason; Trivy's and tfsec's options such as :exp:DATE).
var peerIgnoreRe = regexp.MustCompile(`(?i)\b(tfsec|trivy):ignore:([A-Za-z0-9_-]+)((?::[a-z]+:[^\s:]+)*)|\b(checkov):skip=([A-Za-z0-9_]+)(?::([^#]*))?`)

// scan reads the other scanners' comments on one line that name a check
// with an equivalent in sgcheck.
func (p PeerIgnores) scan(text string, line int) []ignore {
	hash := strings.IndexAny(text, "#/")
	if hash < 0 {
		return nil
	}
	var out []ignore
	for _, m := range peerIgnoreRe.FindAllStringSubmatchIndex(text[hash:], -1) {
		part := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return text[hash+m[2*i] : hash+m[2*i+1]]
		}
		tool, id, opts, reason := strings.ToLower(part(1)), part(2), part(3), ""
		if tool == "" {
			tool, id, reason = strings.ToLower(part(4)), part(5), strings.TrimSpace(part(6))
		}
		ids := p[strings.ToLower(id)]
		if len(ids) == 0 {
			continue
		}
		ig := ignore{ids: map[string]bool{}, values: map[string][]string{}, reason: reason, line: line}
		if tool == "checkov" {
			ig.peer = "checkov:skip=" + id
		} else {
			ig.peer = tool + ":ignore:" + id
			if _, rest, ok := strings.Cut(opts, ":exp:"); ok {
				date, _, _ := strings.Cut(rest, ":")
				if _, err := time.Parse(time.DateOnly, date); err == nil {
					ig.expires = date
				}
			}
		}
		for _, sid := range ids {
			ig.ids[sid] = true
		}
		out = append(out, ig)
	}
	return out
}

// span is a top-level block's first and last lines.
type span struct{ start, end int }

// topLevelStart matches the first line of a top-level block as terraform
// fmt writes it.
var topLevelStart = regexp.MustCompile(`^(resource|data|module)\s`)

// topBlocks finds the top-level resource, data and module blocks of a
// file written as terraform fmt writes it: from a line that starts one to
// the next line that is a lone "}". A file written otherwise gives fewer
// blocks, and its comments cover what sgcheck:ignore's would.
func topBlocks(src []byte) []span {
	var out []span
	start := 0
	for i, l := range strings.Split(string(src), "\n") {
		line := strings.TrimRight(l, "\r")
		switch {
		case start == 0 && topLevelStart.MatchString(line) && strings.HasSuffix(strings.TrimSpace(line), "{"):
			start = i + 1
		case start > 0 && line == "}":
			out = append(out, span{start, i + 1})
			start = 0
		}
	}
	return out
}

// blockOf is the block holding line, or the one starting on the next line
// (a comment just above a block).
func blockOf(blocks []span, line int) (span, bool) {
	for _, b := range blocks {
		if (line >= b.start && line <= b.end) || b.start == line+1 {
			return b, true
		}
	}
	return span{}, false
}
