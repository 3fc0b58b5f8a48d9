package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// configFiles lists the .tf files of the fixtures, the shared corpus (when
// it is there, beside this repository) and testdata.
func configFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, root := range []string{"../../fixtures", "../../../shared/corpus", "testdata"} {
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".tf") {
				files = append(files, path)
			}
			return nil
		})
	}
	if len(files) < 100 {
		t.Fatalf("only %d files", len(files))
	}
	return files
}

// A file read lazily is the file parsed whole: the same top-level blocks
// with the same headers and ranges, each resource body (parsed when read)
// the whole parse's, its instance attributes (read from their own lines)
// those PartialContent finds in it; on every configuration of the fixtures
// and the shared corpus.
func TestLazyFileMatchesWholeParse(t *testing.T) {
	lazyFiles, lazyBlocks, attrsRead, crlfFiles := 0, 0, 0, 0
	for _, path := range configFiles(t) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if blocks, attrs, ok := compareLazy(t, path, src); ok {
			lazyFiles, lazyBlocks, attrsRead = lazyFiles+1, lazyBlocks+blocks, attrsRead+attrs
		}
		// the same file with Windows line endings
		crlf := bytes.ReplaceAll(bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		if _, _, ok := compareLazy(t, path, crlf); ok {
			crlfFiles++
		}
	}
	// the fixtures alone have more; the shared corpus, when present, hundreds
	if lazyFiles < 100 || lazyBlocks < 300 || attrsRead < lazyBlocks*9/10 || crlfFiles < lazyFiles*9/10 {
		t.Errorf("read lazily: %d files (%d with CRLF line ends), %d resource blocks, instance attributes of %d",
			lazyFiles, crlfFiles, lazyBlocks, attrsRead)
	}
}

func FuzzLazyFile(f *testing.F) {
	for _, src := range []string{
		"locals {\n  a = <<EOT\nresource \"x\" \"y\" {\nEOT\n}\nresource \"a\" \"b\" {\n  count = 2\n}\n",
		"resource \"a\" \"b\" {\n  x = \"${\"}\"}\"\n  name = \"n\"\n}\nlocals {}\n",
		"# c\nresource \"a\" \"b\" {\n  for_each = {\n    k = 1\n  }\n  vpc_id = <<-E\n  v\n  E\n  cidr_block = 1\n}\n",
		// references read without parsing (traversalAttr), and lines like them
		"resource \"a\" \"b\" {\n  vpc_id = true.x\n  subnet_id = aws_subnet.a-b.id\r\n  name\t=\tvar.n \n}\n" +
			"resource \"a\" \"c\" {\n  vpc_id = a.b # c\n  subnet_id = a.b[0]\n  cidr_block = a.0\n  name = a . b\n}\n" +
			"resource \"a\" \"d\" {\n  vpc_id = null\n  subnet_id = a.b.*.c\n  name = x\n  cidr_block = a.b-1\n}\n",
		"resource \"a\" \"b\" {\n  vpc_id = a.b()\n}\n",
	} {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		compareLazy(t, "fuzz.tf", src)
	})
}

