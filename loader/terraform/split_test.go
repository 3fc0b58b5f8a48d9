package terraform

import (
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// splitEverywhere makes parseNative read every piece of every file as a
// run of its own, in parallel, for the duration of a test.
func splitEverywhere(t *testing.T) {
	minBytes, piece := splitMinBytes, splitPieceBytes
	splitMinBytes, splitPieceBytes = 0, 1
	t.Cleanup(func() { splitMinBytes, splitPieceBytes = minBytes, piece })
}

// A file parsed in pieces is the file parsed whole: the same blocks with
// the same ranges, attributes and expressions, on every configuration of
// the fixtures and the shared corpus, cut before every top-level block.
func TestSplitParseMatchesWholeParse(t *testing.T) {
	splitEverywhere(t)
	files := configFiles(t)
	split := 0
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		compareSplit(t, path, src)
		whole, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
		if n := len(pieceStarts(src)); n > 1 {
			split++
		} else if body := whole.Body.(*hclsyntax.Body); !diags.HasErrors() && len(body.Blocks) > 1 {
			// every valid file of several blocks is cut
			t.Errorf("%s: %d blocks, not cut", path, len(body.Blocks))
		}
	}
	if split < 40 { // the fixtures alone have more (the shared corpus, when present, hundreds)
		t.Errorf("only %d of %d files were cut", split, len(files))
	}
}

func compareSplit(t *testing.T, name string, src []byte) {
	t.Helper()
	whole, wd := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	pieces, pd := parseNative(src, name)
	if wd.HasErrors() {
		// a file with errors is parsed whole, for the whole parse's diagnostics
		if !reflect.DeepEqual(wd, pd) {
			t.Errorf("%s: diagnostics %v, want %v", name, pd, wd)
		}
		return
	}
	if pd.HasErrors() {
		t.Fatalf("%s: %v", name, pd)
	}
	w, p := whole.Body.(*hclsyntax.Body), pieces.Body.(*hclsyntax.Body)
	if !reflect.DeepEqual(w.Blocks, p.Blocks) || len(w.Attributes) != len(p.Attributes) ||
		w.SrcRange != p.SrcRange || w.EndRange != p.EndRange {
		for i := range w.Blocks {
			if i >= len(p.Blocks) || !reflect.DeepEqual(w.Blocks[i], p.Blocks[i]) {
				t.Fatalf("%s: block %d differs: whole %v, pieces %v", name, i, w.Blocks[i].DefRange(), p.Blocks[min(i, len(p.Blocks)-1)].DefRange())
			}
		}
		t.Fatalf("%s: the parse in pieces differs from the whole parse (%d/%d blocks, %v/%v)", name,
			len(p.Blocks), len(w.Blocks), p.SrcRange, w.SrcRange)
	}
}

