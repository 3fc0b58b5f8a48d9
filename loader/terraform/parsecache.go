package terraform

import (
	"bytes"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// ParseCache shares parsed files between the loads of one run (the two
// sides of change analysis): a file with the same name and bytes on both
// sides is parsed once. A file's syntax tree depends on nothing else, and
// it is only read after the parse, so sharing it changes no result.
type ParseCache struct {
	mu sync.Mutex
	m  map[string]cachedFile
	// roots holds what each root module evaluated to, with everything the
	// evaluation read, so that the other side reuses it when all of that
	// is the same there.
	roots map[string]*rootResult
	// reused counts the roots taken from the other side.
	reused int
}

type cachedFile struct {
	src   []byte
	file  *hcl.File
	diags hcl.Diagnostics
}

// NewParseCache returns an empty cache.
func NewParseCache() *ParseCache {
	return &ParseCache{m: map[string]cachedFile{}, roots: map[string]*rootResult{}}
}

// parse parses one file, or returns the tree parsed before for the same
// name and bytes. A nil cache parses.
func (c *ParseCache) parse(name string, src []byte, json bool) (*hcl.File, hcl.Diagnostics) {
	if c != nil {
		c.mu.Lock()
		hit, ok := c.m[name]
		c.mu.Unlock()
		if ok && bytes.Equal(hit.src, src) {
			return hit.file, hit.diags
		}
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if json {
		f, diags = hcljson.Parse(src, name)
	} else {
		f, diags = hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	}
	if c != nil {
		c.mu.Lock()
		c.m[name] = cachedFile{src: src, file: f, diags: diags}
		c.mu.Unlock()
	}
	return f, diags
}