// compareLazy checks that src read lazily is src parsed whole (or, for a
// file with an error, that the error is found) and returns how many of its
// resource blocks were read lazily and how many had their instance
// attributes read on their own lines; ok is false when the file is parsed
// whole.
func compareLazy(t *testing.T, path string, src []byte) (lazyBlocks, attrsRead int, ok bool) {
	t.Helper()
	whole, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	var failed atomic.Bool
	_, blocks, lazies, ok := lazyFile(src, path, &failed)
	if !ok {
		return 0, 0, false
	}
	if len(diags) > 0 {
		// a file with an error in a resource body reads lazily; the
		// error is found when the body is parsed
		for _, lb := range lazies {
			lb.syntax()
		}
		if !failed.Load() {
			t.Errorf("%s: %v not found lazily", path, diags)
		}
		return 0, 0, false
	}
	content, _, cdiags := whole.Body.PartialContent(topSchema)
	if len(cdiags) > 0 {
		t.Fatalf("%s: read lazily despite %v", path, cdiags)
	}
	want := content.Blocks
	if len(blocks) != len(want) {
		t.Fatalf("%s: %d blocks, whole parse %d", path, len(blocks), len(want))
	}
	for i, b := range blocks {
		w := want[i]
		if b.Type != w.Type || !reflect.DeepEqual(b.Labels, w.Labels) || b.DefRange != w.DefRange ||
			b.TypeRange != w.TypeRange || !reflect.DeepEqual(b.LabelRanges, w.LabelRanges) {
			t.Fatalf("%s: block %d header %v %v %v, whole parse %v %v %v", path, i, b.Labels, b.DefRange, b.LabelRanges,
				w.Labels, w.DefRange, w.LabelRanges)
		}
		wb := w.Body.(*hclsyntax.Body)
		lb, isLazy := b.Body.(*lazyBody)
		if !isLazy {
			if !reflect.DeepEqual(b.Body, w.Body) {
				t.Fatalf("%s: block %d (%s) differs from the whole parse", path, i, w.DefRange)
			}
			continue
		}
		lazyBlocks++
		if attrs, ok := lb.instanceAttrs(); ok {
			attrsRead++
			wc, _, _ := wb.PartialContent(instanceSchema)
			if !reflect.DeepEqual(attrs, wc.Attributes) {
				t.Fatalf("%s: %s: instance attributes %v, whole parse %v", path, w.DefRange, attrs, wc.Attributes)
			}
		}
		if got := lb.syntax(); !reflect.DeepEqual(got, wb) {
			t.Fatalf("%s: %s: lazily parsed body differs from the whole parse", path, w.DefRange)
		}
		var wr hcl.Range
		for _, sb := range whole.Body.(*hclsyntax.Body).Blocks {
			if sb.TypeRange == w.TypeRange {
				wr = sb.Range()
			}
		}
		if lb.srcRange() != wr {
			t.Fatalf("%s: %s: range %v, whole parse %v", path, w.DefRange, lb.srcRange(), wr)
		}
		lb.release()
		if got := lb.syntax(); !reflect.DeepEqual(got, wb) {
			t.Fatalf("%s: %s: parsed again after release, differs", path, w.DefRange)
		}
	}
	if failed.Load() {
		t.Errorf("%s: a block failed to parse lazily", path)
	}
	return lazyBlocks, attrsRead, true
}

// loadBoth loads paths with lazy parsing and with every file parsed whole.
func loadBoth(t *testing.T, paths []string) (lazy, whole string) {
	t.Helper()
	show := func() string {
		snap, diags := Load(context.Background(), paths, Options{})
		js, err := json.Marshal(snap)
		if err != nil {
			t.Fatal(err)
		}
		jd, _ := json.Marshal(diags)
		return string(js) + "\n" + string(jd)
	}
	minBytes := lazyMinBytes
	lazyMinBytes = 0
	lazy = show()
	lazyMinBytes, lazyParse = minBytes, false
	defer func() { lazyParse = true }()
	return lazy, show()
}

// Loading a root with its resource blocks parsed lazily gives what parsing
// its files whole gives, snapshot and diagnostics, for every directory of
// the fixtures and the shared corpus.
func TestLazyLoadMatchesWholeLoad(t *testing.T) {
	dirs := map[string]bool{}
	for _, f := range configFiles(t) {
		dirs[filepath.Dir(f)] = true
	}
	var list []string
	for d := range dirs {
		list = append(list, d)
	}
	sort.Strings(list)
	before := lazyParses.Load()
	defer func() {
		if n := lazyParses.Load() - before; n < 300 {
			t.Errorf("only %d resource blocks were parsed lazily", n)
		}
	}()
	for _, d := range list {
		lazy, whole := loadBoth(t, []string{d})
		if lazy != whole {
			t.Errorf("%s: lazy load differs from whole load:\n%s\n%s", d, firstDiff(lazy, whole), firstDiff(whole, lazy))
		}
	}
}