// The scan for top-level blocks is not fooled by what only looks like one:
// block keywords at the start of a line inside heredocs, quoted strings,
// template sequences, comments and brackets.
func TestSplitParseTrickyFiles(t *testing.T) {
	splitEverywhere(t)
	cases := map[string]string{
		"heredoc": `locals {
  doc = <<EOT
resource "aws_security_group" "fake" {
}
EOT
}
resource "aws_security_group" "real" {}
`,
		"indented heredoc": `locals {
  doc = <<-EOT
    x
resource "aws_security_group" "fake" {
    EOT
}
resource "aws_security_group" "real" {}
`,
		"heredoc with template": `locals {
  doc = <<EOT
${join("}", ["{"])}
resource "x" "y" {
EOT
}
resource "aws_security_group" "real" {}
`,
		"strings and templates": `locals {
  a = "}"
  b = "${"{"}\"}"
  c = "$${x} %%{y}"
  d = { e = "${ { f = "}" }.f }" }
}
resource "aws_security_group" "real" {
  description = "{"
}
`,
		"comments": `# resource "fake" "x" {
// }
/* resource "fake" "y" {
*/
resource "aws_security_group" "real" {
  # }
}
locals {
  /* } */ a = 1
}
`,
		"brackets": `locals {
  list = [
1,
  ]
  obj = {
resource = 1
  }
  call = max(
1, 2)
}
variable "v" {}
`,
		"crlf": "locals {\r\n  a = 1\r\n}\r\nresource \"aws_security_group\" \"g\" {\r\n}\r\n",
		"bom":  "\xef\xbb\xbflocals {\n  a = 1\n}\nresource \"aws_security_group\" \"g\" {}\n",
		"unterminated": `locals {
  a = "x
}
resource "aws_security_group" "g" {}
`,
		"unbalanced":    "locals {\n  a = 1\n}\n}\nresource \"x\" \"y\" {}\n",
		"attribute":     "a = 1\nresource \"x\" \"y\" {}\nb = 2\n",
		"open heredoc":  "locals {\n  a = <<EOT\nx\n}\nresource \"x\" \"y\" {}\n",
		"no newline":    "locals {}\nresource \"x\" \"y\" {}",
		"utf-8":         "locals {\n  é = \"ü\"\n}\nresource \"x\" \"y\" { description = \"日本\" }\n",
		"empty":         "",
		"comment only":  "# nothing\n",
		"block comment": "/* never closed\nresource \"x\" \"y\" {}\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			compareSplit(t, name+".tf", []byte(src))
			// where the file is valid, the scan finds exactly its blocks
			whole, diags := hclsyntax.ParseConfig([]byte(src), name, hcl.InitialPos)
			body := whole.Body.(*hclsyntax.Body)
			if diags.HasErrors() || len(body.Attributes) > 0 {
				return
			}
			var want, got []int
			for _, b := range body.Blocks {
				want = append(want, b.TypeRange.Start.Byte)
			}
			for _, p := range topLevelLines([]byte(src)) {
				got = append(got, p.Byte)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("block starts at %v, want %v", got, want)
			}
		})
	}
}

func FuzzSplitParse(f *testing.F) {
	for _, src := range []string{
		"locals {\n  a = <<EOT\nresource \"x\" \"y\" {\nEOT\n}\nresource \"a\" \"b\" {}\n",
		"resource \"a\" \"b\" {\n  x = \"${\"}\"}\"\n}\nlocals {}\n",
	} {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		splitEverywhere(t)
		compareSplit(t, "fuzz.tf", src)
	})
}

// Files above the size from which they are parsed in pieces, at the real
// thresholds: random mixes of blocks, heredocs, templates, comments,
// brackets and junk parse as they do whole, and a valid large file is cut.
func TestSplitParseLargeFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"resource \"a\" \"b\" {\n", "}\n", "locals {\n", "x = <<EOT\n", "EOT\n", "\"${", "}\"", "/*", "*/", "# c\n", "y = \"", "\"\n", "[\n", "]\n", "{", "}", "%{ if true }", "%{ endif }", "\n", "  ", "z = 1\n", "<<-X\n", "  X\n", "\r\n", "\xef\xbb\xbf", "é"}
	for k := 0; k < 6; k++ {
		var b strings.Builder
		for b.Len() < 300<<10 {
			if rng.IntN(3) == 0 {
				b.WriteString("resource \"aws_security_group\" \"g")
				b.WriteString(strings.Repeat("x", rng.IntN(5)))
				b.WriteString("\" {\n  description = \"d\"\n}\n")
				continue
			}
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		compareSplit(t, "big.tf", []byte(b.String()))
	}
	// valid large files are split
	var b strings.Builder
	for i := 0; b.Len() < 600<<10; i++ {
		b.WriteString("resource \"aws_security_group\" \"g")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString("\" {\n  description = <<EOT\nresource \"x\" \"y\" {\nEOT\n}\n")
	}
	src := []byte(b.String())
	if n := len(chunkStarts(pieceStarts(src), len(src))); n < 3 {
		t.Fatalf("a 600 KiB file read in %d runs", n)
	}
	compareSplit(t, "valid.tf", src)
}
