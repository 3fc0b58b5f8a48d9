package terraform

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/sgcheck/sgcheck/model"
)

// Override files (Terraform: override.tf, NAME_override.tf and their
// .tf.json forms; OpenTofu also .tofu and .tofu.json) do not declare new
// objects: after the module's other files are read, each of their blocks
// is merged into the object of the same kind and name, in file name order.
// The merge follows Terraform's documented rules: an argument of the
// override replaces the argument of the same name; a nested block type
// the override holds (plain or dynamic) replaces every block of that type,
// plain and dynamic; the contents of nested blocks are not merged; local
// values are overridden one by one, whichever locals block holds them.
// Overriding an object that no other file declares is an error, as it is
// for Terraform. terraform and provider blocks in override files are not
// read: sgcheck reads neither backends nor provider settings.

// isOverrideFile reports whether name is an override file.
func isOverrideFile(name string) bool {
	base := filepath.Base(name)
	for _, ext := range []string{".tf.json", ".tofu.json", ".tf", ".tofu"} {
		if stem, ok := strings.CutSuffix(base, ext); ok {
			return stem == "override" || strings.HasSuffix(stem, "_override")
		}
	}
	return false
}

// applyOverrides merges the blocks of override files (over, in file name
// order) into blocks, the blocks of the module's other files.
func applyOverrides(blocks, over []*hcl.Block) ([]*hcl.Block, []model.Diagnostic) {
	var diags []model.Diagnostic
	missing := func(o *hcl.Block, what string) {
		diags = append(diags, model.Diagnostic{File: o.DefRange.Filename, Line: o.DefRange.Start.Line, Column: o.DefRange.Start.Column,
			Message: fmt.Sprintf("Missing %s to override: no file of this module that is not an override file declares it", what)})
	}
	for _, o := range over {
		switch o.Type {
		case "resource", "data", "variable", "output", "module":
			what := o.Type + " " + strings.Join(o.Labels, ".")
			i := findBlock(blocks, o.Type, o.Labels)
			if i < 0 {
				missing(o, what)
				continue
			}
			b := blocks[i]
			blocks[i] = &hcl.Block{Type: b.Type, Labels: b.Labels, Body: overrideBody{base: b.Body, over: o.Body},
				DefRange: b.DefRange, TypeRange: b.TypeRange, LabelRanges: b.LabelRanges}
		case "locals":
			attrs, hd := o.Body.JustAttributes()
			if hd.HasErrors() {
				diags = append(diags, convertDiags(hd)...)
				continue
			}
			for name, a := range attrs {
				found := false
				for i, b := range blocks {
					if b.Type != "locals" {
						continue
					}
					if base, _ := b.Body.JustAttributes(); base[name] != nil {
						blocks[i] = &hcl.Block{Type: b.Type, Body: hideAttributes{Body: b.Body, name: name},
							DefRange: b.DefRange, TypeRange: b.TypeRange}
						found = true
					}
				}
				if !found {
					missing(&hcl.Block{DefRange: a.NameRange}, "local value "+name)
					delete(attrs, name)
				}
			}
			if len(attrs) > 0 {
				blocks = append(blocks, &hcl.Block{Type: "locals", Body: attributesBody{attrs: attrs, missing: o.Body.MissingItemRange()},
					DefRange: o.DefRange, TypeRange: o.TypeRange})
			}
		case "terraform", "provider":
		default:
			blocks = append(blocks, o)
		}
	}
	return blocks, diags
}

// findBlock returns the index of the block of type typ with labels, or -1.
func findBlock(blocks []*hcl.Block, typ string, labels []string) int {
	for i, b := range blocks {
		if b.Type == typ && strings.Join(b.Labels, "\x00") == strings.Join(labels, "\x00") {
			return i
		}
	}
	return -1
}

// overrideBody is a block of a primary file with an override merged in.
type overrideBody struct {
	base, over hcl.Body
}

// withDynamic adds dynamic blocks to schema, so that a dynamic block of
// the base is seen, and dropped when the override replaces its type.
func withDynamic(schema *hcl.BodySchema) *hcl.BodySchema {
	for _, b := range schema.Blocks {
		if b.Type == "dynamic" {
			return schema
		}
	}
	out := &hcl.BodySchema{Attributes: schema.Attributes, Blocks: append([]hcl.BlockHeaderSchema{{Type: "dynamic", LabelNames: []string{"type"}}}, schema.Blocks...)}
	return out
}

