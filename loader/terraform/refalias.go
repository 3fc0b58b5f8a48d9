package terraform

import (
	"bytes"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// unaliasResourceRefs rewrites, in a parsed native file, every reference
// written with the "resource." prefix (resource.aws_security_group.web.id),
// which Terraform reads as the managed resource it names
// (aws_security_group.web.id): an escape for resource types whose names a
// later language edition may reserve. The rest of the loader then sees the
// reference as it sees any other. A symbol named "resource" that a for
// expression or a dynamic block's iterator binds is that symbol, not the
// prefix, and is left alone.
func unaliasResourceRefs(f *hcl.File, src []byte) {
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok || !bytes.Contains(src, []byte("resource.")) {
		return
	}
	hclsyntax.Walk(body, &unaliaser{})
}

type unaliaser struct {
	// bound holds, for each node entered that binds the symbol "resource"
	// in what it contains, that node; dynamic holds the dynamic blocks
	// entered whose iterator is "resource" (it is bound in their content
	// block only: their for_each refers to what is outside)
	bound   []hclsyntax.Node
	dynamic []*hclsyntax.Block
}

func (u *unaliaser) Enter(n hclsyntax.Node) hcl.Diagnostics {
	switch n := n.(type) {
	case *hclsyntax.ForExpr:
		if n.KeyVar == "resource" || n.ValVar == "resource" {
			u.bound = append(u.bound, n)
		}
	case *hclsyntax.Block:
		if n.Type == "dynamic" && len(n.Labels) == 1 && dynamicIterator(n) == "resource" {
			u.dynamic = append(u.dynamic, n)
		}
		if k := len(u.dynamic); n.Type == "content" && k > 0 && slices.Contains(u.dynamic[k-1].Body.Blocks, n) {
			u.bound = append(u.bound, n)
		}
	case *hclsyntax.ScopeTraversalExpr:
		t := n.Traversal
		if len(u.bound) > 0 || len(t) < 3 || t.RootName() != "resource" {
			return nil
		}
		typ, ok := t[1].(hcl.TraverseAttr)
		if !ok {
			return nil
		}
		out := make(hcl.Traversal, 0, len(t)-1)
		out = append(out, hcl.TraverseRoot{Name: typ.Name, SrcRange: hcl.RangeBetween(t[0].SourceRange(), typ.SrcRange)})
		n.Traversal = append(out, t[2:]...)
	}
	return nil
}

func (u *unaliaser) Exit(n hclsyntax.Node) hcl.Diagnostics {
	if k := len(u.bound); k > 0 && u.bound[k-1] == n {
		u.bound = u.bound[:k-1]
	}
	if k := len(u.dynamic); k > 0 && u.dynamic[k-1] == n {
		u.dynamic = u.dynamic[:k-1]
	}
	return nil
}

// dynamicIterator is the name a dynamic block's content refers to its
// element by: its iterator argument, or else its label.
func dynamicIterator(b *hclsyntax.Block) string {
	if a, ok := b.Body.Attributes["iterator"]; ok {
		if t, ok := a.Expr.(*hclsyntax.ScopeTraversalExpr); ok && len(t.Traversal) == 1 {
			return t.Traversal.RootName()
		}
		return ""
	}
	return b.Labels[0]
}
