package terraform

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// memFS serves files from a map, as a git revision is read.
func memFS(files map[string]string) ([]string, func(string) ([]byte, error)) {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, func(name string) ([]byte, error) {
		if s, ok := files[filepath.Clean(name)]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
}

func loadMem(t *testing.T, files map[string]string, cache *ParseCache) (*model.Snapshot, []model.Diagnostic) {
	t.Helper()
	names, read := memFS(files)
	return Load(context.Background(), []string{"infra"}, Options{Files: names, ReadFile: read, Parsed: cache})
}

// Change analysis reuses a root's evaluation from the other side only when
// everything it read is the same: the result equals a load of its own.
func TestRootReuse(t *testing.T) {
	group := func(cidr string) string {
		return fmt.Sprintf(`resource "aws_security_group" "g" {
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [%q]
  }
}
resource "aws_instance" "i" { vpc_security_group_ids = [aws_security_group.g.id] }
`, cidr)
	}
	base := map[string]string{
		"infra/a/main.tf":          group("10.0.0.0/8"),
		"infra/b/main.tf":          group("10.1.0.0/16"),
		"infra/c/main.tf":          group("var.x") + `variable "x" {}`,
		"infra/c/terraform.tfvars": `x = "10.2.0.0/16"`,
		"infra/d/main.tf":          group("10.3.0.0/16") + `locals { f = fileexists("x") }`,
		"infra/e/main.tf":          `module "m" { source = "../shared" }`,
		"infra/shared/main.tf":     group("10.4.0.0/16"),
		"infra/f/main.tf":          group("10.5.0.0/16"),
		"infra/f/x.auto.tfvars":    `y = 1`,
	}
	head := map[string]string{}
	for k, v := range base {
		head[k] = v
	}
	head["infra/b/main.tf"] = group("10.1.0.0/24")         // changed root
	head["infra/c/terraform.tfvars"] = `x = "10.9.0.0/16"` // changed variable file
	head["infra/shared/main.tf"] = group("10.4.0.0/24")    // changed module
	delete(head, "infra/f/x.auto.tfvars")                  // one file fewer
	cache := NewParseCache()
	loadMem(t, head, cache)
	got, gotDiags := loadMem(t, base, cache)
	want, wantDiags := loadMem(t, base, nil)
	// a is the same on both sides; d lists files (not reused)
	if cache.reused != 1 {
		t.Errorf("reused %d roots, want 1 (a)", cache.reused)
	}
	if !reflect.DeepEqual(got.Rules, want.Rules) || !reflect.DeepEqual(got.Groups, want.Groups) ||
		!reflect.DeepEqual(got.Attachments, want.Attachments) || !reflect.DeepEqual(gotDiags, wantDiags) {
		t.Errorf("with reuse:\n%+v\nwithout:\n%+v", got.Rules, want.Rules)
	}
}
