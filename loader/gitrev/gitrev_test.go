package gitrev

import (
	"os"
	"path/filepath"
	"testing"
)

// A working-tree file is taken for the revision's only when its git blob id
// (SHA-1 or SHA-256 of "blob <size>\0" and the bytes) is the revision's.
func TestSameInWorkTree(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// git hash-object of "hello\n", SHA-1 and SHA-256 object formats
	for _, oid := range []string{"ce013625030ba8dba906f756967f9e9ca394464a",
		"2cf8d83d9ee29543b34a87727421fdecb7e3f3a183d337639025de576db9ebb4"} {
		if b, ok := sameInWorkTree(p, oid); !ok || string(b) != "hello\n" {
			t.Errorf("%s: not recognised", oid)
		}
	}
	if _, ok := sameInWorkTree(p, "ce013625030ba8dba906f756967f9e9ca394464b"); ok {
		t.Error("another blob id accepted")
	}
	if _, ok := sameInWorkTree(filepath.Join(filepath.Dir(p), "none"), "ce013625030ba8dba906f756967f9e9ca394464a"); ok {
		t.Error("a missing file accepted")
	}
}
