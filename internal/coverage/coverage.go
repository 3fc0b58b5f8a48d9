// Package coverage checks that a load accounts for every security group and
// network ACL rule block of a tree: each is matched, by file and line, to a
// rule or NACL entry of the snapshot (what explain lists), to a block the
// configuration creates nothing of, or to a diagnostic inside the resource
// that declares it. A block matched by none was dropped in silence.
package coverage

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/sgcheck/sgcheck/model"
)

// Block is one rule-declaring block of the source.
type Block struct {
	File       string
	Start, End int // the block's lines
	// ResStart, ResEnd are the lines of the resource that holds it.
	ResStart, ResEnd int
	What             string // e.g. aws_security_group.web ingress
}

func (b Block) String() string { return fmt.Sprintf("%s:%d-%d %s", b.File, b.Start, b.End, b.What) }

var standalone = map[string]bool{"aws_security_group_rule": true, "aws_vpc_security_group_ingress_rule": true,
	"aws_vpc_security_group_egress_rule": true, "aws_network_acl_rule": true}

var inline = map[string]bool{"aws_security_group": true, "aws_default_security_group": true,
	"aws_network_acl": true, "aws_default_network_acl": true}

// RuleBlocks lists the rule-declaring blocks of the .tf files under dir
// (hidden and .terraform directories skipped, as a load does): standalone
// rule resources, inline and dynamic ingress/egress blocks, and non-empty
// ingress/egress list attributes.
func RuleBlocks(dir string) ([]Block, error) {
	var out []Block
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".tf") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, diags := hclsyntax.ParseConfig(src, filepath.Clean(path), hcl.InitialPos)
		if diags.HasErrors() {
			return nil // reported as an input error by the load
		}
		for _, res := range f.Body.(*hclsyntax.Body).Blocks {
			if res.Type != "resource" || len(res.Labels) != 2 {
				continue
			}
			typ := res.Labels[0]
			name := typ + "." + res.Labels[1]
			rs, re := res.Range().Start.Line, res.Range().End.Line
			add := func(r hcl.Range, what string) {
				out = append(out, Block{File: filepath.Clean(path), Start: r.Start.Line, End: r.End.Line,
					ResStart: rs, ResEnd: re, What: what})
			}
			switch {
			case standalone[typ]:
				add(res.Range(), name)
			case inline[typ]:
				for _, b := range res.Body.Blocks {
					if b.Type == "ingress" || b.Type == "egress" {
						add(b.Range(), name+" "+b.Type)
					}
					if b.Type == "dynamic" && len(b.Labels) == 1 && (b.Labels[0] == "ingress" || b.Labels[0] == "egress") {
						add(b.Range(), name+" dynamic "+b.Labels[0])
					}
				}
				for _, a := range res.Body.Attributes {
					if a.Name != "ingress" && a.Name != "egress" {
						continue
					}
					if t, ok := a.Expr.(*hclsyntax.TupleConsExpr); ok && len(t.Exprs) == 0 {
						continue
					}
					add(a.Range(), name+" "+a.Name+" (attribute)")
				}
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Start < out[j].Start
	})
	return out, err
}

// Unmatched returns the rule blocks under dir that the load accounted for
// in no way.
func Unmatched(dir string, snap *model.Snapshot, diags []model.Diagnostic) ([]Block, error) {
	blocks, err := RuleBlocks(dir)
	if err != nil {
		return nil, err
	}
	covered := map[string][]span{} // file → spans of what the load produced
	point := map[string][]int{}    // file → lines of diagnostics
	cover := func(s model.Source) {
		if s.File == "" {
			return
		}
		end := s.EndLine
		if end < s.StartLine {
			end = s.StartLine
		}
		f := filepath.Clean(s.File)
		covered[f] = append(covered[f], span{s.StartLine, end})
	}
	for _, r := range snap.Rules {
		cover(r.Source)
	}
	for _, n := range snap.NACLs {
		for _, e := range n.Entries {
			cover(e.Source)
		}
		for _, u := range n.Unknown {
			cover(u.Source)
		}
	}
	for _, a := range snap.Absent {
		cover(a.Source)
	}
	for _, d := range diags {
		if d.File != "" {
			f := filepath.Clean(d.File)
			point[f] = append(point[f], d.Line)
		}
	}
	var out []Block
	for _, b := range blocks {
		if !overlaps(covered[b.File], b.Start, b.End) && !within(point[b.File], b.ResStart, b.ResEnd) {
			out = append(out, b)
		}
	}
	return out, nil
}

type span struct{ start, end int }

func overlaps(spans []span, start, end int) bool {
	for _, s := range spans {
		if s.start <= end && s.end >= start {
			return true
		}
	}
	return false
}

func within(lines []int, start, end int) bool {
	for _, l := range lines {
		if l >= start && l <= end {
			return true
		}
	}
	return false
}