func (b overrideBody) merge(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Body, hcl.Diagnostics) {
	s := withDynamic(schema)
	base, baseRest, diags := b.base.PartialContent(s)
	over, overRest, od := b.over.PartialContent(s)
	diags = append(diags, od...)
	out := &hcl.BodyContent{Attributes: hcl.Attributes{}, MissingItemRange: base.MissingItemRange}
	for k, a := range base.Attributes {
		out.Attributes[k] = a
	}
	for k, a := range over.Attributes {
		out.Attributes[k] = a
	}
	replaced := map[string]bool{}
	for _, blk := range over.Blocks {
		replaced[blockKind(blk)] = true
	}
	for _, blk := range base.Blocks {
		if !replaced[blockKind(blk)] {
			out.Blocks = append(out.Blocks, blk)
		}
	}
	out.Blocks = append(out.Blocks, over.Blocks...)
	if s != schema {
		// the caller did not ask for dynamic blocks: they stay in the rest
		kept := out.Blocks[:0]
		var dyn []*hcl.Block
		for _, blk := range out.Blocks {
			if blk.Type == "dynamic" {
				dyn = append(dyn, blk)
			} else {
				kept = append(kept, blk)
			}
		}
		out.Blocks = kept
		if len(dyn) > 0 {
			baseRest = overrideBody{base: baseRest, over: blocksBody{blocks: dyn, missing: base.MissingItemRange}}
		}
	}
	return out, baseRest, overRest, diags
}

// blockKind is the type a nested block makes: a dynamic block's label.
func blockKind(b *hcl.Block) string {
	if b.Type == "dynamic" && len(b.Labels) > 0 {
		return b.Labels[0]
	}
	return b.Type
}

func (b overrideBody) Content(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	c, _, _, diags := b.merge(schema)
	return c, diags
}

func (b overrideBody) PartialContent(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	c, baseRest, overRest, diags := b.merge(schema)
	return c, overrideBody{base: baseRest, over: overRest}, diags
}

func (b overrideBody) JustAttributes() (hcl.Attributes, hcl.Diagnostics) {
	out, diags := b.base.JustAttributes()
	over, od := b.over.JustAttributes()
	diags = append(diags, od...)
	if out == nil {
		out = hcl.Attributes{}
	}
	for k, a := range over {
		out[k] = a
	}
	return out, diags
}

func (b overrideBody) MissingItemRange() hcl.Range { return b.base.MissingItemRange() }

// hideAttributes is a locals body with one local value overridden.
type hideAttributes struct {
	hcl.Body
	name string
}

func (h hideAttributes) JustAttributes() (hcl.Attributes, hcl.Diagnostics) {
	attrs, diags := h.Body.JustAttributes()
	delete(attrs, h.name)
	return attrs, diags
}

// attributesBody holds the local values of an override locals block that
// override others.
type attributesBody struct {
	attrs   hcl.Attributes
	missing hcl.Range
}

func (a attributesBody) Content(*hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	return &hcl.BodyContent{Attributes: a.attrs, MissingItemRange: a.missing}, nil
}

func (a attributesBody) PartialContent(*hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	return &hcl.BodyContent{Attributes: a.attrs, MissingItemRange: a.missing}, hcl.EmptyBody(), nil
}

func (a attributesBody) JustAttributes() (hcl.Attributes, hcl.Diagnostics) { return a.attrs, nil }

func (a attributesBody) MissingItemRange() hcl.Range { return a.missing }

// blocksBody holds blocks already decoded (dynamic blocks left for a later
// read of the rest of a body).
type blocksBody struct {
	blocks  []*hcl.Block
	missing hcl.Range
}

func (b blocksBody) Content(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	c, _, diags := b.PartialContent(schema)
	return c, diags
}

func (b blocksBody) PartialContent(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	c := &hcl.BodyContent{Attributes: hcl.Attributes{}, MissingItemRange: b.missing}
	var rest []*hcl.Block
	for _, blk := range b.blocks {
		if schemaHas(schema, blk.Type) {
			c.Blocks = append(c.Blocks, blk)
		} else {
			rest = append(rest, blk)
		}
	}
	return c, blocksBody{blocks: rest, missing: b.missing}, nil
}

func (b blocksBody) JustAttributes() (hcl.Attributes, hcl.Diagnostics) { return hcl.Attributes{}, nil }

func (b blocksBody) MissingItemRange() hcl.Range { return b.missing }

func schemaHas(schema *hcl.BodySchema, typ string) bool {
	for _, h := range schema.Blocks {
		if h.Type == typ {
			return true
		}
	}
	return false
}
