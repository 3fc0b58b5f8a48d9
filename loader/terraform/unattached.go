package terraform

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// ruleGroupAttrs are, per resource type, the attributes that name a group
// to hold a rule or to be a rule's peer: such references do not attach
// the group to anything.
var ruleGroupAttrs = map[string]map[string]bool{
	"aws_security_group_rule":             {"security_group_id": true, "source_security_group_id": true},
	"aws_vpc_security_group_ingress_rule": {"security_group_id": true, "referenced_security_group_id": true},
	"aws_vpc_security_group_egress_rule":  {"security_group_id": true, "referenced_security_group_id": true},
}

// markUnattached marks the module's security groups that nothing can
// attach: within a module, a group is attached only through an expression
// that refers to it (a resource's or module's argument, a local, an output
// that hands it to the caller or to other configurations). References of
// its own rules, and of other groups' rules naming it as a peer, do not
// count. A module with a file in JSON syntax is not judged.
func (x *moduleExtractor) markUnattached() {
	if len(x.groups) == 0 {
		return
	}
	for _, f := range x.m.files {
		if _, ok := f.Body.(*hclsyntax.Body); !ok {
			return
		}
	}
	// what settle found in the lazily parsed blocks, and the others'
	referenced := x.lazyRefs
	if referenced == nil {
		referenced = map[string]bool{}
	}
	for _, b := range x.m.blocks {
		if _, ok := b.Body.(*lazyBody); ok {
			continue // read by settle
		}
		bodies := syntaxBodies(b.Body)
		if bodies == nil {
			return
		}
		x.blockGroupRefs(b, bodies, referenced)
	}
	for name, idx := range x.groups {
		if referenced[name] {
			continue
		}
		for _, i := range idx {
			x.snap.Groups[i].Unattached = true
		}
	}
}

// blockGroupRefs records the groups that the bodies of block b refer to in
// referenced (markUnattached).
func (x *moduleExtractor) blockGroupRefs(b *hcl.Block, bodies []*hclsyntax.Body, referenced map[string]bool) {
	if x.srcs == nil {
		x.srcs = map[string][]byte{}
		for _, f := range x.m.files {
			if body, ok := f.Body.(*hclsyntax.Body); ok {
				x.srcs[body.SrcRange.Filename] = f.Bytes
			}
		}
	}
	var skip map[string]bool
	inRuleBlocks := false
	if b.Type == "resource" && len(b.Labels) == 2 {
		skip = ruleGroupAttrs[b.Labels[0]]
		inRuleBlocks = b.Labels[0] == "aws_security_group" || b.Labels[0] == "aws_default_security_group"
	}
	for _, body := range bodies {
		// most blocks name no group: skip them without walking expressions
		r := body.Range()
		if src := x.srcs[r.Filename]; src != nil && r.End.Byte <= len(src) &&
			!bytes.Contains(src[r.Start.Byte:r.End.Byte], []byte("aws_security_group")) {
			continue
		}
		groupRefs(body, skip, inRuleBlocks, false, referenced)
	}
}

// groupRefs records the names of aws_security_group resources that the
// body's expressions refer to, leaving out the attributes in skip and, in
// a group's ingress and egress blocks (ruleBlock), its peers.
func groupRefs(body *hclsyntax.Body, skip map[string]bool, inGroup, ruleBlock bool, out map[string]bool) {
	for name, a := range body.Attributes {
		// a group's rules in attribute syntax (ingress = [{ … }]) name
		// peers only
		if skip[name] || (ruleBlock && name == "security_groups") || (inGroup && !ruleBlock && (name == "ingress" || name == "egress")) {
			continue
		}
		for _, t := range variables(a.Expr) {
			if t.RootName() != "aws_security_group" || len(t) < 2 {
				continue
			}
			if step, ok := t[1].(hcl.TraverseAttr); ok {
				out[step.Name] = true
			}
		}
	}
	for _, b := range body.Blocks {
		rb := ruleBlock
		if inGroup && (b.Type == "ingress" || b.Type == "egress" ||
			(b.Type == "dynamic" && len(b.Labels) == 1 && (b.Labels[0] == "ingress" || b.Labels[0] == "egress"))) {
			rb = true
		}
		groupRefs(b.Body, nil, inGroup, rb, out)
	}
}

// syntaxBodies returns the native syntax bodies a block's body is made of:
// itself, or both sides of an override merge (a reference the override
// replaced still counts, so a group is never called unattached wrongly);
// nil when one is not native syntax.
func syntaxBodies(b hcl.Body) []*hclsyntax.Body {
	switch x := b.(type) {
	case *hclsyntax.Body:
		return []*hclsyntax.Body{x}
	case overrideBody:
		base, over := syntaxBodies(x.base), syntaxBodies(x.over)
		if base == nil || over == nil {
			return nil
		}
		return append(base, over...)
	case hideAttributes:
		return syntaxBodies(x.Body)
	}
	return nil
}
