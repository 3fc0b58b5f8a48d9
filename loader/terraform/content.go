package terraform

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// contentOf is body.PartialContent(schema), with less work for a body as
// parsed: hclsyntax's PartialContent copies the body's items into maps of
// hidden names for the rest it returns, which a resource's extraction
// rarely reads, so here the rest is made only when it is read.
func contentOf(body hcl.Body, schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	if sb, ok := body.(*hclsyntax.Body); ok {
		if c, ok := syntaxContent(sb, schema); ok {
			return c, &restOf{body: sb, schema: schema}, nil
		}
	}
	return body.PartialContent(schema)
}

// syntaxContent is the content hclsyntax's PartialContent returns for a
// block's body as parsed (nothing hidden in it by an earlier
// PartialContent), made without its copies; ok is false where
// PartialContent reports a diagnostic (a required attribute missing, a
// block whose labels are not the schema's), for the caller to call it.
func syntaxContent(b *hclsyntax.Body, schema *hcl.BodySchema) (*hcl.BodyContent, bool) {
	attrs := make(hcl.Attributes, len(schema.Attributes))
	for _, s := range schema.Attributes {
		a, ok := b.Attributes[s.Name]
		if !ok {
			if s.Required {
				return nil, false
			}
			continue
		}
		attrs[s.Name] = a.AsHCLAttribute()
	}
	var blocks hcl.Blocks
	for _, blk := range b.Blocks {
		for _, s := range schema.Blocks {
			if blk.Type != s.Type {
				continue
			}
			if len(blk.Labels) != len(s.LabelNames) {
				return nil, false
			}
			blocks = append(blocks, blk.AsHCLBlock())
			break
		}
	}
	return &hcl.BodyContent{Attributes: attrs, Blocks: blocks, MissingItemRange: b.MissingItemRange()}, true
}

// restOf is what PartialContent(schema) leaves of body, made when first
// read (a resource's extraction reads it only for rule lists written as
// attributes).
type restOf struct {
	body   *hclsyntax.Body
	schema *hcl.BodySchema
	rest   hcl.Body
}

func (r *restOf) get() hcl.Body {
	if r.rest == nil {
		_, r.rest, _ = r.body.PartialContent(r.schema)
	}
	return r.rest
}

// PartialContent reads the rest for s. Where the body holds none of s's
// attributes and s asks for no block or required attribute, what it
// finds is nothing, found without making the rest.
func (r *restOf) PartialContent(s *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	if len(s.Blocks) == 0 && !slices.ContainsFunc(s.Attributes, func(a hcl.AttributeSchema) bool {
		_, held := r.body.Attributes[a.Name]
		return held || a.Required
	}) {
		return &hcl.BodyContent{Attributes: hcl.Attributes{}, MissingItemRange: r.MissingItemRange()}, r, nil
	}
	return r.get().PartialContent(s)
}

func (r *restOf) Content(s *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	return r.get().Content(s)
}

func (r *restOf) JustAttributes() (hcl.Attributes, hcl.Diagnostics) { return r.get().JustAttributes() }

func (r *restOf) MissingItemRange() hcl.Range { return r.body.MissingItemRange() }
