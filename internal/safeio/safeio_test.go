package safeio

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDepth(t *testing.T) {
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	for _, tc := range []struct {
		name string
		src  string
		hcl  bool
		line int // 0: no error
	}{
		{"parens", "a = 1\nb = " + deep("(", ")", MaxDepth+1) + "\n", true, 2},
		{"brackets at the limit", "b = " + deep("[", "]", MaxDepth) + "\n", true, 0},
		{"interpolation", "a = \"" + strings.Repeat("${", MaxDepth+1) + "x" + strings.Repeat("}", MaxDepth+1) + "\"\n", true, 1},
		{"heredoc interpolation", "a = <<EOT\n" + strings.Repeat("${(", MaxDepth) + "x" + strings.Repeat(")}", MaxDepth) + "\nEOT\n", true, 2},
		{"braces in strings", "a = \"" + strings.Repeat("{", 5000) + "\"\n", true, 0},
		{"braces in comments", "# " + strings.Repeat("(", 5000) + "\n/* " + strings.Repeat("[", 5000) + " */\n", true, 0},
		{"escaped interpolation", "a = \"" + strings.Repeat("$${", 5000) + "\"\n", true, 0},
		{"heredoc text", "a = <<-EOT\n  " + strings.Repeat("{", 5000) + "\n  EOT\nb = 1\n", true, 0},
		{"json", "{\n\"a\": " + deep("[", "]", MaxDepth) + "}", false, 2},
		{"json strings", `{"a": "` + strings.Repeat("[", 5000) + `"}`, false, 0},
	} {
		check := CheckJSON
		if tc.hcl {
			check = CheckHCL
		}
		err := check([]byte(tc.src))
		var de *DepthError
		switch {
		case tc.line == 0 && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.line != 0 && (!errors.As(err, &de) || de.Line != tc.line):
			t.Errorf("%s: %v, want a depth error at line %d", tc.name, err, tc.line)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.tf")
	if err := os.WriteFile(ok, []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(ok); err != nil || string(b) != "x = 1\n" {
		t.Errorf("regular file: %q %v", b, err)
	}
	// files of every size around the first buffer's and larger read whole
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 100000} {
		p := filepath.Join(dir, fmt.Sprintf("%d.tf", n))
		want := bytes.Repeat([]byte("a"), n)
		if err := os.WriteFile(p, want, 0o644); err != nil {
			t.Fatal(err)
		}
		if b, err := ReadFile(p); err != nil || !bytes.Equal(b, want) {
			t.Errorf("%d bytes: read %d, %v", n, len(b), err)
		}
	}
	// a symbolic link to a device, and a named pipe, are refused unread
	zero := filepath.Join(dir, "zero.tf")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(zero); !errors.Is(err, ErrNotRegular) {
		t.Errorf("/dev/zero: %v", err)
	}
	fifo := filepath.Join(dir, "fifo.tf")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no mkfifo:", err)
	}
	if _, err := ReadFile(fifo); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("fifo: %v", err)
	}
	// the total budget
	var b Budget
	b.used.Store(MaxTotal)
	if _, err := b.ReadFile(ok); err == nil || !strings.Contains(err.Error(), "together exceed") {
		t.Errorf("over budget: %v", err)
	}
}

// A file that is not UTF-8 text is one error at its first bad byte, not
// one per character; a file git-crypt has encrypted (a locked checkout)
// says so.
func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      string // "" when the text is fine; else "line:column message-prefix"
	}{
		{"ascii", "a = 1\n", ""},
		{"multibyte", "description = \"café ✓\"\n", ""},
		{"git-crypt", "\x00GITCRYPT\x00\x8f\x01binary", "1:1 encrypted with git-crypt"},
		{"latin-1", "a = 1\nb = \"caf\xe9\"\n", "2:9 is not UTF-8"},
		{"after multibyte", "x = \"é\xff\"", "1:7 is not UTF-8"},
		{"NUL", "a = 1\n\x00\n", "2:1 holds NUL bytes"},
		{"NUL before bad byte", "\x00\xff", "1:1 holds NUL bytes"},
	} {
		err := CheckText([]byte(tc.src))
		got := ""
		var te *TextError
		if errors.As(err, &te) {
			got = fmt.Sprintf("%d:%d %s", te.Line, te.Column, te.Msg)
		} else if err != nil {
			got = err.Error()
		}
		if (tc.want == "") != (got == "") || !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: got %q, want %q…", tc.name, got, tc.want)
		}
	}
}