// A resource block that does not parse is found when the extraction
// reaches it: the root is loaded again with its files parsed whole, so the
// diagnostics, and what the other files give, are the whole parse's.
func TestLazyParseErrorLoadsWhole(t *testing.T) {
	for name, bad := range map[string]string{
		"error in a body":      "resource \"aws_security_group\" \"bad\" {\n  name = \n}\n",
		"junk after a block":   "resource \"aws_security_group\" \"bad\" {\n  name = \"x\"\n}\n  = 3\n",
		"unknown resource":     "resource \"aws_iam_role\" \"r\" {\n  name = \n}\n",
		"unbalanced brackets":  "resource \"aws_iam_role\" \"r\" {\n  name = [\n}\n",
		"two blocks on a line": "resource \"aws_security_group\" \"a\" {\n}  resource \"aws_security_group\" \"b\" {\n}\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{
				"a.tf": "resource \"aws_security_group\" \"ok\" {\n  name = \"ok\"\n  ingress {\n    protocol = \"tcp\"\n    from_port = 22\n    to_port = 22\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
				"b.tf": "resource \"aws_security_group\" \"first\" {\n  name = \"first\"\n}\n\n" + bad,
			})
			lazy, whole := loadBoth(t, []string{dir})
			if lazy != whole {
				t.Errorf("lazy load differs from whole load:\n%s\n%s", lazy, whole)
			}
			if !strings.Contains(whole, "b.tf") {
				t.Errorf("no diagnostic for b.tf: %s", whole)
			}
		})
	}
}

// firstDiff returns a's text around where it first differs from b.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[max(0, i-200):min(len(a), i+200)]
}

// In a module, lazily parsed like a root: a block that does not parse is
// reported as the whole parse reports it, whether the module is extracted
// or called with no instance; a module called twice is read again in full.
func TestLazyModules(t *testing.T) {
	group := func(name string) string {
		return "resource \"aws_security_group\" \"" + name + "\" {\n  name = \"" + name + "\"\n  ingress {\n    protocol = \"tcp\"\n" +
			"    from_port = 22\n    to_port = 22\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n"
	}
	// brackets balanced: the file reads lazily, the error is found in the block
	broken := "resource \"aws_iam_role\" \"r\" {\n  name = \n}\n"
	for name, files := range map[string]map[string]string{
		"broken module": {
			"main.tf":     "module \"m\" {\n  source = \"./m\"\n}\n" + group("root"),
			"m/main.tf":   group("inner"),
			"m/broken.tf": group("before") + broken,
		},
		"broken module beside a module with an error": {
			"main.tf":     "module \"m\" {\n  source = \"./m\"\n}\nmodule \"e\" {\n  source = \"./e\"\n}\n" + group("root"),
			"e/main.tf":   group("other") + "resource \"aws_iam_role\" \"r\" {\n  name = [\n}\n",
			"e/ok.tf":     group("fine"),
			"m/main.tf":   group("inner"),
			"m/broken.tf": group("before") + broken,
		},
		"broken root that calls a module": {
			"main.tf":   "module \"m\" {\n  source = \"./m\"\n}\n" + group("root"),
			"broken.tf": group("before") + broken,
			"m/main.tf": group("inner"),
		},
		"broken module with no instance": {
			"main.tf":     "module \"m\" {\n  source = \"./m\"\n  count = 0\n}\n" + group("root"),
			"m/main.tf":   group("inner"),
			"m/broken.tf": broken,
		},
		"module called twice": {
			"main.tf":   "module \"m\" {\n  source = \"./m\"\n  count = 2\n}\nmodule \"n\" {\n  source = \"./m\"\n}\n" + group("root"),
			"m/main.tf": group("inner") + "resource \"aws_security_group_rule\" \"r\" {\n  type = \"ingress\"\n  security_group_id = aws_security_group.inner.id\n  protocol = \"tcp\"\n  from_port = 443\n  to_port = 443\n  cidr_blocks = [\"10.0.0.0/8\"]\n}\n",
		},
		"two roots sharing a broken module": {
			"a/main.tf":   "module \"m\" {\n  source = \"../m\"\n}\n",
			"b/main.tf":   "module \"m\" {\n  source = \"../m\"\n}\n" + group("b"),
			"m/main.tf":   group("inner"),
			"m/broken.tf": broken,
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeFiles(t, files)
			before := lazyParses.Load()
			lazy, whole := loadBoth(t, []string{dir})
			if lazy != whole {
				t.Errorf("lazy load differs from whole load:\n%s\n%s", lazy, whole)
			}
			if lazyParses.Load() == before {
				t.Error("nothing was parsed lazily")
			}
			if _, ok := files["m/broken.tf"]; ok && !strings.Contains(whole, "broken.tf") {
				t.Errorf("no diagnostic for broken.tf: %s", whole)
			}
		})
	}
}
