package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestAttributeSyntaxGolden runs every fixture a second time with its
// security group and NACL rule blocks (static and dynamic) rewritten in
// attribute syntax (ingress = [{ … }], Terraform's "attributes as blocks")
// and requires the same JSON scan and explain output, line numbers aside.
func TestAttributeSyntaxGolden(t *testing.T) {
	converted := 0
	for _, dir := range cases(t) {
		tmp := t.TempDir()
		n := copyConverted(t, dir, tmp)
		if n == 0 {
			continue
		}
		converted += n
		t.Run(dir, func(t *testing.T) {
			args := caseArgs(t, dir)
			alt := make([]string, len(args))
			for i, a := range args {
				alt[i] = strings.Replace(a, dir, tmp, 1)
			}
			runs := [][]string{withFlags(args, "--format", "json")}
			altRuns := [][]string{withFlags(alt, "--format", "json")}
			if args[0] == dir {
				runs = append(runs, []string{"explain", "--format", "json", dir})
				altRuns = append(altRuns, []string{"explain", "--format", "json", tmp})
			}
			for i := range runs {
				want, _, wantCode := sgcheck(t, runs[i]...)
				got, _, gotCode := sgcheck(t, altRuns[i]...)
				got = strings.ReplaceAll(got, tmp, dir)
				if wantCode != gotCode || normalise(t, want) != normalise(t, got) {
					t.Errorf("%v: attribute syntax differs from block syntax (exit %d vs %d)\n--- blocks\n%s\n--- attributes\n%s",
						runs[i], wantCode, gotCode, want, got)
				}
			}
		})
	}
	if converted < 10 {
		t.Errorf("only %d rule lists converted: the rewrite is not reaching the fixtures", converted)
	}
}

// normalise drops line numbers and orders findings by fingerprint, since
// the rewrite moves rules to other lines.
func normalise(t *testing.T, out string) string {
	var doc any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				switch k {
				case "start_line", "end_line", "line", "column":
					delete(x, k)
				default:
					x[k] = walk(e)
				}
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
			sort.SliceStable(x, func(i, j int) bool { return fingerprint(x[i]) < fingerprint(x[j]) })
		case string:
			return lineRef.ReplaceAllString(x, "$1:N")
		}
		return v
	}
	raw, _ := json.MarshalIndent(walk(doc), "", " ")
	return string(raw)
}

func fingerprint(v any) string {
	if m, ok := v.(map[string]any); ok {
		if f, ok := m["fingerprint"].(string); ok {
			return f
		}
	}
	return ""
}

var lineRef = regexp.MustCompile(`(\.tf(?:\.json)?):\d+(?:-\d+)?`)

// copyConverted copies dir to tmp, rewriting .tf files; it returns how many
// rule lists it rewrote.
func copyConverted(t *testing.T, dir, tmp string) int {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".tf") {
			var k int
			src, k = toAttributeSyntax(t, path, src)
			n += k
		}
		dst := filepath.Join(tmp, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, src, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var ruleListResources = map[string]bool{"aws_security_group": true, "aws_default_security_group": true,
	"aws_network_acl": true, "aws_default_network_acl": true}

// toAttributeSyntax rewrites the ingress and egress blocks of groups and
// NACLs into one list attribute per type, placed where the first block of
// that type was: static blocks become object constructors (with the comments
// that preceded them), dynamic blocks become for expressions whose iterator
// has the key and value a dynamic block's has.
func toAttributeSyntax(t *testing.T, name string, src []byte) ([]byte, int) {
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return src, 0 // bad-input fixtures stay as they are
	}
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	n := 0
	for _, res := range f.Body.(*hclsyntax.Body).Blocks {
		if res.Type != "resource" || !ruleListResources[res.Labels[0]] {
			continue
		}
		items := map[string][]string{}
		first := map[string]*hclsyntax.Block{}
		prevEnd := res.OpenBraceRange.End.Byte
		type node struct{ start, end int }
		var nodes []node
		for _, a := range res.Body.Attributes {
			nodes = append(nodes, node{a.SrcRange.Start.Byte, a.SrcRange.End.Byte})
		}
		for _, b := range res.Body.Blocks {
			nodes = append(nodes, node{b.TypeRange.Start.Byte, b.CloseBraceRange.End.Byte})
		}
		sort.Slice(nodes, func(i, j int) bool { return nodes[i].start < nodes[j].start })
		prevOf := map[int]int{}
		for _, nd := range nodes {
			prevOf[nd.start] = prevEnd
			prevEnd = nd.end
		}
		blocks := append([]*hclsyntax.Block(nil), res.Body.Blocks...)
		sort.Slice(blocks, func(i, j int) bool { return blocks[i].TypeRange.Start.Byte < blocks[j].TypeRange.Start.Byte })
		for _, b := range blocks {
			typ := b.Type
			if typ == "dynamic" {
				typ = b.Labels[0]
			}
			if typ != "ingress" && typ != "egress" {
				continue
			}
			lead := comments(string(src[prevOf[b.TypeRange.Start.Byte]:b.TypeRange.Start.Byte]))
			var el string
			if b.Type == "dynamic" {
				forEach := b.Body.Attributes["for_each"]
				iter := typ
				if it, ok := b.Body.Attributes["iterator"]; ok {
					iter = strings.TrimSpace(string(src[it.Expr.Range().Start.Byte:it.Expr.Range().End.Byte]))
				}
				var content *hclsyntax.Block
				for _, c := range b.Body.Blocks {
					if c.Type == "content" {
						content = c
					}
				}
				if forEach == nil || content == nil {
					t.Fatalf("%s: dynamic block without for_each or content", name)
				}
				el = fmt.Sprintf("%s[for %s in [for k, v in (%s) : { key = k, value = v }] : %s]", lead, iter,
					src[forEach.Expr.Range().Start.Byte:forEach.Expr.Range().End.Byte],
					src[content.OpenBraceRange.Start.Byte:content.CloseBraceRange.End.Byte])
			} else {
				el = fmt.Sprintf("%s[%s]", lead, src[b.OpenBraceRange.Start.Byte:b.CloseBraceRange.End.Byte])
			}
			items[typ] = append(items[typ], el)
			if first[typ] == nil {
				first[typ] = b
			} else {
				edits = append(edits, edit{prevOf[b.TypeRange.Start.Byte], b.CloseBraceRange.End.Byte, ""})
			}
		}
		for typ, b := range first {
			edits = append(edits, edit{prevOf[b.TypeRange.Start.Byte], b.CloseBraceRange.End.Byte,
				fmt.Sprintf("\n  %s = concat(\n%s\n  )", typ, strings.Join(items[typ], ",\n"))})
			n++
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte(nil), src...)
	for _, e := range edits {
		out = append(out[:e.start:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	return out, n
}

// comments keeps the comment lines of the text between two body items.
func comments(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, "#") || strings.HasPrefix(l, "//") {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}
